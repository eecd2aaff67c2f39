#include "config/protocols.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace weir::config {
namespace {

constexpr std::array<std::string_view, 12> kIstioProtocols = {
    "TCP", "UDP", "GRPC", "GRPC-WEB", "HTTP", "HTTP_PROXY",
    "HTTP2", "HTTPS", "TLS", "MONGO", "REDIS", "MYSQL"};

constexpr std::array<std::string_view, 4> kOpaqueTcp = {"TCP", "MONGO", "REDIS", "MYSQL"};

constexpr std::array<std::string_view, 5> kHttp = {"HTTP", "HTTP2", "HTTP_PROXY", "GRPC",
                                                   "GRPC-WEB"};

template <size_t N>
bool contains(const std::array<std::string_view, N>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

std::string normalizeProtocol(std::string_view protocol) {
  std::string result(protocol);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return result;
}

bool isIstioProtocol(std::string_view normalized) {
  return contains(kIstioProtocols, normalized);
}

bool isWeirListenerProtocol(std::string_view normalized) {
  return contains(kOpaqueTcp, normalized);
}

bool isHttpProtocol(std::string_view normalized) { return contains(kHttp, normalized); }

bool isTlsProtocol(std::string_view normalized) {
  return normalized == "HTTPS" || normalized == "TLS";
}

bool isHttpOrTlsProtocol(std::string_view normalized) {
  return isHttpProtocol(normalized) || isTlsProtocol(normalized);
}

}  // namespace weir::config
