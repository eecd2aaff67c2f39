#include "echo/address_text.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <gtest/gtest.h>

namespace weir::echo {
namespace {

TEST(EchoAddressText, UnixSocketsPrintAsListenTakesThem) {
  auto path = SocketAddress::fromUnixPath("/run/echo.sock");
  ASSERT_TRUE(path);
  EXPECT_EQ(addressText(*path), "unix:/run/echo.sock");
  auto abstract = SocketAddress::fromUnixPath("@echo");
  ASSERT_TRUE(abstract);
  EXPECT_EQ(addressText(*abstract), "unix:@echo");
  // A copy of an accepted Unix peer prints the same.
  EXPECT_EQ(addressText(SocketAddress::fromSockaddr(path->get(), path->length())),
            "unix:/run/echo.sock");
  sockaddr_un unnamed{};
  unnamed.sun_family = AF_UNIX;
  EXPECT_EQ(addressText(SocketAddress::fromSockaddr(reinterpret_cast<const sockaddr*>(&unnamed),
                                                    sizeof(sa_family_t))),
            "unix:");
}

TEST(EchoAddressText, IpAddressesPrintAsEverywhere) {
  EXPECT_EQ(addressText(*SocketAddress::fromIpLiteral("127.0.0.1", 9000)), "127.0.0.1:9000");
  EXPECT_EQ(addressText(SocketAddress::anyIpv6(9000)), "[::]:9000");
}

}  // namespace
}  // namespace weir::echo
