#include "proxy/listener/port_owner.h"

#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "proxy/listener/listen_socket.h"

namespace weir::proxy {
namespace {

// A socket of this process, listening on 127.0.0.1 on a free port.
class OwnListener : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    fd_ = openListenSocket(*SocketAddress::fromIpLiteral("127.0.0.1", 0), error);
    ASSERT_GE(fd_, 0) << error;
    address_ = *localAddressOf(fd_);
  }
  void TearDown() override { close(fd_); }

  int fd_ = -1;
  SocketAddress address_;
};

TEST_F(OwnListener, IsFoundAtItsAddressAndAtTheWildcardAndNamesThisProcess) {
  const std::vector<ino_t> found = listeningSocketsAt(address_);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_TRUE(ownSocket(found[0]));
  EXPECT_TRUE(onlyThisProcessListensAt(address_));
  const std::optional<SocketOwner> owner = ownerOfSocket(found[0]);
  ASSERT_TRUE(owner.has_value());
  EXPECT_EQ(owner->pid, getpid());
  EXPECT_FALSE(owner->name.empty());
  EXPECT_EQ(listeningSocketsAt(SocketAddress::anyIpv4(address_.port())), found);
  EXPECT_EQ(listeningSocketsAt(SocketAddress::anyIpv6(address_.port())), found);
}

TEST_F(OwnListener, IsNotFoundOnAnotherAddressOrPort) {
  EXPECT_TRUE(listeningSocketsAt(*SocketAddress::fromIpLiteral("127.0.0.2", address_.port())).empty());
  EXPECT_TRUE(listeningSocketsAt(*SocketAddress::fromIpLiteral("::1", address_.port())).empty());
  EXPECT_FALSE(onlyThisProcessListensAt(address_.withPort(address_.port() == 1 ? 2 : 1)));
}

}  // namespace
}  // namespace weir::proxy
