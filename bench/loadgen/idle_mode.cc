#include "bench/loadgen/idle_mode.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <vector>

#include <fmt/format.h>

#include "bench/loadgen/client_socket.h"
#include "bench/loadgen/echo_answer.h"
#include "bench/loadgen/epoll_set.h"
#include "bench/loadgen/json_line.h"
#include "bench/loadgen/line_reader.h"
#include "bench/loadgen/observations.h"
#include "bench/loadgen/stop_signals.h"
#include "common/json_text.h"
#include "common/socket_error.h"

namespace weir::bench {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::duration_cast;
using std::chrono::microseconds;

constexpr std::uint32_t kSignalTag = 0xffffffff;
constexpr std::uint32_t kStdinTag = 0xfffffffe;
constexpr std::string_view kRequest = "idle";
constexpr std::string_view kRequestLine = "idle\n";

enum class Phase { kWaiting, kConnecting, kAwaitingAnswer, kHeld, kClosed };

struct IdleConnection {
  UniqueFd fd;
  Phase phase = Phase::kWaiting;
  Clock::time_point started;
  LineReader answer{4096};
};

// Standard input as a stop signal, but only when it is a pipe: a terminal or /dev/null
// (a backgrounded shell job) would say nothing or end at once.
bool watchStandardInput(EpollSet& epoll) {
  struct stat status {};
  if (fstat(STDIN_FILENO, &status) != 0 || !S_ISFIFO(status.st_mode)) {
    return false;
  }
  fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
  return epoll.add(STDIN_FILENO, EPOLLIN | EPOLLRDHUP, epollTag(kStdinTag, 0));
}

// True when standard input has reached end of file (what was written is discarded).
bool standardInputEnded() {
  char discard[256];
  for (;;) {
    const ssize_t got = ::read(STDIN_FILENO, discard, sizeof discard);
    if (got == 0) {
      return true;
    }
    if (got < 0) {
      return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
    }
  }
}

// Everything runs on the thread that calls run().
class IdleHolder {
 public:
  explicit IdleHolder(const Options& options)
      : options_(options), stop_(takeStopSignals()), connections_(options.connections) {}

