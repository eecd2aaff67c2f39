#include "common/json_text.h"

#include <fmt/format.h>

#include <iterator>

namespace weir {

std::string jsonString(std::string_view text, JsonText kind) {
  std::string quoted;
  quoted.reserve(text.size() + 2);
  appendJsonString(quoted, text, kind);
  return quoted;
}

void appendJsonString(std::string& out, std::string_view text, JsonText kind) {
  const bool utf8 = kind == JsonText::kUtf8;
  out.push_back('"');
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (utf8 && c == '\n') {
      out += "\\n";
    } else if (utf8 && c == '\r') {
      out += "\\r";
    } else if (utf8 && c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || (!utf8 && byte >= 0x80)) {
      fmt::format_to(std::back_inserter(out), "\\u{:04x}", byte);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

std::string jsonStringArray(const std::vector<std::string>& values) {
  std::string json = "[";
  for (const std::string& value : values) {
    if (json.size() > 1) json += ',';
    appendJsonString(json, value);
  }
  return json + "]";
}

std::string jsonStringObject(const std::map<std::string, std::string>& values) {
  std::string json = "{";
  for (const auto& [key, value] : values) {
    if (json.size() > 1) json += ',';
    appendJsonString(json, key);
    json += ':';
    appendJsonString(json, value);
  }
  return json + "}";
}

}  // namespace weir
