#include "config/annotations.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace weir::config {
namespace {

constexpr std::string_view kPrefix = "weir.dev/";

constexpr std::string_view kHealthCheckInterval = "weir.dev/health-check-interval";
constexpr std::string_view kHealthCheckTimeout = "weir.dev/health-check-timeout";
constexpr std::string_view kHealthCheckHealthyThreshold = "weir.dev/health-check-healthy-threshold";
constexpr std::string_view kHealthCheckUnhealthyThreshold =
    "weir.dev/health-check-unhealthy-threshold";
constexpr std::string_view kHealthCheckSend = "weir.dev/health-check-send";
constexpr std::string_view kHealthCheckExpect = "weir.dev/health-check-expect";
constexpr std::string_view kMaxConnectAttempts = "weir.dev/max-connect-attempts";
constexpr std::string_view kMaxConnections = "weir.dev/max-connections";

// The same bound as weir's --max-connect-attempts: a rule may ask for what the
// command line may. Every attempt can wait a whole connectTimeout (10 s by
// default), so more would only hold a client longer.
constexpr uint64_t kMaxConnectAttemptsBound = 100;

struct KnownAnnotation {
  std::string_view name;
  std::array<std::string_view, 2> kinds;  // the kinds it applies to; the second may be ""
};

constexpr std::array<std::string_view, 2> kClusterKinds = {"ServiceEntry", "DestinationRule"};

constexpr std::array<KnownAnnotation, 8> kKnown = {{
    {kHealthCheckInterval, kClusterKinds},
    {kHealthCheckTimeout, kClusterKinds},
    {kHealthCheckHealthyThreshold, kClusterKinds},
    {kHealthCheckUnhealthyThreshold, kClusterKinds},
    {kHealthCheckSend, kClusterKinds},
    {kHealthCheckExpect, kClusterKinds},
    {kMaxConnectAttempts, {"VirtualService", ""}},
    {kMaxConnections, {"Gateway", ""}},
}};

bool appliesTo(const KnownAnnotation& annotation, std::string_view kind) {
  return !kind.empty() &&
         std::find(annotation.kinds.begin(), annotation.kinds.end(), kind) != annotation.kinds.end();
}

// "Gateway", "ServiceEntry or DestinationRule".
std::string kindsText(const KnownAnnotation& annotation) {
  std::string text(annotation.kinds[0]);
  if (!annotation.kinds[1].empty()) {
    text += " or " + std::string(annotation.kinds[1]);
  }
  return text;
}

const KnownAnnotation* findKnown(std::string_view name) {
  const auto found = std::find_if(kKnown.begin(), kKnown.end(),
                                  [&](const KnownAnnotation& known) { return known.name == name; });
  return found == kKnown.end() ? nullptr : &*found;
}

std::string unknownMessage(std::string_view key, std::string_view kind) {
  std::string names;
  for (const KnownAnnotation& known : kKnown) {
    if (appliesTo(known, kind)) {
      names += (names.empty() ? "" : ", ") + std::string(known.name);
    }
  }
  const std::string message = "unknown annotation \"" + std::string(key) + "\"";
  if (names.empty()) {
    return message + ": a " + std::string(kind) + " has no weir.dev/ annotations";
  }
  return message + "; weir.dev/ annotations of a " + std::string(kind) + ": " + names;
}

// A count written as a string ("3") or a plain scalar (3), in 1..max. `bounded`:
// the message names max (a chosen bound) rather than only ">= 1" (a type's limit).
std::optional<uint64_t> readCount(const FieldReader& field, uint64_t max, bool bounded) {
  const std::string range = "in 1.." + std::to_string(max);
  const std::string expected = "expected an integer " + (bounded ? range : ">= 1");
  if (!field.present()) {
    field.error(expected + ", got a null value");
    return std::nullopt;
  }
  const std::optional<std::string> text = field.string();
  if (!text) {
    return std::nullopt;  // a map or a list, reported
  }
  std::string_view digits = *text;
  if (!digits.empty() && digits.front() == '+') {
    digits.remove_prefix(1);
  }
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) {
    field.error(expected + ", got \"" + *text + "\"");
    return std::nullopt;
  }
  if (value < 1 || value > max) {
    field.error("expected an integer " + (bounded || value > max ? range : ">= 1") + ", got " +
                std::to_string(value));
    return std::nullopt;
  }
  return value;
}

