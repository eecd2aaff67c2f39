// systemd's Type=notify (examples/systemd/weir.service): with NOTIFY_SOCKET set, weir
// sends READY=1 once its listeners accept, RELOADING=1 and READY=1 around every
// reload (accepted or rejected), and STOPPING=1 when a drain begins; one datagram
// each, here to a socket the test owns, as a file path or an abstract '@' name.
#include <gtest/gtest.h>

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "common/unique_fd.h"
#include "tests/support/echo_server.h"
#include "tests/support/istio_scenarios.h"
#include "tests/support/line_exchange.h"
#include "tests/support/socket_dir.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"
#include "tests/support/weir_process.h"

namespace weir::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// The service manager's end: a datagram socket bound to `name` (a path, or '@' and an
// abstract name), exported as NOTIFY_SOCKET for the children started while it lives.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& name) {
    fd_.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, name.data(), name.size());
    if (name[0] == '@') address.sun_path[0] = '\0';
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    bound_ = fd_ && ::bind(fd_.get(), reinterpret_cast<const sockaddr*>(&address), length) == 0;
    ::setenv("NOTIFY_SOCKET", name.c_str(), 1);
  }
  ~NotifySocket() { ::unsetenv("NOTIFY_SOCKET"); }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  bool bound() const { return bound_; }

  // The next datagram, waiting at most `timeout`; nullopt if none came.
  std::optional<std::string> receive(milliseconds timeout) {
    pollfd readable{fd_.get(), POLLIN, 0};
    if (::poll(&readable, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
    char buffer[4096];
    const ssize_t got = ::recv(fd_.get(), buffer, sizeof buffer, 0);
    if (got < 0) return std::nullopt;
    return std::string(buffer, static_cast<size_t>(got));
  }

 private:
  UniqueFd fd_;
  bool bound_ = false;
};

bool startsWith(const std::optional<std::string>& message, const std::string& prefix) {
  return message && message->rfind(prefix, 0) == 0;
}

TEST(ServiceNotify, ReadyOnceListeningThenReloadingAndReadyAroundEachReloadThenStopping) {
  TempDir dir;
  EchoServer one(dir, "one");
  SocketDir sockets;  // short paths: a test directory's may not fit in sun_path
  NotifySocket manager(sockets.socket("notify.sock"));
  ASSERT_TRUE(manager.bound());
  const uint16_t port = freeTcpPort();
  const std::filesystem::path config =
      istio::walkThrough(port, {{"v1", 100, {one.port()}}}).writeSplit(dir.freshSubdir("config"));
  WeirProcess weir(dir, {config}, port, {.extra_args = {"--no-watch", "--drain-time", "5"}});

  const auto ready = manager.receive(seconds(10));
  ASSERT_TRUE(startsWith(ready, "READY=1\n")) << ready.value_or("(nothing in 10 s)");
  EXPECT_EQ(exchangeLine(port, "hello", seconds(5)).firstWord(), "one")
      << "READY=1 was sent before the listener accepted";

  // An accepted reload.
  ASSERT_TRUE(weir.process().signal(SIGHUP));
  const auto reloading = manager.receive(seconds(10));
  ASSERT_TRUE(startsWith(reloading, "RELOADING=1\nMONOTONIC_USEC="))
      << reloading.value_or("(nothing in 10 s)");
  const auto reloaded = manager.receive(seconds(10));
  ASSERT_TRUE(startsWith(reloaded, "READY=1\n")) << reloaded.value_or("(nothing in 10 s)");

  // A rejected reload: the old configuration keeps serving, so the service is ready again.
  istio::walkThrough(port, {{"v1", 0, {one.port()}}, {"v2", 0, {one.port()}}})
      .writeSplit(config);
  ASSERT_TRUE(weir.process().signal(SIGHUP));
  const auto reloading_bad = manager.receive(seconds(10));
  ASSERT_TRUE(startsWith(reloading_bad, "RELOADING=1\n"))
      << reloading_bad.value_or("(nothing in 10 s)");
  const auto still_ready = manager.receive(seconds(10));
  ASSERT_TRUE(startsWith(still_ready, "READY=1\n")) << still_ready.value_or("(nothing in 10 s)");
  EXPECT_NE(still_ready->find("rejected"), std::string::npos) << *still_ready;

  ASSERT_TRUE(weir.process().signal(SIGTERM));
  const auto stopping = manager.receive(seconds(10));
  ASSERT_TRUE(startsWith(stopping, "STOPPING=1")) << stopping.value_or("(nothing in 10 s)");
  const auto status = weir.process().waitForExit(seconds(10));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->exitedWith(0)) << *status;
  EXPECT_FALSE(manager.receive(milliseconds(0)).has_value()) << "a message after STOPPING=1";
}

TEST(ServiceNotify, AbstractSocketName) {
  TempDir dir;
  EchoServer one(dir, "one");
  SocketDir sockets;
  NotifySocket manager(sockets.abstractSocket("notify"));
  ASSERT_TRUE(manager.bound());
  const uint16_t port = freeTcpPort();
  const std::filesystem::path config =
      istio::walkThrough(port, {{"v1", 100, {one.port()}}}).writeSplit(dir.freshSubdir("config"));
  WeirProcess weir(dir, {config}, port);
  const auto ready = manager.receive(seconds(10));
  EXPECT_TRUE(startsWith(ready, "READY=1\n")) << ready.value_or("(nothing in 10 s)");
}

// A socket nobody listens on must not stop weir: it warns and serves.
TEST(ServiceNotify, UnreachableManagerDoesNotStopWeir) {
  TempDir dir;
  EchoServer one(dir, "one");
  SocketDir sockets;
  ::setenv("NOTIFY_SOCKET", sockets.socket("nobody.sock").c_str(), 1);
  const uint16_t port = freeTcpPort();
  const std::filesystem::path config =
      istio::walkThrough(port, {{"v1", 100, {one.port()}}}).writeSplit(dir.freshSubdir("config"));
  WeirProcess weir(dir, {config}, port);
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_EQ(exchangeLine(port, "hello", seconds(5)).firstWord(), "one");
  EXPECT_NE(weir.process().stderrText().find("cannot notify the service manager"),
            std::string::npos)
      << weir.process().stderrText();
}

}  // namespace
}  // namespace weir::test
