// A worker: one thread, one event loop, its own listening sockets (SO_REUSEPORT
// siblings of the other workers'), and every connection it accepted.
//
// Threading: the constructor, start(), post(), stop() and join() are called from
// the main thread; everything else runs on the worker's own loop thread. The only
// state shared with other threads is the task queue (under a mutex, never touched
// per connection), the statistics (see stats.h), the admission counts
// (admission_slot.h) and read-only config snapshots.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <spdlog/logger.h>

#include <weir/proxy.h>

#include "common/libevent_handles.h"
#include "config/route_match.h"
#include "proxy/cluster/config_snapshot.h"
#include "proxy/cluster/connection_limit.h"
#include "proxy/connection/connection_recycler.h"
#include "proxy/connection/pipe_pool.h"
#include "proxy/connection/proxied_connection.h"
#include "proxy/listener/client_hello_wait.h"
#include "proxy/listener/loop_task_queue.h"
#include "proxy/stats/access_log_batch.h"
#include "proxy/stats/stats.h"
#include "proxy/upstream/local_error_log.h"
#include "proxy/upstream/random_source.h"
#include "proxy/upstream/worker_cluster.h"

namespace weir::proxy {

// What every worker shares with the others and with the main thread. Not settings:
// those the workers read from ProxySettings.
struct WorkerShared {
  std::shared_ptr<spdlog::logger> access_log;  // thread-safe (async); may be null
  // The proxy's own log (ProxySettings::logger); at debug level it gets one line
  // per connection. Never null.
  std::shared_ptr<spdlog::logger> log;
  // Open client connections of each listener (by key) over every worker, for
  // weir.dev/max-connections.
  std::shared_ptr<ConnectionLimits> listener_connections = std::make_shared<ConnectionLimits>();
  // Client connections open over every worker and listener (--max-connections).
  std::shared_ptr<ConnectionLimit> downstream_connections = std::make_shared<ConnectionLimit>();
  // Connects that fail for weir's own reasons, logged once per burst over every
  // worker (and the health checker).
  std::shared_ptr<LocalErrorLog> local_errors = std::make_shared<LocalErrorLog>();
  // Weir's own labels and namespace (--labels, --namespace), which match blocks'
  // sourceLabels and sourceNamespace are matched against. Never null.
  std::shared_ptr<const config::WorkloadIdentity> identity =
      std::make_shared<config::WorkloadIdentity>();
};

// A listening socket handed to a worker, identified across reloads by its key.
struct ListenSocket {
  // "bind:port" of the Gateway server, e.g. "0.0.0.0:9000", or "unix:///run/db.sock"
  std::string key;
  int fd = -1;      // bound and listening, non-blocking; the worker takes ownership
};

class Worker final : private ConnectionOwner, private ClientHelloOwner {
 public:
  // `settings` must outlive the worker.
  Worker(unsigned index, const ProxySettings& settings, WorkerShared shared,
         std::unique_ptr<RandomSource> random);
  ~Worker() override;
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void start();
  // Any thread: runs `task` on the loop thread soon.
  void post(std::function<void()> task);
  // Any other thread: runs `task` on the loop thread and waits (bounded) for it.
  bool postAndWait(std::function<void()> task, std::chrono::milliseconds limit) {
    return tasks_->postAndWait(std::move(task), limit);
  }
  // Any thread: stop accepting, reset open connections and leave the loop.
  void stop();
  void join();

  // Loop thread (through post()), or the main thread before start(): accept on
  // `new_sockets` as well, route new connections with `snapshot`, and close the
  // listeners that `snapshot` no longer has. Open connections are not touched.
  void applyConfig(std::shared_ptr<const ConfigSnapshot> snapshot,
                   std::vector<ListenSocket> new_sockets);

  // Loop thread only (through post()).
  void stopAccepting() { listeners_.clear(); }
  void resetCounters() { stats_.resetCounters(); }
  size_t activeConnections() const { return active_connections_.load(std::memory_order_relaxed); }

  const WorkerStats& stats() const { return stats_; }
  unsigned index() const { return index_; }

 private:
  struct ListenerSlot {
    std::string key;
    ConnListenerPtr listener;
    int config_index = -1;  // in the current snapshot's listeners; -1 when absent
    // Every listener of the snapshot on this socket: config_index alone, or the
    // servers merged on one port and bind (their routes are tried by SNI).
    std::vector<size_t> listener_indices;
    bool peeks_sni = false;  // one of them is a TLS passthrough server
    // Where clients reached us, for the access log when the socket is a Unix one
    // (its path, as Envoy prints it); empty otherwise.
    std::string unix_path;
    ListenerStats* stats = nullptr;
    Worker* worker = nullptr;
    bool routes_use_destination = false;  // some rule matches destinationSubnets
    EmbeddedEvent backoff;                // re-enables accepting after EMFILE & co.
    // Open client connections of this listener over all workers (weir.dev/max-connections).
    ConnectionLimit* open_connections = nullptr;
    bool backoff_logged = false;          // one warning per run of failures
  };

