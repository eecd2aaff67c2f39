#include "proxy/cluster/connection_limit.h"

namespace weir::proxy {

ConnectionLimit& ConnectionLimits::of(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto& limit = limits_[name];
  if (!limit) limit = std::make_unique<ConnectionLimit>();
  return *limit;
}

}  // namespace weir::proxy
