// Issue 3, "Admin server": every endpoint of weir's admin API against the real binary,
// with numbers that must equal what the test sent.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "tests/support/admin_stats.h"
#include "tests/support/child_process.h"
#include "tests/support/echo_client.h"
#include "tests/support/echo_server.h"
#include "tests/support/istio_scenarios.h"
#include "tests/support/json_value.h"
#include "tests/support/ready_weir.h"
#include "tests/support/split_statistics.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"

namespace weir::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr uint16_t kPort = 9000;
// Listener stats are named after the Gateway and its configured port.
const std::string kListenerStats = "tcp.tcp-echo-gateway_9000.";
const std::string kMessage = "hello";  // tcp-echo-client sends "hello\n"
constexpr size_t kConnections = 300;

// v1 has two endpoints (both answer "one"), v2 one; weights 50/50.
struct AdminFixture {
  TempDir dir;
  EchoServer one_a{dir, "one"};
  EchoServer one_b{dir, "one"};
  EchoServer two{dir, "two"};
  std::filesystem::path config;
  std::unique_ptr<ReadyWeir> weir;

  istio::Config scenario(int v1_weight, int v2_weight) const {
    return istio::walkThrough(
        kPort, {{"v1", v1_weight, {one_a.port(), one_b.port()}}, {"v2", v2_weight, {two.port()}}});
  }

  AdminFixture() {
    config = scenario(50, 50).writeSplitIn(dir);
    weir = std::make_unique<ReadyWeir>(
        dir, std::vector<std::filesystem::path>{config},
        ReadyWeirOptions{.concurrency = 2, .ephemeral_gateway_ports = {kPort}});
  }

  // Runs tcp-echo-client and waits (bounded) until weir has closed every connection,
  // so that counters no longer move.
  ClientTally sendConnections(size_t count) {
    EchoClientRun run = runEchoClient(dir, weir->port(kPort),
                                      {.connections = count, .concurrency = 20,
                                       .message = kMessage});
    EXPECT_TRUE(run.tally.has_value()) << run.describe();
    EXPECT_TRUE(run.process.status.exitedWith(0)) << run.describe();
    // weir lowers the active gauges before it records a connection's length, so wait
    // for both: nothing open, and a length recorded per upstream connection (">=":
    // after /reset_counters a connection counted before the reset may end after it).
    EXPECT_TRUE(weir->waitForStats(
        [](const StatsSnapshot& stats) {
          uint64_t lengths = 0;
          uint64_t upstream = 0;
          for (const std::string& subset : {"v1", "v2"}) {
            lengths += stats.histogram(clusterStat(kPort, subset, "upstream_cx_length_ms"))
                           .value_or(HistogramSummary{}).count;
            upstream += stats.number(clusterStat(kPort, subset, "upstream_cx_total")).value_or(0);
          }
          return stats.number(kListenerStats + "downstream_cx_active") == 0u &&
                 lengths >= upstream;
        },
        seconds(10)))
        << "connections still open (or their lengths unrecorded) 10 s after the client finished";
    return run.tally.value_or(ClientTally{});
  }
};

const std::string kV1 = clusterName(kPort, "v1");
const std::string kV2 = clusterName(kPort, "v2");

