// Which fields Weir knows in each object it reads, kept in one place so that how
// much of the Istio API Weir covers is visible at a glance (known_fields.cc).
//
// A field that is in none of the lists is not an Istio field at all (a typo such as
// `weigth`) and is an error. A field Weir does not implement yet is valid Istio: it
// is reported as a warning and ignored, so existing Istio YAML still loads.
#pragma once

#include <string_view>
#include <vector>

namespace weir::config {

struct KnownFields {
  std::vector<std::string_view> implemented;      // read and honoured
  std::vector<std::string_view> accepted;         // valid, nothing for Weir to do: silent
  std::vector<std::string_view> not_implemented;  // valid Istio, not yet in Weir: warned
};

namespace known_fields {

// Kubernetes object envelope.
extern const KnownFields kObject;
extern const KnownFields kObjectMeta;

// networking.istio.io Gateway.
extern const KnownFields kGatewaySpec;
extern const KnownFields kServer;
extern const KnownFields kServerPort;
extern const KnownFields kServerTlsSettings;
extern const KnownFields kServerTlsCertificate;

// networking.istio.io VirtualService.
extern const KnownFields kVirtualServiceSpec;
extern const KnownFields kTcpRoute;
extern const KnownFields kL4Match;
extern const KnownFields kTlsRoute;
extern const KnownFields kTlsMatch;
extern const KnownFields kRouteDestination;
extern const KnownFields kDestination;
extern const KnownFields kPortSelector;

// networking.istio.io DestinationRule.
extern const KnownFields kDestinationRuleSpec;
extern const KnownFields kDestinationRuleWorkloadSelector;
extern const KnownFields kSubset;
extern const KnownFields kTrafficPolicy;
extern const KnownFields kConnectionPool;
extern const KnownFields kTcpConnectionPool;
extern const KnownFields kTcpKeepalive;
extern const KnownFields kHttpConnectionPool;
extern const KnownFields kHttp2KeepAlive;
extern const KnownFields kPortTrafficPolicy;
extern const KnownFields kLoadBalancer;
extern const KnownFields kConsistentHash;
extern const KnownFields kHttpCookie;
extern const KnownFields kHttpCookieAttribute;
extern const KnownFields kRingHash;
extern const KnownFields kMaglev;
extern const KnownFields kLocalityLbSetting;
extern const KnownFields kLocalityDistribute;
extern const KnownFields kLocalityFailover;  // also zoneAwareLbSetting.failover[]
extern const KnownFields kZoneAwareLbSetting;
extern const KnownFields kWarmup;
extern const KnownFields kBackendUtilization;
extern const KnownFields kOutlierDetection;
extern const KnownFields kProxyProtocol;
extern const KnownFields kClientTlsSettings;
extern const KnownFields kTunnelSettings;
extern const KnownFields kRetryBudget;

// networking.istio.io ServiceEntry.
extern const KnownFields kServiceEntrySpec;
extern const KnownFields kServicePort;
extern const KnownFields kWorkloadEntry;  // also the spec of a standalone WorkloadEntry
extern const KnownFields kServiceEntryWorkloadSelector;

}  // namespace known_fields
}  // namespace weir::config
