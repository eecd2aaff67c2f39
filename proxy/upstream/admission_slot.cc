#include "proxy/upstream/admission_slot.h"

namespace weir::proxy {

AdmissionSlot AdmissionSlot::admitClient(const AdmissionLimit& global,
                                         const AdmissionLimit& listener, Counter& active) {
  AdmissionSlot slot;
  if (!global.open.tryAcquire(global.max)) {
    global.overflow.add();
    return slot;
  }
  if (!listener.open.tryAcquire(listener.max)) {
    global.open.release();
    listener.overflow.add();
    return slot;
  }
  active.add();
  slot.global_ = &global.open;
  slot.listener_ = &listener.open;
  slot.active_ = &active;
  return slot;
}

bool AdmissionSlot::admitToCluster(const AdmissionLimit& cluster) {
  // A retry in the same cluster is still one connection of it: it keeps its
  // place (Envoy frees a failed attempt's connection before the next one).
  if (&cluster.open == cluster_) return true;
  if (!cluster.open.tryAcquire(cluster.max)) {
    cluster.overflow.add();
    return false;
  }
  if (cluster_ != nullptr) cluster_->release();
  cluster_ = &cluster.open;
  return true;
}

}  // namespace weir::proxy
