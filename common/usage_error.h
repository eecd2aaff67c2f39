// A command line a program cannot accept: its main() prints the message and exits
// with status 2. Thrown by the option reader and by each program's flag parsing.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace weir::cli {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The words weir, tcp-echo-server and tcp-echo-client share for a bad option.
std::string unknownOptionMessage(std::string_view option);  // unknown option '--frobnicate'

// How the three binaries report a bad command line, all alike, on standard error:
//   weir: unknown option '--frobnicate'
//   Try 'weir --help'.
// Returns the exit status for it, 2.
int reportUsageError(std::string_view program, const UsageError& error);

}  // namespace weir::cli
