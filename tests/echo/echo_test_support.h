// Helpers for the echo tests that use real sockets: an EchoServer on its own loop thread,
// and a test client socket on 127.0.0.1 driven by poll() with deadlines, so no test can
// hang. Every loop here is bounded by a deadline.
#pragma once

#include <event2/event.h>
#include <event2/thread.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/libevent_handles.h"
#include "common/socket_address.h"
#include "echo/echo_server.h"

namespace weir::echo::test {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

inline SocketAddress loopback(std::uint16_t port) {
  return *SocketAddress::fromIpLiteral("127.0.0.1", port);
}

// An EchoServer listening on 127.0.0.1 (ephemeral ports) with its loop on a thread.
// Only the constructor and destructor touch the server; the loop thread does the rest.
class ServerOnThread {
 public:
  explicit ServerOnThread(EchoSettings settings, int listeners = 1) {
    static const bool threads_ready = [] { return evthread_use_pthreads() == 0; }();
    EXPECT_TRUE(threads_ready);
    base_.reset(event_base_new());
    server_ = std::make_unique<EchoServer>(base_.get(), std::move(settings));
    for (int i = 0; i < listeners; ++i) {
      ports_.push_back(server_->listen(loopback(0)).port());
    }
    stop_.reset(event_new(base_.get(), -1, 0, &ServerOnThread::onStop, base_.get()));
    thread_ = std::thread([this] { event_base_dispatch(base_.get()); });
  }
  ServerOnThread(const ServerOnThread&) = delete;
  ServerOnThread& operator=(const ServerOnThread&) = delete;

  ~ServerOnThread() {
    // Unlike event_base_loopbreak, an activated event is not lost if the loop has not
    // started yet.
    event_active(stop_.get(), 0, 0);
    thread_.join();
    stop_.reset();
    server_.reset();
  }

  std::uint16_t port(std::size_t index = 0) const { return ports_.at(index); }
  // For what may be read from another thread while the loop runs (counters()).
  const EchoServer& server() const { return *server_; }

 private:
  static void onStop(evutil_socket_t, short, void* base) {
    event_base_loopbreak(static_cast<event_base*>(base));
  }

  EventBasePtr base_;
  std::unique_ptr<EchoServer> server_;
  EventPtr stop_;
  std::vector<std::uint16_t> ports_;
  std::thread thread_;
};

// A client socket to 127.0.0.1:port, non-blocking, every operation bounded by a deadline.
class TestPeer {
 public:
  // buffer_bytes > 0 pins SO_SNDBUF and SO_RCVBUF (no autotuning), so what the kernel
  // holds on this side is known.
  explicit TestPeer(std::uint16_t port, int buffer_bytes = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      ADD_FAILURE() << "socket: " << errno;
      return;
    }
    if (buffer_bytes > 0) {
      ::setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &buffer_bytes, sizeof(buffer_bytes));
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &buffer_bytes, sizeof(buffer_bytes));
    }
    SocketAddress address = loopback(port);
    if (::connect(fd_, address.get(), address.length()) != 0) {
      ADD_FAILURE() << "connect to port " << port << ": errno " << errno;
    }
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  }
  TestPeer(const TestPeer&) = delete;
  TestPeer& operator=(const TestPeer&) = delete;
  ~TestPeer() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }

  // Sends all of `data` while reading whatever comes back. False if the deadline passed
  // or the connection failed first.
  bool sendAll(std::string_view data, Clock::duration limit = 10s) {
    const auto deadline = Clock::now() + limit;
    std::size_t sent = 0;
    while (sent < data.size() && !failed_ && Clock::now() < deadline) {
      if (!waitFor(POLLIN | POLLOUT, deadline)) {
        continue;
      }
      sent += sendSome(data.substr(sent));
      receiveSome();
    }
    return sent == data.size();
  }

  // Sends bytes from `next_chunk` without reading, until the sending makes no progress
  // for `stall`, `max_bytes` have been sent or `limit` passes. Returns what was sent;
  // `stalled` tells whether a stall ended it.
  std::string sendWithoutReading(const std::function<std::string()>& next_chunk,
                                 std::size_t max_bytes, Clock::duration stall,
                                 Clock::duration limit, bool& stalled) {
    const auto deadline = Clock::now() + limit;
    std::string sent;
    std::string chunk;
    std::size_t chunk_offset = 0;
    auto last_progress = Clock::now();
    stalled = false;
    while (!failed_ && sent.size() < max_bytes && Clock::now() < deadline) {
      if (chunk_offset == chunk.size()) {
        chunk = next_chunk();
        chunk_offset = 0;
      }
      std::size_t n = sendSome(std::string_view(chunk).substr(chunk_offset));
      if (n > 0) {
        sent.append(chunk, chunk_offset, n);
        chunk_offset += n;
        last_progress = Clock::now();
        continue;
      }
      if (Clock::now() - last_progress >= stall) {
        stalled = true;
        break;
      }
      pollfd wait{fd_, POLLOUT, 0};
      ::poll(&wait, 1, 10);
    }
    return sent;
  }

  void shutdownWrite() { ::shutdown(fd_, SHUT_WR); }

  // Reads until EOF, a reset, `at_least` bytes in received(), or the deadline.
  void read(std::size_t at_least = SIZE_MAX, Clock::duration limit = 10s) {
    const auto deadline = Clock::now() + limit;
    while (!eof_ && !failed_ && received_.size() < at_least && Clock::now() < deadline) {
      if (waitFor(POLLIN, deadline)) {
        receiveSome();
      }
    }
  }

  const std::string& received() const { return received_; }
  bool eof() const { return eof_; }
  // Reset, or any other error of the connection.
  bool failed() const { return failed_; }

 private:
  bool waitFor(short events, Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd wait{fd_, events, 0};
    return ::poll(&wait, 1,
                  static_cast<int>(std::max<long>(0, std::min<long>(left.count(), 100)))) > 0;
  }

  std::size_t sendSome(std::string_view data) {
    if (data.empty()) {
      return 0;
    }
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        failed_ = true;
      }
      return 0;
    }
    return static_cast<std::size_t>(n);
  }

  void receiveSome() {
    char buffer[64 * 1024];
    for (int i = 0; i < 64; ++i) {
      ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (n > 0) {
        received_.append(buffer, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0) {
        eof_ = true;
      } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        failed_ = true;
      }
      return;
    }
  }

  int fd_ = -1;
  std::string received_;
  bool eof_ = false;
  bool failed_ = false;
};

}  // namespace weir::echo::test
