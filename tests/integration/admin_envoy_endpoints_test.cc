// Issue 17, item 7: the Envoy admin endpoints people reach for first (/help,
// /server_info, /listeners, /logging, /stats?usedonly, /clusters text and JSON,
// /healthcheck/fail and /ok, the server.* gauges) and the 400s for a bad filter or
// format; plus /split_history, the live page's data. Against the real binary.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include "tests/support/admin_stats.h"
#include "tests/support/echo_client.h"
#include "tests/support/echo_server.h"
#include "tests/support/istio_scenarios.h"
#include "tests/support/json_value.h"
#include "tests/support/ready_weir.h"
#include "tests/support/temp_dir.h"

namespace weir::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr uint16_t kPort = 9000;
const std::string kV1 = clusterName(kPort, "v1");
const std::string kV2 = clusterName(kPort, "v2");

istio::Config scenarioWithWeights(int v1, int v2, uint16_t one, uint16_t two) {
  return istio::walkThrough(kPort, {{"v1", v1, {one}}, {"v2", v2, {two}}});
}

// One endpoint per subset, 80/20, two workers, an access log (so that /logging
// has both of weir's loggers), no file watching.
struct EnvoyAdminFixture {
  TempDir dir;
  EchoServer one{dir, "one"};
  EchoServer two{dir, "two"};
  std::filesystem::path config;
  std::unique_ptr<ReadyWeir> weir;

  EnvoyAdminFixture() {
    config = dir.freshSubdir("config");
    scenarioWithWeights(80, 20, one.port(), two.port()).writeSplit(config);
    weir = std::make_unique<ReadyWeir>(
        dir, std::vector<std::filesystem::path>{config},
        ReadyWeirOptions{.concurrency = 2,
                         .ephemeral_gateway_ports = {kPort},
                         .access_log = dir.file("access.log").string(),
                         // Reloads only when a test asks, so generations are known.
                         .extra_args = {"--no-watch"}});
  }

  ClientTally send(size_t connections) {
    EchoClientRun run = runEchoClient(dir, weir->port(kPort),
                                      {.connections = connections, .concurrency = 10});
    EXPECT_TRUE(run.tally.has_value()) << run.describe();
    EXPECT_EQ(run.tally.value_or(ClientTally{}).totalAnswers(), connections) << run.describe();
    return run.tally.value_or(ClientTally{});
  }

  JsonValue getJson(const std::string& path) const {
    HttpResponse response = weir->get(path);
    EXPECT_EQ(response.status, 200) << path << ": " << response.describe();
    EXPECT_NE(response.header("content-type").find("application/json"), std::string::npos)
        << path;
    std::string error;
    std::optional<JsonValue> json = parseJson(response.body, &error);
    EXPECT_TRUE(json.has_value()) << path << ": " << error << " in " << oneLine(response.body);
    return json.value_or(JsonValue{});
  }
};

std::vector<std::string> linesOf(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(AdminEnvoyEndpoints, HelpListsEveryEndpointAndA404ShowsIt) {
  EnvoyAdminFixture fixture;
  HttpResponse help = fixture.weir->get("/help");
  ASSERT_EQ(help.status, 200) << help.describe();
  const std::vector<std::string> lines = linesOf(help.body);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "admin commands are:");
  std::vector<std::string> paths;
  for (const std::string& line : lines) {
    std::smatch match;
    if (std::regex_match(line, match, std::regex("  (/[^ :]*)( \\([A-Z, ]+\\))?: .+"))) {
      paths.push_back(match[1]);
    }
  }
  EXPECT_TRUE(std::is_sorted(paths.begin(), paths.end())) << help.body;
  for (const std::string path :
       {"/", "/clusters", "/config_dump", "/drain", "/healthcheck/fail", "/healthcheck/ok",
        "/help", "/listeners", "/logging", "/quitquitquit", "/ready", "/reload",
        "/reset_counters", "/server_info", "/split_history", "/stats", "/stats/prometheus"}) {
    EXPECT_NE(std::find(paths.begin(), paths.end(), path), paths.end())
        << path << " is not in /help:\n" << help.body;
  }
  EXPECT_NE(help.body.find("  /reload (POST): "), std::string::npos) << help.body;
  EXPECT_NE(help.body.find("  /healthcheck/fail (POST): "), std::string::npos) << help.body;
  // Every endpoint /help names answers (GET, or 405 for the POST ones), none is a 404.
  for (const std::string& path : paths) {
    HttpResponse response = fixture.weir->get(path);
    EXPECT_TRUE(response.status == 200 || response.status == 405)
        << path << ": " << response.describe();
  }
  HttpResponse missing = fixture.weir->get("/no_such_page");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, "invalid path. " + help.body);
}

