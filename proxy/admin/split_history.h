// The last few minutes of the traffic split, for the live page's chart: how many
// new connections each destination of each rule received per sample interval, the
// weights configured at the time, and every reload (accepted or rejected).
//
// Control thread only. Memory is bounded: at most `capacity` samples (each one
// count per cluster, plus a shared pointer to the layout of its generation) and at
// most kMaxReloads reload events, each with at most kMaxReloadErrors errors.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/route_table.h"

namespace weir::proxy {

// The rules and weights of one configuration generation, as the chart draws them.
// Built once per generation and shared by every sample taken under it.
struct SplitLayout {
  struct Destination {
    std::string cluster;  // Istio's cluster name, also for one that does not exist
    std::string label;    // "host / subset", for people
    uint32_t weight = 0;
    // Where this destination's cluster is in a sample's counts; nullopt: no such
    // cluster (connections picked for it are closed, NC).
    std::optional<size_t> count_index;
  };
  struct Route {
    std::string name;  // "default/tcp-echo/tcp[0]"
    uint64_t total_weight = 0;
    std::vector<Destination> destinations;
  };
  uint64_t generation = 0;
  std::vector<Route> routes;
  std::vector<std::string> clusters;             // count index -> cluster name
  std::map<std::string, size_t> cluster_index;  // cluster name -> count index
};

std::shared_ptr<const SplitLayout> splitLayoutOf(const config::RouteTable& table,
                                                 uint64_t generation);

struct ReloadEvent {
  int64_t time_ms = 0;  // wall clock, milliseconds since the epoch
  bool accepted = false;
  uint64_t generation = 0;  // serving after the attempt
  std::vector<std::string> errors;
};

class SplitHistory {
 public:
  static constexpr size_t kMaxReloads = 100;
  static constexpr size_t kMaxReloadErrors = 20;

  // `capacity` samples: 300 at one a second is five minutes.
  explicit SplitHistory(size_t capacity = 300) : capacity_(capacity) {}

  // `counts[i]`: connections made so far to layout->clusters[i] (Envoy's
  // upstream_cx_total summed over workers). Drops the oldest sample when full.
  void addSample(int64_t time_ms, std::shared_ptr<const SplitLayout> layout,
                 std::vector<uint64_t> counts);
  void addReload(ReloadEvent event);

  size_t sampleCount() const { return samples_.size(); }
  size_t reloadCount() const { return reloads_.size(); }

  // {"samples":[{"time_ms","generation"}…],
  //  "routes":[{"name","total_weights":[…],"destinations":[{"cluster","label",
  //             "weights":[…],"connections":[…]}]}],
  //  "reloads":[{"time_ms","result":"accepted"|"rejected","generation","errors"}]}
  // Arrays run parallel to "samples". "connections"[i] counts the new connections
  // between sample i-1 and sample i (null for the first sample, and where the
  // destination or its cluster is absent from either); a counter that went down
  // (POST /reset_counters) counts from zero. Weights are null where the rule or
  // the destination did not exist. Routes and destinations appear in the order
  // they were first seen.
  std::string json() const;

 private:
  struct Sample {
    int64_t time_ms = 0;
    std::shared_ptr<const SplitLayout> layout;
    std::vector<uint64_t> counts;
  };

  size_t capacity_;
  std::deque<Sample> samples_;
  std::deque<ReloadEvent> reloads_;
};

}  // namespace weir::proxy