  // ConnectionOwner
  event_base* loop() override { return base_.get(); }
  const RelayContext& relayContext() override { return relay_context_; }
  const timeval* commonTimeout(std::chrono::milliseconds length) override;
  unsigned maxConnectAttempts(const config::TcpRoute* route) const override {
    return route != nullptr && route->max_connect_attempts != 0 ? route->max_connect_attempts
                                                                 : settings_.max_connect_attempts;
  }
  std::optional<UpstreamTarget> retryTarget(const UpstreamTarget& failed,
                                            std::span<const std::pair<size_t, size_t>> tried,
                                            AdmissionSlot& admission,
                                            EndReason& reason) override;
  void onConnectStarted() override { shared_.local_errors->onSuccess(); }
  void onLocalConnectFailure(const UpstreamTarget& target, ConnectFailureCause cause,
                             int error) override;
  void onConnectionDone(ProxiedConnection& connection, const ConnectionRecord* record) override;
  void recycleRecord(std::unique_ptr<ConnectionRecord> record) override;
  // Whether a connection's record is kept: for the access log, or for the debug
  // line of each connection (the level may change while weir runs).
  bool logsConnections() const {
    return access_log_ != nullptr || shared_.log->should_log(spdlog::level::debug);
  }
  // A record for a new connection: a recycled one when there is one.
  std::unique_ptr<ConnectionRecord> newRecord();

  static void onAccept(evconnlistener*, evutil_socket_t fd, sockaddr* address, int length,
                       void* slot);
  static void onAcceptError(evconnlistener*, void* slot);
  static void onAcceptBackoffEnd(evutil_socket_t, short, void* slot);
  // Stops `slot` accepting for kAcceptBackoff; it resumes by itself.
  void pauseAccepting(ListenerSlot& slot);
  void accept(ListenerSlot& slot, evutil_socket_t fd, const sockaddr* address, int length);
  // Picks the rule, destination and endpoint, and opens the connection.
  void route(ListenerSlot& slot, AcceptedClient client, std::string_view sni);
  // Closes an accepted client that will not be proxied. Its admission slot is
  // given back when `client` goes, at the end of the caller's callback.
  void refuse(evutil_socket_t fd, const AcceptedClient& client, EndReason reason);
  // ClientHelloOwner
  void onClientHelloVerdict(ClientHelloWait& wait, Verdict verdict,
                            const ClientHelloInspection& inspection) override;
  void writeAccessLog(const ConnectionRecord& record);
  // The target for endpoint e of `cluster` (of snapshot_), reached through `route`.
  UpstreamTarget targetFor(const config::TcpRoute& route, RouteStats* route_stats,
                           const WorkerCluster& cluster, size_t e) const;
  void addListener(ListenSocket socket);

  const unsigned index_;
  const ProxySettings& settings_;
  WorkerShared shared_;
  std::unique_ptr<RandomSource> random_;
  EventBasePtr base_;
  std::unique_ptr<LoopTaskQueue> tasks_;
  std::thread thread_;

  // Written by the loop thread, read by any (stats.h). Declared before the
  // connections and waits whose admission slots count in it.
  WorkerStats stats_;

  // Loop thread only.
  std::shared_ptr<const ConfigSnapshot> snapshot_;
  std::vector<WorkerCluster> clusters_;   // [c] for snapshot_->clusters[c]
  std::vector<RouteStats*> route_stats_;  // per route of snapshot_
  std::list<std::unique_ptr<ListenerSlot>> listeners_;
  std::unique_ptr<char[]> scratch_;  // every copied read passes through it
  PipePool pipes_;
  std::unique_ptr<ShortReadChecks> short_read_checks_;  // holds an event of base_
  std::unique_ptr<AccessLogBatch> access_log_;  // null when nothing is logged; an event of base_
  std::vector<std::unique_ptr<ConnectionRecord>> spare_records_;
  RelayContext relay_context_;
  std::map<int64_t, const timeval*> common_timeouts_;  // by milliseconds; libevent owns them
  ConnectionRecycler connections_;
  std::unordered_map<ClientHelloWait*, std::unique_ptr<ClientHelloWait>> hello_waits_;
  std::atomic<size_t> active_connections_{0};  // written by the loop thread only
};

}  // namespace weir::proxy
