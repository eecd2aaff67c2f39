// The generator's output: one JSON object per line on standard output. Names in it can
// come from the network (an answer's prefix): write them with
// jsonString(name, JsonText::kAnyBytes) (common/json_text.h).
#pragma once

#include <string_view>

namespace weir::bench {

// Writes one JSON object and '\n' to standard output and flushes at once: the script
// that drives the generator reacts to lines as they come (ready, listening).
void emitJsonLine(std::string_view json);

}  // namespace weir::bench
