// Just enough JSON writing for the admin API and the access log: string escaping.
#pragma once

#include <string>
#include <string_view>

namespace weir::proxy {

// `text` as a quoted JSON string, with control characters, quotes and
// backslashes escaped.
std::string jsonString(std::string_view text);

}  // namespace weir::proxy
