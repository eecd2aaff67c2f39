#include "weir_process.h"

#include <gtest/gtest.h>

#include <charconv>
#include <iostream>
#include <string_view>
#include <stdexcept>
#include <thread>

#include "tcp_connection.h"
#include "temp_dir.h"
#include "test_paths.h"

namespace weir::test {

bool waitUntilAccepting(uint16_t port, ChildProcess& process, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (!process.running()) return false;
    if (TcpConnection::connect(port, milliseconds(1000))) {
      return true;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  return false;
}

std::string lastLines(const std::string& text, size_t max_lines) {
  size_t position = text.size();
  if (position > 0 && text[position - 1] == '\n') --position;
  size_t lines = 0;
  while (position > 0) {
    size_t newline = text.rfind('\n', position - 1);
    if (newline == std::string::npos) return text;
    if (++lines == max_lines) return text.substr(newline + 1);
    position = newline;
  }
  return text;
}

namespace {

// The number after the first `"port":` at or after `from` in the ready file's JSON.
std::optional<uint16_t> portAfter(const std::string& json, size_t from) {
  static constexpr std::string_view kKey = "\"port\":";
  size_t at = json.find(kKey, from);
  if (at == std::string::npos) return std::nullopt;
  unsigned value = 0;
  const char* begin = json.data() + at + kKey.size();
  auto [stop, error] = std::from_chars(begin, json.data() + json.size(), value);
  if (error != std::errc() || stop == begin || value > 65535) return std::nullopt;
  return static_cast<uint16_t>(value);
}

}  // namespace

WeirProcess::WeirProcess(const TempDir& dir, std::vector<std::filesystem::path> config_paths,
                         uint16_t port, const WeirOptions& options)
    : port_(port) {
  std::vector<std::string> argv = {kWeirBinary};
  for (const auto& path : config_paths) {
    argv.push_back("-c");
    argv.push_back(path.string());
  }
  argv.insert(argv.end(), {"--bind", "127.0.0.1", "--concurrency",
                           std::to_string(options.concurrency), "--log-level", options.log_level,
                           "--admin", options.admin});
  if (options.seed) {
    argv.push_back("--seed");
    argv.push_back(std::to_string(*options.seed));
  }
  std::filesystem::path ready_file;
  if (options.readiness == Readiness::kReadyFile) {
    ready_file = dir.freshSubdir("weir-ready") / "ready.json";
    argv.push_back("--ready-file");
    argv.push_back(ready_file.string());
  }
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
  process_ = std::make_unique<ChildProcess>(
      ChildSpec{std::move(argv), dir.path() / "logs", "weir", std::nullopt});

  std::string why;
  if (options.readiness == Readiness::kReadyFile) {
    why = waitForReadyFile(ready_file);
  } else if (!waitUntilAccepting(port_, *process_, std::chrono::seconds(10))) {
    why = "port " + std::to_string(port_) + " not accepting within 10 s";
  }
  if (!why.empty()) {
    std::optional<ExitStatus> status = process_->waitForExit(milliseconds(0));
    if (status) why = "exited (" + status->describe() + ") before it was ready";
    std::string message = process_->commandLine() + ": " + why + "; stderr:\n" +
                          lastLines(process_->stderrText(), 30);
    process_->stop();
    throw std::runtime_error(message);
  }
}

// "" once the ready file exists and lists port_; otherwise why not.
std::string WeirProcess::waitForReadyFile(const std::filesystem::path& ready_file) {
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline && process_->running()) {
    // Renamed into place by weir: if it exists, it is complete.
    std::string json = readTextFile(ready_file);
    if (!json.empty()) {
      size_t admin = json.find("\"admin\":");
      bool listed = false;
      for (size_t at = 0; !listed;) {
        size_t key = json.find("\"port\":", at);
        if (key == std::string::npos || (admin != std::string::npos && key > admin)) break;
        listed = portAfter(json, key) == port_;
        at = key + 1;
      }
      if (!listed) {
        return "ready file " + ready_file.string() + " does not list port " +
               std::to_string(port_) + ": " + json;
      }
      if (admin != std::string::npos) admin_port_ = portAfter(json, admin);
      return "";
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  return "no ready file " + ready_file.string() + " within 10 s";
}

WeirProcess::~WeirProcess() {
  ExitStatus status = process_->stop();
  if (::testing::Test::HasFailure()) {
    std::cerr << "[weir-test] weir on port " << port_ << " ended: " << status
              << "; logs " << process_->stderrPath() << "\n"
              << lastLines(process_->stderrText(), 20) << "\n";
  }
}

std::unique_ptr<WeirProcess> startTrafficShift(const TempDir& dir,
                                               const std::vector<istio::WeightedSubset>& routes,
                                               const WeirOptions& options) {
  uint16_t port = freeTcpPort();
  std::filesystem::path config =
      istio::walkThrough(port, routes).writeSplit(dir.freshSubdir("config"));
  return std::make_unique<WeirProcess>(dir, std::vector<std::filesystem::path>{config}, port,
                                       options);
}

}  // namespace weir::test
