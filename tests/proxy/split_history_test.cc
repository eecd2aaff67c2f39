// The live page's sample ring: per-interval connection counts per destination, the
// weights of each generation, reloads, and the bounds on what it keeps.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proxy/admin/split_history.h"
#include "tests/support/json_value.h"

namespace weir::proxy {
namespace {

using test::JsonValue;

config::UpstreamCluster clusterFor(const std::string& subset) {
  config::UpstreamCluster cluster;
  cluster.name = "outbound|9000|" + subset + "|echo.default.svc.cluster.local";
  cluster.host = "echo.default.svc.cluster.local";
  cluster.subset = subset;
  cluster.port = 9000;
  return cluster;
}

// One rule, "default/echo/tcp[0]", over v1 and v2 with these weights.
config::RouteTable tableWithWeights(uint32_t v1, uint32_t v2) {
  config::RouteTable table;
  table.clusters = {clusterFor("v1"), clusterFor("v2")};
  config::TcpRoute route;
  route.name = "default/echo/tcp[0]";
  route.destinations.resize(2);
  route.destinations[0].cluster_index = 0;
  route.destinations[0].weight = v1;
  route.destinations[1].cluster_index = 1;
  route.destinations[1].weight = v2;
  route.total_weight = v1 + v2;
  table.routes = {route};
  return table;
}

JsonValue parsed(const SplitHistory& history) {
  std::string error;
  std::optional<JsonValue> json = test::parseJson(history.json(), &error);
  EXPECT_TRUE(json.has_value()) << error << "\n" << history.json();
  return json.value_or(JsonValue{});
}

// "[null,3,4]" for an array of numbers and nulls.
std::string numbers(const JsonValue& array) {
  std::string text = "[";
  for (size_t i = 0; i < array.items.size(); ++i) {
    text += (i ? "," : "") + (array.items[i].isNull() ? std::string("null")
                                                      : array.items[i].number_text);
  }
  return text + "]";
}

TEST(SplitHistoryTest, LayoutNamesEachDestinationAndWhereItsCountIs) {
  config::RouteTable table = tableWithWeights(80, 20);
  config::WeightedDestination missing;
  missing.weight = 5;
  missing.missing = {"outbound|9000|v3|echo.default.svc.cluster.local",
                     "echo.default.svc.cluster.local", "v3", 9000};
  table.routes[0].destinations.push_back(missing);
  table.routes[0].total_weight = 105;
  const auto layout = splitLayoutOf(table, 7);
  EXPECT_EQ(layout->generation, 7u);
  ASSERT_EQ(layout->routes.size(), 1u);
  const SplitLayout::Route& route = layout->routes[0];
  EXPECT_EQ(route.total_weight, 105u);
  ASSERT_EQ(route.destinations.size(), 3u);
  EXPECT_EQ(route.destinations[0].label, "echo.default.svc.cluster.local / v1");
  EXPECT_EQ(route.destinations[0].count_index, 0u);
  EXPECT_EQ(route.destinations[1].count_index, 1u);
  EXPECT_EQ(route.destinations[2].cluster, "outbound|9000|v3|echo.default.svc.cluster.local");
  EXPECT_FALSE(route.destinations[2].count_index.has_value()) << "no such cluster";
  EXPECT_EQ(layout->cluster_index.at(table.clusters[1].name), 1u);
}

TEST(SplitHistoryTest, ConnectionsAreCountedPerIntervalWithTheWeightsOfTheirGeneration) {
  SplitHistory history;
  const auto before = splitLayoutOf(tableWithWeights(80, 20), 1);
  const auto after = splitLayoutOf(tableWithWeights(20, 80), 2);
  history.addSample(1000, before, {0, 0});
  history.addSample(2000, before, {8, 2});
  history.addSample(3000, before, {16, 4});
  history.addReload({.time_ms = 3000, .accepted = true, .generation = 2, .errors = {}});
  history.addSample(3000, after, {16, 4});
  history.addSample(4000, after, {18, 12});
  const JsonValue json = parsed(history);

  ASSERT_EQ(json.find("samples")->items.size(), 5u);
  EXPECT_EQ(json.find("samples")->items[3].find("generation")->asUnsigned(), 2u);
  EXPECT_EQ(json.find("samples")->items[4].find("time_ms")->asUnsigned(), 4000u);
  const JsonValue& routes = *json.find("routes");
  ASSERT_EQ(routes.items.size(), 1u);
  EXPECT_EQ(routes.items[0].find("name")->string, "default/echo/tcp[0]");
  EXPECT_EQ(numbers(*routes.items[0].find("total_weights")), "[100,100,100,100,100]");
  const JsonValue& destinations = *routes.items[0].find("destinations");
  ASSERT_EQ(destinations.items.size(), 2u);
  EXPECT_EQ(numbers(*destinations.items[0].find("weights")), "[80,80,80,20,20]");
  EXPECT_EQ(numbers(*destinations.items[1].find("weights")), "[20,20,20,80,80]");
  EXPECT_EQ(numbers(*destinations.items[0].find("connections")), "[null,8,8,0,2]");
  EXPECT_EQ(numbers(*destinations.items[1].find("connections")), "[null,2,2,0,8]");
  const JsonValue& reloads = *json.find("reloads");
  ASSERT_EQ(reloads.items.size(), 1u);
  EXPECT_EQ(reloads.items[0].find("result")->string, "accepted");
  EXPECT_EQ(reloads.items[0].find("generation")->asUnsigned(), 2u);
}

// POST /reset_counters sets the counters back to zero: the interval counts what came
// since, never a wrapped-around difference.
TEST(SplitHistoryTest, ACounterThatWentDownCountsFromZero) {
  SplitHistory history;
  const auto layout = splitLayoutOf(tableWithWeights(50, 50), 1);
  history.addSample(1000, layout, {100, 100});
  history.addSample(2000, layout, {3, 1});
  const JsonValue json = parsed(history);
  const JsonValue& destinations = *json.find("routes")->items[0].find("destinations");
  EXPECT_EQ(numbers(*destinations.items[0].find("connections")), "[null,3]");
  EXPECT_EQ(numbers(*destinations.items[1].find("connections")), "[null,1]");
}

// A destination that a reload adds has no count before it; one it removes has no
// weight after.
TEST(SplitHistoryTest, DestinationsComingAndGoingAreNullWhereAbsent) {
  config::RouteTable one = tableWithWeights(100, 0);
  one.routes[0].destinations.resize(1);
  one.routes[0].total_weight = 100;
  one.clusters.resize(1);
  const auto only_v1 = splitLayoutOf(one, 1);
  const auto both = splitLayoutOf(tableWithWeights(50, 50), 2);
  SplitHistory history;
  history.addSample(1000, only_v1, {5});
  history.addSample(2000, both, {9, 4});
  history.addSample(3000, both, {10, 7});
  history.addSample(4000, only_v1, {12});
  const JsonValue json = parsed(history);
  const JsonValue& destinations = *json.find("routes")->items[0].find("destinations");
  ASSERT_EQ(destinations.items.size(), 2u);
  EXPECT_EQ(numbers(*destinations.items[0].find("weights")), "[100,50,50,100]");
  EXPECT_EQ(numbers(*destinations.items[0].find("connections")), "[null,4,1,2]");
  EXPECT_EQ(numbers(*destinations.items[1].find("weights")), "[null,50,50,null]");
  EXPECT_EQ(numbers(*destinations.items[1].find("connections")), "[null,null,3,null]");
}

TEST(SplitHistoryTest, KeepsAtMostItsCapacityAndDropsReloadsOffTheChart) {
  SplitHistory history(3);
  const auto layout = splitLayoutOf(tableWithWeights(1, 1), 1);
  history.addReload({.time_ms = 500, .accepted = false, .generation = 1, .errors = {"bad"}});
  for (int64_t t = 1; t <= 10; ++t) {
    history.addSample(t * 1000, layout, {static_cast<uint64_t>(t), 0});
    EXPECT_LE(history.sampleCount(), 3u);
  }
  EXPECT_EQ(history.sampleCount(), 3u);
  EXPECT_EQ(history.reloadCount(), 0u) << "a reload older than every sample is off the chart";
  const JsonValue json = parsed(history);
  EXPECT_EQ(json.find("samples")->items[0].find("time_ms")->asUnsigned(), 8000u);
  EXPECT_EQ(numbers(*json.find("routes")->items[0].find("destinations")->items[0].find(
                "connections")),
            "[null,1,1]");
}

TEST(SplitHistoryTest, ReloadsAndTheirErrorsAreBounded) {
  SplitHistory history;
  std::vector<std::string> errors;
  for (size_t i = 0; i < 50; ++i) errors.push_back("error " + std::to_string(i));
  for (size_t i = 0; i < SplitHistory::kMaxReloads + 25; ++i) {
    history.addReload({.time_ms = static_cast<int64_t>(i), .accepted = false, .generation = 1,
                       .errors = errors});
  }
  EXPECT_EQ(history.reloadCount(), SplitHistory::kMaxReloads);
  const JsonValue json = parsed(history);
  const JsonValue& reloads = *json.find("reloads");
  ASSERT_EQ(reloads.items.size(), SplitHistory::kMaxReloads);
  EXPECT_EQ(reloads.items[0].find("time_ms")->asUnsigned(), 25u) << "the oldest went first";
  const JsonValue& kept = *reloads.items[0].find("errors");
  ASSERT_EQ(kept.items.size(), SplitHistory::kMaxReloadErrors);
  EXPECT_EQ(kept.items[0].string, "error 0");
  EXPECT_EQ(kept.items.back().string,
            "… and " + std::to_string(50 - SplitHistory::kMaxReloadErrors + 1) + " more");
}

TEST(SplitHistoryTest, EmptyHistoryIsValidJson) {
  SplitHistory history;
  const JsonValue json = parsed(history);
  EXPECT_TRUE(json.find("samples")->items.empty());
  EXPECT_TRUE(json.find("routes")->items.empty());
  EXPECT_TRUE(json.find("reloads")->items.empty());
}

}  // namespace
}  // namespace weir::proxy
