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
#include "temp_dir.h"
#include "traffic_shift_config.h"

namespace weir::test {

struct WeirOptions {
  unsigned concurrency = 1;      // --concurrency
  std::optional<uint64_t> seed;  // --seed
  std::string log_level = "info";
  std::vector<std::string> extra_args;
};

// Runs `weir -c CONFIG... --bind 127.0.0.1 --concurrency N [--seed S]` and waits until
// `port` accepts a TCP connection (polled every 10 ms for at most 10 s) — independent
// of log wording. The probe connection is closed at once; weir sees it as one short
// connection (with --seed it consumes the first pick, on every run alike). Throws
// std::runtime_error, with weir's stderr, if weir exits or the port never accepts.
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
  ChildProcess& process() { return *process_; }

 private:
  std::unique_ptr<ChildProcess> process_;
  uint16_t port_;
};

// Picks a free port, writes the walk-through config for `routes` into a fresh
// subdirectory of `dir`, and starts weir on it.
std::unique_ptr<WeirProcess> startTrafficShift(const TempDir& dir,
                                               const std::vector<WeightedSubset>& routes,
                                               const WeirOptions& options = {});

// Waits until 127.0.0.1:port accepts a connection, while `process` runs. True if ready.
bool waitUntilAccepting(uint16_t port, ChildProcess& process, std::chrono::milliseconds timeout);

// The last `max_lines` lines of `text`.
std::string lastLines(const std::string& text, size_t max_lines);

}  // namespace weir::test
