// The PROXY protocol header (HAProxy, "The PROXY protocol", versions 1 and 2) that an
// upstream connection starts with when a DestinationRule asks for
// trafficPolicy.proxyProtocol: it tells the upstream who the client really is.
//
// A pure function of two addresses: no sockets, no state; any thread may call it.
#pragma once

#include <sys/socket.h>

#include <string>

namespace weir::proxy {

enum class ProxyProtocolVersion {
  kV1,  // one text line: "PROXY TCP4 192.0.2.1 198.51.100.2 40000 9000\r\n"
  kV2,  // binary: 12-byte signature, version/command, family, length, addresses
};

// The header for a TCP connection from `source` (the client) to `destination` (the
// address the client connected to, i.e. the listener's local address).
//
// Both IPv4: TCP4 / family 0x11. Both IPv6: TCP6 / family 0x21. An IPv4-mapped IPv6
// address (::ffff:a.b.c.d, what a dual-stack [::] socket reports for an IPv4 peer)
// counts as IPv4, so such a connection gets TCP4. One of each: the IPv4 one is
// written as IPv4-mapped IPv6 under TCP6, so the real client still gets through.
// Anything else (a null pointer, a length too short for its family, a family that
// is not AF_INET/AF_INET6): v1 "PROXY UNKNOWN\r\n", v2 command PROXY with family
// AF_UNSPEC and no address block, which the spec tells receivers to accept and to
// treat as "use the real connection endpoints".
std::string buildProxyProtocolHeader(ProxyProtocolVersion version, const sockaddr* source,
                                     socklen_t source_length, const sockaddr* destination,
                                     socklen_t destination_length);

}  // namespace weir::proxy
