#include "json_value.h"

#include <charconv>
#include <cstdlib>
#include <sstream>
#include <utility>

namespace weir::test {
namespace {

// Recursive descent over RFC 8259. Depth is bounded so that a runaway document fails
// cleanly instead of exhausting the stack.
class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : text_(text) {}

  std::optional<JsonValue> document(std::string* error) {
    std::optional<JsonValue> value = parseValue(0);
    if (value) {
      skipSpace();
      if (position_ != text_.size()) {
        fail("trailing characters after the value");
        value.reset();
      }
    }
    if (!value && error != nullptr) {
      *error = "offset " + std::to_string(error_position_) + ": " + error_;
    }
    return value;
  }

 private:
  static constexpr int kMaxDepth = 64;

  void fail(const std::string& why) {
    if (error_.empty()) {
      error_ = why;
      error_position_ = position_;
    }
  }

  void skipSpace() {
    while (position_ < text_.size() &&
           (text_[position_] == ' ' || text_[position_] == '\t' || text_[position_] == '\n' ||
            text_[position_] == '\r')) {
      ++position_;
    }
  }

  bool consume(char expected) {
    skipSpace();
    if (position_ < text_.size() && text_[position_] == expected) {
      ++position_;
      return true;
    }
    return false;
  }

  bool consumeWord(std::string_view word) {
    if (text_.substr(position_, word.size()) == word) {
      position_ += word.size();
      return true;
    }
    return false;
  }

  std::optional<JsonValue> parseValue(int depth) {
    if (depth > kMaxDepth) {
      fail("nested too deeply");
      return std::nullopt;
    }
    skipSpace();
    if (position_ >= text_.size()) {
      fail("unexpected end of input");
      return std::nullopt;
    }
    JsonValue value;
    const char c = text_[position_];
    if (c == '{') return parseObject(depth);
    if (c == '[') return parseArray(depth);
    if (c == '"') {
      std::optional<std::string> text = parseString();
      if (!text) return std::nullopt;
      value.kind = JsonValue::Kind::kString;
      value.string = std::move(*text);
      return value;
    }
    if (consumeWord("true")) {
      value.kind = JsonValue::Kind::kBool;
      value.boolean = true;
      return value;
    }
    if (consumeWord("false")) {
      value.kind = JsonValue::Kind::kBool;
      return value;
    }
    if (consumeWord("null")) return value;
    if (c == '-' || (c >= '0' && c <= '9')) return parseNumber();
    fail(std::string("unexpected character '") + c + "'");
    return std::nullopt;
  }

  std::optional<JsonValue> parseNumber() {
    const size_t start = position_;
    auto digits = [&] {
      const size_t before = position_;
      while (position_ < text_.size() && text_[position_] >= '0' && text_[position_] <= '9') {
        ++position_;
      }
      return position_ > before;
    };
    if (text_[position_] == '-') ++position_;
    if (position_ < text_.size() && text_[position_] == '0') {
      ++position_;
    } else if (!digits()) {
      fail("malformed number");
      return std::nullopt;
    }
    if (position_ < text_.size() && text_[position_] == '.') {
      ++position_;
      if (!digits()) {
        fail("malformed fraction");
        return std::nullopt;
      }
    }
    if (position_ < text_.size() && (text_[position_] == 'e' || text_[position_] == 'E')) {
      ++position_;
      if (position_ < text_.size() && (text_[position_] == '+' || text_[position_] == '-')) {
        ++position_;
      }
      if (!digits()) {
        fail("malformed exponent");
        return std::nullopt;
      }
    }
    JsonValue value;
    value.kind = JsonValue::Kind::kNumber;
    value.number_text = std::string(text_.substr(start, position_ - start));
    value.number = std::strtod(value.number_text.c_str(), nullptr);
    return value;
  }

  static void appendUtf8(std::string& out, uint32_t code_point) {
    if (code_point < 0x80) {
      out.push_back(static_cast<char>(code_point));
    } else if (code_point < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
      out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    } else if (code_point < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
      out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
      out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    }
  }

  std::optional<uint32_t> parseHex4() {
    if (position_ + 4 > text_.size()) {
      fail("truncated \\u escape");
      return std::nullopt;
    }
    uint32_t value = 0;
    auto [stop, error] =
        std::from_chars(text_.data() + position_, text_.data() + position_ + 4, value, 16);
    if (error != std::errc() || stop != text_.data() + position_ + 4) {
      fail("malformed \\u escape");
      return std::nullopt;
    }
    position_ += 4;
    return value;
  }

