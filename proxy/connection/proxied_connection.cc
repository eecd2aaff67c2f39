#include "proxy/connection/proxied_connection.h"

#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "common/socket_error.h"
#include "proxy/connection/proxy_protocol.h"

namespace weir::proxy {
namespace {

void setNoDelay(int fd) {
  int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

// connectionPool.tcp.tcpKeepalive; a zero field keeps the system's value.
void setKeepalive(int fd, const config::UpstreamCluster::TcpKeepalive& keepalive) {
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  if (int idle = static_cast<int>(keepalive.time.count()); idle > 0) {
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  }
  if (int interval = static_cast<int>(keepalive.interval.count()); interval > 0) {
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  }
  if (int probes = static_cast<int>(keepalive.probes); probes > 0) {
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof probes);
  }
}

// Makes the next close() send RST instead of FIN: how a reset is forwarded.
void armReset(int fd) {
  if (fd < 0) return;
  linger hard{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
}

// What the loop reported for a socket, as hints for the relays. kContinue sets none.
// A reset (EPOLLERR) comes as bare EV_READ|EV_WRITE, like data, so any read event
// may carry one: a short read leaves the socket unverified (Relay::copyIn).
void noteReadiness(SocketSide& side, short what) {
  if (what & (EV_READ | EV_CLOSED)) {
    side.readable = true;
    side.error_checked = false;
  }
  if (what & EV_CLOSED) side.fin_seen = true;
  if (what & EV_WRITE) side.writable = true;
}

constexpr short kSocketEvents = EV_READ | EV_WRITE | EV_CLOSED | EV_PERSIST | EV_ET;
// Passed to a socket callback by pump() itself when a relay stopped for fairness:
// it is not news from the kernel, so it must not set readiness hints.
constexpr short kContinue = EV_TIMEOUT;

}  // namespace

ProxiedConnection::~ProxiedConnection() {
  if (finished_) return;
  // Only when the worker is torn down with connections still open.
  downstream_event_.clear();
  upstream_event_.clear();
  timer_.clear();
  duration_timer_.clear();
  to_upstream_.discard();
  to_downstream_.discard();
  if (downstream_.fd >= 0) close(downstream_.fd);
  if (upstream_.fd >= 0) close(upstream_.fd);
}

void ProxiedConnection::open(AcceptedClient&& client, UpstreamTarget target) {
  const int downstream_fd = client.fd;
  target_ = std::move(target);
  listener_stats_ = client.stats;
  admission_ = std::move(client.admission);
  record_ = std::move(client.record);
  started_ = std::chrono::steady_clock::now();
  downstream_ = SocketSide{.fd = downstream_fd};
  upstream_ = SocketSide{};
  to_upstream_.attach(&downstream_, &upstream_);
  to_downstream_.attach(&upstream_, &downstream_);
  bytes_received_ = bytes_sent_ = 0;
  connected_ = finished_ = false;
  downstream_closed_first_ = upstream_closed_first_ = false;

  attempts_ = 0;
  tried_.clear();
  beginAttempt();

  event_base* loop = owner_.loop();
  const config::UpstreamCluster& cluster = target_.cluster->config();
  idle_timeout_ = cluster.idle_timeout;
  if (cluster.proxy_protocol != config::UpstreamCluster::ProxyProtocol::kNone) {
    // trafficPolicy.proxyProtocol: the upstream learns the real client from a
    // header that goes out before any of the client's bytes.
    const std::optional<SocketAddress> local = localAddressOf(downstream_fd);
    to_upstream_.writeFirst(buildProxyProtocolHeader(
        cluster.proxy_protocol == config::UpstreamCluster::ProxyProtocol::kV1
            ? ProxyProtocolVersion::kV1
            : ProxyProtocolVersion::kV2,
        reinterpret_cast<const sockaddr*>(&client.address), client.address_length,
        local ? local->get() : nullptr, local ? local->length() : 0));
  }
  timer_.assign(loop, -1, 0, &ProxiedConnection::onTimer, this);
  if (cluster.max_connection_duration.count() > 0) {
    // From the client's accept, as Envoy's max_connection_duration counts.
    duration_timer_.assign(loop, -1, 0, &ProxiedConnection::onMaxDuration, this);
    duration_timer_.add(owner_.commonTimeout(cluster.max_connection_duration));
  }

  // The client's socket has TCP_NODELAY already, from the listener (listen_socket.h).
  // Registered now so that readiness seen while connecting is remembered; the
  // client's bytes wait in the kernel until the upstream is there.
  downstream_event_.assign(loop, downstream_fd, kSocketEvents,
                           &ProxiedConnection::onDownstreamEvent, this);
  downstream_event_.add();
  connectUpstream();
}

void ProxiedConnection::beginAttempt() {
  ++attempts_;
  target_.cluster_stats->upstream_cx_total.add();
  target_.cluster_stats->upstream_cx_active.add();
  target_.endpoint_stats->cx_total.add();
  target_.endpoint_stats->cx_active.add();
}

void ProxiedConnection::endAttempt() {
  target_.cluster_stats->upstream_cx_active.subtract();
  target_.endpoint_stats->cx_active.subtract();
}

void ProxiedConnection::connectUpstream() {
  const config::UpstreamCluster& cluster = target_.cluster->config();
  attempt_started_ = std::chrono::steady_clock::now();
  timer_.remove();
  timer_.add(owner_.commonTimeout(cluster.connect_timeout));
  const SocketAddress& endpoint = *target_.endpoint().address;
  upstream_.fd = socket(endpoint.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (upstream_.fd < 0) {
    onConnectError(ConnectStep::kSocket, errno);
    return;
  }
  if (connect(upstream_.fd, endpoint.get(), endpoint.length()) != 0 && errno != EINPROGRESS) {
    onConnectError(ConnectStep::kConnect, errno);
    return;
  }
  owner_.onConnectStarted();
  if (!endpoint.isUnix()) {  // TCP options mean nothing to a Unix socket
    setNoDelay(upstream_.fd);
    if (cluster.tcp_keepalive) setKeepalive(upstream_.fd, *cluster.tcp_keepalive);
  }
  upstream_event_.assign(owner_.loop(), upstream_.fd, kSocketEvents,
                         &ProxiedConnection::onUpstreamEvent, this);
  upstream_event_.add();
}

void ProxiedConnection::onConnectError(ConnectStep step, int error) {
  const ConnectFailureCause cause =
      connectErrorCause(step, error, target_.endpoint().address->family());
  if (isLocal(cause)) {
    onLocalConnectFailure(cause, error);
    return;
  }
  target_.cluster_stats->upstream_cx_connect_fail.add();
  onConnectFailure(EndReason::kUpstreamConnectFailed);
}

void ProxiedConnection::onConnectTimeout() {
  // The kernel's verdict first: with the loop busy, the handshake may have ended
  // (either way) before this timer ran, its socket event still to be delivered.
  pollfd probe{upstream_.fd, POLLOUT, 0};
  if (poll(&probe, 1, 0) == 1) {
    const bool readable = (probe.revents & POLLIN) != 0;
    noteReadiness(upstream_, static_cast<short>(readable ? EV_WRITE | EV_READ : EV_WRITE));
    onUpstreamConnectResult((probe.revents & (POLLERR | POLLHUP)) != 0);
    return;
  }
  const std::chrono::milliseconds timeout = target_.cluster->config().connect_timeout;
  const auto late_by = std::chrono::steady_clock::now() - (attempt_started_ + timeout);
  const ConnectFailureCause cause = connectTimeoutCause(late_by, timeout);
  if (isLocal(cause)) {
    onLocalConnectFailure(cause, 0);
    return;
  }
  target_.cluster_stats->upstream_cx_connect_timeout.add();
  onConnectFailure(EndReason::kUpstreamConnectTimeout);
}

void ProxiedConnection::onLocalConnectFailure(ConnectFailureCause cause, int error) {
  target_.cluster_stats->upstream_cx_connect_local_fail.add();
  target_.endpoint_stats->cx_connect_local_fail.add();
  owner_.onLocalConnectFailure(target_, cause, error);
  finish(cause == ConnectFailureCause::kLocalLateTimer ? EndReason::kConnectTimerLate
                                                       : EndReason::kLocalConnectFailure,
         false, false);
}

void ProxiedConnection::onConnectFailure(EndReason reason) {
  target_.endpoint_stats->cx_connect_fail.add();
  target_.cluster->health().onConnectFailure(*target_.endpoint().health, HealthClock::now());
  const unsigned max_attempts = owner_.maxConnectAttempts(target_.route);
  if (attempts_ < max_attempts) {
    // Envoy's connect retries: pick again, as for a new connection, but not an
    // endpoint that already failed this client.
    tried_.emplace_back(target_.cluster->index(), target_.endpoint_index);
    if (std::optional<UpstreamTarget> next =
            owner_.retryTarget(target_, tried_, admission_, reason)) {
      endAttempt();
      upstream_event_.clear();
      if (upstream_.fd >= 0) close(upstream_.fd);
      upstream_ = SocketSide{};
      target_ = std::move(*next);
      if (record_) {
        record_->setUpstreamCluster(target_.cluster->config());
        record_->upstream_host = target_.endpoint().display;
      }
      beginAttempt();
      connectUpstream();
      return;
    }
  }
  if (reason == EndReason::kNoClusterFound) {
    listener_stats_->downstream_cx_no_route.add();  // the retry's pick has no cluster
  } else if (max_attempts > 1) {
    target_.cluster_stats->upstream_cx_connect_attempts_exceeded.add();
  }
  finish(reason, false, false);
}

void ProxiedConnection::abort() { finish(EndReason::kProxyShutdown, true, true); }

void ProxiedConnection::onDownstreamEvent(evutil_socket_t, short what, void* self) {
  auto* connection = static_cast<ProxiedConnection*>(self);
  noteReadiness(connection->downstream_, what);
  if (connection->connected_) connection->pump();
}

void ProxiedConnection::onUpstreamEvent(evutil_socket_t, short what, void* self) {
  auto* connection = static_cast<ProxiedConnection*>(self);
  noteReadiness(connection->upstream_, what);
  if (connection->connected_) {
    connection->pump();
  } else {
    // A failed connect always reports an error (EPOLLERR: readable and writable);
    // writable alone means connected, and saves asking for SO_ERROR.
    connection->onUpstreamConnectResult((what & (EV_READ | EV_CLOSED)) != 0);
  }
}

void ProxiedConnection::onUpstreamConnectResult(bool check_error) {
  if (check_error) {
    if (const int error = pendingSocketError(upstream_.fd); error != 0) {
      onConnectError(ConnectStep::kConnect, error);
      return;
    }
  }
  if (!upstream_.writable) return;  // still connecting
  connected_ = true;
  target_.cluster->health().onConnectSuccess(*target_.endpoint().health);
  if (record_) {
    record_->upstream_connect_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::steady_clock::now() - started_).count();
    // A Unix client end has no name: "-", as Envoy leaves it unset.
    if (auto local = localAddressOf(upstream_.fd); local && !local->isUnix()) {
      record_->upstream_local = local->toString();
    }
  }
  timer_.remove();
  if (idle_timeout_.count() > 0) {
    last_activity_ = CoarseClock::now();
    timer_.add(owner_.commonTimeout(idle_timeout_));
  }
  pump();
}

void ProxiedConnection::pump() {
  const RelayContext& context = owner_.relayContext();

  const Relay::Result up = to_upstream_.run(context);
  countMoved(true, up);
  if (up.paused) listener_stats_->downstream_flow_control_paused_reading_total.add();
  if (up.resumed) listener_stats_->downstream_flow_control_resumed_reading_total.add();
  if (downstream_.read_eof && !upstream_closed_first_) downstream_closed_first_ = true;
  if (up.failure == Relay::Failure::kSource) {
    finish(EndReason::kDownstreamReset, false, true);
    return;
  }
  if (up.failure == Relay::Failure::kDestination) {
    target_.cluster_stats->upstream_cx_destroy_remote_with_active_rq.add();
    finish(EndReason::kUpstreamReset, true, false);
    return;
  }

  const Relay::Result down = to_downstream_.run(context);
  countMoved(false, down);
  if (upstream_.read_eof && !downstream_closed_first_) upstream_closed_first_ = true;
  if (down.paused) target_.cluster_stats->upstream_flow_control_paused_reading_total.add();
  if (down.resumed) target_.cluster_stats->upstream_flow_control_resumed_reading_total.add();
  if (down.failure == Relay::Failure::kSource) {
    target_.cluster_stats->upstream_cx_destroy_remote_with_active_rq.add();
    finish(EndReason::kUpstreamReset, true, false);
    return;
  }
  if (down.failure == Relay::Failure::kDestination) {
    finish(EndReason::kDownstreamReset, false, true);
    return;
  }

  const bool up_finished = to_upstream_.done() || to_upstream_.finOwed();
  const bool down_finished = to_downstream_.done() || to_downstream_.finOwed();
  if (up_finished && down_finished) {
    // Both sides have sent their FIN and every byte is written: closing sends the
    // FINs still owed, one shutdown() cheaper than sending them first.
    finish(downstream_closed_first_ ? EndReason::kDownstreamClosed : EndReason::kUpstreamClosed,
           false, false);
    return;
  }
  // Half-close: one side is done sending, the other direction carries on.
  if (to_upstream_.finOwed()) to_upstream_.sendFin();
  if (to_downstream_.finOwed()) to_downstream_.sendFin();
  if (up.more || down.more) downstream_event_.activate(kContinue);
  if (up.short_read || down.short_read) context.short_read_checks->add(*this);
}

void ProxiedConnection::checkShortReads() {
  if (finished_ || !connected_) return;
  bool owed = false;
  for (SocketSide* side : {&downstream_, &upstream_}) {
    if (!side->unverified) continue;
    // Read it as if the loop had reported it: EAGAIN, the rest of the bytes, or the
    // reset (if paused, asked with SO_ERROR).
    side->unverified = false;
    side->readable = true;
    side->error_checked = false;
    owed = true;
  }
  if (owed) pump();
}

void ProxiedConnection::countMoved(bool from_downstream, const Relay::Result& result) {
  const uint64_t bytes = result.moved;
  if (bytes == 0) return;
  // Counted with the bytes, before the run's failure (if any) ends the connection.
  if (result.spliced > 0) {
    target_.cluster_stats->upstream_cx_spliced_bytes_total.add(result.spliced);
  }
  if (idle_timeout_.count() > 0) last_activity_ = CoarseClock::now();
  if (from_downstream) {
    bytes_received_ += bytes;
    listener_stats_->downstream_cx_rx_bytes_total.add(bytes);
    target_.route_stats->rx_bytes_total.add(bytes);
    target_.cluster_stats->upstream_cx_tx_bytes_total.add(bytes);
    target_.endpoint_stats->tx_bytes_total.add(bytes);
  } else {
    bytes_sent_ += bytes;
    listener_stats_->downstream_cx_tx_bytes_total.add(bytes);
    target_.route_stats->tx_bytes_total.add(bytes);
    target_.cluster_stats->upstream_cx_rx_bytes_total.add(bytes);
    target_.endpoint_stats->rx_bytes_total.add(bytes);
  }
}

void ProxiedConnection::onTimer(evutil_socket_t, short, void* self) {
  auto* connection = static_cast<ProxiedConnection*>(self);
  if (!connection->connected_) {
    connection->onConnectTimeout();
    return;
  }
  connection->onIdleCheck();
}

void ProxiedConnection::onMaxDuration(evutil_socket_t, short, void* self) {
  auto* connection = static_cast<ProxiedConnection*>(self);
  connection->target_.cluster_stats->upstream_cx_max_duration_reached.add();
  connection->finish(EndReason::kMaxDurationReached, false, false);
}

void ProxiedConnection::onIdleCheck() {
  // Both stamps lag by up to a tick: only idle_timeout_ plus a tick proves the
  // connection has been idle for idle_timeout_ (it closes at most two ticks late).
  const auto idle_for = CoarseClock::now() - last_activity_;
  const auto idle_enough = CoarseClock::duration(idle_timeout_) + CoarseClock::resolution();
  if (idle_for < idle_enough) {
    // Rare (once per timeout length of a busy connection), so the exact
    // remaining time is worth an ordinary timer.
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(idle_enough - idle_for).count() + 1;
    timeval remaining{static_cast<time_t>(micros / 1'000'000),
                      static_cast<suseconds_t>(micros % 1'000'000)};
    timer_.add(&remaining);
    return;
  }
  target_.cluster_stats->upstream_cx_idle_timeout.add();
  finish(EndReason::kIdleTimeout, false, false);
}

void ProxiedConnection::finish(EndReason reason, bool reset_downstream, bool reset_upstream) {
  if (finished_) return;
  finished_ = true;
  downstream_event_.clear();
  upstream_event_.clear();
  timer_.clear();
  duration_timer_.clear();
  if (ShortReadChecks* checks = owner_.relayContext().short_read_checks) checks->remove(*this);
  if (reset_downstream) armReset(downstream_.fd);
  if (reset_upstream && connected_) armReset(upstream_.fd);
  close(downstream_.fd);
  if (upstream_.fd >= 0) close(upstream_.fd);
  downstream_.fd = upstream_.fd = -1;
  PipePool& pipes = *owner_.relayContext().pipes;
  to_upstream_.detach(pipes);
  to_downstream_.detach(pipes);

  const auto duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started_);
  endAttempt();
  // The object is kept for another client: its slot is given back now, not when
  // it is destroyed.
  admission_ = AdmissionSlot();
  if (connected_) {
    target_.cluster_stats->upstream_cx_length_ms.record(static_cast<uint64_t>(duration.count()));
  }
  std::unique_ptr<ConnectionRecord> record = std::move(record_);
  if (record) {
    record->reason = reason;
    record->duration = duration;
    record->bytes_received = bytes_received_;
    record->bytes_sent = bytes_sent_;
  }
  target_ = UpstreamTarget{};  // a kept connection must not pin an old snapshot
  listener_stats_ = nullptr;
  ConnectionOwner& owner = owner_;  // this connection may be reused once it reports done
  owner.onConnectionDone(*this, record.get());
  if (record) owner.recycleRecord(std::move(record));
}

}  // namespace weir::proxy
