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

namespace weir::proxy {
namespace {

// Envoy's /clusters text: cluster::host:port::stat::value, per endpoint its counters,
// health flags and weight; an endpoint whose name has not resolved is left out.
TEST(AdminViewsTest, ClustersTextIsEnvoys) {
  config::RouteTable table;
  config::UpstreamCluster cluster;
  cluster.name = "outbound|9000|v1|echo.default.svc.cluster.local";
  cluster.max_connections = 250;
  config::UpstreamEndpoint endpoint;
  endpoint.address = "127.0.0.1";
  endpoint.port = 9001;
  endpoint.weight = 3;
  cluster.endpoints = {endpoint};
  table.clusters = {cluster};
  const auto snapshot = snapshotOf(std::move(table));
  EndpointTotalsMap totals;
  totals[{cluster.name, "127.0.0.1:9001"}] = EndpointTotals{42, 1, 2};
  const std::string text = clustersText(*snapshot, totals);
  const std::string prefix = cluster.name + "::127.0.0.1:9001::";
  for (const std::string& line :
       {cluster.name + "::default_priority::max_connections::250",
        cluster.name + "::added_via_api::false", prefix + "cx_total::42", prefix + "cx_active::1",
        prefix + "cx_connect_fail::2", prefix + "health_flags::healthy", prefix + "weight::3",
        prefix + "hostname::", prefix + "priority::0"}) {
    EXPECT_NE(text.find(line + "\n"), std::string::npos) << line << " missing from\n" << text;
  }
}

TEST(AdminViewsTest, ListenersAreEnvoysOnePerSocket) {
  config::RouteTable table;
  config::Listener tls_a;
  tls_a.bind_address = "0.0.0.0";
  tls_a.port = 8443;
  tls_a.configured_port = 443;
  config::Listener tls_b = tls_a;  // a second TLS server merged onto the same socket
  config::Listener v6;
  v6.bind_address = "::1";
  v6.port = 9000;
  v6.configured_port = 9000;
  config::Listener unix_socket;
  unix_socket.bind_address = "unix:///run/weir.sock";
  table.listeners = {tls_a, tls_b, v6, unix_socket};
  EXPECT_EQ(listenersText(table),
            "0.0.0.0_443::0.0.0.0:8443\n::1_9000::[::1]:9000\n"
            "unix:///run/weir.sock::/run/weir.sock\n");
  std::string error;
  const std::optional<JsonValue> json = test::parseJson(listenersJson(table), &error);
  ASSERT_TRUE(json) << error;
  const JsonValue& statuses = *json->find("listener_statuses");
  ASSERT_EQ(statuses.items.size(), 3u);
  EXPECT_EQ(statuses.items[0].find("name")->string, "0.0.0.0_443");
  const JsonValue& socket = *statuses.items[0].find("local_address")->find("socket_address");
  EXPECT_EQ(socket.find("address")->string, "0.0.0.0");
  EXPECT_EQ(socket.find("port_value")->asUnsigned(), 8443u);
  EXPECT_EQ(statuses.items[2].find("local_address")->find("pipe")->find("path")->string,
            "/run/weir.sock");
}

}  // namespace
}  // namespace weir::proxy