  std::optional<std::string> parseString() {
    ++position_;  // the opening quote
    std::string out;
    while (position_ < text_.size()) {
      const char c = text_[position_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) {
        fail("control character in a string");
        return std::nullopt;
      }
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (position_ >= text_.size()) break;
      const char escaped = text_[position_++];
      switch (escaped) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          std::optional<uint32_t> unit = parseHex4();
          if (!unit) return std::nullopt;
          uint32_t code_point = *unit;
          if (code_point >= 0xD800 && code_point < 0xDC00 && consumeWord("\\u")) {
            std::optional<uint32_t> low = parseHex4();
            if (!low) return std::nullopt;
            code_point = 0x10000 + ((code_point - 0xD800) << 10) + (*low - 0xDC00);
          }
          appendUtf8(out, code_point);
          break;
        }
        default:
          fail(std::string("unknown escape \\") + escaped);
          return std::nullopt;
      }
    }
    fail("unterminated string");
    return std::nullopt;
  }

  std::optional<JsonValue> parseArray(int depth) {
    ++position_;  // '['
    JsonValue value;
    value.kind = JsonValue::Kind::kArray;
    if (consume(']')) return value;
    while (true) {
      std::optional<JsonValue> item = parseValue(depth + 1);
      if (!item) return std::nullopt;
      value.items.push_back(std::move(*item));
      if (consume(']')) return value;
      if (!consume(',')) {
        fail("expected ',' or ']' in an array");
        return std::nullopt;
      }
    }
  }

  std::optional<JsonValue> parseObject(int depth) {
    ++position_;  // '{'
    JsonValue value;
    value.kind = JsonValue::Kind::kObject;
    if (consume('}')) return value;
    while (true) {
      skipSpace();
      if (position_ >= text_.size() || text_[position_] != '"') {
        fail("expected a member name");
        return std::nullopt;
      }
      std::optional<std::string> key = parseString();
      if (!key) return std::nullopt;
      if (!consume(':')) {
        fail("expected ':' after a member name");
        return std::nullopt;
      }
      std::optional<JsonValue> member = parseValue(depth + 1);
      if (!member) return std::nullopt;
      value.members.push_back({std::move(*key), std::move(*member)});
      if (consume('}')) return value;
      if (!consume(',')) {
        fail("expected ',' or '}' in an object");
        return std::nullopt;
      }
    }
  }

  std::string_view text_;
  size_t position_ = 0;
  std::string error_;
  size_t error_position_ = 0;
};

void describeInto(const JsonValue& value, std::ostringstream& out) {
  switch (value.kind) {
    case JsonValue::Kind::kNull: out << "null"; break;
    case JsonValue::Kind::kBool: out << (value.boolean ? "true" : "false"); break;
    case JsonValue::Kind::kNumber: out << value.number_text; break;
    case JsonValue::Kind::kString: out << '"' << value.string << '"'; break;
    case JsonValue::Kind::kArray:
      out << '[';
      for (size_t i = 0; i < value.items.size(); ++i) {
        if (i) out << ',';
        describeInto(value.items[i], out);
      }
      out << ']';
      break;
    case JsonValue::Kind::kObject:
      out << '{';
      for (size_t i = 0; i < value.members.size(); ++i) {
        if (i) out << ',';
        out << '"' << value.members[i].name << "\":";
        describeInto(value.members[i].value, out);
      }
      out << '}';
      break;
  }
}

}  // namespace

const JsonValue* JsonValue::find(std::string_view key) const {
  for (const auto& [name, member] : members) {
    if (name == key) return &member;
  }
  return nullptr;
}

std::optional<uint64_t> JsonValue::asUnsigned() const {
  if (kind != Kind::kNumber || number_text.empty()) return std::nullopt;
  uint64_t value = 0;
  const char* end = number_text.data() + number_text.size();
  auto [stop, error] = std::from_chars(number_text.data(), end, value);
  if (error != std::errc() || stop != end) return std::nullopt;
  return value;
}

std::string JsonValue::describe() const {
  std::ostringstream out;
  describeInto(*this, out);
  return out.str();
}

std::optional<JsonValue> parseJson(std::string_view text, std::string* error) {
  return JsonReader(text).document(error);
}

std::vector<std::string> memberNames(const JsonValue& object) {
  std::vector<std::string> names;
  for (const auto& [name, member] : object.members) names.push_back(name);
  return names;
}

}  // namespace weir::test
