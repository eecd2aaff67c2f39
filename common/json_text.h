// JSON string literals: the one escaping of text for the admin API, the access log,
// the ready file and the load generator's output lines.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace weir {

// What the text is, and so what becomes of its bytes besides '"' and '\\' (escaped).
enum class JsonText {
  // UTF-8 (names from the config, paths, messages): bytes >= 0x80 are copied as they
  // are; control bytes are escaped, \n, \r and \t in their short forms.
  kUtf8,
  // Any bytes (a name read from the network): every byte below 0x20 or from 0x80 on
  // becomes \u00XX, so the output is ASCII and valid JSON whatever the peer sent.
  kAnyBytes,
};

// `text` as a quoted JSON string.
std::string jsonString(std::string_view text, JsonText kind = JsonText::kUtf8);
// The same, appended to `out` (no temporary: for lines formatted into a reused buffer).
void appendJsonString(std::string& out, std::string_view text, JsonText kind = JsonText::kUtf8);
// ["a","b"] and {"key":"value",…} (in the map's order), UTF-8 text.
std::string jsonStringArray(const std::vector<std::string>& values);
std::string jsonStringObject(const std::map<std::string, std::string>& values);

}  // namespace weir
