// A short-named scratch directory for Unix domain socket files: a socket address
// holds at most 107 bytes of path, and TempDir's names (after the test) are longer.
#pragma once

#include <filesystem>
#include <string>

namespace weir::test {

// Created with mkdtemp as /tmp/weir-sock-XXXXXX (not under $TMPDIR, which may be
// long); removed recursively by the destructor. Destroy it after the processes
// that listen in it.
class SocketDir {
 public:
  SocketDir();
  ~SocketDir();
  SocketDir(const SocketDir&) = delete;
  SocketDir& operator=(const SocketDir&) = delete;

  // The path of socket `name` in this directory, e.g. "/tmp/weir-sock-Ab12Cd/gw.sock".
  std::string socket(const std::string& name) const { return (path_ / name).string(); }
  // A Linux abstract socket name no other directory's tests use: "@weir-sock-Ab12Cd-NAME".
  std::string abstractSocket(const std::string& name) const {
    return "@" + path_.filename().string() + "-" + name;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace weir::test
