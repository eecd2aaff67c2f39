// JSON for the generator's output: one object per line on standard output. Names in
// it can come from the network (an answer's prefix), so strings are escaped.
#pragma once

#include <string>
#include <string_view>

namespace weir::bench {

// "text" with quotes, backslashes and control bytes escaped; bytes >= 0x80 as \u00XX
// so that the output is valid JSON whatever the peer sent.
std::string jsonString(std::string_view text);

// Writes one JSON object and '\n' to standard output and flushes at once: the script
// that drives the generator reacts to lines as they come (ready, listening).
void emitJsonLine(std::string_view json);

}  // namespace weir::bench
