// The admin HTTP server (Envoy's habit: 127.0.0.1:15000): statistics, clusters,
// listeners, the effective config, server state and logging levels, the live page,
// and the mutating POST endpoints. Its endpoints are listed once (adminEndpoints()),
// and /help, the 404 answer and the live page's links are made from that list.
//
// Runs on the main thread's event loop (libevent evhttp); it reads the workers'
// statistics through their thread-safe counters and never blocks a worker.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <event2/http.h>

#include "common/libevent_handles.h"
#include "proxy/admin/log_levels.h"
#include "proxy/admin/server_info.h"
#include "proxy/admin/stats_format.h"

namespace weir::proxy {

// What the admin server asks of the proxy. Called on the main thread.
class AdminBackend {
 public:
  virtual ~AdminBackend() = default;
  virtual std::vector<StatTotal> statTotals() const = 0;
  virtual void resetCounters() = 0;
  virtual std::string clustersJson() const = 0;
  virtual std::string clustersText() const = 0;
  virtual std::string listenersText() const = 0;
  virtual std::string listenersJson() const = 0;
  virtual std::string configDumpJson() const = 0;
  virtual std::string serverInfoJson() const = 0;
  virtual std::string splitHistoryJson() const = 0;
  // The loggers /logging lists and changes.
  virtual NamedLoggers loggers() const = 0;
  // LIVE, or DRAINING while draining or after POST /healthcheck/fail.
  virtual ServerState state() const = 0;
  // POST /healthcheck/fail (true), /healthcheck/ok (false).
  virtual void failHealthCheck(bool fail) = 0;
  // Returns the errors; empty when the new configuration was applied.
  virtual std::vector<std::string> reloadConfig() = 0;
  virtual void drain() = 0;
  virtual void quit() = 0;
};

// One endpoint of the admin API, for /help and the live page's links.
struct AdminEndpointInfo {
  std::string_view path;
  std::string_view help;
  // Whether GET may change nothing but POST changes state (Envoy requires POST
  // for those; weir's /logging lists with GET and changes with POST).
  enum class Method { kGet, kPost, kGetListsPostChanges } method = Method::kGet;
  std::string_view parameters = {};  // "name: what it does" lines, '\n' between
};
std::span<const AdminEndpointInfo> adminEndpoints();

// Envoy's /help text: "admin commands are:\n  /clusters: upstream cluster status\n…",
// sorted by path, "(POST)" after those that change state.
std::string adminHelpText();

class AdminServer {
 public:
  // Serves on `listening_fd`, a bound and listening socket it takes over (the
  // control thread opens it, so that a port in use is refused as a listener's is).
  // Throws std::runtime_error.
  AdminServer(event_base* loop, int listening_fd, AdminBackend& backend);
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  uint16_t port() const { return port_; }
  const std::string& address() const { return address_; }

 private:
  static void onRequest(evhttp_request* request, void* self);
  void handle(evhttp_request* request);

  AdminBackend& backend_;
  HttpServerPtr http_;
  std::string address_;
  uint16_t port_ = 0;
};

}  // namespace weir::proxy