TEST(AdminEnvoyEndpoints, ServerInfoHasVersionStateUptimeAndCommandLine) {
  EnvoyAdminFixture fixture;
  const JsonValue info = fixture.getJson("/server_info");
  // Envoy's layout: <commit>/<version>/<status>/<build type>.
  std::smatch match;
  const std::string version = info.find("version") ? info.find("version")->string : "";
  ASSERT_TRUE(std::regex_match(version, match,
                               std::regex("([0-9a-f]{40}|unknown)/(\\d+\\.\\d+\\.\\d+)/"
                                          "(Clean|Modified|unknown)/([A-Za-z]+)")))
      << version;
  EXPECT_EQ(info.find("state")->string, "LIVE");
  EXPECT_TRUE(std::regex_match(info.find("uptime_current_epoch")->string, std::regex("\\d+s")));
  EXPECT_EQ(info.find("uptime_all_epochs")->string, info.find("uptime_current_epoch")->string);
  const JsonValue& options = *info.find("command_line_options");
  EXPECT_EQ(options.find("concurrency")->asUnsigned(), 2u);
  EXPECT_EQ(options.find("bind")->string, "127.0.0.1");
  EXPECT_EQ(options.find("config")->items.at(0).string, fixture.config.string());
  EXPECT_EQ(options.find("port_override")->find("9000")->asUnsigned(), 0u);
  // The command line as the process got it.
  std::vector<std::string> arguments;
  for (const JsonValue& argument : info.find("command_line")->items) {
    arguments.push_back(argument.string);
  }
  ASSERT_GE(arguments.size(), 3u);
  EXPECT_EQ(std::filesystem::path(arguments[0]).filename(), "weir");
  EXPECT_NE(std::find(arguments.begin(), arguments.end(), "--concurrency"), arguments.end());
  EXPECT_EQ(info.find("node")->find("user_agent_name")->string, "weir");

  // server.version is the commit's first six hex digits as a number, as Envoy's.
  const auto before_first = std::chrono::steady_clock::now();
  std::optional<StatsSnapshot> stats = fixture.weir->stats();
  ASSERT_TRUE(stats.has_value());
  const std::string commit = match[1];
  EXPECT_EQ(stats->number("server.version"),
            commit == "unknown" ? 0 : std::stoull(commit.substr(0, 6), nullptr, 16));
  EXPECT_EQ(stats->number("server.live"), 1u);
  EXPECT_EQ(stats->number("server.state"), 0u) << "LIVE";
  EXPECT_EQ(stats->number("server.concurrency"), 2u);
  // Uptime counts whole seconds since start, in the gauge and in /server_info alike.
  const std::optional<uint64_t> first = stats->number("server.uptime");
  ASSERT_TRUE(first.has_value());
  std::this_thread::sleep_for(milliseconds(2100));
  const std::optional<uint64_t> later = fixture.weir->stat("server.uptime");
  const auto elapsed = std::chrono::steady_clock::now() - before_first;
  ASSERT_TRUE(later.has_value());
  EXPECT_GE(*later, *first + 2);
  // Whole seconds: at most one more than the time between the two reads.
  EXPECT_LE(*later, *first + 1 + std::chrono::duration_cast<seconds>(elapsed).count());
  const JsonValue again = fixture.getJson("/server_info");
  ASSERT_NE(again.find("uptime_current_epoch"), nullptr) << again.describe();
  EXPECT_GE(std::stoull(again.find("uptime_current_epoch")->string), *later);
}

TEST(AdminEnvoyEndpoints, ListenersNameEachSocketAndItsPort) {
  EnvoyAdminFixture fixture;
  const uint16_t port = fixture.weir->port(kPort);
  HttpResponse text = fixture.weir->get("/listeners");
  ASSERT_EQ(text.status, 200) << text.describe();
  EXPECT_EQ(text.body, "127.0.0.1_9000::127.0.0.1:" + std::to_string(port) + "\n");
  const JsonValue json = fixture.getJson("/listeners?format=json");
  ASSERT_NE(json.find("listener_statuses"), nullptr) << json.describe();
  const JsonValue& statuses = *json.find("listener_statuses");
  ASSERT_EQ(statuses.items.size(), 1u);
  EXPECT_EQ(statuses.items[0].find("name")->string, "127.0.0.1_9000");
  const JsonValue& socket = *statuses.items[0].find("local_address")->find("socket_address");
  EXPECT_EQ(socket.find("address")->string, "127.0.0.1");
  EXPECT_EQ(socket.find("port_value")->asUnsigned(), port);
}

