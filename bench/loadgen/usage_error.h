// A bad command line: main() prints the message and the usage, and exits 2.
#pragma once

#include <stdexcept>

namespace weir::bench {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace weir::bench
