#include "proxy/proxied_connection.h"

#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace weir::proxy {
namespace {

// Bigger single reads than libevent's 16 KiB default: fewer system calls on bulk
// transfers, still bounded by the watermarks.
constexpr ev_ssize_t kMaxSingleIo = 64 * 1024;

void setNoDelay(evutil_socket_t fd) {
  int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

// Makes the next close() send RST instead of FIN: how a reset is forwarded.
void armReset(bufferevent* bev) {
  evutil_socket_t fd = bufferevent_getfd(bev);
  if (fd < 0) {
    return;
  }
  linger hard{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
}

}  // namespace

ProxiedConnection::ProxiedConnection(ConnectionOwner& owner, int downstream_fd,
                                     UpstreamTarget target, ConnectionRecord record)
    : owner_(owner),
      target_(std::move(target)),
      record_(std::move(record)),
      started_(std::chrono::steady_clock::now()) {
  event_base* loop = owner_.loop();
  downstream_.socket.reset(bufferevent_socket_new(loop, downstream_fd, BEV_OPT_CLOSE_ON_FREE));
  upstream_.socket.reset(bufferevent_socket_new(loop, -1, BEV_OPT_CLOSE_ON_FREE));
  for (Side* side : {&downstream_, &upstream_}) {
    bufferevent_setcb(side->socket.get(), &ProxiedConnection::onReadable,
                      &ProxiedConnection::onWritable, &ProxiedConnection::onEvent, this);
    bufferevent_set_max_single_read(side->socket.get(), kMaxSingleIo);
    bufferevent_set_max_single_write(side->socket.get(), kMaxSingleIo);
  }
  setNoDelay(downstream_fd);
  target_.cluster_stats->upstream_cx_total.add();
  target_.cluster_stats->upstream_cx_active.add();
  target_.endpoint_stats->cx_total.add();
  target_.endpoint_stats->cx_active.add();
}

ProxiedConnection::~ProxiedConnection() = default;

void ProxiedConnection::start() {
  const config::UpstreamCluster& cluster = target_.snapshot->table->clusters[target_.cluster_index];
  connect_timer_.reset(evtimer_new(owner_.loop(), &ProxiedConnection::onConnectTimeout, this));
  const auto timeout_ms = cluster.connect_timeout.count();
  timeval timeout{static_cast<time_t>(timeout_ms / 1000),
                  static_cast<suseconds_t>((timeout_ms % 1000) * 1000)};
  evtimer_add(connect_timer_.get(), &timeout);

  const SocketAddress& endpoint = *target_.endpoint;
  if (bufferevent_socket_connect(upstream_.socket.get(), endpoint.get(),
                                 static_cast<int>(endpoint.length)) != 0) {
    target_.cluster_stats->upstream_cx_connect_fail.add();
    finish(EndReason::kUpstreamConnectFailed, false, false);
  }
}

void ProxiedConnection::abort() { finish(EndReason::kProxyShutdown, true, true); }

void ProxiedConnection::onUpstreamConnected() {
  connected_ = true;
  connect_timer_.reset();
  record_.upstream_connect_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - started_).count();
  evutil_socket_t fd = bufferevent_getfd(upstream_.socket.get());
  setNoDelay(fd);
  if (owner_.logsConnections()) {
    if (auto local = localAddressOf(fd)) {
      record_.upstream_local = local->toString();
    }
  }
  const auto idle_timeout =
      target_.snapshot->table->clusters[target_.cluster_index].idle_timeout;
  if (idle_timeout.count() > 0) {
    last_activity_ = std::chrono::steady_clock::now();
    idle_timer_.reset(evtimer_new(owner_.loop(), &ProxiedConnection::onIdleCheck, this));
    armIdleCheck(idle_timeout);
  }
  // The client's bytes waited in the kernel while we connected; start both ways now.
  bufferevent_enable(downstream_.socket.get(), EV_READ | EV_WRITE);
  bufferevent_enable(upstream_.socket.get(), EV_READ | EV_WRITE);
}

void ProxiedConnection::forward(Side& from) {
  Side& to = peerOf(from);
  evbuffer* input = bufferevent_get_input(from.socket.get());
  evbuffer* output = bufferevent_get_output(to.socket.get());
  const size_t moved = evbuffer_get_length(input);
  if (moved == 0) {
    return;
  }
  evbuffer_add_buffer(output, input);
  if (idle_timer_) {
    last_activity_ = std::chrono::steady_clock::now();
  }
  if (isDownstream(from)) {
    record_.bytes_received += moved;
    target_.listener_stats->downstream_cx_rx_bytes_total.add(moved);
    target_.route_stats->rx_bytes_total.add(moved);
    target_.cluster_stats->upstream_cx_tx_bytes_total.add(moved);
    target_.endpoint_stats->tx_bytes_total.add(moved);
  } else {
    record_.bytes_sent += moved;
    target_.listener_stats->downstream_cx_tx_bytes_total.add(moved);
    target_.route_stats->tx_bytes_total.add(moved);
    target_.cluster_stats->upstream_cx_rx_bytes_total.add(moved);
    target_.endpoint_stats->rx_bytes_total.add(moved);
  }
  const size_t high = owner_.bufferLimit();
  if (evbuffer_get_length(output) >= high && !from.reading_paused) {
    // The peer is slower than this side: stop reading until it drains to half.
    from.reading_paused = true;
    bufferevent_disable(from.socket.get(), EV_READ);
    bufferevent_setwatermark(to.socket.get(), EV_WRITE, high / 2, 0);
    if (!isDownstream(from)) {
      target_.cluster_stats->upstream_flow_control_paused_reading_total.add();
    }
  }
}

void ProxiedConnection::shutdownWriteIfDrained(Side& to) {
  Side& from = peerOf(to);
  if (!from.read_eof || to.write_shut ||
      evbuffer_get_length(bufferevent_get_output(to.socket.get())) != 0) {
    return;
  }
  to.write_shut = true;
  shutdown(bufferevent_getfd(to.socket.get()), SHUT_WR);
  if (downstream_.read_eof && upstream_.read_eof && downstream_.write_shut &&
      upstream_.write_shut) {
    finish(downstream_closed_first_ ? EndReason::kDownstreamClosed : EndReason::kUpstreamClosed,
           false, false);
  }
}

void ProxiedConnection::onReadable(bufferevent* bev, void* self) {
  auto* connection = static_cast<ProxiedConnection*>(self);
  connection->forward(connection->sideOf(bev));
}

void ProxiedConnection::onWritable(bufferevent* bev, void* self) {
  auto* connection = static_cast<ProxiedConnection*>(self);
  Side& to = connection->sideOf(bev);
  Side& from = connection->peerOf(to);
  if (from.reading_paused) {
    from.reading_paused = false;
    bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
    bufferevent_enable(from.socket.get(), EV_READ);
    if (!connection->isDownstream(from)) {
      connection->target_.cluster_stats->upstream_flow_control_resumed_reading_total.add();
    }
  }
  connection->shutdownWriteIfDrained(to);
}

void ProxiedConnection::onEvent(bufferevent* bev, short what, void* self) {
  auto* connection = static_cast<ProxiedConnection*>(self);
  Side& side = connection->sideOf(bev);
  const bool downstream = connection->isDownstream(side);

  if (what & BEV_EVENT_CONNECTED) {
    connection->onUpstreamConnected();
    return;
  }
  if (!downstream && !connection->connected_) {
    // Any event on the upstream before it connected is a failed connect.
    connection->target_.cluster_stats->upstream_cx_connect_fail.add();
    connection->finish(EndReason::kUpstreamConnectFailed, false, false);
    return;
  }
  if (what & BEV_EVENT_ERROR) {
    if (!downstream) {
      connection->target_.cluster_stats->upstream_cx_destroy_remote_with_active_rq.add();
    }
    // Forward the failure as a reset to the other side.
    connection->finish(downstream ? EndReason::kDownstreamReset : EndReason::kUpstreamReset,
                       !downstream, downstream);
    return;
  }
  if (what & BEV_EVENT_EOF) {
    if (!connection->downstream_closed_first_ && !connection->upstream_closed_first_) {
      (downstream ? connection->downstream_closed_first_ : connection->upstream_closed_first_) =
          true;
    }
    side.read_eof = true;
    connection->forward(side);  // anything read together with the FIN
    connection->shutdownWriteIfDrained(connection->peerOf(side));
  }
}

void ProxiedConnection::onConnectTimeout(evutil_socket_t, short, void* self) {
  auto* connection = static_cast<ProxiedConnection*>(self);
  connection->target_.cluster_stats->upstream_cx_connect_timeout.add();
  connection->finish(EndReason::kUpstreamConnectTimeout, false, false);
}

void ProxiedConnection::armIdleCheck(std::chrono::steady_clock::duration delay) {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(delay).count();
  timeval when{static_cast<time_t>(micros / 1'000'000),
               static_cast<suseconds_t>(micros % 1'000'000)};
  evtimer_add(idle_timer_.get(), &when);
}

void ProxiedConnection::onIdleCheck(evutil_socket_t, short, void* self) {
  auto* connection = static_cast<ProxiedConnection*>(self);
  const auto idle_timeout =
      connection->target_.snapshot->table->clusters[connection->target_.cluster_index]
          .idle_timeout;
  const auto idle_for = std::chrono::steady_clock::now() - connection->last_activity_;
  if (idle_for < idle_timeout) {
    connection->armIdleCheck(idle_timeout - idle_for);
    return;
  }
  connection->target_.cluster_stats->upstream_cx_idle_timeout.add();
  connection->finish(EndReason::kIdleTimeout, false, false);
}

void ProxiedConnection::finish(EndReason reason, bool reset_downstream, bool reset_upstream) {
  if (finished_) {
    return;
  }
  finished_ = true;
  if (reset_downstream) {
    armReset(downstream_.socket.get());
  }
  if (reset_upstream && connected_) {
    armReset(upstream_.socket.get());
  }
  // Closing the sockets now, not in the destructor, keeps the order of effects clear.
  connect_timer_.reset();
  idle_timer_.reset();
  downstream_.socket.reset();
  upstream_.socket.reset();
  record_.reason = reason;
  record_.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started_);
  target_.cluster_stats->upstream_cx_active.subtract();
  target_.endpoint_stats->cx_active.subtract();
  target_.listener_stats->downstream_cx_active.subtract();
  if (reason == EndReason::kUpstreamConnectFailed || reason == EndReason::kUpstreamConnectTimeout) {
    target_.endpoint_stats->cx_connect_fail.add();
  }
  if (connected_) {
    target_.cluster_stats->upstream_cx_length_ms.record(
        static_cast<uint64_t>(record_.duration.count()));
  }
  owner_.onConnectionDone(*this, record_);
}

}  // namespace weir::proxy