TEST(AdminApi, StatsCountExactlyWhatWasSent) {
  AdminFixture fixture;
  ReadyWeir& weir = *fixture.weir;
  ClientTally tally = fixture.sendConnections(kConnections);
  ASSERT_EQ(tally.totalAnswers(), kConnections) << tally.describe();
  const uint64_t to_one = tally.count("one");
  const uint64_t to_two = tally.count("two");
  // 50/50 over 300: both subsets get traffic (each misses with p = 2^-300).
  ASSERT_GT(to_one, 0u);
  ASSERT_GT(to_two, 0u);

  std::string error;
  std::optional<StatsSnapshot> stats = weir.stats(&error);
  ASSERT_TRUE(stats.has_value()) << error;
  // What each connection carried: "hello\n" up, "one hello\n" / "two hello\n" down.
  const uint64_t up = kMessage.size() + 1;
  const uint64_t down = 4 + kMessage.size() + 1;
  EXPECT_EQ(stats->number(kListenerStats + "downstream_cx_total"), kConnections);
  EXPECT_EQ(stats->number(kListenerStats + "downstream_cx_active"), 0u);
  EXPECT_EQ(stats->number(kListenerStats + "downstream_cx_no_route"), 0u);
  EXPECT_EQ(stats->number(kListenerStats + "downstream_cx_rx_bytes_total"), kConnections * up);
  EXPECT_EQ(stats->number(kListenerStats + "downstream_cx_tx_bytes_total"), kConnections * down);
  for (const auto& [cluster, count] : {std::pair{kV1, to_one}, std::pair{kV2, to_two}}) {
    SCOPED_TRACE(cluster);
    const std::string prefix = "cluster." + cluster + ".";
    EXPECT_EQ(stats->number(prefix + "upstream_cx_total"), count);
    EXPECT_EQ(stats->number(prefix + "upstream_cx_active"), 0u);
    EXPECT_EQ(stats->number(prefix + "upstream_cx_connect_fail"), 0u);
    EXPECT_EQ(stats->number(prefix + "upstream_cx_connect_timeout"), 0u);
    EXPECT_EQ(stats->number(prefix + "upstream_cx_tx_bytes_total"), count * up);
    EXPECT_EQ(stats->number(prefix + "upstream_cx_rx_bytes_total"), count * down);
    EXPECT_TRUE(stats->has(prefix + "upstream_flow_control_paused_reading_total"));
    std::optional<HistogramSummary> lengths = stats->histogram(prefix + "upstream_cx_length_ms");
    ASSERT_TRUE(lengths.has_value()) << stats->values().count(prefix + "upstream_cx_length_ms");
    EXPECT_EQ(lengths->count, count) << "one connection length per closed connection";
  }
  EXPECT_EQ(stats->number("server.config_generation"), 1u);
  EXPECT_EQ(stats->number("server.config_reload_success"), 0u);
  EXPECT_EQ(stats->number("server.config_reload_failure"), 0u);
  EXPECT_EQ(stats->number("server.draining"), 0u);
  // Weir's own per-rule and per-endpoint counters (for test suites): the one rule
  // took every connection; each subset's single endpoint took its subset's share.
  uint64_t route_connections = 0, route_up = 0, route_down = 0;
  std::map<std::string, uint64_t> endpoint_connections, endpoint_up, endpoint_down;
  for (const auto& [name, value] : stats->values()) {
    auto number = stats->number(name);
    if (!number) continue;
    if (name.starts_with("route.") && name.ends_with(".cx_total")) route_connections += *number;
    if (name.starts_with("route.") && name.ends_with(".rx_bytes_total")) route_up += *number;
    if (name.starts_with("route.") && name.ends_with(".tx_bytes_total")) route_down += *number;
    for (const std::string& cluster : {kV1, kV2}) {
      if (!name.starts_with("endpoint." + cluster + "/")) continue;
      if (name.ends_with(".cx_total")) endpoint_connections[cluster] += *number;
      if (name.ends_with(".tx_bytes_total")) endpoint_up[cluster] += *number;
      if (name.ends_with(".rx_bytes_total")) endpoint_down[cluster] += *number;
    }
  }
  EXPECT_EQ(route_connections, kConnections);
  EXPECT_EQ(route_up, kConnections * up);
  EXPECT_EQ(route_down, kConnections * down);
  EXPECT_EQ(endpoint_connections[kV1], to_one);
  EXPECT_EQ(endpoint_connections[kV2], to_two);
  EXPECT_EQ(endpoint_up[kV1], to_one * up);
  EXPECT_EQ(endpoint_down[kV2], to_two * down);
  // Every line is "name: value"; nothing unnamed or duplicated slipped in.
  for (const auto& [name, value] : stats->values()) {
    EXPECT_TRUE(name.starts_with("cluster.") || name.starts_with("tcp.") ||
                name.starts_with("server.") || name.starts_with("route.") ||
                name.starts_with("endpoint."))
        << name;
  }
}

