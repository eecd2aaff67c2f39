// Issue 3, "Access log": one line per connection, at close, as JSON (Envoy's command
// operator names) or in Istio's default text shape.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/support/echo_server.h"
#include "tests/support/istio_scenarios.h"
#include "tests/support/json_value.h"
#include "tests/support/line_exchange.h"
#include "tests/support/ready_weir.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"

namespace weir::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr uint16_t kPort = 9000;
constexpr size_t kConnections = 40;
const std::string kHost = "tcp-echo-server.default.svc.cluster.local";
const std::string kRoute = "default/tcp-echo/tcp[0]";
const std::string kListener = "default/tcp-echo-gateway/tcp";

std::vector<std::string> splitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Ends weir with SIGTERM (a drain with nothing open: it exits at once, after flushing
// its access log) and checks it exited 0.
void stopGracefully(ReadyWeir& weir) {
  ASSERT_TRUE(weir.process().signal(SIGTERM));
  std::optional<ExitStatus> status = weir.process().waitForExit(seconds(10));
  ASSERT_TRUE(status.has_value()) << "weir still runs 10 s after SIGTERM";
  EXPECT_TRUE(status->exitedWith(0)) << *status;
}

// What the test knows about each connection it made, keyed by its client port.
struct MadeConnection {
  std::string subset;         // from the answer: "one ..." -> v1, "two ..." -> v2
  uint16_t upstream_port = 0;
};

struct AccessLogFixture {
  TempDir dir;
  EchoServer one{dir, "one"};
  EchoServer two{dir, "two"};
  uint16_t dead_port = 0;
  std::filesystem::path config;

  // v1/v2 at 50/50; with `dead`, a third subset "v3" whose endpoint is a port where
  // nothing listens, and a rule that sends everything there.
  explicit AccessLogFixture(bool dead = false) {
    istio::Config scenario = istio::walkThroughObjects();
    scenario.gateway().server(istio::Server(kPort));
    scenario.addVersionSubset("v1", {one.port()}).addVersionSubset("v2", {two.port()});
    istio::Rule rule = istio::Rule().match(istio::Match().port(kPort));
    if (dead) {
      dead_port = freeTcpPort();
      scenario.addVersionSubset("v3", {dead_port});
      rule.to(istio::walkThroughSubset("v3"), 100);
    } else {
      rule.to(istio::walkThroughSubset("v1"), 50).to(istio::walkThroughSubset("v2"), 50);
    }
    scenario.virtualService().tcp(rule);
    config = scenario.writeSplitIn(dir);
  }

  // kConnections exchanges of "hello <i>\n" one after the other.
  std::map<uint16_t, MadeConnection> exchange(uint16_t port, size_t count) {
    std::map<uint16_t, MadeConnection> made;
    for (size_t i = 0; i < count; ++i) {
      std::string error;
      std::optional<TcpConnection> connection = TcpConnection::connect(port, seconds(5), &error);
      EXPECT_TRUE(connection.has_value()) << error;
      if (!connection) break;
      const uint16_t client_port = connection->localPort();
      EXPECT_EQ(connection->sendAll("hello " + std::to_string(i % 10) + "\n", seconds(5)),
                IoStatus::kOk);
      EXPECT_TRUE(connection->shutdownWrite());
      TcpConnection::ReadResult answer = connection->readUntilEof(seconds(5));
      EXPECT_EQ(answer.end, IoStatus::kEof);
      MadeConnection record;
      if (answer.data.starts_with("one ")) {
        record = {"v1", one.port()};
      } else if (answer.data.starts_with("two ")) {
        record = {"v2", two.port()};
      } else {
        ADD_FAILURE() << "connection " << i << " answered '" << oneLine(answer.data) << "'";
      }
      made[client_port] = record;
    }
    return made;
  }
};

std::string field(const JsonValue& line, const std::string& key) {
  const JsonValue* value = line.find(key);
  if (value == nullptr) return "<absent>";
  return value->isString() ? value->string : value->describe();
}

const std::vector<std::string> kJsonKeys = {
    "start_time",         "duration",          "downstream_remote_address",
    "downstream_local_address", "listener",    "route_name",
    "destination_host",   "destination_subset", "upstream_cluster",
    "upstream_host",      "upstream_local_address", "upstream_connect_time",
    "bytes_received",     "bytes_sent",        "response_flags",
    "connection_termination_details"};

TEST(AccessLog, JsonLinePerConnectionWithWhatHappened) {
  AccessLogFixture fixture;
  const std::filesystem::path log = fixture.dir.file("access.json.log");
  std::map<uint16_t, MadeConnection> made;
  uint16_t weir_port = 0;
  uint16_t held_client_port = 0;
  {
    ReadyWeir weir(fixture.dir, {fixture.config},
                   {.concurrency = 2, .ephemeral_gateway_ports = {kPort},
                    .access_log = log.string(), .access_log_format = "json"});
    weir_port = weir.port(kPort);
    made = fixture.exchange(weir_port, kConnections);
    ASSERT_EQ(made.size(), kConnections);

    // A connection held open for 300 ms: its line comes at close, with its duration.
    std::string error;
    std::optional<TcpConnection> held = TcpConnection::connect(weir_port, seconds(5), &error);
    ASSERT_TRUE(held.has_value()) << error;
    held_client_port = held->localPort();
    ASSERT_EQ(held->sendAll("held\n", seconds(5)), IoStatus::kOk);
    std::optional<std::string> answer = held->readLine(seconds(5));
    ASSERT_TRUE(answer.has_value());
    made[held_client_port] = answer->starts_with("one") ? MadeConnection{"v1", fixture.one.port()}
                                                        : MadeConnection{"v2", fixture.two.port()};
    std::this_thread::sleep_for(milliseconds(300));
    // The closed connections are logged (bounded wait: the log is written by a
    // background thread), the held one is not.
    const auto deadline = Clock::now() + seconds(10);
    while (splitLines(readTextFile(log)).size() < kConnections && Clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(10));
    }
    EXPECT_EQ(splitLines(readTextFile(log)).size(), kConnections)
        << "the open connection must not be logged before it closes";
    ASSERT_TRUE(held->shutdownWrite());
    EXPECT_EQ(held->readUntilEof(seconds(5)).end, IoStatus::kEof);
    held.reset();
    ASSERT_TRUE(weir.waitForStats(
        [](const StatsSnapshot& s) {
          return s.number("tcp.tcp-echo-gateway_9000.downstream_cx_active") == 0u;
        },
        seconds(10)));
    stopGracefully(weir);
  }

  const std::vector<std::string> lines = splitLines(readTextFile(log));
  ASSERT_EQ(lines.size(), kConnections + 1) << "exactly one line per connection";
  std::set<uint16_t> seen;
  for (const std::string& text : lines) {
    SCOPED_TRACE(text);
    std::string error;
    std::optional<JsonValue> line = parseJson(text, &error);
    ASSERT_TRUE(line.has_value()) << error;
    ASSERT_TRUE(line->isObject());
    EXPECT_EQ(memberNames(*line), kJsonKeys);

    const std::string client = field(*line, "downstream_remote_address");
    ASSERT_TRUE(client.starts_with("127.0.0.1:")) << client;
    const uint16_t client_port = static_cast<uint16_t>(std::stoi(client.substr(10)));
    ASSERT_TRUE(made.contains(client_port)) << "a line for a connection the test did not make";
    EXPECT_TRUE(seen.insert(client_port).second) << "two lines for one connection";
    const MadeConnection& connection = made[client_port];
    const bool held = client_port == held_client_port;

    EXPECT_TRUE(std::regex_match(field(*line, "start_time"),
                                 std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
    EXPECT_EQ(field(*line, "downstream_local_address"), "127.0.0.1:" + std::to_string(weir_port));
    EXPECT_EQ(field(*line, "listener"), kListener);
    EXPECT_EQ(field(*line, "route_name"), kRoute);
    EXPECT_EQ(field(*line, "destination_host"), kHost);
    EXPECT_EQ(field(*line, "destination_subset"), connection.subset);
    EXPECT_EQ(field(*line, "upstream_cluster"), "outbound|9000|" + connection.subset + "|" + kHost);
    EXPECT_EQ(field(*line, "upstream_host"),
              "127.0.0.1:" + std::to_string(connection.upstream_port));
    EXPECT_TRUE(field(*line, "upstream_local_address").starts_with("127.0.0.1:"));
    std::optional<uint64_t> connect_time = line->find("upstream_connect_time")->asUnsigned();
    ASSERT_TRUE(connect_time.has_value()) << "connected, so a connect time";
    std::optional<uint64_t> duration = line->find("duration")->asUnsigned();
    ASSERT_TRUE(duration.has_value());
    EXPECT_LE(*connect_time, *duration);
    // "hello N\n" (8 bytes) answered by "one hello N\n" (12); "held\n" (5) by 9.
    EXPECT_EQ(line->find("bytes_received")->asUnsigned(), held ? 5u : 8u);
    EXPECT_EQ(line->find("bytes_sent")->asUnsigned(), held ? 9u : 12u);
    EXPECT_EQ(field(*line, "response_flags"), "-");
    // The client's FIN reached weir before the echo server closed its side.
    EXPECT_EQ(field(*line, "connection_termination_details"), "downstream_closed");
    if (held) {
      EXPECT_GE(*duration, 300u) << "held open for 300 ms";
      EXPECT_LT(*duration, 10000u);
    }
  }
  EXPECT_EQ(seen.size(), kConnections + 1);
}

TEST(AccessLog, DeadUpstreamIsLoggedAsUpstreamConnectFailure) {
  AccessLogFixture fixture(/*dead=*/true);
  const std::filesystem::path log = fixture.dir.file("access.json.log");
  uint16_t client_port = 0;
  {
    ReadyWeir weir(fixture.dir, {fixture.config},
                   {.concurrency = 1, .ephemeral_gateway_ports = {kPort},
                    .access_log = log.string(), .access_log_format = "json"});
    std::string error;
    std::optional<TcpConnection> connection =
        TcpConnection::connect(weir.port(kPort), seconds(5), &error);
    ASSERT_TRUE(connection.has_value()) << error;
    client_port = connection->localPort();
    // weir accepts, fails to reach the upstream, and closes: no byte comes back.
    ASSERT_EQ(connection->sendAll("hello\n", seconds(5)), IoStatus::kOk);
    TcpConnection::ReadResult answer = connection->readUntilEof(seconds(5));
    EXPECT_EQ(answer.data, "");
    EXPECT_TRUE(answer.end == IoStatus::kEof || answer.end == IoStatus::kReset)
        << toString(answer.end);
    ASSERT_TRUE(weir.waitForStats(
        [](const StatsSnapshot& s) {
          return s.number(clusterStat(9000, "v3", "upstream_cx_connect_fail")) == 1u;
        },
        seconds(10)))
        << "upstream_cx_connect_fail did not count the refused connect";
    HttpResponse clusters = weir.get("/clusters?format=json");
    std::optional<JsonValue> document = parseJson(clusters.body);
    ASSERT_TRUE(document.has_value()) << clusters.describe();
    const JsonValue& endpoint =
        document->find("clusters")->items.at(0).find("endpoints")->items.at(0);
    EXPECT_EQ(endpoint.find("cx_connect_fail")->asUnsigned(), 1u) << endpoint.describe();
    stopGracefully(weir);
  }
  const std::vector<std::string> lines = splitLines(readTextFile(log));
  ASSERT_EQ(lines.size(), 1u) << readTextFile(log);
  std::string error;
  std::optional<JsonValue> line = parseJson(lines[0], &error);
  ASSERT_TRUE(line.has_value()) << error << ": " << lines[0];
  EXPECT_EQ(field(*line, "response_flags"), "UF") << lines[0];
  EXPECT_EQ(field(*line, "connection_termination_details"), "upstream_connect_failed") << lines[0];
  EXPECT_EQ(field(*line, "downstream_remote_address"), "127.0.0.1:" + std::to_string(client_port));
  EXPECT_EQ(field(*line, "upstream_host"), "127.0.0.1:" + std::to_string(fixture.dead_port));
  EXPECT_EQ(field(*line, "destination_subset"), "v3");
  EXPECT_TRUE(line->find("upstream_connect_time")->isNull()) << "never connected: " << lines[0];
  EXPECT_EQ(field(*line, "upstream_local_address"), "-");
  EXPECT_EQ(line->find("bytes_sent")->asUnsigned(), 0u);
}

// Istio's default text format, TCP shape:
// [START] "- - -" 0 FLAGS - TERMINATION "-" RX TX DURATION - "-" "-" "-" "-"
// "UPSTREAM_HOST" UPSTREAM_CLUSTER UPSTREAM_LOCAL DOWNSTREAM_LOCAL DOWNSTREAM_REMOTE - ROUTE
const std::regex kTextLine(
    R"re(\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\] "- - -" 0 (\S+) - (\S+) "-" (\d+) (\d+) (\d+) - )re"
    R"re("-" "-" "-" "-" "([^"]*)" (\S+) (\S+) (\S+) (\S+) - (\S+))re");

struct TextFields {
  std::string flags, termination, upstream_host, cluster, upstream_local, downstream_local,
      downstream_remote, route;
  uint64_t received = 0, sent = 0, duration = 0;
};

std::optional<TextFields> parseTextLine(const std::string& line) {
  std::smatch match;
  if (!std::regex_match(line, match, kTextLine)) return std::nullopt;
  TextFields fields;
  fields.flags = match[2];
  fields.termination = match[3];
  fields.received = std::stoull(match[4]);
  fields.sent = std::stoull(match[5]);
  fields.duration = std::stoull(match[6]);
  fields.upstream_host = match[7];
  fields.cluster = match[8];
  fields.upstream_local = match[9];
  fields.downstream_local = match[10];
  fields.downstream_remote = match[11];
  fields.route = match[12];
  return fields;
}

// The same facts in the text format, here written to standard output (--access-log -).
TEST(AccessLog, TextFormatOnStdoutCarriesTheSameFields) {
  AccessLogFixture fixture;
  std::map<uint16_t, MadeConnection> made;
  uint16_t weir_port = 0;
  std::string output;
  {
    ReadyWeir weir(fixture.dir, {fixture.config},
                   {.concurrency = 2, .ephemeral_gateway_ports = {kPort}, .access_log = "-",
                    .access_log_format = "text"});
    weir_port = weir.port(kPort);
    made = fixture.exchange(weir_port, kConnections);
    stopGracefully(weir);
    output = weir.process().stdoutText();
  }
  const std::vector<std::string> lines = splitLines(output);
  ASSERT_EQ(lines.size(), kConnections) << output;
  std::set<uint16_t> seen;
  for (const std::string& line : lines) {
    SCOPED_TRACE(line);
    std::optional<TextFields> fields = parseTextLine(line);
    ASSERT_TRUE(fields.has_value()) << "not Istio's text shape";
    ASSERT_TRUE(fields->downstream_remote.starts_with("127.0.0.1:"));
    const uint16_t client_port = static_cast<uint16_t>(std::stoi(fields->downstream_remote.substr(10)));
    ASSERT_TRUE(made.contains(client_port));
    EXPECT_TRUE(seen.insert(client_port).second);
    const MadeConnection& connection = made[client_port];
    EXPECT_EQ(fields->flags, "-");
    EXPECT_EQ(fields->termination, "downstream_closed");
    EXPECT_EQ(fields->received, 8u);
    EXPECT_EQ(fields->sent, 12u);
    EXPECT_LT(fields->duration, 10000u);
    EXPECT_EQ(fields->upstream_host, "127.0.0.1:" + std::to_string(connection.upstream_port));
    EXPECT_EQ(fields->cluster, "outbound|9000|" + connection.subset + "|" + kHost);
    EXPECT_TRUE(fields->upstream_local.starts_with("127.0.0.1:"));
    EXPECT_EQ(fields->downstream_local, "127.0.0.1:" + std::to_string(weir_port));
    EXPECT_EQ(fields->route, kRoute);
  }
}

TEST(AccessLog, TextFormatReportsUpstreamConnectFailure) {
  AccessLogFixture fixture(/*dead=*/true);
  const std::filesystem::path log = fixture.dir.file("access.text.log");
  {
    ReadyWeir weir(fixture.dir, {fixture.config},
                   {.concurrency = 1, .ephemeral_gateway_ports = {kPort},
                    .access_log = log.string(), .access_log_format = "text"});
    LineExchange exchange = exchangeLine(weir.port(kPort), "hello", seconds(5));
    EXPECT_EQ(exchange.data, "") << exchange.describe();
    stopGracefully(weir);
  }
  const std::vector<std::string> lines = splitLines(readTextFile(log));
  ASSERT_EQ(lines.size(), 1u) << readTextFile(log);
  std::optional<TextFields> fields = parseTextLine(lines[0]);
  ASSERT_TRUE(fields.has_value()) << lines[0];
  EXPECT_EQ(fields->flags, "UF") << lines[0];
  EXPECT_EQ(fields->termination, "upstream_connect_failed") << lines[0];
  EXPECT_EQ(fields->upstream_host, "127.0.0.1:" + std::to_string(fixture.dead_port));
  EXPECT_EQ(fields->cluster, "outbound|9000|v3|" + kHost);
  EXPECT_EQ(fields->upstream_local, "-");
  EXPECT_EQ(fields->sent, 0u);
}

}  // namespace
}  // namespace weir::test
