// Weir as a library: run the proxy inside your own program or test suite.
//
//   weir::ProxySettings settings;
//   settings.config_paths = {"deploy/istio"};   // or settings.config_texts
//   settings.ephemeral_ports = true;            // every Gateway port -> a free port
//   auto proxy = weir::Proxy::start(settings);  // throws weir::ConfigError
//   connect_to("127.0.0.1", proxy->port(9000));
//
// A Proxy started with start() runs its control loop on a thread of its own and
// its data path on `concurrency` worker threads; every method may be called from
// any thread. One started with startOn(base) runs its control loop on the
// caller's libevent event_base: call its methods on the thread that runs `base`.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <spdlog/common.h>

struct event_base;

namespace spdlog {
class logger;
}

namespace weir {

// A YAML document set held in memory; `name` stands in for a file name in errors.
struct YamlText {
  std::string name;
  std::string text;
};

// Every setting of a running proxy, read by the proxy, its workers and its data path
// alike. Each default is written once: the member defaults are for embedding (a test
// suite's proxy), and commandLineDefaults() changes the four that the weir binary,
// the gateway a user runs, wants otherwise (marked "weir:" below).
struct ProxySettings {
  // The weir binary's settings before its flags.
  static ProxySettings commandLineDefaults();

  std::vector<std::string> config_paths;  // files or directories, like weir -c
  std::vector<YamlText> config_texts;     // used when config_paths is empty
  // Every IP listener binds here (a Unix socket one keeps its path); nullopt: each
  // Gateway server's own `bind` (default 0.0.0.0, like Istio's ingress gateway).
  // Loopback, so that a test suite's proxy is not reachable from outside; weir:
  // nullopt, as an ingress gateway.
  std::optional<std::string> bind_address = "127.0.0.1";
  // Gateway port -> port to listen on instead (0: a free ephemeral port).
  std::map<uint16_t, uint16_t> port_overrides;
  bool ephemeral_ports = false;            // every Gateway port -> a free port
  // admin_address:admin_port; nullopt: no admin server. A free port, so that suites
  // running side by side do not collide; weir: 15000, Envoy's and Istio's.
  std::optional<uint16_t> admin_port = 0;
  // Worker threads; 0: one per core. One, so that a seed gives a test one
  // reproducible sequence of picks; weir: one per core, as Envoy.
  unsigned concurrency = 1;
  std::optional<uint64_t> seed;            // reproducible weighted picks
  // Reload when config_paths change on disk. Off: a test reloads when it means to
  // (Proxy::reload); weir: on, so an edited file takes effect like SIGHUP.
  bool watch_files = false;
  // A reference to what the configuration does not define (a VirtualService's
  // gateway, a destination's ServiceEntry host or port, a subset) is an error
  // (weir --strict); by default it is Istio's verdict, a warning, and routes nowhere.
  bool strict_references = false;

  // The same for embedding and for the weir binary (main() over runInForeground()):
  std::string admin_address = "127.0.0.1";
  size_t buffer_limit = 1024 * 1024;       // bytes queued per direction before reads pause
  // A direction moves bytes with splice(2) once it has carried this many in
  // large reads (0: from the first byte; nullopt: always copy).
  std::optional<uint64_t> splice_after = 64 * 1024;
  unsigned drain_time_seconds = 30;        // SIGTERM / POST /drain: time to finish
  // TLS passthrough listeners: how long to wait for a client's ClientHello.
  std::chrono::milliseconds listener_filter_timeout{15'000};
  // Client connections open at once over all listeners; nullopt: no limit.
  std::optional<uint64_t> max_connections;
  // Connects tried per client connection (Envoy's max_connect_attempts, 1).
  unsigned max_connect_attempts = 1;
  unsigned dns_refresh_seconds = 5;        // ServiceEntry resolution DNS: refresh period
  std::vector<std::string> dns_resolvers;  // "IP[:PORT]" name servers; empty: resolv.conf
  // The gateway's own labels and namespace, which match blocks' sourceLabels and
  // sourceNamespace are matched against (weir --labels, --namespace).
  std::map<std::string, std::string> labels;
  std::string namespace_name;
  // access-log lines (spdlog logger "access"), handed over in batches: one message
  // may hold several lines, separated by '\n' (access_log_batch.h)
  bool access_log_json = false;
  std::string ready_file;                  // written once every listener accepts
  // A port another process listens on is refused ("127.0.0.1:9000 is already in
  // use (pid 1234, weir)"); true (weir --reuse-port) joins its SO_REUSEPORT group
  // instead, and the kernel spreads new connections over both: a hot restart, the
  // new weir started before the old one drains. Either way the proxy's own sockets
  // let a successor with reuse_port join them.
  bool reuse_port = false;
  // Where the proxy's own log lines go (listeners, reloads, warnings; not the
  // access log). Null: a logger named "weir" of the proxy's own that writes to
  // standard error at `log_level`, never to standard output, which is the host
  // program's. A logger given here is used as it is (its level, sinks, format).
  std::shared_ptr<spdlog::logger> logger;
  spdlog::level::level_enum log_level = spdlog::level::info;
};

inline ProxySettings ProxySettings::commandLineDefaults() {
  ProxySettings settings;
  settings.bind_address.reset();
  settings.admin_port = 15000;
  settings.concurrency = 0;
  settings.watch_files = true;
  return settings;
}

// The configuration was refused; what() lists every error, one per line, as
// "file:line:column: field: message".
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<std::string> errors);
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  std::vector<std::string> errors_;
};

class Proxy {
 public:
  static std::unique_ptr<Proxy> start(const ProxySettings& settings);
  static std::unique_ptr<Proxy> startOn(event_base* base, const ProxySettings& settings);
  // Runs in the calling thread until stopped, as the weir binary does: SIGTERM
  // drains, a second SIGTERM or SIGINT stops, SIGHUP reloads. Returns the exit
  // status. Throws ConfigError, or std::runtime_error when a port cannot be opened
  // (another process listens there: see reuse_port) or a setting cannot be used
  // with the configuration (a port_overrides key that no Gateway server has, …);
  // start() and startOn() alike.
  static int runInForeground(const ProxySettings& settings);
  ~Proxy();  // stops it: listeners close, open connections are reset
  Proxy(const Proxy&) = delete;
  Proxy& operator=(const Proxy&) = delete;

  // The port a Gateway server named `gateway_port` in the YAML listens on now.
  // Throws std::out_of_range if no server has that port.
  uint16_t port(uint16_t gateway_port) const;
  std::optional<uint16_t> adminPort() const;

  // Every statistic by Envoy's name, summed over workers, e.g.
  // "cluster.outbound|9000|v2|tcp-echo-server.default.svc.cluster.local.upstream_cx_total".
  std::map<std::string, uint64_t> counters() const;
  // Connections each subset received: "v1" -> 812 (cluster subset, or host when
  // the destination names no subset), summed over the clusters of that subset.
  std::map<std::string, uint64_t> connectionsBySubset() const;
  void resetCounters();

  // Reads the configuration again (files, or the texts given). Returns the
  // errors; empty when the new configuration serves every new connection.
  std::vector<std::string> reload();
  std::vector<std::string> reload(std::vector<YamlText> texts);

 private:
  class Impl;
  explicit Proxy(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace weir
