// Validation follows Istio's validateLoadBalancer, ValidateLocalityLbSetting and
// ValidateZoneAwareLbSetting (pkg/config/validation), in their words. Where the CRD
// schema words the same refusal differently, its words follow in parentheses.
#include "config/load_balancer_parser.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "config/known_fields.h"
#include "config/locality.h"
#include "config/proto_values.h"

namespace weir::config {
namespace {

using LoadBalancer = UpstreamCluster::LoadBalancer;

constexpr std::array<std::string_view, 3> kTopologyLabels = {
    "topology.kubernetes.io/region", "topology.kubernetes.io/zone", "topology.istio.io/subzone"};

bool isTopologyLabel(std::string_view label) {
  return std::find(kTopologyLabels.begin(), kTopologyLabels.end(), label) != kTopologyLabels.end();
}

// A protobuf uint64 that Istio reads as a count (tableSize, minimumRingSize).
std::optional<uint64_t> readCount(const FieldReader& field) {
  const std::optional<int64_t> value = field.integer();
  if (value && *value < 0) {
    field.error("expected a non-negative integer, got " + std::to_string(*value));
    return std::nullopt;
  }
  return value ? std::optional<uint64_t>(static_cast<uint64_t>(*value)) : std::nullopt;
}

// Envoy's primality test, which Istio copies so that it accepts exactly the Maglev
// table sizes Envoy does (2 and 3 are prime, 0 and 1 are not).
bool isPrime(uint64_t x) {
  if (x != 0 && x < 4) {
    return true;
  }
  if (x % 2 == 0) {
    return false;
  }
  for (uint64_t factor = 3; factor * factor <= x; factor += 2) {
    if (x % factor == 0) {
      return false;
    }
  }
  return true;
}

// Istio's words for the checks of `failover[]` (from and to are distinct regions),
// which differ between localityLbSetting and zoneAwareLbSetting.
struct FailoverWords {
  std::string_view different;  // from == to
  std::string_view region_only;  // a '/' in from or to
  std::string_view no_wildcard;  // a '*' in from or to
};

constexpr FailoverWords kLocalityFailover{
    "locality lb failover settings must specify different regions",
    "locality lb failover only specify region",
    "locality lb failover region should not contain '*' wildcard"};
constexpr FailoverWords kZoneAwareFailover{
    "zone aware lb failover settings must specify different regions",
    "zone aware lb failover only specifies region; zone and subzone failover are handled "
    "automatically",
    "zone aware lb failover region should not contain '*' wildcard"};

void checkFailover(const std::vector<FieldReader>& failover, const FailoverWords& words) {
  for (const FieldReader& item : failover) {
    if (!item.expectMap()) {
      continue;
    }
    item.checkFields(known_fields::kLocalityFailover);
    const std::string from = item.field("from").string().value_or("");
    const std::string to = item.field("to").string().value_or("");
    if (from == to) {
      item.error(std::string(words.different));
    }
    if (from.find('/') != std::string::npos || to.find('/') != std::string::npos) {
      item.error(std::string(words.region_only));
    }
    if (from.find('*') != std::string::npos || to.find('*') != std::string::npos) {
      item.error(std::string(words.no_wildcard));
    }
  }
}

void warnWithoutOutlierDetection(const FieldReader& setting, bool failover,
                                 bool has_outlier_detection) {
  if (failover && !has_outlier_detection) {
    setting.warning("outlier detection policy must be provided for failover");
  }
}

// localityLbSetting. Istio stops at the first problem of `distribute`, so does Weir.
void checkLocalityLbSetting(const FieldReader& setting, bool has_outlier_detection) {
  if (!setting.expectMap()) {
    return;
  }
  setting.checkFields(known_fields::kLocalityLbSetting);
  readBool(setting.field("enabled"));
  const FieldReader distribute_field = setting.field("distribute");
  const std::vector<FieldReader> distribute = distribute_field.items();
  const std::vector<FieldReader> failover = setting.field("failover").items();
  const FieldReader priority_field = setting.field("failoverPriority");
  const std::vector<Located<std::string>> priority = readStringList(priority_field);
  if (!distribute.empty() && !failover.empty()) {
    setting.error("can not simultaneously specify 'distribute' and 'failover'");
    return;
  }
  if (!failover.empty()) {
    for (const Located<std::string>& label : priority) {
      if (isTopologyLabel(label.value)) {
        priority_field.error("can not simultaneously set 'failover' and topology label '" +
                             label.value + "' in 'failover_priority'");
        return;
      }
    }
  }
  std::vector<std::string> sources;
  for (const FieldReader& item : distribute) {
    if (!item.expectMap()) {
      continue;
    }
    item.checkFields(known_fields::kLocalityDistribute);
    sources.push_back(item.field("from").string().value_or(""));
    const FieldReader to = item.field("to");
    uint64_t total = 0;
    std::vector<std::string> destinations;
    for (const auto& [locality, weight_field] : to.entries()) {
      destinations.push_back(locality);
      const std::optional<uint32_t> weight = readUint32(weight_field);
      if (!weight) {
        return;
      }
      if (*weight == 0 || *weight > 100) {
        weight_field.error("locality weight must be in range [1, 100]");
        return;
      }
      total += *weight;
    }
    if (total != 100) {
      to.error("total locality weight " + std::to_string(total) + " != 100");
      return;
    }
    if (std::optional<std::string> error = localitiesError(destinations)) {
      to.error(*error);
    }
  }
  if (std::optional<std::string> error = localitiesError(sources)) {
    distribute_field.error(*error);
  }
  warnWithoutOutlierDetection(setting, !failover.empty() || !priority.empty(),
                              has_outlier_detection);
  checkFailover(failover, kLocalityFailover);
}

// zoneAwareLbSetting: region, zone and subzone routing are Envoy's own there, so
// failover names regions only and failoverPriority names no topology label.
void checkZoneAwareLbSetting(const FieldReader& setting, bool has_outlier_detection) {
  if (!setting.expectMap()) {
    return;
  }
  setting.checkFields(known_fields::kZoneAwareLbSetting);
  readBool(setting.field("enabled"));
  const FieldReader min_cluster_size = setting.field("minClusterSize");
  if (const std::optional<uint32_t> size = readUint32(min_cluster_size); size && *size == 0) {
    min_cluster_size.error("minClusterSize should be greater than or equal to 1");
  }
  const FieldReader priority_field = setting.field("failoverPriority");
  const std::vector<Located<std::string>> priority = readStringList(priority_field);
  for (const Located<std::string>& label : priority) {
    if (isTopologyLabel(label.value)) {
      priority_field.error("'failover_priority' for zone aware lb must not use topology label '" +
                           label.value +
                           "'; region- and zone-level routing are handled automatically");
    }
  }
  const std::vector<FieldReader> failover = setting.field("failover").items();
  warnWithoutOutlierDetection(setting, !failover.empty() || !priority.empty(),
                              has_outlier_detection);
  checkFailover(failover, kZoneAwareFailover);
}

// warmup: Envoy's slow start for new endpoints.
void checkWarmup(const FieldReader& warmup) {
  if (!warmup.expectMap()) {
    return;
  }
  warmup.checkFields(known_fields::kWarmup);
  const FieldReader duration = warmup.field("duration");
  if (!duration.present()) {
    duration.error("duration is required (CRD: " + duration.path() + ": Required value)");
  } else {
    readIstioDuration(duration, false);
  }
  const FieldReader minimum_percent = warmup.field("minimumPercent");
  if (const std::optional<double> value = readDouble(minimum_percent)) {
    if (*value > 100) {
      minimum_percent.error("minimumPercent value should be less than or equal to 100");
    } else if (*value < 0) {
      minimum_percent.error("minimumPercent should be greater than or equal to 0");
    }
  }
  const FieldReader aggression = warmup.field("aggression");
  if (const std::optional<double> value = readDouble(aggression); value && *value <= 0) {
    aggression.error(*value < 0
                         ? "aggression should be greater than 0 (CRD: should be greater than or "
                           "equal to 0)"
                         : "aggression should be greater than 0");
  }
}

// backendUtilization: weights from the endpoints' ORCA load reports, which only
// HTTP carries. Istio checks nothing beyond the types.
void checkBackendUtilization(const FieldReader& settings) {
  if (!settings.expectMap()) {
    return;
  }
  settings.checkFields(known_fields::kBackendUtilization);
  readUint32(settings.field("errorUtilizationPenaltyPercent"));
  readStringList(settings.field("metricNamesForComputingUtilization"));
  for (std::string_view period :
       {"weightExpirationPeriod", "weightStabilizationPeriod", "weightUpdatePeriod"}) {
    readProtoDuration(settings.field(period));
  }
}

void checkHttpCookie(const FieldReader& cookie) {
  if (!cookie.expectMap()) {
    return;
  }
  cookie.checkFields(known_fields::kHttpCookie);
  if (cookie.field("name").string().value_or("").empty()) {
    cookie.error("name required for HttpCookie");
  }
  cookie.field("path").string();
  readProtoDuration(cookie.field("ttl"));
  std::set<std::string> names;
  for (const FieldReader& attribute : cookie.field("attributes").items()) {
    if (!attribute.expectMap()) {
      continue;
    }
    attribute.checkFields(known_fields::kHttpCookieAttribute);
    attribute.field("value").string();
    const FieldReader name = attribute.field("name");
    const std::string text = name.string().value_or("");
    if (text.empty()) {
      attribute.error("cookie attribute name cannot be empty");
    } else if (!names.insert(text).second) {
      name.error("duplicate cookie attribute name: " + text);
    }
  }
}

// consistentHash.maglev / .ringHash / the deprecated .minimumRingSize: how Envoy
// builds its hash ring. Weir always uses a Maglev table of 65537 entries.
void checkHashAlgorithm(const FieldReader& hash) {
  const FieldReader minimum_ring_size = hash.field("minimumRingSize");
  const FieldReader ring_hash = hash.field("ringHash");
  const FieldReader maglev = hash.field("maglev");
  const std::optional<uint64_t> legacy_size = readCount(minimum_ring_size);
  if (legacy_size.value_or(0) != 0) {
    minimum_ring_size.warning(
        "consistent hash MinimumRingSize is deprecated, use ConsistentHashLB's RingHash "
        "configuration instead");
    if (ring_hash.present() || maglev.present()) {
      minimum_ring_size.error("only one of MinimumRingSize or Maglev/Ringhash can be specified");
    }
  }
  if (ring_hash.present() && maglev.present()) {
    maglev.error("only one of ringHash or maglev may be set");
  }
  if (ring_hash.expectMap()) {
    ring_hash.checkFields(known_fields::kRingHash);
    readCount(ring_hash.field("minimumRingSize"));
  }
  if (maglev.expectMap()) {
    maglev.checkFields(known_fields::kMaglev);
    const FieldReader table_size = maglev.field("tableSize");
    const uint64_t size = readCount(table_size).value_or(0);
    const FieldReader& at = table_size.present() ? table_size : maglev;
    if (size == 0) {
      at.error("tableSize must be set for maglev");
    }
    if (size >= 5000011) {
      at.error("tableSize must be less than 5000011 for maglev");
    }
    if (!isPrime(size)) {
      at.error("tableSize must be a prime number for maglev");
    }
  }
}

// consistentHash. A TCP connection carries no HTTP header, cookie or query
// parameter, so a hash on one of those has no key: Istio accepts it, and Envoy's
// ring/Maglev balancer then hashes a random number for each connection. Weir picks
// at random too, and says so.
std::optional<LoadBalancer> parseConsistentHash(const FieldReader& hash) {
  if (!hash.expectMap()) {
    return std::nullopt;
  }
  hash.checkFields(known_fields::kConsistentHash);
  checkHashAlgorithm(hash);
  static constexpr std::array<std::string_view, 4> kHashKeys = {
      "useSourceIp", "httpHeaderName", "httpCookie", "httpQueryParameterName"};
  std::vector<std::pair<std::string_view, FieldReader>> keys;
  for (std::string_view name : kHashKeys) {
    if (FieldReader key = hash.field(name); key.present()) {
      keys.emplace_back(name, key);
    }
  }
  if (const FieldReader cookie = hash.field("httpCookie"); cookie.present()) {
    checkHttpCookie(cookie);
  }
  if (keys.size() > 1) {
    keys[1].second.error(
        "only one of useSourceIp, httpHeaderName, httpCookie or httpQueryParameterName may be "
        "set");
    return std::nullopt;
  }
  if (keys.empty()) {
    hash.warning(
        "consistentHash has no hash key; without useSourceIp: true each connection is "
        "hashed on a random number, so endpoints are picked at random");
    return LoadBalancer::kRandom;
  }
  const auto& [key_name, key] = keys.front();
  if (key_name == "useSourceIp") {
    const std::optional<bool> use_source_ip = readBool(key);
    if (!use_source_ip) {
      return std::nullopt;
    }
    if (!*use_source_ip) {
      key.warning(
          "useSourceIp: false leaves consistentHash without a hash key, so endpoints are "
          "picked at random");
      return LoadBalancer::kRandom;
    }
    return LoadBalancer::kConsistentHashSourceIp;
  }
  if (key_name != "httpCookie") {
    key.string();
  }
  key.warning(
      "consistent hashing on an HTTP request attribute does nothing for TCP connections, "
      "which have none: as in Envoy's TCP proxy, endpoints are picked at random (use "
      "useSourceIp: true to keep a client on one endpoint)");
  return LoadBalancer::kRandom;
}

std::optional<LoadBalancerSpec> parseSimple(const FieldReader& simple) {
  const std::optional<std::string> value = simple.string();
  if (!value) {
    return std::nullopt;
  }
  if (*value == "ROUND_ROBIN" || *value == "UNSPECIFIED") {
    return LoadBalancerSpec{LoadBalancer::kRoundRobin};
  }
  if (*value == "LEAST_REQUEST" || *value == "LEAST_CONN") {  // LEAST_CONN: Istio's old name
    return LoadBalancerSpec{LoadBalancer::kLeastRequest};
  }
  if (*value == "RANDOM") {
    return LoadBalancerSpec{LoadBalancer::kRandom};
  }
  if (*value == "PASSTHROUGH") {
    // Istio: an ORIGINAL_DST cluster. Envoy's finds no original destination on a
    // gateway's connection and picks no host, as for resolution NONE.
    simple.warning(
        "load balancer PASSTHROUGH: Weir, like an Istio gateway, has no original "
        "destination to forward to, so connections routed to clusters with this policy are "
        "closed (upstream_cx_none_healthy)");
    return LoadBalancerSpec{LoadBalancer::kRoundRobin, /*passthrough=*/true};
  }
  simple.error("unknown load balancer \"" + *value +
               "\": expected ROUND_ROBIN, LEAST_REQUEST, LEAST_CONN, RANDOM, "
               "UNSPECIFIED or PASSTHROUGH");
  return std::nullopt;
}

}  // namespace

std::optional<LoadBalancerSpec> parseLoadBalancer(const FieldReader& lb,
                                                  bool has_outlier_detection) {
  if (!lb.expectMap()) {
    return std::nullopt;
  }
  lb.checkFields(known_fields::kLoadBalancer);

  const FieldReader locality = lb.field("localityLbSetting");
  const FieldReader zone_aware = lb.field("zoneAwareLbSetting");
  if (locality.present() && zone_aware.present()) {
    zone_aware.error("only one of localityLbSetting and zoneAwareLbSetting can be set");
  }
  checkLocalityLbSetting(locality, has_outlier_detection);
  checkZoneAwareLbSetting(zone_aware, has_outlier_detection);
  checkWarmup(lb.field("warmup"));
  if (const FieldReader warmup_duration = lb.field("warmupDurationSecs");
      warmup_duration.present()) {
    readIstioDuration(warmup_duration, false);
  }
  const FieldReader backend_utilization = lb.field("backendUtilization");
  checkBackendUtilization(backend_utilization);

  // simple, consistentHash and backendUtilization are one protobuf oneof.
  const FieldReader simple = lb.field("simple");
  const FieldReader hash = lb.field("consistentHash");
  const int policies = static_cast<int>(simple.present()) + static_cast<int>(hash.present()) +
                       static_cast<int>(backend_utilization.present());
  if (policies > 1) {
    (hash.present() && simple.present() ? hash : backend_utilization)
        .error("only one of simple, consistentHash or backendUtilization may be set");
    return std::nullopt;
  }
  if (simple.present()) {
    return parseSimple(simple);
  }
  if (hash.present()) {
    const std::optional<LoadBalancer> policy = parseConsistentHash(hash);
    return policy ? std::optional(LoadBalancerSpec{*policy}) : std::nullopt;
  }
  // Neither (`loadBalancer: {}` is Istio's UNSPECIFIED), or backendUtilization,
  // which needs load reports a TCP upstream does not send: round robin by weight.
  return LoadBalancerSpec{LoadBalancer::kRoundRobin};
}

}  // namespace weir::config
