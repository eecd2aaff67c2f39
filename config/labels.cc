#include "config/labels.h"

#include <algorithm>

namespace weir::config {
namespace {

bool isAlphanumeric(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Kubernetes' qualified name: [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?
bool isQualifiedName(std::string_view text) {
  if (text.empty() || !isAlphanumeric(text.front()) || !isAlphanumeric(text.back())) {
    return false;
  }
  return std::all_of(text.begin(), text.end(), [](char c) {
    return isAlphanumeric(c) || c == '-' || c == '_' || c == '.';
  });
}

// A label of a key's DNS prefix: [A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?, with no
// length limit of its own (Istio's pattern has none; the prefix has one).
bool isPrefixLabel(std::string_view text) {
  if (text.empty() || !isAlphanumeric(text.front()) || !isAlphanumeric(text.back())) {
    return false;
  }
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return isAlphanumeric(c) || c == '-'; });
}

bool isDnsPrefix(std::string_view prefix) {
  size_t start = 0;
  while (true) {
    const size_t dot = prefix.find('.', start);
    if (!isPrefixLabel(prefix.substr(start, dot == std::string_view::npos ? dot : dot - start))) {
      return false;
    }
    if (dot == std::string_view::npos) {
      return true;
    }
    start = dot + 1;
  }
}

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

}  // namespace

std::optional<std::string> labelKeyError(std::string_view key) {
  const size_t slash = key.find('/');
  const std::string_view prefix = slash == std::string_view::npos ? "" : key.substr(0, slash);
  const std::string_view name = slash == std::string_view::npos ? key : key.substr(slash + 1);
  if ((slash != std::string_view::npos && !isDnsPrefix(prefix)) || !isQualifiedName(name)) {
    return "invalid tag key: " + quoted(key);
  }
  if (prefix.size() > 253) {
    return "invalid tag key: " + quoted(key) + " (DNS prefix is too long)";
  }
  if (name.size() > 63) {
    return "invalid tag key: " + quoted(key) + " (name is too long)";
  }
  return std::nullopt;
}

std::optional<std::string> labelValueError(std::string_view value) {
  if (!value.empty() && !isQualifiedName(value)) {
    return "invalid tag value: " + quoted(value);
  }
  return std::nullopt;
}

std::map<std::string, std::string> readLabels(const FieldReader& labels) {
  std::map<std::string, std::string> result;
  for (const auto& [key, value] : labels.entries()) {
    // A null value reads as "", as Kubernetes allows empty label values.
    const std::string text = value.string().value_or("");
    if (std::optional<std::string> error = labelKeyError(key)) {
      labels.entryKey(key).error(*error);
    }
    if (std::optional<std::string> error = labelValueError(text)) {
      value.error(*error);
    }
    result[key] = text;
  }
  return result;
}

std::map<std::string, std::string> readLabelSelector(const FieldReader& labels) {
  std::map<std::string, std::string> result;
  for (const auto& [key, value] : labels.entries()) {
    const std::string text = value.string().value_or("");
    const std::string pair = quoted(key + "=" + text);
    if (key.empty()) {
      labels.entryKey(key).error("empty key is not supported in selector: " + pair);
    }
    if (key.find('*') != std::string::npos || text.find('*') != std::string::npos) {
      value.error("wildcard is not supported in selector: " + pair);
    }
    result[key] = text;
  }
  return result;
}

}  // namespace weir::config
