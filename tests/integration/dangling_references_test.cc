// References Istio accepts although nothing answers them, with the real binaries:
// a destination whose cluster does not exist keeps its share of the picks, and
// Envoy's tcp_proxy closes the connections that pick it (no cluster: the
// listener's downstream_cx_no_route, access-log flag NC); a VirtualService bound
// to a gateway that does not exist serves nothing. `weir --strict` refuses both.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/echo_server.h"
#include "tests/support/istio_scenarios.h"
#include "tests/support/json_value.h"
#include "tests/support/line_exchange.h"
#include "tests/support/ready_weir.h"
#include "tests/support/split_statistics.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace weir::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr uint16_t kPort = 9000;
const std::string kListenerStats = "tcp.tcp-echo-gateway_9000.";
const std::string kRoute = "default/tcp-echo/tcp[0]";

std::vector<std::string> splitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The access log's JSON lines, once there are `count` of them (the log is written
// by a background thread; bounded wait).
std::vector<JsonValue> accessLogLines(const std::filesystem::path& log, size_t count) {
  const auto deadline = Clock::now() + seconds(10);
  while (splitLines(readTextFile(log)).size() < count && Clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  std::vector<JsonValue> lines;
  for (const std::string& text : splitLines(readTextFile(log))) {
    std::string error;
    std::optional<JsonValue> line = parseJson(text, &error);
    EXPECT_TRUE(line.has_value()) << error << ": " << text;
    if (line) lines.push_back(std::move(*line));
  }
  return lines;
}

std::string field(const JsonValue& line, const std::string& key) {
  const JsonValue* value = line.find(key);
  if (value == nullptr) return "<absent>";
  return value->isString() ? value->string : value->describe();
}

// The walk-through's Gateway with a TCP server on kPort, and its VirtualService
// with one rule that splits what arrives there between `route`'s subsets by
// weight. No subset is defined: the caller adds those that exist.
istio::Config walkThroughRoute(const std::vector<std::pair<std::string, int>>& route) {
  istio::Config config = istio::walkThroughObjects(kPort);
  config.gateway().server(istio::Server(kPort));
  istio::Rule rule;
  rule.match(istio::Match().port(kPort));
  for (const auto& [subset, weight] : route) rule.to(istio::walkThroughSubset(subset), weight);
  config.virtualService().tcp(rule);
  return config;
}

// How each of `count` sequential connections ended: answered "one hello", or
// closed by weir without a byte (EOF, or a reset when weir closed on the unread
// "hello"). Anything else fails the test.
struct Outcomes {
  size_t answered = 0;
  size_t closed = 0;
};
Outcomes connectMany(uint16_t port, size_t count) {
  Outcomes outcomes;
  for (size_t i = 0; i < count; ++i) {
    const LineExchange exchange = exchangeLine(port, "hello", seconds(5));
    if (exchange.data == "one hello\n" && exchange.end == IoStatus::kEof) {
      ++outcomes.answered;
    } else if (exchange.connected && exchange.data.empty() &&
               (exchange.end == IoStatus::kEof || exchange.end == IoStatus::kReset)) {
      ++outcomes.closed;
    } else {
      ADD_FAILURE() << "connection " << i << ": " << exchange.describe();
    }
  }
  return outcomes;
}

// The issue's scenario: an 80/20 split whose 20 names subset v3, which no
// DestinationRule defines. Istio accepts it; Envoy keeps the weights and closes
// the 20 % that pick the missing cluster.
TEST(DanglingReferences, TheShareOfAMissingSubsetIsClosedAsNoCluster) {
  TempDir dir;
  EchoServer one(dir, "one");
  istio::Config scenario = walkThroughRoute({{"v1", 80}, {"v3", 20}});
  scenario.addVersionSubset("v1", {one.port()});  // so the DestinationRule has v1 only
  const std::filesystem::path config = scenario.writeSplitIn(dir);
  const std::filesystem::path log = dir.file("access.json.log");

  constexpr size_t kConnections = 1000;
  Outcomes outcomes;
  {
    ReadyWeir weir(dir, {config},
                   {.concurrency = 1, .seed = 15, .ephemeral_gateway_ports = {kPort},
                    .access_log = log.string(), .access_log_format = "json"});
    outcomes = connectMany(weir.port(kPort), kConnections);
    ASSERT_EQ(outcomes.answered + outcomes.closed, kConnections);

    // 20 % of 1000 within the 99.9 % binomial interval: 200 ± 42.
    const size_t half_width = binomialHalfWidth(kConnections, 0.2, kZ999);
    EXPECT_GE(outcomes.closed, 200 - half_width);
    EXPECT_LE(outcomes.closed, 200 + half_width);

    // Counted as Envoy counts them: no route on the listener, nothing on v1.
    std::optional<StatsSnapshot> stats = weir.waitForStats(
        [&](const StatsSnapshot& s) {
          return s.number(kListenerStats + "downstream_cx_total") == kConnections &&
                 s.number(kListenerStats + "downstream_cx_active") == 0u;
        },
        seconds(10));
    ASSERT_TRUE(stats.has_value());
    EXPECT_EQ(stats->number(kListenerStats + "downstream_cx_no_route"), outcomes.closed);
    EXPECT_EQ(stats->number(clusterStat(kPort, "v1", "upstream_cx_total")), outcomes.answered);
    EXPECT_EQ(stats->number("route." + kRoute + ".cx_total"), kConnections);
    EXPECT_FALSE(stats->has(clusterStat(kPort, "v3", "upstream_cx_total")))
        << "a cluster that does not exist has no counters";

    // /config_dump shows the destination, its weight, and that it has no cluster.
    const HttpResponse dump = weir.get("/config_dump");
    ASSERT_EQ(dump.status, 200);
    EXPECT_NE(dump.body.find(
                  "{\"cluster\":\"" + clusterName(kPort, "v3") +
                  "\",\"host\":\"tcp-echo-server.default.svc.cluster.local\",\"subset\":\"v3\","
                  "\"port\":9000,\"weight\":20,\"cluster_found\":false}"),
              std::string::npos)
        << oneLine(dump.body, 2000);
  }

  // One access-log line per connection; the closed ones flagged NC.
  const std::vector<JsonValue> lines = accessLogLines(log, kConnections);
  ASSERT_EQ(lines.size(), kConnections);
  size_t no_cluster = 0;
  for (const JsonValue& line : lines) {
    if (field(line, "response_flags") != "NC") continue;
    ++no_cluster;
    SCOPED_TRACE(line.describe());
    EXPECT_EQ(field(line, "connection_termination_details"), "no_cluster_found");
    EXPECT_EQ(field(line, "route_name"), kRoute);
    EXPECT_EQ(field(line, "upstream_cluster"), "-");
    EXPECT_EQ(field(line, "upstream_host"), "-");
    EXPECT_EQ(field(line, "destination_subset"), "v3");
  }
  EXPECT_EQ(no_cluster, outcomes.closed);
}

// A connect retry that picks the missing destination ends as that: NC and no
// route, not "attempts exceeded". v1's only endpoint refuses connects, and
// --max-connect-attempts 2: a connection that picks v1 first retries, and its
// second pick is v3 (closed, NC) or v1 again (no untried endpoint left: UF).
TEST(DanglingReferences, ARetryThatPicksAMissingClusterEndsAsNoCluster) {
  TempDir dir;
  istio::Config scenario = walkThroughRoute({{"v1", 50}, {"v3", 50}});
  scenario.addVersionSubset("v1", {freeTcpPort()});  // nothing listens there
  const std::filesystem::path config = scenario.writeSplitIn(dir);
  const std::filesystem::path log = dir.file("access.json.log");

  constexpr size_t kConnections = 200;
  ReadyWeir weir(dir, {config},
                 {.concurrency = 1, .seed = 15, .ephemeral_gateway_ports = {kPort},
                  .access_log = log.string(), .access_log_format = "json",
                  .extra_args = {"--max-connect-attempts", "2"}});
  const Outcomes outcomes = connectMany(weir.port(kPort), kConnections);
  ASSERT_EQ(outcomes.closed, kConnections);

  const std::vector<JsonValue> lines = accessLogLines(log, kConnections);
  ASSERT_EQ(lines.size(), kConnections);
  size_t first_pick = 0;    // NC without an upstream tried
  size_t after_retry = 0;   // NC after v1 refused
  size_t failed = 0;        // UF: v1 twice
  for (const JsonValue& line : lines) {
    const std::string flag = field(line, "response_flags");
    if (flag == "NC") {
      EXPECT_EQ(field(line, "connection_termination_details"), "no_cluster_found");
      (field(line, "upstream_host") == "-" ? first_pick : after_retry) += 1;
    } else {
      EXPECT_EQ(flag, "UF") << line.describe();
      ++failed;
    }
  }
  // Each of the three ways happens (each has probability 1/4 or 1/2: the chance
  // that one of them never does in 200 connections is below 1e-24).
  EXPECT_GT(first_pick, 0u);
  EXPECT_GT(after_retry, 0u);
  EXPECT_GT(failed, 0u);
  std::optional<StatsSnapshot> stats = weir.stats();
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->number(kListenerStats + "downstream_cx_no_route"), first_pick + after_retry);
  EXPECT_EQ(stats->number(clusterStat(kPort, "v1", "upstream_cx_connect_attempts_exceeded")),
            failed);
}

