#include "config/proto_values.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include "config/duration.h"

namespace weir::config {
namespace {

// An integer in [low, high], with the type's range in the message.
std::optional<int64_t> readInteger(const FieldReader& field, int64_t low, int64_t high) {
  const std::optional<int64_t> value = field.integer();
  if (!value) {
    return std::nullopt;
  }
  if (*value < low || *value > high) {
    field.error("expected an integer in " + std::to_string(low) + ".." + std::to_string(high) +
                ", got " + std::to_string(*value));
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::optional<bool> readBool(const FieldReader& field) {
  const std::optional<std::string> text = field.string();
  if (!text) {
    return std::nullopt;
  }
  if (*text == "true" || *text == "True" || *text == "TRUE") {
    return true;
  }
  if (*text == "false" || *text == "False" || *text == "FALSE") {
    return false;
  }
  field.error("expected true or false, got \"" + *text + "\"");
  return std::nullopt;
}

std::optional<int32_t> readInt32(const FieldReader& field) {
  const std::optional<int64_t> value = readInteger(field, std::numeric_limits<int32_t>::min(),
                                                   std::numeric_limits<int32_t>::max());
  return value ? std::optional<int32_t>(static_cast<int32_t>(*value)) : std::nullopt;
}

std::optional<uint32_t> readUint32(const FieldReader& field) {
  const std::optional<int64_t> value =
      readInteger(field, 0, std::numeric_limits<uint32_t>::max());
  return value ? std::optional<uint32_t>(static_cast<uint32_t>(*value)) : std::nullopt;
}

std::optional<double> readDouble(const FieldReader& field) {
  const std::optional<std::string> text = field.string();
  if (!text) {
    return std::nullopt;
  }
  std::string_view digits(*text);
  if (!digits.empty() && digits.front() == '+') {
    digits.remove_prefix(1);
  }
  double value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() ||
      !std::isfinite(value)) {
    field.error("expected a number, got \"" + *text + "\"");
    return std::nullopt;
  }
  return value;
}

std::optional<std::chrono::nanoseconds> readProtoDuration(const FieldReader& field) {
  const std::optional<std::string> text = field.string();
  if (!text) {
    return std::nullopt;
  }
  std::optional<std::chrono::nanoseconds> value = parseGoDurationExact(*text);
  if (!value) {
    field.error("invalid duration \"" + *text +
                "\": expected a Go duration such as 10s, 500ms or 1h30m");
  }
  return value;
}

std::optional<int32_t> readPercent(const FieldReader& field) {
  const std::optional<int32_t> value = readInt32(field);
  if (!value) {
    return std::nullopt;
  }
  if (*value < 0 || *value > 100) {
    field.error("percentage " + std::to_string(*value) + " is not in range 0..100");
    return std::nullopt;
  }
  return value;
}

}  // namespace weir::config
