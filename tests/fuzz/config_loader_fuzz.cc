// libFuzzer target: weir::config::loadFromText() over arbitrary text taken as one YAML
// file. The loader must never crash, leak or hang, and must keep its contract: a table
// exactly when there are no errors, and every diagnostic printable.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "config/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using weir::config::LoadResult;
  std::string text(reinterpret_cast<const char*>(data), size);
  LoadResult result = weir::config::loadFromText({{"fuzz.yaml", std::move(text)}});
  if (result.ok() != result.errors.empty()) {
    std::abort();
  }
  for (const auto* list : {&result.errors, &result.warnings}) {
    for (const auto& diagnostic : *list) {
      if (diagnostic.toString().empty()) {
        std::abort();
      }
    }
  }
  return 0;
}
