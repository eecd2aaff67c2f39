#include "config/ip_prefix.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace weir::config {
namespace {

constexpr uint8_t maxLength(const IpAddress& address) { return address.v6 ? 128 : 32; }

// A prefix length as netip.ParsePrefix reads it: decimal digits, no sign, no
// leading zero (except "0" itself).
std::optional<unsigned> parseLength(std::string_view text) {
  if (text.empty() || text.size() > 3 || (text.size() > 1 && text.front() == '0')) {
    return std::nullopt;
  }
  unsigned value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value;
}

}  // namespace

bool IpPrefix::contains(const IpAddress& candidate) const {
  if (candidate.v6 != address.v6) {
    return false;  // no IPv4-mapped IPv6 magic: families must agree
  }
  const size_t whole_bytes = std::min<size_t>(length, maxLength(address)) / 8;
  for (size_t i = 0; i < whole_bytes; ++i) {
    if (candidate.bytes[i] != address.bytes[i]) {
      return false;
    }
  }
  const unsigned rest = length % 8;
  if (rest == 0 || whole_bytes >= address.bytes.size()) {
    return true;
  }
  const auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (candidate.bytes[whole_bytes] & mask) == (address.bytes[whole_bytes] & mask);
}

std::optional<IpAddress> parseIpAddress(std::string_view text) {
  const std::string literal(text);
  IpAddress address;
  if (inet_pton(AF_INET, literal.c_str(), address.bytes.data()) == 1) {
    return address;
  }
  if (inet_pton(AF_INET6, literal.c_str(), address.bytes.data()) == 1) {
    address.v6 = true;
    return address;
  }
  return std::nullopt;
}

std::variant<IpPrefix, std::string> parseIpPrefix(std::string_view text) {
  const std::string written(text);
  if (std::count(text.begin(), text.end(), '/') != 1) {
    // Istio's ValidateIPSubnet: anything but exactly one '/' must be a plain IP.
    std::optional<IpAddress> address = parseIpAddress(text);
    if (!address) {
      return written + " is not a valid IP";
    }
    return IpPrefix{*address, maxLength(*address)};
  }
  const size_t slash = text.find('/');
  std::optional<IpAddress> address = parseIpAddress(text.substr(0, slash));
  std::optional<unsigned> length = parseLength(text.substr(slash + 1));
  if (!address || !length || *length > maxLength(*address)) {
    return written + " is not a valid CIDR block";
  }
  IpPrefix prefix{*address, static_cast<uint8_t>(*length)};
  // Clear the host bits so that equal blocks compare and print equal.
  for (size_t bit = *length; bit < maxLength(*address); ++bit) {
    prefix.address.bytes[bit / 8] &= static_cast<uint8_t>(~(0x80u >> (bit % 8)));
  }
  return prefix;
}

std::string toString(const IpAddress& address) {
  std::array<char, INET6_ADDRSTRLEN> buffer{};
  inet_ntop(address.v6 ? AF_INET6 : AF_INET, address.bytes.data(), buffer.data(),
            buffer.size());
  return buffer.data();
}

std::string toString(const IpPrefix& prefix) {
  return toString(prefix.address) + "/" + std::to_string(prefix.length);
}

}  // namespace weir::config
