// /config_dump shows what the weir.dev/ annotations set in the route table.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "proxy/admin/admin_views.h"
#include "tests/support/json_value.h"

namespace weir::proxy {
namespace {

using test::JsonValue;

std::shared_ptr<const ConfigSnapshot> snapshotOf(config::RouteTable table) {
  return buildConfigSnapshot(std::make_shared<const config::RouteTable>(std::move(table)), 1,
                             nullptr);
}

TEST(AdminViewsTest, ConfigDumpShowsAnnotationSettings) {
  config::RouteTable table;
  config::Listener limited;
  limited.max_connections = 250;
  table.listeners = {limited, config::Listener{}};
  config::TcpRoute retried;
  retried.max_connect_attempts = 3;
  table.routes = {retried, config::TcpRoute{}};
  config::UpstreamCluster checked;
  checked.health_check = config::UpstreamCluster::HealthCheck{};
  checked.health_check->interval = std::chrono::milliseconds(2'000);
  checked.health_check->send = "PING\r\n";
  checked.health_check->expect = "PONG";
  table.clusters = {checked, config::UpstreamCluster{}};

  std::string error;
  const std::optional<JsonValue> dump =
      test::parseJson(configDumpJson(*snapshotOf(std::move(table)), LastReload{}), &error);
  ASSERT_TRUE(dump) << error;

  const JsonValue& listeners = *dump->find("listeners");
  ASSERT_EQ(listeners.items.size(), 2u);
  EXPECT_EQ(listeners.items[0].find("max_connections")->asUnsigned(), 250u);
  EXPECT_TRUE(listeners.items[1].find("max_connections")->isNull());

  const JsonValue& routes = *dump->find("routes");
  ASSERT_EQ(routes.items.size(), 2u);
  EXPECT_EQ(routes.items[0].find("max_connect_attempts")->asUnsigned(), 3u);
  EXPECT_TRUE(routes.items[1].find("max_connect_attempts")->isNull());

  const JsonValue& clusters = *dump->find("clusters");
  ASSERT_EQ(clusters.items.size(), 2u);
  const JsonValue& check = *clusters.items[0].find("health_check");
  EXPECT_EQ(check.find("interval_ms")->asUnsigned(), 2'000u);
  EXPECT_EQ(check.find("timeout_ms")->asUnsigned(), 1'000u);
  EXPECT_EQ(check.find("healthy_threshold")->asUnsigned(), 2u);
  EXPECT_EQ(check.find("unhealthy_threshold")->asUnsigned(), 3u);
  EXPECT_EQ(check.find("send")->string, "PING\r\n");
  EXPECT_EQ(check.find("expect")->string, "PONG");
  EXPECT_TRUE(clusters.items[1].find("health_check")->isNull());
}

// Both views name a cluster's resolution as Istio spells it.
TEST(AdminViewsTest, ResolutionsHaveTheirIstioNames) {
  using config::EndpointResolution;
  config::RouteTable table;
  for (EndpointResolution resolution :
       {EndpointResolution::kStatic, EndpointResolution::kDns, EndpointResolution::kDnsRoundRobin,
        EndpointResolution::kNone, EndpointResolution::kDynamicDns}) {
    config::UpstreamCluster cluster;
    cluster.resolution = resolution;
    table.clusters.push_back(cluster);
  }
  const auto snapshot = snapshotOf(std::move(table));
  const std::vector<std::string> expected = {"STATIC", "DNS", "DNS_ROUND_ROBIN", "NONE",
                                             "DYNAMIC_DNS"};
  std::string error;
  const std::optional<JsonValue> dump =
      test::parseJson(configDumpJson(*snapshot, LastReload{}), &error);
  ASSERT_TRUE(dump) << error;
  const std::optional<JsonValue> clusters =
      test::parseJson(clustersJson(*snapshot, {}, EndpointTotalsMap{}), &error);
  ASSERT_TRUE(clusters) << error;
  for (size_t c = 0; c < expected.size(); ++c) {
    EXPECT_EQ(dump->find("clusters")->items.at(c).find("resolution")->string, expected[c]);
    EXPECT_EQ(clusters->find("clusters")->items.at(c).find("resolution")->string, expected[c]);
  }
}

}  // namespace
}  // namespace weir::proxy
