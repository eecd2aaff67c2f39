#include <gtest/gtest.h>

#include "config/loader.h"

namespace weir::config {
namespace {

TEST(DiagnosticTest, FormatsFileLineColumnFieldMessage) {
  const Diagnostic diagnostic{SourcePosition{"route.yaml", 12, 7}, "spec.tcp[0].route[1].weight",
                              "weight -5 < 0"};
  EXPECT_EQ(diagnostic.toString(), "route.yaml:12:7: spec.tcp[0].route[1].weight: weight -5 < 0");
}

TEST(DiagnosticTest, LeavesOutAnEmptyField) {
  const Diagnostic diagnostic{SourcePosition{"a.yaml", 1, 1}, "", "something"};
  EXPECT_EQ(diagnostic.toString(), "a.yaml:1:1: something");
}

}  // namespace
}  // namespace weir::config
