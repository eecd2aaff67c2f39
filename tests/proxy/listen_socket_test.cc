#include "proxy/listen_socket.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace weir::proxy {
namespace {

// The data path relies on this: it does not set TCP_NODELAY on accepted sockets.
TEST(ListenSocket, AcceptedSocketsHaveNoDelay) {
  std::string error;
  auto address = SocketAddress::fromIpLiteral("127.0.0.1", 0);
  ASSERT_TRUE(address.has_value());
  const int listener = openListenSocket(*address, error);
  ASSERT_GE(listener, 0) << error;
  auto bound = localAddressOf(listener);
  ASSERT_TRUE(bound.has_value());

  const int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_EQ(connect(client, bound->get(), bound->length), 0);
  int accepted = -1;
  for (int attempt = 0; attempt < 100 && accepted < 0; ++attempt) {
    accepted = accept(listener, nullptr, nullptr);
    if (accepted < 0) usleep(10'000);
  }
  ASSERT_GE(accepted, 0);
  int nodelay = 0;
  socklen_t length = sizeof nodelay;
  ASSERT_EQ(getsockopt(accepted, IPPROTO_TCP, TCP_NODELAY, &nodelay, &length), 0);
  EXPECT_EQ(nodelay, 1);
  close(accepted);
  close(client);
  close(listener);
}

}  // namespace
}  // namespace weir::proxy
