// New connections split between subsets by weight (the walk-through's 80/20 and its
// variations), measured with tcp-echo-client through a real weir.
//
// Tolerances come from the binomial distribution: the number of connections that
// land on a subset of relative weight p among n is Binomial(n, p), sd = sqrt(n·p·(1−p)).
// Each count must lie in the two-sided 99.9% interval n·p ± z·sd. Weir also runs with
// a fixed --seed, so with --concurrency 1 a run is reproducible (no flakiness from one
// unlucky draw), yet a wrong weighting still lands far outside the interval.
#include <gtest/gtest.h>

#include <numeric>
#include <string>
#include <vector>

#include "tests/support/echo_client.h"
#include "tests/support/echo_server.h"
#include "tests/support/split_statistics.h"
#include "tests/support/temp_dir.h"
#include "tests/support/weir_process.h"

namespace weir::test {
namespace {

constexpr size_t kConnections = 10000;

struct Destination {
  std::string word;  // the echo server's prefix, first word of its answers
  int weight;
};

// Starts one echo server per destination (subset v1, v2, ... in order), weir with
// those weights, and `kConnections` connections of tcp-echo-client, 50 at a time.
// Checks: no error, every answer from a known server, and per destination a count in
// n·p ± binomialHalfWidth(n, p, z) (exactly 0 for weight 0, exactly n for p = 1).
void expectSplit(const std::vector<Destination>& destinations, unsigned concurrency, double z,
                 size_t connections = kConnections) {
  TempDir dir;
  std::vector<std::unique_ptr<EchoServer>> servers;
  std::vector<istio::WeightedSubset> routes;
  for (size_t i = 0; i < destinations.size(); ++i) {
    servers.push_back(std::make_unique<EchoServer>(dir, destinations[i].word));
    routes.push_back(istio::WeightedSubset{
        "v" + std::to_string(i + 1), destinations[i].weight, {servers.back()->port()}});
  }
  auto weir = startTrafficShift(dir, routes, {.concurrency = concurrency, .seed = 20240611});

  EchoClientRun run = runEchoClient(dir, weir->port(),
                                    {.connections = connections, .concurrency = 50});
  ASSERT_TRUE(run.tally.has_value()) << run.describe();
  EXPECT_EQ(run.tally->errors, 0u) << run.describe();
  EXPECT_TRUE(run.process.status.exitedWith(0)) << run.describe();
  EXPECT_EQ(run.tally->totalAnswers(), connections) << run.describe();

  const int total_weight = std::accumulate(
      destinations.begin(), destinations.end(), 0,
      [](int sum, const Destination& d) { return sum + d.weight; });
  size_t known = 0;
  for (const Destination& destination : destinations) {
    const size_t count = run.tally->count(destination.word);
    known += count;
    const double p = static_cast<double>(destination.weight) / total_weight;
    SCOPED_TRACE(destination.word + " weight " + std::to_string(destination.weight) + "/" +
                 std::to_string(total_weight));
    if (destination.weight == 0) {
      EXPECT_EQ(count, 0u) << run.describe();
    } else if (destination.weight == total_weight) {
      EXPECT_EQ(count, connections) << run.describe();
    } else {
      const double expected = connections * p;
      const size_t half_width = binomialHalfWidth(connections, p, z);
      EXPECT_NEAR(static_cast<double>(count), expected, static_cast<double>(half_width))
          << run.describe();
    }
  }
  EXPECT_EQ(known, run.tally->totalAnswers()) << "answers from unknown servers: "
                                              << run.describe();
  EXPECT_TRUE(weir->process().running()) << "weir died during the run";
}

// p = 0.8, n = 10000: sd = sqrt(10000·0.8·0.2) = 40; z = 3.29 (99.9%, two-sided)
// → 8000 ± 132 for v1 (and 2000 ± 132 for v2).
TEST(TrafficSplit, EightyTwentyWithOneWorker) {
  expectSplit({{"one", 80}, {"two", 20}}, 1, kZ999);
}

TEST(TrafficSplit, EightyTwentyWithTwoWorkers) {
  expectSplit({{"one", 80}, {"two", 20}}, 2, kZ999);
}

// p = 0.5, n = 10000: sd = 50; z = 3.29 → 5000 ± 165.
TEST(TrafficSplit, FiftyFifty) { expectSplit({{"one", 50}, {"two", 50}}, 1, kZ999); }

// Weight 0 gets nothing: not a single answer from v2, and no error.
TEST(TrafficSplit, HundredZeroSendsNothingToTheZeroWeight) {
  expectSplit({{"one", 100}, {"two", 0}}, 2, kZ999);
}

// Three comparisons share the 0.001 error rate (Bonferroni): each uses
// α = 0.001/3, two-sided z = 3.59. n = 10000:
//   p = 0.6: sd = 48.99 → 6000 ± 176
//   p = 0.3: sd = 45.83 → 3000 ± 165
//   p = 0.1: sd = 30    → 1000 ± 108
TEST(TrafficSplit, ThreeWaySixtyThirtyTen) {
  expectSplit({{"one", 60}, {"two", 30}, {"three", 10}}, 1, kZ999Bonferroni3);
}

// Weights are relative: 4/1 is the same split as 80/20 (p = 0.8, 8000 ± 132).
TEST(TrafficSplit, WeightsAreRelative) {
  expectSplit({{"one", 4}, {"two", 1}}, 1, kZ999);
}

}  // namespace
}  // namespace weir::test