TEST(AdminEnvoyEndpoints, LoggingListsAndChangesLevelsWithPostOnly) {
  EnvoyAdminFixture fixture;
  ReadyWeir& weir = *fixture.weir;
  HttpResponse list = weir.get("/logging");
  ASSERT_EQ(list.status, 200) << list.describe();
  EXPECT_EQ(list.body, "active loggers:\n  access: info\n  weir: info\n");

  // A change by GET is refused, as Envoy refuses state changes without POST.
  EXPECT_EQ(weir.get("/logging?weir=debug").status, 405);
  EXPECT_EQ(weir.get("/logging").body, list.body) << "GET changed a level";

  HttpResponse one = weir.post("/logging?weir=debug");
  ASSERT_EQ(one.status, 200) << one.describe();
  EXPECT_EQ(one.body, "active loggers:\n  access: info\n  weir: debug\n");
  HttpResponse all = weir.post("/logging?level=warning");
  ASSERT_EQ(all.status, 200) << all.describe();
  EXPECT_EQ(all.body, "active loggers:\n  access: warning\n  weir: warning\n");
  HttpResponse several = weir.post("/logging?paths=weir:trace,access:info");
  ASSERT_EQ(several.status, 200) << several.describe();
  EXPECT_EQ(several.body, "active loggers:\n  access: info\n  weir: trace\n");

  for (const std::string bad : {"/logging?weir=loud", "/logging?nosuch=debug",
                                "/logging?weir=debug&access=debug"}) {
    HttpResponse refused = weir.post(bad);
    EXPECT_EQ(refused.status, 400) << bad << ": " << refused.describe();
    EXPECT_TRUE(refused.body.starts_with("error: ")) << refused.body;
    EXPECT_NE(refused.body.find("usage: /logging?level=<level>"), std::string::npos);
  }
  EXPECT_EQ(weir.get("/logging").body, several.body) << "a refused change changed something";
}

// Envoy's /healthcheck/fail: /ready answers 503 DRAINING and server.live is 0 while
// the listeners keep accepting; /healthcheck/ok undoes it.
TEST(AdminEnvoyEndpoints, HealthCheckFailTurnsReadyDownButKeepsServing) {
  EnvoyAdminFixture fixture;
  ReadyWeir& weir = *fixture.weir;
  EXPECT_EQ(weir.get("/healthcheck/fail").status, 405);
  EXPECT_EQ(weir.get("/ready").status, 200) << "a GET failed the health check";

  HttpResponse fail = weir.post("/healthcheck/fail");
  ASSERT_EQ(fail.status, 200) << fail.describe();
  EXPECT_EQ(fail.body, "OK\n");
  HttpResponse ready = weir.get("/ready");
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(ready.body, "DRAINING\n");
  EXPECT_EQ(weir.stat("server.live"), 0u);
  EXPECT_EQ(weir.stat("server.state"), 1u) << "DRAINING";
  const JsonValue info = fixture.getJson("/server_info");
  ASSERT_NE(info.find("state"), nullptr) << info.describe();
  EXPECT_EQ(info.find("state")->string, "DRAINING");
  EXPECT_EQ(fixture.send(20).totalAnswers(), 20u) << "still proxying";
  EXPECT_EQ(weir.stat("server.draining"), 0u) << "failing health checks is not a drain";

  HttpResponse ok = weir.post("/healthcheck/ok");
  ASSERT_EQ(ok.status, 200) << ok.describe();
  ready = weir.get("/ready");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "LIVE\n");
  EXPECT_EQ(weir.stat("server.live"), 1u);
  EXPECT_EQ(weir.stat("server.state"), 0u);
}

