// One client connection spliced to one upstream endpoint.
//
// Lives on one worker's event loop from accept to close and is touched only by
// that loop's thread. Each socket is registered once, edge-triggered for reading
// and writing, so moving bytes costs no epoll changes; two Relays (client to
// upstream, upstream to client) do the moving, with bounded buffers, splice(2) for
// bulk, and forwarded half-closes (see relay.h). An error or reset on one side
// resets the other. The connection holds the snapshot it was routed with, so a
// reload cannot change its upstream. It owns the client's admission slot
// (admission_slot.h) and gives it back when it finishes.
//
// Objects are reused: the worker keeps finished connections and open()s them
// again for the next client, so the accept path does not allocate.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "common/embedded_event.h"
#include "proxy/connection/accepted_client.h"
#include "proxy/connection/coarse_clock.h"
#include "proxy/connection/relay.h"
#include "proxy/connection/short_read_checks.h"
#include "proxy/stats/access_log.h"
#include "proxy/stats/stats.h"
#include "proxy/upstream/admission_slot.h"
#include "proxy/upstream/connect_failure_cause.h"
#include "proxy/upstream/upstream_target.h"

namespace weir::proxy {

class ProxiedConnection;

// What a connection needs from the worker that owns it (loop thread only).
class ConnectionOwner {
 public:
  virtual ~ConnectionOwner() = default;
  virtual event_base* loop() = 0;
  virtual const RelayContext& relayContext() = 0;
  // A timeval that libevent keeps in one queue for every timer of that length
  // (event_base_init_common_timeout), so arming one costs O(1).
  virtual const timeval* commonTimeout(std::chrono::milliseconds length) = 0;
  // --max-connect-attempts: connects per client connection before giving up.
  // Connect attempts for a connection of `route` (its weir.dev/max-connect-attempts
  // or --max-connect-attempts).
  virtual unsigned maxConnectAttempts(const config::TcpRoute* route) const = 0;
  // After a failed connect: a new target picked as for a new connection (rule's
  // weighted destination, then an endpoint) but never an endpoint in `tried`
  // (cluster index, endpoint index), with `admission` moved to its cluster
  // (maxConnections). nullopt when there is none (or the route table changed
  // meanwhile); `admission` then holds what it held. `reason` (the failed
  // connect's) becomes kNoClusterFound when the pick is a destination whose
  // cluster does not exist, and the connection then ends as that.
  virtual std::optional<UpstreamTarget> retryTarget(
      const UpstreamTarget& failed, std::span<const std::pair<size_t, size_t>> tried,
      AdmissionSlot& admission, EndReason& reason) = 0;
  // A connect got going (socket() and connect() accepted it).
  virtual void onConnectStarted() = 0;
  // A connect to `target` failed for weir's own reasons (`cause`, errno `error`,
  // 0 for a late timer); the connection closes its client right after. The owner
  // logs it (once per burst) and, on a shortage of descriptors or memory, pauses
  // accepting as it does when accept() itself runs short.
  virtual void onLocalConnectFailure(const UpstreamTarget& target,
                                     ConnectFailureCause cause, int error) = 0;
  // Called once, when the connection has finished; the owner takes it back.
  // `record` is null when nothing is logged. The connection must not touch
  // itself after making this call.
  virtual void onConnectionDone(ProxiedConnection& connection, const ConnectionRecord* record) = 0;
  // After onConnectionDone: the record (non-null), for the owner to reuse for a
  // later connection (its strings keep their capacity) or to drop.
  virtual void recycleRecord(std::unique_ptr<ConnectionRecord> /*record*/) {}
};

class ProxiedConnection final : public ShortReadCheckable {
 public:
  explicit ProxiedConnection(ConnectionOwner& owner) : owner_(owner) {}
  ~ProxiedConnection();
  ProxiedConnection(const ProxiedConnection&) = delete;
  ProxiedConnection& operator=(const ProxiedConnection&) = delete;

  // Takes over `client` (its socket, admission slot and record) and starts
  // connecting to `target`, whose cluster the slot counts against already. The
  // record (null when nothing is logged) has the start time, client and route
  // filled in. May finish (and report done) before returning.
  void open(AcceptedClient&& client, UpstreamTarget target);
  // Resets both sides now; used when the proxy stops.
  void abort();
  // ShortReadCheckable: reads the sockets whose last read came back short.
  void checkShortReads() override;

  // The worker's list of open connections runs through these.
  ProxiedConnection* next = nullptr;
  ProxiedConnection* previous = nullptr;

 private:
  static void onDownstreamEvent(evutil_socket_t, short what, void* self);
  static void onUpstreamEvent(evutil_socket_t, short what, void* self);
  static void onTimer(evutil_socket_t, short, void* self);
  static void onMaxDuration(evutil_socket_t, short, void* self);

  void onUpstreamConnectResult(bool check_error);
  // Counts the current target's upstream attempt in (begin) or out (end).
  void beginAttempt();
  void endAttempt();
  // Opens the upstream socket and starts connecting to target_.
  void connectUpstream();
  // socket() or connect() failed with `error`: the endpoint's failure or weir's.
  void onConnectError(ConnectStep step, int error);
  // The connect timeout fired before the upstream's answer was seen.
  void onConnectTimeout();
  // The endpoint failed to connect or timed out: try another endpoint or finish.
  void onConnectFailure(EndReason reason);
  // Weir could not connect for its own reasons: counted, not held against the
  // endpoint, and the client is closed without a retry (another connect now
  // would draw on the same short resource).
  void onLocalConnectFailure(ConnectFailureCause cause, int error);
  void armIdleTimer(std::chrono::steady_clock::duration delay);
  void onIdleCheck();
  void pump();
  // Bytes a relay run took from its source (and spliced), in every statistic.
  void countMoved(bool from_downstream, const Relay::Result& result);
  void finish(EndReason reason, bool reset_downstream, bool reset_upstream);

  ConnectionOwner& owner_;
  UpstreamTarget target_;
  ListenerStats* listener_stats_ = nullptr;  // the worker's, of the client's listener
  // Declared after target_: while it holds a cluster's count, the snapshot in
  // target_ keeps that count alive.
  AdmissionSlot admission_;
  std::unique_ptr<ConnectionRecord> record_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point attempt_started_;  // the current connect's
  SocketSide downstream_;
  SocketSide upstream_;
  Relay to_upstream_;    // downstream -> upstream
  Relay to_downstream_;  // upstream -> downstream
  EmbeddedEvent downstream_event_;
  EmbeddedEvent upstream_event_;
  // The connect timeout until the upstream answers, then the idle timeout
  // (connectionPool.tcp.idleTimeout): transfers only stamp last_activity_, and
  // the timer checks the stamp when it fires.
  EmbeddedEvent timer_;
  EmbeddedEvent duration_timer_;  // connectionPool.tcp.maxConnectionDuration
  std::chrono::milliseconds idle_timeout_{0};
  CoarseClock::time_point last_activity_;  // coarse: stamped on every transfer
  uint64_t bytes_received_ = 0;  // from the client
  uint64_t bytes_sent_ = 0;      // to the client
  unsigned attempts_ = 0;
  std::vector<std::pair<size_t, size_t>> tried_;  // (cluster, endpoint) that failed
  bool connected_ = false;
  bool finished_ = true;
  bool downstream_closed_first_ = false;
  bool upstream_closed_first_ = false;
};

}  // namespace weir::proxy
