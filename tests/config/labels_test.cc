// Kubernetes label syntax as Istio checks it (pkg/config/labels/instance.go).
#include "config/labels.h"

#include <gtest/gtest.h>

#include <string>

namespace weir::config {
namespace {

TEST(LabelsTest, KeysAreAnOptionalDnsPrefixAndAQualifiedName) {
  for (const std::string key : {"app", "version", "App_1.x", "a", "9", "example.com/app",
                                "security.istio.io/tlsMode", "A-b.C/d"}) {
    EXPECT_EQ(labelKeyError(key), std::nullopt) << key;
  }
  for (const std::string key : {"", "-app", "app-", "_app", "app/", "/app", "a/b/c",
                                "exa_mple.com/app", ".example.com/app", "a b"}) {
    EXPECT_EQ(labelKeyError(key), "invalid tag key: \"" + key + "\"") << key;
  }
}

TEST(LabelsTest, LengthLimitsHaveTheirOwnWords) {
  const std::string name(64, 'a');
  EXPECT_EQ(labelKeyError(name), "invalid tag key: \"" + name + "\" (name is too long)");
  EXPECT_EQ(labelKeyError(std::string(63, 'a')), std::nullopt);
  const std::string prefix = std::string(200, 'a') + "." + std::string(53, 'b');  // 254
  EXPECT_EQ(labelKeyError(prefix + "/app"),
            "invalid tag key: \"" + prefix + "/app\" (DNS prefix is too long)");
  EXPECT_EQ(labelKeyError(prefix.substr(1) + "/app"), std::nullopt);
}

TEST(LabelsTest, ValuesAreEmptyOrAQualifiedName) {
  for (const std::string& value : {std::string(), std::string("v1"), std::string("V1.2_x-y"),
                                   std::string(100, 'a')}) {
    EXPECT_EQ(labelValueError(value), std::nullopt) << value;
  }
  for (const std::string value : {"-v1", "v1-", "a/b", "*", "a b"}) {
    EXPECT_EQ(labelValueError(value), "invalid tag value: \"" + value + "\"") << value;
  }
}

}  // namespace
}  // namespace weir::config
