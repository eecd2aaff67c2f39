// Issue 3, "GET /": the live split page, rendered by headless Chromium while traffic
// flows, must show the configured weights and an observed split that agrees with
// /stats. A screenshot is kept as a test artifact.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "tests/support/admin_stats.h"
#include "tests/support/child_process.h"
#include "tests/support/echo_client.h"
#include "tests/support/echo_server.h"
#include "tests/support/istio_scenarios.h"
#include "tests/support/json_value.h"
#include "tests/support/ready_weir.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace weir::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr uint16_t kPort = 9000;
const std::string kV1 = clusterName(kPort, "v1");
const std::string kV2 = clusterName(kPort, "v2");

// The end of a long output (Chromium's stderr), for failure messages.
std::string lastLinesOf(const std::string& text) {
  return text.size() <= 2000 ? text : "..." + text.substr(text.size() - 2000);
}

std::optional<std::filesystem::path> findChromium() {
  for (const char* candidate : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (std::filesystem::exists(candidate)) return std::filesystem::path(candidate);
  }
  return std::nullopt;
}

// <build dir>/test-artifacts: the weir binary is <build dir>/proxy/weir.
std::filesystem::path artifactDir() {
  return std::filesystem::path(kWeirBinary).parent_path().parent_path() / "test-artifacts";
}

