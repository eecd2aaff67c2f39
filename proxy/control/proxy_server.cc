#include "proxy/control/proxy_server.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <csignal>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/json_text.h"
#include "config/loader.h"
#include "config/unix_address.h"
#include "proxy/control/proxy_log.h"
#include "proxy/listener/listen_socket.h"
#include "proxy/listener/port_owner.h"

namespace weir::proxy {
namespace {

// What to do about a port another process listens on, after "… is already in use".
std::string inUseAdvice(uint16_t configured_port) {
  return fmt::format(
      "; stop that process, listen elsewhere (--port-override {}=PORT), or share the port "
      "with it (--reuse-port, a hot restart)",
      configured_port);
}

// The admin server's socket, refused like a listener's when the port is taken.
int openAdminSocket(const ProxySettings& settings) {
  const std::string& host = settings.admin_address;
  const std::optional<SocketAddress> address =
      SocketAddress::fromIpLiteral(host == "localhost" ? "127.0.0.1" : host, *settings.admin_port);
  if (!address) {
    throw std::runtime_error("admin: \"" + host + "\" is not an IP address (or localhost)");
  }
  std::string error;
  const int fd = openListenSocket(
      *address, error, settings.reuse_port ? PortSharing::kJoin : PortSharing::kExclusive);
  if (fd < 0) {
    throw std::runtime_error("admin: " + error +
                             "; use --admin 127.0.0.1:0 for any free port, or --admin none");
  }
  return fd;
}

// How often a drain checks whether every connection has finished.
constexpr timeval kDrainTick{0, 100'000};
// How often clusters are offered their outlier-detection sweep; each cluster
// sweeps only once per its own `interval`.
constexpr timeval kOutlierSweepTick{0, 100'000};
// How often the live page's chart gets a sample (SplitHistory keeps 300).
constexpr timeval kSplitSampleTick{1, 0};

int64_t wallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ProxyServer::ProxyServer(ProxySettings settings, event_base* external_loop, Signals signals)
    : settings_(std::move(settings)), log_(proxyLogger(settings_)), loop_(external_loop) {
  if (loop_ == nullptr) {
    own_loop_.reset(event_base_new());
    loop_ = own_loop_.get();
  }
  if (loop_ == nullptr) {
    throw std::runtime_error("cannot create the main event loop");
  }
  if (signals == Signals::kLeftToTheHost) {
    return;
  }
  notifier_ = ServiceNotifier::fromEnvironment();
  // Handlers go in before any listener opens, so a signal sent as soon as the
  // proxy is ready is handled, never fatal.
  for (int signal_number : {SIGINT, SIGTERM}) {
    EventPtr event(evsignal_new(loop_, signal_number, &ProxyServer::onStopSignal, this));
    evsignal_add(event.get(), nullptr);
    signal_events_.push_back(std::move(event));
  }
  EventPtr reload_event(evsignal_new(loop_, SIGHUP, &ProxyServer::onReloadSignal, this));
  evsignal_add(reload_event.get(), nullptr);
  signal_events_.push_back(std::move(reload_event));
}

ProxyServer::~ProxyServer() {
  split_sample_timer_.reset();
  health_checker_.reset();
  outlier_sweep_timer_.reset();
  watcher_.reset();
  admin_.reset();
  dns_.reset();
  stopWorkers();
  open_listener_keys_.clear();
  removeClosedUnixSocketFiles();
  drain_timer_.reset();
  signal_events_.clear();
}

void ProxyServer::removeClosedUnixSocketFiles() {
  std::erase_if(unix_socket_files_, [this](const auto& entry) {
    const bool closed = std::find(open_listener_keys_.begin(), open_listener_keys_.end(),
                                  entry.first) == open_listener_keys_.end();
    if (closed) entry.second.removeIfStillOurs();
    return closed;
  });
}

std::shared_ptr<config::RouteTable> ProxyServer::applyOverrides(
    const config::RouteTable& table) const {
  auto copy = std::make_shared<config::RouteTable>(table);
  for (config::Listener& listener : copy->listeners) {
    listener.configured_port = listener.port;
    if (config::isUnixAddress(listener.bind_address)) {
      continue;  // --bind and ports are about IP listeners
    }
    if (settings_.bind_address) {
      listener.bind_address = *settings_.bind_address;
    }
    if (settings_.ephemeral_ports) {
      listener.port = 0;
    }
    if (auto override = settings_.port_overrides.find(listener.configured_port);
        override != settings_.port_overrides.end()) {
      listener.port = override->second;
    }
    // A port picked by the kernel once is kept across reloads.
    if (listener.port == 0) {
      if (auto known = ephemeral_ports_.find(listener.configured_port);
          known != ephemeral_ports_.end()) {
        listener.port = known->second;
      }
    }
  }
  return copy;
}

std::vector<std::vector<ListenSocket>> ProxyServer::openNewListeners(config::RouteTable& table) {
  std::vector<std::vector<ListenSocket>> sockets(concurrency_);
  std::map<std::string, UnixSocketFile> new_unix_files;
  auto closeAll = [&sockets, &new_unix_files] {
    for (auto& worker_sockets : sockets) {
      for (ListenSocket& opened : worker_sockets) close(opened.fd);
    }
    for (const auto& [key, file] : new_unix_files) file.removeIfStillOurs();
  };
  std::map<uint16_t, uint16_t> new_ephemeral_ports;
  std::vector<std::string> opened_keys;
  for (config::Listener& listener : table.listeners) {
    // A TLS server merged onto a port that got an ephemeral port just now.
    if (listener.port == 0 && new_ephemeral_ports.contains(listener.configured_port)) {
      listener.port = new_ephemeral_ports[listener.configured_port];
    }
    const std::string key = listenerKey(listener);
    // (A key with port 0 is no socket yet: each such listener gets its own port.)
    const bool ephemeral = listener.port == 0 && !config::isUnixAddress(listener.bind_address);
    if (!ephemeral &&
        (std::find(open_listener_keys_.begin(), open_listener_keys_.end(), key) !=
             open_listener_keys_.end() ||
         std::find(opened_keys.begin(), opened_keys.end(), key) != opened_keys.end())) {
      continue;
    }
    if (config::isUnixAddress(listener.bind_address)) {
      opened_keys.push_back(key);
      // One socket for every worker: AF_UNIX has no SO_REUSEPORT spreading.
      const std::string_view path = config::unixSocketPath(listener.bind_address);
      const std::optional<SocketAddress> address = SocketAddress::fromUnixPath(path);
      std::string error = "unix socket path \"" + std::string(path) +
                          "\" is longer than a socket address holds (107 bytes)";
      const int fd = address ? openListenSocket(*address, error) : -1;
      if (fd < 0) {
        closeAll();
        throw std::runtime_error("gateway " + listener.gateway + " server " +
                                 listener.server_name + ": " + error);
      }
      if (std::optional<UnixSocketFile> file = UnixSocketFile::of(fd)) {
        new_unix_files.emplace(key, *file);
      }
      for (unsigned w = 0; w < concurrency_; ++w) {
        const int worker_fd = w == 0 ? fd : fcntl(fd, F_DUPFD_CLOEXEC, 0);
        if (worker_fd < 0) {
          closeAll();
          throw std::runtime_error("gateway " + listener.gateway + " server " +
                                   listener.server_name + ": cannot share " + key +
                                   " with every worker: " + std::strerror(errno));
        }
        sockets[w].push_back(ListenSocket{key, worker_fd});
      }
      continue;
    }
    auto address = SocketAddress::fromIpLiteral(listener.bind_address, listener.port);
    if (!address) {
      closeAll();
      throw std::runtime_error("gateway " + listener.gateway + " server " + listener.server_name +
                               ": bind address \"" + listener.bind_address +
                               "\" is not an IP address");
    }
    for (unsigned w = 0; w < concurrency_; ++w) {
      std::string error;
      // The first socket makes sure no other process listens there (unless
      // --reuse-port); the other workers' sockets join it.
      const PortSharing sharing =
          w == 0 && !settings_.reuse_port ? PortSharing::kExclusive : PortSharing::kJoin;
      int fd = openListenSocket(*address, error, sharing);
      if (fd < 0 && sharing == PortSharing::kExclusive && onlyThisProcessListensAt(*address)) {
        // Another listener of this weir overlaps it (0.0.0.0:9000 beside
        // 127.0.0.2:9000, or the one a reload replaces): the kernel tells them
        // apart by SO_REUSEPORT, the most specific address first.
        fd = openListenSocket(*address, error, PortSharing::kJoin);
      }
      if (fd < 0) {
        closeAll();
        const bool in_use = error.find(" is already in use") != std::string::npos;
        throw std::runtime_error("gateway " + listener.gateway + " server " +
                                 listener.server_name + ": " + error +
                                 (in_use ? inUseAdvice(listener.configured_port) : ""));
      }
      if (listener.port == 0) {
        // The first socket picks the ephemeral port; its siblings join it.
        listener.port = localAddressOf(fd).value_or(*address).port();
        address = SocketAddress::fromIpLiteral(listener.bind_address, listener.port);
        new_ephemeral_ports[listener.configured_port] = listener.port;
      }
      sockets[w].push_back(ListenSocket{listenerKey(listener), fd});
    }
    opened_keys.push_back(listenerKey(listener));
  }
  ephemeral_ports_.merge(new_ephemeral_ports);
  unix_socket_files_.merge(new_unix_files);
  return sockets;
}

void ProxyServer::start(std::shared_ptr<const config::RouteTable> table) {
  concurrency_ = settings_.concurrency;
  if (concurrency_ == 0) {
    concurrency_ = std::max(1u, std::thread::hardware_concurrency());
  }
  // Open every socket before starting any worker, so a busy port fails the start
  // cleanly instead of leaving a half-started proxy.
  std::shared_ptr<config::RouteTable> effective = applyOverrides(*table);
  dns_ = std::make_unique<DnsRefresher>(loop_,
                                        std::chrono::seconds(settings_.dns_refresh_seconds),
                                        [this] { republishEndpoints(); }, settings_.dns_resolvers,
                                        log_);
  auto sockets = openNewListeners(*effective);
  dns_->track(*effective);
  awaitFirstDnsAnswers(std::chrono::seconds(5));
  ++generation_;
  snapshot_ = makeSnapshot(std::move(effective));
  const config::RouteTable& routes = *snapshot_->table;
  for (const config::Listener& listener : routes.listeners) {
    open_listener_keys_.push_back(listenerKey(listener));
  }
  if (settings_.admin_port) {
    try {
      admin_ = std::make_unique<AdminServer>(loop_, openAdminSocket(settings_),
                                             static_cast<AdminBackend&>(*this));
    } catch (...) {
      for (auto& worker_sockets : sockets) {
        for (ListenSocket& opened : worker_sockets) close(opened.fd);
      }
      throw;
    }
  }

  WorkerShared shared;
  shared.identity = std::make_shared<config::WorkloadIdentity>(
      config::WorkloadIdentity{settings_.labels, settings_.namespace_name});
  shared.access_log = spdlog::get("access");
  shared.log = log_;
  shared.local_errors = std::make_shared<LocalErrorLog>(
      [log = log_](spdlog::level::level_enum level, const std::string& line) {
        log->log(level, "{}", line);
      });
  for (unsigned w = 0; w < concurrency_; ++w) {
    auto worker =
        std::make_unique<Worker>(w, settings_, shared, makeWorkerRandom(settings_.seed, w));
    worker->applyConfig(snapshot_, std::move(sockets[w]));
    workers_.push_back(std::move(worker));
  }
  for (auto& worker : workers_) {
    worker->start();
  }
  outlier_sweep_timer_.reset(
      event_new(loop_, -1, EV_PERSIST, &ProxyServer::onOutlierSweep, this));
  event_add(outlier_sweep_timer_.get(), &kOutlierSweepTick);
  health_checker_ = std::make_unique<HealthChecker>(loop_, shared.local_errors, log_);
  health_checker_->track(snapshot_);
  // Editing a config file reloads it, like SIGHUP. 200 ms of quiet lets an
  // editor finish its write-and-rename before we read.
  if (settings_.watch_files && !settings_.config_paths.empty()) {
    watcher_ = std::make_unique<ConfigWatcher>(loop_, settings_.config_paths,
                                               std::chrono::milliseconds(200),
                                               [this] { reload(); }, log_);
  }
  logSummary(*snapshot_);
  if (admin_) {
    split_layout_ = splitLayoutOf(*snapshot_->table, generation_);
    sampleSplit();
    split_sample_timer_.reset(
        event_new(loop_, -1, EV_PERSIST, &ProxyServer::onSplitSampleTick, this));
    event_add(split_sample_timer_.get(), &kSplitSampleTick);
    log_->info("admin server on http://{}:{}/", admin_->address(), admin_->port());
  }
  writeReadyFile();
  log_->info("ready: {} listener(s), {} worker(s)", routes.listeners.size(), concurrency_);
  notifier_.ready(fmt::format("serving configuration generation {}: {} listener(s)", generation_,
                              routes.listeners.size()));
}

void ProxyServer::writeReadyFile() const {
  if (settings_.ready_file.empty()) {
    return;
  }
  std::string json = "{\"listeners\":[";
  const auto& listeners = snapshot_->table->listeners;
  for (size_t i = 0; i < listeners.size(); ++i) {
    const config::Listener& listener = listeners[i];
    json += fmt::format("{}{{\"gateway\":{},\"server\":{},\"configured_port\":{},"
                        "\"address\":{},\"port\":{}}}",
                        i ? "," : "", jsonString(listener.gateway),
                        jsonString(listener.server_name), listener.configured_port,
                        jsonString(listener.bind_address), listener.port);
  }
  json += "],\"admin\":";
  json += admin_ ? fmt::format("{{\"address\":{},\"port\":{}}}", jsonString(admin_->address()),
                               admin_->port())
                 : "null";
  json += fmt::format(",\"pid\":{}}}\n", getpid());
  // Write aside, then rename: a reader sees no file or the whole file.
  const std::string temporary = settings_.ready_file + ".tmp";
  std::FILE* file = std::fopen(temporary.c_str(), "w");
  if (file == nullptr || std::fwrite(json.data(), 1, json.size(), file) != json.size() ||
      std::fclose(file) != 0 || std::rename(temporary.c_str(), settings_.ready_file.c_str()) != 0) {
    throw std::runtime_error("cannot write the ready file " + settings_.ready_file);
  }
}

namespace {

// A match block whose sourceLabels or sourceNamespace are not weir's own never
// matches; the YAML alone cannot show that, so say it once per load.
void warnAboutBlocksForOtherWorkloads(const config::RouteTable& table,
                                      const config::WorkloadIdentity& self,
                                      spdlog::logger& log) {
  for (const config::TcpRoute& route : table.routes) {
    for (size_t m = 0; m < route.matches.size(); ++m) {
      const config::L4Match& match = route.matches[m];
      std::string missing;
      for (const auto& [key, value] : match.source_labels) {
        const auto own = self.labels.find(key);
        if (own == self.labels.end() || own->second != value) {
          missing += (missing.empty() ? "sourceLabels " : ",") + key + "=" + value;
        }
      }
      if (!match.source_namespace.empty() && match.source_namespace != self.namespace_name) {
        missing += (missing.empty() ? "" : ", ") + std::string("sourceNamespace ") +
                   match.source_namespace;
      }
      if (!missing.empty()) {
        log.warn("{} (at {}:{}) match[{}]: {}: not weir's own (--labels, --namespace), "
                     "so this block never matches here",
                     route.name, route.position.file, route.position.line, m, missing);
      }
    }
  }
}

}  // namespace

void ProxyServer::logSummary(const ConfigSnapshot& snapshot) const {
  const config::RouteTable& table = *snapshot.table;
  warnAboutBlocksForOtherWorkloads(
      table, config::WorkloadIdentity{settings_.labels, settings_.namespace_name}, *log_);
  for (const config::Listener& listener : table.listeners) {
    log_->info("listener {} (gateway {}, server {}, {})", listenerKey(listener),
                 listener.gateway, listener.server_name, listener.protocol);
    for (size_t route_index : listener.candidate_routes) {
      const config::TcpRoute& route = table.routes[route_index];
      for (const config::WeightedDestination& destination : route.destinations) {
        if (!destination.cluster_index) {
          log_->info("  {} -> {} weight {}/{} (no such cluster: closed, flag NC)", route.name,
                       destination.missing.name, destination.weight, route.total_weight);
          continue;
        }
        const config::UpstreamCluster& cluster = table.clusters[*destination.cluster_index];
        log_->info("  {} -> {} weight {}/{} ({} endpoint(s))", route.name, cluster.name,
                     destination.weight, route.total_weight, cluster.endpoints.size());
      }
    }
  }
}

std::vector<std::string> ProxyServer::reload() {
  std::vector<std::string> errors;
  if (draining_) {
    errors.push_back("the proxy is draining; reload refused");
    return errors;
  }
  notifier_.reloading();
  last_reload_.attempted = true;
  last_reload_.applied = false;
  config::LoadResult loaded = loadConfig();
  for (const config::Diagnostic& warning : loaded.warnings) {
    log_->warn("{}", warning.toString());
  }
  std::shared_ptr<config::RouteTable> table;
  std::vector<std::vector<ListenSocket>> sockets;
  if (loaded.ok()) {
    table = applyOverrides(*loaded.table);
    try {
      sockets = openNewListeners(*table);
    } catch (const std::exception& error) {
      errors.push_back(error.what());
    }
  } else {
    for (const config::Diagnostic& error : loaded.errors) errors.push_back(error.toString());
  }
  if (!errors.empty()) {
    for (const std::string& error : errors) log_->error("reload rejected: {}", error);
    log_->error("reload rejected with {} error(s); generation {} keeps serving", errors.size(),
                  generation_);
    last_reload_.errors = errors;
    ++reloads_rejected_;
    split_history_.addReload(ReloadEvent{wallClockMs(), false, generation_, errors});
    notifier_.ready(fmt::format("reload rejected; configuration generation {} keeps serving",
                                generation_));
    return errors;
  }

  dns_->track(*table);
  // Close the chart's interval under the old weights at the moment they change.
  if (split_layout_) sampleSplit();
  ++generation_;
  snapshot_ = makeSnapshot(std::move(table));
  open_listener_keys_.clear();
  for (const config::Listener& listener : snapshot_->table->listeners) {
    open_listener_keys_.push_back(listenerKey(listener));
  }
  auto new_sockets =
      std::make_shared<std::vector<std::vector<ListenSocket>>>(std::move(sockets));
  runOnAllWorkers([snapshot = snapshot_, new_sockets](Worker& worker) {
    worker.applyConfig(snapshot, std::move((*new_sockets)[worker.index()]));
  });
  removeClosedUnixSocketFiles();  // the workers no longer accept on them
  health_checker_->track(snapshot_);
  logSummary(*snapshot_);
  log_->info("reloaded: configuration generation {}", generation_);
  last_reload_.applied = true;
  ++reloads_applied_;
  last_reload_.errors.clear();
  if (split_layout_) {
    split_layout_ = splitLayoutOf(*snapshot_->table, generation_);
    split_history_.addReload(ReloadEvent{wallClockMs(), true, generation_, {}});
    sampleSplit();
  }
  notifier_.ready(fmt::format("serving configuration generation {}: {} listener(s)", generation_,
                              snapshot_->table->listeners.size()));
  return errors;
}

std::shared_ptr<const ConfigSnapshot> ProxyServer::makeSnapshot(
    std::shared_ptr<const config::RouteTable> table) {
  return buildConfigSnapshot(
      std::move(table), generation_,
      [this](const std::string& name) { return dns_->addressesOf(name); }, health_,
      cluster_connections_);
}

void ProxyServer::onOutlierSweep(evutil_socket_t, short, void* self) {
  static_cast<ProxyServer*>(self)->health_->sweep(HealthClock::now());
}

void ProxyServer::onSplitSampleTick(evutil_socket_t, short, void* self) {
  static_cast<ProxyServer*>(self)->sampleSplit();
}

void ProxyServer::sampleSplit() {
  std::vector<uint64_t> counts(split_layout_->clusters.size(), 0);
  for (const auto& worker : workers_) {
    worker->stats().visit([&](const StatSample& sample) {
      if (std::string_view(sample.scope) != "cluster" ||
          std::string_view(sample.name) != "upstream_cx_total") {
        return;
      }
      if (auto at = split_layout_->cluster_index.find(sample.scope_name);
          at != split_layout_->cluster_index.end()) {
        counts[at->second] += sample.value;
      }
    });
  }
  split_history_.addSample(wallClockMs(), split_layout_, std::move(counts));
}

void ProxyServer::republishEndpoints() {
  if (!snapshot_ || workers_.empty()) {
    return;  // still starting: start() builds the first snapshot after the answers
  }
  snapshot_ = makeSnapshot(snapshot_->table);
  runOnAllWorkers([snapshot = snapshot_](Worker& worker) { worker.applyConfig(snapshot, {}); });
  health_checker_->track(snapshot_);
}

void ProxyServer::awaitFirstDnsAnswers(std::chrono::milliseconds limit) {
  if (dns_->pendingFirstAnswers() == 0) {
    return;
  }
  // A timer that only wakes the loop, so the wait ends at the limit even if
  // no answer ever comes.
  EventPtr wake(evtimer_new(loop_, [](evutil_socket_t, short, void*) {}, nullptr));
  const timeval tick{0, 50'000};
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (dns_->pendingFirstAnswers() > 0 && std::chrono::steady_clock::now() < deadline) {
    evtimer_add(wake.get(), &tick);
    event_base_loop(loop_, EVLOOP_ONCE);
  }
}

void ProxyServer::drain() {
  if (draining_) {
    return;
  }
  draining_ = true;
  notifier_.stopping();
  log_->info("draining: no new connections; open ones have {}s to finish",
               settings_.drain_time_seconds);
  watcher_.reset();
  runOnAllWorkers([](Worker& worker) { worker.stopAccepting(); });
  drain_deadline_ = std::chrono::steady_clock::now() +
                    std::chrono::seconds(settings_.drain_time_seconds);
  drain_timer_.reset(event_new(loop_, -1, EV_PERSIST, &ProxyServer::onDrainTick, this));
  evtimer_add(drain_timer_.get(), &kDrainTick);
}

void ProxyServer::onDrainTick(evutil_socket_t, short, void* self) {
  auto* server = static_cast<ProxyServer*>(self);
  const size_t open = server->activeConnections();
  if (open == 0) {
    server->log_->info("drained: every connection finished");
    event_base_loopbreak(server->loop_);
  } else if (std::chrono::steady_clock::now() >= server->drain_deadline_) {
    server->log_->info("drain time is up: closing {} open connection(s)", open);
    event_base_loopbreak(server->loop_);
  }
}

void ProxyServer::quit() {
  // Leave the loop a moment later, so the admin server's answer reaches the
  // client before the process goes.
  const timeval soon{0, 100'000};
  event_base_once(
      loop_, -1, EV_TIMEOUT,
      [](evutil_socket_t, short, void* base) { event_base_loopbreak(static_cast<event_base*>(base)); },
      loop_, &soon);
}

void ProxyServer::runOnAllWorkers(const std::function<void(Worker&)>& task) {
  for (auto& worker : workers_) {
    Worker* target = worker.get();
    // Workers run tasks within microseconds; the bound only guards against a
    // wedged worker turning an admin request into a hang.
    if (!target->postAndWait([target, task] { task(*target); }, std::chrono::seconds(5))) {
      log_->warn("worker {} did not confirm a configuration change within 5s", target->index());
    }
  }
}

size_t ProxyServer::activeConnections() const {
  size_t open = 0;
  for (const auto& worker : workers_) open += worker->activeConnections();
  return open;
}

int ProxyServer::run() {
  // Keep running with nothing to watch: an embedded proxy may have no admin
  // server and no signal handlers, and still serve until told to stop.
  event_base_loop(loop_, EVLOOP_NO_EXIT_ON_EMPTY);
  notifier_.stopping();  // stopped without a drain (SIGINT, /quitquitquit)
  stopWorkers();
  log_->info("stopped");
  return 0;
}

void ProxyServer::stopWorkers() {
  for (auto& worker : workers_) {
    worker->stop();
  }
  for (auto& worker : workers_) {
    worker->join();
  }
  workers_.clear();
}

config::LoadResult ProxyServer::loadConfig() const {
  const config::LoadOptions load_options{.strict_references = settings_.strict_references};
  if (!texts_given_later_ && !settings_.config_paths.empty()) {
    return config::load(settings_.config_paths, load_options);
  }
  const std::vector<YamlText>& texts =
      texts_given_later_ ? *texts_given_later_ : settings_.config_texts;
  std::vector<config::NamedYaml> documents;
  for (const YamlText& text : texts) documents.push_back({text.name, text.text});
  return config::loadFromText(documents, load_options);
}

std::optional<uint16_t> ProxyServer::listenerPort(uint16_t gateway_port) const {
  for (const config::Listener& listener : snapshot_->table->listeners) {
    if (listener.configured_port == gateway_port) return listener.port;
  }
  return std::nullopt;
}

std::optional<uint16_t> ProxyServer::adminPort() const {
  return admin_ ? std::optional<uint16_t>(admin_->port()) : std::nullopt;
}

void ProxyServer::onStopSignal(evutil_socket_t signal_number, short, void* self) {
  auto* server = static_cast<ProxyServer*>(self);
  if (signal_number == SIGTERM && !server->draining_) {
    server->log_->info("received SIGTERM: draining (send it again to exit at once)");
    server->drain();
    return;
  }
  server->log_->info("received signal {}: stopping", signal_number);
  event_base_loopbreak(server->loop_);
}

void ProxyServer::onReloadSignal(evutil_socket_t, short, void* self) {
  auto* server = static_cast<ProxyServer*>(self);
  server->log_->info("received SIGHUP: reloading the configuration");
  server->reload();
}

std::vector<StatTotal> ProxyServer::statTotals() const {
  std::map<std::tuple<std::string, std::string, std::string>, StatTotal> sums;
  auto sumOf = [&sums](const std::string& scope, const std::string& scope_name,
                       const std::string& name, StatKind kind) -> StatTotal& {
    StatTotal& total = sums[{scope, scope_name, name}];
    total.scope = scope;
    total.scope_name = scope_name;
    total.stat = name;
    total.kind = kind;
    return total;
  };
  for (const auto& worker : workers_) {
    worker->stats().visit([&](const StatSample& sample) {
      StatTotal& total = sumOf(sample.scope, sample.scope_name, sample.name, sample.kind);
      total.value += sample.value;
      if (sample.histogram != nullptr) {
        total.buckets.resize(kHistogramBucketCount + 1);
        for (size_t i = 0; i <= kHistogramBucketCount; ++i) {
          total.buckets[i] += sample.histogram->bucket(i);
        }
        total.sum += sample.histogram->sum();
      }
    });
  }
  std::vector<StatTotal> totals;
  totals.reserve(sums.size() + 10);
  auto serverStat = [&totals](const char* name, StatKind kind, uint64_t value) {
    StatTotal& total = totals.emplace_back();
    total.scope = "server";
    total.stat = name;
    total.kind = kind;
    total.value = value;
  };
  serverStat("config_generation", StatKind::kGauge, generation_);
  serverStat("config_reload_success", StatKind::kCounter, reloads_applied_);
  serverStat("config_reload_failure", StatKind::kCounter, reloads_rejected_);
  serverStat("draining", StatKind::kGauge, draining_ ? 1 : 0);
  serverStat("dns_resolution_failure", StatKind::kCounter, dns_ ? dns_->failures() : 0);
  // Envoy's server gauges, always shown by ?usedonly (Envoy sets them at start).
  auto alwaysUsed = [&](const char* name, uint64_t value) {
    serverStat(name, StatKind::kGauge, value);
    totals.back().always_used = true;
  };
  alwaysUsed("uptime", static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                                 std::chrono::steady_clock::now() - started_at_)
                                                 .count()));
  alwaysUsed("version", versionStatValue(buildInfo().commit));
  alwaysUsed("live", state() == ServerState::kLive ? 1 : 0);
  alwaysUsed("state", static_cast<uint64_t>(state()));
  alwaysUsed("concurrency", concurrency_);
  // Outlier detection and active health checks: per cluster, held by the registry.
  health_->visit([&](const ClusterHealth& cluster) {
    auto add = [&](const char* name, StatKind kind, uint64_t value) {
      sumOf("cluster", cluster.name(), name, kind).value = value;
    };
    const ClusterHealthCounts counts = cluster.counts();
#define WEIR_ADD_OUTLIER(kind, name) add("outlier_detection." #name, kind, counts.name);
#define WEIR_ADD_CHECK(kind, name) add("health_check." #name, kind, counts.health_check_##name);
#define WEIR_COUNTER(name) WEIR_ADD_OUTLIER(StatKind::kCounter, name)
#define WEIR_GAUGE(name) WEIR_ADD_OUTLIER(StatKind::kGauge, name)
    WEIR_OUTLIER_DETECTION_STATS(WEIR_COUNTER, WEIR_GAUGE)
#undef WEIR_COUNTER
#undef WEIR_GAUGE
    // Consecutive failures are the only kind of ejection: Envoy's per-kind counter
    // is the total.
    add("outlier_detection.ejections_enforced_consecutive_5xx", StatKind::kCounter,
        counts.ejections_enforced_total);
    if (cluster.healthChecked()) {
#define WEIR_COUNTER(name) WEIR_ADD_CHECK(StatKind::kCounter, name)
#define WEIR_GAUGE(name) WEIR_ADD_CHECK(StatKind::kGauge, name)
      WEIR_HEALTH_CHECK_STATS(WEIR_COUNTER, WEIR_GAUGE)
#undef WEIR_COUNTER
#undef WEIR_GAUGE
    }
#undef WEIR_ADD_OUTLIER
#undef WEIR_ADD_CHECK
  });
  for (auto& [key, total] : sums) totals.push_back(std::move(total));
  return totals;
}

void ProxyServer::resetCounters() {
  runOnAllWorkers([](Worker& worker) { worker.resetCounters(); });
  // Envoy resets every counter; gauges (generation, draining, active) stay.
  reloads_applied_ = 0;
  reloads_rejected_ = 0;
  if (dns_) dns_->resetFailures();
  health_->resetCounters();
}

EndpointTotalsMap ProxyServer::endpointTotals() const {
  EndpointTotalsMap endpoints;
  for (const auto& worker : workers_) {
    worker->stats().visitEndpoints(
        [&](const std::string& cluster, const std::string& address, const EndpointStats& stats) {
          EndpointTotals& totals = endpoints[{cluster, address}];
          totals.cx_total += stats.cx_total.value();
          totals.cx_active += stats.cx_active.value();
          totals.cx_connect_fail += stats.cx_connect_fail.value();
        });
  }
  return endpoints;
}

std::string ProxyServer::clustersJson() const {
  return weir::proxy::clustersJson(*snapshot_, statTotals(), endpointTotals());
}

std::string ProxyServer::clustersText() const {
  return weir::proxy::clustersText(*snapshot_, endpointTotals());
}

std::string ProxyServer::listenersText() const {
  return weir::proxy::listenersText(*snapshot_->table);
}

std::string ProxyServer::listenersJson() const {
  return weir::proxy::listenersJson(*snapshot_->table);
}

ServerState ProxyServer::state() const {
  return draining_ || health_check_failed_ ? ServerState::kDraining : ServerState::kLive;
}

void ProxyServer::failHealthCheck(bool fail) {
  if (fail != health_check_failed_) {
    log_->info(fail ? "health check failing on request (POST /healthcheck/fail): /ready "
                        "answers 503, listeners keep accepting"
                      : "health check passing again (POST /healthcheck/ok)");
  }
  health_check_failed_ = fail;
}

std::string ProxyServer::serverInfoJson() const {
  char hostname[256] = {};
  gethostname(hostname, sizeof hostname - 1);
  const auto level = log_->level();
  const auto level_name = spdlog::level::to_string_view(level);
  return weir::proxy::serverInfoJson(
      buildInfo(),
      ServerInfoInput{
          .state = state(),
          .uptime = std::chrono::duration_cast<std::chrono::seconds>(
              std::chrono::steady_clock::now() - started_at_),
          .settings = &settings_,
          .concurrency = concurrency_,
          .log_level = std::string(level_name.data(), level_name.size()),
          .command_line = processCommandLine(),
          .hostname = hostname});
}

NamedLoggers ProxyServer::loggers() const {
  // Its own log under the name it has (an embedding program's logger keeps its
  // own), and the access log the binary registers.
  NamedLoggers loggers{{log_->name().empty() ? "weir" : log_->name(), log_}};
  if (auto access = spdlog::get("access")) loggers.emplace("access", std::move(access));
  return loggers;
}

std::string ProxyServer::configDumpJson() const {
  return weir::proxy::configDumpJson(*snapshot_, last_reload_);
}

}  // namespace weir::proxy
