// A YAML document being written: scalars, sequences and mappings (keys kept in the
// order they were first set), printed in block style the way `kubectl get -o yaml`
// prints Istio objects. Strings are quoted only when a plain scalar would read back
// as something else (a number, a boolean, null, or YAML syntax), so a test can find
// what it wrote (positionOf) and compare weir's file:line:column with it.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace weir::test {

class YamlNode {
 public:
  static YamlNode mapping() { return YamlNode(Kind::kMapping); }
  static YamlNode sequence() { return YamlNode(Kind::kSequence); }

  // A string scalar; quoted when printed if it would not read back as this string.
  YamlNode(std::string text) : kind_(Kind::kString), text_(std::move(text)) {}  // NOLINT
  YamlNode(const char* text) : YamlNode(std::string(text)) {}                   // NOLINT
  // A number, printed as it is (negative ones too: tests write invalid values).
  template <class Integer,
            class = std::enable_if_t<std::is_integral_v<Integer> && !std::is_same_v<Integer, bool>>>
  YamlNode(Integer number) : kind_(Kind::kNumber), text_(std::to_string(number)) {}  // NOLINT
  static YamlNode boolean(bool value);

  // Mappings: sets `key` (in place if it is there, else last). Returns *this.
  YamlNode& set(const std::string& key, YamlNode value);
  // The value of `key`, added as an empty mapping or sequence if absent (for
  // nested settings such as trafficPolicy.connectionPool.tcp, and lists).
  YamlNode& mappingAt(const std::string& key);
  YamlNode& sequenceAt(const std::string& key);
  // Sequences: appends `item`. Returns *this.
  YamlNode& append(YamlNode item);

  // A mapping's (key, value) pairs in order; a sequence's ("", item) pairs.
  const std::vector<std::pair<std::string, YamlNode>>& entries() const { return items_; }
  // A mapping or sequence without items.
  bool empty() const { return !isScalar() && items_.empty(); }

  // Block-style YAML ending in a newline; `indent` spaces before every line.
  std::string toYaml(int indent = 0) const;

 private:
  enum class Kind { kString, kNumber, kBoolean, kMapping, kSequence };
  explicit YamlNode(Kind kind) : kind_(kind) {}

  bool isScalar() const { return kind_ != Kind::kMapping && kind_ != Kind::kSequence; }
  bool isEmptyCollection() const { return !isScalar() && items_.empty(); }
  std::string scalarText() const;
  void writeMapping(std::string& out, int indent) const;
  void writeSequence(std::string& out, int indent) const;
  // The text after "key:" or "-": " value\n" for a scalar or an empty collection,
  // else a newline and the collection's block at `indent`.
  void writeValue(std::string& out, int indent) const;

  YamlNode& at(const std::string& key, Kind kind_if_absent);

  Kind kind_;
  std::string text_;  // scalars
  std::vector<std::pair<std::string, YamlNode>>
      items_;  // mappings (key, value); sequences ("", item)
};

// 1-based line and column of the first occurrence of `needle` in `text`; {0, 0} if
// none. For tests that expect an error at what they wrote.
struct TextPosition {
  int line = 0;
  int column = 0;
};
TextPosition positionOf(const std::string& text, const std::string& needle);

}  // namespace weir::test
