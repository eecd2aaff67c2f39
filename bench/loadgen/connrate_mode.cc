#include "bench/loadgen/connrate_mode.h"

#include <sys/socket.h>

#include <cerrno>
#include <string>
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

constexpr std::string_view kRequest = "ping";
constexpr std::string_view kRequestLine = "ping\n";
constexpr std::size_t kMaxAnswerBytes = 4096;

// One client's current exchange. The slot outlives its connections; `generation`
// tells this connection's events from those of the one before it.
struct ExchangeSlot {
  UniqueFd fd;
  std::uint32_t generation = 0;
  bool request_sent = false;
  Clock::time_point started;
  LineReader answer{kMaxAnswerBytes};
};

// The clients of one thread; everything here runs on that thread.
class ConnrateThread {
 public:
  ConnrateThread(const Options& options, std::uint32_t first_client, std::uint32_t clients,
                 Clock::time_point deadline)
      : options_(options), slots_(clients), next_source_(first_client), deadline_(deadline) {}

  Observations run() {
    for (std::uint32_t i = 0; i < slots_.size(); ++i) {
      start(i);
    }
    for (Clock::time_point now = Clock::now(); now < deadline_; now = Clock::now()) {
      const auto wait = std::min<Clock::duration>(deadline_ - now, std::chrono::milliseconds(10));
      for (const epoll_event& event : epoll_.wait(duration_cast<microseconds>(wait))) {
        const std::uint32_t index = tagIndex(event.data.u64);
        if (slots_[index].fd && slots_[index].generation == tagGeneration(event.data.u64)) {
          onEvent(index, event.events);
        }
      }
      sweep(Clock::now());
    }
    return std::move(observed_);
  }

 private:
  void start(std::uint32_t index) {
    ExchangeSlot& slot = slots_[index];
    slot.started = Clock::now();
    if (slot.started >= deadline_) {
      return;
    }
    int error = 0;
    slot.fd = startConnect(options_.target.address, loopbackSource(next_source_++, options_.sources),
                           error);
    ++slot.generation;
    slot.request_sent = false;
    slot.answer.clear();
    if (!slot.fd) {
      observed_.errors.add(fmt::format("connect {}", errnoName(error)));
      return;  // the sweep tries again on the next turn of the loop
    }
    if (!epoll_.add(slot.fd.get(), EPOLLIN | EPOLLOUT | EPOLLRDHUP,
                    epollTag(index, slot.generation))) {
      fail(index, fmt::format("epoll_ctl {}", errnoName(errno)));
    }
  }

  void onEvent(std::uint32_t index, std::uint32_t events) {
    ExchangeSlot& slot = slots_[index];
    if (!slot.request_sent) {
      if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0) {
        return;
      }
      if (const int error = pendingSocketError(slot.fd.get()); error != 0) {
        return fail(index, fmt::format("connect {}", errnoName(error)));
      }
      const ssize_t sent =
          ::send(slot.fd.get(), kRequestLine.data(), kRequestLine.size(), MSG_NOSIGNAL);
      if (sent != static_cast<ssize_t>(kRequestLine.size())) {
        return fail(index, sent < 0 ? fmt::format("send {}", errnoName(errno)) : "short send");
      }
      slot.request_sent = true;
    }
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) == 0) {
      return;
    }
    switch (slot.answer.readFrom(slot.fd.get())) {
      case LineReader::Status::kNeedMore:
        return;
      case LineReader::Status::kLine: {
        const auto prefix = answerPrefix(slot.answer.line(), kRequest);
        if (!prefix || slot.answer.extraBytes() != 0) {
          return fail(index, "wrong answer");
        }
        const auto now = Clock::now();
        observed_.answers.add(*prefix);
        observed_.latency.record(
            static_cast<std::uint64_t>(duration_cast<microseconds>(now - slot.started).count()));
        ++observed_.completed;
        slot.fd.reset();
        return start(index);
      }
      case LineReader::Status::kEndOfFile:
        return fail(index, "closed before answer");
      case LineReader::Status::kError:
        return fail(index, fmt::format("read {}", errnoName(slot.answer.error())));
      case LineReader::Status::kTooLong:
        return fail(index, "answer too long");
    }
  }

  void fail(std::uint32_t index, std::string_view kind) {
    observed_.errors.add(kind);
    slots_[index].fd.reset();  // restarted by the sweep, so a dead target is not spun on
  }

  // Restarts failed clients and fails exchanges that have waited too long.
  void sweep(Clock::time_point now) {
    for (std::uint32_t i = 0; i < slots_.size(); ++i) {
      if (!slots_[i].fd) {
        start(i);
      } else if (now - slots_[i].started > options_.timeout) {
        fail(i, "timeout");
      }
    }
  }

  const Options& options_;
  EpollSet epoll_;
  std::vector<ExchangeSlot> slots_;
  std::uint32_t next_source_;
  Clock::time_point deadline_;
  Observations observed_;
};

}  // namespace

int runConnrate(const Options& options) {
  const std::uint32_t threads = std::min(options.threads, options.connections);
  const auto started = Clock::now();
  const auto deadline = started + options.duration;
  std::vector<Observations> per_thread(threads);
  {
    std::vector<std::jthread> workers;
    std::uint32_t first = 0;
    for (std::uint32_t t = 0; t < threads; ++t) {
      const std::uint32_t clients = options.connections / threads + (t < options.connections % threads);
      workers.emplace_back([&, t, first, clients] {
        ConnrateThread worker(options, first, clients, deadline);
        per_thread[t] = worker.run();
      });
      first += clients;
    }
  }
  Observations observed;
  for (const Observations& part : per_thread) {
    observed.merge(part);
  }
  const double seconds = std::chrono::duration<double>(deadline - started).count();
  emitJsonLine(fmt::format(
      "{{\"mode\":\"connrate\",\"target\":{},\"clients\":{},\"threads\":{},\"seconds\":{:.3f},"
      "\"exchanges\":{},\"rate_per_s\":{:.1f},{}}}",
      jsonString(options.target.toString()), options.connections, threads, seconds,
      observed.completed, static_cast<double>(observed.completed) / seconds,
      observed.jsonFields()));
  return observed.errors.total() == 0 ? 0 : 1;
}

}  // namespace weir::bench
