// The `weir` binary started the way issue 3's tests need it: every port ephemeral,
// readiness from --ready-file (no probe connection, so the stats count only what a
// test sends), and the admin API at hand.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "admin_stats.h"
#include "child_process.h"
#include "http_client.h"
#include "ready_file.h"
#include "temp_dir.h"

namespace weir::test {

struct ReadyWeirOptions {
  unsigned concurrency = 2;                   // --concurrency
  std::optional<uint64_t> seed{};             // --seed
  // --port-override P=0 for each: the Gateway servers on these ports listen on an
  // ephemeral port (read from the ready file), and keep it across reloads.
  std::vector<uint16_t> ephemeral_gateway_ports{};
  bool admin = true;                          // --admin 127.0.0.1:0, or --admin none
  std::string access_log = "none";            // --access-log PATH|-|none
  std::string access_log_format{};            // --access-log-format, if set
  std::optional<unsigned> drain_time_seconds{};  // --drain-time
  std::string log_level = "info";
  std::vector<std::string> extra_args{};
  // --bind ADDRESS; empty: no --bind, so listeners bind what the Gateway says
  // (0.0.0.0 by default), for tests that reach weir on other 127.x addresses.
  std::string bind = "127.0.0.1";
};

// Runs `weir -c CONFIG... --bind 127.0.0.1 --admin 127.0.0.1:0 --ready-file F
// --port-override P=0... --concurrency N --log-level L --access-log A ...` and waits
// (at most 10 s) for the ready file. Throws std::runtime_error, with weir's stderr,
// if weir exits first or never gets ready.
//
// The destructor ends weir at once (SIGINT: no drain) and, if the current test has
// failed, prints the tail of weir's stderr. Use from the thread that created it.
class ReadyWeir {
 public:
  ReadyWeir(const TempDir& dir, std::vector<std::filesystem::path> config_paths,
            const ReadyWeirOptions& options = {});
  ~ReadyWeir();

  ReadyWeir(const ReadyWeir&) = delete;
  ReadyWeir& operator=(const ReadyWeir&) = delete;

  const ReadyInfo& ready() const { return ready_; }
  // Where the Gateway server on `configured_port` listens; throws if it has none.
  uint16_t port(uint16_t configured_port) const;
  // Throws if weir runs without an admin server.
  uint16_t adminPort() const;
  ChildProcess& process() { return *process_; }

  HttpResponse get(const std::string& path) const { return httpGet(adminPort(), path); }
  HttpResponse post(const std::string& path) const { return httpPost(adminPort(), path); }

  // GET /stats, parsed; nullopt (with `error`) on an HTTP or format problem.
  std::optional<StatsSnapshot> stats(std::string* error = nullptr) const;
  // One number from GET /stats; nullopt if the request failed or it is absent.
  std::optional<uint64_t> stat(const std::string& name) const;

  // Polls GET /stats every 10 ms until `done(snapshot)` holds, for at most `timeout`.
  // Returns the last snapshot that satisfied it, or nullopt.
  std::optional<StatsSnapshot> waitForStats(const std::function<bool(const StatsSnapshot&)>& done,
                                            std::chrono::milliseconds timeout) const;

 private:
  std::unique_ptr<ChildProcess> process_;
  ReadyInfo ready_;
};

// `text` as a single line for messages: newlines shown as "\n", cut after `max` bytes.
std::string oneLine(const std::string& text, size_t max = 400);

}  // namespace weir::test
