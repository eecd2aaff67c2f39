// Unix domain socket addresses as Istio writes them: `unix:///absolute/path` for a
// socket file, `unix://@name` for Linux's abstract namespace. Gateway `bind` and
// ServiceEntry / WorkloadEntry endpoint `address` take them. Pure functions, shared
// with the proxy (which binds and connects them).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace weir::config {

inline constexpr std::string_view kUnixAddressPrefix = "unix://";

// Whether `address` is written as a Unix domain socket (starts with unix://).
bool isUnixAddress(std::string_view address);

// What follows unix://: "/path" or "@name" (empty if not a Unix address).
std::string_view unixSocketPath(std::string_view address);

// Istio's ValidateUnixAddress on what follows unix://, with its messages:
// "unix address must not be empty", "PATH is not an absolute path to a file".
// An abstract name (@name) is always accepted.
std::optional<std::string> unixAddressError(std::string_view path);

}  // namespace weir::config
