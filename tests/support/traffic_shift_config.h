// Writes the Istio YAML of the "TCP traffic shifting" walk-through
// (examples/tcp-traffic-shifting), with the ports and weights a test needs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace weir::test {

// One weighted destination of the VirtualService's tcp rule: subset `subset` of host
// tcp-echo-server, whose endpoints (label version=<subset>) listen on 127.0.0.1 at
// `endpoint_ports`.
struct WeightedSubset {
  std::string subset{};  // "v1"
  int weight = 0;      // written as is, so tests can also write invalid weights
  std::vector<uint16_t> endpoint_ports{};
};

struct TrafficShiftConfig {
  uint16_t gateway_port = 0;  // the Gateway server port; also the service port
  std::vector<WeightedSubset> routes{};
};

// Writes gateway.yaml, virtual-service.yaml, destination-rule.yaml and endpoints.yaml
// into `dir` (created if needed): Gateway tcp-echo-gateway with one TCP server on
// gateway_port; VirtualService tcp-echo with one tcp rule matching that port and one
// route entry per WeightedSubset; DestinationRule tcp-echo-destination with a subset
// per name, selected by label `version`; ServiceEntry tcp-echo-server, resolution
// STATIC, an endpoint 127.0.0.1 per endpoint port. Returns `dir`.
std::filesystem::path writeTrafficShiftConfig(const std::filesystem::path& dir,
                                              const TrafficShiftConfig& config);

}  // namespace weir::test
