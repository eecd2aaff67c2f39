// Issue 17: weir as a library writes its own log to standard error, never to the
// host program's standard output, unless the caller gives it a logger of its own
// (ProxySettings::logger) or a level (ProxySettings::log_level). The embedded echo
// server likewise.
#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>
#include <weir/echo_server.h>
#include <weir/proxy.h>

#include <memory>
#include <sstream>
#include <string>

namespace {

std::string config(uint16_t endpoint_port) {
  return R"(apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  servers:
  - port: {number: 9000, name: tcp, protocol: TCP}
    hosts: ["*"]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: vs}
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - route:
    - destination: {host: echo}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: echo}
spec:
  hosts: [echo]
  ports: [{number: 9000, name: tcp, protocol: TCP}]
  resolution: STATIC
  endpoints:
  - {address: 127.0.0.1, ports: {tcp: )" +
         std::to_string(endpoint_port) + R"(}}
)";
}

weir::ProxySettings settingsFor(const weir::EchoServer& echo) {
  weir::ProxySettings settings;
  settings.config_texts = {{"echo.yaml", config(echo.port())}};
  settings.ephemeral_ports = true;
  return settings;
}

// Started, reloaded and stopped with the default settings: standard output stays
// the host's, and the proxy's lines go to standard error.
TEST(EmbeddedLogging, NothingIsPrintedOnStandardOutputByDefault) {
  weir::EchoServer echo("one");
  const weir::ProxySettings settings = settingsFor(echo);
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  {
    auto proxy = weir::Proxy::start(settings);
    EXPECT_EQ(proxy->reload(), std::vector<std::string>{});
  }
  const std::string out = testing::internal::GetCapturedStdout();
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(out, "");
  EXPECT_NE(err.find("ready: 1 listener(s)"), std::string::npos) << err;
  EXPECT_NE(err.find("reloaded: configuration generation 2"), std::string::npos) << err;
}

TEST(EmbeddedLogging, TheLevelIsTheCallers) {
  weir::EchoServer echo("one");
  weir::ProxySettings settings = settingsFor(echo);
  settings.log_level = spdlog::level::warn;
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  { auto proxy = weir::Proxy::start(settings); }
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "");
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

// The caller's logger gets every line, and neither stream gets any.
TEST(EmbeddedLogging, TheCallersLoggerGetsTheLines) {
  weir::EchoServer echo("one");
  weir::ProxySettings settings = settingsFor(echo);
  std::ostringstream lines;
  settings.logger = std::make_shared<spdlog::logger>(
      "host-app", std::make_shared<spdlog::sinks::ostream_sink_mt>(lines));
  settings.logger->set_pattern("%n %l %v");
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  {
    auto proxy = weir::Proxy::start(settings);
    EXPECT_EQ(proxy->reload(), std::vector<std::string>{});
  }
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "");
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  const std::string text = lines.str();
  EXPECT_NE(text.find("host-app info listener 127.0.0.1:"), std::string::npos) << text;
  EXPECT_NE(text.find("host-app info ready: 1 listener(s), 1 worker(s)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("host-app info reloaded: configuration generation 2"), std::string::npos)
      << text;
}

// A line longer than the echo server takes (64 KiB) is refused with an error line:
// it reaches standard error, not the host's standard output.
TEST(EmbeddedLogging, TheEchoServerWritesItsLinesToStandardError) {
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  {
    weir::EchoServer echo("one");
    const int client = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(client, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(echo.port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    const timeval wait{5, 0};  // bounded: the server closes long before
    setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    const std::string long_line(80 * 1024, 'x');
    ASSERT_EQ(send(client, long_line.data(), long_line.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(long_line.size()));
    char byte = 0;
    EXPECT_LE(recv(client, &byte, 1, 0), 0);  // closed (or reset), nothing echoed
    close(client);
  }
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "");
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("line longer than 65536 bytes, disconnecting"), std::string::npos) << err;
}

}  // namespace
