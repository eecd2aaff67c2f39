#include "config/route_match.h"

#include <gtest/gtest.h>

namespace weir::config {
namespace {

L4Match matchOn(uint16_t port, std::vector<std::string> gateways) {
  L4Match match;
  match.port = port;
  match.gateways = std::move(gateways);
  return match;
}


TcpRoute routeNamed(std::string name, std::vector<L4Match> matches) {
  TcpRoute route;
  route.name = std::move(name);
  route.matches = std::move(matches);
  return route;
}

class FindRouteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    listener_.gateway = "default/gw";
    listener_.port = 9000;
  }
  const TcpRoute* find(uint16_t port, std::string_view gateway = "default/gw") {
    return findRoute(table_, listener_, ConnectionFacts{port, gateway});
  }

  RouteTable table_;
  Listener listener_;
};

TEST_F(FindRouteTest, NoCandidatesFindsNothing) {
  table_.routes.push_back(routeNamed("r0", {}));
  EXPECT_EQ(find(9000), nullptr);
}

TEST_F(FindRouteTest, RuleWithoutMatchesTakesEverything) {
  table_.routes.push_back(routeNamed("r0", {}));
  listener_.candidate_routes = {0};
  ASSERT_NE(find(9000), nullptr);
  EXPECT_EQ(find(9000)->name, "r0");
}

TEST_F(FindRouteTest, FirstAcceptingCandidateWins) {
  table_.routes.push_back(routeNamed("other-port", {matchOn(9100, {})}));
  table_.routes.push_back(routeNamed("this-port", {matchOn(9000, {})}));
  table_.routes.push_back(routeNamed("catch-all", {}));
  listener_.candidate_routes = {0, 1, 2};
  EXPECT_EQ(find(9000)->name, "this-port");
  EXPECT_EQ(find(9100)->name, "other-port");
  EXPECT_EQ(find(9200)->name, "catch-all");
}

TEST_F(FindRouteTest, FollowsCandidateOrderNotTableOrder) {
  table_.routes.push_back(routeNamed("a", {}));
  table_.routes.push_back(routeNamed("b", {}));
  listener_.candidate_routes = {1, 0};
  EXPECT_EQ(find(9000)->name, "b");
}

TEST_F(FindRouteTest, MatchBlocksAreOredAndFieldsAnded) {
  table_.routes.push_back(routeNamed(
      "r0", {matchOn(9000, {"default/other"}), matchOn(9001, {"default/gw"})}));
  listener_.candidate_routes = {0};
  EXPECT_EQ(find(9000), nullptr);          // port matches block 0, gateway does not
  EXPECT_NE(find(9001), nullptr);          // block 1
  EXPECT_NE(find(9000, "default/other"), nullptr);
  EXPECT_EQ(find(9001, "default/other"), nullptr);
}

TEST_F(FindRouteTest, AbsentFieldsMatchAnything) {
  table_.routes.push_back(routeNamed("r0", {matchOn(0, {"default/gw"})}));
  table_.routes.push_back(routeNamed("r1", {matchOn(0, {})}));
  listener_.candidate_routes = {0, 1};
  EXPECT_EQ(find(1234)->name, "r0");
  EXPECT_EQ(find(1234, "default/x")->name, "r1");
}

TEST_F(FindRouteTest, NothingAcceptsGivesNull) {
  table_.routes.push_back(routeNamed("r0", {matchOn(9100, {})}));
  listener_.candidate_routes = {0};
  EXPECT_EQ(find(9000), nullptr);
}

TEST_F(FindRouteTest, IgnoresIndicesOutsideTheTable) {
  table_.routes.push_back(routeNamed("r0", {}));
  listener_.candidate_routes = {7, 0};
  EXPECT_EQ(find(9000)->name, "r0");
}

}  // namespace
}  // namespace weir::config
