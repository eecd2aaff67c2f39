#include "echo/socket_address.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace weir::echo {
namespace {

TEST(EchoSocketAddress, Ipv4Literal) {
  auto address = SocketAddress::fromLiteral("127.0.0.1", 9000);
  ASSERT_TRUE(address.has_value());
  EXPECT_EQ(address->family(), AF_INET);
  EXPECT_EQ(address->port(), 9000);
  EXPECT_EQ(address->length(), sizeof(sockaddr_in));
  EXPECT_EQ(address->toString(), "127.0.0.1:9000");
}

TEST(EchoSocketAddress, Ipv6LiteralWithOrWithoutBrackets) {
  EXPECT_EQ(SocketAddress::fromLiteral("::1", 80)->toString(), "[::1]:80");
  EXPECT_EQ(SocketAddress::fromLiteral("[::1]", 80)->toString(), "[::1]:80");
  EXPECT_EQ(SocketAddress::fromLiteral("::1", 80)->family(), AF_INET6);
}

TEST(EchoSocketAddress, Wildcards) {
  EXPECT_EQ(SocketAddress::anyIpv6(9000).toString(), "[::]:9000");
  EXPECT_EQ(SocketAddress::anyIpv4(0).toString(), "0.0.0.0:0");
}

TEST(EchoSocketAddress, NotALiteral) {
  for (const char* text : {"", "localhost", "127.0.0", "1.2.3.4.5", "[127.0.0.1]", "::g"}) {
    EXPECT_FALSE(SocketAddress::fromLiteral(text, 1).has_value()) << text;
  }
}

TEST(EchoSocketAddress, ResolveLocalhostIsIpv4Loopback) {
  EXPECT_EQ(SocketAddress::resolve("localhost", 9000).toString(), "127.0.0.1:9000");
  EXPECT_EQ(SocketAddress::resolve("::1", 9000).toString(), "[::1]:9000");
}

TEST(EchoSocketAddress, LocalOfABoundSocket) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  auto wanted = *SocketAddress::fromLiteral("127.0.0.1", 0);
  ASSERT_EQ(::bind(fd, wanted.get(), wanted.length()), 0);
  auto bound = SocketAddress::localOf(fd);
  ::close(fd);
  ASSERT_TRUE(bound.has_value());
  EXPECT_NE(bound->port(), 0);
  EXPECT_EQ(bound->toString(), "127.0.0.1:" + std::to_string(bound->port()));
}

}  // namespace
}  // namespace weir::echo

namespace weir::echo {
namespace {

TEST(EchoSocketAddress, UnixSocketsPrintAsListenTakesThem) {
  auto path = SocketAddress::fromUnixPath("/run/echo.sock");
  ASSERT_TRUE(path);
  EXPECT_EQ(path->family(), AF_UNIX);
  EXPECT_EQ(path->toString(), "unix:/run/echo.sock");
  EXPECT_EQ(path->unixFilePath(), "/run/echo.sock");
  auto abstract = SocketAddress::fromUnixPath("@echo");
  ASSERT_TRUE(abstract);
  EXPECT_EQ(abstract->toString(), "unix:@echo");
  EXPECT_EQ(abstract->unixFilePath(), "");  // no file in the abstract namespace
  EXPECT_FALSE(SocketAddress::fromUnixPath(""));
  EXPECT_FALSE(SocketAddress::fromUnixPath("/" + std::string(107, 'x')));
  // A copy of an accepted Unix peer is kept (it used to be refused).
  auto copy = SocketAddress::fromSockaddr(path->get(), path->length());
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->toString(), "unix:/run/echo.sock");
}

}  // namespace
}  // namespace weir::echo
