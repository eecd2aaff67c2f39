#include "tests/support/endpoint_health.h"

#include <gtest/gtest.h>

#include <thread>

#include "tests/support/json_value.h"

namespace weir::test {

std::map<std::string, std::string> endpointHealth(const ReadyWeir& weir, const std::string& cluster) {
  std::map<std::string, std::string> health;
  const HttpResponse response = weir.get("/clusters?format=json");
  if (!response.ok()) {
    ADD_FAILURE() << response.describe();
    return health;
  }
  std::string error;
  const std::optional<JsonValue> document = parseJson(response.body, &error);
  const JsonValue* clusters = document ? document->find("clusters") : nullptr;
  if (clusters == nullptr || !clusters->isArray()) {
    ADD_FAILURE() << "bad /clusters: " << error << " " << oneLine(response.body);
    return health;
  }
  for (const JsonValue& item : clusters->items) {
    const JsonValue* name = item.find("name");
    const JsonValue* endpoints = item.find("endpoints");
    if (name == nullptr || name->string != cluster || endpoints == nullptr) continue;
    for (const JsonValue& endpoint : endpoints->items) {
      const JsonValue* address = endpoint.find("address");
      const JsonValue* state = endpoint.find("health");
      if (address != nullptr && state != nullptr) health[address->string] = state->string;
    }
  }
  return health;
}

std::optional<std::chrono::milliseconds> waitForEndpointHealth(
    const ReadyWeir& weir, const std::string& cluster, const std::string& address,
    const std::string& health, std::chrono::milliseconds timeout) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    if (endpointHealth(weir, cluster)[address] == health) return elapsed;
    if (elapsed > timeout) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace weir::test
