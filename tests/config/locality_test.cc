// Istio's validateLocalities (pkg/config/validation/agent), its table
// TestValidateLocalities and the empty-part rule.
#include "config/locality.h"

#include <gtest/gtest.h>

namespace weir::config {
namespace {

using Localities = std::vector<std::string>;

TEST(LocalityTest, AWildcardIsOneAndLast) {
  EXPECT_EQ(localitiesError({"*/zone/*"}),
            "locality */zone/* wildcard '*' number can not exceed 1 and must be in the end");
  EXPECT_EQ(localitiesError({"*/zone"}),
            "locality */zone wildcard '*' number can not exceed 1 and must be in the end");
}

TEST(LocalityTest, AnEarlierLocalityMayNotCoverALaterOne) {
  const std::string overlap = "locality a/b/c overlap with previous specified ones";
  for (const Localities& localities :
       {Localities{"*", "a/b/c"}, Localities{"a", "a/b/c"}, Localities{"a/*", "a/b/c"},
        Localities{"a/b", "a/b/c"}, Localities{"a/b/*", "a/b/c"}, Localities{"a/b/c", "a/b/c"}}) {
    EXPECT_EQ(localitiesError(localities), overlap) << localities.front();
  }
  // Coverage is checked in order: a zone first, then its region, is not an overlap.
  EXPECT_EQ(localitiesError({"a/b", "a"}), "locality a overlap with previous specified ones");
  EXPECT_EQ(localitiesError({"a/b/c", "a/b"}), "locality a/b overlap with previous specified ones");
}

TEST(LocalityTest, DistinctLocalitiesAreValid) {
  EXPECT_EQ(localitiesError({"a1/*", "a2/*", "a3/b3/c3", "a4/b4", "a5/b5/*"}), std::nullopt);
  EXPECT_EQ(localitiesError({"a/b/c", "a/b/d", "a/e"}), std::nullopt);
  EXPECT_EQ(localitiesError({}), std::nullopt);
}

TEST(LocalityTest, NoPartMayBeEmpty) {
  for (const std::string locality : {"", "a//c", "/b", "a/"}) {
    EXPECT_EQ(localitiesError({locality}),
              "locality " + locality + " must not contain empty region/zone/subzone info")
        << locality;
  }
}

}  // namespace
}  // namespace weir::config