// Headless Chromium with everything that would reach beyond 127.0.0.1 switched off.
// --virtual-time-budget lets the page's timers run for 4 s of virtual time (about four
// refreshes) before the DOM is dumped or the screenshot taken.
ProcessResult runChromium(const TempDir& dir, const std::filesystem::path& chromium,
                          std::vector<std::string> extra, const std::string& url) {
  std::vector<std::string> argv = {chromium.string(),
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--disable-quic",
                                   "--no-first-run",
                                   "--disable-background-networking",
                                   "--disable-component-update",
                                   "--disable-sync",
                                   "--user-data-dir=" + dir.freshSubdir("chromium-profile").string(),
                                   "--virtual-time-budget=4000"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(url);
  return runToCompletion(ChildSpec{argv, dir.path() / "logs", "chromium", std::nullopt},
                         seconds(90));
}

// One rendered `tr.destination`: its data-cluster and the text of its td cells by class.
struct RenderedRow {
  std::string cluster;
  std::map<std::string, std::string> cells;  // "num configured" -> "80.0%"
};

std::vector<RenderedRow> destinationRows(const std::string& dom) {
  std::vector<RenderedRow> rows;
  const std::regex row_start("<tr class=\"destination\" data-cluster=\"([^\"]+)\">");
  const std::regex cell("<td class=\"([^\"]+)\">([^<]*)</td>");
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), row_start);
       it != std::sregex_iterator(); ++it) {
    const size_t body_start = static_cast<size_t>(it->position(0) + it->length(0));
    const size_t body_end = dom.find("</tr>", body_start);
    const std::string body = dom.substr(body_start, body_end - body_start);
    RenderedRow row;
    row.cluster = (*it)[1];
    for (auto c = std::sregex_iterator(body.begin(), body.end(), cell);
         c != std::sregex_iterator(); ++c) {
      row.cells[(*c)[1]] = (*c)[2];
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// "79.9%" -> 79.9
std::optional<double> parsePercent(const std::string& text) {
  std::smatch match;
  if (!std::regex_match(text, match, std::regex("(\\d+\\.\\d)%"))) return std::nullopt;
  return std::stod(match[1]);
}

std::optional<uint64_t> parseCount(const std::string& text) {
  if (!std::regex_match(text, std::regex("\\d+"))) return std::nullopt;
  return std::stoull(text);
}

struct ClusterTotals {
  uint64_t v1 = 0;
  uint64_t v2 = 0;
};

ClusterTotals totalsOf(const ReadyWeir& weir) {
  std::optional<StatsSnapshot> stats = weir.stats();
  EXPECT_TRUE(stats.has_value());
  if (!stats) return {};
  return {stats->number("cluster." + kV1 + ".upstream_cx_total").value_or(0),
          stats->number("cluster." + kV2 + ".upstream_cx_total").value_or(0)};
}

// Width and height from a PNG's IHDR chunk; nullopt if `bytes` is not a PNG.
std::optional<std::pair<uint32_t, uint32_t>> pngSize(const std::string& bytes) {
  static const std::string kSignature("\x89PNG\r\n\x1a\n", 8);
  if (bytes.size() < 24 || bytes.compare(0, 8, kSignature) != 0 ||
      bytes.compare(12, 4, "IHDR") != 0) {
    return std::nullopt;
  }
  auto bigEndian = [&bytes](size_t at) {
    uint32_t value = 0;
    for (size_t i = 0; i < 4; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
    return value;
  };
  return std::pair{bigEndian(16), bigEndian(20)};
}

// The page's own HTML: one self-contained document that polls the admin API.
TEST(AdminPage, IsSelfContainedHtml) {
  TempDir dir;
  EchoServer one(dir, "one");
  const std::filesystem::path config =
      istio::walkThrough(kPort, {{"v1", 100, {one.port()}}}).writeSplitIn(dir);
  ReadyWeir weir(dir, {config}, {.ephemeral_gateway_ports = {kPort}});
  HttpResponse page = weir.get("/");
  ASSERT_EQ(page.status, 200) << page.describe();
  EXPECT_NE(page.header("content-type").find("text/html"), std::string::npos);
  EXPECT_TRUE(page.body.starts_with("<!doctype html>")) << oneLine(page.body, 80);
  // No external assets: nothing loaded by src=, no stylesheet links. The only
  // href= are links to the admin server's own endpoints ("/stats"), each of which
  // answers a GET.
  EXPECT_FALSE(std::regex_search(page.body, std::regex("src\\s*=", std::regex::icase)));
  EXPECT_EQ(page.body.find("<link"), std::string::npos);
  const std::regex href("href\\s*=\\s*\"?([^\" >]*)", std::regex::icase);
  std::set<std::string> links;
  for (auto it = std::sregex_iterator(page.body.begin(), page.body.end(), href);
       it != std::sregex_iterator(); ++it) {
    const std::string target = (*it)[1];
    EXPECT_TRUE(target.starts_with("/") && !target.starts_with("//")) << "href=" << target;
    links.insert(target);
  }
  for (const std::string& target : links) {
    if (!target.starts_with("/") || target.starts_with("//")) continue;
    EXPECT_EQ(weir.get(target).status, 200) << "the page links to " << target;
  }
  // Links to the other endpoints people open first.
  for (const std::string target : {"/stats", "/stats/prometheus", "/clusters", "/listeners",
                                   "/server_info", "/config_dump", "/logging", "/help", "/ready"}) {
    EXPECT_TRUE(links.contains(target)) << "no link to " << target;
  }
  EXPECT_EQ(page.body.find("http://"), std::string::npos);
  EXPECT_EQ(page.body.find("https://"), std::string::npos);
  EXPECT_NE(page.body.find("/config_dump"), std::string::npos);
  EXPECT_NE(page.body.find("/stats?format=json"), std::string::npos);
}

// 1000 connections at 80/20 before the page loads and a tcp-echo-client running
// throughout: the rendered page shows configured 80.0% / 20.0% and an observed split
// that agrees with /stats.
TEST(AdminPage, RendersConfiguredAndObservedSplitInChromium) {
  std::optional<std::filesystem::path> chromium = findChromium();
  if (!chromium) GTEST_SKIP() << "chromium not installed (Debian package chromium)";

  TempDir dir;
  EchoServer one(dir, "one");
  EchoServer two(dir, "two");
  const std::filesystem::path config =
      istio::walkThrough(kPort, {{"v1", 80, {one.port()}}, {"v2", 20, {two.port()}}})
          .writeSplitIn(dir);
  ReadyWeir weir(dir, {config}, {.concurrency = 2, .ephemeral_gateway_ports = {kPort}});
  const uint16_t port = weir.port(kPort);
  const std::string url = "http://127.0.0.1:" + std::to_string(weir.adminPort()) + "/";

  EchoClientRun before = runEchoClient(dir, port, {.connections = 1000, .concurrency = 20});
  ASSERT_TRUE(before.tally.has_value()) << before.describe();
  ASSERT_EQ(before.tally->totalAnswers(), 1000u) << before.describe();
  // Traffic during the page's life: a client that would run for minutes, stopped below.
  ChildProcess background(ChildSpec{{kEchoClientBinary, "127.0.0.1:" + std::to_string(port),
                                     "-n", "10000000", "-c", "2", "--timeout-ms", "5000"},
                                    dir.path() / "logs", "background-client", std::nullopt});

  const ClusterTotals start = totalsOf(weir);
  ProcessResult dumped = runChromium(dir, *chromium, {"--dump-dom"}, url);
  const ClusterTotals end = totalsOf(weir);
  ASSERT_TRUE(background.running()) << "the background client stopped early";
  ASSERT_FALSE(dumped.timed_out) << "chromium did not finish within 90 s";
  ASSERT_TRUE(dumped.status.exitedWith(0)) << dumped.status << "\n"
                                           << lastLinesOf(dumped.stderr_text);
  const std::string& dom = dumped.stdout_text;

  std::vector<RenderedRow> rows = destinationRows(dom);
  ASSERT_EQ(rows.size(), 2u) << "rendered DOM:\n" << dom.substr(0, 4000);
  EXPECT_EQ(rows[0].cluster, kV1);
  EXPECT_EQ(rows[1].cluster, kV2);
  EXPECT_EQ(rows[0].cells["num configured"], "80.0%");
  EXPECT_EQ(rows[1].cells["num configured"], "20.0%");

  // The observed column is each destination's share of the connections counted in the
  // page's window ("connections" column): either since start (one sample) or between
  // its first and last sample (label "last 10 s").
  const bool since_start = dom.find("observed (since start)") != std::string::npos;
  ASSERT_TRUE(since_start || dom.find("observed (last 10 s)") != std::string::npos)
      << dom.substr(0, 4000);
  std::optional<uint64_t> recent_v1 = parseCount(rows[0].cells["num recent"]);
  std::optional<uint64_t> recent_v2 = parseCount(rows[1].cells["num recent"]);
  std::optional<double> observed_v1 = parsePercent(rows[0].cells["num observed"]);
  std::optional<double> observed_v2 = parsePercent(rows[1].cells["num observed"]);
  ASSERT_TRUE(recent_v1 && recent_v2 && observed_v1 && observed_v2)
      << rows[0].cells["num recent"] << " " << rows[1].cells["num recent"] << " "
      << rows[0].cells["num observed"] << " " << rows[1].cells["num observed"];
  const uint64_t window = *recent_v1 + *recent_v2;
  ASSERT_GT(window, 0u);
  // The percentages are those counts, rounded to 0.1.
  EXPECT_NEAR(*observed_v1, 100.0 * *recent_v1 / window, 0.051);
  EXPECT_NEAR(*observed_v2, 100.0 * *recent_v2 / window, 0.051);
  // The counts come from /stats samples taken while Chromium ran.
  if (since_start) {
    EXPECT_GE(*recent_v1, start.v1);
    EXPECT_LE(*recent_v1, end.v1);
    EXPECT_GE(*recent_v2, start.v2);
    EXPECT_LE(*recent_v2, end.v2);
  } else {
    EXPECT_LE(*recent_v1, end.v1 - start.v1);
    EXPECT_LE(*recent_v2, end.v2 - start.v2);
  }

  // Tolerance: the window's share and /stats' share over the same period (since start,
  // or Chromium's run) both estimate the weight p = 0.8 from n_window and n_stats
  // connections; their difference has standard deviation at most
  // sqrt(p(1-p)(1/n_window + 1/n_stats)) (less when one sample contains the other).
  // 4 standard deviations: a false alarm about once in 16,000 runs. Plus the 0.05
  // points of rounding.
  const double stats_v1 = since_start ? double(end.v1) : double(end.v1 - start.v1);
  const double stats_total =
      since_start ? double(end.v1 + end.v2) : double(end.v1 + end.v2 - start.v1 - start.v2);
  ASSERT_GT(stats_total, 0);
  const double actual_percent = 100.0 * stats_v1 / stats_total;
  const double tolerance =
      100.0 * 4.0 * std::sqrt(0.8 * 0.2 * (1.0 / double(window) + 1.0 / stats_total)) + 0.05;
  EXPECT_NEAR(*observed_v1, actual_percent, tolerance)
      << "page window " << window << " connections, /stats " << stats_total;
  // A window that small would make the comparison meaningless.
  EXPECT_GE(window, 50u) << "the page's window counted only " << window << " connections";
  std::cout << "[admin-page] observed " << *observed_v1 << "% / " << *observed_v2 << "% of "
            << window << " connections ("
            << (since_start ? "since start" : "last 10 s") << "); /stats: " << actual_percent
            << "% of " << stats_total << "; tolerance ±" << tolerance << " points\n";

  // The cluster table's totals are /stats samples from the same period.
  const std::regex cluster_row("<tr><td>([^<]+)</td><td class=\"num\">(\\d+)</td>"
                               "<td class=\"num\">(\\d+)</td>");
  std::map<std::string, uint64_t> page_totals;
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), cluster_row);
       it != std::sregex_iterator(); ++it) {
    page_totals[(*it)[1]] = std::stoull((*it)[3]);
  }
  ASSERT_TRUE(page_totals.contains(kV1) && page_totals.contains(kV2)) << dom.substr(0, 4000);
  EXPECT_GE(page_totals[kV1], start.v1);
  EXPECT_LE(page_totals[kV1], end.v1);
  EXPECT_GE(page_totals[kV2], start.v2);
  EXPECT_LE(page_totals[kV2], end.v2);
  EXPECT_NE(dom.find("configuration generation 1 · last reload: none"), std::string::npos)
      << dom.substr(0, 4000);

  // The same page as a picture, kept for people.
  std::filesystem::create_directories(artifactDir());
  const std::filesystem::path screenshot = artifactDir() / "admin-page.png";
  std::filesystem::remove(screenshot);
  ProcessResult shot = runChromium(
      dir, *chromium, {"--screenshot=" + screenshot.string(), "--window-size=1100,800"}, url);
  background.stop();
  ASSERT_FALSE(shot.timed_out) << "chromium did not finish within 90 s";
  EXPECT_TRUE(shot.status.exitedWith(0)) << shot.status << "\n" << lastLinesOf(shot.stderr_text);
  ASSERT_TRUE(std::filesystem::exists(screenshot)) << screenshot;
  const std::string png = readTextFile(screenshot);
  std::optional<std::pair<uint32_t, uint32_t>> size = pngSize(png);
  ASSERT_TRUE(size.has_value()) << screenshot << " is not a PNG";
  EXPECT_EQ(size->first, 1100u);
  EXPECT_EQ(size->second, 800u);
  // A blank 1100x800 PNG compresses to a few KB; text, tables and bars take more.
  EXPECT_GT(png.size(), 15000u) << "suspiciously small screenshot";
  std::cout << "[admin-page] screenshot: " << screenshot.string() << " (" << png.size()
            << " bytes)\n";
}

