#include "config/known_fields.h"

namespace weir::config::known_fields {

// Field names as in the Istio networking API (istio.io/api networking/v1).

const KnownFields kObject{
    .implemented = {"apiVersion", "kind", "metadata", "spec"},
    .accepted = {"status"},  // written by the cluster; `kubectl get -o yaml` keeps it
    .not_implemented = {},
};

const KnownFields kObjectMeta{
    .implemented = {"name", "namespace"},
    .accepted = {"labels", "annotations", "generateName", "uid", "resourceVersion",
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

const KnownFields kServerPort{
    .implemented = {"number", "name", "protocol"},
    .accepted = {},
    .not_implemented = {"targetPort"},
};

const KnownFields kVirtualServiceSpec{
    .implemented = {"hosts", "gateways", "tcp"},
    .accepted = {},
    .not_implemented = {"http", "tls", "exportTo"},
};

const KnownFields kTcpRoute{
    .implemented = {"match", "route"},
    .accepted = {},
    .not_implemented = {},
};

const KnownFields kL4Match{
    .implemented = {"port", "gateways"},
    .accepted = {},
    .not_implemented = {"destinationSubnets", "sourceSubnet", "sourceLabels",
                        "sourceNamespace"},
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
    .implemented = {"connectionPool"},
    .accepted = {},
    .not_implemented = {"loadBalancer", "outlierDetection", "tls", "portLevelSettings",
                        "proxyProtocol", "tunnel"},
};

const KnownFields kConnectionPool{
    .implemented = {"tcp"},
    .accepted = {"http"},  // HTTP settings: nothing to do for TCP routes
    .not_implemented = {},
};

const KnownFields kTcpConnectionPool{
    .implemented = {"connectTimeout", "idleTimeout"},
    .accepted = {},
    .not_implemented = {"maxConnections", "tcpKeepalive", "maxConnectionDuration"},
};

const KnownFields kServiceEntrySpec{
    .implemented = {"hosts", "ports", "resolution", "endpoints", "location"},
    .accepted = {},
    .not_implemented = {"addresses", "exportTo", "workloadSelector", "subjectAltNames"},
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
