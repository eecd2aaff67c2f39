// Issue 17: weir's own log (standard error) has one timestamp style, ISO 8601 in
// UTC with the zone (as the access log and the echo tools), comes as JSON lines with
// --log-format json, and at debug level has one line per connection, failed connects
// included. The log is the feature here, so these tests read its text.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "tests/support/child_process.h"
#include "tests/support/echo_server.h"
#include "tests/support/json_value.h"
#include "tests/support/line_exchange.h"
#include "tests/support/ready_weir.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace weir::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
namespace fs = std::filesystem;

constexpr uint16_t kPort = 9000;
const std::regex kIsoUtcTime("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");

// One Gateway port, routed 100 % to 127.0.0.1:endpoint_port.
fs::path writeConfig(const TempDir& dir, uint16_t endpoint_port) {
  const fs::path file = dir.freshSubdir("config") / "config.yaml";
  writeTextFile(file, fmt::format(R"(apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {{name: gw}}
spec:
  servers:
  - port: {{number: {0}, name: tcp, protocol: TCP}}
    hosts: ["*"]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: vs}}
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - route:
    - destination: {{host: echo, port: {{number: {0}}}}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: echo}}
spec:
  hosts: [echo]
  ports: [{{number: {0}, name: tcp, protocol: TCP}}]
  resolution: STATIC
  endpoints:
  - address: 127.0.0.1
    ports: {{tcp: {1}}}
)",
                                  kPort, endpoint_port));
  return file;
}

std::vector<std::string> linesOf(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

size_t countContaining(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (const std::string& line : linesOf(text)) count += line.find(needle) != std::string::npos;
  return count;
}

TEST(OwnLog, TextLinesStartWithAnIsoUtcTime) {
  TempDir dir;
  EchoServer one(dir, "one");
  ReadyWeir weir(dir, {writeConfig(dir, one.port())}, {.ephemeral_gateway_ports = {kPort}});
  const std::vector<std::string> lines = linesOf(weir.process().stderrText());
  ASSERT_FALSE(lines.empty());
  const std::regex line_start("\\[\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\] \\[\\w+\\] .*");
  for (const std::string& line : lines) {
    EXPECT_TRUE(std::regex_match(line, line_start)) << line;
  }
}

TEST(OwnLog, JsonFormatWritesOneObjectPerLine) {
  TempDir dir;
  EchoServer one(dir, "one");
  ReadyWeir weir(dir, {writeConfig(dir, one.port())},
                 {.ephemeral_gateway_ports = {kPort}, .extra_args = {"--log-format", "json"}});
  const std::vector<std::string> lines = linesOf(weir.process().stderrText());
  ASSERT_FALSE(lines.empty());
  bool ready_seen = false;
  for (const std::string& line : lines) {
    std::string error;
    const std::optional<JsonValue> object = parseJson(line, &error);
    ASSERT_TRUE(object && object->isObject()) << error << ": " << line;
    for (const char* key : {"time", "level", "logger", "message"}) {
      const JsonValue* value = object->find(key);
      ASSERT_TRUE(value != nullptr && value->isString()) << key << " in " << line;
    }
    EXPECT_TRUE(std::regex_match(object->find("time")->string, kIsoUtcTime)) << line;
    EXPECT_EQ(object->find("logger")->string, "weir") << line;
    ready_seen = ready_seen || object->find("message")->string.starts_with("ready: ");
  }
  EXPECT_TRUE(ready_seen) << weir.process().stderrText();
}

// At debug level, one line per connection when it ends, failed connects included
// (before, those showed only as UF in the access log).
TEST(OwnLog, DebugLevelLogsEveryConnectionIncludingConnectFailures) {
  TempDir dir;
  const uint16_t dead_port = freeTcpPort();  // nothing listens there
  ReadyWeir weir(dir, {writeConfig(dir, dead_port)},
                 {.concurrency = 1, .ephemeral_gateway_ports = {kPort}, .log_level = "debug"});
  constexpr size_t kConnections = 3;
  for (size_t i = 0; i < kConnections; ++i) {
    const LineExchange exchange = exchangeLine(weir.port(kPort), "hello", seconds(5));
    EXPECT_TRUE(exchange.connected) << exchange.describe();
  }
  const std::string failure = fmt::format("upstream_connect_failed (UF)");
  const auto deadline = std::chrono::steady_clock::now() + seconds(5);
  while (countContaining(weir.process().stderrText(), failure) < kConnections &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  const std::string log = weir.process().stderrText();
  EXPECT_EQ(countContaining(log, failure), kConnections) << log;
  EXPECT_EQ(countContaining(log, fmt::format("upstream 127.0.0.1:{}", dead_port)), kConnections)
      << log;
}

TEST(OwnLog, InfoLevelHasNoLinePerConnection) {
  TempDir dir;
  EchoServer one(dir, "one");
  ReadyWeir weir(dir, {writeConfig(dir, one.port())}, {.ephemeral_gateway_ports = {kPort}});
  EXPECT_EQ(exchangeLine(weir.port(kPort), "hello", seconds(5)).firstWord(), "one");
  weir.process().signal(SIGTERM);  // drains: the connection has ended, the log is complete
  weir.process().waitForExit(seconds(5));
  EXPECT_EQ(countContaining(weir.process().stderrText(), "connection 127.0.0.1:"), 0u)
      << weir.process().stderrText();
}

// tcp-echo-server's log has the same timestamps.
TEST(OwnLog, EchoServerLogsIsoUtcTimes) {
  TempDir dir;
  ChildProcess server(ChildSpec{{kEchoServerBinary, "--listen", "127.0.0.1", "0", "one"},
                                dir.path() / "logs",
                                "echo",
                                std::nullopt});
  const auto deadline = std::chrono::steady_clock::now() + seconds(5);
  while (server.stdoutText().find("listening on") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  ASSERT_NE(server.stdoutText().find("listening on"), std::string::npos);
  server.stop();
  const std::vector<std::string> lines = linesOf(server.stderrText());
  ASSERT_FALSE(lines.empty()) << "no log line on stopping";
  const std::regex line_start(
      "\\[\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\] \\[tcp-echo-server\\] .*");
  for (const std::string& line : lines) EXPECT_TRUE(std::regex_match(line, line_start)) << line;
}

}  // namespace
}  // namespace weir::test
