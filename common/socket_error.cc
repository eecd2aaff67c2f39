#include "common/socket_error.h"

#include <sys/socket.h>

#include <cerrno>

namespace weir {

int pendingSocketError(int fd) {
  int error = 0;
  socklen_t length = sizeof error;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return errno;
  return error;
}

}  // namespace weir
