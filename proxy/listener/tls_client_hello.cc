#include "proxy/listener/tls_client_hello.h"

#include <algorithm>
#include <optional>

namespace weir::proxy {
namespace {

using Outcome = ClientHelloInspection::Outcome;

constexpr std::uint8_t kHandshakeRecord = 22;
constexpr std::uint8_t kClientHello = 1;
constexpr std::size_t kRecordHeaderBytes = 5;
constexpr std::size_t kMaxRecordPayload = 16 * 1024;  // 2^14, RFC 8446 section 5.1
constexpr std::size_t kHandshakeHeaderBytes = 4;      // type, 24-bit length
constexpr std::uint16_t kServerNameExtension = 0;
constexpr std::uint8_t kHostNameType = 0;
constexpr std::size_t kMaxHostNameBytes = 255;

ClientHelloInspection verdict(Outcome outcome) { return {outcome, {}}; }

// More input is needed: unless all that may be examined is already there.
ClientHelloInspection needMore(std::span<const std::uint8_t> examined) {
  return verdict(examined.size() >= kMaxClientHelloBytes ? Outcome::kTooLarge
                                                         : Outcome::kNeedMoreBytes);
}

// A bounds-checked reader over a byte span: every read either succeeds inside the span
// or fails and leaves the reader failed; nothing reads past the end.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  std::size_t left() const { return bytes_.size() - offset_; }

  std::optional<std::uint32_t> number(std::size_t width) {
    if (width > left()) {
      return std::nullopt;
    }
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < width; ++i) {
      value = (value << 8) | bytes_[offset_ + i];
    }
    offset_ += width;
    return value;
  }

  std::optional<std::span<const std::uint8_t>> take(std::size_t size) {
    if (size > left()) {
      return std::nullopt;
    }
    auto part = bytes_.subspan(offset_, size);
    offset_ += size;
    return part;
  }

  // A vector<..> of TLS's presentation language: a `width`-byte length, then that many
  // bytes, which must be within [min, max].
  std::optional<std::span<const std::uint8_t>> vector(std::size_t width, std::size_t min,
                                                      std::size_t max) {
    auto size = number(width);
    if (!size || *size < min || *size > max) {
      return std::nullopt;
    }
    return take(*size);
  }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t offset_ = 0;
};

bool isHostNameByte(std::uint8_t byte) {
  return (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
         (byte >= '0' && byte <= '9') || byte == '-' || byte == '.' || byte == '_';
}

// RFC 6066 section 3: ServerNameList, at most one host_name. nullopt: malformed;
// "" : no host_name in the list.
std::optional<std::string> serverNameOf(std::span<const std::uint8_t> extension) {
  Reader reader(extension);
  auto list = reader.vector(2, 1, 0xffff);
  if (!list || reader.left() != 0) {
    return std::nullopt;
  }
  Reader entries(*list);
  std::string host_name;
  while (entries.left() > 0) {
    auto type = entries.number(1);
    auto name = entries.vector(2, 1, 0xffff);
    if (!type || !name) {
      return std::nullopt;
    }
    if (*type != kHostNameType) {
      continue;  // unknown name types are skipped, as RFC 6066 lets servers do
    }
    if (!host_name.empty() || name->size() > kMaxHostNameBytes ||
        !std::all_of(name->begin(), name->end(), isHostNameByte)) {
      return std::nullopt;
    }
    for (std::uint8_t byte : *name) {
      host_name.push_back(static_cast<char>(byte >= 'A' && byte <= 'Z' ? byte - 'A' + 'a' : byte));
    }
  }
  return host_name;
}

// The body of a ClientHello message (after its 4-byte handshake header), whole.
ClientHelloInspection parseClientHello(std::span<const std::uint8_t> body) {
  Reader reader(body);
  auto legacy_version = reader.number(2);
  if (!legacy_version || (*legacy_version >> 8) != 3 || !reader.take(32) /* random */ ||
      !reader.vector(1, 0, 32) /* legacy_session_id */) {
    return verdict(Outcome::kNotTls);
  }
  auto cipher_suites = reader.vector(2, 2, 0xfffe);
  if (!cipher_suites || cipher_suites->size() % 2 != 0 ||
      !reader.vector(1, 1, 0xff) /* legacy_compression_methods */) {
    return verdict(Outcome::kNotTls);
  }
  if (reader.left() == 0) {
    return verdict(Outcome::kNoSni);  // TLS 1.0-1.2 allow a hello without extensions
  }
  auto extensions = reader.vector(2, 0, 0xffff);
  if (!extensions || reader.left() != 0) {
    return verdict(Outcome::kNotTls);
  }
  Reader list(*extensions);
  std::optional<std::string> server_name;
  while (list.left() > 0) {
    auto type = list.number(2);
    auto data = list.vector(2, 0, 0xffff);
    if (!type || !data) {
      return verdict(Outcome::kNotTls);
    }
    if (*type != kServerNameExtension) {
      continue;
    }
    if (server_name) {
      return verdict(Outcome::kNotTls);  // one extension of a type at most (RFC 8446 4.2)
    }
    server_name = serverNameOf(*data);
    if (!server_name) {
      return verdict(Outcome::kNotTls);
    }
  }
  if (!server_name || server_name->empty()) {
    return verdict(Outcome::kNoSni);
  }
  return {Outcome::kSni, std::move(*server_name)};
}

}  // namespace