// Gateway default/tcp-echo-gateway and VirtualService tcp-echo sending everything to
// v1 (answers "one"); in a file read first, VirtualService `stray` for every host,
// bound to a gateway that does not exist, sending everything to v2 ("two").
std::filesystem::path strayConfig(const TempDir& dir, const EchoServer& one,
                                  const EchoServer& two) {
  istio::Config scenario = walkThroughRoute({{"v1", 100}});
  scenario.addVersionSubset("v1", {one.port()}).addVersionSubset("v2", {two.port()});
  const std::filesystem::path config = scenario.writeSplitIn(dir);
  // Literal: StrictRefusesThem checks the line and column of its gateway.
  replaceFile(config / "0-stray.yaml", R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: stray}
spec:
  hosts: ["*"]
  gateways: [tcp-echo-gatway]
  tcp:
  - route:
    - destination: {host: tcp-echo-server, port: {number: 9000}, subset: v2}
)");
  return config;
}

TEST(DanglingReferences, AVirtualServiceOnAMissingGatewayChangesNothing) {
  TempDir dir;
  EchoServer one(dir, "one");
  EchoServer two(dir, "two");
  const std::filesystem::path config = strayConfig(dir, one, two);

  ReadyWeir weir(dir, {config}, {.concurrency = 2, .ephemeral_gateway_ports = {kPort}});
  const Outcomes outcomes = connectMany(weir.port(kPort), 50);
  EXPECT_EQ(outcomes.answered, 50u);
  std::optional<StatsSnapshot> stats = weir.stats();
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->number(kListenerStats + "downstream_cx_no_route"), 0u);
  EXPECT_FALSE(stats->has("route.default/stray/tcp[0].cx_total"));
}

