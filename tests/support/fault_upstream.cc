#include "fault_upstream.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "byte_stream.h"

namespace weir::test {
namespace {


constexpr size_t kIoChunk = 256 * 1024;
// kEcho stops reading while this much echo is unwritten: the server is a
// well-behaved peer that pushes back, it does not buffer without bound.
constexpr size_t kEchoPendingLimit = 512 * 1024;
constexpr size_t kMaxOpen = 2048;  // beyond this, connections wait in the backlog
constexpr auto kLifetime = std::chrono::minutes(30);

void setLingerZero(int fd) {
  linger option{};
  option.l_onoff = 1;
  option.l_linger = 0;
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, sizeof option);
}

}  // namespace

const char* toString(UpstreamBehaviour behaviour) {
  switch (behaviour) {
    case UpstreamBehaviour::kEcho: return "echo";
    case UpstreamBehaviour::kNeverRead: return "never-read";
    case UpstreamBehaviour::kNeverAnswer: return "never-answer";
    case UpstreamBehaviour::kResetOnAccept: return "reset-on-accept";
    case UpstreamBehaviour::kStream: return "stream";
    case UpstreamBehaviour::kAnswerThenReset: return "answer-then-reset";
  }
  return "?";
}

StreamPattern::StreamPattern() {
  block_.resize((1u << 20) + 13);
  fillPatternBytes(0x5eed, 0, block_);
}

const StreamPattern& StreamPattern::instance() {
  static const StreamPattern pattern;
  return pattern;
}

bool StreamPattern::matches(uint64_t offset, std::span<const char> bytes) const {
  size_t done = 0;
  while (done < bytes.size()) {
    const size_t at = static_cast<size_t>((offset + done) % block_.size());
    const size_t length = std::min(bytes.size() - done, block_.size() - at);
    if (std::memcmp(bytes.data() + done, block_.data() + at, length) != 0) return false;
    done += length;
  }
  return true;
}

PatternRead readPattern(TcpConnection& connection, uint64_t& position, uint64_t max_bytes,
                        Clock::time_point deadline) {
  PatternRead result;
  std::vector<char> buffer(kIoChunk);
  while (result.got < max_bytes) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(buffer.size(), max_bytes - result.got));
    size_t got = 0;
    result.end = connection.readSome(std::span<char>(buffer.data(), want), got, deadline);
    if (result.end != IoStatus::kOk) break;
    if (got == 0) {  // readSome reports EOF as kEof; 0 bytes with kOk should not happen
      result.end = IoStatus::kEof;
      break;
    }
    if (result.intact &&
        !StreamPattern::instance().matches(position, std::span<const char>(buffer.data(), got))) {
      result.intact = false;
    }
    position += got;
    result.got += got;
  }
  return result;
}

struct FaultUpstream::Connection {
  int fd = -1;
  size_t report = 0;  // index into reports_
  UpstreamBehaviour behaviour = UpstreamBehaviour::kEcho;
  std::string pending;  // kEcho: received, not yet echoed
  size_t pending_offset = 0;
  bool read_eof = false;
  bool line_read = false;  // kAnswerThenReset: the peer's first '\n' arrived
  bool fin_sent = false;
  uint64_t received = 0;
  uint64_t sent = 0;
  Fnv1a64 hash;
};

FaultUpstream::FaultUpstream(const FaultUpstreamOptions& options)
    : options_(options), behaviour_(options.behaviour) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (listen_fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listen_fd_, options.backlog) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
      ::pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
    const int error = errno;
    ::close(listen_fd_);
    if (wake_pipe_[0] >= 0) ::close(wake_pipe_[0]);
    if (wake_pipe_[1] >= 0) ::close(wake_pipe_[1]);
    throw std::runtime_error(std::string("fault upstream: ") + std::strerror(error));
  }
  port_ = ntohs(address.sin_port);
  if (options.behaviour == UpstreamBehaviour::kStream ||
      options.behaviour == UpstreamBehaviour::kAnswerThenReset) {
    StreamPattern::instance();
  }
  thread_ = std::thread([this] { run(); });
}

FaultUpstream::~FaultUpstream() {
  stop();
  ::close(wake_pipe_[0]);
  ::close(wake_pipe_[1]);
}

void FaultUpstream::wake() {
  const char byte = 1;
  [[maybe_unused]] ssize_t ignored = ::write(wake_pipe_[1], &byte, 1);
}

void FaultUpstream::setBehaviour(UpstreamBehaviour behaviour) {
  std::lock_guard lock(mutex_);
  behaviour_ = behaviour;
}

size_t FaultUpstream::killConnections() {
  std::unique_lock lock(mutex_);
  if (stopping_) return 0;
  const uint64_t request = ++kill_requests_;
  wake();
  changed_.wait_for(lock, std::chrono::seconds(5), [&] { return kills_done_ >= request; });
  return last_kill_count_;
}

void FaultUpstream::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake();
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
}

std::vector<UpstreamConnectionReport> FaultUpstream::connections() const {
  std::lock_guard lock(mutex_);
  return reports_;
}

