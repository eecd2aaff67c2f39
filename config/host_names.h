// Host names as Istio treats them: short-name expansion, wildcard matching and the
// DNS-1123 checks of Istio's validation. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

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

// RFC 1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63 characters.
bool isDns1123Label(std::string_view text);

// Istio's ValidateWildcardDomain: the first label may be a wildcard (`*`, `*foo`),
// the others must be DNS-1123 labels. Returns Istio's message when invalid, e.g.
// `domain name "Foo" invalid (label "Foo" invalid)`.
std::optional<std::string> wildcardDomainError(std::string_view domain);

// Istio's ValidateFQDN: like the above but without wildcards.
std::optional<std::string> fqdnError(std::string_view domain);

// An IPv4 or IPv6 literal (no brackets, no zone).
bool isIpAddress(std::string_view text);

}  // namespace weir::config
