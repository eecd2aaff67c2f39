#include "bench/loadgen/pingpong_mode.h"

#include <sys/socket.h>

#include <barrier>
#include <cerrno>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "bench/loadgen/client_socket.h"
#include "bench/loadgen/echo_answer.h"
#include "bench/loadgen/epoll_set.h"
#include "bench/loadgen/json_line.h"
#include "bench/loadgen/line_reader.h"
#include "bench/loadgen/observations.h"
#include "common/json_text.h"
#include "common/socket_error.h"

namespace weir::bench {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::duration_cast;
using std::chrono::microseconds;

constexpr std::size_t kPrefixRoom = 256;

struct PingpongConnection {
  explicit PingpongConnection(std::uint32_t size)
      : message(pingpongMessage(0, size)), message_sent(message.size()), answer(size + kPrefixRoom) {}

  UniqueFd fd;
  bool connected = false;
  std::string message;          // the line in flight, '\n' included
  std::size_t message_sent;     // bytes of it written so far
  std::uint64_t sequence = 0;
  std::string prefix;           // of the first answer
  Clock::time_point sent_at;
  LineReader answer;
};

// The connections of one thread; everything here runs on that thread.
class PingpongThread {
 public:
  PingpongThread(const Options& options, std::uint32_t first_connection, std::uint32_t count,
                 std::barrier<>& all_connected)
      : options_(options), first_(first_connection), all_connected_(all_connected) {
    connections_.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) {
      connections_.emplace_back(options.message_bytes);
    }
  }

  Observations run() {
    connectAll();
    all_connected_.arrive_and_wait();
    const auto deadline = Clock::now() + options_.duration;
    for (std::uint32_t i = 0; i < connections_.size(); ++i) {
      if (connections_[i].fd) {
        sendNext(i);
      }
    }
    for (Clock::time_point now = Clock::now(); now < deadline; now = Clock::now()) {
      const auto wait = std::min<Clock::duration>(deadline - now, std::chrono::milliseconds(10));
      for (const epoll_event& event : epoll_.wait(duration_cast<microseconds>(wait))) {
        const std::uint32_t index = tagIndex(event.data.u64);
        if (connections_[index].fd) {
          onEvent(index, event.events);
        }
      }
      now = Clock::now();
      for (std::uint32_t i = 0; i < connections_.size(); ++i) {
        if (connections_[i].fd && now - connections_[i].sent_at > options_.timeout) {
          fail(i, "timeout");
        }
      }
    }
    return std::move(observed_);
  }

 private:
  // Opens every connection and waits (bounded by the timeout) until each is connected.
  void connectAll() {
    for (std::uint32_t i = 0; i < connections_.size(); ++i) {
      int error = 0;
      connections_[i].fd =
          startConnect(options_.target.address, loopbackSource(first_ + i, options_.sources), error);
      if (!connections_[i].fd) {
        observed_.errors.add(fmt::format("connect {}", errnoName(error)));
      } else if (!epoll_.add(connections_[i].fd.get(), EPOLLIN | EPOLLOUT | EPOLLRDHUP,
                             epollTag(i, 0))) {
        fail(i, fmt::format("epoll_ctl {}", errnoName(errno)));
      }
    }
    const auto give_up = Clock::now() + options_.timeout;
    std::size_t pending = countPending();
    while (pending > 0 && Clock::now() < give_up) {
      for (const epoll_event& event : epoll_.wait(std::chrono::milliseconds(10))) {
        PingpongConnection& connection = connections_[tagIndex(event.data.u64)];
        if (!connection.fd || connection.connected) {
          continue;
        }
        if (const int error = pendingSocketError(connection.fd.get()); error != 0) {
          fail(tagIndex(event.data.u64), fmt::format("connect {}", errnoName(error)));
        } else if ((event.events & EPOLLOUT) != 0) {
          connection.connected = true;
        }
      }
      pending = countPending();
    }
    for (std::uint32_t i = 0; i < connections_.size(); ++i) {
      if (connections_[i].fd && !connections_[i].connected) {
        fail(i, "connect timeout");
      }
    }
  }

  std::size_t countPending() const {
    std::size_t pending = 0;
    for (const PingpongConnection& connection : connections_) {
      pending += connection.fd && !connection.connected;
    }
    return pending;
  }

  void sendNext(std::uint32_t index) {
    PingpongConnection& connection = connections_[index];
    const std::uint64_t global_index = first_ + index;
    stampPingpongMessage(connection.message, (global_index << 40) | connection.sequence++);
    connection.message_sent = 0;
    connection.sent_at = Clock::now();
    writePending(index);
  }

