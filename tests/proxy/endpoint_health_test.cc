// Outlier ejection and active-check state (proxy/cluster/endpoint_health.h), driven with a
// fake clock: Envoy's consecutive-failure ejection, growing ejection time,
// maxEjectionPercent, sweeps, and how active checks and reloads interact with it.
#include "proxy/cluster/endpoint_health.h"

#include <gtest/gtest.h>

#include <thread>

#include "proxy/cluster/maglev_table.h"

namespace weir::proxy {
namespace {

using std::chrono::milliseconds;

config::UpstreamCluster clusterWithOutlierDetection(uint32_t consecutive_errors,
                                                    uint32_t max_ejection_percent = 100) {
  config::UpstreamCluster cluster;
  cluster.name = "outbound|9000|v1|svc";
  cluster.outlier_detection = config::UpstreamCluster::OutlierDetection{
      .consecutive_errors = consecutive_errors,
      .interval = milliseconds(100),
      .base_ejection_time = milliseconds(1000),
      .max_ejection_percent = max_ejection_percent,
      .min_health_percent = 0};
  return cluster;
}

const std::vector<std::string> kTwo = {"127.0.0.1:1", "127.0.0.1:2"};
const HealthClock::time_point kStart = HealthClock::now();

void fail(ClusterHealth& cluster, EndpointHealth& endpoint, int times,
          HealthClock::time_point at = kStart) {
  for (int i = 0; i < times; ++i) cluster.onConnectFailure(endpoint, at);
}

TEST(OutlierDetection, EjectsAfterConsecutiveFailuresOnly) {
  ClusterHealth cluster("c");
  auto endpoints = cluster.configure(clusterWithOutlierDetection(3), kTwo);
  fail(cluster, *endpoints[0], 2);
  cluster.onConnectSuccess(*endpoints[0]);  // breaks the run
  fail(cluster, *endpoints[0], 2);
  EXPECT_TRUE(endpoints[0]->usable());
  EXPECT_EQ(cluster.unusableCount(), 0u);
  fail(cluster, *endpoints[0], 1);
  EXPECT_TRUE(endpoints[0]->ejected());
  EXPECT_EQ(cluster.unusableCount(), 1u);
  EXPECT_EQ(cluster.counts().ejections_active, 1u);
  EXPECT_EQ(cluster.counts().ejections_enforced_total, 1u);
  EXPECT_TRUE(endpoints[1]->usable());
}

TEST(OutlierDetection, NoOutlierDetectionNeverEjects) {
  ClusterHealth cluster("c");
  config::UpstreamCluster plain;
  auto endpoints = cluster.configure(plain, kTwo);
  fail(cluster, *endpoints[0], 100);
  EXPECT_TRUE(endpoints[0]->usable());
  EXPECT_EQ(cluster.counts().ejections_enforced_total, 0u);
}

TEST(OutlierDetection, EjectionTimeGrowsWithEachEjectionAndSweepsReturnIt) {
  ClusterHealth cluster("c");
  auto endpoints = cluster.configure(clusterWithOutlierDetection(1), kTwo);
  EndpointHealth& endpoint = *endpoints[0];
  fail(cluster, endpoint, 1, kStart);
  cluster.sweep(kStart + milliseconds(900));
  EXPECT_TRUE(endpoint.ejected()) << "base ejection time is 1 s";
  cluster.sweep(kStart + milliseconds(1000));
  EXPECT_FALSE(endpoint.ejected());
  EXPECT_EQ(cluster.unusableCount(), 0u);

  // Second ejection right away: 2 × base.
  const auto again = kStart + milliseconds(1050);
  fail(cluster, endpoint, 1, again);
  cluster.sweep(again + milliseconds(1900));
  EXPECT_TRUE(endpoint.ejected()) << "the second ejection lasts 2 s";
  cluster.sweep(again + milliseconds(2000));
  EXPECT_FALSE(endpoint.ejected());
  EXPECT_EQ(cluster.counts().ejections_enforced_total, 2u);
}

TEST(OutlierDetection, TimeInRotationLowersTheMultiplier) {
  ClusterHealth cluster("c");
  auto endpoints = cluster.configure(clusterWithOutlierDetection(1), kTwo);
  EndpointHealth& endpoint = *endpoints[0];
  fail(cluster, endpoint, 1, kStart);
  cluster.sweep(kStart + milliseconds(1000));  // back (multiplier 1)
  cluster.sweep(kStart + milliseconds(1100));  // a sweep in rotation: multiplier 0
  const auto again = kStart + milliseconds(1200);
  fail(cluster, endpoint, 1, again);
  cluster.sweep(again + milliseconds(1000));
  EXPECT_FALSE(endpoint.ejected()) << "multiplier back to 1: ejected for 1 s, not 2";
}

TEST(OutlierDetection, SweepsRunOncePerInterval) {
  ClusterHealth cluster("c");
  auto endpoints = cluster.configure(clusterWithOutlierDetection(1), kTwo);
  const auto first_sweep = cluster.nextSweep();
  EXPECT_NE(first_sweep, HealthClock::time_point::max());
  cluster.sweep(first_sweep);
  EXPECT_GE(cluster.nextSweep() - first_sweep, milliseconds(100));
}

TEST(OutlierDetection, MaxEjectionPercentLimitsEjectionsButAllowsOne) {
  ClusterHealth cluster("c");
  const std::vector<std::string> four = {"a:1", "a:2", "a:3", "a:4"};
  auto endpoints = cluster.configure(clusterWithOutlierDetection(1, 50), four);
  for (EndpointHealth* endpoint : endpoints) fail(cluster, *endpoint, 1);
  EXPECT_EQ(cluster.counts().ejections_active, 2u) << "50% of 4";
  EXPECT_EQ(cluster.counts().ejections_overflow, 2u);

  ClusterHealth strict("d");
  auto two = strict.configure(clusterWithOutlierDetection(1, 10), kTwo);
  fail(strict, *two[0], 1);
  fail(strict, *two[1], 1);
  EXPECT_EQ(strict.counts().ejections_active, 1u) << "one ejection is always allowed";
  EXPECT_EQ(strict.counts().ejections_overflow, 1u);
}

TEST(OutlierDetection, AReloadKeepsStateOfKeptEndpointsAndFreesRemovedOnes) {
  ClusterHealth cluster("c");
  auto endpoints = cluster.configure(clusterWithOutlierDetection(1), kTwo);
  fail(cluster, *endpoints[0], 1);
  fail(cluster, *endpoints[1], 1);
  auto kept = cluster.configure(clusterWithOutlierDetection(1), {"127.0.0.1:1"});
  EXPECT_EQ(kept[0], endpoints[0]) << "same object: workers' pointers stay valid";
  EXPECT_TRUE(kept[0]->ejected());
  EXPECT_FALSE(endpoints[1]->ejected());
  EXPECT_EQ(cluster.unusableCount(), 1u);
  EXPECT_EQ(cluster.counts().ejections_active, 1u);

  cluster.configure(config::UpstreamCluster{}, {"127.0.0.1:1"});  // detection removed
  EXPECT_FALSE(kept[0]->ejected());
  EXPECT_EQ(cluster.unusableCount(), 0u);
}

TEST(OutlierDetection, FailuresSpreadOverThreadsCountOnce) {
  ClusterHealth cluster("c");
  auto endpoints = cluster.configure(clusterWithOutlierDetection(1000), kTwo);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] { fail(cluster, *endpoints[0], 250); });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_TRUE(endpoints[0]->ejected()) << "4 × 250 failures reach the threshold of 1000";
  EXPECT_EQ(cluster.counts().ejections_enforced_total, 1u);
}

