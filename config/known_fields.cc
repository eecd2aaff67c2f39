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

// Server.tls. Only `mode` matters for PASSTHROUGH; the parser warns about the
// others (certificates and TLS versions mean nothing when TLS is not terminated).
const KnownFields kServerTlsSettings{
    .implemented = {"mode"},
    .accepted = {"httpsRedirect", "serverCertificate", "privateKey", "caCertificates",
                 "caCrl", "credentialName", "credentialNames", "tlsCertificates",
                 "subjectAltNames", "verifyCertificateSpki", "verifyCertificateHash",
                 "minProtocolVersion", "maxProtocolVersion", "cipherSuites"},
    .not_implemented = {},
};

const KnownFields kServerPort{
    .implemented = {"number", "name", "protocol"},
    .accepted = {},
    .not_implemented = {"targetPort"},
};

const KnownFields kVirtualServiceSpec{
    .implemented = {"hosts", "gateways", "tcp", "tls"},
    .accepted = {},
    .not_implemented = {"http", "exportTo"},
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

const KnownFields kTlsMatch{
    .implemented = {"sniHosts", "port", "gateways", "destinationSubnets", "sourceSubnet",
                    "sourceLabels", "sourceNamespace"},
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
    .accepted = {},
    .not_implemented = {"exportTo", "workloadSelector"},
};

const KnownFields kSubset{
    .implemented = {"name", "labels", "trafficPolicy"},
    .accepted = {},
    .not_implemented = {},
};

const KnownFields kTrafficPolicy{
    .implemented = {"connectionPool", "loadBalancer", "outlierDetection", "portLevelSettings",
                    "proxyProtocol"},
    .accepted = {},
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
    .not_implemented = {"localityLbSetting", "warmupDurationSecs", "warmup"},
};

const KnownFields kConsistentHash{
    .implemented = {"useSourceIp", "httpHeaderName", "httpCookie", "httpQueryParameterName"},
    .accepted = {},
    .not_implemented = {"ringHash", "maglev", "minimumRingSize"},
};

const KnownFields kOutlierDetection{
    .implemented = {"consecutiveGatewayErrors", "consecutive5xxErrors", "consecutiveErrors",
                    "interval", "baseEjectionTime", "maxEjectionPercent", "minHealthPercent"},
    .accepted = {},
    .not_implemented = {"splitExternalLocalOriginErrors", "consecutiveLocalOriginFailures"},
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
