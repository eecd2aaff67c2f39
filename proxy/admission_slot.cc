#include "proxy/admission_slot.h"

#include <utility>

namespace weir::proxy {

AdmissionSlot::AdmissionSlot(AdmissionSlot&& other) noexcept
    : global_(std::exchange(other.global_, nullptr)),
      listener_(std::exchange(other.listener_, nullptr)),
      active_(std::exchange(other.active_, nullptr)),
      cluster_(std::exchange(other.cluster_, nullptr)) {}

AdmissionSlot& AdmissionSlot::operator=(AdmissionSlot&& other) noexcept {
  if (this != &other) {
    release();
    global_ = std::exchange(other.global_, nullptr);
    listener_ = std::exchange(other.listener_, nullptr);
    active_ = std::exchange(other.active_, nullptr);
    cluster_ = std::exchange(other.cluster_, nullptr);
  }
  return *this;
}

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

void AdmissionSlot::release() {
  if (cluster_ != nullptr) cluster_->release();
  if (active_ != nullptr) active_->subtract();
  if (listener_ != nullptr) listener_->release();
  if (global_ != nullptr) global_->release();
  global_ = listener_ = cluster_ = nullptr;
  active_ = nullptr;
}

}  // namespace weir::proxy
