#include "tests/support/blackhole_listener.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace weir::test {

BlackholeListener::BlackholeListener() {
  listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in where{};
  where.sin_family = AF_INET;
  where.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof where;
  EXPECT_EQ(bind(listener_, reinterpret_cast<sockaddr*>(&where), length), 0);
  EXPECT_EQ(listen(listener_, 0), 0);  // room for one connection, never accepted
  getsockname(listener_, reinterpret_cast<sockaddr*>(&where), &length);
  port_ = ntohs(where.sin_port);
  filler_ = TcpConnection::connect(port_, std::chrono::seconds(2));
  EXPECT_TRUE(filler_.has_value());
}

BlackholeListener::~BlackholeListener() { close(listener_); }

}  // namespace weir::test
