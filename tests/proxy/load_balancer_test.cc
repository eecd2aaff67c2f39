// pickEndpoint: each loadBalancer policy over a cluster's endpoint weights,
// health masking (ejections, failed active checks), the panic threshold
// (minHealthPercent), exclusion of endpoints that failed a retrying client, and
// the consistent-hash table's fallbacks. Randomness is scripted; health is set
// through ClusterHealth's own control-thread calls, with no clock or thread.
#include "proxy/upstream/load_balancer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace weir::proxy {
namespace {

using Policy = config::UpstreamCluster::LoadBalancer;

// Hands out the values it was given, in order, and counts the draws; 0 once
// they run out (a test that cares scripts enough of them).
class ScriptedRandom final : public RandomSource {
 public:
  explicit ScriptedRandom(std::deque<uint64_t> values = {}) : values_(std::move(values)) {}
  uint64_t next() override {
    ++draws_;
    if (values_.empty()) return 0;
    const uint64_t value = values_.front();
    values_.pop_front();
    return value;
  }
  int draws() const { return draws_; }

 private:
  std::deque<uint64_t> values_;
  int draws_ = 0;
};

// One endpoint of the test cluster: 127.0.0.<n>:9000 with `weight`; a host name
// that does not resolve when `resolved` is false.
struct EndpointSpec {
  uint32_t weight = 1;
  bool resolved = true;
};

// A cluster with one endpoint per spec, built as a snapshot builds it, plus one
// worker's statistics for its endpoints.
class TestCluster {
 public:
  TestCluster(Policy policy, std::vector<EndpointSpec> specs,
              std::optional<int32_t> min_health_percent = std::nullopt) {
    config_.name = "outbound|9000||backend.test.svc.cluster.local";
    config_.load_balancer = policy;
    if (min_health_percent) {
      config_.outlier_detection = config::UpstreamCluster::OutlierDetection{};
      config_.outlier_detection->min_health_percent = *min_health_percent;
    }
    for (size_t e = 0; e < specs.size(); ++e) {
      config::UpstreamEndpoint endpoint;
      endpoint.address = specs[e].resolved ? "127.0.0." + std::to_string(e + 1)
                                           : "unresolved-" + std::to_string(e) + ".test";
      endpoint.port = 9000;
      endpoint.weight = specs[e].weight;
      config_.endpoints.push_back(endpoint);
    }
    cluster_ = std::make_unique<Cluster>(config_, 0, nullptr, health_, limits_);
    for (size_t e = 0; e < cluster_->endpoints().size(); ++e) {
      stats_.push_back(std::make_unique<EndpointStats>());
      stats_pointers_.push_back(stats_.back().get());
    }
  }

  std::optional<size_t> pick(RandomSource& random, const sockaddr* client = nullptr,
                             std::vector<size_t> excluded = {}) {
    return pickEndpoint(*cluster_, stats_pointers_, state_, client, excluded, random);
  }
  // Picks `count` times (no client, nothing excluded) and counts each endpoint.
  std::map<size_t, int> pickMany(int count, RandomSource& random) {
    std::map<size_t, int> counts;
    for (int i = 0; i < count; ++i) {
      const std::optional<size_t> picked = pick(random);
      if (picked) ++counts[*picked];
    }
    return counts;
  }

  // Out of rotation: failing its active checks, as the health checker marks it.
  void failActiveCheck(size_t e) {
    cluster_->health().setFailedActiveCheck(*cluster_->endpoint(e).health, true);
  }
  // Out of rotation: ejected by outlier detection after `consecutive_errors` failures.
  void eject(size_t e) {
    const uint32_t errors = config_.outlier_detection->consecutive_errors;
    for (uint32_t i = 0; i < errors; ++i) {
      cluster_->health().onConnectFailure(*cluster_->endpoint(e).health, HealthClock::now());
    }
    ASSERT_TRUE(cluster_->endpoint(e).health->ejected());
  }
  void setActive(size_t e, uint64_t connections) { stats_[e]->cx_active.add(connections); }
  const Cluster& cluster() const { return *cluster_; }

