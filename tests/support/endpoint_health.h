// What GET /clusters?format=json says of each endpoint's health ("HEALTHY",
// "FAILED_OUTLIER_CHECK", "FAILED_ACTIVE_HC", "UNRESOLVED").
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "tests/support/ready_weir.h"

namespace weir::test {

// Endpoint address ("127.0.0.1:PORT") → health, for `cluster`; empty on any error
// (reported as a test failure).
std::map<std::string, std::string> endpointHealth(const ReadyWeir& weir, const std::string& cluster);

// Polls /clusters every 20 ms until `address` of `cluster` shows `health`, for at
// most `timeout`. Returns how long that took, or nullopt.
std::optional<std::chrono::milliseconds> waitForEndpointHealth(
    const ReadyWeir& weir, const std::string& cluster, const std::string& address,
    const std::string& health, std::chrono::milliseconds timeout);

}  // namespace weir::test
