// A command line a program cannot accept: its main() prints the message and exits
// with status 2. Thrown by the option reader and by each program's flag parsing.
#pragma once

#include <stdexcept>

namespace weir::cli {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace weir::cli
