#include "echo_server.h"

#include <signal.h>

#include <charconv>
#include <stdexcept>
#include <thread>

#include "test_paths.h"

namespace weir::test {
namespace {

constexpr std::chrono::seconds kStartTimeout{10};

}  // namespace

std::optional<uint16_t> parseListeningPort(const std::string& text) {
  static constexpr std::string_view kMarker = "listening on ";
  size_t line_start = 0;
  while (line_start < text.size()) {
    size_t line_end = text.find('\n', line_start);
    if (line_end == std::string::npos) return std::nullopt;  // incomplete line
    std::string_view line(text.data() + line_start, line_end - line_start);
    line_start = line_end + 1;
    size_t marker = line.find(kMarker);
    if (marker == std::string_view::npos) continue;
    std::string_view rest = line.substr(marker + kMarker.size());
    // ADDRESS:PORT ends at ',' or whitespace; the port follows the last ':'
    // (the address may be [::]).
    size_t end = rest.find_first_of(", \t\r");
    std::string_view endpoint = rest.substr(0, end);
    size_t colon = endpoint.rfind(':');
    if (colon == std::string_view::npos) continue;
    std::string_view digits = endpoint.substr(colon + 1);
    unsigned value = 0;
    auto [stop, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc() || stop != digits.data() + digits.size() || value == 0 ||
        value > 65535) {
      continue;
    }
    return static_cast<uint16_t>(value);
  }
  return std::nullopt;
}

EchoServer::EchoServer(const TempDir& dir, const std::string& prefix) : prefix_(prefix) {
  start(dir, "echo-" + prefix,
        {kEchoServerBinary, "--listen", "127.0.0.1", "0", prefix});
}

EchoServer::EchoServer(const TempDir& dir, RawTag) {
  start(dir, "echo-raw", {kEchoServerBinary, "--listen", "127.0.0.1", "--raw", "0"});
}

std::unique_ptr<EchoServer> EchoServer::raw(const TempDir& dir) {
  return std::unique_ptr<EchoServer>(new EchoServer(dir, RawTag{}));
}

EchoServer::EchoServer(const TempDir& dir, ArgvTag, const std::string& prefix,
                       std::vector<std::string> argv)
    : prefix_(prefix) {
  start(dir, "echo-" + prefix, std::move(argv));
}

std::unique_ptr<EchoServer> EchoServer::withProxyProtocol(const TempDir& dir,
                                                         const std::string& prefix) {
  return std::unique_ptr<EchoServer>(new EchoServer(
      dir, ArgvTag{}, prefix,
      {kEchoServerBinary, "--listen", "127.0.0.1", "--proxy-protocol", "0", prefix}));
}

std::unique_ptr<EchoServer> EchoServer::onPort(const TempDir& dir, const std::string& prefix,
                                               uint16_t port) {
  return std::unique_ptr<EchoServer>(new EchoServer(
      dir, ArgvTag{}, prefix,
      {kEchoServerBinary, "--listen", "127.0.0.1", std::to_string(port), prefix}));
}

std::unique_ptr<EchoServer> EchoServer::onAddress(const TempDir& dir, const std::string& prefix,
                                                  const std::string& address, uint16_t port) {
  return std::unique_ptr<EchoServer>(new EchoServer(
      dir, ArgvTag{}, prefix,
      {kEchoServerBinary, "--listen", address, std::to_string(port), prefix}));
}

std::unique_ptr<EchoServer> EchoServer::onUnixSocket(const TempDir& dir,
                                                     const std::string& prefix,
                                                     const std::string& path) {
  return std::unique_ptr<EchoServer>(new EchoServer(
      dir, ArgvTag{}, prefix, {kEchoServerBinary, "--listen", "unix:" + path, prefix}, path));
}

std::unique_ptr<EchoServer> EchoServer::rawOnUnixSocket(const TempDir& dir,
                                                        const std::string& path) {
  return std::unique_ptr<EchoServer>(new EchoServer(
      dir, ArgvTag{}, "", {kEchoServerBinary, "--raw", "--listen", "unix:" + path}, path));
}

EchoServer::EchoServer(const TempDir& dir, ArgvTag, const std::string& prefix,
                       std::vector<std::string> argv, const std::string& unix_path)
    : prefix_(prefix), unix_path_(unix_path) {
  start(dir, "echo-" + (prefix.empty() ? std::string("raw") : prefix), std::move(argv));
}

void EchoServer::start(const TempDir& dir, const std::string& name,
                       std::vector<std::string> argv) {
  process_ = std::make_unique<ChildProcess>(
      ChildSpec{std::move(argv), dir.path() / "logs", name, std::nullopt});
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  const std::string unix_line = "listening on unix:" + unix_path_ + ",";
  while (std::chrono::steady_clock::now() < deadline) {
    if (!unix_path_.empty() && process_->stdoutText().find(unix_line) != std::string::npos) {
      return;
    }
    if (auto port = parseListeningPort(process_->stdoutText()); port && unix_path_.empty()) {
      port_ = *port;
      return;
    }
    if (!process_->running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::string why = process_->running()
                        ? "no 'listening on' line within 10 s"
                        : "exited (" + process_->waitForExit(std::chrono::milliseconds(0))->describe() + ")";
  std::string message = process_->commandLine() + ": " + why + "; stdout: [" +
                        process_->stdoutText() + "] stderr: [" + process_->stderrText() + "]";
  process_->stop();
  throw std::runtime_error(message);
}

void EchoServer::kill() {
  process_->signal(SIGKILL);
  process_->waitForExit(std::chrono::seconds(10));
}

}  // namespace weir::test
