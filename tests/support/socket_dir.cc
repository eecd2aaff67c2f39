#include "socket_dir.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace weir::test {

SocketDir::SocketDir() {
  char pattern[] = "/tmp/weir-sock-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) {
    throw std::runtime_error(std::string("mkdtemp /tmp/weir-sock-XXXXXX: ") +
                             std::strerror(errno));
  }
  path_ = pattern;
}

SocketDir::~SocketDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace weir::test
