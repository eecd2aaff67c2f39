// Who already listens where weir wants to: the listening sockets whose address
// overlaps a TCP address (same port; equal, or one of them a wildcard) or that
// accept on a Unix socket path, found the way `ss -lp` finds them: their inodes in
// /proc/net/{tcp,tcp6,unix}, then the process holding each among /proc/*/fd.
// Best effort: the processes of other users cannot be looked into. Only for
// error paths and start-up (it reads every process's descriptors). Any thread.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "common/socket_address.h"

namespace weir::proxy {

struct SocketOwner {
  pid_t pid = 0;
  std::string name;  // /proc/PID/comm, e.g. "weir"
};

// The inodes of the sockets listening on an address that overlaps `address`.
std::vector<ino_t> listeningSocketsAt(const SocketAddress& address);

// Whether this process holds the socket `inode`.
bool ownSocket(ino_t inode);

// Whether sockets listen at an address overlapping `address`, all of them this
// process's own.
bool onlyThisProcessListensAt(const SocketAddress& address);

// The process holding the socket `inode`, if one can be seen.
std::optional<SocketOwner> ownerOfSocket(ino_t inode);

// "ADDRESS is already in use (pid 1234, weir)", naming the first other process
// found listening at `address` ("ADDRESS is already in use" if none is seen).
std::string alreadyInUse(const SocketAddress& address);

}  // namespace weir::proxy
