// CIDR blocks and IP literals of destinationSubnets / sourceSubnet.
#include "config/ip_prefix.h"

#include <gtest/gtest.h>

namespace weir::config {
namespace {

IpPrefix prefix(std::string_view text) {
  std::variant<IpPrefix, std::string> parsed = parseIpPrefix(text);
  if (const std::string* error = std::get_if<std::string>(&parsed)) {
    ADD_FAILURE() << text << ": " << *error;
    return {};
  }
  return std::get<IpPrefix>(parsed);
}

std::string errorOf(std::string_view text) {
  std::variant<IpPrefix, std::string> parsed = parseIpPrefix(text);
  const std::string* error = std::get_if<std::string>(&parsed);
  return error != nullptr ? *error : "(valid: " + toString(std::get<IpPrefix>(parsed)) + ")";
}

IpAddress ip(std::string_view text) {
  std::optional<IpAddress> address = parseIpAddress(text);
  EXPECT_TRUE(address.has_value()) << text;
  return address.value_or(IpAddress{});
}

TEST(IpPrefixTest, ParsesIpv4AndIpv6Blocks) {
  EXPECT_EQ(toString(prefix("10.0.0.0/8")), "10.0.0.0/8");
  EXPECT_FALSE(prefix("10.0.0.0/8").address.v6);
  EXPECT_EQ(toString(prefix("2001:db8::/32")), "2001:db8::/32");
  EXPECT_TRUE(prefix("2001:db8::/32").address.v6);
  EXPECT_EQ(toString(prefix("0.0.0.0/0")), "0.0.0.0/0");
  EXPECT_EQ(toString(prefix("::/0")), "::/0");
}

TEST(IpPrefixTest, ABareAddressIsAHostPrefix) {
  EXPECT_EQ(toString(prefix("192.168.1.7")), "192.168.1.7/32");
  EXPECT_EQ(toString(prefix("::1")), "::1/128");
}

TEST(IpPrefixTest, HostBitsAreCleared) {
  EXPECT_EQ(toString(prefix("10.1.2.3/8")), "10.0.0.0/8");
  EXPECT_EQ(toString(prefix("192.168.1.7/31")), "192.168.1.6/31");
  EXPECT_EQ(toString(prefix("2001:db8::ffff/120")), "2001:db8::ff00/120");
}

TEST(IpPrefixTest, RejectsWithIstiosMessages) {
  EXPECT_EQ(errorOf("10.0.0.0/33"), "10.0.0.0/33 is not a valid CIDR block");
  EXPECT_EQ(errorOf("::/129"), "::/129 is not a valid CIDR block");
  EXPECT_EQ(errorOf("10.0.0.0/"), "10.0.0.0/ is not a valid CIDR block");
  EXPECT_EQ(errorOf("10.0.0.0/08"), "10.0.0.0/08 is not a valid CIDR block");
  EXPECT_EQ(errorOf("10.0.0.0/+8"), "10.0.0.0/+8 is not a valid CIDR block");
  EXPECT_EQ(errorOf("10.0.0/8"), "10.0.0/8 is not a valid CIDR block");
  EXPECT_EQ(errorOf("example.com/8"), "example.com/8 is not a valid CIDR block");
  EXPECT_EQ(errorOf("10.0.0.256"), "10.0.0.256 is not a valid IP");
  EXPECT_EQ(errorOf("10.0.0.0/8/8"), "10.0.0.0/8/8 is not a valid IP");
  EXPECT_EQ(errorOf(""), " is not a valid IP");
  EXPECT_EQ(errorOf("fe80::1%eth0"), "fe80::1%eth0 is not a valid IP");
}

TEST(IpPrefixTest, ContainsComparesThePrefixBitsOnly) {
  const IpPrefix ten = prefix("10.0.0.0/8");
  EXPECT_TRUE(ten.contains(ip("10.0.0.0")));
  EXPECT_TRUE(ten.contains(ip("10.255.255.255")));
  EXPECT_FALSE(ten.contains(ip("11.0.0.0")));
  EXPECT_FALSE(ten.contains(ip("9.255.255.255")));

  const IpPrefix odd = prefix("172.16.0.0/12");
  EXPECT_TRUE(odd.contains(ip("172.31.255.1")));
  EXPECT_FALSE(odd.contains(ip("172.32.0.1")));
}

TEST(IpPrefixTest, SlashZeroContainsTheWholeFamily) {
  EXPECT_TRUE(prefix("0.0.0.0/0").contains(ip("255.255.255.255")));
  EXPECT_TRUE(prefix("0.0.0.0/0").contains(ip("0.0.0.0")));
  EXPECT_TRUE(prefix("::/0").contains(ip("2001:db8::1")));
  EXPECT_FALSE(prefix("0.0.0.0/0").contains(ip("::1")));
  EXPECT_FALSE(prefix("::/0").contains(ip("127.0.0.1")));
}

TEST(IpPrefixTest, SlashThirtyOneIsAPair) {
  const IpPrefix pair = prefix("192.168.1.6/31");
  EXPECT_TRUE(pair.contains(ip("192.168.1.6")));
  EXPECT_TRUE(pair.contains(ip("192.168.1.7")));
  EXPECT_FALSE(pair.contains(ip("192.168.1.5")));
  EXPECT_FALSE(pair.contains(ip("192.168.1.8")));
}

TEST(IpPrefixTest, HostPrefixesContainOnlyTheirAddress) {
  EXPECT_TRUE(prefix("127.0.0.1").contains(ip("127.0.0.1")));
  EXPECT_FALSE(prefix("127.0.0.1").contains(ip("127.0.0.2")));
  EXPECT_TRUE(prefix("::1").contains(ip("::1")));
  EXPECT_FALSE(prefix("::1").contains(ip("::2")));
}

TEST(IpPrefixTest, Ipv6Blocks) {
  const IpPrefix doc = prefix("2001:db8::/32");
  EXPECT_TRUE(doc.contains(ip("2001:db8:ffff::1")));
  EXPECT_FALSE(doc.contains(ip("2001:db9::1")));
  const IpPrefix nibble = prefix("fd00::/7");  // not on a byte boundary
  EXPECT_TRUE(nibble.contains(ip("fdff::1")));
  EXPECT_TRUE(nibble.contains(ip("fc00::1")));
  EXPECT_FALSE(nibble.contains(ip("fe00::1")));
}

TEST(IpPrefixTest, FamiliesNeverMix) {
  // The same first four bytes, other family: no match either way.
  IpAddress v6_with_v4_bytes = ip("::");
  v6_with_v4_bytes.bytes[0] = 10;
  EXPECT_FALSE(prefix("10.0.0.0/8").contains(v6_with_v4_bytes));
  EXPECT_FALSE(prefix("a00::/8").contains(ip("10.0.0.1")));
  EXPECT_FALSE(prefix("10.0.0.0/8").contains(ip("::ffff:10.0.0.1")));  // v4-mapped is v6
}

}  // namespace
}  // namespace weir::config
