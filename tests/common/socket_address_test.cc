#include "common/socket_address.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <string>

#include <gtest/gtest.h>

namespace weir {
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
  // Brackets belong to a host:port, not to an IP literal.
  EXPECT_FALSE(SocketAddress::fromIpLiteral("[::1]", 1));
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
  EXPECT_EQ(abstract->length(), offsetof(sockaddr_un, sun_path) + 8);
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

TEST(SocketAddress, Ipv4Literal) {
  auto address = SocketAddress::fromHostLiteral("127.0.0.1", 9000);
  ASSERT_TRUE(address.has_value());
  EXPECT_EQ(address->family(), AF_INET);
  EXPECT_EQ(address->port(), 9000);
  EXPECT_EQ(address->length(), sizeof(sockaddr_in));
  EXPECT_EQ(address->toString(), "127.0.0.1:9000");
}

TEST(SocketAddress, Ipv6HostLiteralWithOrWithoutBrackets) {
  EXPECT_EQ(SocketAddress::fromHostLiteral("::1", 80)->toString(), "[::1]:80");
  EXPECT_EQ(SocketAddress::fromHostLiteral("[::1]", 80)->toString(), "[::1]:80");
  EXPECT_EQ(SocketAddress::fromHostLiteral("::1", 80)->family(), AF_INET6);
}

TEST(SocketAddress, Wildcards) {
  EXPECT_EQ(SocketAddress::anyIpv6(9000).toString(), "[::]:9000");
  EXPECT_EQ(SocketAddress::anyIpv4(0).toString(), "0.0.0.0:0");
}

TEST(SocketAddress, NotAHostLiteral) {
  for (const char* text : {"", "localhost", "127.0.0", "1.2.3.4.5", "[127.0.0.1]", "::g"}) {
    EXPECT_FALSE(SocketAddress::fromHostLiteral(text, 1).has_value()) << text;
  }
}

TEST(SocketAddress, ResolveLocalhostIsIpv4Loopback) {
  EXPECT_EQ(SocketAddress::resolve("localhost", 9000).toString(), "127.0.0.1:9000");
  EXPECT_EQ(SocketAddress::resolve("::1", 9000).toString(), "[::1]:9000");
}

TEST(SocketAddress, LocalAddressOfABoundSocket) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  auto wanted = *SocketAddress::fromIpLiteral("127.0.0.1", 0);
  ASSERT_EQ(::bind(fd, wanted.get(), wanted.length()), 0);
  auto bound = localAddressOf(fd);
  ::close(fd);
  ASSERT_TRUE(bound.has_value());
  EXPECT_NE(bound->port(), 0);
  EXPECT_EQ(bound->toString(), "127.0.0.1:" + std::to_string(bound->port()));
}

TEST(SocketAddress, UnixFilePathIsThePathOfAFileOnly) {
  auto path = SocketAddress::fromUnixPath("/run/echo.sock");
  ASSERT_TRUE(path);
  EXPECT_EQ(path->family(), AF_UNIX);
  EXPECT_EQ(path->unixFilePath(), "/run/echo.sock");
  auto abstract = SocketAddress::fromUnixPath("@echo");
  ASSERT_TRUE(abstract);
  EXPECT_EQ(abstract->unixFilePath(), "");  // no file in the abstract namespace
  EXPECT_EQ(SocketAddress::fromIpLiteral("127.0.0.1", 1)->unixFilePath(), "");
  EXPECT_FALSE(SocketAddress::fromUnixPath(""));
  EXPECT_FALSE(SocketAddress::fromUnixPath("/" + std::string(107, 'x')));
  // A copy of an accepted Unix peer is kept.
  const SocketAddress copy = SocketAddress::fromSockaddr(path->get(), path->length());
  EXPECT_EQ(copy.toString(), "/run/echo.sock");
}

TEST(SocketAddress, WithPortKeepsTheAddress) {
  EXPECT_EQ(SocketAddress::fromIpLiteral("10.1.2.3", 0)->withPort(8080).toString(),
            "10.1.2.3:8080");
  EXPECT_EQ(SocketAddress::fromIpLiteral("fe80::1", 1)->withPort(443).toString(),
            "[fe80::1]:443");
  EXPECT_EQ(SocketAddress::fromUnixPath("/run/db.sock")->withPort(9).toString(), "/run/db.sock");
}

TEST(SocketAddress, LoopbackIs127Slash8OrIpv6One) {
  for (const char* ip : {"127.0.0.1", "127.200.3.4", "127.255.255.255", "::1"}) {
    EXPECT_TRUE(SocketAddress::fromIpLiteral(ip, 1)->isLoopback()) << ip;
  }
  for (const char* ip : {"128.0.0.1", "126.255.255.255", "0.0.0.0", "10.0.0.1", "::", "::2",
                         "::ffff:127.0.0.1"}) {
    EXPECT_FALSE(SocketAddress::fromIpLiteral(ip, 1)->isLoopback()) << ip;
  }
  EXPECT_FALSE(SocketAddress::fromUnixPath("/run/db.sock")->isLoopback());
}

TEST(SocketAddress, NoAddressPrintsUnknown) {
  const SocketAddress none;
  EXPECT_EQ(none.family(), AF_UNSPEC);
  EXPECT_EQ(none.length(), 0u);
  EXPECT_EQ(none.port(), 0);
  EXPECT_EQ(none.toString(), "unknown");
}

}  // namespace
}  // namespace weir
