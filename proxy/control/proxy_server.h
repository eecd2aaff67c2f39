// The proxy process: the workers, their listening sockets, and the main thread's
// event loop that handles signals, config reloads and the admin server.
//
// Threading: every method runs on the main thread. Workers receive new route
// snapshots and commands through Worker::post(), so the data path never waits
// for the main thread and never takes a lock per connection.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <weir/proxy.h>

#include "common/libevent_handles.h"
#include "config/loader.h"
#include "config/route_table.h"
#include "proxy/admin/admin_server.h"
#include "proxy/admin/admin_views.h"
#include "proxy/admin/server_info.h"
#include "proxy/admin/split_history.h"
#include "proxy/cluster/config_snapshot.h"
#include "proxy/control/config_watcher.h"
#include "proxy/control/dns_refresher.h"
#include "proxy/control/service_notifier.h"
#include "proxy/listener/unix_socket_file.h"
#include "proxy/listener/worker.h"
#include "proxy/upstream/health_checker.h"

namespace weir::proxy {

// Whether the proxy handles the process's signals: SIGTERM drains, a second SIGTERM
// or SIGINT stops, SIGHUP reloads (the weir binary); or the host program keeps its
// own (embedding).
enum class Signals { kLeftToTheHost, kHandled };

class ProxyServer final : private AdminBackend {
 public:
  // With `external_loop`, the control loop is the caller's (embedding); run()
  // is then not used and the caller runs that loop.
  ProxyServer(ProxySettings settings, event_base* external_loop, Signals signals);
  ~ProxyServer() override;
  ProxyServer(const ProxyServer&) = delete;
  ProxyServer& operator=(const ProxyServer&) = delete;

  // Opens every listener on every worker (and the admin server) and starts the
  // workers. Throws std::runtime_error with a message for the user when a port
  // cannot be opened; nothing is left running then.
  void start(std::shared_ptr<const config::RouteTable> table);
  // Runs until stopped (SIGINT, second SIGTERM, POST /quitquitquit, or the end
  // of a drain), then stops the workers. Returns the exit code.
  int run();

  // Loads the configuration files again. On success new connections on every
  // worker use the new route table (listeners added or removed as it says);
  // on failure nothing changes and the errors (file:line:column) are returned.
  // Never a half-applied configuration.
  std::vector<std::string> reload();

  // Stop accepting, let open connections finish for up to --drain-time, exit.
  void drain() override;
  // Embedding: from now on the configuration is these documents, not files.
  void useConfigTexts(std::vector<YamlText> texts) {
    texts_given_later_ = std::move(texts);
    watcher_.reset();
  }

  // Loads the configuration as the settings say (files or texts).
  config::LoadResult loadConfig() const;
  // Where the Gateway server named `gateway_port` listens; nullopt if none.
  std::optional<uint16_t> listenerPort(uint16_t gateway_port) const;
  std::optional<uint16_t> adminPort() const;
  // Every statistic, summed over workers.
  std::vector<StatTotal> statTotals() const override;
  void resetCounters() override;
  // Stops the workers (resetting open connections); the control loop stays.
  void stopWorkers();
  event_base* loop() const { return loop_; }
  // The proxy's own log (ProxySettings::logger, or its default).
  spdlog::logger& log() const { return *log_; }

 private:
  // AdminBackend (the rest is public above)
  std::string clustersJson() const override;
  std::string clustersText() const override;
  std::string listenersText() const override;
  std::string listenersJson() const override;
  std::string configDumpJson() const override;
  std::string serverInfoJson() const override;
  std::string splitHistoryJson() const override { return split_history_.json(); }
  NamedLoggers loggers() const override;
  ServerState state() const override;
  void failHealthCheck(bool fail) override;
  std::vector<std::string> reloadConfig() override { return reload(); }
  void quit() override;

