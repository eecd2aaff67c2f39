#include "proxy/socket_address.h"

#include <sys/un.h>

#include <cstddef>
#include <string>

#include <gtest/gtest.h>

namespace weir::proxy {
namespace {

TEST(SocketAddress, ParsesAndPrintsBothFamilies) {
  auto v4 = SocketAddress::fromIpLiteral("127.0.0.1", 9001);
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->toString(), "127.0.0.1:9001");
  EXPECT_EQ(v4->port(), 9001);
  auto v6 = SocketAddress::fromIpLiteral("::1", 9002);
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->toString(), "[::1]:9002");
}

TEST(SocketAddress, RejectsNamesAndGarbage) {
  EXPECT_FALSE(SocketAddress::fromIpLiteral("localhost", 1));
  EXPECT_FALSE(SocketAddress::fromIpLiteral("127.0.0.256", 1));
  EXPECT_FALSE(SocketAddress::fromIpLiteral("", 1));
}

TEST(SocketAddress, UnixPathsAndAbstractNamesPrintAsEnvoyPrintsPipes) {
  auto path = SocketAddress::fromUnixPath("/run/weir/db.sock");
  ASSERT_TRUE(path);
  EXPECT_TRUE(path->isUnix());
  EXPECT_EQ(path->toString(), "/run/weir/db.sock");
  EXPECT_EQ(path->port(), 0);
  auto abstract = SocketAddress::fromUnixPath("@weir-db");
  ASSERT_TRUE(abstract);
  EXPECT_EQ(abstract->toString(), "@weir-db");
  // The abstract name is every byte after the leading NUL, none more.
  EXPECT_EQ(abstract->length, offsetof(sockaddr_un, sun_path) + 8);
  EXPECT_FALSE(SocketAddress::fromIpLiteral("127.0.0.1", 1)->isUnix());
}

TEST(SocketAddress, UnixPathsMustFitSunPath) {
  EXPECT_TRUE(SocketAddress::fromUnixPath("/" + std::string(106, 'a')));   // 107 + NUL
  EXPECT_FALSE(SocketAddress::fromUnixPath("/" + std::string(107, 'a')));  // 108 + NUL
  EXPECT_TRUE(SocketAddress::fromUnixPath("@" + std::string(107, 'a')));
  EXPECT_FALSE(SocketAddress::fromUnixPath("@" + std::string(108, 'a')));
  EXPECT_FALSE(SocketAddress::fromUnixPath(""));
}

TEST(SocketAddress, AnUnnamedUnixSocketPrintsEmpty) {
  sockaddr_un unnamed{};
  unnamed.sun_family = AF_UNIX;
  const SocketAddress address = SocketAddress::fromSockaddr(
      reinterpret_cast<const sockaddr*>(&unnamed), sizeof(sa_family_t));
  EXPECT_EQ(address.toString(), "");
}

}  // namespace
}  // namespace weir::proxy
