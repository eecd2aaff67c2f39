#include "proxy/upstream/health_checker.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>

#include <spdlog/spdlog.h>

#include "common/embedded_event.h"
#include "common/socket_error.h"
#include "proxy/upstream/connect_failure_cause.h"

namespace weir::proxy {
namespace {

// An answer that grows past this without containing `expect` fails the probe,
// so a talkative endpoint cannot make the checker buffer without bound.
constexpr size_t kMaxAnswerBytes = 64 * 1024;

timeval toTimeval(std::chrono::steady_clock::duration duration) {
  const auto us = std::max<int64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(duration).count(), 0);
  return timeval{static_cast<time_t>(us / 1'000'000), static_cast<suseconds_t>(us % 1'000'000)};
}

// `bytes` for a log line: printable ASCII as is, the rest as \xNN, at most 32 bytes.
std::string quoted(const std::string& bytes) {
  std::string text = "\"";
  for (size_t i = 0; i < bytes.size() && i < 32; ++i) {
    const auto byte = static_cast<unsigned char>(bytes[i]);
    if (byte >= 0x20 && byte < 0x7f && byte != '"' && byte != '\\') {
      text += static_cast<char>(byte);
    } else {
      text += fmt::format("\\x{:02x}", byte);
    }
  }
  if (bytes.size() > 32) text += "...";
  return text + "\"";
}

}  // namespace

class HealthChecker::Target {
 public:
  Target(event_base* loop, LocalErrorLog& local_errors, spdlog::logger& log,
         std::string cluster_name, std::string display)
      : loop_(loop),
        local_errors_(local_errors),
        log_(log),
        cluster_name_(std::move(cluster_name)),
        display_(std::move(display)) {
    timer_.assign(loop_, -1, 0, &Target::onTimer, this);
  }
  ~Target() { closeSocket(); }
  Target(const Target&) = delete;
  Target& operator=(const Target&) = delete;

  // The settings and health state of the current snapshot. A probe in flight
  // finishes under the settings it started with; a waiting one is rescheduled
  // `interval` after the previous probe finished.
  void configure(const config::UpstreamCluster::HealthCheck& settings,
                 const SocketAddress& address, ClusterHealth* cluster, EndpointHealth* endpoint) {
    const bool interval_changed = settings.interval != settings_.interval;
    settings_ = settings;
    address_ = address;
    cluster_ = cluster;
    endpoint_ = endpoint;
    if (interval_changed && phase_ == Phase::kWaiting && last_finished_) {
      const timeval delay =
          toTimeval(*last_finished_ + settings_.interval - std::chrono::steady_clock::now());
      timer_.add(&delay);
    }
  }

  // The first probe, on the loop's next iteration.
  void probeSoon() {
    const timeval now{0, 0};
    timer_.add(&now);
  }

  // No longer checked: whatever the checks decided no longer holds.
  void returnToRotation() {
    if (endpoint_ != nullptr && endpoint_->failedActiveCheck()) {
      cluster_->setFailedActiveCheck(*endpoint_, false);
    }
  }

 private:
  enum class Phase { kWaiting, kConnecting, kSending, kReceiving };

  static void onTimer(evutil_socket_t, short, void* self) {
    auto* target = static_cast<Target*>(self);
    if (target->phase_ == Phase::kWaiting) {
      target->startProbe();
    } else {
      target->onDeadline();
    }
  }

  static void onSocket(evutil_socket_t, short, void* self) {
    auto* target = static_cast<Target*>(self);
    switch (target->phase_) {
      case Phase::kConnecting: target->onConnectDone(); break;
      case Phase::kSending: target->sendSome(); break;
      case Phase::kReceiving: target->receiveSome(); break;
      case Phase::kWaiting: break;
    }
  }

  void startProbe() {
    probe_settings_ = settings_;
    probe_started_ = std::chrono::steady_clock::now();
    const timeval timeout = toTimeval(probe_settings_.timeout);
    timer_.add(&timeout);
    phase_ = Phase::kConnecting;
    fd_ = ::socket(address_.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      onConnectError(ConnectStep::kSocket, errno);
      return;
    }
    if (::connect(fd_, address_.get(), address_.length()) == 0) {
      local_errors_.onSuccess();
      onConnected();
    } else if (errno == EINPROGRESS) {
      local_errors_.onSuccess();
      waitFor(EV_WRITE);
    } else {
      onConnectError(ConnectStep::kConnect, errno);
    }
  }

  void onConnectDone() {
    if (const int error = pendingSocketError(fd_); error != 0) {
      onConnectError(ConnectStep::kConnect, error);
      return;
    }
    onConnected();
  }

