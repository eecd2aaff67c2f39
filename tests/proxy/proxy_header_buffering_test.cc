// The PROXY protocol header meets a full upstream socket buffer: that is no error,
// the header waits in the relay's buffer and goes out first once there is room.
// (A failed header write must never look like the upstream's fault.)
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <utility>

#include "proxy/connection/relay.h"

namespace weir::proxy {
namespace {

void setNonBlocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Two connected TCP sockets on 127.0.0.1 with small buffers, both non-blocking.
std::pair<int, int> loopbackPair() {
  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  EXPECT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), length), 0);
  EXPECT_EQ(listen(listener, 1), 0);
  getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  const int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int small = 4096;
  setsockopt(client, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  EXPECT_EQ(connect(client, reinterpret_cast<sockaddr*>(&address), length), 0);
  const int server = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  setsockopt(server, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  close(listener);
  setNonBlocking(client);
  setNonBlocking(server);
  return {client, server};
}

// Writes to `fd` until the kernel takes no more (bounded); returns how much it took.
size_t fill(int fd) {
  const std::string chunk(4096, 'f');
  size_t total = 0;
  for (int i = 0; i < 100'000; ++i) {
    const ssize_t n = send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      EXPECT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK) << errno;
      return total;
    }
    total += static_cast<size_t>(n);
  }
  ADD_FAILURE() << "the socket never filled up";
  return total;
}

// Everything readable from `fd` now.
std::string drain(int fd) {
  std::string all;
  char buffer[65536];
  for (ssize_t n; (n = recv(fd, buffer, sizeof buffer, 0)) > 0;) {
    all.append(buffer, static_cast<size_t>(n));
  }
  return all;
}

TEST(ProxyHeaderBuffering, AFullUpstreamBufferHoldsTheHeaderAndItStillGoesFirst) {
  auto [client, client_side] = loopbackPair();      // the client, weir's socket for it
  auto [upstream_side, upstream] = loopbackPair();  // weir's upstream socket, the upstream
  const size_t filler = fill(upstream_side);
  ASSERT_GT(filler, 0u);

  SocketSide downstream{.fd = client_side};
  SocketSide upstream_socket{.fd = upstream_side};
  Relay to_upstream;
  to_upstream.attach(&downstream, &upstream_socket);
  const std::string header = "PROXY TCP4 127.0.0.1 127.0.0.1 40000 9000\r\n";
  to_upstream.writeFirst(header);
  ASSERT_EQ(send(client, "hello\n", 6, MSG_NOSIGNAL), 6);

  char scratch[16384];
  ProxySettings settings;
  settings.buffer_limit = 1024 * 1024;
  settings.splice_after = std::nullopt;
  const RelayContext context{.settings = &settings,
                             .scratch = scratch,
                             .scratch_size = sizeof scratch,
                             .pipes = nullptr};
  downstream.readable = true;
  upstream_socket.writable = true;  // the loop's hint; the kernel says otherwise
  Relay::Result result = to_upstream.run(context);
  EXPECT_EQ(result.failure, Relay::Failure::kNone) << "a full buffer is no error";
  EXPECT_EQ(to_upstream.waiting(), header.size() + 6) << "the header, then the client's bytes";

  // The upstream reads; room appears; the header goes out before the client's bytes.
  std::string received;
  for (int i = 0; i < 1000 && received.size() < filler + header.size() + 6; ++i) {
    received += drain(upstream);
    upstream_socket.writable = true;  // as the loop reports a new edge
    result = to_upstream.run(context);
    ASSERT_EQ(result.failure, Relay::Failure::kNone);
    usleep(1000);
  }
  EXPECT_EQ(to_upstream.waiting(), 0u);
  ASSERT_EQ(received.size(), filler + header.size() + 6);
  EXPECT_EQ(received.substr(filler), header + "hello\n");

  to_upstream.discard();
  for (int fd : {client, client_side, upstream_side, upstream}) close(fd);
}

}  // namespace
}  // namespace weir::proxy
