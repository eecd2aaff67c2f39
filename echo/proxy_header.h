// Reading the PROXY protocol header (HAProxy's spec, versions 1 and 2) that starts a
// connection when tcp-echo-server runs with --proxy-protocol: the address of the
// client the proxy in front of it accepted.
//
// A pure function over bytes. The connection keeps what it has read, calls again with
// all of it after each read (the header may arrive in pieces) and, once the header is
// complete, drops `header_bytes` and carries on with the rest.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/socket_address.h"

namespace weir::echo {

// v1: "PROXY " ... "\r\n", at most 107 bytes. v2: 16 bytes, then up to 65535 more.
inline constexpr std::size_t kMaxProxyHeaderV1Bytes = 107;
inline constexpr std::size_t kMaxProxyHeaderBytes = 16 + 65535;

struct ProxyHeader {
  enum class Status {
    kNeedMoreBytes,  // what came so far may start a header
    kComplete,       // a well-formed header of `header_bytes` bytes
    kMalformed,      // not a PROXY header: `error` says why
  };
  Status status = Status::kNeedMoreBytes;
  int version = 0;               // 1 or 2, once known
  std::size_t header_bytes = 0;  // kComplete: bytes of the header, to drop
  // kComplete: the client and the address it connected to. Unset for v1 "UNKNOWN",
  // v2 LOCAL (a health check of the proxy itself), and v2 families other than TCP over
  // IPv4/IPv6 (UNSPEC, UDP, unix), which the spec says to accept without an address.
  std::optional<SocketAddress> source;
  std::optional<SocketAddress> destination;
  std::string error;  // kMalformed only
};

// Parses the header at the start of `bytes`; looks at no more than the header needs
// (at most kMaxProxyHeaderBytes). v1 and v2 are told apart by their first bytes, and
// anything that cannot start either is kMalformed at once.
//
// v1 is read strictly: single spaces, "TCP4" with dotted-quad addresses, "TCP6" with
// IPv6 literals, decimal ports 0-65535, "\r\n" within 107 bytes. v2 requires version 2
// and command LOCAL or PROXY; TLVs after the addresses are skipped.
ProxyHeader parseProxyHeader(std::string_view bytes);

}  // namespace weir::echo