TEST(AdminEnvoyEndpoints, StatsUsedOnlyFilterAndFormatErrors) {
  EnvoyAdminFixture fixture;
  ReadyWeir& weir = *fixture.weir;
  fixture.send(30);
  std::string error;
  std::optional<StatsSnapshot> all = weir.stats(&error);
  ASSERT_TRUE(all.has_value()) << error;
  HttpResponse used_response = weir.get("/stats?usedonly");
  ASSERT_EQ(used_response.status, 200) << used_response.describe();
  std::optional<StatsSnapshot> used = StatsSnapshot::parse(used_response.body, &error);
  ASSERT_TRUE(used.has_value()) << error;
  EXPECT_LT(used->size(), all->size());
  EXPECT_EQ(used->number("tcp.tcp-echo-gateway_9000.downstream_cx_total"), 30u);
  EXPECT_FALSE(used->has("tcp.tcp-echo-gateway_9000.downstream_cx_no_route")) << "zero";
  EXPECT_FALSE(used->has("cluster." + kV1 + ".upstream_cx_connect_fail")) << "zero";
  // Envoy sets these at start: shown whatever their value.
  EXPECT_EQ(used->number("server.state"), 0u);
  EXPECT_EQ(used->number("server.live"), 1u);
  EXPECT_TRUE(used->has("server.uptime"));
  EXPECT_TRUE(used->has("server.version"));
  for (const auto& [name, value] : used->values()) {
    EXPECT_TRUE(all->has(name)) << name;
    if (!name.starts_with("server.")) {
      EXPECT_NE(value, "0") << name;
    }
  }
  // Combined with a filter, and in JSON.
  const JsonValue json = fixture.getJson("/stats?usedonly&format=json&filter=" +
                                         urlEncode("downstream_cx_(total|no_route)"));
  ASSERT_NE(json.find("stats"), nullptr) << json.describe();
  ASSERT_EQ(json.find("stats")->items.size(), 1u) << json.describe();
  EXPECT_EQ(json.find("stats")->items[0].find("name")->string,
            "tcp.tcp-echo-gateway_9000.downstream_cx_total");
  HttpResponse prometheus = weir.get("/stats/prometheus?usedonly");
  ASSERT_EQ(prometheus.status, 200);
  EXPECT_EQ(prometheus.body.find("downstream_cx_no_route"), std::string::npos);
  EXPECT_NE(prometheus.body.find("envoy_tcp_downstream_cx_total"), std::string::npos);

  // A bad regex answers 400 with the regex error.
  HttpResponse bad_filter = weir.get("/stats?filter=" + urlEncode("["));
  EXPECT_EQ(bad_filter.status, 400) << bad_filter.describe();
  EXPECT_TRUE(bad_filter.body.starts_with("invalid filter regex \"[\": ")) << bad_filter.body;
  EXPECT_GT(bad_filter.body.size(), std::string("invalid filter regex \"[\": \n").size())
      << "no regex error in " << bad_filter.body;
  EXPECT_EQ(weir.get("/stats/prometheus?filter=" + urlEncode("(")).status, 400);
  // An unknown format answers 400 naming the formats there are.
  for (const std::string path : {"/stats?format=xml", "/clusters?format=yaml",
                                 "/listeners?format=html"}) {
    HttpResponse response = weir.get(path);
    EXPECT_EQ(response.status, 400) << path << ": " << response.describe();
    EXPECT_NE(response.body.find("usage: "), std::string::npos) << response.body;
  }
  HttpResponse as_prometheus = weir.get("/stats?format=prometheus");
  ASSERT_EQ(as_prometheus.status, 200);
  EXPECT_NE(as_prometheus.body.find("# TYPE envoy_cluster_upstream_cx_total counter"),
            std::string::npos);
}

TEST(AdminEnvoyEndpoints, ClustersAreEnvoysTextByDefaultAndJsonOnRequest) {
  EnvoyAdminFixture fixture;
  ReadyWeir& weir = *fixture.weir;
  ClientTally tally = fixture.send(100);
  HttpResponse text = weir.get("/clusters");
  ASSERT_EQ(text.status, 200) << text.describe();
  EXPECT_NE(text.header("content-type").find("text/plain"), std::string::npos);
  for (const auto& [cluster, port, answers] :
       {std::tuple{kV1, fixture.one.port(), tally.count("one")},
        std::tuple{kV2, fixture.two.port(), tally.count("two")}}) {
    const std::string host = cluster + "::127.0.0.1:" + std::to_string(port) + "::";
    for (const std::string& line :
         {host + "cx_total::" + std::to_string(answers), host + "cx_active::0",
          host + "cx_connect_fail::0", host + "health_flags::healthy", host + "weight::1",
          cluster + "::added_via_api::false"}) {
      EXPECT_NE(text.body.find(line + "\n"), std::string::npos) << line << " in\n" << text.body;
    }
  }
  // Every line is cluster::…::value.
  for (const std::string& line : linesOf(text.body)) {
    EXPECT_TRUE(line.starts_with(kV1 + "::") || line.starts_with(kV2 + "::")) << line;
  }
  const JsonValue json = fixture.getJson("/clusters?format=json");
  ASSERT_NE(json.find("clusters"), nullptr) << json.describe();
  ASSERT_EQ(json.find("clusters")->items.size(), 2u);
}

