#include "echo/proxy_header.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>

namespace weir::echo {
namespace {

constexpr std::string_view kV1Start = "PROXY ";
constexpr std::string_view kV2Signature("\r\n\r\n\0\r\nQUIT\n", 12);
constexpr std::size_t kV2FixedBytes = 16;
constexpr std::size_t kV2Ipv4AddressBytes = 4 + 4 + 2 + 2;
constexpr std::size_t kV2Ipv6AddressBytes = 16 + 16 + 2 + 2;

ProxyHeader malformed(int version, std::string error) {
  ProxyHeader header;
  header.status = ProxyHeader::Status::kMalformed;
  header.version = version;
  header.error = std::move(error);
  return header;
}

// Does `bytes` start `expected` (or the other way round, when `bytes` is longer)?
bool agreesWith(std::string_view bytes, std::string_view expected) {
  std::size_t common = std::min(bytes.size(), expected.size());
  return bytes.substr(0, common) == expected.substr(0, common);
}

std::optional<std::uint16_t> parsePort(std::string_view text) {
  if (text.empty() || text.size() > 5 || (text.size() > 1 && text[0] == '0')) {
    return std::nullopt;
  }
  unsigned value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

std::optional<SocketAddress> parseEndpoint(int family, std::string_view ip, std::string_view port) {
  auto number = parsePort(port);
  if (!number || ip.empty() || ip.size() >= INET6_ADDRSTRLEN) {
    return std::nullopt;
  }
  // inet_pton wants a NUL-terminated string, and must see the family we were told.
  char text[INET6_ADDRSTRLEN] = {};
  std::memcpy(text, ip.data(), ip.size());
  unsigned char binary[sizeof(in6_addr)];
  if (inet_pton(family, text, binary) != 1) {
    return std::nullopt;
  }
  return SocketAddress::fromIpLiteral(ip, *number);
}

ProxyHeader parseV1(std::string_view bytes) {
  std::string_view window = bytes.substr(0, kMaxProxyHeaderV1Bytes);
  std::size_t end = window.find("\r\n");
  if (end == std::string_view::npos) {
    if (window.size() >= kMaxProxyHeaderV1Bytes) {
      return malformed(1, "v1 line without \\r\\n within 107 bytes");
    }
    if (window.find('\n') != std::string_view::npos) {
      return malformed(1, "v1 line ends in \\n without \\r");
    }
    ProxyHeader header;
    header.version = 1;
    return header;
  }
  std::string_view line = window.substr(kV1Start.size(), end - kV1Start.size());
  ProxyHeader header;
  header.version = 1;
  header.header_bytes = end + 2;
  if (line == "UNKNOWN" || line.starts_with("UNKNOWN ")) {
    // Whatever follows UNKNOWN is to be ignored (spec, 2.1).
    header.status = ProxyHeader::Status::kComplete;
    return header;
  }
  // TCP4|TCP6 SP source SP destination SP source-port SP destination-port
  std::string_view fields[5];
  std::size_t count = 0;
  std::string_view rest = line;
  while (count < 5) {
    std::size_t space = rest.find(' ');
    fields[count++] = rest.substr(0, space);
    if (space == std::string_view::npos) {
      rest = {};
      break;
    }
    rest.remove_prefix(space + 1);
    if (count == 5) {
      return malformed(1, "v1 line has more than 6 fields");
    }
  }
  if (count != 5) {
    return malformed(1, "v1 line has fewer than 6 fields");
  }
  int family = fields[0] == "TCP4" ? AF_INET : fields[0] == "TCP6" ? AF_INET6 : AF_UNSPEC;
  if (family == AF_UNSPEC) {
    return malformed(1, fmt::format("v1 protocol must be TCP4, TCP6 or UNKNOWN, got '{}'",
                                    fields[0]));
  }
  header.source = parseEndpoint(family, fields[1], fields[3]);
  header.destination = parseEndpoint(family, fields[2], fields[4]);
  if (!header.source || !header.destination) {
    return malformed(1, fmt::format("v1 {} addresses or ports are invalid", fields[0]));
  }
  header.status = ProxyHeader::Status::kComplete;
  return header;
}

SocketAddress v4Address(const unsigned char* ip, const unsigned char* port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  std::memcpy(&address.sin_addr, ip, 4);
  std::memcpy(&address.sin_port, port, 2);  // both network order
  return SocketAddress::fromSockaddr(reinterpret_cast<const sockaddr*>(&address),
                                     sizeof(address));
}

SocketAddress v6Address(const unsigned char* ip, const unsigned char* port) {
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  std::memcpy(&address.sin6_addr, ip, 16);
  std::memcpy(&address.sin6_port, port, 2);
  return SocketAddress::fromSockaddr(reinterpret_cast<const sockaddr*>(&address),
                                     sizeof(address));
}

ProxyHeader parseV2(std::string_view bytes) {
  ProxyHeader header;
  header.version = 2;
  if (bytes.size() < kV2FixedBytes) {
    return header;
  }
  const auto* fixed = reinterpret_cast<const unsigned char*>(bytes.data());
  const unsigned version = fixed[12] >> 4;
  const unsigned command = fixed[12] & 0x0f;
  const unsigned family = fixed[13];
  const std::size_t length = (std::size_t{fixed[14]} << 8) | fixed[15];
  if (version != 2) {
    return malformed(2, fmt::format("v2 version nibble is {}, not 2", version));
  }
  if (command > 1) {
    return malformed(2, fmt::format("v2 command {} is neither LOCAL (0) nor PROXY (1)", command));
  }
  if (family == 0x11 && length < kV2Ipv4AddressBytes) {
    return malformed(2, fmt::format("v2 TCP4 needs {} address bytes, got {}",
                                    kV2Ipv4AddressBytes, length));
  }
  if (family == 0x21 && length < kV2Ipv6AddressBytes) {
    return malformed(2, fmt::format("v2 TCP6 needs {} address bytes, got {}",
                                    kV2Ipv6AddressBytes, length));
  }
  if (bytes.size() < kV2FixedBytes + length) {
    return header;
  }
  header.status = ProxyHeader::Status::kComplete;
  header.header_bytes = kV2FixedBytes + length;
  if (command == 0) {
    return header;  // LOCAL: the proxy's own connection; the addresses mean nothing
  }
  const unsigned char* block = fixed + kV2FixedBytes;
  if (family == 0x11) {
    header.source = v4Address(block, block + 8);
    header.destination = v4Address(block + 4, block + 10);
  } else if (family == 0x21) {
    header.source = v6Address(block, block + 32);
    header.destination = v6Address(block + 16, block + 34);
  }
  return header;
}

}  // namespace

ProxyHeader parseProxyHeader(std::string_view bytes) {
  if (agreesWith(bytes, kV1Start)) {
    return bytes.size() < kV1Start.size() ? ProxyHeader{} : parseV1(bytes);
  }
  if (agreesWith(bytes, kV2Signature)) {
    return bytes.size() < kV2Signature.size() ? ProxyHeader{} : parseV2(bytes);
  }
  return malformed(0, "connection does not start with a PROXY protocol header");
}

}  // namespace weir::echo
