#include "proxy/admin/split_history.h"

#include <fmt/format.h>

#include "common/json_text.h"

namespace weir::proxy {

std::shared_ptr<const SplitLayout> splitLayoutOf(const config::RouteTable& table,
                                                 uint64_t generation) {
  auto layout = std::make_shared<SplitLayout>();
  layout->generation = generation;
  for (const config::UpstreamCluster& cluster : table.clusters) {
    layout->cluster_index.emplace(cluster.name, layout->clusters.size());
    layout->clusters.push_back(cluster.name);
  }
  for (const config::TcpRoute& route : table.routes) {
    SplitLayout::Route& shown = layout->routes.emplace_back();
    shown.name = route.name;
    shown.total_weight = route.total_weight;
    for (const config::WeightedDestination& destination : route.destinations) {
      SplitLayout::Destination& entry = shown.destinations.emplace_back();
      entry.weight = destination.weight;
      config::MissingCluster named = destination.missing;
      if (destination.cluster_index) {
        const config::UpstreamCluster& cluster = table.clusters[*destination.cluster_index];
        named = {cluster.name, cluster.host, cluster.subset, cluster.port};
        entry.count_index = *destination.cluster_index;
      }
      entry.cluster = named.name;
      entry.label = named.subset.empty() ? named.host : named.host + " / " + named.subset;
    }
  }
  return layout;
}

void SplitHistory::addSample(int64_t time_ms, std::shared_ptr<const SplitLayout> layout,
                             std::vector<uint64_t> counts) {
  if (capacity_ == 0) return;
  if (samples_.size() == capacity_) samples_.pop_front();
  samples_.push_back(Sample{time_ms, std::move(layout), std::move(counts)});
  // Reloads from before the oldest sample are off the chart.
  while (!reloads_.empty() && reloads_.front().time_ms < samples_.front().time_ms) {
    reloads_.pop_front();
  }
}

void SplitHistory::addReload(ReloadEvent event) {
  if (event.errors.size() > kMaxReloadErrors) {
    const size_t more = event.errors.size() - (kMaxReloadErrors - 1);
    event.errors.resize(kMaxReloadErrors - 1);
    event.errors.push_back(fmt::format("… and {} more", more));
  }
  if (reloads_.size() == kMaxReloads) reloads_.pop_front();
  reloads_.push_back(std::move(event));
}

namespace {

// One rule or destination over the samples, null where absent.
struct Series {
  std::vector<std::optional<uint64_t>> weights;
  std::vector<std::optional<uint64_t>> connections;
};

std::string numbersJson(const std::vector<std::optional<uint64_t>>& values) {
  std::string json = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) json += ",";
    json += values[i] ? std::to_string(*values[i]) : "null";
  }
  return json + "]";
}

}  // namespace

std::string SplitHistory::json() const {
  struct DestinationSeries {
    std::string cluster;
    std::string label;
    Series series;
  };
  struct RouteSeries {
    std::string name;
    std::vector<std::optional<uint64_t>> total_weights;
    std::vector<DestinationSeries> destinations;
    std::map<std::string, size_t> destination_index;  // by cluster name
  };
  const size_t n = samples_.size();
  std::vector<RouteSeries> routes;
  std::map<std::string, size_t> route_index;
  for (size_t i = 0; i < n; ++i) {
    const Sample& sample = samples_[i];
    const Sample* previous = i > 0 ? &samples_[i - 1] : nullptr;
    for (const SplitLayout::Route& route : sample.layout->routes) {
      auto [found, added] = route_index.try_emplace(route.name, routes.size());
      if (added) {
        RouteSeries& fresh = routes.emplace_back();
        fresh.name = route.name;
        fresh.total_weights.resize(n);
      }
      RouteSeries& series = routes[found->second];
      series.total_weights[i] = route.total_weight;
      for (const SplitLayout::Destination& destination : route.destinations) {
        auto [at, is_new] =
            series.destination_index.try_emplace(destination.cluster, series.destinations.size());
        if (is_new) {
          DestinationSeries& fresh = series.destinations.emplace_back();
          fresh.cluster = destination.cluster;
          fresh.label = destination.label;
          fresh.series.weights.resize(n);
          fresh.series.connections.resize(n);
        }
        Series& values = series.destinations[at->second].series;
        // Two destinations of one rule naming the same cluster: weights add up.
        values.weights[i] = values.weights[i].value_or(0) + destination.weight;
        if (previous == nullptr || !destination.count_index) continue;
        const auto before = previous->layout->cluster_index.find(destination.cluster);
        if (before == previous->layout->cluster_index.end()) continue;
        const uint64_t now = sample.counts.at(*destination.count_index);
        const uint64_t then = previous->counts.at(before->second);
        values.connections[i] = now >= then ? now - then : now;
      }
    }
  }

  std::string json = "{\"samples\":[";
  for (size_t i = 0; i < n; ++i) {
    json += fmt::format("{}{{\"time_ms\":{},\"generation\":{}}}", i ? "," : "",
                        samples_[i].time_ms, samples_[i].layout->generation);
  }
  json += "],\"routes\":[";
  for (size_t r = 0; r < routes.size(); ++r) {
    const RouteSeries& route = routes[r];
    json += fmt::format("{}{{\"name\":{},\"total_weights\":{},\"destinations\":[", r ? "," : "",
                        jsonString(route.name), numbersJson(route.total_weights));
    for (size_t d = 0; d < route.destinations.size(); ++d) {
      const DestinationSeries& destination = route.destinations[d];
      json += fmt::format("{}{{\"cluster\":{},\"label\":{},\"weights\":{},\"connections\":{}}}",
                          d ? "," : "", jsonString(destination.cluster),
                          jsonString(destination.label), numbersJson(destination.series.weights),
                          numbersJson(destination.series.connections));
    }
    json += "]}";
  }
  json += "],\"reloads\":[";
  for (size_t e = 0; e < reloads_.size(); ++e) {
    const ReloadEvent& event = reloads_[e];
    json += fmt::format("{}{{\"time_ms\":{},\"result\":{},\"generation\":{},\"errors\":{}}}",
                        e ? "," : "", event.time_ms,
                        jsonString(event.accepted ? "accepted" : "rejected"), event.generation,
                        jsonStringArray(event.errors));
  }
  return json + "]}\n";
}

}  // namespace weir::proxy
