#include "proxy/connection/proxy_protocol.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <cstring>
#include <string>

namespace weir::proxy {
namespace {

sockaddr_in v4(const char* ip, uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  EXPECT_EQ(inet_pton(AF_INET, ip, &address.sin_addr), 1) << ip;
  return address;
}

sockaddr_in6 v6(const char* ip, uint16_t port) {
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_port = htons(port);
  EXPECT_EQ(inet_pton(AF_INET6, ip, &address.sin6_addr), 1) << ip;
  return address;
}

template <typename A, typename B>
std::string header(ProxyProtocolVersion version, const A& source, const B& destination) {
  return buildProxyProtocolHeader(version, reinterpret_cast<const sockaddr*>(&source),
                                  sizeof(source), reinterpret_cast<const sockaddr*>(&destination),
                                  sizeof(destination));
}

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int value : values) {
    out.push_back(static_cast<char>(value));
  }
  return out;
}

const std::string kSignature =
    bytes({0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});

TEST(ProxyProtocolV1, Ipv4) {
  EXPECT_EQ(header(ProxyProtocolVersion::kV1, v4("192.0.2.1", 40000), v4("198.51.100.2", 9000)),
            "PROXY TCP4 192.0.2.1 198.51.100.2 40000 9000\r\n");
}

TEST(ProxyProtocolV1, Ipv6IsWrittenCompressedAsInetNtopDoes) {
  EXPECT_EQ(header(ProxyProtocolVersion::kV1, v6("2001:db8::1", 1), v6("::1", 65535)),
            "PROXY TCP6 2001:db8::1 ::1 1 65535\r\n");
}

TEST(ProxyProtocolV1, LongestHeaderFitsTheSpecsLimit) {
  std::string line = header(ProxyProtocolVersion::kV1,
                            v6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535),
                            v6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535));
  EXPECT_EQ(line.size(), 104u);
  EXPECT_LE(line.size(), 107u);
}

TEST(ProxyProtocolV1, Ipv4MappedAddressesOfADualStackSocketAreTcp4) {
  EXPECT_EQ(header(ProxyProtocolVersion::kV1, v6("::ffff:127.0.0.2", 40000),
                   v6("::ffff:127.0.0.1", 15001)),
            "PROXY TCP4 127.0.0.2 127.0.0.1 40000 15001\r\n");
}

TEST(ProxyProtocolV1, MixedFamiliesMapTheIpv4SideIntoIpv6) {
  EXPECT_EQ(header(ProxyProtocolVersion::kV1, v4("127.0.0.2", 40000), v6("::1", 15001)),
            "PROXY TCP6 ::ffff:127.0.0.2 ::1 40000 15001\r\n");
}

TEST(ProxyProtocolV1, UnknownFamilyOrShortLengthIsUnknown) {
  sockaddr_in source = v4("127.0.0.1", 1);
  sockaddr unix_like{};
  unix_like.sa_family = AF_UNIX;
  auto* s = reinterpret_cast<const sockaddr*>(&source);
  EXPECT_EQ(buildProxyProtocolHeader(ProxyProtocolVersion::kV1, s, sizeof(source), &unix_like,
                                     sizeof(unix_like)),
            "PROXY UNKNOWN\r\n");
  EXPECT_EQ(buildProxyProtocolHeader(ProxyProtocolVersion::kV1, s, sizeof(source) - 1, s,
                                     sizeof(source)),
            "PROXY UNKNOWN\r\n");
  EXPECT_EQ(buildProxyProtocolHeader(ProxyProtocolVersion::kV1, nullptr, 0, s, sizeof(source)),
            "PROXY UNKNOWN\r\n");
}

TEST(ProxyProtocolV2, Ipv4) {
  std::string expected = kSignature + bytes({0x21, 0x11, 0x00, 0x0C,  // v2 PROXY, TCP4, 12
                                             192, 0, 2, 1,            // source
                                             198, 51, 100, 2,         // destination
                                             0x9C, 0x40,              // 40000
                                             0x23, 0x28});            // 9000
  EXPECT_EQ(header(ProxyProtocolVersion::kV2, v4("192.0.2.1", 40000), v4("198.51.100.2", 9000)),
            expected);
}

TEST(ProxyProtocolV2, Ipv6) {
  std::string expected =
      kSignature + bytes({0x21, 0x21, 0x00, 0x24,  // v2 PROXY, TCP6, 36
                          0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,  // src
                          0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,  // ::1
                          0x00, 0x01,                                        // 1
                          0xFF, 0xFF});                                      // 65535
  EXPECT_EQ(header(ProxyProtocolVersion::kV2, v6("2001:db8::1", 1), v6("::1", 65535)), expected);
}

TEST(ProxyProtocolV2, Ipv4MappedAddressesAreTcp4) {
  std::string expected = kSignature + bytes({0x21, 0x11, 0x00, 0x0C, 127, 0, 0, 2, 127, 0, 0, 1,
                                             0x9C, 0x40, 0x3A, 0x99});
  EXPECT_EQ(header(ProxyProtocolVersion::kV2, v6("::ffff:127.0.0.2", 40000),
                   v6("::ffff:127.0.0.1", 15001)),
            expected);
}

TEST(ProxyProtocolV2, UnknownIsUnspecWithoutAddresses) {
  sockaddr unix_like{};
  unix_like.sa_family = AF_UNIX;
  EXPECT_EQ(buildProxyProtocolHeader(ProxyProtocolVersion::kV2, &unix_like, sizeof(unix_like),
                                     &unix_like, sizeof(unix_like)),
            kSignature + bytes({0x21, 0x00, 0x00, 0x00}));
}

}  // namespace
}  // namespace weir::proxy
