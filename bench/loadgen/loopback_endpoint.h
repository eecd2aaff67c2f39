// An IPv4 address:port inside 127.0.0.0/8. The load generator only ever talks to
// this machine, so anything else is refused when the command line is read.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "common/socket_address.h"

namespace weir::bench {

struct LoopbackEndpoint {
  SocketAddress address;  // IPv4, in 127.0.0.0/8

  std::uint16_t port() const { return address.port(); }
  std::string toString() const { return address.toString(); }
};

// Parses "127.x.y.z:PORT". Throws UsageError for another address, a missing or bad port,
// or port 0 unless `allow_port_zero` (a listening address may ask for a free port).
LoopbackEndpoint parseLoopbackEndpoint(std::string_view text, bool allow_port_zero);

// 127.0.0.(1 + index % count): the index-th client source address. Spreading clients
// over several loopback addresses multiplies the 4-tuples available, so connection-rate
// runs do not run out of ephemeral ports while earlier connections sit in TIME_WAIT.
in_addr loopbackSource(std::uint32_t index, std::uint32_t count);

}  // namespace weir::bench
