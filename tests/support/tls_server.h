// Real TLS endpoints for the passthrough tests: `openssl s_server` with a fresh
// self-signed certificate, and `openssl s_client` to see which certificate a
// client gets for a server name (so which upstream weir sent it to).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "child_process.h"
#include "temp_dir.h"

namespace weir::test {

// `command` under /bin/bash -c in `dir`, bounded by `timeout`.
ProcessResult runShell(const TempDir& dir, const std::string& name, const std::string& command,
                       std::chrono::milliseconds timeout = std::chrono::seconds(20));

// An `openssl s_server` on a free port of 127.0.0.1 whose certificate names
// `common_name`. Throws std::runtime_error if it does not start within 2 s.
struct TlsServer {
  TlsServer(const TempDir& dir, const std::string& common_name);
  uint16_t port = 0;
  std::unique_ptr<ChildProcess> process;
};

// The certificate subject ("CN = server-a") a real TLS client saw through
// 127.0.0.1:port when it asked for `server_name`; "(no certificate) ..." if none.
std::string peerCertificateThrough(const TempDir& dir, uint16_t port,
                                   const std::string& server_name);

}  // namespace weir::test
