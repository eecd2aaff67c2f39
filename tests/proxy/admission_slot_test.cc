// AdmissionSlot: what a client connection counts against is taken in one place
// and given back exactly once, however the connection ends (refused before or
// after routing, failed, retried onto another cluster, finished), and every
// refusal counts in the overflow counter of the limit that refused it.
#include "proxy/upstream/admission_slot.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>

namespace weir::proxy {
namespace {

// The limits and counters of one listener, one worker and two clusters.
struct Limits {
  ConnectionLimit global;
  ConnectionLimit listener;
  ConnectionLimit cluster_a;
  ConnectionLimit cluster_b;
  ListenerStats listener_stats;
  ClusterStats a_stats;
  ClusterStats b_stats;
  uint64_t global_max = 10;
  uint64_t listener_max = 10;
  uint64_t cluster_max = 10;

  AdmissionSlot admitClient() {
    return AdmissionSlot::admitClient(
        {global, global_max, listener_stats.downstream_global_cx_overflow},
        {listener, listener_max, listener_stats.downstream_cx_overflow},
        listener_stats.downstream_cx_active);
  }
  AdmissionLimit a() { return {cluster_a, cluster_max, a_stats.upstream_cx_overflow}; }
  AdmissionLimit b() { return {cluster_b, cluster_max, b_stats.upstream_cx_overflow}; }