// Issue 3 asks the page for per-endpoint counters: with two endpoints in v1, the
// rendered page names both and shows each one's connection total (round robin over
// 10 connections: 5 each).
TEST(AdminPage, ShowsPerEndpointCounters) {
  std::optional<std::filesystem::path> chromium = findChromium();
  if (!chromium) GTEST_SKIP() << "chromium not installed (Debian package chromium)";
  TempDir dir;
  EchoServer one_a(dir, "one");
  EchoServer one_b(dir, "one");
  const std::filesystem::path config =
      istio::walkThrough(kPort, {{"v1", 100, {one_a.port(), one_b.port()}}}).writeSplitIn(dir);
  // One worker: its round robin alone decides, so each endpoint gets exactly 5.
  ReadyWeir weir(dir, {config}, {.concurrency = 1, .ephemeral_gateway_ports = {kPort}});
  EchoClientRun run = runEchoClient(dir, weir.port(kPort), {.connections = 10, .concurrency = 2});
  ASSERT_TRUE(run.tally.has_value()) << run.describe();
  ProcessResult dumped = runChromium(
      dir, *chromium, {"--dump-dom"}, "http://127.0.0.1:" + std::to_string(weir.adminPort()) + "/");
  ASSERT_TRUE(dumped.status.exitedWith(0)) << dumped.status;
  for (uint16_t endpoint_port : {one_a.port(), one_b.port()}) {
    const std::string address = "127.0.0.1:" + std::to_string(endpoint_port);
    const size_t row = dumped.stdout_text.find("data-address=\"" + address + "\"");
    ASSERT_NE(row, std::string::npos) << "endpoint " << address << " is not on the page";
    const size_t total = dumped.stdout_text.find("class=\"num total\">", row);
    ASSERT_NE(total, std::string::npos) << "no total for " << address;
    EXPECT_EQ(dumped.stdout_text.substr(total + 18, 2), "5<") << "endpoint " << address;
  }
}

