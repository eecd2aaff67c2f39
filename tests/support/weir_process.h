// The `weir` binary as a test fixture.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "child_process.h"
#include "istio_scenarios.h"
#include "temp_dir.h"

namespace weir::test {

// How WeirProcess knows weir is ready.
enum class Readiness {
  // --ready-file PATH: weir renames the file into place once every listener
  // accepts. No connection is made, so weir's first pick, its access log and its
  // stats see only the test's own connections.
  kReadyFile,
  // Poll-connect to the gateway port (every 10 ms). Independent of weir's features,
  // but weir sees the probe as one short connection.
  kProbeConnection,
};

struct WeirOptions {
  unsigned concurrency = 1;        // --concurrency
  std::optional<uint64_t> seed{};  // --seed
  std::string log_level = "info";
  // --admin: an ephemeral loopback port, so that parallel tests never fight over
  // weir's default 127.0.0.1:15000.
  std::string admin = "127.0.0.1:0";
  Readiness readiness = Readiness::kReadyFile;
  std::vector<std::string> extra_args{};
};

// Runs `weir -c CONFIG... --bind 127.0.0.1 --concurrency N --log-level L --admin A
// [--seed S] [--ready-file F]` and waits, at most 10 s, until it is ready (see
// Readiness): with the ready file, the file must also list `port` as a listener port.
// Throws std::runtime_error, with weir's stderr, if weir exits first or never gets
// ready.
//
// On destruction weir is stopped (SIGTERM, SIGKILL after 2 s); if the current test
// has failed, the tail of weir's stderr is printed to help the reader.
class WeirProcess {
 public:
  WeirProcess(const TempDir& dir, std::vector<std::filesystem::path> config_paths, uint16_t port,
              const WeirOptions& options = {});
  ~WeirProcess();

  WeirProcess(const WeirProcess&) = delete;
  WeirProcess& operator=(const WeirProcess&) = delete;

  uint16_t port() const { return port_; }
  // The admin server's port, from the ready file; nullopt with kProbeConnection or
  // --admin none.
  std::optional<uint16_t> adminPort() const { return admin_port_; }
  ChildProcess& process() { return *process_; }

 private:
  std::string waitForReadyFile(const std::filesystem::path& ready_file);

  std::unique_ptr<ChildProcess> process_;
  uint16_t port_;
  std::optional<uint16_t> admin_port_;
};

// Picks a free port, writes istio::walkThrough(port, routes) into a fresh
// subdirectory of `dir` (a file per kind), and starts weir on it.
std::unique_ptr<WeirProcess> startTrafficShift(const TempDir& dir,
                                               const std::vector<istio::WeightedSubset>& routes,
                                               const WeirOptions& options = {});

// Waits until 127.0.0.1:port accepts a connection, while `process` runs. True if ready.
bool waitUntilAccepting(uint16_t port, ChildProcess& process, std::chrono::milliseconds timeout);

// The last `max_lines` lines of `text`.
std::string lastLines(const std::string& text, size_t max_lines);

}  // namespace weir::test
