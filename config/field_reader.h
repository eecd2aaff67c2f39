// Reading typed values out of a YAML tree one field at a time, reporting every
// problem with the field's path ("spec.tcp[0].route[1].weight") and position.
//
// A FieldReader is a cheap cursor into a YamlNode tree; it never throws. Absent
// fields and fields written as null read as "not present". Type errors are reported
// by the accessor that finds them, so call each accessor once per field.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/diagnostics.h"
#include "config/known_fields.h"
#include "config/yaml_tree.h"

namespace weir::config {

// What all readers of one document share.
struct ReadContext {
  std::string file;
  Diagnostics* diagnostics = nullptr;
};

class FieldReader {
 public:
  // The root of a document; its path is empty.
  FieldReader(const YamlNode& root, const ReadContext& context);

  // Written, and not null.
  bool present() const { return node_ != nullptr && !node_->isNull(); }
  bool isList() const { return node_ != nullptr && node_->isSequence(); }
  const std::string& path() const { return path_; }
  // The value's position; for an absent field, the position of the enclosing map.
  FieldRef where() const;

  // A field of this map (absent when this is not a map or has no such key).
  FieldReader field(std::string_view key) const;
  // Items of this list; a type error when present and not a list.
  std::vector<FieldReader> items() const;
  // Entries of this map, for maps with free-form keys (labels, endpoint ports);
  // a type error when present and not a map.
  std::vector<std::pair<std::string, FieldReader>> entries() const;
  // The key (not the value) of entry `key` of this map, with that entry's path: for
  // messages about the name itself, such as an unknown one, which point at the key.
  FieldReader entryKey(std::string_view key) const;

  // True when this is a map; a type error when present and not a map.
  bool expectMap() const;
  // The scalar's text; a type error when present and not a scalar.
  std::optional<std::string> string() const;
  // A decimal integer; a type error when present and not one.
  std::optional<int64_t> integer() const;

  // As above, and "missing required field" when absent.
  std::optional<std::string> requiredString() const;
  bool requireMap() const;

  // Checks the keys of this map: unknown keys and duplicate keys are errors, keys
  // that Weir does not implement yet are warnings.
  void checkFields(const KnownFields& known) const;

  void error(std::string message) const;
  void warning(std::string message) const;
  void reportMissing() const;

 private:
  FieldReader(const YamlNode* node, std::string path, std::string name, TextPosition position,
              const ReadContext* context);
  FieldRef refAt(TextPosition position, std::string field) const;
  void reportType(std::string_view expected) const;

  const YamlNode* node_;    // nullptr when absent
  std::string path_;
  std::string name_;        // the last part of the path, for "missing required field"
  TextPosition position_;   // of node_, or of the enclosing map when absent
  const ReadContext* context_;
};

// Shared readers for values that many objects have.

// A port number in 1..65535 (Istio: "port number 0 must be in the range 1..65535").
std::optional<uint16_t> readPortNumber(const FieldReader& reader);
// A Go duration that passes Istio's ValidateDuration (at least 1ms, whole
// milliseconds), or (where `zero_disables`) exactly zero, which turns it off.
std::optional<std::chrono::milliseconds> readIstioDuration(const FieldReader& field,
                                                           bool zero_disables);
// A list of strings; type errors reported per item.
std::vector<Located<std::string>> readStringList(const FieldReader& reader);
// A map of string to string, such as `labels`.
std::map<std::string, std::string> readStringMap(const FieldReader& reader);

template <typename T>
Located<T> locate(T value, const FieldReader& reader) {
  return Located<T>{std::move(value), reader.where()};
}

}  // namespace weir::config
