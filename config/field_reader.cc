#include "config/field_reader.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "config/duration.h"
#include "config/spelling.h"

namespace weir::config {
namespace {

bool contains(const std::vector<std::string_view>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::optional<int64_t> parseDecimal(std::string_view text) {
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
  }
  if (text.empty()) {
    return std::nullopt;
  }
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

FieldReader::FieldReader(const YamlNode& root, const ReadContext& context)
    : FieldReader(&root, "", "", root.position, &context) {}

FieldReader::FieldReader(const YamlNode* node, std::string path, std::string name,
                         TextPosition position, const ReadContext* context)
    : node_(node),
      path_(std::move(path)),
      name_(std::move(name)),
      position_(position),
      context_(context) {}

FieldRef FieldReader::refAt(TextPosition position, std::string field) const {
  return FieldRef{SourcePosition{context_->file, position.line, position.column},
                  std::move(field)};
}

FieldRef FieldReader::where() const { return refAt(position_, path_); }

void FieldReader::error(std::string message) const {
  context_->diagnostics->error(where(), std::move(message));
}

void FieldReader::warning(std::string message) const {
  context_->diagnostics->warning(where(), std::move(message));
}

void FieldReader::reportMissing() const { error("missing required field \"" + name_ + "\""); }

void FieldReader::reportType(std::string_view expected) const {
  error("expected " + std::string(expected) + ", got " + describeNode(*node_));
}

FieldReader FieldReader::field(std::string_view key) const {
  std::string path = path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  if (node_ != nullptr && node_->isMap()) {
    for (const YamlEntry& entry : node_->entries) {
      if (entry.key.isScalar() && entry.key.scalar == key) {
        // A field written as `key:` (null) reads as absent but keeps its position.
        return FieldReader(&entry.value, std::move(path), std::string(key),
                           entry.value.isNull() ? entry.key.position : entry.value.position,
                           context_);
      }
    }
  }
  return FieldReader(nullptr, std::move(path), std::string(key), position_, context_);
}

std::vector<FieldReader> FieldReader::items() const {
  std::vector<FieldReader> result;
  if (!present()) {
    return result;
  }
  if (!node_->isSequence()) {
    reportType("a list");
    return result;
  }
  for (size_t i = 0; i < node_->items.size(); ++i) {
    const YamlNode& item = node_->items[i];
    result.push_back(FieldReader(&item, path_ + "[" + std::to_string(i) + "]", name_,
                                 item.position, context_));
  }
  return result;
}

std::vector<std::pair<std::string, FieldReader>> FieldReader::entries() const {
  std::vector<std::pair<std::string, FieldReader>> result;
  if (!expectMap()) {
    return result;
  }
  std::set<std::string> seen;
  for (const YamlEntry& entry : node_->entries) {
    if (!entry.key.isScalar()) {
      context_->diagnostics->error(refAt(entry.key.position, path_),
                                   "expected a string key, got " + describeNode(entry.key));
      continue;
    }
    const std::string& key = entry.key.scalar;
    const std::string path = path_ + "." + key;
    if (!seen.insert(key).second) {
      context_->diagnostics->error(refAt(entry.key.position, path),
                                   "duplicate key \"" + key + "\"");
      continue;
    }
    result.emplace_back(key, FieldReader(&entry.value, path, key,
                                         entry.value.isNull() ? entry.key.position
                                                              : entry.value.position,
                                         context_));
  }
  return result;
}

FieldReader FieldReader::entryKey(std::string_view key) const {
  std::string path = path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  if (node_ != nullptr && node_->isMap()) {
    for (const YamlEntry& entry : node_->entries) {
      if (entry.key.isScalar() && entry.key.scalar == key) {
        return FieldReader(&entry.key, std::move(path), std::string(key), entry.key.position,
                           context_);
      }
    }
  }
  return FieldReader(nullptr, std::move(path), std::string(key), position_, context_);
}

bool FieldReader::expectMap() const {
  if (!present()) {
    return false;
  }
  if (!node_->isMap()) {
    reportType("a map");
    return false;
  }
  return true;
}

bool FieldReader::requireMap() const {
  if (!present()) {
    reportMissing();
    return false;
  }
  return expectMap();
}

std::optional<std::string> FieldReader::string() const {
  if (!present()) {
    return std::nullopt;
  }
  if (!node_->isScalar()) {
    reportType("a string");
    return std::nullopt;
  }
  return node_->scalar;
}

std::optional<std::string> FieldReader::requiredString() const {
  if (!present()) {
    reportMissing();
    return std::nullopt;
  }
  return string();
}

std::optional<int64_t> FieldReader::integer() const {
  if (!present()) {
    return std::nullopt;
  }
  std::optional<int64_t> value;
  if (node_->isScalar()) {
    value = parseDecimal(node_->scalar);
  }
  if (!value) {
    reportType("an integer");
  }
  return value;
}

void FieldReader::checkFields(const KnownFields& known) const {
  if (node_ == nullptr || !node_->isMap()) {
    return;
  }
  std::set<std::string> seen;
  for (const YamlEntry& entry : node_->entries) {
    if (!entry.key.isScalar()) {
      context_->diagnostics->error(refAt(entry.key.position, path_),
                                   "expected a field name, got " + describeNode(entry.key));
      continue;
    }
    const std::string& key = entry.key.scalar;
    const FieldRef at = refAt(entry.key.position, path_.empty() ? key : path_ + "." + key);
    if (!seen.insert(key).second) {
      context_->diagnostics->error(at, "duplicate field \"" + key + "\"");
    } else if (contains(known.not_implemented, key)) {
      context_->diagnostics->warning(
          at, "field \"" + key + "\" is not supported by Weir yet; ignored");
    } else if (!contains(known.implemented, key) && !contains(known.accepted, key)) {
      std::vector<std::string_view> names = known.implemented;
      names.insert(names.end(), known.accepted.begin(), known.accepted.end());
      names.insert(names.end(), known.not_implemented.begin(), known.not_implemented.end());
      context_->diagnostics->error(at, "unknown field \"" + key + "\"" + didYouMean(key, names));
    }
  }
}

std::optional<uint16_t> readPortNumber(const FieldReader& reader) {
  const std::optional<int64_t> number = reader.integer();
  if (!number) {
    return std::nullopt;
  }
  if (*number < 1 || *number > 65535) {
    reader.error("port number " + std::to_string(*number) + " must be in the range 1..65535");
    return std::nullopt;
  }
  return static_cast<uint16_t>(*number);
}

std::optional<std::chrono::milliseconds> readIstioDuration(const FieldReader& field,
                                                           bool zero_disables) {
  using std::chrono::milliseconds;
  const std::optional<std::string> text = field.string();
  if (!text) {
    return std::nullopt;
  }
  const std::optional<std::chrono::nanoseconds> exact = parseGoDurationExact(*text);
  if (!exact) {
    field.error("invalid duration \"" + *text +
                "\": expected a Go duration such as 10s, 500ms or 1h30m");
    return std::nullopt;
  }
  if (zero_disables && exact->count() == 0) {
    return milliseconds(0);
  }
  if (const std::optional<std::string> error = istioDurationError(*exact)) {
    field.error(*error + ", got \"" + *text + "\"");
    return std::nullopt;
  }
  return std::chrono::duration_cast<milliseconds>(*exact);
}

std::vector<Located<std::string>> readStringList(const FieldReader& reader) {
  std::vector<Located<std::string>> result;
  for (const FieldReader& item : reader.items()) {
    if (!item.present()) {
      item.error("expected a string, got a null value");
      continue;
    }
    if (std::optional<std::string> text = item.string()) {
      result.push_back(locate(std::move(*text), item));
    }
  }
  return result;
}

std::map<std::string, std::string> readStringMap(const FieldReader& reader) {
  std::map<std::string, std::string> result;
  for (const auto& [key, value] : reader.entries()) {
    // Kubernetes label values may be empty; a null value reads as "".
    result[key] = value.string().value_or("");
  }
  return result;
}

}  // namespace weir::config