  // socket() or connect() failed: the endpoint's failure, or weir's own.
  void onConnectError(ConnectStep step, int error) {
    const ConnectFailureCause cause = connectErrorCause(step, error, address_.family());
    if (isLocal(cause)) {
      finishLocal(cause, error);
      return;
    }
    finish(false, fmt::format("{}: {}", step == ConnectStep::kSocket ? "socket" : "connect",
                              std::strerror(error)));
  }

  // The probe's timeout fired. A busy loop may run it before the socket's event
  // in the same pass, so the socket's news is taken first; and a deadline seen
  // more than a whole timeout late measured weir's loop, not the endpoint.
  void onDeadline() {
    switch (phase_) {
      case Phase::kConnecting: {
        pollfd connecting{fd_, POLLOUT, 0};
        if (::poll(&connecting, 1, 0) == 1) onConnectDone();
        break;
      }
      case Phase::kSending: sendSome(); break;
      case Phase::kReceiving: receiveSome(); break;
      case Phase::kWaiting: break;
    }
    if (phase_ == Phase::kWaiting) return;  // the probe ended meanwhile
    const auto late_by =
        std::chrono::steady_clock::now() - (probe_started_ + probe_settings_.timeout);
    const ConnectFailureCause cause = connectTimeoutCause(late_by, probe_settings_.timeout);
    if (isLocal(cause)) {
      finishLocal(cause, 0);
      return;
    }
    finish(false, timeoutReason());
  }

  void onConnected() {
    if (!probe_settings_.send.empty()) {
      phase_ = Phase::kSending;
      sendSome();
    } else {
      awaitAnswer();
    }
  }

  void sendSome() {
    const std::string& payload = probe_settings_.send;
    while (sent_ < payload.size()) {
      const ssize_t n =
          ::send(fd_, payload.data() + sent_, payload.size() - sent_, MSG_NOSIGNAL);
      if (n >= 0) {
        sent_ += static_cast<size_t>(n);
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        waitFor(EV_WRITE);
        return;
      } else if (errno != EINTR) {
        finish(false, fmt::format("send: {}", std::strerror(errno)));
        return;
      }
    }
    awaitAnswer();
  }

  void awaitAnswer() {
    if (probe_settings_.expect.empty()) {
      finish(true, "");
      return;
    }
    phase_ = Phase::kReceiving;
    waitFor(EV_READ);
  }

  void receiveSome() {
    const std::string& expect = probe_settings_.expect;
    char buffer[4096];
    for (;;) {
      const size_t room = std::min(sizeof(buffer), kMaxAnswerBytes - received_.size());
      const ssize_t n = ::recv(fd_, buffer, room, 0);
      if (n > 0) {
        // Only the new bytes, and the tail that could start a match, are searched.
        const size_t from = received_.size() >= expect.size() ? received_.size() - expect.size() + 1 : 0;
        received_.append(buffer, static_cast<size_t>(n));
        if (received_.find(expect, from) != std::string::npos) {
          finish(true, "");
          return;
        }
        if (received_.size() >= kMaxAnswerBytes) {
          finish(false, fmt::format("no {} in the first {} bytes of the answer", quoted(expect),
                                    received_.size()));
          return;
        }
      } else if (n == 0) {
        finish(false, fmt::format("connection closed before {} arrived ({} bytes received)",
                                  quoted(expect), received_.size()));
        return;
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        waitFor(EV_READ);
        return;
      } else if (errno != EINTR) {
        finish(false, fmt::format("recv: {}", std::strerror(errno)));
        return;
      }
    }
  }

  std::string timeoutReason() const {
    const auto ms = probe_settings_.timeout.count();
    switch (phase_) {
      case Phase::kConnecting: return fmt::format("connect timed out after {}ms", ms);
      case Phase::kSending: return fmt::format("send timed out after {}ms", ms);
      default:
        return fmt::format("no {} within {}ms ({} bytes received)", quoted(probe_settings_.expect),
                           ms, received_.size());
    }
  }

  void waitFor(short what) {
    socket_event_.assign(loop_, fd_, what, &Target::onSocket, this);
    socket_event_.add();
  }

  void closeSocket() {
    socket_event_.clear();  // before close: the loop must forget the descriptor first
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    sent_ = 0;
    received_.clear();
  }

  // The probe is over: its socket closed, the next one `interval` from now.
  void endProbe() {
    closeSocket();
    phase_ = Phase::kWaiting;
    last_finished_ = std::chrono::steady_clock::now();
    const timeval interval = toTimeval(settings_.interval);
    timer_.add(&interval);
  }

