// tcp-echo-server as a test fixture.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "child_process.h"
#include "temp_dir.h"

namespace weir::test {

// Runs `tcp-echo-server --listen 127.0.0.1 0 PREFIX` (or `--raw 0`) and waits, bounded,
// for its `listening on ADDRESS:PORT` line to learn the ephemeral port. The constructor
// throws std::runtime_error (with the server's stderr) if the line does not come.
class EchoServer {
 public:
  // Answers each line L with "PREFIX L".
  EchoServer(const TempDir& dir, const std::string& prefix);

  // Echoes bytes verbatim and forwards EOF.
  static std::unique_ptr<EchoServer> raw(const TempDir& dir);

  // Expects a PROXY protocol header (v1 or v2) first on each connection and answers
  // "PREFIX [from CLIENT] L" (tcp-echo-server --proxy-protocol).
  static std::unique_ptr<EchoServer> withProxyProtocol(const TempDir& dir,
                                                       const std::string& prefix);

  // Like the constructor, on a given port (e.g. where a killed one listened, to
  // play a workload that restarts).
  static std::unique_ptr<EchoServer> onPort(const TempDir& dir, const std::string& prefix,
                                            uint16_t port);

  // Like onPort, on another loopback address (127.0.0.2, ...): several servers on
  // one port, e.g. behind one host name that resolves to several addresses.
  static std::unique_ptr<EchoServer> onAddress(const TempDir& dir, const std::string& prefix,
                                               const std::string& address, uint16_t port);

  // On a Unix domain socket (`tcp-echo-server --listen unix:PATH`): "/path" or
  // "@abstract-name". A path where a killed one listened is taken over.
  static std::unique_ptr<EchoServer> onUnixSocket(const TempDir& dir, const std::string& prefix,
                                                  const std::string& path);
  // `tcp-echo-server --raw --listen unix:PATH`: echoes bytes, forwards EOF.
  static std::unique_ptr<EchoServer> rawOnUnixSocket(const TempDir& dir, const std::string& path);

  uint16_t port() const { return port_; }  // 0 on a Unix socket
  const std::string& unixPath() const { return unix_path_; }
  const std::string& prefix() const { return prefix_; }
  ChildProcess& process() { return *process_; }

  // SIGKILL, then reap: its sockets close at once, like a crashed workload.
  void kill();

 private:
  struct RawTag {};
  EchoServer(const TempDir& dir, RawTag);
  struct ArgvTag {};
  EchoServer(const TempDir& dir, ArgvTag, const std::string& prefix,
             std::vector<std::string> argv);
  EchoServer(const TempDir& dir, ArgvTag, const std::string& prefix,
             std::vector<std::string> argv, const std::string& unix_path);
  void start(const TempDir& dir, const std::string& name, std::vector<std::string> argv);

  std::string prefix_;
  std::unique_ptr<ChildProcess> process_;
  uint16_t port_ = 0;
  std::string unix_path_;
};

// The port in the first line of `text` that reads `listening on ADDRESS:PORT...`;
// nullopt if there is no complete such line yet.
std::optional<uint16_t> parseListeningPort(const std::string& text);

}  // namespace weir::test
