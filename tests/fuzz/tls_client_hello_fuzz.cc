// libFuzzer target: inspectClientHello() over arbitrary bytes. Besides ASan/UBSan
// findings it checks what the caller relies on:
//   - a kSni name is non-empty, lower-case, host-name characters only; other outcomes
//     carry no name;
//   - a verdict, once given, is final: any prefix of the input either needs more bytes
//     or already gives the same verdict, so a proxy may decide on what it has read.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "proxy/listener/tls_client_hello.h"

namespace {

using weir::proxy::ClientHelloInspection;
using weir::proxy::inspectClientHello;
using Outcome = ClientHelloInspection::Outcome;

void check(bool condition) {
  if (!condition) {
    std::abort();
  }
}

void checkName(const ClientHelloInspection& result) {
  if (result.outcome != Outcome::kSni) {
    check(result.server_name.empty());
    return;
  }
  check(!result.server_name.empty() && result.server_name.size() <= 255);
  for (char c : result.server_name) {
    check((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_');
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> bytes(data, size);
  ClientHelloInspection whole = inspectClientHello(bytes);
  checkName(whole);
  if (whole.outcome == Outcome::kNeedMoreBytes || size == 0) {
    return 0;
  }
  for (std::size_t prefix : {size / 2, size - 1, std::size_t{size * 7 / 8}}) {
    ClientHelloInspection part = inspectClientHello(bytes.first(prefix));
    checkName(part);
    if (part.outcome != Outcome::kNeedMoreBytes) {
      check(part.outcome == whole.outcome && part.server_name == whole.server_name);
    }
  }
  return 0;
}
