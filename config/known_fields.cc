#include "config/known_fields.h"

namespace weir::config::known_fields {

// Field names as in the Istio networking API (istio.io/api networking/v1).

const KnownFields kObject{
    .implemented = {"apiVersion", "kind", "metadata", "spec"},
    .accepted = {"status"},  // written by the cluster; `kubectl get -o yaml` keeps it
    .not_implemented = {},
};

const KnownFields kObjectMeta{
    .implemented = {"name", "namespace", "annotations"},  // annotations: weir.dev/ ones
    .accepted = {"labels", "generateName", "uid", "resourceVersion",
                 "generation", "creationTimestamp", "deletionTimestamp",
                 "deletionGracePeriodSeconds", "ownerReferences", "finalizers",
                 "managedFields", "selfLink"},
    .not_implemented = {},
};

const KnownFields kGatewaySpec{
    .implemented = {"servers"},
    .accepted = {"selector"},  // picks the gateway pods; Weir *is* the selected gateway
    .not_implemented = {},
};

const KnownFields kServer{
    .implemented = {"port", "hosts", "bind", "tls"},
    .accepted = {"name"},
    .not_implemented = {"defaultEndpoint"},
};

// Server.tls. Weir serves only `mode` PASSTHROUGH; every field is read and checked
// as Istio checks it (server_tls_settings.cc), which also says what is ignored.
const KnownFields kServerTlsSettings{
    .implemented = {"mode"},
    .accepted = {"httpsRedirect", "serverCertificate", "privateKey", "caCertificates",
                 "caCrl", "credentialName", "credentialNames", "caCertCredentialName",
                 "tlsCertificates", "subjectAltNames", "verifyCertificateSpki",
                 "verifyCertificateHash", "minProtocolVersion", "maxProtocolVersion",
                 "cipherSuites", "ecdhCurves", "insecureSkipVerify"},
    .not_implemented = {},
};

// Server.tls.tlsCertificates[].
const KnownFields kServerTlsCertificate{
    .implemented = {},
    .accepted = {"serverCertificate", "privateKey", "caCertificates"},
    .not_implemented = {},
};

// Server.port. `targetPort` is refused on a Gateway, as Istio does.
const KnownFields kServerPort{
    .implemented = {"number", "name", "protocol", "targetPort"},
    .accepted = {},
    .not_implemented = {},
};

// VirtualService. `exportTo` is checked as Istio checks it; Weir has no other
// namespace to export to.
const KnownFields kVirtualServiceSpec{
    .implemented = {"hosts", "gateways", "tcp", "tls"},
    .accepted = {"exportTo"},
    .not_implemented = {"http"},
};

const KnownFields kTcpRoute{
    .implemented = {"match", "route"},
    .accepted = {},
    .not_implemented = {},
};

const KnownFields kL4Match{
    .implemented = {"port", "gateways", "destinationSubnets", "sourceSubnet", "sourceLabels",
                    "sourceNamespace"},
    .accepted = {},
    .not_implemented = {},
};

const KnownFields kTlsRoute{
    .implemented = {"match", "route"},
    .accepted = {},
    .not_implemented = {},
};

// TLSMatchAttributes has no sourceSubnet (L4MatchAttributes does).
const KnownFields kTlsMatch{
    .implemented = {"sniHosts", "port", "gateways", "destinationSubnets", "sourceLabels",
                    "sourceNamespace"},
    .accepted = {},
    .not_implemented = {},
};

const KnownFields kRouteDestination{
    .implemented = {"destination", "weight"},
    .accepted = {},
    .not_implemented = {},
};

const KnownFields kDestination{
    .implemented = {"host", "subset", "port"},
    .accepted = {},
    .not_implemented = {},
};

const KnownFields kPortSelector{
    .implemented = {"number"},
    .accepted = {},
    .not_implemented = {},
};

const KnownFields kDestinationRuleSpec{
    .implemented = {"host", "subsets", "trafficPolicy"},
    // Read for merging only; the parser warns what they do not do in Weir.
    .accepted = {"exportTo", "workloadSelector"},
    .not_implemented = {},
};

const KnownFields kDestinationRuleWorkloadSelector{
    .implemented = {},
    .accepted = {"matchLabels"},
    .not_implemented = {},
};

const KnownFields kSubset{
    .implemented = {"name", "labels", "trafficPolicy"},
    .accepted = {},
    .not_implemented = {},
};

const KnownFields kTrafficPolicy{
    .implemented = {"connectionPool", "loadBalancer", "outlierDetection", "portLevelSettings",
                    "proxyProtocol"},
    .accepted = {"retryBudget"},  // HTTP retries: nothing to do for TCP
    .not_implemented = {"tls", "tunnel"},
};

const KnownFields kPortTrafficPolicy{
    .implemented = {"port", "connectionPool", "loadBalancer", "outlierDetection"},
    .accepted = {},
    .not_implemented = {"tls"},
};

// LoadBalancerSettings. The HTTP hash keys are read so that the parser can say why
// they do nothing for TCP.
const KnownFields kLoadBalancer{
    .implemented = {"simple", "consistentHash"},
    .accepted = {},
    .not_implemented = {"localityLbSetting", "zoneAwareLbSetting", "warmupDurationSecs", "warmup",
                        "backendUtilization"},
};

const KnownFields kConsistentHash{
    .implemented = {"useSourceIp", "httpHeaderName", "httpCookie", "httpQueryParameterName"},
    .accepted = {},
    .not_implemented = {"ringHash", "maglev", "minimumRingSize"},
};

// The nested sections below are validated for Istio; whether Weir acts on them is
// said (and warned about) at the section's own key above.
const KnownFields kHttpCookie{
    .implemented = {},
    .accepted = {"name", "path", "ttl", "attributes"},
    .not_implemented = {},
};

const KnownFields kHttpCookieAttribute{
    .implemented = {},
    .accepted = {"name", "value"},
    .not_implemented = {},
};

const KnownFields kRingHash{
    .implemented = {},
    .accepted = {"minimumRingSize"},
    .not_implemented = {},
};

const KnownFields kMaglev{
    .implemented = {},
    .accepted = {"tableSize"},
    .not_implemented = {},
};

const KnownFields kLocalityLbSetting{
    .implemented = {},
    .accepted = {"distribute", "failover", "failoverPriority", "enabled"},
    .not_implemented = {},
};

const KnownFields kLocalityDistribute{
    .implemented = {},
    .accepted = {"from", "to"},
    .not_implemented = {},
};

const KnownFields kLocalityFailover{
    .implemented = {},
    .accepted = {"from", "to"},
    .not_implemented = {},
};

const KnownFields kZoneAwareLbSetting{
    .implemented = {},
    .accepted = {"enabled", "failover", "failoverPriority", "minClusterSize"},
    .not_implemented = {},
};

const KnownFields kWarmup{
    .implemented = {},
    .accepted = {"duration", "minimumPercent", "aggression"},
    .not_implemented = {},
};

const KnownFields kBackendUtilization{
    .implemented = {},
    .accepted = {"errorUtilizationPenaltyPercent", "metricNamesForComputingUtilization",
                 "weightExpirationPeriod", "weightStabilizationPeriod", "weightUpdatePeriod"},
    .not_implemented = {},
};

const KnownFields kOutlierDetection{
    .implemented = {"consecutiveGatewayErrors", "consecutive5xxErrors", "consecutiveErrors",
                    "interval", "baseEjectionTime", "maxEjectionPercent", "minHealthPercent",
                    "splitExternalLocalOriginErrors", "consecutiveLocalOriginFailures"},
    .accepted = {"outlierDetectionHttpErrorCodes"},  // HTTP status codes: none for TCP
    .not_implemented = {},
};

const KnownFields kProxyProtocol{
    .implemented = {"version"},
    .accepted = {},
    .not_implemented = {},
};

const KnownFields kConnectionPool{
    .implemented = {"tcp"},
    .accepted = {"http"},  // HTTP settings: nothing to do for TCP routes
    .not_implemented = {},
};

const KnownFields kTcpConnectionPool{
    .implemented = {"connectTimeout", "idleTimeout", "maxConnections", "tcpKeepalive",
                    "maxConnectionDuration"},
    .accepted = {},
    .not_implemented = {},
};

const KnownFields kTcpKeepalive{
    .implemented = {"time", "interval", "probes"},
    .accepted = {},
    .not_implemented = {},
};

const KnownFields kHttpConnectionPool{
    .implemented = {},
    .accepted = {"http1MaxPendingRequests", "http2MaxRequests", "maxRequestsPerConnection",
                 "maxRetries", "idleTimeout", "h2UpgradePolicy", "useClientProtocol",
                 "maxConcurrentStreams", "http2KeepAlive"},
    .not_implemented = {},
};

const KnownFields kHttp2KeepAlive{
    .implemented = {},
    .accepted = {"interval", "timeout"},
    .not_implemented = {},
};

const KnownFields kClientTlsSettings{
    .implemented = {},
    .accepted = {"mode", "clientCertificate", "privateKey", "caCertificates", "credentialName",
                 "subjectAltNames", "sni", "insecureSkipVerify", "caCrl"},
    .not_implemented = {},
};

const KnownFields kTunnelSettings{
    .implemented = {},
    .accepted = {"protocol", "targetHost", "targetPort"},
    .not_implemented = {},
};

const KnownFields kRetryBudget{
    .implemented = {},
    .accepted = {"percent", "minRetryConcurrency", "budgetInterval"},
    .not_implemented = {},
};

const KnownFields kServiceEntrySpec{
    .implemented = {"hosts", "ports", "resolution", "endpoints", "location", "workloadSelector"},
    .accepted = {},
    .not_implemented = {"addresses", "exportTo", "subjectAltNames"},
};

const KnownFields kServiceEntryWorkloadSelector{
    .implemented = {"labels"},
    .accepted = {},
    .not_implemented = {},
};

const KnownFields kServicePort{
    .implemented = {"number", "name", "protocol", "targetPort"},
    .accepted = {},
    .not_implemented = {},
};

const KnownFields kWorkloadEntry{
    .implemented = {"address", "ports", "labels", "weight"},
    .accepted = {},
    .not_implemented = {"network", "locality", "serviceAccount"},
};

}  // namespace weir::config::known_fields
