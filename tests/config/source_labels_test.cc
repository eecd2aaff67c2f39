// sourceLabels and sourceNamespace of tcp[] and tls[] match blocks: read into the
// route table (matched at run time against weir --labels / --namespace, see
// route_match.h), never warned about or dropped, and part of what makes two match
// blocks the same for Istio's unreachable-rule warnings.
#include <gtest/gtest.h>

#include "config/loader.h"
#include "config_test_support.h"

namespace weir::config {
namespace {

using fixture::loadWithBase;
using fixture::toStrings;
using fixture::yaml;
using Strings = std::vector<std::string>;
using Labels = std::map<std::string, std::string>;

LoadResult loadRules(const std::string& rules) {
  return loadWithBase(yaml(R"(
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: echo}
spec:
  hosts: ["*"]
  gateways: [gw]
)") + yaml(rules));
}

TEST(SourceLabelsTest, AreReadIntoTheMatchWithoutAWarning) {
  const LoadResult result = loadRules(R"(
  tcp:
  - match:
    - sourceLabels: {app: edge, zone: a}
      sourceNamespace: istio-system
    - port: 9000
    route: [{destination: {host: echo, subset: v1}}]
)");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_TRUE(result.warnings.empty()) << ::testing::PrintToString(toStrings(result.warnings));
  const TcpRoute& route = result.table->routes.at(0);
  ASSERT_EQ(route.matches.size(), 2u);
  EXPECT_EQ(route.matches[0].source_labels, (Labels{{"app", "edge"}, {"zone", "a"}}));
  EXPECT_EQ(route.matches[0].source_namespace, "istio-system");
  EXPECT_TRUE(route.matches[1].source_labels.empty());
  EXPECT_EQ(route.matches[1].source_namespace, "");
}

TEST(SourceLabelsTest, TellMatchBlocksApartForTheDuplicateWarning) {
  const LoadResult result = loadRules(R"(
  tcp:
  - match: [{port: 9000, sourceLabels: {app: edge}}]
    route: [{destination: {host: echo, subset: v1}}]
  - match: [{port: 9000, sourceLabels: {app: other}}]
    route: [{destination: {host: echo, subset: v1}}]
  - match: [{port: 9000, sourceLabels: {app: edge}}]
    route: [{destination: {host: echo, subset: v2}}]
)");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(toStrings(result.warnings),
            (Strings{"test.yaml:12:5: spec.tcp[2]: virtualService rule #2 not used (all matches "
                     "used by prior rules)",
                     "test.yaml:12:13: spec.tcp[2].match[0]: virtualService rule #2 match #0 is "
                     "not used (duplicate/overlapping match in rule #0)"}));
}

TEST(SourceLabelsTest, TlsBlocksHaveThemToo) {
  const LoadResult result = loadWithBase(yaml(R"(
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: tls-gw}
spec:
  servers:
  - port: {number: 9443, name: tls, protocol: TLS}
    hosts: ["*.example.com"]
    tls: {mode: PASSTHROUGH}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: sni}
spec:
  hosts: ["*.example.com"]
  gateways: [tls-gw]
  tls:
  - match:
    - sniHosts: [a.example.com]
      sourceNamespace: edge
    route: [{destination: {host: echo, subset: v1}}]
)"));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(toStrings(result.errors));
  EXPECT_EQ(result.table->routes.at(0).matches.at(0).source_namespace, "edge");
}

}  // namespace
}  // namespace weir::config