// --strict refuses what Istio accepts here, with the same words, at --validate and
// at start; without it --validate passes and warns.
ProcessResult runWeir(const TempDir& dir, const std::string& name,
                      const std::vector<std::string>& arguments) {
  std::vector<std::string> argv = {kWeirBinary};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  return runToCompletion(ChildSpec{argv, dir.path() / "logs", name, std::nullopt}, seconds(20));
}

TEST(DanglingReferences, StrictRefusesThem) {
  TempDir dir;
  EchoServer one(dir, "one");
  EchoServer two(dir, "two");
  const std::filesystem::path config = strayConfig(dir, one, two);
  const std::string where = (config / "0-stray.yaml").string() + ":6:14: ";
  const std::string message =
      "spec.gateways[0]: gateway \"default/tcp-echo-gatway\" not found, so VirtualService "
      "default/stray is bound to no server through it; did you mean "
      "\"default/tcp-echo-gateway\"?";

  const ProcessResult lenient = runWeir(dir, "validate", {"--validate", "-c", config.string()});
  EXPECT_TRUE(lenient.status.exitedWith(0)) << lenient.status.describe() << lenient.stderr_text;
  auto hasLine = [](const std::string& text, const std::string& line) {
    const std::vector<std::string> lines = splitLines(text);
    return std::find(lines.begin(), lines.end(), line) != lines.end();
  };
  EXPECT_TRUE(hasLine(lenient.stderr_text, "warning: " + where + message))
      << lenient.stderr_text;

  const ProcessResult strict =
      runWeir(dir, "validate-strict", {"--validate", "--strict", "-c", config.string()});
  EXPECT_TRUE(strict.status.exitedWith(1)) << strict.status.describe();
  EXPECT_TRUE(hasLine(strict.stderr_text, where + message)) << strict.stderr_text;

  const ProcessResult start =
      runWeir(dir, "start-strict",
              {"--strict", "-c", config.string(), "--bind", "127.0.0.1", "--port-override",
               "9000=0", "--admin", "none", "--no-watch"});
  EXPECT_TRUE(start.status.exitedWith(1)) << start.status.describe();
  EXPECT_TRUE(hasLine(start.stderr_text, where + message)) << start.stderr_text;
}

}  // namespace
}  // namespace weir::test