TEST(AdminApi, StatsFilterAndJsonAgreeWithText) {
  AdminFixture fixture;
  ReadyWeir& weir = *fixture.weir;
  fixture.sendConnections(100);
  std::string error;
  std::optional<StatsSnapshot> all = weir.stats(&error);
  ASSERT_TRUE(all.has_value()) << error;

  // ?filter=REGEX keeps exactly the lines whose name matches.
  const std::string pattern = "^cluster\\..*\\.upstream_cx_total$";
  HttpResponse filtered = weir.get("/stats?filter=" + urlEncode(pattern));
  ASSERT_EQ(filtered.status, 200) << filtered.describe();
  std::optional<StatsSnapshot> subset = StatsSnapshot::parse(filtered.body, &error);
  ASSERT_TRUE(subset.has_value()) << error;
  std::set<std::string> expected_names;
  for (const auto& [name, value] : all->values()) {
    if (std::regex_search(name, std::regex(pattern))) expected_names.insert(name);
  }
  std::set<std::string> names;
  for (const auto& [name, value] : subset->values()) names.insert(name);
  EXPECT_EQ(names, expected_names);
  EXPECT_EQ(names, (std::set<std::string>{"cluster." + kV1 + ".upstream_cx_total",
                                          "cluster." + kV2 + ".upstream_cx_total"}));
  EXPECT_EQ(*subset->number("cluster." + kV1 + ".upstream_cx_total") +
                *subset->number("cluster." + kV2 + ".upstream_cx_total"),
            100u);
  HttpResponse bad_filter = weir.get("/stats?filter=" + urlEncode("(unclosed"));
  EXPECT_EQ(bad_filter.status, 400) << bad_filter.describe();

  // ?format=json: the same statistics, counters as values, histograms as buckets.
  HttpResponse json = weir.get("/stats?format=json");
  ASSERT_EQ(json.status, 200) << json.describe();
  EXPECT_NE(json.header("content-type").find("application/json"), std::string::npos);
  std::optional<JsonValue> document = parseJson(json.body, &error);
  ASSERT_TRUE(document.has_value()) << error;
  const JsonValue* list = document->find("stats");
  ASSERT_TRUE(list != nullptr && list->isArray()) << oneLine(json.body);
  std::set<std::string> json_names;
  for (const JsonValue& entry : list->items) {
    const JsonValue* name = entry.find("name");
    ASSERT_TRUE(name != nullptr && name->isString()) << entry.describe();
    json_names.insert(name->string);
    if (const JsonValue* histogram = entry.find("histogram")) {
      std::optional<HistogramSummary> text = all->histogram(name->string);
      ASSERT_TRUE(text.has_value()) << name->string << " is a histogram only in JSON";
      EXPECT_EQ(histogram->find("count")->asUnsigned(), text->count) << name->string;
      EXPECT_EQ(histogram->find("sum")->asUnsigned(), text->sum) << name->string;
      const JsonValue* buckets = histogram->find("buckets");
      ASSERT_TRUE(buckets != nullptr && buckets->isArray() && !buckets->items.empty());
      // Cumulative counts, never above the total.
      uint64_t previous = 0;
      for (const JsonValue& bucket : buckets->items) {
        std::optional<uint64_t> cumulative = bucket.find("count")->asUnsigned();
        ASSERT_TRUE(cumulative.has_value()) << bucket.describe();
        EXPECT_GE(*cumulative, previous) << name->string;
        EXPECT_LE(*cumulative, text->count) << name->string;
        previous = *cumulative;
      }
    } else {
      const JsonValue* value = entry.find("value");
      ASSERT_TRUE(value != nullptr) << entry.describe();
      EXPECT_EQ(value->asUnsigned(), all->number(name->string)) << name->string;
    }
  }
  std::set<std::string> text_names;
  for (const auto& [name, value] : all->values()) text_names.insert(name);
  EXPECT_EQ(json_names, text_names);

  // Both together: filtered JSON.
  HttpResponse both = weir.get("/stats?format=json&filter=" + urlEncode("downstream_cx_total"));
  ASSERT_EQ(both.status, 200) << both.describe();
  std::optional<JsonValue> both_document = parseJson(both.body, &error);
  ASSERT_TRUE(both_document.has_value()) << error;
  ASSERT_EQ(both_document->find("stats")->items.size(), 1u) << both.body;
  EXPECT_EQ(both_document->find("stats")->items[0].find("value")->asUnsigned(), 100u);
}

