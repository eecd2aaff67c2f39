// weir's --ready-file: written (by rename) once every listener accepts, it says
// where each Gateway server and the admin server actually listen.
//   {"listeners":[{"gateway":"default/tcp-echo-gateway","server":"tcp",
//     "configured_port":9000,"address":"127.0.0.1","port":43703}],
//    "admin":{"address":"127.0.0.1","port":44785},"pid":1234}
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "child_process.h"

namespace weir::test {

struct ReadyListener {
  std::string gateway;  // "default/tcp-echo-gateway"
  std::string server;   // the Gateway server's port name, "tcp"
  uint16_t configured_port = 0;
  std::string address;  // "127.0.0.1", or a Unix socket's "unix:///path"
  uint16_t port = 0;     // 0 for a Unix socket
};

struct ReadyInfo {
  std::vector<ReadyListener> listeners;
  std::optional<uint16_t> admin_port;  // nullopt: "admin": null (--admin none)
  std::string admin_address;
  int64_t pid = 0;

  // The listener of the Gateway server on `configured_port`; nullptr if none.
  const ReadyListener* listener(uint16_t configured_port) const;
};

// nullopt (with `error`) unless `text` is a complete ready document as above.
std::optional<ReadyInfo> parseReadyFile(const std::string& text, std::string* error = nullptr);

// Polls (every 5 ms) until `path` exists and parses, while `process` runs, for at
// most `timeout`. nullopt with `error` saying why (process exited, timed out, or the
// document is malformed: a renamed-into-place file is complete or absent, so a
// malformed one is reported at once).
std::optional<ReadyInfo> waitForReadyFile(const std::filesystem::path& path, ChildProcess& process,
                                          std::chrono::milliseconds timeout, std::string* error);

}  // namespace weir::test
