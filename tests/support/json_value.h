// A small JSON reader for what weir prints: the ready file, the admin API's JSON and
// JSON access-log lines. No dependency; strict enough that a malformed document is
// reported rather than half read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weir::test {

struct JsonMember;

// One parsed JSON value. Objects keep their members in document order (and so
// their duplicates, which find() does not see past the first).
struct JsonValue {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

  Kind kind = Kind::kNull;
  bool boolean = false;
  double number = 0;
  std::string number_text;  // the number as written, e.g. "9000" or "0.5"
  std::string string;
  std::vector<JsonValue> items;     // arrays
  std::vector<JsonMember> members;  // objects

  bool isNull() const { return kind == Kind::kNull; }
  bool isNumber() const { return kind == Kind::kNumber; }
  bool isString() const { return kind == Kind::kString; }
  bool isArray() const { return kind == Kind::kArray; }
  bool isObject() const { return kind == Kind::kObject; }

  // The member `key` of an object; nullptr if absent or if this is no object.
  const JsonValue* find(std::string_view key) const;

  // A non-negative integer written without fraction or exponent (counters, ports);
  // nullopt for anything else.
  std::optional<uint64_t> asUnsigned() const;

  // Compact one-line form, for failure messages.
  std::string describe() const;
};

// A named struct, not std::pair<std::string, JsonValue>: a pair of a type still
// being defined is itself incomplete, which clang 14 refuses in a vector member.
struct JsonMember {
  std::string name;
  JsonValue value;
};

// Parses a whole document (surrounding whitespace allowed). nullopt if `text` is not
// exactly one JSON value; `error` (if given) then says where and why.
std::optional<JsonValue> parseJson(std::string_view text, std::string* error = nullptr);

// The member names of an object in document order (empty for non-objects).
std::vector<std::string> memberNames(const JsonValue& object);

}  // namespace weir::test
