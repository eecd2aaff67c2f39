// What one client connection counts against, held from accept to close: the
// --max-connections count, its listener's weir.dev/max-connections count and
// downstream_cx_active gauge, and, once routed, its cluster's maxConnections
// count. Like HAProxy's server slot (released in one place, sess_change_server)
// and Envoy's resource manager: the connection owns its slot, and the slot's
// destructor gives back everything it holds, once, whichever way the connection
// ends (refused, failed, reset, finished, or its worker torn down).
//
// Move-only. A slot is used on the loop thread of the worker that accepted the
// client (the gauge is that worker's); the counts it holds are shared by every
// worker and must outlive it (they live in registries that the worker and the
// connection's snapshot keep alive).
#pragma once

#include <cstdint>
#include <utility>

#include "proxy/cluster/connection_limit.h"
#include "proxy/stats/stats.h"

namespace weir::proxy {

// One limit as an admission checks it: the count shared by every worker, the
// most it admits now, and the worker's counter of connections it turned away.
struct AdmissionLimit {
  ConnectionLimit& open;
  uint64_t max;
  Counter& overflow;
};

// Moves and the release are inline: a connection moves its slot a few times
// (accept, open, finish), and most of those moves are of an empty slot, which
// the compiler can then see.
class AdmissionSlot {
 public:
  AdmissionSlot() = default;  // holds nothing
  ~AdmissionSlot() { release(); }
  AdmissionSlot(AdmissionSlot&& other) noexcept
      : global_(std::exchange(other.global_, nullptr)),
        listener_(std::exchange(other.listener_, nullptr)),
        active_(std::exchange(other.active_, nullptr)),
        cluster_(std::exchange(other.cluster_, nullptr)) {}
  // Gives back what this slot held, then takes over `other`'s.
  AdmissionSlot& operator=(AdmissionSlot&& other) noexcept {
    if (this != &other) {
      release();
      global_ = std::exchange(other.global_, nullptr);
      listener_ = std::exchange(other.listener_, nullptr);
      active_ = std::exchange(other.active_, nullptr);
      cluster_ = std::exchange(other.cluster_, nullptr);
    }
    return *this;
  }
  AdmissionSlot(const AdmissionSlot&) = delete;
  AdmissionSlot& operator=(const AdmissionSlot&) = delete;

  // A client accepted on a listener: counted against `global` (--max-connections),
  // then `listener` (weir.dev/max-connections), then in `active` (the listener's
  // downstream_cx_active). When a limit is full the slot is empty: only that
  // limit's overflow is counted, nothing is held.
  static AdmissionSlot admitClient(const AdmissionLimit& global, const AdmissionLimit& listener,
                                   Counter& active);
  // The connection goes to a cluster (first pick or a connect retry): counted
  // against `cluster` (maxConnections), and no longer against the cluster it
  // counted against before; nothing changes when that is `cluster` itself.
  // False when `cluster` is full: its overflow is counted and the slot keeps
  // what it held.
  bool admitToCluster(const AdmissionLimit& cluster);

  bool admitted() const { return global_ != nullptr; }

 private:
  void release() {
    if (cluster_ != nullptr) std::exchange(cluster_, nullptr)->release();
    if (active_ != nullptr) std::exchange(active_, nullptr)->subtract();
    if (listener_ != nullptr) std::exchange(listener_, nullptr)->release();
    if (global_ != nullptr) std::exchange(global_, nullptr)->release();
  }

  ConnectionLimit* global_ = nullptr;
  ConnectionLimit* listener_ = nullptr;
  Counter* active_ = nullptr;
  ConnectionLimit* cluster_ = nullptr;
};

}  // namespace weir::proxy