// A duration annotation: a Go duration Istio would accept (at least 1ms, whole ms).
std::optional<std::chrono::milliseconds> readDuration(const FieldReader& field) {
  if (!field.present()) {
    field.error("expected a Go duration such as 10s, 500ms or 1h30m, got a null value");
    return std::nullopt;
  }
  return readIstioDuration(field, false);
}

// The known weir.dev/ annotations an object has, in file order.
using AnnotationValues = std::vector<std::pair<std::string_view, FieldReader>>;

const FieldReader* find(const AnnotationValues& values, std::string_view name) {
  const auto found = std::find_if(values.begin(), values.end(),
                                  [&](const auto& value) { return value.first == name; });
  return found == values.end() ? nullptr : &found->second;
}

UpstreamCluster::HealthCheck readHealthCheck(const AnnotationValues& values,
                                            const FieldReader& interval) {
  UpstreamCluster::HealthCheck check;
  const auto value = [&](std::string_view name) { return find(values, name); };
  check.interval = readDuration(interval).value_or(check.interval);
  if (const FieldReader* timeout = value(kHealthCheckTimeout)) {
    check.timeout = readDuration(*timeout).value_or(check.timeout);
  }
  const uint64_t threshold_max = std::numeric_limits<uint32_t>::max();
  if (const FieldReader* healthy = value(kHealthCheckHealthyThreshold)) {
    check.healthy_threshold = static_cast<uint32_t>(
        readCount(*healthy, threshold_max, false).value_or(check.healthy_threshold));
  }
  if (const FieldReader* unhealthy = value(kHealthCheckUnhealthyThreshold)) {
    check.unhealthy_threshold = static_cast<uint32_t>(
        readCount(*unhealthy, threshold_max, false).value_or(check.unhealthy_threshold));
  }
  // Bytes as YAML decoded them ("PING\r\n" in double quotes); a null value is "".
  if (const FieldReader* send = value(kHealthCheckSend)) {
    check.send = send->string().value_or("");
  }
  if (const FieldReader* expect = value(kHealthCheckExpect)) {
    check.expect = expect->string().value_or("");
  }
  return check;
}

}  // namespace

WeirAnnotations parseWeirAnnotations(const FieldReader& annotations, std::string_view kind) {
  WeirAnnotations result;
  AnnotationValues values;  // those that apply to `kind`
  for (const auto& [key, value] : annotations.entries()) {
    if (!key.starts_with(kPrefix)) {
      continue;  // not Weir's
    }
    const KnownAnnotation* known = findKnown(key);
    if (known == nullptr) {
      annotations.entryKey(key).error(unknownMessage(key, kind));
    } else if (!appliesTo(*known, kind)) {
      annotations.entryKey(key).error("annotation \"" + key + "\" applies to a " +
                                      kindsText(*known) + ", not to a " +
                                      std::string(kind));
    } else {
      values.emplace_back(known->name, value);
    }
  }

  if (const FieldReader* interval = find(values, kHealthCheckInterval)) {
    result.health_check = readHealthCheck(values, *interval);
  } else {
    for (const auto& [name, value] : values) {
      if (name.starts_with("weir.dev/health-check-")) {
        annotations.entryKey(name).error(
            "annotation \"" + std::string(name) + "\" needs \"" +
            std::string(kHealthCheckInterval) + "\", which turns health checks on");
      }
    }
  }
  if (const FieldReader* attempts = find(values, kMaxConnectAttempts)) {
    result.max_connect_attempts =
        static_cast<uint32_t>(readCount(*attempts, kMaxConnectAttemptsBound, true).value_or(0));
  }
  if (const FieldReader* connections = find(values, kMaxConnections)) {
    result.max_connections =
        readCount(*connections, std::numeric_limits<uint64_t>::max(), false);
  }
  return result;
}

}  // namespace weir::config
