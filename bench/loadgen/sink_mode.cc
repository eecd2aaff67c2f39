#include "bench/loadgen/sink_mode.h"

#include <netinet/in.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <cerrno>
#include <optional>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "bench/loadgen/client_socket.h"
#include "bench/loadgen/counts_by_name.h"
#include "bench/loadgen/epoll_set.h"
#include "bench/loadgen/json_line.h"
#include "bench/loadgen/stop_signals.h"
#include "common/json_text.h"

namespace weir::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kListenerTag = 0xffffffff;
constexpr std::uint32_t kSignalTag = 0xfffffffe;
constexpr std::size_t kReadBytes = 256 * 1024;

struct SinkConnection {
  UniqueFd fd;
  std::uint32_t generation = 0;
  std::uint64_t received = 0;
};

UniqueFd listenOn(LoopbackEndpoint& endpoint) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  const int on = 1;
  std::optional<SocketAddress> bound;
  if (!fd || setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
      ::bind(fd.get(), endpoint.address.get(), endpoint.address.length()) != 0 ||
      ::listen(fd.get(), 1024) != 0 || !(bound = localAddressOf(fd.get()))) {
    throw std::system_error(errno, std::generic_category(), "listen on " + endpoint.toString());
  }
  endpoint.address = *bound;
  return fd;
}

// Everything runs on the thread that calls run().
class Sink {
 public:
  explicit Sink(const Options& options)
      : endpoint_(options.listen), listener_(listenOn(endpoint_)), stop_(takeStopSignals()),
        deadline_(Clock::now() + options.hold), buffer_(kReadBytes) {}

  int run() {
    epoll_.add(listener_.get(), EPOLLIN, epollTag(kListenerTag, 0));
    epoll_.add(stop_.get(), EPOLLIN, epollTag(kSignalTag, 0));
    emitJsonLine(fmt::format("{{\"event\":\"listening\",\"address\":{},\"port\":{}}}",
                             jsonString(endpoint_.toString()), endpoint_.port()));
    bool stopping = false;
    while (!stopping && Clock::now() < deadline_) {
      for (const epoll_event& event : epoll_.wait(std::chrono::milliseconds(100))) {
        const std::uint32_t index = tagIndex(event.data.u64);
        if (index == kSignalTag) {
          stopping = true;
        } else if (index == kListenerTag) {
          acceptAll();
        } else if (connections_[index].fd &&
                   connections_[index].generation == tagGeneration(event.data.u64)) {
          drain(index);
        }
      }
    }
    emitJsonLine(fmt::format(
        "{{\"mode\":\"sink\",\"address\":{},\"connections\":{},\"bytes\":{},\"errors\":{},"
        "\"error_kinds\":{}}}",
        jsonString(endpoint_.toString()), completed_, total_bytes_, errors_.total(), errors_.toJson()));
    return errors_.total() == 0 ? 0 : 1;
  }

 private:
  void acceptAll() {
    for (;;) {
      UniqueFd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
      if (!fd) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
          errors_.add(fmt::format("accept {}", errnoName(errno)));
        }
        if (errno == EINTR) {
          continue;
        }
        return;
      }
      std::uint32_t index = 0;
      while (index < connections_.size() && connections_[index].fd) {
        ++index;
      }
      if (index == connections_.size()) {
        connections_.emplace_back();
      }
      SinkConnection& connection = connections_[index];
      connection.fd = std::move(fd);
      connection.received = 0;
      ++connection.generation;
      // Data that came before the registration is reported by it: EPOLL_CTL_ADD checks.
      epoll_.add(connection.fd.get(), EPOLLIN | EPOLLRDHUP, epollTag(index, connection.generation));
    }
  }

  // Reads everything there is; at end of stream answers the count and closes.
  void drain(std::uint32_t index) {
    SinkConnection& connection = connections_[index];
    for (;;) {
      const ssize_t got = ::read(connection.fd.get(), buffer_.data(), buffer_.size());
      if (got > 0) {
        connection.received += static_cast<std::uint64_t>(got);
        continue;
      }
      if (got < 0 && errno == EINTR) {
        continue;
      }
      if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        return;
      }
      if (got < 0) {
        errors_.add(fmt::format("read {}", errnoName(errno)));
        emitJsonLine(fmt::format("{{\"event\":\"failed\",\"bytes\":{}}}", connection.received));
        connection.fd.reset();
        return;
      }
      // End of stream: the send buffer of a socket that was only read from is empty, so
      // the short count line goes out in one send.
      const std::string count = fmt::format("{}\n", connection.received);
      if (::send(connection.fd.get(), count.data(), count.size(), MSG_NOSIGNAL) !=
          static_cast<ssize_t>(count.size())) {
        errors_.add("cannot send the count");
      }
      emitJsonLine(fmt::format("{{\"event\":\"received\",\"bytes\":{}}}", connection.received));
      ++completed_;
      total_bytes_ += connection.received;
      connection.fd.reset();
      return;
    }
  }

  LoopbackEndpoint endpoint_;
  UniqueFd listener_;
  UniqueFd stop_;
  Clock::time_point deadline_;
  std::vector<char> buffer_;
  EpollSet epoll_;
  std::vector<SinkConnection> connections_;
  std::uint64_t completed_ = 0;
  std::uint64_t total_bytes_ = 0;
  CountsByName errors_;
};

}  // namespace

int runSink(const Options& options) {
  Sink sink(options);
  return sink.run();
}

}  // namespace weir::bench