  static void onStopSignal(evutil_socket_t signal_number, short, void* self);
  static void onReloadSignal(evutil_socket_t, short, void* self);
  static void onDrainTick(evutil_socket_t, short, void* self);
  static void onOutlierSweep(evutil_socket_t, short, void* self);
  static void onSplitSampleTick(evutil_socket_t, short, void* self);
  // Adds a sample of every cluster's connections so far to split_history_, under
  // split_layout_ (the weights of the generation serving now).
  void sampleSplit();
  // Per endpoint, summed over workers, for /clusters.
  EndpointTotalsMap endpointTotals() const;
  // Opens one socket per worker for each listener of `table` whose key is not in
  // open_listener_keys_ (one per key: merged TLS servers share it; a Unix socket
  // is one socket, duplicated for every worker). All or nothing: throws
  // std::runtime_error on failure. Listeners on port 0 get their ephemeral port
  // here (written into `table`, and remembered so that reloads keep it).
  std::vector<std::vector<ListenSocket>> openNewListeners(config::RouteTable& table);
  // A copy of `table` with --bind and --port-override applied.
  std::shared_ptr<config::RouteTable> applyOverrides(const config::RouteTable& table) const;
  void writeReadyFile() const;
  // A snapshot of `table` with the DNS names' current addresses.
  std::shared_ptr<const ConfigSnapshot> makeSnapshot(std::shared_ptr<const config::RouteTable> table);
  // DNS answers changed some addresses: same table, new endpoints, every worker.
  void republishEndpoints();
  // At start: give DNS names a bounded moment to resolve before declaring ready,
  // as Envoy warms a STRICT_DNS cluster before its listener takes traffic.
  void awaitFirstDnsAnswers(std::chrono::milliseconds limit);
  void logSummary(const ConfigSnapshot& snapshot) const;
  size_t activeConnections() const;
  // Runs `task` on every worker's loop thread and waits (bounded) until all have
  // run it, so that what the caller answers is already true on the data path.
  void runOnAllWorkers(const std::function<void(Worker&)>& task);
  // Removes the files of Unix listeners whose keys are no longer open.
  void removeClosedUnixSocketFiles();

  // Never changes, so that the workers may read it by reference while they run.
  const ProxySettings settings_;
  const std::shared_ptr<spdlog::logger> log_;  // never null
  // Embedding: the configuration since useConfigTexts(), instead of settings_'.
  std::optional<std::vector<YamlText>> texts_given_later_;
  EventBasePtr own_loop_;  // null when embedded on the caller's loop
  event_base* loop_ = nullptr;
  std::vector<EventPtr> signal_events_;
  std::unique_ptr<ConfigWatcher> watcher_;
  std::unique_ptr<DnsRefresher> dns_;
  std::unique_ptr<AdminServer> admin_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::shared_ptr<const ConfigSnapshot> snapshot_;
  // Endpoint health (outlier ejection, active checks), kept across snapshots.
  std::shared_ptr<HealthRegistry> health_ = std::make_shared<HealthRegistry>();
  // Clusters' open connections over every worker (maxConnections), kept across snapshots.
  std::shared_ptr<ConnectionLimits> cluster_connections_ = std::make_shared<ConnectionLimits>();
  EventPtr outlier_sweep_timer_;  // returns ejected endpoints whose time is up
  std::unique_ptr<HealthChecker> health_checker_;  // probes what the annotations ask for
  std::vector<std::string> open_listener_keys_;
  // The files of the Unix socket listeners open now, by listener key: removed
  // when their listener goes, and when the proxy stops.
  std::map<std::string, UnixSocketFile> unix_socket_files_;
  // Gateway port -> the ephemeral port that `--port-override P=0` got.
  std::map<uint16_t, uint16_t> ephemeral_ports_;
  unsigned concurrency_ = 1;
  uint64_t generation_ = 0;
  LastReload last_reload_;
  uint64_t reloads_applied_ = 0;
  uint64_t reloads_rejected_ = 0;
  bool draining_ = false;
  // POST /healthcheck/fail: /ready answers 503 and server.live is 0 (listeners
  // keep accepting, as Envoy's do) until POST /healthcheck/ok.
  bool health_check_failed_ = false;
  const std::chrono::steady_clock::time_point started_at_ = std::chrono::steady_clock::now();
  // The live page's chart: a sample a second for five minutes, and the reloads.
  SplitHistory split_history_;
  std::shared_ptr<const SplitLayout> split_layout_;
  EventPtr split_sample_timer_;
  // systemd's Type=notify (NOTIFY_SOCKET), for the weir process only: an embedding
  // host program speaks to its service manager for itself.
  ServiceNotifier notifier_;
  EventPtr drain_timer_;
  std::chrono::steady_clock::time_point drain_deadline_;
};

}  // namespace weir::proxy