TEST(AdminApi, ResetCountersZeroesCountersAndKeepsGauges) {
  AdminFixture fixture;
  ReadyWeir& weir = *fixture.weir;
  fixture.sendConnections(50);
  // One connection stays open across the reset: its gauge must survive.
  std::string error;
  std::optional<TcpConnection> open = TcpConnection::connect(weir.port(kPort), seconds(5), &error);
  ASSERT_TRUE(open.has_value()) << error;
  ASSERT_EQ(open->sendAll("held\n", seconds(5)), IoStatus::kOk);
  ASSERT_TRUE(open->readLine(seconds(5)).has_value());
  ASSERT_EQ(weir.stat(kListenerStats + "downstream_cx_total"), 51u);

  EXPECT_EQ(weir.get("/reset_counters").status, 405);
  EXPECT_EQ(weir.stat(kListenerStats + "downstream_cx_total"), 51u) << "GET changed state";
  HttpResponse reset = weir.post("/reset_counters");
  ASSERT_EQ(reset.status, 200) << reset.describe();

  // Which families are counters: /stats/prometheus says (# TYPE ... counter).
  HttpResponse prometheus = weir.get("/stats/prometheus");
  ASSERT_EQ(prometheus.status, 200);
  std::set<std::string> counter_families;
  std::istringstream lines(prometheus.body);
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (std::regex_match(line, match, std::regex("# TYPE (\\S+) counter"))) {
      counter_families.insert(match[1]);
    }
  }
  ASSERT_FALSE(counter_families.empty()) << prometheus.body;
  std::optional<StatsSnapshot> stats = weir.stats(&error);
  ASSERT_TRUE(stats.has_value()) << error;
  size_t counters_checked = 0;
  for (const auto& [name, value] : stats->values()) {
    // "cluster.<name>.stat" -> envoy_cluster_stat, "tcp.<prefix>.stat" -> envoy_tcp_stat.
    if (name.starts_with("server.")) continue;  // see below
    const std::string scope = name.substr(0, name.find('.'));
    const std::string family = "envoy_" + scope + "_" + name.substr(name.rfind('.') + 1);
    if (!counter_families.contains(family)) continue;
    ++counters_checked;
    EXPECT_EQ(value, "0") << name << " is a counter and was not reset";
  }
  EXPECT_GE(counters_checked, 10u);
  // Gauges keep their value: the held connection is still open.
  EXPECT_EQ(stats->number(kListenerStats + "downstream_cx_active"), 1u);
  EXPECT_EQ(*stats->number("cluster." + kV1 + ".upstream_cx_active") +
                *stats->number("cluster." + kV2 + ".upstream_cx_active"),
            1u);
  EXPECT_EQ(stats->number("server.config_generation"), 1u);

  // Counting starts again from zero, including the held connection's own bytes.
  ASSERT_EQ(open->sendAll("again\n", seconds(5)), IoStatus::kOk);
  ASSERT_TRUE(open->readLine(seconds(5)).has_value());
  open.reset();
  fixture.sendConnections(20);
  EXPECT_EQ(weir.stat(kListenerStats + "downstream_cx_total"), 20u);
  EXPECT_EQ(weir.stat(kListenerStats + "downstream_cx_rx_bytes_total"), 20u * 6 + 6);
}

TEST(AdminApi, MutatingEndpointsRefuseGetAndUnknownPathsAre404) {
  AdminFixture fixture;
  ReadyWeir& weir = *fixture.weir;
  for (const std::string path : {"/reload", "/reset_counters", "/drain", "/quitquitquit"}) {
    HttpResponse response = weir.get(path);
    EXPECT_EQ(response.status, 405) << "GET " << path << ": " << response.describe();
  }
  // None of them took effect: no reload, not draining, still running and serving.
  std::optional<StatsSnapshot> stats = weir.stats();
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->number("server.config_reload_success"), 0u);
  EXPECT_EQ(stats->number("server.config_reload_failure"), 0u);
  EXPECT_EQ(stats->number("server.draining"), 0u);
  HttpResponse ready = weir.get("/ready");
  EXPECT_EQ(ready.status, 200) << ready.describe();
  EXPECT_EQ(ready.body, "LIVE\n");
  EXPECT_TRUE(weir.process().running());
  ClientTally tally = fixture.sendConnections(10);
  EXPECT_EQ(tally.totalAnswers(), 10u) << tally.describe();

  for (const std::string path : {"/nope", "/stats/nope", "/cluster", "/readyz"}) {
    HttpResponse response = weir.get(path);
    EXPECT_EQ(response.status, 404) << "GET " << path << ": " << response.describe();
  }
  // A POST that reloads the unchanged files is fine, and synchronous.
  HttpResponse reload = weir.post("/reload");
  EXPECT_EQ(reload.status, 200) << reload.describe();
  EXPECT_EQ(weir.stat("server.config_generation"), 2u);
}

