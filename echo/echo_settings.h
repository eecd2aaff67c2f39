// How tcp-echo-server answers its clients; fixed for the life of the server.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace spdlog {
class logger;
}

namespace weir::echo {

enum class EchoMode {
  kLines,  // Istio tcp-echo: "PREFIX line" for every line
  kRaw,    // every byte back as it came, no framing
};

struct EchoSettings {
  EchoMode mode = EchoMode::kLines;
  std::string prefix;
  std::size_t max_line_bytes = 64 * 1024;
  // Every connection starts with a PROXY protocol header (v1 or v2), as sent by a proxy
  // with proxyProtocol on; a connection without a valid one is closed. The client
  // address it carries is shown to the client:
  //   lines: every answer is "PREFIX [from ADDRESS] line" (ADDRESS "127.0.0.2:40000",
  //          "[::1]:40000", or "unknown" for v1 UNKNOWN / v2 LOCAL and address-less
  //          families);
  //   raw:   the first line sent back is "PROXY-FROM ADDRESS\n", then the bytes after
  //          the header, echoed as they came.
  bool proxy_protocol = false;
  // Reading from a client stops while this much is queued toward it...
  std::size_t high_watermark = 1024 * 1024;
  // ...and resumes once the queue has drained to this.
  std::size_t low_watermark = 256 * 1024;
  // Where the server's lines go. Null: a logger of its own named "tcp-echo-server"
  // writing to standard error at info, never to standard output, which belongs to the
  // program (an embedding test suite, or the binary's "listening on" lines).
  std::shared_ptr<spdlog::logger> logger;
};

}  // namespace weir::echo
