#include "bench/loadgen/observations.h"

#include <fmt/format.h>

namespace weir::bench {

void Observations::merge(const Observations& other) {
  completed += other.completed;
  errors.merge(other.errors);
  answers.merge(other.answers);
  latency.merge(other.latency);
}

std::string Observations::jsonFields() const {
  return fmt::format(
      "\"errors\":{},\"error_kinds\":{},\"answers\":{},\"p50_us\":{},\"p99_us\":{}",
      errors.total(), errors.toJson(), answers.toJson(), latency.percentile(0.50),
      latency.percentile(0.99));
}

}  // namespace weir::bench
