#include "ready_weir.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <iostream>
#include <stdexcept>
#include <thread>

#include "test_paths.h"

namespace weir::test {
namespace {

using std::chrono::milliseconds;

// The last `max_lines` lines of `text`.
std::string tailLines(const std::string& text, size_t max_lines) {
  size_t position = text.size();
  if (position > 0 && text[position - 1] == '\n') --position;
  for (size_t lines = 0; position > 0; ++lines) {
    const size_t newline = text.rfind('\n', position - 1);
    if (newline == std::string::npos) return text;
    if (lines + 1 == max_lines) return text.substr(newline + 1);
    position = newline;
  }
  return text;
}

}  // namespace

std::string oneLine(const std::string& text, size_t max) {
  std::string line;
  for (char c : text.substr(0, max)) {
    if (c == '\n') {
      line += "\\n";
    } else {
      line.push_back(c);
    }
  }
  return text.size() > max ? line + "..." : line;
}

ReadyWeir::ReadyWeir(const TempDir& dir, std::vector<std::filesystem::path> config_paths,
                     const ReadyWeirOptions& options) {
  const std::filesystem::path ready_file = dir.freshSubdir("weir-ready") / "ready.json";
  std::vector<std::string> argv = {kWeirBinary};
  for (const auto& path : config_paths) {
    argv.push_back("-c");
    argv.push_back(path.string());
  }
  if (!options.bind.empty()) argv.insert(argv.end(), {"--bind", options.bind});
  argv.insert(argv.end(), {"--admin",
                           options.admin ? "127.0.0.1:0" : "none", "--ready-file",
                           ready_file.string(), "--concurrency",
                           std::to_string(options.concurrency), "--log-level", options.log_level,
                           "--access-log", options.access_log});
  for (uint16_t port : options.ephemeral_gateway_ports) {
    argv.push_back("--port-override");
    argv.push_back(std::to_string(port) + "=0");
  }
  if (!options.access_log_format.empty()) {
    argv.push_back("--access-log-format");
    argv.push_back(options.access_log_format);
  }
  if (options.drain_time_seconds) {
    argv.push_back("--drain-time");
    argv.push_back(std::to_string(*options.drain_time_seconds));
  }
  if (options.seed) {
    argv.push_back("--seed");
    argv.push_back(std::to_string(*options.seed));
  }
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());

  process_ = std::make_unique<ChildProcess>(
      ChildSpec{std::move(argv), dir.path() / "logs", "weir", std::nullopt});
  std::string error;
  std::optional<ReadyInfo> ready =
      waitForReadyFile(ready_file, *process_, std::chrono::seconds(10), &error);
  if (!ready) {
    const std::string message = process_->commandLine() + ": " + error + "; stderr:\n" +
                                tailLines(process_->stderrText(), 30);
    process_->stop();
    throw std::runtime_error(message);
  }
  ready_ = std::move(*ready);
}

ReadyWeir::~ReadyWeir() {
  // SIGINT ends weir at once; SIGTERM would drain open connections for 30 s.
  process_->signal(SIGINT);
  process_->waitForExit(milliseconds(3000));
  ExitStatus status = process_->stop();
  if (::testing::Test::HasFailure()) {
    std::cerr << "[weir-test] weir (admin port "
              << (ready_.admin_port ? std::to_string(*ready_.admin_port) : "none")
              << ") ended: " << status << "; logs " << process_->stderrPath() << "\n"
              << tailLines(process_->stderrText(), 25) << "\n";
  }
}

uint16_t ReadyWeir::port(uint16_t configured_port) const {
  const ReadyListener* listener = ready_.listener(configured_port);
  if (listener == nullptr) {
    throw std::runtime_error("the ready file names no listener for Gateway port " +
                             std::to_string(configured_port));
  }
  return listener->port;
}

uint16_t ReadyWeir::adminPort() const {
  if (!ready_.admin_port) throw std::runtime_error("weir runs without an admin server");
  return *ready_.admin_port;
}

std::optional<StatsSnapshot> ReadyWeir::stats(std::string* error) const {
  HttpResponse response = get("/stats");
  if (response.status != 200) {
    if (error != nullptr) *error = "GET /stats: " + response.describe();
    return std::nullopt;
  }
  return StatsSnapshot::parse(response.body, error);
}

std::optional<uint64_t> ReadyWeir::stat(const std::string& name) const {
  std::optional<StatsSnapshot> snapshot = stats();
  if (!snapshot) return std::nullopt;
  return snapshot->number(name);
}

std::optional<StatsSnapshot> ReadyWeir::waitForStats(
    const std::function<bool(const StatsSnapshot&)>& done, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    std::optional<StatsSnapshot> snapshot = stats();
    if (snapshot && done(*snapshot)) return snapshot;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(milliseconds(10));
  }
}

}  // namespace weir::test