// Polls /split_history (bounded) until at least `count` samples of generation
// `generation` have counted connections; returns whether that happened.
bool waitForSamplesWithTraffic(const ReadyWeir& weir, uint64_t generation, size_t count) {
  const auto deadline = std::chrono::steady_clock::now() + seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    std::optional<JsonValue> split = parseJson(weir.get("/split_history").body);
    size_t with_traffic = 0;
    if (split && split->find("routes") && !split->find("routes")->items.empty()) {
      const JsonValue& samples = *split->find("samples");
      const JsonValue& first = split->find("routes")->items[0].find("destinations")->items.at(0);
      for (size_t i = 0; i < samples.items.size(); ++i) {
        if (samples.items[i].find("generation")->asUnsigned() == generation &&
            first.find("connections")->items.at(i).asUnsigned().value_or(0) > 0) {
          ++with_traffic;
        }
      }
    }
    if (with_traffic >= count) return true;
    std::this_thread::sleep_for(milliseconds(200));
  }
  return false;
}

// The attribute `name` of the first element whose start tag matches `tag_regex`.
std::optional<std::string> attributeOf(const std::string& dom, const std::string& tag_regex,
                                       const std::string& name) {
  std::smatch tag;
  if (!std::regex_search(dom, tag, std::regex(tag_regex))) return std::nullopt;
  const std::string text = tag.str(0);
  std::smatch value;
  if (!std::regex_search(text, value, std::regex(name + "=\"([^\"]*)\""))) return std::nullopt;
  return value[1].str();
}

