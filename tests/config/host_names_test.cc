#include "config/host_names.h"

#include <gtest/gtest.h>

namespace weir::config {
namespace {

TEST(CanonicalHostTest, ExpandsShortNamesWithTheObjectsNamespace) {
  EXPECT_EQ(canonicalHost("foo", "default"), "foo.default.svc.cluster.local");
  EXPECT_EQ(canonicalHost("foo", "prod"), "foo.prod.svc.cluster.local");
}

TEST(CanonicalHostTest, ReadsOneDotAsServiceDotNamespace) {
  EXPECT_EQ(canonicalHost("foo.bar", "default"), "foo.bar.svc.cluster.local");
}

TEST(CanonicalHostTest, CompletesDotSvc) {
  EXPECT_EQ(canonicalHost("foo.bar.svc", "default"), "foo.bar.svc.cluster.local");
}

TEST(CanonicalHostTest, KeepsQualifiedNames) {
  EXPECT_EQ(canonicalHost("foo.bar.svc.cluster.local", "default"), "foo.bar.svc.cluster.local");
  EXPECT_EQ(canonicalHost("api.example.com", "default"), "api.example.com");
  EXPECT_EQ(canonicalHost("a.b.c.d", "default"), "a.b.c.d");
}

TEST(CanonicalHostTest, KeepsWildcardsAndIpLiterals) {
  EXPECT_EQ(canonicalHost("*", "default"), "*");
  EXPECT_EQ(canonicalHost("10.1.2.3", "default"), "10.1.2.3");
  EXPECT_EQ(canonicalHost("::1", "default"), "::1");
}

TEST(CanonicalHostTest, TrailingDotMeansAbsolute) {
  EXPECT_EQ(canonicalHost("example.", "default"), "example");
  EXPECT_EQ(canonicalHost("example.com.", "default"), "example.com");
}

TEST(HostsMatchTest, ExactAndFullWildcard) {
  EXPECT_TRUE(hostsMatch("a.example.com", "a.example.com"));
  EXPECT_FALSE(hostsMatch("a.example.com", "b.example.com"));
  EXPECT_TRUE(hostsMatch("*", "anything"));
  EXPECT_TRUE(hostsMatch("anything", "*"));
}

TEST(HostsMatchTest, SuffixWildcards) {
  EXPECT_TRUE(hostsMatch("*.example.com", "a.example.com"));
  EXPECT_TRUE(hostsMatch("a.b.example.com", "*.example.com"));
  EXPECT_FALSE(hostsMatch("*.example.com", "example.com"));
  EXPECT_FALSE(hostsMatch("*.example.com", "a.example.org"));
  EXPECT_TRUE(hostsMatch("*.example.com", "*.a.example.com"));
  EXPECT_FALSE(hostsMatch("*.example.com", "*.example.org"));
}

TEST(Dns1123LabelTest, AcceptsLowerCaseAlphanumericsAndInnerDashes) {
  EXPECT_TRUE(isDns1123Label("v1"));
  EXPECT_TRUE(isDns1123Label("tcp-echo"));
  EXPECT_FALSE(isDns1123Label(""));
  EXPECT_FALSE(isDns1123Label("V1"));
  EXPECT_FALSE(isDns1123Label("-v1"));
  EXPECT_FALSE(isDns1123Label("v1-"));
  EXPECT_FALSE(isDns1123Label("v_1"));
  EXPECT_FALSE(isDns1123Label("a.b"));
  EXPECT_TRUE(isDns1123Label(std::string(63, 'a')));
  EXPECT_FALSE(isDns1123Label(std::string(64, 'a')));
}

TEST(DomainValidationTest, UsesIstiosMessages) {
  EXPECT_FALSE(wildcardDomainError("tcp-echo-server"));
  EXPECT_FALSE(wildcardDomainError("*.example.com"));
  EXPECT_FALSE(wildcardDomainError("istio.io."));
  EXPECT_EQ(wildcardDomainError("Echo"), "domain name \"Echo\" invalid (label \"Echo\" invalid)");
  EXPECT_EQ(wildcardDomainError("a.b_c.com"),
            "domain name \"a.b_c.com\" invalid (label \"b_c\" invalid)");
  EXPECT_EQ(wildcardDomainError(""), "empty domain name not allowed");
  EXPECT_EQ(wildcardDomainError("10.0.0.1"),
            "domain name \"10.0.0.1\" invalid (top level domain \"1\" cannot be all-numeric)");
  EXPECT_TRUE(fqdnError("*.example.com"));
  EXPECT_FALSE(fqdnError("echo-v1"));
}

TEST(IpAddressTest, AcceptsV4AndV6Literals) {
  EXPECT_TRUE(isIpAddress("127.0.0.1"));
  EXPECT_TRUE(isIpAddress("::1"));
  EXPECT_TRUE(isIpAddress("fe80::1"));
  EXPECT_FALSE(isIpAddress("localhost"));
  EXPECT_FALSE(isIpAddress("127.0.0.256"));
  EXPECT_FALSE(isIpAddress("[::1]"));
  EXPECT_FALSE(isIpAddress(""));
}

}  // namespace
}  // namespace weir::config