// Prometheus' lint complaints that follow from keeping Envoy's own metric names
// (envoy_cluster_upstream_cx_connect_fail, ..._upstream_cx_length_ms): Envoy's
// /stats/prometheus draws exactly these from promtool too. Anything else fails.
bool isAcceptedLint(const std::string& line) {
  static const std::regex accepted(
      "[a-zA-Z_:][a-zA-Z0-9_:]* (counter metrics should have \"_total\" suffix|"
      "metric names should not contain abbreviated units)");
  return std::regex_match(line, accepted);
}

TEST(AdminApi, PrometheusExpositionPassesPromtool) {
  const std::filesystem::path promtool = "/usr/bin/promtool";
  if (!std::filesystem::exists(promtool)) {
    GTEST_SKIP() << "promtool not installed (Debian package prometheus)";
  }
  AdminFixture fixture;
  ReadyWeir& weir = *fixture.weir;
  ClientTally tally = fixture.sendConnections(60);
  HttpResponse response = weir.get("/stats/prometheus");
  ASSERT_EQ(response.status, 200) << response.describe();
  EXPECT_NE(response.header("content-type").find("text/plain"), std::string::npos);
  const std::filesystem::path exposition = fixture.dir.file("prometheus.txt");
  writeTextFile(exposition, response.body);

  ProcessResult check = runToCompletion(
      ChildSpec{{"/bin/sh", "-c", "exec " + promtool.string() + " check metrics < '" +
                                      exposition.string() + "'"},
                fixture.dir.path() / "logs", "promtool", std::nullopt},
      seconds(30));
  ASSERT_FALSE(check.timed_out);
  // 0: clean; 3: lint problems only (1 would be a parse error).
  EXPECT_TRUE(check.status.exitedWith(0) || check.status.exitedWith(3))
      << check.status << "\n" << check.stdout_text << check.stderr_text;
  std::istringstream output(check.stdout_text + "\n" + check.stderr_text);
  for (std::string line; std::getline(output, line);) {
    if (line.empty()) continue;
    EXPECT_TRUE(isAcceptedLint(line)) << "promtool: " << line;
  }

  // Envoy's names, the cluster name as a label, and the same numbers as /stats.
  const std::string body = response.body;
  auto sample = [&body](const std::string& series) -> std::optional<std::string> {
    std::istringstream in(body);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(series + " ", 0) == 0) return line.substr(series.size() + 1);
    }
    return std::nullopt;
  };
  EXPECT_EQ(sample("envoy_cluster_upstream_cx_total{envoy_cluster_name=\"" + kV1 + "\"}"),
            std::to_string(tally.count("one")))
      << body;
  EXPECT_EQ(sample("envoy_cluster_upstream_cx_total{envoy_cluster_name=\"" + kV2 + "\"}"),
            std::to_string(tally.count("two")))
      << body;
  EXPECT_EQ(sample("envoy_tcp_downstream_cx_total{envoy_tcp_prefix=\"tcp-echo-gateway_9000\"}"),
            "60")
      << body;
  EXPECT_EQ(sample("envoy_cluster_upstream_cx_length_ms_count{envoy_cluster_name=\"" + kV1 +
                   "\"}"),
            std::to_string(tally.count("one")))
      << body;
  EXPECT_EQ(sample("envoy_cluster_upstream_cx_length_ms_bucket{envoy_cluster_name=\"" + kV1 +
                   "\",le=\"+Inf\"}"),
            std::to_string(tally.count("one")))
      << body;
  EXPECT_NE(body.find("# TYPE envoy_cluster_upstream_cx_active gauge\n"), std::string::npos);
  EXPECT_NE(body.find("# TYPE envoy_cluster_upstream_cx_length_ms histogram\n"),
            std::string::npos);
}

