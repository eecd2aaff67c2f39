// The PROXY protocol header meets a full upstream socket buffer: that is no error,
// the header waits in the relay's buffer and goes out first once there is room.
// (A failed header write must never look like the upstream's fault.)
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "proxy/connection/relay.h"
#include "tests/support/socket_pair.h"

namespace weir::proxy {
namespace {

// Two connected TCP sockets on 127.0.0.1 with small buffers, both non-blocking.
test::SocketPair loopbackPair() {
  test::SocketPair pair = test::connectedPair(test::SocketKind::kTcp, 4096);
  test::setNonBlocking(pair.a.get());
  test::setNonBlocking(pair.b.get());
  return pair;
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
  const test::SocketPair client_pair = loopbackPair();    // the client, weir's socket for it
  const test::SocketPair upstream_pair = loopbackPair();  // weir's upstream socket, the upstream
  const int client = client_pair.a.get();
  const int client_side = client_pair.b.get();
  const int upstream_side = upstream_pair.a.get();
  const int upstream = upstream_pair.b.get();
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
}

}  // namespace
}  // namespace weir::proxy
