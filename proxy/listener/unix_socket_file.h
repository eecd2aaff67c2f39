// The file a Unix domain socket listener made at its path, removed again when the
// listener goes (a reload that drops it, or the proxy stopping), but only while
// the path is still that very socket: a successor's socket is left alone.
// Abstract sockets (@name) have no file. Main thread only.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>

#include "common/socket_address.h"

namespace weir::proxy {

class UnixSocketFile {
 public:
  // The socket file `listening_fd` is bound to; nullopt for an abstract socket
  // or anything else without a file.
  static std::optional<UnixSocketFile> of(int listening_fd);

  const std::string& path() const { return path_; }
  // Unlinks the path if it still names this socket (same device and inode).
  void removeIfStillOurs() const;

 private:
  UnixSocketFile(std::string path, dev_t device, ino_t inode)
      : path_(std::move(path)), device_(device), inode_(inode) {}

  std::string path_;
  dev_t device_;
  ino_t inode_;
};

}  // namespace weir::proxy
