#include "config/cluster_builder.h"

#include <algorithm>

#include "config/spelling.h"
#include "config/traffic_policy.h"
#include "config/unix_address.h"

namespace weir::config {
namespace {

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

std::optional<size_t> ClusterBuilder::clusterFor(const DestinationRef& destination) {
  if (destination.host.value.empty()) {
    return std::nullopt;  // already reported
  }
  const uint16_t requested_port = destination.port ? destination.port->value : 0;
  const auto key =
      std::make_tuple(destination.host.value, destination.subset.value, requested_port);
  if (const auto known = memo_.find(key); known != memo_.end()) {
    return known->second;
  }
  std::optional<size_t>& result = memo_[key];

  const ServiceCatalog::Service service = catalog_.serviceEntry(destination.host.value);
  if (service.entry == nullptr) {
    diagnostics_.error(destination.host.at,
                       "no ServiceEntry for host \"" + destination.host.value + "\"" +
                           didYouMean(destination.host.value, catalog_.hostNames()));
    return result;
  }
  // An entry without ports only names hosts: Istio builds no cluster for it, so what
  // is routed there is closed. Weir builds an empty one (warned about below).
  const ServicePortSpec no_port{requested_port, "", 0, destination.at};
  const ServicePortSpec* port =
      service.entry->ports.empty() ? &no_port : servicePort(destination, *service.entry);
  if (port == nullptr) {
    return result;
  }
  // Another destination may name the same cluster with its port left implicit.
  for (size_t i = 0; i < clusters_.size(); ++i) {
    const UpstreamCluster& cluster = clusters_[i];
    if (cluster.host == destination.host.value && cluster.subset == destination.subset.value &&
        cluster.port == port->number) {
      result = i;
      return result;
    }
  }
  if (std::optional<UpstreamCluster> cluster = makeCluster(destination, service, *port)) {
    clusters_.push_back(std::move(*cluster));
    result = clusters_.size() - 1;
  }
  return result;
}

const ServicePortSpec* ClusterBuilder::servicePort(const DestinationRef& destination,
                                                   const ServiceEntryObject& entry) {
  if (destination.port) {
    for (const ServicePortSpec& port : entry.ports) {
      if (port.number == destination.port->value) {
        return &port;
      }
    }
    diagnostics_.error(destination.port->at,
                       "port " + std::to_string(destination.port->value) +
                           " is not a port of ServiceEntry " + entry.meta.qualifiedName() +
                           " (ports: " + portList(entry) + ")");
    return nullptr;
  }
  if (entry.ports.size() == 1) {
    return &entry.ports.front();
  }
  diagnostics_.error(FieldRef{destination.at.position, destination.at.field + ".port"},
                     "destination port is required: ServiceEntry " + entry.meta.qualifiedName() +
                         " has several ports (" + portList(entry) + ")");
  return nullptr;
}

std::optional<UpstreamCluster> ClusterBuilder::makeCluster(
    const DestinationRef& destination, const ServiceCatalog::Service& service,
    const ServicePortSpec& port) {
  const ServiceEntryObject& entry = *service.entry;
  const std::string& host = destination.host.value;
  const std::string& subset_name = destination.subset.value;

  std::map<std::string, std::string> subset_labels;
  const DestinationRuleObject* rule = catalog_.destinationRule(host);
  const SubsetSpec* subset_spec = nullptr;
  if (!subset_name.empty()) {
    if (rule == nullptr) {
      diagnostics_.error(destination.subset.at, "subset \"" + subset_name +
                                                    "\" not found: no DestinationRule for host \"" +
                                                    host + "\"");
      return std::nullopt;
    }
    const auto subset = std::find_if(rule->subsets.begin(), rule->subsets.end(),
                                     [&](const SubsetSpec& s) { return s.name.value == subset_name; });
    if (subset == rule->subsets.end()) {
      std::vector<std::string_view> names;
      for (const SubsetSpec& known : rule->subsets) {
        if (!known.name.value.empty()) {
          names.push_back(known.name.value);
        }
      }
      diagnostics_.error(destination.subset.at,
                         "subset \"" + subset_name + "\" not found in DestinationRule for host \"" +
                             host + "\"" +
                             (names.empty() ? " (it has no subsets)"
                                            : " (subsets are " + nameList(names) + ")"));
      return std::nullopt;
    }
    subset_labels = subset->labels;
    subset_spec = &*subset;
  }

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
  if (entry.endpoints.empty() && !entry.workload_selector && resolves_names &&
      !entry.ports.empty()) {
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
  for (const EndpointSpec& spec : entry.ports.empty() || forwards_to_original_destination
                                      ? no_endpoints
                                      : catalog_.endpoints(entry)) {
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
    if (entry.ports.empty()) {
      diagnostics_.warning(destination.host.at, "ServiceEntry " + entry.meta.qualifiedName() +
                                                    " has no ports, so it serves no destination" +
                                                    closed);
    } else if (!subset_name.empty()) {
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
