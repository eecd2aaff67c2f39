// What a run observed, the same shape in every mode: how many units of work completed
// (exchanges, messages, connections), the errors by kind, the answers by prefix, and
// the latency of each completed unit. Each thread fills its own; the run merges them.
#pragma once

#include <cstdint>
#include <string>

#include "bench/loadgen/counts_by_name.h"
#include "bench/loadgen/latency_histogram.h"

namespace weir::bench {

struct Observations {
  std::uint64_t completed = 0;
  CountsByName errors;
  CountsByName answers;
  LatencyHistogram latency;

  void merge(const Observations& other);

  // "errors":E,"error_kinds":{...},"answers":{...},"p50_us":..,"p99_us":..
  // (the common tail of every mode's JSON result, without braces).
  std::string jsonFields() const;
};

}  // namespace weir::bench
