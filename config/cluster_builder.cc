#include "config/cluster_builder.h"

#include <algorithm>

#include "config/host_names.h"
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

std::string portList(const std::vector<ServicePortSpec>& ports) {
  std::string list;
  for (const ServicePortSpec& port : ports) {
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
  const ServiceCatalog::Service* service = catalog_.service(destination.host.value);
  return service == nullptr || service->ports.size() != 1;
}

std::optional<WeightedDestination> ClusterBuilder::destinationFor(
    const DestinationRef& destination, std::optional<uint16_t> server_port) {
  if (destination.host.value.empty()) {
    return std::nullopt;  // already reported
  }
  const ServiceCatalog::Service* service = catalog_.service(destination.host.value);
  // Istio's GetDestinationCluster: the destination's port, else the service's only
  // port, else the port of the server the rule serves.
  uint16_t port = server_port.value_or(0);
  if (destination.port) {
    port = destination.port->value;
  } else if (service != nullptr && service->ports.size() == 1) {
    port = service->ports.front().number;
  }
  const auto key = std::make_tuple(destination.host.value, destination.subset.value, port);
  if (const auto known = memo_.find(key); known != memo_.end()) {
    return known->second;
  }
  return memo_[key] = resolve(destination, service, port, server_port);
}

WeightedDestination ClusterBuilder::resolve(const DestinationRef& destination,
                                            const ServiceCatalog::Service* service,
                                            uint16_t port, std::optional<uint16_t> server_port) {
  const std::string& host = destination.host.value;
  WeightedDestination result;
  result.missing = MissingCluster{clusterName(port, destination.subset.value, host), host,
                                  destination.subset.value, port};
  if (service == nullptr) {
    diagnostics_.danglingReference(destination.host.at,
                                   "no ServiceEntry for host \"" + host + "\"" + kClosedForNoCluster +
                                       didYouMean(host, catalog_.hostNames()));
    return result;
  }
  const ServiceEntryObject& entry = *service->owner.entry;
  const std::vector<ServicePortSpec>& ports = service->ports;
  const auto service_port =
      std::find_if(ports.begin(), ports.end(),
                   [&](const ServicePortSpec& known) { return known.number == port; });
  if (service_port == ports.end()) {
    // An entry without ports only names hosts: Istio builds no cluster for it.
    if (ports.empty()) {
      diagnostics_.danglingReference(
          destination.host.at,
          "ServiceEntry " + entry.meta.qualifiedName() +
              " has no ports (Istio builds no cluster for it)" + kClosedForNoCluster);
    } else if (destination.port) {
      diagnostics_.danglingReference(destination.port->at,
                                     "port " + std::to_string(port) +
                                         " is not a port of ServiceEntry " +
                                         entry.meta.qualifiedName() + " (ports: " +
                                         portList(ports) + ")" + kClosedForNoCluster);
    } else if (server_port) {
      diagnostics_.danglingReference(
          FieldRef{destination.at.position, destination.at.field + ".port"},
          "no destination port, and ServiceEntry " + entry.meta.qualifiedName() +
              " has several (" + portList(ports) + "): Istio takes the server's port, " +
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
  clusters_.push_back(makeCluster(destination, *service, *service_port, subset));
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
  const ServiceEntryObject& entry = *service.owner.entry;
  const std::string& subset_name = destination.subset.value;
  const DestinationRuleObject* rule = subset.rule;
  const SubsetSpec* subset_spec = subset.subset;
  const TrafficPolicySpec* rule_policy = rule != nullptr ? &rule->traffic_policy : nullptr;
  const TrafficPolicySpec* subset_policy =
      subset_spec != nullptr ? &subset_spec->traffic_policy : nullptr;
  const std::map<std::string, std::string> no_labels;

  UpstreamCluster cluster;
  cluster.name = clusterName(port.number, subset_name, destination.host.value);
  cluster.host = destination.host.value;
  // The rule's, port-level and subset's trafficPolicy, merged as Istio does.
  applyTrafficPolicy(effectiveTrafficPolicy(rule_policy, subset_policy, port.number), cluster);
  cluster.subset = subset_name;
  cluster.port = port.number;
  cluster.resolution = entry.resolution;
  // weir.dev/health-check-*: the DestinationRule's, as a whole, over the entry's.
  cluster.health_check = rule != nullptr && rule->meta.annotations.health_check
                             ? rule->meta.annotations.health_check
                             : entry.meta.annotations.health_check;

  // NONE and DYNAMIC_DNS entries, and loadBalancer PASSTHROUGH, forward to the
  // original destination (Envoy's ORIGINAL_DST or dynamic forward proxy), which a
  // gateway does not have: no endpoints, and connections are closed
  // (upstream_cx_none_healthy, flag UH), as Envoy closes them. Each is warned about
  // where it is written.
  const bool original_destination =
      entry.resolution == EndpointResolution::kNone ||
      entry.resolution == EndpointResolution::kDynamicDns ||
      forwardsToOriginalDestination(rule_policy, subset_policy, port.number);
  if (!original_destination) {
    cluster.endpoints = endpointsFor(service, port,
                                     subset_spec != nullptr ? subset_spec->labels : no_labels);
  }

  // Istio accepts a destination without endpoints, and Envoy closes what is routed
  // there (upstream_cx_none_healthy, flag UH); so does Weir, with a warning.
  if (cluster.endpoints.empty() && !original_destination) {
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

std::vector<UpstreamEndpoint> ClusterBuilder::endpointsFor(
    const ServiceCatalog::Service& service, const ServicePortSpec& port,
    const std::map<std::string, std::string>& subset_labels) {
  using EndpointUse = ServiceCatalog::EndpointUse;
  std::vector<UpstreamEndpoint> endpoints;
  for (const ServiceCatalog::Definition& member : service.members) {
    const ServiceEntryObject& entry = *member.entry;
    // Istio matches an entry's endpoints to the service's port by port name.
    const auto own_port = std::find_if(entry.ports.begin(), entry.ports.end(),
                                       [&](const ServicePortSpec& p) { return p.name == port.name; });
    if (member.endpoints == EndpointUse::kNone || own_port == entry.ports.end()) {
      continue;
    }
    const bool resolves_names = entry.resolution == EndpointResolution::kDns ||
                                entry.resolution == EndpointResolution::kDnsRoundRobin;
    if (entry.endpoints.empty() && !entry.workload_selector && resolves_names &&
        member.endpoints == EndpointUse::kAll && subset_labels.empty()) {
      // Istio: a DNS ServiceEntry without endpoints resolves its host. Use the host
      // as written (e.g. a docker compose service name), which is what DNS knows.
      UpstreamEndpoint endpoint;
      endpoint.address = member.host->written;
      endpoint.port = own_port->target_port != 0 ? own_port->target_port : own_port->number;
      endpoint.position = member.host->at.position;
      endpoint.field = member.host->at.field;
      endpoints.push_back(std::move(endpoint));
    }
    // Its own endpoints, or the WorkloadEntries its workloadSelector selects.
    for (const EndpointSpec& spec : catalog_.endpoints(entry)) {
      const std::string& address = spec.address.value;
      if (address.empty() || !selects(subset_labels, spec.labels) ||
          (member.endpoints == EndpointUse::kIpAddressesOnly && !isIpAddress(address) &&
           !isUnixAddress(address))) {
        continue;
      }
      UpstreamEndpoint endpoint;
      endpoint.address = address;
      endpoint.port = endpointPort(spec, *own_port);
      endpoint.labels = spec.labels;
      endpoint.weight = spec.weight;
      endpoint.position = spec.address.at.position;
      endpoint.field = spec.address.at.field;
      endpoints.push_back(std::move(endpoint));
    }
  }
  return endpoints;
}

}  // namespace weir::config