  // A probe weir could not make or judge for its own reasons: no verdict, no
  // change to either streak; counted, and logged once per burst.
  void finishLocal(ConnectFailureCause cause, int error) {
    endProbe();
    cluster_->recordLocalHealthCheckFailure();
    local_errors_.onFailure(cause, error,
                            fmt::format("health check of {} {}", cluster_name_, display_));
  }

  // One probe's result: counted, compared with the thresholds, and the next
  // probe scheduled `interval` from now.
  void finish(bool passed, const std::string& reason) {
    endProbe();
    cluster_->recordHealthCheck(*endpoint_, passed);
    if (passed) {
      ++consecutive_passes_;
      consecutive_failures_ = 0;
      passed_once_ = true;
      if (endpoint_->failedActiveCheck() &&
          consecutive_passes_ >= std::max<uint32_t>(settings_.healthy_threshold, 1)) {
        cluster_->setFailedActiveCheck(*endpoint_, false);
        log_.info("health check: {} {} is healthy again", cluster_name_, display_);
      }
      return;
    }
    ++consecutive_failures_;
    consecutive_passes_ = 0;
    if (!endpoint_->failedActiveCheck() &&
        (!passed_once_ ||
         consecutive_failures_ >= std::max<uint32_t>(settings_.unhealthy_threshold, 1))) {
      cluster_->setFailedActiveCheck(*endpoint_, true);
      log_.info("health check: {} {} is now unhealthy ({})", cluster_name_, display_, reason);
    } else {
      log_.debug("health check: {} {} failed a probe ({})", cluster_name_, display_, reason);
    }
  }

  event_base* const loop_;
  LocalErrorLog& local_errors_;
  spdlog::logger& log_;
  const std::string cluster_name_;
  const std::string display_;
  config::UpstreamCluster::HealthCheck settings_;        // of the current snapshot
  config::UpstreamCluster::HealthCheck probe_settings_;  // of the probe in flight
  SocketAddress address_;
  ClusterHealth* cluster_ = nullptr;
  EndpointHealth* endpoint_ = nullptr;

  Phase phase_ = Phase::kWaiting;
  int fd_ = -1;
  size_t sent_ = 0;        // bytes of `send` written
  std::string received_;   // the answer so far
  uint32_t consecutive_passes_ = 0;
  uint32_t consecutive_failures_ = 0;
  bool passed_once_ = false;
  std::optional<std::chrono::steady_clock::time_point> last_finished_;
  std::chrono::steady_clock::time_point probe_started_;

  EmbeddedEvent socket_event_;  // the probe's socket: writable or readable
  EmbeddedEvent timer_;         // waiting: the next probe; probing: its deadline
};

HealthChecker::HealthChecker(event_base* loop, std::shared_ptr<LocalErrorLog> local_errors,
                             std::shared_ptr<spdlog::logger> log)
    : loop_(loop),
      local_errors_(local_errors ? std::move(local_errors) : std::make_shared<LocalErrorLog>()),
      log_(log ? std::move(log) : spdlog::default_logger()) {}

// Each Target's destructor cancels its events and closes its socket.
HealthChecker::~HealthChecker() = default;

void HealthChecker::track(std::shared_ptr<const ConfigSnapshot> snapshot) {
  std::map<TargetKey, std::unique_ptr<Target>> wanted;
  if (snapshot && snapshot->table) {
    for (const Cluster& cluster : snapshot->clusters) {
      if (!cluster.config().health_check) continue;
      for (const ClusterEndpoint& endpoint : cluster.endpoints()) {
        if (!endpoint.address) continue;  // an unresolved name: nothing to probe yet
        TargetKey key{cluster.name(), endpoint.display};
        if (wanted.contains(key)) continue;  // listed twice: one endpoint, one probe
        std::unique_ptr<Target> target;
        bool fresh = false;
        if (auto kept = targets_.extract(key)) {
          target = std::move(kept.mapped());
        } else {
          target = std::make_unique<Target>(loop_, *local_errors_, *log_, key.first, key.second);
          fresh = true;
        }
        target->configure(*cluster.config().health_check, *endpoint.address, &cluster.health(),
                          endpoint.health);
        if (fresh) target->probeSoon();
        wanted.emplace(std::move(key), std::move(target));
      }
    }
  }
  // What is left is no longer probed. ClusterHealth::configure() already returned
  // endpoints that left their cluster; a cluster that left the table is not
  // configured at all, so its endpoints are returned here.
  for (auto& [key, target] : targets_) target->returnToRotation();
  targets_ = std::move(wanted);  // destroying the rest cancels their probes
  snapshot_ = std::move(snapshot);
}

}  // namespace weir::proxy