size_t FaultUpstream::accepted() const {
  std::lock_guard lock(mutex_);
  return reports_.size();
}

size_t FaultUpstream::open() const {
  std::lock_guard lock(mutex_);
  return static_cast<size_t>(std::count_if(reports_.begin(), reports_.end(),
                                           [](const auto& report) { return !report.closed; }));
}

bool FaultUpstream::waitUntil(
    const std::function<bool(const std::vector<UpstreamConnectionReport>&)>& done,
    milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (done(connections())) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(10));
  }
}

void FaultUpstream::closeConnection(Connection& connection, bool reset) {
  if (connection.fd < 0) return;
  if (reset) setLingerZero(connection.fd);
  ::close(connection.fd);
  connection.fd = -1;
  std::lock_guard lock(mutex_);
  reports_[connection.report].closed = true;
}

bool FaultUpstream::acceptOne() {
  const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) return false;  // EAGAIN, or the client gave up: nothing to do
  Connection connection;
  connection.fd = fd;
  {
    std::lock_guard lock(mutex_);
    connection.behaviour = behaviour_;
    connection.report = reports_.size();
    UpstreamConnectionReport report;
    report.behaviour = behaviour_;
    report.received_hash = Fnv1a64().value();
    reports_.push_back(report);
  }
  if (connection.behaviour == UpstreamBehaviour::kResetOnAccept) {
    closeConnection(connection, true);
    return true;
  }
  live_.push_back(std::move(connection));
  return true;
}

// Moves what can move on one connection without blocking; closes it when done.
void FaultUpstream::service(Connection& connection, short revents) {
  const UpstreamBehaviour behaviour = connection.behaviour;
  bool reset = false;
  bool fin = false;
  std::vector<char> buffer;

  if (behaviour == UpstreamBehaviour::kNeverRead) {
    if (revents & POLLERR) {
      reset = true;
    } else if (revents & (POLLRDHUP | POLLHUP)) {
      fin = true;
    }
  } else if ((revents & (POLLIN | POLLHUP | POLLERR)) && !connection.read_eof) {
    buffer.resize(kIoChunk);
    for (int round = 0; round < 8; ++round) {
      if (behaviour == UpstreamBehaviour::kEcho &&
          connection.pending.size() - connection.pending_offset >= kEchoPendingLimit) {
        break;
      }
      const ssize_t got = ::recv(connection.fd, buffer.data(), buffer.size(), 0);
      if (got == 0) {
        connection.read_eof = true;
        fin = true;
        break;
      }
      if (got < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) reset = true;
        break;
      }
      const std::span<const char> bytes(buffer.data(), static_cast<size_t>(got));
      connection.received += bytes.size();
      if (behaviour != UpstreamBehaviour::kStream) connection.hash.update(bytes);
      if (behaviour == UpstreamBehaviour::kEcho) connection.pending.append(bytes.data(), bytes.size());
      if (std::find(bytes.begin(), bytes.end(), '\n') != bytes.end()) connection.line_read = true;
    }
  }

  // Writes: the echo backlog, or the next piece of the stream. The answer to a line
  // goes out in the same call that read the line: no poll round between them.
  const bool answering = behaviour == UpstreamBehaviour::kAnswerThenReset && connection.line_read;
  if (!reset && ((revents & POLLOUT) || answering)) {
    for (int round = 0; round < 8; ++round) {
      const char* data = nullptr;
      size_t length = 0;
      if (behaviour == UpstreamBehaviour::kEcho) {
        data = connection.pending.data() + connection.pending_offset;
        length = connection.pending.size() - connection.pending_offset;
      } else if ((behaviour == UpstreamBehaviour::kStream || answering) &&
                 connection.sent < options_.stream_bytes) {
        const StreamPattern& pattern = StreamPattern::instance();
        const size_t at = static_cast<size_t>(connection.sent % pattern.size());
        data = pattern.block().data() + at;
        length = static_cast<size_t>(std::min<uint64_t>(
            {options_.stream_bytes - connection.sent, pattern.size() - at, kIoChunk}));
      }
      if (length == 0) break;
      const ssize_t written = ::send(connection.fd, data, length, MSG_NOSIGNAL);
      if (written < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) reset = true;  // EPIPE, ECONNRESET, ...
        break;
      }
      connection.sent += static_cast<uint64_t>(written);
      if (behaviour == UpstreamBehaviour::kEcho) {
        connection.pending_offset += static_cast<size_t>(written);
        if (connection.pending_offset == connection.pending.size()) {
          connection.pending.clear();
          connection.pending_offset = 0;
        }
      }
    }
  }

  {
    std::lock_guard lock(mutex_);
    UpstreamConnectionReport& report = reports_[connection.report];
    report.received = connection.received;
    report.received_hash = connection.hash.value();
    report.sent = connection.sent;
    report.peer_fin = report.peer_fin || fin;
    report.peer_reset = report.peer_reset || reset;
  }

  if (reset) {
    closeConnection(connection, false);
    return;
  }
  if (answering && connection.sent >= options_.stream_bytes) {
    closeConnection(connection, true);  // SO_LINGER 0: the RST right behind the bytes
    return;
  }
  const bool nothing_to_write =
      (behaviour == UpstreamBehaviour::kEcho && connection.pending.empty()) ||
      (behaviour == UpstreamBehaviour::kStream && connection.sent >= options_.stream_bytes) ||
      (behaviour == UpstreamBehaviour::kAnswerThenReset && !connection.line_read) ||
      behaviour == UpstreamBehaviour::kNeverAnswer;
  if (behaviour == UpstreamBehaviour::kStream && nothing_to_write && !connection.fin_sent) {
    ::shutdown(connection.fd, SHUT_WR);
    connection.fin_sent = true;
  }
  if (behaviour == UpstreamBehaviour::kNeverRead && fin) {
    closeConnection(connection, false);
  } else if (connection.read_eof && nothing_to_write) {
    // The peer is done and so are we: FIN (close() sends it).
    closeConnection(connection, false);
  }
}

