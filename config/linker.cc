#include "config/linker.h"

#include <algorithm>

#include "config/cluster_builder.h"
#include "config/host_names.h"
#include "config/listener_builder.h"
#include "config/service_catalog.h"
#include "config/spelling.h"
#include "config/unique_objects.h"

namespace weir::config {
namespace {

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::vector<std::string_view> gatewayNames(const GatewayListeners& gateways) {
  std::vector<std::string_view> names;
  for (const auto& [name, gateway] : gateways.gateways) {
    names.push_back(name);
  }
  return names;
}

// For a gateway that does not exist: the nearest name if one is near, else the
// gateways there are (a few at most).
struct GatewayHint {
  std::string list;         // " (gateways are a, b)", or ""
  std::string did_you_mean; // "; did you mean \"a\"?", or ""
};
GatewayHint knownGatewaysHint(const std::string& name, const GatewayListeners& gateways) {
  const std::vector<std::string_view> names = gatewayNames(gateways);
  if (std::string hint = didYouMean(name, names); !hint.empty()) {
    return {"", hint};
  }
  if (names.empty()) {
    return {" (there is no Gateway)", ""};
  }
  return {names.size() <= 5 ? " (gateways are " + nameList(names) + ")" : "", ""};
}

// Keeps the gateways Weir serves: drops "mesh" (with a warning) and reports
// references to gateways that do not exist, which Istio accepts: `consequence`
// says what that means at run time (", so …").
std::vector<std::string> resolveGateways(const std::vector<Located<std::string>>& refs,
                                         const GatewayListeners& gateways,
                                         const std::string& consequence,
                                         Diagnostics& diagnostics) {
  std::vector<std::string> resolved;
  for (const Located<std::string>& ref : refs) {
    if (ref.value == kMeshGateway) {
      diagnostics.warning(ref.at, "gateway \"mesh\" (the sidecars) is ignored by Weir, "
                                  "which acts as the ingress gateway");
    } else if (!gateways.gateways.contains(ref.value)) {
      const GatewayHint hint = knownGatewaysHint(ref.value, gateways);
      diagnostics.danglingReference(ref.at, "gateway \"" + ref.value + "\" not found" +
                                                hint.list + consequence + hint.did_you_mean);
    } else if (!contains(resolved, ref.value)) {
      resolved.push_back(ref.value);
    }
  }
  return resolved;
}

// Whether a VirtualService may bind to `server`: one of its hosts matches one of the
// server's hosts, whose namespace part admits the VirtualService's namespace. A
// VirtualService host is tried as written and in its canonical form, so `echo`
// matches a server host `*.default.svc.cluster.local` as it does in Istio.
bool attaches(const VirtualServiceObject& vs, const GatewayServer& server) {
  for (const ServerHost& server_host : server.hosts) {
    if (server_host.namespace_filter != "*" &&
        server_host.namespace_filter != vs.meta.namespace_name) {
      continue;
    }
    for (const Located<std::string>& host : vs.hosts) {
      if (hostsMatch(server_host.host, host.value) ||
          hostsMatch(server_host.host, canonicalHost(host.value, vs.meta.namespace_name))) {
        return true;
      }
    }
  }
  return false;
}

// Whether one match block can accept connections of this listener at all: what it
// says about the port and gateway, and for tls rules, whether one of its SNI names
// is one the server's hosts admit (Istio builds a filter chain only for the SNI
// hosts that the server's hosts cover).
bool blockAcceptsListener(const L4Match& match, const Listener& listener,
                          const GatewayServer& server) {
  if ((match.port != 0 && match.port != listener.port) ||
      (!match.gateways.empty() && !contains(match.gateways, listener.gateway))) {
    return false;
  }
  if (match.sni_hosts.empty()) {
    return true;
  }
  return std::any_of(match.sni_hosts.begin(), match.sni_hosts.end(), [&](const std::string& sni) {
    return std::any_of(server.hosts.begin(), server.hosts.end(),
                       [&](const ServerHost& host) { return hostsMatch(host.host, sni); });
  });
}

bool acceptsListener(const TcpRoute& route, const Listener& listener,
                     const GatewayServer& server) {
  return route.matches.empty() ||
         std::any_of(route.matches.begin(), route.matches.end(), [&](const L4Match& match) {
           return blockAcceptsListener(match, listener, server);
         });
}

// Istio routes a TLS passthrough server by `tls` rules only, and a plain TCP
// server by `tcp` rules only (gateway.go: createGatewayTCPFilterChainOpts; tcp
// rules serve TLS servers only when the gateway terminates TLS, which Weir does
// not do).
bool servesListener(const TcpRuleSpec& rule, const Listener& listener) {
  return rule.tls == listener.tls_passthrough;
}

class Linker {
 public:
  Linker(const ParsedConfig& config, Diagnostics& diagnostics)
      : config_(config),
        diagnostics_(diagnostics),
        gateways_(buildListeners(config.gateways, diagnostics)),
        catalog_(config, diagnostics),
        clusters_(catalog_, diagnostics) {}

