#include "bench/loadgen/loopback_endpoint.h"

#include <arpa/inet.h>

#include <charconv>
#include <optional>

#include <fmt/format.h>

#include "common/usage_error.h"

namespace weir::bench {

LoopbackEndpoint parseLoopbackEndpoint(std::string_view text, bool allow_port_zero) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    throw cli::UsageError(fmt::format("expected 127.x.y.z:PORT, got '{}'", text));
  }
  const std::string host(text.substr(0, colon));
  const std::string_view port_text = text.substr(colon + 1);

  const std::optional<SocketAddress> ip = SocketAddress::fromIpLiteral(host, 0);
  if (!ip || ip->family() != AF_INET) {
    throw cli::UsageError(fmt::format("'{}' is not an IPv4 address", host));
  }
  if (!ip->isLoopback()) {
    throw cli::UsageError(
        fmt::format("'{}' is outside 127.0.0.0/8; weir-loadgen only talks to loopback", host));
  }
  unsigned port = 0;
  const char* end = port_text.data() + port_text.size();
  auto [stop, error] = std::from_chars(port_text.data(), end, port);
  if (port_text.empty() || error != std::errc() || stop != end || port > 65535 ||
      (port == 0 && !allow_port_zero)) {
    throw cli::UsageError(fmt::format("bad port '{}' in '{}'", port_text, text));
  }
  return LoopbackEndpoint{ip->withPort(static_cast<std::uint16_t>(port))};
}

in_addr loopbackSource(std::uint32_t index, std::uint32_t count) {
  in_addr source{};
  source.s_addr = htonl((127u << 24) | (1 + index % (count == 0 ? 1 : count)));
  return source;
}

}  // namespace weir::bench
