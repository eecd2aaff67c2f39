// Reading the server name (SNI) from the first bytes a TLS client sends, for TLS
// passthrough routing (an Istio Gateway/VirtualService `tls.match.sniHosts`): the
// proxy peeks at the ClientHello without terminating TLS, like Envoy's tls_inspector.
//
// A pure function over bytes: no sockets, no state; any thread may call it. The
// caller keeps the bytes it has read, calls again with all of them after each read,
// and forwards them unchanged to the upstream once it has a verdict.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace weir::proxy {

// The most input the parser examines: one maximal TLS record (2^14 bytes of payload
// plus its 5-byte header). A ClientHello that needs more is kTooLarge. Real ones are a
// few hundred bytes (about 1.5 KiB with post-quantum key shares).
inline constexpr std::size_t kMaxClientHelloBytes = 16 * 1024 + 5;

struct ClientHelloInspection {
  enum class Outcome {
    kNeedMoreBytes,  // a prefix of what may be a ClientHello: read more and call again
    kNotTls,         // not a TLS 1.0-1.3 ClientHello, or a malformed one (any bad length)
    kNoSni,          // a well-formed ClientHello without a server_name host_name
    kSni,            // a well-formed ClientHello naming `server_name`
    kTooLarge,       // the ClientHello does not end within kMaxClientHelloBytes
  };
  Outcome outcome = Outcome::kNeedMoreBytes;
  std::string server_name;  // kSni only: the host_name, ASCII lower-cased
};

// Inspects the start of a client's byte stream.
//
// Records: the stream must start with a handshake record (type 22) of version
// 3.1-3.4 (TLS 1.0-1.3; TLS 1.3 clients say 3.1 there) whose payload starts a
// ClientHello. An SSLv2-compatible hello (first byte with the high bit set) or SSL 3.0
// is kNotTls. If the ClientHello message is longer than the first record, it is
// reassembled from the following handshake records (TLS allows fragmenting a
// handshake message over records, and a large hello may be); any other record type in
// between is kNotTls. Bytes after the ClientHello are not looked at.
//
// Every length is checked against its container, nothing is read outside `bytes`, and
// at most kMaxClientHelloBytes of it are examined.
ClientHelloInspection inspectClientHello(std::span<const std::uint8_t> bytes);
ClientHelloInspection inspectClientHello(std::string_view bytes);

}  // namespace weir::proxy
