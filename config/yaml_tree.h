// A YAML stream as plain trees with 1-based positions.
//
// yaml_tree.cc is the only file in Weir that includes yaml-cpp: it turns the
// parser's events into these trees, and everything else in config/ reads the trees.
// Scalars keep their text; whether "80" is an integer or a string is decided by the
// reader that knows what the field should hold (see field_reader.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace weir::config {

// 1-based, as printed in messages.
struct TextPosition {
  int line = 1;
  int column = 1;
};

struct YamlEntry;

struct YamlNode {
  enum class Kind { kNull, kScalar, kSequence, kMap };

  Kind kind = Kind::kNull;
  TextPosition position;
  std::string scalar;              // kScalar: the text
  bool quoted = false;             // kScalar: written in quotes or with a tag
  std::vector<YamlNode> items;     // kSequence
  std::vector<YamlEntry> entries;  // kMap, in file order, duplicate keys kept

  bool isNull() const { return kind == Kind::kNull; }
  bool isScalar() const { return kind == Kind::kScalar; }
  bool isSequence() const { return kind == Kind::kSequence; }
  bool isMap() const { return kind == Kind::kMap; }
};

struct YamlEntry {
  YamlNode key;  // normally a scalar; field_reader reports anything else
  YamlNode value;
};

struct YamlSyntaxError {
  TextPosition position;
  std::string message;  // yaml-cpp's text, e.g. "illegal map value"
};

struct YamlStream {
  std::vector<YamlNode> documents;       // in order; empty documents left out
  std::optional<YamlSyntaxError> error;  // set when parsing stopped early
};

// Parses every document of `text` (documents separated by `---`). On a syntax
// error, the documents before it are kept and parsing stops.
YamlStream parseYamlStream(const std::string& text);

// "a map", "a list", "a null value" or the quoted scalar, for type errors.
std::string describeNode(const YamlNode& node);

}  // namespace weir::config
