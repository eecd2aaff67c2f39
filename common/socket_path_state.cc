#include "common/socket_path_state.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <string>

#include "common/unique_fd.h"

namespace weir {

SocketPathState probeSocketPath(const SocketAddress& address) {
  const std::string path = address.unixFilePath();
  struct stat info {};
  if (path.empty() || lstat(path.c_str(), &info) != 0) return SocketPathState::kFree;
  if (!S_ISSOCK(info.st_mode)) return SocketPathState::kNotASocket;
  UniqueFd probe(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!probe) return SocketPathState::kUnknown;
  if (connect(probe.get(), address.get(), address.length()) == 0 || errno == EAGAIN) {
    return SocketPathState::kLive;
  }
  return SocketPathState::kStale;
}

}  // namespace weir
