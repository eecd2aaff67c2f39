#include "config/unix_address.h"

namespace weir::config {

bool isUnixAddress(std::string_view address) { return address.starts_with(kUnixAddressPrefix); }

std::string_view unixSocketPath(std::string_view address) {
  return isUnixAddress(address) ? address.substr(kUnixAddressPrefix.size()) : std::string_view{};
}

std::optional<std::string> unixAddressError(std::string_view path) {
  if (path.empty()) {
    return "unix address must not be empty";
  }
  if (path.starts_with('@')) {
    return std::nullopt;  // Linux abstract namespace: any name
  }
  // Go's path.IsAbs: a leading slash. Istio also refuses a directory-looking path.
  if (!path.starts_with('/') || path.ends_with('/')) {
    return std::string(path) + " is not an absolute path to a file";
  }
  return std::nullopt;
}

}  // namespace weir::config
