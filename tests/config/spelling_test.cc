// Suggestions for misspelt names: near enough to be a typo, never another name.
#include "config/spelling.h"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace weir::config {
namespace {

const std::vector<std::string_view> kRouteFields = {"destination", "weight"};

TEST(SpellingTest, SuggestsTheNearestName) {
  EXPECT_EQ(nearestName("weigth", kRouteFields), "weight");      // swapped neighbours
  EXPECT_EQ(nearestName("wieght", kRouteFields), "weight");
  EXPECT_EQ(nearestName("destnation", kRouteFields), "destination");  // one left out
  EXPECT_EQ(nearestName("Weight", kRouteFields), "weight");      // case
  EXPECT_EQ(nearestName("virtualservice", {"Gateway", "VirtualService"}), "VirtualService");
}

TEST(SpellingTest, SaysNothingForAnotherNameOrAnExactOne) {
  EXPECT_EQ(nearestName("weight", kRouteFields), std::nullopt);
  EXPECT_EQ(nearestName("priority", kRouteFields), std::nullopt);
  // A long common suffix does not make two hosts the same name.
  EXPECT_EQ(nearestName("unknown.default.svc.cluster.local", {"svc.default.svc.cluster.local"}),
            std::nullopt);
  // Short names allow one edit: "tls" is not a typo of "tcp".
  EXPECT_EQ(nearestName("tls", {"tcp"}), std::nullopt);
  EXPECT_EQ(nearestName("x", {}), std::nullopt);
}

TEST(SpellingTest, TheFirstOfEquallyNearNamesWins) {
  EXPECT_EQ(nearestName("hostz", {"hosts", "hostx"}), "hosts");
  EXPECT_EQ(nearestName("hostz", {"hostx", "hosts"}), "hostx");
}

TEST(SpellingTest, FormatsTheHintAndLists) {
  EXPECT_EQ(didYouMean("weigth", kRouteFields), "; did you mean \"weight\"?");
  EXPECT_EQ(didYouMean("priority", kRouteFields), "");
  EXPECT_EQ(nameList({"v1", "v2"}), "v1, v2");
  EXPECT_EQ(nameList({}), "");
}

}  // namespace
}  // namespace weir::config