TEST(AdminApi, ClustersListEveryEndpointWithItsCounters) {
  AdminFixture fixture;
  ReadyWeir& weir = *fixture.weir;
  ClientTally tally = fixture.sendConnections(200);
  HttpResponse response = weir.get("/clusters?format=json");
  ASSERT_EQ(response.status, 200) << response.describe();
  std::string error;
  std::optional<JsonValue> document = parseJson(response.body, &error);
  ASSERT_TRUE(document.has_value()) << error;
  const JsonValue* clusters = document->find("clusters");
  ASSERT_TRUE(clusters != nullptr && clusters->isArray()) << oneLine(response.body);
  ASSERT_EQ(clusters->items.size(), 2u) << oneLine(response.body);

  std::map<std::string, const JsonValue*> by_name;
  for (const JsonValue& cluster : clusters->items) by_name[cluster.find("name")->string] = &cluster;
  ASSERT_TRUE(by_name.contains(kV1) && by_name.contains(kV2)) << oneLine(response.body);

  struct Expected {
    std::string cluster;
    std::vector<uint16_t> ports;
    std::string version;
    uint64_t total;
  };
  for (const Expected& expected :
       {Expected{kV1, {fixture.one_a.port(), fixture.one_b.port()}, "v1", tally.count("one")},
        Expected{kV2, {fixture.two.port()}, "v2", tally.count("two")}}) {
    SCOPED_TRACE(expected.cluster);
    const JsonValue& cluster = *by_name[expected.cluster];
    const JsonValue* stats = cluster.find("stats");
    ASSERT_TRUE(stats != nullptr && stats->isObject());
    EXPECT_EQ(stats->find("upstream_cx_total")->asUnsigned(), expected.total);
    const JsonValue* endpoints = cluster.find("endpoints");
    ASSERT_TRUE(endpoints != nullptr && endpoints->isArray());
    ASSERT_EQ(endpoints->items.size(), expected.ports.size());
    uint64_t sum = 0;
    std::vector<uint64_t> per_endpoint;
    for (size_t e = 0; e < expected.ports.size(); ++e) {
      const JsonValue& endpoint = endpoints->items[e];
      EXPECT_EQ(endpoint.find("address")->string,
                "127.0.0.1:" + std::to_string(expected.ports[e]));
      EXPECT_EQ(endpoint.find("weight")->asUnsigned(), 1u);
      const JsonValue* labels = endpoint.find("labels");
      ASSERT_TRUE(labels != nullptr && labels->find("version") != nullptr);
      EXPECT_EQ(labels->find("version")->string, expected.version);
      EXPECT_EQ(endpoint.find("health")->string, "HEALTHY");
      EXPECT_EQ(endpoint.find("cx_active")->asUnsigned(), 0u);
      EXPECT_EQ(endpoint.find("cx_connect_fail")->asUnsigned(), 0u);
      std::optional<uint64_t> total = endpoint.find("cx_total")->asUnsigned();
      ASSERT_TRUE(total.has_value());
      sum += *total;
      per_endpoint.push_back(*total);
    }
    EXPECT_EQ(sum, expected.total) << "endpoint cx_total must add up to the cluster's";
    if (per_endpoint.size() == 2) {
      // Round robin per worker: each of the 2 workers alternates, so the endpoints
      // differ by at most one connection per worker.
      const uint64_t difference = per_endpoint[0] > per_endpoint[1]
                                      ? per_endpoint[0] - per_endpoint[1]
                                      : per_endpoint[1] - per_endpoint[0];
      EXPECT_LE(difference, 2u) << per_endpoint[0] << " vs " << per_endpoint[1];
    }
  }
}

