#include "tls_server.h"

#include <stdexcept>
#include <thread>

#include "tcp_connection.h"

namespace weir::test {

using std::chrono::milliseconds;

ProcessResult runShell(const TempDir& dir, const std::string& name, const std::string& command,
                       milliseconds timeout) {
  return runToCompletion({{"/bin/bash", "-c", command}, dir.path(), name, std::nullopt}, timeout);
}

TlsServer::TlsServer(const TempDir& dir, const std::string& common_name) {
  const std::string key = (dir.path() / (common_name + ".key")).string();
  const std::string cert = (dir.path() / (common_name + ".crt")).string();
  ProcessResult made = runShell(
      dir, "req-" + common_name,
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
      "-subj /CN=" + common_name + " -keyout " + key + " -out " + cert);
  if (!made.status.exitedWith(0)) throw std::runtime_error("openssl req: " + made.stderr_text);
  port = freeTcpPort();
  process = std::make_unique<ChildProcess>(ChildSpec{
      {"/usr/bin/openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port), "-cert",
       cert, "-key", key, "-www", "-quiet"},
      dir.path(), "s_server-" + common_name, std::nullopt});
  for (int i = 0; i < 200; ++i) {
    if (TcpConnection::connect(port, milliseconds(100))) return;
    std::this_thread::sleep_for(milliseconds(10));
  }
  throw std::runtime_error("openssl s_server did not start");
}

std::string peerCertificateThrough(const TempDir& dir, uint16_t port,
                                   const std::string& server_name) {
  ProcessResult client = runShell(
      dir, "s_client",
      "openssl s_client -brief -connect 127.0.0.1:" + std::to_string(port) + " -servername " +
          server_name + " </dev/null 2>&1");
  const std::string& out = client.stdout_text;
  const size_t at = out.find("Peer certificate: ");
  if (at == std::string::npos) return "(no certificate) " + out;
  return out.substr(at + 18, out.find('\n', at) - at - 18);
}

}  // namespace weir::test
