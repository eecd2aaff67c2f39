// buildConfigSnapshot: which socket addresses each cluster's endpoints become, by
// resolution (STATIC literals and Unix sockets, DNS's STRICT_DNS, DNS_ROUND_ROBIN's
// LOGICAL_DNS, NONE's empty cluster).
#include "proxy/cluster/config_snapshot.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace weir::proxy {
namespace {

using Resolution = config::EndpointResolution;
using Strings = std::vector<std::string>;

config::UpstreamEndpoint endpoint(std::string address, uint16_t port) {
  config::UpstreamEndpoint result;
  result.address = std::move(address);
  result.port = port;
  return result;
}

config::UpstreamCluster cluster(Resolution resolution,
                                std::vector<config::UpstreamEndpoint> endpoints) {
  config::UpstreamCluster result;
  result.name = "outbound|9000||db";
  result.resolution = resolution;
  result.endpoints = std::move(endpoints);
  return result;
}

// A fake name server: each name's answer, in its order.
struct FakeAnswers {
  std::map<std::string, Strings> answers;
  NameLookup lookup() const {
    return [this](const std::string& name) -> std::optional<std::vector<SocketAddress>> {
      const auto found = answers.find(name);
      if (found == answers.end()) return std::nullopt;
      std::vector<SocketAddress> addresses;
      for (const std::string& ip : found->second) {
        addresses.push_back(*SocketAddress::fromIpLiteral(ip, 0));
      }
      return addresses;
    };
  }
};

Strings displays(const ConfigSnapshot& snapshot, size_t c = 0) {
  Strings result;
  for (const ClusterEndpoint& resolved : snapshot.clusters.at(c).endpoints()) {
    result.push_back(resolved.display + (resolved.address ? "" : " (unresolved)"));
  }
  return result;
}

// The weights the endpoint picks read.
std::vector<uint32_t> weights(const ConfigSnapshot& snapshot, size_t c = 0) {
  const std::span<const uint32_t> weights = snapshot.clusters.at(c).weights();
  return {weights.begin(), weights.end()};
}

std::shared_ptr<const ConfigSnapshot> build(config::UpstreamCluster only,
                                           const FakeAnswers& answers = {}) {
  auto table = std::make_shared<config::RouteTable>();
  table->clusters.push_back(std::move(only));
  return buildConfigSnapshot(table, 1, answers.lookup());
}

TEST(ConfigSnapshotTest, UnixSocketEndpointsAreNamedByTheirPath) {
  auto snapshot = build(cluster(Resolution::kStatic, {endpoint("unix:///run/db.sock", 0),
                                                     endpoint("unix://@db", 0),
                                                     endpoint("127.0.0.1", 9001)}));
  EXPECT_EQ(displays(*snapshot), (Strings{"/run/db.sock", "@db", "127.0.0.1:9001"}));
  ASSERT_TRUE(snapshot->clusters[0].endpoint(0).address);
  EXPECT_TRUE(snapshot->clusters[0].endpoint(0).address->isUnix());
  EXPECT_EQ(snapshot->clusters[0].endpoint(1).address->toString(), "@db");
  EXPECT_EQ(weights(*snapshot), (std::vector<uint32_t>{1, 1, 1}));
}

TEST(ConfigSnapshotTest, ASocketPathTooLongForSunPathIsNeverPicked) {
  const std::string path = "/" + std::string(200, 'p');
  auto snapshot = build(cluster(Resolution::kStatic, {endpoint("unix://" + path, 0)}));
  EXPECT_EQ(displays(*snapshot), (Strings{path + " (unresolved)"}));
  EXPECT_EQ(weights(*snapshot), (std::vector<uint32_t>{0}));
}

TEST(ConfigSnapshotTest, DnsTakesEveryAddressInAStableOrder) {
  FakeAnswers answers{{{"db.test", {"127.0.0.3", "127.0.0.2"}}}};
  auto snapshot = build(cluster(Resolution::kDns, {endpoint("db.test", 7000)}), answers);
  EXPECT_EQ(displays(*snapshot), (Strings{"127.0.0.2:7000", "127.0.0.3:7000"}));
}

// Envoy's LOGICAL_DNS: one host, the first address of the latest answer.
TEST(ConfigSnapshotTest, DnsRoundRobinTakesOnlyTheFirstAddressOfTheAnswer) {
  FakeAnswers answers{{{"db.test", {"127.0.0.3", "127.0.0.2", "127.0.0.4"}}}};
  auto snapshot =
      build(cluster(Resolution::kDnsRoundRobin, {endpoint("db.test", 7000)}), answers);
  EXPECT_EQ(displays(*snapshot), (Strings{"127.0.0.3:7000"}));
  EXPECT_EQ(weights(*snapshot), (std::vector<uint32_t>{1}));

  answers.answers["db.test"] = {"127.0.0.2", "127.0.0.3"};  // the next answer
  snapshot = build(cluster(Resolution::kDnsRoundRobin, {endpoint("db.test", 7000)}), answers);
  EXPECT_EQ(displays(*snapshot), (Strings{"127.0.0.2:7000"}));
}

TEST(ConfigSnapshotTest, DnsRoundRobinBeforeAnyAnswerIsUnresolved) {
  auto snapshot = build(cluster(Resolution::kDnsRoundRobin, {endpoint("db.test", 7000)}));
  EXPECT_EQ(displays(*snapshot), (Strings{"db.test:7000 (unresolved)"}));
  EXPECT_EQ(weights(*snapshot), (std::vector<uint32_t>{0}));
}

TEST(ConfigSnapshotTest, NoneAndDynamicDnsClustersHaveNoEndpoints) {
  for (Resolution resolution : {Resolution::kNone, Resolution::kDynamicDns}) {
    auto snapshot = build(cluster(resolution, {}));
    EXPECT_TRUE(snapshot->clusters[0].endpoints().empty());
    EXPECT_TRUE(weights(*snapshot).empty());
  }
}

}  // namespace
}  // namespace weir::proxy
