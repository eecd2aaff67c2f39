#include "tests/support/yaml_node.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <regex>
#include <stdexcept>

namespace weir::test {
namespace {

// Words a YAML 1.1 or 1.2 reader takes for null or a boolean, in any case.
bool isReservedWord(const std::string& text) {
  static const char* const kWords[] = {"null", "~",  "true", "false", "yes",
                                       "no",   "on", "off",  "y",     "n"};
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::any_of(std::begin(kWords), std::end(kWords),
                     [&](const char* word) { return lower == word; });
}

bool looksLikeNumber(const std::string& text) {
  static const std::regex kNumber(
      R"([-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?|0[xX][0-9a-fA-F]+|0o[0-7]+|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))");
  return std::regex_match(text, kNumber);
}

// Whether `text` reads back as itself when written plain in block context.
bool canBePlain(const std::string& text) {
  if (text.empty() || text.front() == ' ' || text.back() == ' ' || text.back() == ':') {
    return false;
  }
  if (std::string("-?:,[]{}#&*!|>'\"%@`").find(text.front()) != std::string::npos) return false;
  if (text.find(": ") != std::string::npos || text.find(" #") != std::string::npos) return false;
  if (std::any_of(text.begin(), text.end(),
                  [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
    return false;
  }
  return !isReservedWord(text) && !looksLikeNumber(text);
}

std::string doubleQuoted(const std::string& text) {
  std::string quoted = "\"";
  for (const unsigned char c : text) {
    switch (c) {
      case '"':
        quoted += "\\\"";
        break;
      case '\\':
        quoted += "\\\\";
        break;
      case '\n':
        quoted += "\\n";
        break;
      case '\t':
        quoted += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char escape[8];
          std::snprintf(escape, sizeof escape, "\\x%02x", c);
          quoted += escape;
        } else {
          quoted += static_cast<char>(c);
        }
    }
  }
  return quoted + "\"";
}

std::string quotedIfNeeded(const std::string& text) {
  return canBePlain(text) ? text : doubleQuoted(text);
}

}  // namespace

YamlNode YamlNode::boolean(bool value) {
  YamlNode node(Kind::kBoolean);
  node.text_ = value ? "true" : "false";
  return node;
}

YamlNode& YamlNode::set(const std::string& key, YamlNode value) {
  if (kind_ != Kind::kMapping) throw std::logic_error("YamlNode::set on a non-mapping: " + key);
  for (auto& [existing, old] : items_) {
    if (existing == key) {
      old = std::move(value);
      return *this;
    }
  }
  items_.emplace_back(key, std::move(value));
  return *this;
}

YamlNode& YamlNode::mappingAt(const std::string& key) { return at(key, Kind::kMapping); }

YamlNode& YamlNode::sequenceAt(const std::string& key) { return at(key, Kind::kSequence); }

YamlNode& YamlNode::at(const std::string& key, Kind kind_if_absent) {
  if (kind_ != Kind::kMapping) throw std::logic_error("YamlNode: " + key + " of a non-mapping");
  for (auto& [existing, value] : items_) {
    if (existing == key) return value;
  }
  return items_.emplace_back(key, YamlNode(kind_if_absent)).second;
}

YamlNode& YamlNode::append(YamlNode item) {
  if (kind_ != Kind::kSequence) throw std::logic_error("YamlNode::append on a non-sequence");
  items_.emplace_back(std::string(), std::move(item));
  return *this;
}

std::string YamlNode::scalarText() const {
  if (kind_ == Kind::kString) return quotedIfNeeded(text_);
  if (kind_ == Kind::kMapping) return "{}";
  if (kind_ == Kind::kSequence) return "[]";
  return text_;
}

std::string YamlNode::toYaml(int indent) const {
  std::string out;
  if (kind_ == Kind::kMapping && !items_.empty()) {
    writeMapping(out, indent);
  } else if (kind_ == Kind::kSequence && !items_.empty()) {
    writeSequence(out, indent);
  } else {
    out = std::string(static_cast<size_t>(indent), ' ') + scalarText() + "\n";
  }
  return out;
}

void YamlNode::writeValue(std::string& out, int indent) const {
  if (isScalar() || isEmptyCollection()) {
    out += " " + scalarText() + "\n";
    return;
  }
  out += "\n";
  if (kind_ == Kind::kMapping) {
    writeMapping(out, indent + 2);
  } else {
    writeSequence(out, indent);  // "- " under the key, as kubectl writes it
  }
}

void YamlNode::writeMapping(std::string& out, int indent) const {
  for (const auto& [key, value] : items_) {
    out += std::string(static_cast<size_t>(indent), ' ') + quotedIfNeeded(key) + ":";
    value.writeValue(out, indent);
  }
}

void YamlNode::writeSequence(std::string& out, int indent) const {
  const std::string dash = std::string(static_cast<size_t>(indent), ' ') + "- ";
  for (const auto& [unused, item] : items_) {
    if (item.isScalar() || item.isEmptyCollection()) {
      out += dash + item.scalarText() + "\n";
      continue;
    }
    // A collection item starts on the dash's line: its block one level deeper,
    // with the first line's indentation replaced by the dash.
    std::string block = item.toYaml(indent + 2);
    out += dash + block.substr(static_cast<size_t>(indent) + 2);
  }
}

TextPosition positionOf(const std::string& text, const std::string& needle) {
  const size_t offset = text.find(needle);
  if (offset == std::string::npos) return {};
  TextPosition position{1, 1};
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++position.line;
      position.column = 1;
    } else {
      ++position.column;
    }
  }
  return position;
}

}  // namespace weir::test
