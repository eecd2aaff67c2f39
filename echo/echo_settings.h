// How tcp-echo-server answers its clients; fixed for the life of the server.
#pragma once

#include <cstddef>
#include <string>

namespace weir::echo {

enum class EchoMode {
  kLines,  // Istio tcp-echo: "PREFIX line" for every line
  kRaw,    // every byte back as it came, no framing
};

struct EchoSettings {
  EchoMode mode = EchoMode::kLines;
  std::string prefix;
  std::size_t max_line_bytes = 64 * 1024;
  // Reading from a client stops while this much is queued toward it...
  std::size_t high_watermark = 1024 * 1024;
  // ...and resumes once the queue has drained to this.
  std::size_t low_watermark = 256 * 1024;
};

}  // namespace weir::echo