std::string escapedForRegex(const std::string& text) {
  return std::regex_replace(text, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)");
}

// Issue 17, item 8: the page worth leaving open during a traffic shift. 80/20, then a
// reload to 20/80, then a broken edit that is refused, with traffic throughout: the
// chart draws both destinations' observed shares, the configured weights as steps
// (80→20, 20→80), a marker for each reload (accepted, rejected), and a banner says
// the reload was rejected until a good one comes. Also the listeners and their ports,
// version and uptime. A screenshot is taken while the weights are shifted.
TEST(AdminPage, ChartShowsAShiftAndARejectedReloadInChromium) {
  std::optional<std::filesystem::path> chromium = findChromium();
  if (!chromium) GTEST_SKIP() << "chromium not installed (Debian package chromium)";

  TempDir dir;
  EchoServer one(dir, "one");
  EchoServer two(dir, "two");
  const std::filesystem::path config = dir.freshSubdir("config");
  istio::walkThrough(kPort, {{"v1", 80, {one.port()}}, {"v2", 20, {two.port()}}})
      .writeSplit(config);
  // Reloads only when the test asks, so their generations are known.
  ReadyWeir weir(dir, {config},
                 {.concurrency = 2, .ephemeral_gateway_ports = {kPort},
                  .extra_args = {"--no-watch"}});
  const uint16_t port = weir.port(kPort);
  const std::string url = "http://127.0.0.1:" + std::to_string(weir.adminPort()) + "/";
  ChildProcess background(ChildSpec{{kEchoClientBinary, "127.0.0.1:" + std::to_string(port),
                                     "-n", "10000000", "-c", "2", "--timeout-ms", "5000"},
                                    dir.path() / "logs", "background-client", std::nullopt});
  ASSERT_TRUE(waitForSamplesWithTraffic(weir, 1, 3)) << "no traffic sampled at 80/20";

  const istio::Config shifted =
      istio::walkThrough(kPort, {{"v1", 20, {one.port()}}, {"v2", 80, {two.port()}}});
  shifted.writeSplit(config);
  HttpResponse reload = weir.post("/reload");
  ASSERT_EQ(reload.status, 200) << reload.describe();
  ASSERT_TRUE(waitForSamplesWithTraffic(weir, 2, 5))
      << "no traffic sampled at 20/80";
  {
    std::ofstream broken(config / "virtual-service.yaml", std::ios::app);
    broken << "garbage: [\n";
  }
  HttpResponse rejected = weir.post("/reload");
  ASSERT_EQ(rejected.status, 400) << rejected.describe();

  ProcessResult dumped = runChromium(dir, *chromium, {"--dump-dom"}, url);
  ASSERT_TRUE(background.running()) << "the background client stopped early";
  ASSERT_FALSE(dumped.timed_out) << "chromium did not finish within 90 s";
  ASSERT_TRUE(dumped.status.exitedWith(0)) << dumped.status << "\n"
                                           << lastLinesOf(dumped.stderr_text);
  const std::string& dom = dumped.stdout_text;
  const std::string start_of_dom = dom.substr(0, 6000);

  // Version, uptime and state.
  EXPECT_TRUE(std::regex_search(
      dom, std::regex("<div id=\"server\" class=\"muted\" data-state=\"LIVE\">weir \\d+\\.\\d+\\.\\d+"
                      " · commit ([0-9a-f]{12}|unknown)[^<]* · up (\\d+ min )?\\d+ s · LIVE</div>")))
      << start_of_dom;
  // The rejected reload, prominently, with its error.
  std::smatch banner;
  ASSERT_TRUE(std::regex_search(dom, banner,
                                std::regex("<div id=\"reload-banner\" class=\"banner\">(.*?)</div>")))
      << "no visible banner:\n" << start_of_dom;
  EXPECT_NE(banner[1].str().find("Reload rejected: configuration generation 2 keeps serving"),
            std::string::npos) << banner[1];
  EXPECT_NE(banner[1].str().find("virtual-service.yaml:"), std::string::npos) << banner[1];
  // The listener and its port.
  EXPECT_TRUE(std::regex_search(
      dom, std::regex("<tr class=\"listener\" data-port=\"" + std::to_string(port) +
                      "\"><td class=\"name\">127\\.0\\.0\\.1_9000</td>.*?<td class=\"address\">"
                      "127\\.0\\.0\\.1:" + std::to_string(port) + "</td>")))
      << dom.substr(dom.find("id=\"listeners\""), 1500);

  // The chart: one per rule, weights as steps 80→20 and 20→80, both reloads marked.
  EXPECT_NE(dom.find("<figure class=\"chart\" data-route=\"default/tcp-echo/tcp[0]\">"),
            std::string::npos);
  const std::string weight_tag = "<path class=\"weight\" data-cluster=\"";
  EXPECT_EQ(attributeOf(dom, escapedForRegex(weight_tag + kV1) + "\"[^>]*>", "data-steps"),
            "80.0,20.0");
  EXPECT_EQ(attributeOf(dom, escapedForRegex(weight_tag + kV2) + "\"[^>]*>", "data-steps"),
            "20.0,80.0");
  EXPECT_NE(dom.find("<g class=\"reload accepted\" data-generation=\"2\">"), std::string::npos);
  EXPECT_NE(dom.find("<g class=\"reload rejected\" data-generation=\"2\">"), std::string::npos);
  // Observed shares: drawn for both, and the latest agrees with 20/80 within 4.5
  // standard deviations of a binomial share over the window's connections.
  for (const auto& [cluster, weight] : {std::pair{kV1, 0.2}, std::pair{kV2, 0.8}}) {
    SCOPED_TRACE(cluster);
    const std::string tag = escapedForRegex("<g class=\"observed\" data-cluster=\"" + cluster) +
                            "\"[^>]*>";
    std::optional<std::string> share = attributeOf(dom, tag, "data-last-share");
    std::optional<std::string> window = attributeOf(dom, tag, "data-last-window");
    ASSERT_TRUE(share && window && !share->empty()) << start_of_dom;
    const double n = std::stod(*window);
    ASSERT_GE(n, 20) << "too few connections in the chart's last window";
    const double tolerance = 4.5 * std::sqrt(weight * (1 - weight) / n) + 0.001;
    EXPECT_NEAR(std::stod(*share), weight, tolerance) << "over " << n << " connections";
    std::smatch group;
    ASSERT_TRUE(std::regex_search(dom, group, std::regex(tag + "(.*?)</g>")));
    EXPECT_NE(group[1].str().find("<polyline points=\""), std::string::npos)
        << "no line drawn: " << group[0];
  }

  // The same page as a picture while the weights are shifted, kept as an artifact.
  std::filesystem::create_directories(artifactDir());
  const std::filesystem::path screenshot = artifactDir() / "admin-page-shift.png";
  std::filesystem::remove(screenshot);
  ProcessResult shot = runChromium(
      dir, *chromium, {"--screenshot=" + screenshot.string(), "--window-size=1100,900"}, url);
  ASSERT_FALSE(shot.timed_out) << "chromium did not finish within 90 s";
  EXPECT_TRUE(shot.status.exitedWith(0)) << shot.status << "\n" << lastLinesOf(shot.stderr_text);
  ASSERT_TRUE(std::filesystem::exists(screenshot)) << screenshot;
  const std::string png = readTextFile(screenshot);
  std::optional<std::pair<uint32_t, uint32_t>> size = pngSize(png);
  ASSERT_TRUE(size.has_value()) << screenshot << " is not a PNG";
  EXPECT_EQ(size->first, 1100u);
  EXPECT_EQ(size->second, 900u);
  // A blank page compresses to a few KB; the banner, chart lines and tables take more.
  EXPECT_GT(png.size(), 30000u) << "suspiciously small screenshot";
  std::cout << "[admin-page] shift screenshot: " << screenshot.string() << " (" << png.size()
            << " bytes)\n";

  // A good reload clears the banner and adds its marker.
  shifted.writeSplit(config);
  ASSERT_EQ(weir.post("/reload").status, 200);
  ProcessResult after = runChromium(dir, *chromium, {"--dump-dom"}, url);
  background.stop();
  ASSERT_TRUE(after.status.exitedWith(0)) << after.status;
  EXPECT_NE(after.stdout_text.find("<div id=\"reload-banner\" class=\"banner\" hidden=\"\"></div>"),
            std::string::npos)
      << after.stdout_text.substr(0, 4000);
  EXPECT_NE(after.stdout_text.find("<g class=\"reload accepted\" data-generation=\"3\">"),
            std::string::npos);
  EXPECT_NE(after.stdout_text.find("last reload: applied"), std::string::npos);
}

}  // namespace
}  // namespace weir::test