 private:
  config::UpstreamCluster config_;
  HealthRegistry health_;
  ConnectionLimits limits_;
  std::unique_ptr<Cluster> cluster_;
  std::vector<std::unique_ptr<EndpointStats>> stats_;
  std::vector<EndpointStats*> stats_pointers_;
  LoadBalancerState state_;
};

sockaddr_in ipv4Client(const char* ip, uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  inet_pton(AF_INET, ip, &address.sin_addr);
  return address;
}

const sockaddr* asSockaddr(const sockaddr_in& address) {
  return reinterpret_cast<const sockaddr*>(&address);
}

TEST(LoadBalancerTest, RoundRobinFollowsWeightsSmoothlyWithoutRandomness) {
  TestCluster cluster(Policy::kRoundRobin, {{3}, {1}});
  ScriptedRandom random;
  std::vector<size_t> picks;
  for (int i = 0; i < 8; ++i) picks.push_back(*cluster.pick(random));
  EXPECT_EQ(picks, (std::vector<size_t>{0, 0, 1, 0, 0, 0, 1, 0}));
  EXPECT_EQ(random.draws(), 0);
}

TEST(LoadBalancerTest, RandomDrawsOnceInProportionToWeight) {
  TestCluster cluster(Policy::kRandom, {{3}, {0}, {1}});
  // Intervals of value % 4: [0, 3) -> 0, [3, 4) -> 2; weight 0 owns none.
  ScriptedRandom random({0, 2, 3, 4, 7});
  std::vector<size_t> picks;
  for (int i = 0; i < 5; ++i) picks.push_back(*cluster.pick(random));
  EXPECT_EQ(picks, (std::vector<size_t>{0, 0, 2, 0, 2}));
  EXPECT_EQ(random.draws(), 5);
}

TEST(LoadBalancerTest, LeastRequestTakesTheLessLoadedOfTwoDraws) {
  TestCluster cluster(Policy::kLeastRequest, {{1}, {1}, {1}});
  cluster.setActive(0, 4);
  cluster.setActive(2, 1);
  ScriptedRandom random({0, 2, 2, 1, 0, 0});
  EXPECT_EQ(cluster.pick(random), 2u);  // draws 0 and 2: 2 has fewer open
  EXPECT_EQ(cluster.pick(random), 1u);  // draws 2 and 1: 1 has none
  EXPECT_EQ(cluster.pick(random), 0u);  // the same endpoint twice
  EXPECT_EQ(random.draws(), 6);
}

TEST(LoadBalancerTest, LeastRequestWeighsOpenConnectionsByWeight) {
  // 4 open on weight 4 is lighter than 2 open on weight 1.
  TestCluster cluster(Policy::kLeastRequest, {{4}, {1}});
  cluster.setActive(0, 4);
  cluster.setActive(1, 2);
  ScriptedRandom random({4, 0});  // draw 1 (value 4 % 5), then 0
  EXPECT_EQ(cluster.pick(random), 0u);
}

TEST(LoadBalancerTest, ConsistentHashKeepsAClientOnOneEndpointWithoutRandomness) {
  TestCluster cluster(Policy::kConsistentHashSourceIp, {{1}, {1}, {1}});
  ScriptedRandom random;
  std::map<size_t, int> seen;
  for (int client = 1; client <= 50; ++client) {
    const std::string ip = "10.0.0." + std::to_string(client);
    const sockaddr_in first = ipv4Client(ip.c_str(), 40000);
    const sockaddr_in again = ipv4Client(ip.c_str(), 50000);  // another port: same IP
    const std::optional<size_t> picked = cluster.pick(random, asSockaddr(first));
    ASSERT_TRUE(picked);
    EXPECT_EQ(cluster.pick(random, asSockaddr(again)), picked);
    ++seen[*picked];
  }
  EXPECT_EQ(seen.size(), 3u);  // 50 clients spread over every endpoint
  EXPECT_EQ(random.draws(), 0);
}

TEST(LoadBalancerTest, ConsistentHashWithoutAClientIpPicksAtRandom) {
  TestCluster cluster(Policy::kConsistentHashSourceIp, {{1}, {3}});
  ScriptedRandom random({0, 1, 3});
  EXPECT_EQ(cluster.pick(random), 0u);  // no client (a retry)
  sockaddr_un unix_client{};
  unix_client.sun_family = AF_UNIX;
  EXPECT_EQ(cluster.pick(random, reinterpret_cast<const sockaddr*>(&unix_client)), 1u);
  EXPECT_EQ(cluster.pick(random), 1u);
  EXPECT_EQ(random.draws(), 3);
}

TEST(LoadBalancerTest, ConsistentHashMovesOnlyTheClientsOfAnEndpointOutOfRotation) {
  TestCluster cluster(Policy::kConsistentHashSourceIp, {{1}, {1}, {1}},
                      /*min_health_percent=*/0);
  ScriptedRandom random;
  std::vector<sockaddr_in> clients;
  std::vector<size_t> before;
  for (int client = 1; client <= 60; ++client) {
    clients.push_back(ipv4Client(("10.1.0." + std::to_string(client)).c_str(), 1000));
    before.push_back(*cluster.pick(random, asSockaddr(clients.back())));
  }
  cluster.failActiveCheck(1);
  for (size_t i = 0; i < clients.size(); ++i) {
    const std::optional<size_t> after = cluster.pick(random, asSockaddr(clients[i]));
    ASSERT_TRUE(after);
    EXPECT_NE(*after, 1u);
    if (before[i] != 1) {
      EXPECT_EQ(*after, before[i]) << "client " << i;
    }
    // The fallback is stable: the same client gets it again.
    EXPECT_EQ(cluster.pick(random, asSockaddr(clients[i])), after);
  }
  EXPECT_EQ(random.draws(), 0);
}

TEST(LoadBalancerTest, UnresolvedEndpointsAreNeverPicked) {
  for (Policy policy : {Policy::kRoundRobin, Policy::kRandom, Policy::kLeastRequest,
                        Policy::kConsistentHashSourceIp}) {
    TestCluster cluster(policy, {{5, false}, {1}, {5, false}});
    ScriptedRandom random({0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    const std::map<size_t, int> counts = cluster.pickMany(5, random);
    EXPECT_EQ(counts, (std::map<size_t, int>{{1, 5}})) << static_cast<int>(policy);
  }
}

TEST(LoadBalancerTest, NoEndpointWithAnAddressIsNoPick) {
  TestCluster cluster(Policy::kRoundRobin, {{1, false}});
  ScriptedRandom random;
  EXPECT_FALSE(cluster.pick(random).has_value());
  TestCluster empty(Policy::kRandom, {});
  EXPECT_FALSE(empty.pick(random).has_value());
}

TEST(LoadBalancerTest, EndpointsFailingActiveChecksAreLeftOutByEveryPolicy) {
  for (Policy policy : {Policy::kRoundRobin, Policy::kRandom, Policy::kLeastRequest}) {
    TestCluster cluster(policy, {{1}, {1}, {1}});
    cluster.failActiveCheck(0);
    ScriptedRandom random({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
    std::map<size_t, int> counts = cluster.pickMany(8, random);
    EXPECT_FALSE(counts.contains(0)) << static_cast<int>(policy);
    EXPECT_EQ(counts[1] + counts[2], 8) << static_cast<int>(policy);
  }
}

TEST(LoadBalancerTest, EjectedEndpointsAreLeftOutAndWeightsKeptForTheRest) {
  TestCluster cluster(Policy::kRoundRobin, {{1}, {2}, {1}}, /*min_health_percent=*/0);
  cluster.eject(0);
  ScriptedRandom random;
  // Weights 2 and 1 for the rest: exactly 2:1 over each cycle of 3.
  EXPECT_EQ(cluster.pickMany(30, random), (std::map<size_t, int>{{1, 20}, {2, 10}}));
}

TEST(LoadBalancerTest, NoEndpointInRotationIsNoPickWithoutAPanicThreshold) {
  TestCluster cluster(Policy::kRandom, {{1}, {1}}, /*min_health_percent=*/0);
  cluster.eject(0);
  cluster.failActiveCheck(1);
  ScriptedRandom random;
  EXPECT_FALSE(cluster.pick(random).has_value());
}

TEST(LoadBalancerTest, BelowMinHealthPercentEveryEndpointWithAnAddressIsUsed) {
  // Three endpoints with an address and one unresolved; 50% must be in rotation.
  TestCluster cluster(Policy::kRoundRobin, {{1}, {1}, {1}, {1, false}},
                      /*min_health_percent=*/50);
  ScriptedRandom random;
  cluster.failActiveCheck(0);  // 2 of 3 in rotation: 67%, health holds
  EXPECT_EQ(cluster.pickMany(6, random), (std::map<size_t, int>{{1, 3}, {2, 3}}));
  cluster.failActiveCheck(1);  // 1 of 3: 33%, panic: all three, never the unresolved
  EXPECT_EQ(cluster.pickMany(6, random), (std::map<size_t, int>{{0, 2}, {1, 2}, {2, 2}}));
}

TEST(LoadBalancerTest, PanicWithNoEndpointInRotationStillPicks) {
  TestCluster cluster(Policy::kRandom, {{1}, {1}}, /*min_health_percent=*/1);
  cluster.eject(0);
  cluster.failActiveCheck(1);
  ScriptedRandom random({0, 1});
  EXPECT_EQ(cluster.pick(random), 0u);
  EXPECT_EQ(cluster.pick(random), 1u);
}

TEST(LoadBalancerTest, ExcludedEndpointsAreNeverPickedByAnyPolicy) {
  for (Policy policy : {Policy::kRoundRobin, Policy::kRandom, Policy::kLeastRequest,
                        Policy::kConsistentHashSourceIp}) {
    TestCluster cluster(policy, {{1}, {1}, {1}});
    ScriptedRandom random({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
    const sockaddr_in client = ipv4Client("10.2.0.1", 1000);
    for (int i = 0; i < 6; ++i) {
      const std::optional<size_t> picked = cluster.pick(random, asSockaddr(client), {0, 2});
      EXPECT_EQ(picked, 1u) << static_cast<int>(policy);
    }
    EXPECT_FALSE(cluster.pick(random, asSockaddr(client), {0, 1, 2}).has_value())
        << static_cast<int>(policy);
  }
}

TEST(LoadBalancerTest, ExclusionHoldsInPanicMode) {
  TestCluster cluster(Policy::kRoundRobin, {{1}, {1}, {1}}, /*min_health_percent=*/100);
  cluster.failActiveCheck(0);  // 67% < 100%: panic, every endpoint in rotation
  ScriptedRandom random;
  for (int i = 0; i < 4; ++i) EXPECT_EQ(cluster.pick(random, nullptr, {1, 2}), 0u);
}

TEST(LoadBalancerTest, ExclusionAndHealthTogetherLeaveNothing) {
  TestCluster cluster(Policy::kRoundRobin, {{1}, {1}}, /*min_health_percent=*/0);
  cluster.failActiveCheck(0);
  ScriptedRandom random;
  EXPECT_FALSE(cluster.pick(random, nullptr, {1}).has_value());
  EXPECT_EQ(cluster.pick(random, nullptr, {}), 1u);
}

}  // namespace
}  // namespace weir::proxy