TEST(ActiveHealth, FailedCheckAndEjectionCountOnceAndAPassReturnsAnEjectedEndpoint) {
  ClusterHealth cluster("c");
  config::UpstreamCluster checked = clusterWithOutlierDetection(1);
  checked.health_check = config::UpstreamCluster::HealthCheck{};
  auto endpoints = cluster.configure(checked, kTwo);
  cluster.setFailedActiveCheck(*endpoints[0], true);
  fail(cluster, *endpoints[0], 1);
  EXPECT_EQ(cluster.unusableCount(), 1u);
  cluster.recordHealthCheck(*endpoints[0], true);  // unejects...
  EXPECT_FALSE(endpoints[0]->ejected());
  EXPECT_FALSE(endpoints[0]->usable()) << "...but the check's verdict still holds";
  cluster.setFailedActiveCheck(*endpoints[0], false);
  EXPECT_TRUE(endpoints[0]->usable());
  EXPECT_EQ(cluster.unusableCount(), 0u);
  const ClusterHealthCounts counts = cluster.counts();
  EXPECT_EQ(counts.health_check_attempt, 1u);
  EXPECT_EQ(counts.health_check_success, 1u);
  EXPECT_EQ(counts.health_check_healthy, 2u);
}

TEST(MaglevFallback, AnEndpointOutOfRotationFallsToAStableOther) {
  const std::vector<std::string> keys = {"a", "b", "c"};
  const std::vector<uint32_t> weights = {1, 1, 1};
  MaglevTable table(keys, weights);
  const std::vector<uint32_t> without_b = {1, 0, 1};
  size_t moved = 0;
  for (uint64_t hash = 0; hash < 3000; ++hash) {
    const size_t usual = table.lookup(hash);
    const std::optional<size_t> fallback = table.lookup(hash, without_b);
    ASSERT_TRUE(fallback.has_value());
    EXPECT_NE(*fallback, 1u);
    if (usual != 1) {
      EXPECT_EQ(*fallback, usual) << "clients of usable endpoints do not move";
    } else {
      ++moved;
      EXPECT_EQ(table.lookup(hash, without_b), fallback) << "stable";
    }
  }
  EXPECT_GT(moved, 0u);
  EXPECT_FALSE(table.lookup(7, std::vector<uint32_t>{0, 0, 0}).has_value());
}

}  // namespace
}  // namespace weir::proxy
