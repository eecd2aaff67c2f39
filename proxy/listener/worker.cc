#include "proxy/listener/worker.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "config/route_match.h"
#include "config/unix_address.h"
#include "proxy/listener/listen_socket.h"
#include "proxy/upstream/client_address.h"
#include "proxy/upstream/upstream_pick.h"

namespace weir::proxy {

namespace {
constexpr std::chrono::milliseconds kAcceptBackoff{100};
constexpr size_t kScratchBytes = 64 * 1024;
// Bigger pipes mean fewer splice calls per megabyte (the kernel may grant less).
constexpr size_t kPipeBytes = 1024 * 1024;
constexpr size_t kPipesKept = 16;
constexpr size_t kConnectionsKept = 1024;
constexpr size_t kRecordsKept = 1024;
}  // namespace

Worker::Worker(unsigned index, const ProxySettings& settings, WorkerShared shared,
               std::unique_ptr<RandomSource> random)
    : index_(index),
      settings_(settings),
      shared_(std::move(shared)),
      random_(std::move(random)),
      scratch_(std::make_unique_for_overwrite<char[]>(kScratchBytes)),
      pipes_(std::min(kPipeBytes, settings_.buffer_limit), kPipesKept),
      connections_(kConnectionsKept) {
  relay_context_ = RelayContext{.settings = &settings_,
                                .scratch = scratch_.get(),
                                .scratch_size = kScratchBytes,
                                .pipes = &pipes_};
  // Only this worker's thread touches its loop (others post through tasks_, which
  // wakes it with an eventfd): libevent's lock would cost a mutex per event call.
  {
    std::unique_ptr<event_config, decltype(&event_config_free)> config(event_config_new(),
                                                                        &event_config_free);
    if (config && event_config_set_flag(config.get(), EVENT_BASE_FLAG_NOLOCK) == 0) {
      base_.reset(event_base_new_with_config(config.get()));
    }
  }
  if (!base_) {
    throw std::runtime_error("cannot create an event loop");
  }
  short_read_checks_ = std::make_unique<ShortReadChecks>(base_.get());
  relay_context_.short_read_checks = short_read_checks_.get();
  if (shared_.access_log) {
    access_log_ = std::make_unique<AccessLogBatch>(shared_.access_log, settings_.access_log_json,
                                                   base_.get());
  }
  tasks_ = std::make_unique<LoopTaskQueue>(base_.get());
}

Worker::~Worker() {
  join();
  // Connections, waits and listeners hold events of base_: free them before it.
  for (ProxiedConnection* connection : connections_.openConnections()) connection->abort();
  hello_waits_.clear();
  listeners_.clear();
  tasks_.reset();
}

void Worker::addListener(ListenSocket socket) {
  auto slot = std::make_unique<ListenerSlot>();
  slot->key = socket.key;
  slot->worker = this;
  // Backlog 0: the main thread already called listen().
  slot->listener.reset(evconnlistener_new(base_.get(), &Worker::onAccept, slot.get(),
                                          LEV_OPT_CLOSE_ON_FREE, 0, socket.fd));
  if (!slot->listener) {
    close(socket.fd);
    shared_.log->error("worker {}: cannot accept on {}", index_, socket.key);
    return;
  }
  evconnlistener_set_error_cb(slot->listener.get(), &Worker::onAcceptError);
  slot->backoff.assign(base_.get(), -1, 0, &Worker::onAcceptBackoffEnd, slot.get());
  listeners_.push_back(std::move(slot));
}

void Worker::start() {
  thread_ = std::thread([this] {
    event_base_loop(base_.get(), EVLOOP_NO_EXIT_ON_EMPTY);
  });
}

void Worker::post(std::function<void()> task) { tasks_->post(std::move(task)); }

void Worker::stop() {
  post([this] {
    listeners_.clear();
    hello_waits_.clear();
    for (ProxiedConnection* connection : connections_.openConnections()) connection->abort();
    if (access_log_) access_log_->flush();
    event_base_loopbreak(base_.get());
  });
}

void Worker::join() {
  if (thread_.joinable()) {
    thread_.join();
  }
}

void Worker::applyConfig(std::shared_ptr<const ConfigSnapshot> snapshot,
                         std::vector<ListenSocket> new_sockets) {
  for (ListenSocket& socket : new_sockets) {
    addListener(std::move(socket));
  }
  const config::RouteTable& table = *snapshot->table;
  clusters_.clear();
  clusters_.reserve(snapshot->clusters.size());
  for (const Cluster& cluster : snapshot->clusters) clusters_.emplace_back(cluster, stats_);
  route_stats_.clear();
  for (const config::TcpRoute& route : table.routes) {
    route_stats_.push_back(&stats_.route(route.name));
  }
  for (auto& slot : listeners_) {
    slot->config_index = -1;
    slot->listener_indices.clear();
    slot->routes_use_destination = false;
    slot->peeks_sni = false;
    for (size_t i = 0; i < table.listeners.size(); ++i) {
      const config::Listener& listener = table.listeners[i];
      if (listenerKey(listener) != slot->key) continue;
      slot->listener_indices.push_back(i);
      slot->peeks_sni = slot->peeks_sni || listener.tls_passthrough;
      for (size_t r : listener.candidate_routes) {
        for (const config::L4Match& match : table.routes[r].matches) {
          if (!match.destination_subnets.empty()) slot->routes_use_destination = true;
        }
      }
      if (slot->config_index >= 0) continue;  // a TLS server merged onto the first
      slot->config_index = static_cast<int>(i);
      slot->stats = &stats_.listener(listener.stat_prefix);
      slot->open_connections = &shared_.listener_connections->of(slot->key);
      slot->unix_path = std::string(config::unixSocketPath(listener.bind_address));
    }
  }
  // Listeners the new config dropped stop accepting; their connections carry on.
  listeners_.remove_if([](const auto& slot) { return slot->config_index < 0; });
  snapshot_ = std::move(snapshot);
}

void Worker::onAccept(evconnlistener*, evutil_socket_t fd, sockaddr* address, int length,
                      void* slot) {
  auto* listener_slot = static_cast<ListenerSlot*>(slot);
  listener_slot->worker->accept(*listener_slot, fd, address, length);
}

void Worker::onAcceptError(evconnlistener*, void* slot) {
  const int error = EVUTIL_SOCKET_ERROR();
  auto* listener_slot = static_cast<ListenerSlot*>(slot);
  listener_slot->stats->downstream_cx_accept_error.add();
  if (error != EMFILE && error != ENFILE && error != ENOBUFS && error != ENOMEM) {
    listener_slot->worker->shared_.log->warn("accept failed on {}: {}", listener_slot->key,
                                             evutil_socket_error_to_string(error));
    return;
  }
  // Out of descriptors (or kernel memory): the pending connection stays in the
  // backlog and the socket stays readable, so accepting again at once would spin.
  // Pause this listener briefly instead; connections that close meanwhile free
  // descriptors, and accepting resumes by itself.
  if (!listener_slot->backoff_logged) {
    listener_slot->worker->shared_.log->warn("accept on {} paused: {} (retrying every {} ms)",
                                             listener_slot->key,
                                             evutil_socket_error_to_string(error),
                                             kAcceptBackoff.count());
    listener_slot->backoff_logged = true;
  }
  listener_slot->worker->pauseAccepting(*listener_slot);
}

void Worker::pauseAccepting(ListenerSlot& slot) {
  evconnlistener_disable(slot.listener.get());
  slot.backoff.add(commonTimeout(kAcceptBackoff));
}

void Worker::onAcceptBackoffEnd(evutil_socket_t, short, void* slot) {
  auto* listener_slot = static_cast<ListenerSlot*>(slot);
  evconnlistener_enable(listener_slot->listener.get());
}

void Worker::accept(ListenerSlot& slot, evutil_socket_t fd, const sockaddr* address, int length) {
  const config::Listener& listener =
      snapshot_->table->listeners[static_cast<size_t>(slot.config_index)];
  slot.stats->downstream_cx_total.add();
  // --max-connections, over every worker and listener (Envoy's overload manager
  // global_downstream_max_connections), then weir.dev/max-connections on the
  // Gateway: this listener, over every worker (Envoy's per-listener connection
  // limit). Over either, close at once; the slot has counted the overflow.
  AcceptedClient client;
  client.admission = AdmissionSlot::admitClient(
      {*shared_.downstream_connections, settings_.max_connections.value_or(UINT64_MAX),
       slot.stats->downstream_global_cx_overflow},
      {*slot.open_connections, listener.max_connections, slot.stats->downstream_cx_overflow},
      slot.stats->downstream_cx_active);
  if (!client.admission.admitted()) {
    close(fd);
    return;
  }
  slot.backoff_logged = false;

  client.fd = fd;
  std::memcpy(&client.address, address,
              std::min(sizeof client.address, static_cast<size_t>(length)));
  client.address_length = static_cast<socklen_t>(length);
  client.stats = slot.stats;
  client.source = ipAddressOf(address);
  // The address the client reached is the slot's key unless the listener binds a
  // wildcard; one getsockname() at most, and only when a destinationSubnets rule
  // or the access log needs it.
  const bool wildcard = listener.bind_address == "0.0.0.0" || listener.bind_address == "::";
  std::optional<SocketAddress> local;
  if (slot.routes_use_destination || (wildcard && logsConnections())) local = localAddressOf(fd);
  if (slot.routes_use_destination && local) client.destination = ipAddressOf(local->get());
  // The access-log record, filled in as the connection is routed; nothing is
  // formatted (or allocated) for it when no log is written.
  if (logsConnections()) {
    auto& record = client.record = newRecord();
    record->start = std::chrono::system_clock::now();
    record->downstream_remote =
        SocketAddress::fromSockaddr(address, static_cast<socklen_t>(length)).toString();
    record->downstream_local = wildcard && local ? local->toString() : slot.key;
    if (!slot.unix_path.empty()) {
      // A Unix client is usually unnamed; Envoy then takes the socket's own name
      // for it (the peer's path "should match our own").
      record->downstream_local = slot.unix_path;
      if (record->downstream_remote.empty()) record->downstream_remote = slot.unix_path;
    }
    record->listener.assign(listener.gateway).append("/").append(listener.server_name);
    record->upstream_local = record->upstream_host = record->upstream_cluster = "-";
    record->route = record->destination_host = record->destination_subset = "-";
  }

  if (slot.peeks_sni) {
    // Route by SNI: wait for the ClientHello (peeked, not consumed) first.
    client.listener_key = slot.key;
    auto wait = std::make_unique<ClientHelloWait>(
        static_cast<ClientHelloOwner&>(*this), base_.get(), std::move(client),
        commonTimeout(settings_.listener_filter_timeout), scratch_.get());
    ClientHelloWait* raw = wait.get();
    hello_waits_.emplace(raw, std::move(wait));
    return;
  }
  route(slot, std::move(client), {});
}

void Worker::onClientHelloVerdict(ClientHelloWait& wait, Verdict verdict,
                                  const ClientHelloInspection& inspection) {
  auto owned = hello_waits_.extract(&wait);
  AcceptedClient& client = wait.client();
  ListenerStats* stats = client.stats;
  using Outcome = ClientHelloInspection::Outcome;
  if (verdict == Verdict::kTimeout) {
    stats->downstream_pre_cx_timeout.add();
    refuse(wait.releaseSocket(), client, EndReason::kListenerFilterTimeout);
    return;
  }
  if (verdict == Verdict::kClosed) {
    refuse(wait.releaseSocket(), client, EndReason::kDownstreamClosed);
    return;
  }
  switch (inspection.outcome) {
    case Outcome::kSni: stats->tls_inspector_sni_found.add(); break;
    case Outcome::kNoSni: stats->tls_inspector_sni_not_found.add(); break;
    case Outcome::kNotTls: stats->tls_inspector_tls_not_found.add(); break;
    case Outcome::kTooLarge: stats->tls_inspector_client_hello_too_large.add(); break;
    case Outcome::kNeedMoreBytes: break;
  }
  if (inspection.outcome == Outcome::kTooLarge) {
    refuse(wait.releaseSocket(), client, EndReason::kNoRoute);
    return;
  }
  // The listener may have gone in a reload while the client was sending its hello.
  ListenerSlot* slot = nullptr;
  for (auto& candidate : listeners_) {
    if (candidate->key == client.listener_key) slot = candidate.get();
  }
  if (slot == nullptr) {
    stats->downstream_cx_no_route.add();
    refuse(wait.releaseSocket(), client, EndReason::kNoRoute);
    return;
  }
  // The socket leaves the wait (which closes what it still owns when destroyed).
  const int fd = wait.releaseSocket();
  AcceptedClient routed = std::move(client);
  routed.fd = fd;
  route(*slot, std::move(routed), inspection.server_name);
}

void Worker::route(ListenerSlot& slot, AcceptedClient client, std::string_view sni) {
  const int fd = client.fd;
  const sockaddr* address = reinterpret_cast<const sockaddr*>(&client.address);
  std::unique_ptr<ConnectionRecord>& record = client.record;
  const config::RouteTable& table = *snapshot_->table;
  const config::Listener& listener = table.listeners[static_cast<size_t>(slot.config_index)];
  // Rules match the port the Gateway names, even when --port-override moved it.
  const uint16_t gatewayPort = listener.configured_port != 0 ? listener.configured_port
                                                             : listener.port;
  config::ConnectionFacts facts{gatewayPort, listener.gateway};
  facts.source = client.source;
  facts.destination = client.destination;
  facts.sni = sni;
  facts.self = shared_.identity.get();
  size_t served_by = static_cast<size_t>(slot.config_index);
  const config::TcpRoute* route =
      config::findRoute(table, slot.listener_indices, facts, &served_by);
  if (record && served_by != static_cast<size_t>(slot.config_index)) {
    // The rule of a TLS server merged onto this socket.
    const config::Listener& merged = table.listeners[served_by];
    record->listener.assign(merged.gateway).append("/").append(merged.server_name);
  }
  if (route == nullptr) {
    slot.stats->downstream_cx_no_route.add();
    refuse(fd, client, EndReason::kNoRoute);
    return;
  }
  RouteStats* route_stats = route_stats_[static_cast<size_t>(route - table.routes.data())];
  route_stats->cx_total.add();

  const size_t pick = pickDestination(route->destinations, route->total_weight, random_->next());
  const config::WeightedDestination& destination = route->destinations[pick];
  if (record) record->route = route->name;
  if (!destination.cluster_index) {
    // A destination whose cluster does not exist: Envoy's tcp_proxy finds no
    // cluster, counts the connection as no route and closes it (flag NC).
    slot.stats->downstream_cx_no_route.add();
    if (record) record->setMissingCluster(destination.missing);
    refuse(fd, client, EndReason::kNoClusterFound);
    return;
  }
  WorkerCluster& cluster = clusters_[*destination.cluster_index];
  if (record) record->setUpstreamCluster(cluster.cluster().config());

  const std::optional<size_t> endpoint_index = cluster.pickEndpoint(address, {}, *random_);
  if (!endpoint_index) {
    // Envoy's behaviour with no healthy host and no panic threshold: the
    // connection fails (flag UH) and is counted.
    cluster.stats().upstream_cx_none_healthy.add();
    refuse(fd, client, EndReason::kNoHealthyUpstream);
    return;
  }
  // connectionPool.tcp.maxConnections, counted over all workers.
  if (!cluster.admit(client.admission)) {
    refuse(fd, client, EndReason::kUpstreamOverflow);
    return;
  }
  UpstreamTarget target = targetFor(*route, route_stats, cluster, *endpoint_index);
  if (record) record->upstream_host = target.endpoint().display;
  ProxiedConnection& connection = connections_.take(*this);
  active_connections_.store(connections_.openCount(), std::memory_order_relaxed);
  connection.open(std::move(client), std::move(target));
}

std::optional<UpstreamTarget> Worker::retryTarget(
    const UpstreamTarget& failed, std::span<const std::pair<size_t, size_t>> tried,
    AdmissionSlot& admission, EndReason& reason) {
  // Indices into per-cluster state are the current snapshot's: after a reload the
  // connection keeps its first pick and does not retry.
  if (failed.snapshot != snapshot_ || failed.route == nullptr) return std::nullopt;
  const config::TcpRoute& route = *failed.route;
  const size_t pick = pickDestination(route.destinations, route.total_weight, random_->next());
  if (!route.destinations[pick].cluster_index) {
    // As for a first pick: Envoy's retry picks the route again and finds no cluster
    // (the connection counts it in its listener's downstream_cx_no_route).
    reason = EndReason::kNoClusterFound;
    return std::nullopt;
  }
  WorkerCluster& cluster = clusters_[*route.destinations[pick].cluster_index];
  std::vector<size_t> excluded;
  for (const auto& [c, endpoint] : tried) {
    if (c == cluster.cluster().index()) excluded.push_back(endpoint);
  }
  const std::optional<size_t> e = cluster.pickEndpoint(nullptr, excluded, *random_);
  if (!e || !cluster.admit(admission)) return std::nullopt;
  return targetFor(route, failed.route_stats, cluster, *e);
}

UpstreamTarget Worker::targetFor(const config::TcpRoute& route, RouteStats* route_stats,
                                 const WorkerCluster& cluster, size_t e) const {
  return UpstreamTarget{.snapshot = snapshot_,
                        .route = &route,
                        .cluster = &cluster.cluster(),
                        .endpoint_index = e,
                        .route_stats = route_stats,
                        .cluster_stats = &cluster.stats(),
                        .endpoint_stats = &cluster.endpointStats(e)};
}

void Worker::refuse(evutil_socket_t fd, const AcceptedClient& client, EndReason reason) {
  close(fd);
  if (ConnectionRecord* record = client.record.get()) {
    record->reason = reason;
    writeAccessLog(*record);
  }
}

void Worker::onLocalConnectFailure(const UpstreamTarget& target, ConnectFailureCause cause,
                                   int error) {
  shared_.local_errors->onFailure(
      cause, error, fmt::format("{} {}", target.cluster->name(), target.endpoint().display));
  if (cause != ConnectFailureCause::kLocalShortage) return;
  // Out of descriptors or memory: any client accepted now would fail the same
  // way. Leave new clients in the kernel's backlog for a while, as when accept()
  // itself runs short; they are served once something is freed.
  for (auto& slot : listeners_) pauseAccepting(*slot);
}

std::unique_ptr<ConnectionRecord> Worker::newRecord() {
  if (spare_records_.empty()) return std::make_unique<ConnectionRecord>();
  std::unique_ptr<ConnectionRecord> record = std::move(spare_records_.back());
  spare_records_.pop_back();
  record->reuse();
  return record;
}

void Worker::recycleRecord(std::unique_ptr<ConnectionRecord> record) {
  if (spare_records_.size() < kRecordsKept) spare_records_.push_back(std::move(record));
}

void Worker::onConnectionDone(ProxiedConnection& connection, const ConnectionRecord* record) {
  if (record) writeAccessLog(*record);
  connections_.giveBack(connection);
  active_connections_.store(connections_.openCount(), std::memory_order_relaxed);
}

const timeval* Worker::commonTimeout(std::chrono::milliseconds length) {
  auto [it, added] = common_timeouts_.try_emplace(length.count(), nullptr);
  if (added) {
    timeval duration{static_cast<time_t>(length.count() / 1000),
                     static_cast<suseconds_t>((length.count() % 1000) * 1000)};
    it->second = event_base_init_common_timeout(base_.get(), &duration);
  }
  return it->second;
}

void Worker::writeAccessLog(const ConnectionRecord& record) {
  if (access_log_) access_log_->add(record);
  if (shared_.log->should_log(spdlog::level::debug)) {
    shared_.log->debug("{}", formatConnectionSummary(record));
  }
}

}  // namespace weir::proxy
