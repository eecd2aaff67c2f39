#include "common/json_text.h"

#include <fmt/format.h>

namespace weir {

std::string jsonString(std::string_view text, JsonText kind) {
  const bool utf8 = kind == JsonText::kUtf8;
  std::string quoted;
  quoted.reserve(text.size() + 2);
  quoted.push_back('"');
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      quoted.push_back('\\');
      quoted.push_back(c);
    } else if (utf8 && c == '\n') {
      quoted += "\\n";
    } else if (utf8 && c == '\r') {
      quoted += "\\r";
    } else if (utf8 && c == '\t') {
      quoted += "\\t";
    } else if (byte < 0x20 || (!utf8 && byte >= 0x80)) {
      quoted += fmt::format("\\u{:04x}", byte);
    } else {
      quoted.push_back(c);
    }
  }
  quoted.push_back('"');
  return quoted;
}

}  // namespace weir
