#include "weir_process.h"

#include <gtest/gtest.h>

#include <iostream>
#include <stdexcept>
#include <thread>

#include "tcp_connection.h"
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

WeirProcess::WeirProcess(const TempDir& dir, std::vector<std::filesystem::path> config_paths,
                         uint16_t port, const WeirOptions& options)
    : port_(port) {
  std::vector<std::string> argv = {kWeirBinary};
  for (const auto& path : config_paths) {
    argv.push_back("-c");
    argv.push_back(path.string());
  }
  argv.insert(argv.end(), {"--bind", "127.0.0.1", "--concurrency",
                           std::to_string(options.concurrency), "--log-level", options.log_level});
  if (options.seed) {
    argv.push_back("--seed");
    argv.push_back(std::to_string(*options.seed));
  }
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
  process_ = std::make_unique<ChildProcess>(
      ChildSpec{std::move(argv), dir.path() / "logs", "weir", std::nullopt});
  if (!waitUntilAccepting(port_, *process_, std::chrono::seconds(10))) {
    std::optional<ExitStatus> status = process_->waitForExit(milliseconds(0));
    std::string why = status ? "exited (" + status->describe() + ") before accepting"
                             : "port " + std::to_string(port_) + " not accepting within 10 s";
    std::string message = process_->commandLine() + ": " + why + "; stderr:\n" +
                          lastLines(process_->stderrText(), 30);
    process_->stop();
    throw std::runtime_error(message);
  }
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
                                               const std::vector<WeightedSubset>& routes,
                                               const WeirOptions& options) {
  uint16_t port = freeTcpPort();
  std::filesystem::path config =
      writeTrafficShiftConfig(dir.freshSubdir("config"), TrafficShiftConfig{port, routes});
  return std::make_unique<WeirProcess>(dir, std::vector<std::filesystem::path>{config}, port,
                                       options);
}

}  // namespace weir::test