  // Every count back to zero (a double release would wrap to 2^64 - 1).
  void expectNothingHeld() const {
    EXPECT_EQ(global.open(), 0u);
    EXPECT_EQ(listener.open(), 0u);
    EXPECT_EQ(cluster_a.open(), 0u);
    EXPECT_EQ(cluster_b.open(), 0u);
    EXPECT_EQ(listener_stats.downstream_cx_active.value(), 0u);
  }
};

TEST(AdmissionSlotTest, AnAdmittedClientCountsOnceEverywhereUntilItFinishes) {
  Limits limits;
  {
    AdmissionSlot slot = limits.admitClient();
    ASSERT_TRUE(slot.admitted());
    ASSERT_TRUE(slot.admitToCluster(limits.a()));
    EXPECT_EQ(limits.global.open(), 1u);
    EXPECT_EQ(limits.listener.open(), 1u);
    EXPECT_EQ(limits.cluster_a.open(), 1u);
    EXPECT_EQ(limits.listener_stats.downstream_cx_active.value(), 1u);
  }  // finished
  limits.expectNothingHeld();
}

TEST(AdmissionSlotTest, AClientRefusedBeforeOrAfterRoutingGivesBackWhatItHeld) {
  Limits limits;
  { AdmissionSlot no_route = limits.admitClient(); }
  limits.expectNothingHeld();
  {
    // No healthy endpoint: refused after the listener admitted it.
    AdmissionSlot no_healthy = limits.admitClient();
    EXPECT_EQ(limits.global.open(), 1u);
  }
  limits.expectNothingHeld();
}

TEST(AdmissionSlotTest, OverTheGlobalLimitNothingIsHeldAndOnlyGlobalOverflowCounts) {
  Limits limits;
  limits.global_max = 1;
  AdmissionSlot first = limits.admitClient();
  AdmissionSlot second = limits.admitClient();
  EXPECT_TRUE(first.admitted());
  EXPECT_FALSE(second.admitted());
  EXPECT_EQ(limits.global.open(), 1u);
  EXPECT_EQ(limits.listener.open(), 1u);
  EXPECT_EQ(limits.listener_stats.downstream_cx_active.value(), 1u);
  EXPECT_EQ(limits.listener_stats.downstream_global_cx_overflow.value(), 1u);
  EXPECT_EQ(limits.listener_stats.downstream_cx_overflow.value(), 0u);
  first = AdmissionSlot();
  second = AdmissionSlot();
  limits.expectNothingHeld();
}

TEST(AdmissionSlotTest, OverTheListenerLimitTheGlobalCountIsGivenBack) {
  Limits limits;
  limits.listener_max = 1;
  AdmissionSlot first = limits.admitClient();
  AdmissionSlot second = limits.admitClient();
  EXPECT_FALSE(second.admitted());
  EXPECT_EQ(limits.global.open(), 1u);
  EXPECT_EQ(limits.listener.open(), 1u);
  EXPECT_EQ(limits.listener_stats.downstream_cx_active.value(), 1u);
  EXPECT_EQ(limits.listener_stats.downstream_cx_overflow.value(), 1u);
  EXPECT_EQ(limits.listener_stats.downstream_global_cx_overflow.value(), 0u);
  first = AdmissionSlot();
  limits.expectNothingHeld();
}

TEST(AdmissionSlotTest, AFullClusterCountsOverflowAndTheClientStillGivesBackTheRest) {
  Limits limits;
  limits.cluster_max = 1;
  AdmissionSlot first = limits.admitClient();
  ASSERT_TRUE(first.admitToCluster(limits.a()));
  {
    AdmissionSlot second = limits.admitClient();
    EXPECT_FALSE(second.admitToCluster(limits.a()));  // refused: upstream overflow
    EXPECT_EQ(limits.a_stats.upstream_cx_overflow.value(), 1u);
    EXPECT_EQ(limits.cluster_a.open(), 1u);
    EXPECT_EQ(limits.global.open(), 2u);
  }
  EXPECT_EQ(limits.global.open(), 1u);
  EXPECT_EQ(limits.listener_stats.downstream_cx_active.value(), 1u);
  first = AdmissionSlot();
  limits.expectNothingHeld();
}

TEST(AdmissionSlotTest, ARetryOntoAnotherClusterMovesTheClusterCount) {
  Limits limits;
  {
    AdmissionSlot slot = limits.admitClient();
    ASSERT_TRUE(slot.admitToCluster(limits.a()));
    ASSERT_TRUE(slot.admitToCluster(limits.b()));  // the connect failed; retried on b
    EXPECT_EQ(limits.cluster_a.open(), 0u);
    EXPECT_EQ(limits.cluster_b.open(), 1u);
    EXPECT_EQ(limits.global.open(), 1u);
    EXPECT_EQ(limits.listener_stats.downstream_cx_active.value(), 1u);
    ASSERT_TRUE(slot.admitToCluster(limits.a()));  // failed again; back to a
    EXPECT_EQ(limits.cluster_a.open(), 1u);
    EXPECT_EQ(limits.cluster_b.open(), 0u);
  }  // the last attempt finished
  limits.expectNothingHeld();
}

TEST(AdmissionSlotTest, ARetryInTheSameClusterKeepsItsPlaceEvenWhenTheClusterIsFull) {
  Limits limits;
  limits.cluster_max = 1;
  {
    AdmissionSlot slot = limits.admitClient();
    ASSERT_TRUE(slot.admitToCluster(limits.a()));
    EXPECT_TRUE(slot.admitToCluster(limits.a()));  // retried on another endpoint of a
    EXPECT_EQ(limits.cluster_a.open(), 1u);
    EXPECT_EQ(limits.a_stats.upstream_cx_overflow.value(), 0u);
  }
  limits.expectNothingHeld();
}

TEST(AdmissionSlotTest, ARetryOntoAFullClusterKeepsTheFirstUntilTheConnectionEnds) {
  Limits limits;
  limits.cluster_max = 1;
  AdmissionSlot other = limits.admitClient();
  ASSERT_TRUE(other.admitToCluster(limits.b()));  // b is full
  {
    AdmissionSlot slot = limits.admitClient();
    ASSERT_TRUE(slot.admitToCluster(limits.a()));
    EXPECT_FALSE(slot.admitToCluster(limits.b()));
    EXPECT_EQ(limits.b_stats.upstream_cx_overflow.value(), 1u);
    EXPECT_EQ(limits.cluster_a.open(), 1u);
    EXPECT_EQ(limits.cluster_b.open(), 1u);
  }  // the connection failed: no retry left
  EXPECT_EQ(limits.cluster_a.open(), 0u);
  EXPECT_EQ(limits.cluster_b.open(), 1u);
  other = AdmissionSlot();
  limits.expectNothingHeld();
}

TEST(AdmissionSlotTest, AMovedSlotIsGivenBackOnceByItsNewOwner) {
  Limits limits;
  AdmissionSlot accepted = limits.admitClient();
  ASSERT_TRUE(accepted.admitToCluster(limits.a()));
  AdmissionSlot connection(std::move(accepted));  // the client becomes a connection
  EXPECT_FALSE(accepted.admitted());              // NOLINT(bugprone-use-after-move)
  accepted = AdmissionSlot();                     // the moved-from slot holds nothing
  EXPECT_EQ(limits.global.open(), 1u);
  EXPECT_EQ(limits.cluster_a.open(), 1u);

  AdmissionSlot reused = limits.admitClient();  // a recycled connection's next client
  EXPECT_EQ(limits.global.open(), 2u);
  reused = std::move(connection);  // gives back what `reused` held, takes the other
  EXPECT_EQ(limits.global.open(), 1u);
  EXPECT_EQ(limits.listener_stats.downstream_cx_active.value(), 1u);
  EXPECT_EQ(limits.cluster_a.open(), 1u);
  reused = AdmissionSlot();
  limits.expectNothingHeld();
}

}  // namespace
}  // namespace weir::proxy
