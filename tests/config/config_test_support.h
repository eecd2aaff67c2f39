// Helpers shared by the config unit tests: inline YAML loads and a small valid
// configuration (gateway + destination rule + service entry) to build on.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/loader.h"

namespace weir::config::fixture {

// Raw strings in the tests start with a newline after R"( so that the YAML lines
// up; drop it so that line 1 of the text is line 1 of the YAML.
inline std::string yaml(std::string_view text) {
  if (!text.empty() && text.front() == '\n') {
    text.remove_prefix(1);
  }
  return std::string(text);
}

inline std::vector<std::string> toStrings(const std::vector<Diagnostic>& diagnostics) {
  std::vector<std::string> result;
  for (const Diagnostic& diagnostic : diagnostics) {
    result.push_back(diagnostic.toString());
  }
  return result;
}

// A Gateway `gw` with one TCP server on 9000 for any host.
inline const std::string kGatewayYaml = yaml(R"(
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: gw
spec:
  servers:
  - port:
      number: 9000
      name: tcp
      protocol: TCP
    hosts:
    - "*"
)");

// A DestinationRule for `echo` with subsets v1 and v2 (label `version`).
inline const std::string kDestinationRuleYaml = yaml(R"(
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: echo
spec:
  host: echo
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
)");

// A STATIC ServiceEntry `echo` (port 9000 "tcp") with a v1 endpoint on
// 127.0.0.1:9001 and a v2 endpoint on 127.0.0.1:9002.
inline const std::string kServiceEntryYaml = yaml(R"(
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: echo
spec:
  hosts:
  - echo
  ports:
  - number: 9000
    name: tcp
    protocol: TCP
  resolution: STATIC
  endpoints:
  - address: 127.0.0.1
    ports:
      tcp: 9001
    labels:
      version: v1
  - address: 127.0.0.1
    ports:
      tcp: 9002
    labels:
      version: v2
)");

// All three: the gateway, the destination rule and the service entry.
inline const std::string kBaseYaml =
    kGatewayYaml + "---\n" + kDestinationRuleYaml + "---\n" + kServiceEntryYaml;

// An 80/20 VirtualService on `gw` for kBaseYaml.
inline const std::string kVirtualServiceYaml = yaml(R"(
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: echo
spec:
  hosts:
  - "*"
  gateways:
  - gw
  tcp:
  - route:
    - destination:
        host: echo
        subset: v1
      weight: 80
    - destination:
        host: echo
        subset: v2
      weight: 20
)");

// kBaseYaml as "base.yaml" plus `text` as "test.yaml".
inline LoadResult loadWithBase(const std::string& text) {
  return loadFromText({{"base.yaml", kBaseYaml}, {"test.yaml", text}});
}

// Just `text`, as "test.yaml".
inline LoadResult loadOne(const std::string& text) {
  return loadFromText({{"test.yaml", text}});
}

}  // namespace weir::config::fixture
