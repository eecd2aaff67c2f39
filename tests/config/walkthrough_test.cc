// The Istio "TCP traffic shifting" walk-through, from the real example files.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "config/loader.h"
#include "config_test_support.h"
#include "tests/support/test_paths.h"

namespace weir::config {
namespace {

const std::string kExampleDir = std::string(weir::test::kSourceDir) + "/examples/tcp-traffic-shifting";

// The 1-based line and column of the first occurrence of `needle` in `file`, so the
// position tests do not break when comments are added to the examples.
std::pair<int, int> find(const std::string& file, const std::string& needle) {
  std::ifstream input(file);
  std::string line;
  for (int number = 1; std::getline(input, line); ++number) {
    if (const size_t column = line.find(needle); column != std::string::npos) {
      return {number, static_cast<int>(column) + 1};
    }
  }
  return {0, 0};
}

void expectWalkThroughTable(const LoadResult& result) {
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(fixture::toStrings(result.errors));
  EXPECT_TRUE(result.warnings.empty()) << ::testing::PrintToString(fixture::toStrings(result.warnings));
  const RouteTable& table = *result.table;

  ASSERT_EQ(table.listeners.size(), 1u);
  const Listener& listener = table.listeners[0];
  EXPECT_EQ(listener.gateway, "default/tcp-echo-gateway");
  EXPECT_EQ(listener.server_name, "tcp");
  EXPECT_EQ(listener.bind_address, "0.0.0.0");
  EXPECT_EQ(listener.port, 9000);
  EXPECT_EQ(listener.protocol, "TCP");
  EXPECT_EQ(listener.stat_prefix, "tcp-echo-gateway_9000");
  ASSERT_EQ(listener.candidate_routes.size(), 1u);

  const TcpRoute& route = table.routes.at(listener.candidate_routes[0]);
  EXPECT_EQ(route.name, "default/tcp-echo/tcp[0]");
  EXPECT_EQ(route.virtual_service, "default/tcp-echo");
  ASSERT_EQ(route.matches.size(), 1u);
  EXPECT_EQ(route.matches[0].port, 9000);
  EXPECT_TRUE(route.matches[0].gateways.empty());
  ASSERT_EQ(route.destinations.size(), 2u);
  EXPECT_EQ(route.destinations[0].weight, 80u);
  EXPECT_EQ(route.destinations[1].weight, 20u);
  EXPECT_EQ(route.total_weight, 100u);

  ASSERT_EQ(table.clusters.size(), 2u);
  const UpstreamCluster& v1 = table.clusters.at(route.destinations[0].cluster_index.value());
  const UpstreamCluster& v2 = table.clusters.at(route.destinations[1].cluster_index.value());
  EXPECT_EQ(v1.name, "outbound|9000|v1|tcp-echo-server.default.svc.cluster.local");
  EXPECT_EQ(v2.name, "outbound|9000|v2|tcp-echo-server.default.svc.cluster.local");
  EXPECT_EQ(v1.host, "tcp-echo-server.default.svc.cluster.local");
  EXPECT_EQ(v1.subset, "v1");
  EXPECT_EQ(v1.port, 9000);
  EXPECT_EQ(v1.resolution, EndpointResolution::kStatic);
  EXPECT_EQ(v1.connect_timeout, std::chrono::milliseconds(10'000));
  EXPECT_EQ(v1.idle_timeout, std::chrono::milliseconds(3'600'000));
  ASSERT_EQ(v1.endpoints.size(), 1u);
  ASSERT_EQ(v2.endpoints.size(), 1u);
  EXPECT_EQ(v1.endpoints[0].address, "127.0.0.1");
  EXPECT_EQ(v1.endpoints[0].port, 9001);
  EXPECT_EQ(v1.endpoints[0].weight, 1u);
  EXPECT_EQ(v1.endpoints[0].labels.at("version"), "v1");
  EXPECT_EQ(v2.endpoints[0].address, "127.0.0.1");
  EXPECT_EQ(v2.endpoints[0].port, 9002);
}

TEST(WalkThroughTest, LoadsTheExampleDirectory) {
  const LoadResult result = load({kExampleDir});
  expectWalkThroughTable(result);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.table->source_files,
            (std::vector<std::string>{kExampleDir + "/destination-rule.yaml",
                                      kExampleDir + "/endpoints.yaml",
                                      kExampleDir + "/gateway.yaml",
                                      kExampleDir + "/virtual-service.yaml"}));
}

TEST(WalkThroughTest, LoadsTheExampleFilesGivenOneByOne) {
  expectWalkThroughTable(load({kExampleDir + "/gateway.yaml", kExampleDir + "/virtual-service.yaml",
                               kExampleDir + "/destination-rule.yaml",
                               kExampleDir + "/endpoints.yaml"}));
}

TEST(WalkThroughTest, EndpointPositionsPointAtTheirAddresses) {
  const LoadResult result = load({kExampleDir});
  ASSERT_TRUE(result.ok());
  const UpstreamEndpoint& endpoint = result.table->clusters.at(0).endpoints.at(0);
  const std::string file = kExampleDir + "/endpoints.yaml";
  auto [line, column] = find(file, "address: 127.0.0.1");
  column += static_cast<int>(std::string("address: ").size());
  EXPECT_EQ(endpoint.position.file, file);
  EXPECT_EQ(endpoint.position.line, line);
  EXPECT_EQ(endpoint.position.column, column);
}

TEST(WalkThroughTest, RoutePositionPointsAtTheRule) {
  const LoadResult result = load({kExampleDir});
  ASSERT_TRUE(result.ok());
  const TcpRoute& route = result.table->routes.at(0);
  const std::string file = kExampleDir + "/virtual-service.yaml";
  const auto [line, column] = find(file, "match:");  // the first key of tcp[0]
  EXPECT_EQ(route.position.file, file);
  EXPECT_EQ(route.position.line, line);
  EXPECT_EQ(route.position.column, column);
}

}  // namespace
}  // namespace weir::config
