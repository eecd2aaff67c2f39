#include "proxy/listener/unix_socket_file.h"

#include <sys/stat.h>
#include <unistd.h>

namespace weir::proxy {

std::optional<UnixSocketFile> UnixSocketFile::of(int listening_fd) {
  const std::optional<SocketAddress> bound = localAddressOf(listening_fd);
  if (!bound || !bound->isUnix()) return std::nullopt;
  const std::string path = bound->toString();
  struct stat info {};
  if (path.empty() || path.front() == '@' || stat(path.c_str(), &info) != 0) {
    return std::nullopt;
  }
  return UnixSocketFile(path, info.st_dev, info.st_ino);
}

void UnixSocketFile::removeIfStillOurs() const {
  struct stat info {};
  if (lstat(path_.c_str(), &info) == 0 && info.st_dev == device_ && info.st_ino == inode_) {
    unlink(path_.c_str());
  }
}

}  // namespace weir::proxy