TEST(AdminApi, ConfigDumpShowsTheEffectiveTableAndItsFiles) {
  AdminFixture fixture;
  ReadyWeir& weir = *fixture.weir;
  HttpResponse response = weir.get("/config_dump");
  ASSERT_EQ(response.status, 200) << response.describe();
  std::string error;
  std::optional<JsonValue> document = parseJson(response.body, &error);
  ASSERT_TRUE(document.has_value()) << error;
  EXPECT_EQ(document->find("generation")->asUnsigned(), 1u);
  EXPECT_TRUE(document->find("last_reload")->isNull()) << "no reload yet";

  std::set<std::string> files;
  for (const JsonValue& file : document->find("source_files")->items) {
    files.insert(std::filesystem::path(file.string).filename().string());
    EXPECT_EQ(std::filesystem::path(file.string).parent_path(), fixture.config) << file.string;
  }
  const std::vector<std::string> written = fixture.scenario(50, 50).splitFileNames();
  EXPECT_EQ(files, (std::set<std::string>(written.begin(), written.end())));

  const JsonValue& listeners = *document->find("listeners");
  ASSERT_EQ(listeners.items.size(), 1u);
  EXPECT_EQ(listeners.items[0].find("port")->asUnsigned(), weir.port(kPort))
      << "the effective (overridden) port";
  EXPECT_EQ(listeners.items[0].find("address")->string, "127.0.0.1");
  EXPECT_EQ(listeners.items[0].find("stat_prefix")->string, "tcp-echo-gateway_9000");
  ASSERT_NE(listeners.items[0].find("max_connections"), nullptr);
  EXPECT_TRUE(listeners.items[0].find("max_connections")->isNull()) << "no weir.dev/ limit";

  const JsonValue& routes = *document->find("routes");
  ASSERT_EQ(routes.items.size(), 1u);
  const JsonValue& route = routes.items[0];
  EXPECT_EQ(route.find("total_weight")->asUnsigned(), 100u);
  ASSERT_NE(route.find("max_connect_attempts"), nullptr);
  EXPECT_TRUE(route.find("max_connect_attempts")->isNull()) << "--max-connect-attempts applies";
  EXPECT_NE(route.find("source")->string.find("virtual-service.yaml:"), std::string::npos);
  const JsonValue& destinations = *route.find("destinations");
  ASSERT_EQ(destinations.items.size(), 2u);
  EXPECT_EQ(destinations.items[0].find("cluster")->string, kV1);
  EXPECT_EQ(destinations.items[0].find("subset")->string, "v1");
  EXPECT_EQ(destinations.items[0].find("weight")->asUnsigned(), 50u);
  EXPECT_EQ(destinations.items[1].find("cluster")->string, kV2);
  EXPECT_EQ(destinations.items[1].find("weight")->asUnsigned(), 50u);

  const JsonValue& clusters = *document->find("clusters");
  ASSERT_EQ(clusters.items.size(), 2u);
  for (const JsonValue& cluster : clusters.items) {
    const bool is_v1 = cluster.find("name")->string == kV1;
    const JsonValue& endpoints = *cluster.find("endpoints");
    ASSERT_EQ(endpoints.items.size(), is_v1 ? 2u : 1u) << cluster.describe();
    for (const JsonValue& endpoint : endpoints.items) {
      EXPECT_EQ(endpoint.find("address")->string, "127.0.0.1");
      EXPECT_EQ(endpoint.find("labels")->find("version")->string, is_v1 ? "v1" : "v2");
    }
    EXPECT_EQ(cluster.find("connect_timeout_ms")->asUnsigned(), 10000u) << "Istio's default";
    ASSERT_NE(cluster.find("health_check"), nullptr);
    EXPECT_TRUE(cluster.find("health_check")->isNull()) << "no weir.dev/health-check-interval";
  }

  // After a reload with new weights the dump follows, with the generation.
  fixture.scenario(80, 20).writeSplit(fixture.config);
  ASSERT_EQ(weir.post("/reload").status, 200);
  std::optional<JsonValue> after = parseJson(weir.get("/config_dump").body, &error);
  ASSERT_TRUE(after.has_value()) << error;
  EXPECT_GE(after->find("generation")->asUnsigned(), 2u);
  EXPECT_EQ(after->find("last_reload")->find("result")->string, "applied");
  const JsonValue& shifted_destinations =
      *after->find("routes")->items.at(0).find("destinations");
  EXPECT_EQ(shifted_destinations.items.at(0).find("weight")->asUnsigned(), 80u);
  EXPECT_EQ(shifted_destinations.items.at(1).find("weight")->asUnsigned(), 20u);
}

TEST(AdminApi, ReadyAnswersLive) {
  AdminFixture fixture;
  HttpResponse ready = fixture.weir->get("/ready");
  EXPECT_EQ(ready.status, 200) << ready.describe();
  EXPECT_EQ(ready.body, "LIVE\n");
}

TEST(AdminApi, AdminNoneRunsWithoutAnAdminServer) {
  TempDir dir;
  EchoServer one(dir, "one");
  const std::filesystem::path config =
      istio::walkThrough(kPort, {{"v1", 100, {one.port()}}}).writeSplitIn(dir);
  ReadyWeir weir(dir, {config}, {.ephemeral_gateway_ports = {kPort}, .admin = false});
  EXPECT_FALSE(weir.ready().admin_port.has_value()) << "the ready file names an admin server";
  EchoClientRun run = runEchoClient(dir, weir.port(kPort), {.connections = 10, .concurrency = 5});
  ASSERT_TRUE(run.tally.has_value()) << run.describe();
  EXPECT_EQ(run.tally->count("one"), 10u) << run.describe();
}

}  // namespace
}  // namespace weir::test