  int run() {
    epoll_.add(stop_.get(), EPOLLIN, epollTag(kSignalTag, 0));
    watchStandardInput(epoll_);
    const auto setup_started = Clock::now();
    const bool stopped_early = openAll();
    const double setup_seconds =
        std::chrono::duration<double>(Clock::now() - setup_started).count();
    const std::uint64_t ready = observed_.completed;
    emitJsonLine(fmt::format(
        "{{\"event\":\"ready\",\"connections\":{},\"setup_seconds\":{:.3f},\"errors\":{},"
        "\"answers\":{}}}",
        ready, setup_seconds, observed_.errors.total(), observed_.answers.toJson()));

    const auto hold_until = Clock::now() + options_.hold;
    bool stopping = stopped_early;
    while (!stopping && Clock::now() < hold_until) {
      for (const epoll_event& event : epoll_.wait(std::chrono::milliseconds(100))) {
        const std::uint32_t index = tagIndex(event.data.u64);
        if (index == kSignalTag) {
          stopping = true;
        } else if (index == kStdinTag) {
          stopping = standardInputEnded();
        } else if (connections_[index].phase == Phase::kHeld &&
                   (event.events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) {
          fail(index, "dropped while held");
        }
      }
    }
    std::uint64_t still_held = 0;
    for (const IdleConnection& connection : connections_) {
      still_held += connection.phase == Phase::kHeld;
    }
    connections_.clear();
    emitJsonLine(fmt::format(
        "{{\"mode\":\"idle\",\"target\":{},\"connections\":{},\"ready\":{},\"held_at_end\":{},"
        "\"setup_seconds\":{:.3f},{}}}",
        jsonString(options_.target.toString()), options_.connections, ready, still_held,
        setup_seconds, observed_.jsonFields()));
    return observed_.errors.total() == 0 ? 0 : 1;
  }

 private:
  // Opens and answers every connection, PARALLEL at a time. True if told to stop.
  bool openAll() {
    std::uint32_t next = 0;
    std::uint32_t in_flight = 0;
    auto last_sweep = Clock::now();
    while (next < connections_.size() || in_flight > 0) {
      while (in_flight < options_.parallel && next < connections_.size()) {
        in_flight += start(next++);
      }
      for (const epoll_event& event : epoll_.wait(std::chrono::milliseconds(10))) {
        const std::uint32_t index = tagIndex(event.data.u64);
        if (index == kSignalTag || (index == kStdinTag && standardInputEnded())) {
          return true;
        }
        if (index == kStdinTag) {
          continue;
        }
        const Phase before = connections_[index].phase;
        onEvent(index, event.events);
        in_flight -= (before == Phase::kConnecting || before == Phase::kAwaitingAnswer) &&
                     (connections_[index].phase == Phase::kHeld ||
                      connections_[index].phase == Phase::kClosed);
      }
      const auto now = Clock::now();
      if (now - last_sweep > std::chrono::milliseconds(100)) {
        last_sweep = now;
        for (std::uint32_t i = 0; i < next; ++i) {
          const Phase phase = connections_[i].phase;
          if ((phase == Phase::kConnecting || phase == Phase::kAwaitingAnswer) &&
              now - connections_[i].started > options_.timeout) {
            fail(i, phase == Phase::kConnecting ? "connect timeout" : "timeout");
            --in_flight;
          }
        }
      }
    }
    return false;
  }

  // 1 if the connection is now in flight, 0 if it failed at once.
  std::uint32_t start(std::uint32_t index) {
    IdleConnection& connection = connections_[index];
    int error = 0;
    connection.started = Clock::now();
    connection.fd = startConnect(options_.target.address, loopbackSource(index, options_.sources), error);
    if (!connection.fd) {
      connection.phase = Phase::kClosed;
      observed_.errors.add(fmt::format("connect {}", errnoName(error)));
      return 0;
    }
    connection.phase = Phase::kConnecting;
    if (!epoll_.add(connection.fd.get(), EPOLLIN | EPOLLOUT | EPOLLRDHUP, epollTag(index, 0))) {
      fail(index, fmt::format("epoll_ctl {}", errnoName(errno)));
      return 0;
    }
    return 1;
  }

  void onEvent(std::uint32_t index, std::uint32_t events) {
    IdleConnection& connection = connections_[index];
    if (connection.phase == Phase::kConnecting && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) != 0) {
      if (const int error = pendingSocketError(connection.fd.get()); error != 0) {
        return fail(index, fmt::format("connect {}", errnoName(error)));
      }
      const ssize_t sent =
          ::send(connection.fd.get(), kRequestLine.data(), kRequestLine.size(), MSG_NOSIGNAL);
      if (sent != static_cast<ssize_t>(kRequestLine.size())) {
        return fail(index, sent < 0 ? fmt::format("send {}", errnoName(errno)) : "short send");
      }
      connection.phase = Phase::kAwaitingAnswer;
    }
    if (connection.phase == Phase::kHeld &&
        (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) {
      return fail(index, "dropped while held");
    }
    if (connection.phase != Phase::kAwaitingAnswer ||
        (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) == 0) {
      return;
    }
    switch (connection.answer.readFrom(connection.fd.get())) {
      case LineReader::Status::kNeedMore:
        return;
      case LineReader::Status::kLine: {
        const auto prefix = answerPrefix(connection.answer.line(), kRequest);
        if (!prefix || connection.answer.extraBytes() != 0) {
          return fail(index, "wrong answer");
        }
        observed_.answers.add(*prefix);
        observed_.latency.record(static_cast<std::uint64_t>(
            duration_cast<microseconds>(Clock::now() - connection.started).count()));
        ++observed_.completed;
        connection.phase = Phase::kHeld;
        connection.answer = LineReader(0);  // give back the buffer: it is held, not read
        return;
      }
      case LineReader::Status::kEndOfFile:
        return fail(index, "closed before answer");
      case LineReader::Status::kError:
        return fail(index, fmt::format("read {}", errnoName(connection.answer.error())));
      case LineReader::Status::kTooLong:
        return fail(index, "answer too long");
    }
  }

  void fail(std::uint32_t index, std::string_view kind) {
    observed_.errors.add(kind);
    connections_[index].fd.reset();
    connections_[index].phase = Phase::kClosed;
  }

  const Options& options_;
  UniqueFd stop_;
  EpollSet epoll_;
  std::vector<IdleConnection> connections_;
  Observations observed_;
};

}  // namespace

int runIdle(const Options& options) {
  IdleHolder holder(options);
  return holder.run();
}

}  // namespace weir::bench