  RouteTable run() {
    for (const VirtualServiceObject* vs : uniqueObjects(config_.virtual_services, diagnostics_)) {
      addVirtualService(*vs);
    }
    for (size_t i = 0; i < gateways_.listeners.size(); ++i) {
      if (gateways_.listeners[i].candidate_routes.empty()) {
        diagnostics_.warning(gateways_.servers[i]->port.at,
                             "no VirtualService routes connections on this server; "
                             "they will be closed");
      }
    }
    RouteTable table;
    table.listeners = std::move(gateways_.listeners);
    table.routes = std::move(routes_);
    table.clusters = clusters_.takeClusters();
    return table;
  }

 private:
  // A rule on its way into the table: its route without destinations, and the
  // listeners it serves. Its destinations are resolved once it is known which
  // servers it serves, since a destination without a port takes the server's.
  struct PendingRule {
    const TcpRuleSpec* rule = nullptr;
    TcpRoute route;
    // Its routes in routes_: one per server port when a destination depends on
    // it (keyed by that port), else one (keyed 0).
    std::vector<std::pair<uint16_t, size_t>> resolved;
  };

  void addVirtualService(const VirtualServiceObject& vs) {
    const std::vector<std::string> gateways = resolveGateways(
        vs.gateways, gateways_,
        ", so VirtualService " + vs.meta.qualifiedName() + " is bound to no server through it",
        diagnostics_);
    if (vs.gateways.empty()) {
      if (vs.lists_gateways) {
        return;  // its gateway names are all invalid, reported
      }
      diagnostics_.warning(vs.gateways_at,
                           "VirtualService " + vs.meta.qualifiedName() +
                               " has no gateways, so it applies to the mesh (sidecars) only; "
                               "ignored by Weir, which acts as the ingress gateway");
      return;
    }
    if (gateways.empty()) {
      return;  // only "mesh" or missing gateways, reported above
    }

    // Its rules, tls[] first: Istio builds a VirtualService's filter chains from
    // its tls rules, and its tcp rules serve other servers.
    std::vector<PendingRule> pending;
    for (const std::vector<TcpRuleSpec>* rules : {&vs.tls, &vs.tcp}) {
      for (const TcpRuleSpec& rule : *rules) {
        if (std::optional<TcpRoute> route = makeRoute(vs, rule, gateways)) {
          pending.push_back(PendingRule{&rule, std::move(*route), {}});
        }
      }
    }

    // (listener, pending rule) in the order the listener tries them.
    std::vector<std::pair<size_t, size_t>> attachments;
    for (const std::string& gateway : gateways) {
      bool attached = false;
      for (size_t i = 0; i < gateways_.listeners.size(); ++i) {
        const Listener& listener = gateways_.listeners[i];
        const GatewayServer& server = *gateways_.servers[i];
        if (listener.gateway != gateway || !attaches(vs, server)) {
          continue;
        }
        attached = true;
        const TcpRuleSpec* other_kind = nullptr;
        bool serves = false;
        for (size_t p = 0; p < pending.size(); ++p) {
          const TcpRuleSpec& rule = *pending[p].rule;
          if (!servesListener(rule, listener)) {
            other_kind = other_kind != nullptr ? other_kind : &rule;
          } else if (acceptsListener(pending[p].route, listener, server)) {
            attachments.emplace_back(i, p);
            serves = true;
          }
        }
        if (!serves && other_kind != nullptr) {
          warnWrongKind(vs, *other_kind, listener);
        }
      }
      if (!attached && hasListener(gateway)) {
        diagnostics_.warning(vs.gateways_at,
                             "none of the hosts of VirtualService " + vs.meta.qualifiedName() +
                                 " matches a server of gateway " + gateway +
                                 "; it serves nothing there");
      }
    }

    for (size_t p = 0; p < pending.size(); ++p) {
      std::vector<uint16_t> server_ports;
      for (const auto& [listener, attached] : attachments) {
        if (attached == p) server_ports.push_back(gateways_.listeners[listener].port);
      }
      addRoutes(pending[p], server_ports);
    }
    for (const auto& [listener, p] : attachments) {
      gateways_.listeners[listener].candidate_routes.push_back(
          routeFor(pending[p], gateways_.listeners[listener].port));
    }
  }

  bool dependsOnServerPort(const TcpRuleSpec& rule) const {
    return std::any_of(rule.route.begin(), rule.route.end(), [&](const RouteDestinationSpec& spec) {
      return clusters_.dependsOnServerPort(spec.destination);
    });
  }

