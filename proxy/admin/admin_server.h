// The admin HTTP server (Envoy's habit: 127.0.0.1:15000): statistics, clusters,
// the effective config, readiness, and the mutating POST endpoints.
//
// Runs on the main thread's event loop (libevent evhttp); it reads the workers'
// statistics through their thread-safe counters and never blocks a worker.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <event2/http.h>

#include "common/libevent_handles.h"
#include "proxy/admin/stats_format.h"

namespace weir::proxy {

// What the admin server asks of the proxy. Called on the main thread.
class AdminBackend {
 public:
  virtual ~AdminBackend() = default;
  virtual std::vector<StatTotal> statTotals() const = 0;
  virtual void resetCounters() = 0;
  virtual std::string clustersJson() const = 0;
  virtual std::string configDumpJson() const = 0;
  virtual bool ready() const = 0;
  // Returns the errors; empty when the new configuration was applied.
  virtual std::vector<std::string> reloadConfig() = 0;
  virtual void drain() = 0;
  virtual void quit() = 0;
};

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