void FaultUpstream::run() {
  const auto give_up = Clock::now() + kLifetime;
  // Slow accept: when the connection waiting in the backlog is taken; max() if none waits.
  constexpr Clock::time_point kNoneWaiting = Clock::time_point::max();
  Clock::time_point accept_at = kNoneWaiting;
  std::vector<pollfd> entries;
  while (Clock::now() < give_up) {
    uint64_t kill_request = 0;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
      if (kill_request = kill_requests_; kill_request == kills_done_) kill_request = 0;
    }
    if (kill_request != 0) {
      size_t killed = 0;
      for (Connection& connection : live_) {
        if (connection.fd < 0) continue;
        {
          std::lock_guard lock(mutex_);
          reports_[connection.report].killed = true;
        }
        closeConnection(connection, true);
        ++killed;
      }
      std::lock_guard lock(mutex_);
      kills_done_ = kill_request;
      last_kill_count_ = killed;
      changed_.notify_all();
    }
    std::erase_if(live_, [](const Connection& connection) { return connection.fd < 0; });

    const auto now = Clock::now();
    int wait_ms = 50;
    entries.clear();
    entries.push_back({wake_pipe_[0], POLLIN, 0});
    const bool waiting = accept_at != kNoneWaiting;
    const bool may_accept = live_.size() < kMaxOpen && (!waiting || now >= accept_at);
    if (waiting && !may_accept) {
      wait_ms = std::min<int>(wait_ms, static_cast<int>(std::chrono::ceil<milliseconds>(
                                                             accept_at - now).count()));
    }
    entries.push_back({listen_fd_, static_cast<short>(may_accept ? POLLIN : 0), 0});
    for (const Connection& connection : live_) {
      short events = 0;
      switch (connection.behaviour) {
        case UpstreamBehaviour::kEcho:
          if (!connection.read_eof &&
              connection.pending.size() - connection.pending_offset < kEchoPendingLimit) {
            events |= POLLIN;
          }
          if (!connection.pending.empty()) events |= POLLOUT;
          break;
        case UpstreamBehaviour::kNeverRead: events = POLLRDHUP; break;
        case UpstreamBehaviour::kNeverAnswer: events = POLLIN; break;
        case UpstreamBehaviour::kStream:
          if (!connection.read_eof) events |= POLLIN;
          if (connection.sent < options_.stream_bytes) events |= POLLOUT;
          break;
        case UpstreamBehaviour::kAnswerThenReset:
          if (!connection.line_read && !connection.read_eof) events |= POLLIN;
          if (connection.line_read) events |= POLLOUT;
          break;
        case UpstreamBehaviour::kResetOnAccept: break;
      }
      entries.push_back({connection.fd, events, 0});
    }
    const int ready = ::poll(entries.data(), entries.size(), std::max(wait_ms, 0));
    if (ready < 0 && errno != EINTR) break;
    if (entries[0].revents & POLLIN) {
      char drain[64];
      while (::read(wake_pipe_[0], drain, sizeof drain) > 0) {
      }
    }
    // Connections first: entries[i + 2] belongs to live_[i] (acceptOne appends).
    const size_t polled = live_.size();
    for (size_t i = 0; i < polled; ++i) {
      const short revents = entries[i + 2].revents;
      if (revents != 0 && live_[i].fd >= 0) service(live_[i], revents);
    }
    if (may_accept && (entries[1].revents & POLLIN)) {
      if (options_.accept_delay.count() > 0 && accept_at == kNoneWaiting) {
        accept_at = Clock::now() + options_.accept_delay;  // first seen: wait, then take it
      } else if (options_.accept_delay.count() > 0) {
        acceptOne();
        accept_at = kNoneWaiting;  // the next one waits its own delay
      } else {
        for (int i = 0; i < 16 && live_.size() < kMaxOpen && acceptOne(); ++i) {
        }
      }
    }
  }
  for (Connection& connection : live_) {
    if (connection.fd < 0) continue;
    {
      std::lock_guard lock(mutex_);
      reports_[connection.report].killed = true;
    }
    closeConnection(connection, true);
  }
  live_.clear();
  std::lock_guard lock(mutex_);
  kills_done_ = kill_requests_;
  changed_.notify_all();
}

}  // namespace weir::test