// /split_history: a sample a second; the connections of its intervals add up to
// what the clusters counted, with the weights of the generation they were made under.
TEST(AdminEnvoyEndpoints, SplitHistoryCountsEveryConnectionUnderItsWeights) {
  EnvoyAdminFixture fixture;
  ReadyWeir& weir = *fixture.weir;
  ClientTally before = fixture.send(200);
  scenarioWithWeights(20, 80, fixture.one.port(), fixture.two.port()).writeSplit(fixture.config);
  ASSERT_EQ(weir.post("/reload").status, 200);
  ClientTally after = fixture.send(200);
  const uint64_t to_one = before.count("one") + after.count("one");
  const uint64_t to_two = before.count("two") + after.count("two");

  // Wait (bounded) for a sample that has seen every connection.
  JsonValue split;
  auto sum = [](const JsonValue& destination) {
    uint64_t total = 0;
    for (const JsonValue& n : destination.find("connections")->items) {
      total += n.asUnsigned().value_or(0);
    }
    return total;
  };
  const auto deadline = std::chrono::steady_clock::now() + seconds(5);
  bool complete = false;
  while (!complete && std::chrono::steady_clock::now() < deadline) {
    split = fixture.getJson("/split_history");
    const JsonValue* routes = split.find("routes");
    complete = routes != nullptr && routes->items.size() == 1 &&
               sum(routes->items[0].find("destinations")->items.at(0)) +
                       sum(routes->items[0].find("destinations")->items.at(1)) ==
                   to_one + to_two;
    if (!complete) std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_TRUE(complete) << split.describe();
  const JsonValue& route = split.find("routes")->items[0];
  EXPECT_EQ(route.find("name")->string, "default/tcp-echo/tcp[0]");
  const JsonValue& v1 = route.find("destinations")->items[0];
  const JsonValue& v2 = route.find("destinations")->items[1];
  EXPECT_EQ(v1.find("cluster")->string, kV1);
  EXPECT_EQ(v2.find("cluster")->string, kV2);
  EXPECT_EQ(sum(v1), to_one);
  EXPECT_EQ(sum(v2), to_two);

  // Weights per sample: 80 under generation 1, 20 under generation 2, and the
  // connections made under each add up to what the client got in that phase.
  const JsonValue& samples = *split.find("samples");
  uint64_t one_in_generation[3] = {0, 0, 0};
  for (size_t i = 0; i < samples.items.size(); ++i) {
    const uint64_t generation = *samples.items[i].find("generation")->asUnsigned();
    ASSERT_TRUE(generation == 1 || generation == 2) << samples.describe();
    EXPECT_EQ(v1.find("weights")->items[i].asUnsigned(), generation == 1 ? 80u : 20u);
    EXPECT_EQ(v2.find("weights")->items[i].asUnsigned(), generation == 1 ? 20u : 80u);
    EXPECT_EQ(route.find("total_weights")->items[i].asUnsigned(), 100u);
    one_in_generation[generation] += v1.find("connections")->items[i].asUnsigned().value_or(0);
  }
  EXPECT_EQ(one_in_generation[1], before.count("one"));
  EXPECT_EQ(one_in_generation[2], after.count("one"));

  // The reload is on the chart, and a rejected one too, with its errors.
  std::ofstream(fixture.config / "virtual-service.yaml", std::ios::app) << "garbage: [\n";
  HttpResponse rejected = weir.post("/reload");
  ASSERT_EQ(rejected.status, 400);
  const JsonValue history = fixture.getJson("/split_history");
  ASSERT_NE(history.find("reloads"), nullptr) << history.describe();
  const JsonValue& reloads = *history.find("reloads");
  ASSERT_EQ(reloads.items.size(), 2u) << reloads.describe();
  EXPECT_EQ(reloads.items[0].find("result")->string, "accepted");
  EXPECT_EQ(reloads.items[0].find("generation")->asUnsigned(), 2u);
  EXPECT_EQ(reloads.items[1].find("result")->string, "rejected");
  EXPECT_EQ(reloads.items[1].find("generation")->asUnsigned(), 2u) << "2 keeps serving";
  ASSERT_FALSE(reloads.items[1].find("errors")->items.empty());
  EXPECT_NE(reloads.items[1].find("errors")->items[0].string.find("virtual-service.yaml:"),
            std::string::npos);
}

}  // namespace
}  // namespace weir::test
