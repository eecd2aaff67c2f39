// Active TCP health checks (HAProxy's `check`, Envoy's tcp_health_check) of the
// endpoints of every cluster whose config has `health_check`.
//
// Runs on the control thread's event loop: each probe is a non-blocking connect to
// the endpoint, then optionally `send` written and `expect` awaited, all within
// `timeout`; the next probe starts `interval` after the previous one finished.
// Each result is counted in the endpoint's ClusterHealth; crossing a threshold
// takes the endpoint out of rotation or returns it (setFailedActiveCheck):
//  - an endpoint starts in rotation, but until it has passed once a single failed
//    probe takes it out (HAProxy's start-up behaviour), so a dead endpoint is out
//    after its first probe;
//  - afterwards `unhealthy_threshold` failures in a row take it out, and
//    `healthy_threshold` passes in a row bring it back.
// A probe weir cannot make for its own reasons (out of descriptors, memory or
// local ports; or a deadline the loop noticed more than a whole timeout late, see
// connect_failure_cause.h) is neither a pass nor a failure: it changes no
// verdict and no streak, and is counted as a local failure (once-per-burst log).
//
// `interval` and `timeout` must be positive (the config loader's job): a zero
// interval would probe in a tight loop, a zero timeout fail every probe.
//
// Owns one socket (during a probe), one socket event and one timer per endpoint;
// the destructor and track() cancel and close what they no longer need.
//
// Threads: construct, call and destroy on the thread that runs `loop`, and only
// while `loop` is alive.
#pragma once

#include <event2/event.h>

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include <spdlog/logger.h>

#include "proxy/cluster/config_snapshot.h"
#include "proxy/upstream/local_error_log.h"

namespace weir::proxy {

class HealthChecker {
 public:
  // `local_errors`: where probes that fail for weir's own reasons are logged
  // (shared with the workers); null: a log of its own. `log`: where changes of
  // health go (null: spdlog's default logger).
  explicit HealthChecker(event_base* loop, std::shared_ptr<LocalErrorLog> local_errors = nullptr,
                         std::shared_ptr<spdlog::logger> log = nullptr);
  ~HealthChecker();
  HealthChecker(const HealthChecker&) = delete;
  HealthChecker& operator=(const HealthChecker&) = delete;

  // From now on, probe every endpoint (with an address) of every cluster of
  // `snapshot` that has health_check; stop probing the others. An endpoint kept
  // from the previous snapshot (same cluster name and display address) keeps its
  // counts and its schedule; new settings apply from its next probe (a shorter
  // interval also moves a waiting probe earlier). New endpoints are probed on the
  // loop's next iteration. Endpoints no longer probed are returned to rotation.
  void track(std::shared_ptr<const ConfigSnapshot> snapshot);

  // How many endpoints are being probed (for the admin page and tests).
  size_t probedEndpoints() const { return targets_.size(); }

 private:
  class Target;  // one probed endpoint: its settings, counts, socket and timers
  using TargetKey = std::pair<std::string, std::string>;  // cluster name, display

  event_base* loop_;
  std::shared_ptr<LocalErrorLog> local_errors_;
  std::shared_ptr<spdlog::logger> log_;  // never null
  std::map<TargetKey, std::unique_ptr<Target>> targets_;
  // Keeps the ClusterHealth and EndpointHealth that targets point to alive.
  std::shared_ptr<const ConfigSnapshot> snapshot_;
};

}  // namespace weir::proxy