ClientHelloInspection inspectClientHello(std::span<const std::uint8_t> bytes) {
  bytes = bytes.first(std::min(bytes.size(), kMaxClientHelloBytes));

  // The handshake payload of the records seen so far, and whether more may follow.
  std::string handshake;
  std::size_t offset = 0;
  while (true) {
    // The record header, judged byte by byte so that garbage is rejected early.
    std::span<const std::uint8_t> header =
        bytes.subspan(offset, std::min(kRecordHeaderBytes, bytes.size() - offset));
    if (header.size() >= 1 && header[0] != kHandshakeRecord) {
      return verdict(Outcome::kNotTls);  // includes SSLv2 hellos (high bit set)
    }
    if (header.size() >= 2 && header[1] != 3) {
      return verdict(Outcome::kNotTls);
    }
    if (header.size() >= 3 && (header[2] < 1 || header[2] > 4)) {
      return verdict(Outcome::kNotTls);  // 3.0 is SSL 3.0; 3.1-3.4 are TLS 1.0-1.3
    }
    if (header.size() < kRecordHeaderBytes) {
      return needMore(bytes);
    }
    const std::size_t payload_size = (std::size_t{header[3]} << 8) | header[4];
    if (payload_size == 0 || payload_size > kMaxRecordPayload) {
      return verdict(Outcome::kNotTls);  // empty handshake fragments are forbidden
    }
    const std::size_t payload_start = offset + kRecordHeaderBytes;
    const std::size_t available = std::min(payload_size, bytes.size() - payload_start);
    handshake.append(reinterpret_cast<const char*>(bytes.data() + payload_start), available);

    // The ClientHello's own header, judged as soon as its bytes are there.
    if (!handshake.empty() && static_cast<std::uint8_t>(handshake[0]) != kClientHello) {
      return verdict(Outcome::kNotTls);
    }
    if (handshake.size() >= kHandshakeHeaderBytes) {
      const std::size_t message_size =
          (std::size_t{static_cast<std::uint8_t>(handshake[1])} << 16) |
          (std::size_t{static_cast<std::uint8_t>(handshake[2])} << 8) |
          static_cast<std::uint8_t>(handshake[3]);
      if (handshake.size() >= kHandshakeHeaderBytes + message_size) {
        auto body = std::span(reinterpret_cast<const std::uint8_t*>(handshake.data()),
                              handshake.size()).subspan(kHandshakeHeaderBytes, message_size);
        return parseClientHello(body);
      }
      if (kHandshakeHeaderBytes + message_size > kMaxClientHelloBytes) {
        return verdict(Outcome::kTooLarge);  // cannot fit, whatever the records
      }
    }
    if (available < payload_size) {
      return needMore(bytes);
    }
    // This record is complete and the ClientHello (or its header) is not: it continues
    // in the next handshake record.
    offset = payload_start + payload_size;
  }
}

ClientHelloInspection inspectClientHello(std::string_view bytes) {
  return inspectClientHello(
      std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

}  // namespace weir::proxy
