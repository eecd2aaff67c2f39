#include "proxy/socket_address.h"

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

}  // namespace
}  // namespace weir::proxy
