#include "proxy/connection/proxy_protocol.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>

namespace weir::proxy {
namespace {

// "\r\n\r\n\0\r\nQUIT\n": cannot appear at the start of any v1 header or of HTTP.
constexpr std::array<unsigned char, 12> kV2Signature = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                                        0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
constexpr unsigned char kV2VersionProxyCommand = 0x21;  // version 2, command PROXY
constexpr unsigned char kV2FamilyUnspec = 0x00;
constexpr unsigned char kV2FamilyTcp4 = 0x11;
constexpr unsigned char kV2FamilyTcp6 = 0x21;

// One endpoint, reduced to what the header carries. `v4` is meaningful for IPv4 only;
// `v6` always holds the IPv6 form (IPv4-mapped for an IPv4 address), so mixed
// families can fall back to it.
struct Endpoint {
  bool is_v4 = false;
  in_addr v4{};
  in6_addr v6{};
  uint16_t port = 0;  // host order
};

std::optional<Endpoint> endpointOf(const sockaddr* address, socklen_t length) {
  if (address == nullptr) {
    return std::nullopt;
  }
  Endpoint endpoint;
  if (address->sa_family == AF_INET && length >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    sockaddr_in v4;
    std::memcpy(&v4, address, sizeof(v4));
    endpoint.is_v4 = true;
    endpoint.v4 = v4.sin_addr;
    endpoint.port = ntohs(v4.sin_port);
    // ::ffff:a.b.c.d
    endpoint.v6.s6_addr[10] = 0xff;
    endpoint.v6.s6_addr[11] = 0xff;
    std::memcpy(&endpoint.v6.s6_addr[12], &v4.sin_addr, 4);
    return endpoint;
  }
  if (address->sa_family == AF_INET6 &&
      length >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    sockaddr_in6 v6;
    std::memcpy(&v6, address, sizeof(v6));
    endpoint.v6 = v6.sin6_addr;
    endpoint.port = ntohs(v6.sin6_port);
    if (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr)) {
      // An IPv4 client of a dual-stack listener: say TCP4 if the other side can too.
      endpoint.is_v4 = true;
      std::memcpy(&endpoint.v4, &v6.sin6_addr.s6_addr[12], 4);
    }
    return endpoint;
  }
  return std::nullopt;
}

std::string textOf(int family, const void* address) {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(family, address, text, sizeof(text));
  return text;
}

void appendBigEndian16(std::string& out, uint16_t value) {
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value & 0xff));
}

void appendBytes(std::string& out, const void* bytes, std::size_t size) {
  out.append(static_cast<const char*>(bytes), size);
}

std::string v1Header(const std::optional<Endpoint>& source,
                     const std::optional<Endpoint>& destination) {
  if (!source || !destination) {
    return "PROXY UNKNOWN\r\n";
  }
  const bool v4 = source->is_v4 && destination->is_v4;
  std::string header = v4 ? "PROXY TCP4 " : "PROXY TCP6 ";
  if (v4) {
    header += textOf(AF_INET, &source->v4) + ' ' + textOf(AF_INET, &destination->v4);
  } else {
    header += textOf(AF_INET6, &source->v6) + ' ' + textOf(AF_INET6, &destination->v6);
  }
  header += ' ' + std::to_string(source->port) + ' ' + std::to_string(destination->port);
  header += "\r\n";
  return header;  // at most 104 bytes (TCP6 with two full-length addresses)
}

std::string v2Header(const std::optional<Endpoint>& source,
                     const std::optional<Endpoint>& destination) {
  std::string header(reinterpret_cast<const char*>(kV2Signature.data()), kV2Signature.size());
  header.push_back(static_cast<char>(kV2VersionProxyCommand));
  if (!source || !destination) {
    header.push_back(static_cast<char>(kV2FamilyUnspec));
    appendBigEndian16(header, 0);
    return header;
  }
  const bool v4 = source->is_v4 && destination->is_v4;
  if (v4) {
    header.push_back(static_cast<char>(kV2FamilyTcp4));
    appendBigEndian16(header, 4 + 4 + 2 + 2);
    appendBytes(header, &source->v4, 4);
    appendBytes(header, &destination->v4, 4);
  } else {
    header.push_back(static_cast<char>(kV2FamilyTcp6));
    appendBigEndian16(header, 16 + 16 + 2 + 2);
    appendBytes(header, &source->v6, 16);
    appendBytes(header, &destination->v6, 16);
  }
  appendBigEndian16(header, source->port);
  appendBigEndian16(header, destination->port);
  return header;
}

}  // namespace

std::string buildProxyProtocolHeader(ProxyProtocolVersion version, const sockaddr* source,
                                     socklen_t source_length, const sockaddr* destination,
                                     socklen_t destination_length) {
  std::optional<Endpoint> from = endpointOf(source, source_length);
  std::optional<Endpoint> to = endpointOf(destination, destination_length);
  return version == ProxyProtocolVersion::kV1 ? v1Header(from, to) : v2Header(from, to);
}

}  // namespace weir::proxy
