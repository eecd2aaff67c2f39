#include "config/cluster_builder.h"

#include <algorithm>

#include "config/spelling.h"
#include "config/traffic_policy.h"
#include "config/unix_address.h"

namespace weir::config {
namespace {

// What Envoy's tcp_proxy does with a connection whose cluster does not exist, for
// the messages about dangling references.
constexpr const char* kClosedForNoCluster =
    ", so connections picked for this destination are closed (no cluster: flag NC)";

bool selects(const std::map<std::string, std::string>& subset_labels,
             const std::map<std::string, std::string>& endpoint_labels) {
  return std::all_of(subset_labels.begin(), subset_labels.end(), [&](const auto& label) {
    const auto found = endpoint_labels.find(label.first);
    return found != endpoint_labels.end() && found->second == label.second;
  });
}

std::string portList(const ServiceEntryObject& entry) {
  std::string list;
  for (const ServicePortSpec& port : entry.ports) {
    list += (list.empty() ? "" : ", ") + std::to_string(port.number);
  }
  return list;
}

// The port of the workload behind `port`: the endpoint's own mapping for the port's
// name, else the port's targetPort, else the port number itself (Istio's order).
// A Unix domain socket has no port.
uint16_t endpointPort(const EndpointSpec& endpoint, const ServicePortSpec& port) {
  if (isUnixAddress(endpoint.address.value)) {
    return 0;
  }
  if (const auto mapped = endpoint.ports.find(port.name); mapped != endpoint.ports.end()) {
    return mapped->second;
  }
  return port.target_port != 0 ? port.target_port : port.number;
}

}  // namespace

std::string clusterName(uint16_t port, const std::string& subset, const std::string& host) {
  return "outbound|" + std::to_string(port) + "|" + subset + "|" + host;
}

ClusterBuilder::ClusterBuilder(const ServiceCatalog& catalog, Diagnostics& diagnostics)
    : catalog_(catalog), diagnostics_(diagnostics) {}

bool ClusterBuilder::dependsOnServerPort(const DestinationRef& destination) const {
  if (destination.port || destination.host.value.empty()) {
    return false;
  }
  const ServiceEntryObject* entry = catalog_.serviceEntry(destination.host.value).entry;
  return entry == nullptr || entry->ports.size() != 1;
}

std::optional<WeightedDestination> ClusterBuilder::destinationFor(
    const DestinationRef& destination, std::optional<uint16_t> server_port) {
  if (destination.host.value.empty()) {
    return std::nullopt;  // already reported
  }
  const ServiceCatalog::Service service = catalog_.serviceEntry(destination.host.value);
  // Istio's GetDestinationCluster: the destination's port, else the entry's only
  // port, else the port of the server the rule serves.
  uint16_t port = server_port.value_or(0);
  if (destination.port) {
    port = destination.port->value;
  } else if (service.entry != nullptr && service.entry->ports.size() == 1) {
    port = service.entry->ports.front().number;
  }
  const auto key = std::make_tuple(destination.host.value, destination.subset.value, port);
  if (const auto known = memo_.find(key); known != memo_.end()) {
    return known->second;
  }
  return memo_[key] = resolve(destination, service, port, server_port);
}

WeightedDestination ClusterBuilder::resolve(const DestinationRef& destination,
                                            const ServiceCatalog::Service& service,
                                            uint16_t port, std::optional<uint16_t> server_port) {
  const std::string& host = destination.host.value;
  WeightedDestination result;
  result.missing = MissingCluster{clusterName(port, destination.subset.value, host), host,
                                  destination.subset.value, port};
  if (service.entry == nullptr) {
    diagnostics_.danglingReference(destination.host.at,
                                   "no ServiceEntry for host \"" + host + "\"" + kClosedForNoCluster +
                                       didYouMean(host, catalog_.hostNames()));
    return result;
  }
  const ServiceEntryObject& entry = *service.entry;
  const auto service_port =
      std::find_if(entry.ports.begin(), entry.ports.end(),
                   [&](const ServicePortSpec& known) { return known.number == port; });
  if (service_port == entry.ports.end()) {
    // An entry without ports only names hosts: Istio builds no cluster for it.
    if (entry.ports.empty()) {
      diagnostics_.danglingReference(
          destination.host.at,
          "ServiceEntry " + entry.meta.qualifiedName() +
              " has no ports (Istio builds no cluster for it)" + kClosedForNoCluster);
    } else if (destination.port) {
      diagnostics_.danglingReference(destination.port->at,
                                     "port " + std::to_string(port) +
                                         " is not a port of ServiceEntry " +
                                         entry.meta.qualifiedName() + " (ports: " +
                                         portList(entry) + ")" + kClosedForNoCluster);
    } else if (server_port) {
      diagnostics_.danglingReference(
          FieldRef{destination.at.position, destination.at.field + ".port"},
          "no destination port, and ServiceEntry " + entry.meta.qualifiedName() +
              " has several (" + portList(entry) + "): Istio takes the server's port, " +
              std::to_string(port) + ", which the entry does not list" + kClosedForNoCluster);
    }
    return result;
  }
  const SubsetLookup subset = findSubset(destination);
  if (!subset.found) {
    return result;
  }
  // Another destination may name the same cluster with its port left implicit.
  for (size_t i = 0; i < clusters_.size(); ++i) {
    const UpstreamCluster& cluster = clusters_[i];
    if (cluster.host == host && cluster.subset == destination.subset.value &&
        cluster.port == port) {
      result.cluster_index = i;
      return result;
    }
  }
  clusters_.push_back(makeCluster(destination, service, *service_port, subset));
  result.cluster_index = clusters_.size() - 1;
  return result;
}

ClusterBuilder::SubsetLookup ClusterBuilder::findSubset(const DestinationRef& destination) {
  SubsetLookup lookup;
  const std::string& host = destination.host.value;
  const std::string& subset_name = destination.subset.value;
  lookup.rule = catalog_.destinationRule(host);
  if (subset_name.empty()) {
    return lookup;
  }
  if (lookup.rule == nullptr) {
    diagnostics_.danglingReference(destination.subset.at,
                                   "subset \"" + subset_name +
                                       "\" not found: no DestinationRule for host \"" + host +
                                       "\"" + kClosedForNoCluster);
    lookup.found = false;
    return lookup;
  }
  const std::vector<SubsetSpec>& subsets = lookup.rule->subsets;
  const auto subset = std::find_if(subsets.begin(), subsets.end(), [&](const SubsetSpec& s) {
    return s.name.value == subset_name;
  });
  if (subset == subsets.end()) {
    std::vector<std::string_view> names;
    for (const SubsetSpec& known : subsets) {
      if (!known.name.value.empty()) {
        names.push_back(known.name.value);
      }
    }
    diagnostics_.danglingReference(
        destination.subset.at,
        "subset \"" + subset_name + "\" not found in DestinationRule for host \"" + host + "\"" +
            (names.empty() ? " (it has no subsets)" : " (subsets are " + nameList(names) + ")") +
            kClosedForNoCluster);
    lookup.found = false;
    return lookup;
  }
  lookup.subset = &*subset;
  return lookup;
}

UpstreamCluster ClusterBuilder::makeCluster(const DestinationRef& destination,
                                            const ServiceCatalog::Service& service,
                                            const ServicePortSpec& port,
                                            const SubsetLookup& subset) {
  const ServiceEntryObject& entry = *service.entry;
  const std::string& host = destination.host.value;
  const std::string& subset_name = destination.subset.value;
  const DestinationRuleObject* rule = subset.rule;
  const SubsetSpec* subset_spec = subset.subset;
  const std::map<std::string, std::string> no_labels;
  const std::map<std::string, std::string>& subset_labels =
      subset_spec != nullptr ? subset_spec->labels : no_labels;

  UpstreamCluster cluster;
  cluster.name = clusterName(port.number, subset_name, host);
  cluster.host = host;
  // The rule's, port-level and subset's trafficPolicy, merged as Istio does.
  applyTrafficPolicy(effectiveTrafficPolicy(rule != nullptr ? &rule->traffic_policy : nullptr,
                                            subset_spec != nullptr ? &subset_spec->traffic_policy
                                                                   : nullptr,
                                            port.number),
                     cluster);
  cluster.subset = subset_name;
  cluster.port = port.number;
  cluster.resolution = entry.resolution;
  // weir.dev/health-check-*: the DestinationRule's, as a whole, over the entry's.
  cluster.health_check = rule != nullptr && rule->meta.annotations.health_check
                             ? rule->meta.annotations.health_check
                             : entry.meta.annotations.health_check;

  const bool resolves_names = entry.resolution == EndpointResolution::kDns ||
                             entry.resolution == EndpointResolution::kDnsRoundRobin;
  if (entry.endpoints.empty() && !entry.workload_selector && resolves_names) {
    // Istio: a DNS ServiceEntry without endpoints resolves its host. Use the host as
    // written (e.g. a docker compose service name), which is what DNS knows.
    if (subset_labels.empty()) {
      UpstreamEndpoint endpoint;
      endpoint.address = service.host->written;
      endpoint.port = port.target_port != 0 ? port.target_port : port.number;
      endpoint.position = service.host->at.position;
      endpoint.field = service.host->at.field;
      cluster.endpoints.push_back(std::move(endpoint));
    }
  }
  // NONE and DYNAMIC_DNS: no endpoints, as in Istio's gateway (it would send to the
  // original destination, which a gateway does not have); connections are closed.
  const bool forwards_to_original_destination =
      entry.resolution == EndpointResolution::kNone ||
      entry.resolution == EndpointResolution::kDynamicDns;
  // Its own endpoints, or the WorkloadEntries its workloadSelector selects.
  const std::vector<EndpointSpec> no_endpoints;
  for (const EndpointSpec& spec :
       forwards_to_original_destination ? no_endpoints : catalog_.endpoints(entry)) {
    if (spec.address.value.empty() || !selects(subset_labels, spec.labels)) {
      continue;
    }
    UpstreamEndpoint endpoint;
    endpoint.address = spec.address.value;
    endpoint.port = endpointPort(spec, port);
    endpoint.labels = spec.labels;
    endpoint.weight = spec.weight;
    endpoint.position = spec.address.at.position;
    endpoint.field = spec.address.at.field;
    cluster.endpoints.push_back(std::move(endpoint));
  }

  // Istio accepts a destination without endpoints, and Envoy closes what is routed
  // there (upstream_cx_none_healthy, flag UH); so does Weir, with a warning. NONE
  // and DYNAMIC_DNS entries have none by design, said where they are parsed.
  if (cluster.endpoints.empty() && !forwards_to_original_destination) {
    const std::string closed = "; connections routed there are closed";
    if (!subset_name.empty()) {
      diagnostics_.warning(destination.subset.at, "subset \"" + subset_name +
                                                      "\" selects no endpoint of ServiceEntry " +
                                                      entry.meta.qualifiedName() + closed);
    } else {
      diagnostics_.warning(destination.host.at,
                           "ServiceEntry " + entry.meta.qualifiedName() + " has no endpoints" +
                               (entry.workload_selector
                                    ? " (its workloadSelector selects no WorkloadEntry)"
                                    : "") +
                               closed);
    }
  }
  return cluster;
}

}  // namespace weir::config
