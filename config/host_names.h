// Host names as Istio treats them: short-name expansion, wildcard matching and the
// DNS-1123 checks of Istio's validation. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weir::config {

// The fully qualified form of a service host written in an object of namespace
// `ns`, so that `tcp-echo-server` in a VirtualService, a DestinationRule and a
// ServiceEntry all name the same service. The rule (Kubernetes' DNS search path):
//   foo                 -> foo.<ns>.svc.cluster.local
//   foo.bar             -> foo.bar.svc.cluster.local     (service.namespace)
//   foo.bar.svc         -> foo.bar.svc.cluster.local
//   *.svc.cluster.local -> unchanged
//   anything with more dots (api.example.com), `*`, IP literals -> unchanged
//   a trailing dot marks a name as absolute: `example.` -> example (no expansion)
// Unlike Istio, which expands only dot-less names, `foo.bar` is read as
// service.namespace; `example.com` therefore becomes
// example.com.svc.cluster.local, consistently in every object.
std::string canonicalHost(std::string_view host, std::string_view ns);

// Whether two host names can name the same host, where either may be a wildcard:
// `*` matches anything, `*.example.com` matches a.example.com and
// *.a.example.com, but not example.com (Istio's host.Name.Matches).
bool hostsMatch(std::string_view a, std::string_view b);

// A DNS-1123 label as Istio checks it (labels.IsDNS1123Label):
// [a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?, at most 63 characters. Istio accepts
// upper case here (subset names, port names, gateway names); Kubernetes names such
// as namespaces are lower case only, which is Kubernetes' check, not this one.
bool isDns1123Label(std::string_view text);

// Istio's ValidateWildcardDomain: the first label may be a wildcard (`*`, `*foo`,
// `*-foo`), the others must be DNS-1123 labels. Returns Istio's message when
// invalid, e.g. `domain name "foo_bar" invalid (label "foo_bar" invalid)`; as in
// Istio, a bad label after the first is reported with the rest of the name
// (`foo.*.com` gives `domain name "*.com" invalid (label "*" invalid)`).
std::optional<std::string> wildcardDomainError(std::string_view domain);

// Istio's ValidateFQDN: like the above but without wildcards.
std::optional<std::string> fqdnError(std::string_view domain);

// Istio's ValidateWildcardDomainForVirtualServiceBoundToGateway: for a
// VirtualService bound to gateways whose tls rules match on SNI (`sni`), Istio's
// auto-generated SNI form `outbound_.PORT_._.HOST` (AUTO_PASSTHROUGH) is accepted
// as well as wildcard domains.
std::optional<std::string> gatewayBoundHostError(std::string_view domain, bool sni);

// A Gateway server host as Istio checks it (ValidateNamespaceSlashWildcardHostname
// for gateways): `[namespace/]host` with namespace `*`, `.` or a DNS-1123 label,
// and a host that is `*`, a domain name with a dot (short names are refused), a
// wildcard only as a whole first label (`*.example.com`), or an IP address. Every
// problem, in Istio's words; empty when valid.
std::vector<std::string> gatewayServerHostErrors(std::string_view host);

// An IPv4 or IPv6 literal (no brackets, no zone).
bool isIpAddress(std::string_view text);

}  // namespace weir::config
