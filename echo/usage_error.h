// The error a command-line parser throws for arguments it cannot accept.
// The mains turn it into a message on stderr and exit status 2.
#pragma once

#include <stdexcept>

namespace weir::echo {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace weir::echo