  // Writes what is left of the message; the rest goes out on the next writable edge.
  void writePending(std::uint32_t index) {
    PingpongConnection& connection = connections_[index];
    while (connection.message_sent < connection.message.size()) {
      const ssize_t sent = ::send(connection.fd.get(), connection.message.data() + connection.message_sent,
                                  connection.message.size() - connection.message_sent, MSG_NOSIGNAL);
      if (sent > 0) {
        connection.message_sent += static_cast<std::size_t>(sent);
      } else if (sent < 0 && errno == EINTR) {
        continue;
      } else if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        return;
      } else {
        return fail(index, fmt::format("send {}", errnoName(errno)));
      }
    }
  }

  void onEvent(std::uint32_t index, std::uint32_t events) {
    PingpongConnection& connection = connections_[index];
    if ((events & EPOLLOUT) != 0 && connection.message_sent < connection.message.size()) {
      writePending(index);
      if (!connection.fd) {
        return;
      }
    }
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) == 0) {
      return;
    }
    switch (connection.answer.readFrom(connection.fd.get())) {
      case LineReader::Status::kNeedMore:
        return;
      case LineReader::Status::kLine:
        return onAnswer(index);
      case LineReader::Status::kEndOfFile:
        return fail(index, "closed before answer");
      case LineReader::Status::kError:
        return fail(index, fmt::format("read {}", errnoName(connection.answer.error())));
      case LineReader::Status::kTooLong:
        return fail(index, "answer too long");
    }
  }

  void onAnswer(std::uint32_t index) {
    PingpongConnection& connection = connections_[index];
    const std::string_view request =
        std::string_view(connection.message).substr(0, connection.message.size() - 1);
    const auto prefix = answerPrefix(connection.answer.line(), request);
    if (!prefix || connection.answer.extraBytes() != 0 ||
        connection.message_sent != connection.message.size()) {
      return fail(index, "wrong answer");
    }
    if (connection.prefix.empty()) {
      connection.prefix = std::string(*prefix);
      observed_.answers.add(*prefix);
    } else if (connection.prefix != *prefix) {
      return fail(index, "answer prefix changed");
    }
    observed_.latency.record(static_cast<std::uint64_t>(
        duration_cast<microseconds>(Clock::now() - connection.sent_at).count()));
    ++observed_.completed;
    connection.answer.takeLine();
    sendNext(index);
  }

  void fail(std::uint32_t index, std::string_view kind) {
    observed_.errors.add(kind);
    connections_[index].fd.reset();  // a broken connection stays closed: no reconnects
  }

  const Options& options_;
  std::uint32_t first_;
  std::barrier<>& all_connected_;
  EpollSet epoll_;
  std::vector<PingpongConnection> connections_;
  Observations observed_;
};

}  // namespace

std::string pingpongMessage(std::uint64_t sequence, std::uint32_t size) {
  std::string message(size, 'x');
  message.back() = '\n';
  stampPingpongMessage(message, sequence);
  return message;
}

void stampPingpongMessage(std::string& message, std::uint64_t sequence) {
  char digits[16];
  fmt::format_to(digits, "{:016x}", sequence);
  const std::size_t shown = std::min(message.size() - 1, sizeof digits);
  message.replace(0, shown, digits + sizeof digits - shown, shown);
}

int runPingpong(const Options& options) {
  const std::uint32_t threads = std::min(options.threads, options.connections);
  std::barrier<> all_connected(threads);
  std::vector<Observations> per_thread(threads);
  {
    std::vector<std::jthread> workers;
    std::uint32_t first = 0;
    for (std::uint32_t t = 0; t < threads; ++t) {
      const std::uint32_t count = options.connections / threads + (t < options.connections % threads);
      workers.emplace_back([&, t, first, count] {
        PingpongThread worker(options, first, count, all_connected);
        per_thread[t] = worker.run();
      });
      first += count;
    }
  }
  Observations observed;
  for (const Observations& part : per_thread) {
    observed.merge(part);
  }
  const double seconds = std::chrono::duration<double>(options.duration).count();
  emitJsonLine(fmt::format(
      "{{\"mode\":\"pingpong\",\"target\":{},\"connections\":{},\"size\":{},\"threads\":{},"
      "\"seconds\":{:.3f},\"messages\":{},\"rate_per_s\":{:.1f},{}}}",
      jsonString(options.target.toString()), options.connections, options.message_bytes, threads,
      seconds, observed.completed, static_cast<double>(observed.completed) / seconds,
      observed.jsonFields()));
  return observed.errors.total() == 0 ? 0 : 1;
}

}  // namespace weir::bench