  // Resolves a rule's destinations: once, or once per port of the servers it
  // serves when a destination takes the server's port. A rule that serves no
  // server is still resolved once, so that /config_dump shows it and its
  // destinations are checked.
  void addRoutes(PendingRule& pending, const std::vector<uint16_t>& server_ports) {
    const bool per_port = dependsOnServerPort(*pending.rule);
    if (server_ports.empty()) {
      addRoute(pending, 0, std::nullopt);
      return;
    }
    for (const uint16_t port : server_ports) {
      const uint16_t key = per_port ? port : 0;
      if (std::none_of(pending.resolved.begin(), pending.resolved.end(),
                       [&](const auto& resolved) { return resolved.first == key; })) {
        addRoute(pending, key, port);
      }
    }
  }

  void addRoute(PendingRule& pending, uint16_t key, std::optional<uint16_t> server_port) {
    TcpRoute route = pending.route;
    for (const RouteDestinationSpec& spec : pending.rule->route) {
      if (std::optional<WeightedDestination> destination =
              clusters_.destinationFor(spec.destination, server_port)) {
        destination->weight = spec.weight;
        route.destinations.push_back(std::move(*destination));
        route.total_weight += spec.weight;
      }
    }
    routes_.push_back(std::move(route));
    pending.resolved.emplace_back(key, routes_.size() - 1);
  }

  size_t routeFor(const PendingRule& pending, uint16_t server_port) const {
    const uint16_t key = dependsOnServerPort(*pending.rule) ? server_port : 0;
    for (const auto& [port, route] : pending.resolved) {
      if (port == key) return route;
    }
    return pending.resolved.front().second;  // unreachable: addRoutes resolved every port
  }

  bool hasListener(const std::string& gateway) const {
    return std::any_of(gateways_.listeners.begin(), gateways_.listeners.end(),
                       [&](const Listener& listener) { return listener.gateway == gateway; });
  }

  void warnWrongKind(const VirtualServiceObject& vs, const TcpRuleSpec& rule,
                     const Listener& listener) {
    const std::string server = "server \"" + listener.server_name + "\" of gateway " +
                               listener.gateway;
    diagnostics_.warning(
        rule.at, rule.tls ? "tls rules of VirtualService " + vs.meta.qualifiedName() +
                                " do not apply to " + server +
                                ", a plain TCP server (Istio routes it by tcp rules)"
                          : "tcp rules of VirtualService " + vs.meta.qualifiedName() +
                                " do not apply to " + server +
                                ", a TLS passthrough server (Istio routes it by tls rules)");
  }

  // The route of one rule, without its destinations; nullopt when it can never
  // match at Weir.
  std::optional<TcpRoute> makeRoute(const VirtualServiceObject& vs, const TcpRuleSpec& rule,
                                    const std::vector<std::string>& vs_gateways) {
    TcpRoute route;
    route.virtual_service = vs.meta.qualifiedName();
    route.name = route.virtual_service + (rule.tls ? "/tls[" : "/tcp[") +
                 std::to_string(rule.index) + "]";
    route.position = rule.at.position;
    route.max_connect_attempts = vs.meta.annotations.max_connect_attempts;

    for (const L4MatchSpec& spec : rule.matches) {
      L4Match match;
      match.port = spec.port;
      match.destination_subnets = spec.destination_subnets;
      match.source_subnet = spec.source_subnet;
      match.source_labels = spec.source_labels;
      match.source_namespace = spec.source_namespace;
      for (const Located<std::string>& host : spec.sni_hosts) {
        match.sni_hosts.push_back(host.value);
      }
      if (rule.tls && match.sni_hosts.empty()) {
        continue;  // its sniHosts were all invalid, reported
      }
      match.gateways = resolveGateways(spec.gateways, gateways_,
                                       ", so this match block never matches through it",
                                       diagnostics_);
      if (!spec.gateways.empty() && match.gateways.empty()) {
        continue;  // names only "mesh" or missing gateways: never matches at Weir
      }
      for (const Located<std::string>& ref : spec.gateways) {
        if (contains(match.gateways, ref.value) && !contains(vs_gateways, ref.value)) {
          diagnostics_.warning(ref.at, "gateway " + ref.value +
                                           " is not in spec.gateways, so this match never "
                                           "applies there");
        }
      }
      route.matches.push_back(std::move(match));
    }
    if (!rule.matches.empty() && route.matches.empty()) {
      return std::nullopt;  // every match block is for gateways Weir does not serve
    }
    if (rule.tls && route.matches.empty()) {
      return std::nullopt;  // a tls rule without matches is an error, reported
    }
    return route;
  }

  const ParsedConfig& config_;
  Diagnostics& diagnostics_;
  GatewayListeners gateways_;
  ServiceCatalog catalog_;
  ClusterBuilder clusters_;
  std::vector<TcpRoute> routes_;
};

}  // namespace

RouteTable link(const ParsedConfig& config, Diagnostics& diagnostics) {
  return Linker(config, diagnostics).run();
}

}  // namespace weir::config
