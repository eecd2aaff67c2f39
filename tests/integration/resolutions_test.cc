// The run-time side of ServiceEntry resolutions with the real binaries:
// - NONE and DYNAMIC_DNS load, but a gateway has no original destination to send
//   to: a connection routed there is closed and counted as Envoy counts it
//   (upstream_cx_none_healthy, flag UH); so is one routed to a cluster whose
//   DestinationRule says loadBalancer PASSTHROUGH (Envoy's ORIGINAL_DST);
// - DNS_ROUND_ROBIN is Envoy's LOGICAL_DNS: of the name's answer only the first
//   address is used, the name is resolved again at the refresh rate, new
//   connections follow a new first address and open ones stay where they are
//   (DNS, Envoy's STRICT_DNS, uses every address: shown side by side).
// Names resolve through a test DNS server on 127.0.0.1 (weir --dns-resolver), so
// one name can have several 127.x addresses without touching /etc/hosts.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "tests/support/dns_server.h"
#include "tests/support/echo_client.h"
#include "tests/support/echo_server.h"
#include "tests/support/endpoint_health.h"
#include "tests/support/istio_config.h"
#include "tests/support/istio_scenarios.h"
#include "tests/support/json_value.h"
#include "tests/support/line_exchange.h"
#include "tests/support/ready_weir.h"
#include "tests/support/split_statistics.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"

namespace weir::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// What a client that sends a line gets: the answer, or "" when weir closes the
// connection without a byte (as it does with no endpoint to send to).
std::string answerOf(uint16_t port) {
  auto client = TcpConnection::connect(port, seconds(5));
  if (!client) return "(no connection)";
  if (client->sendAll("hello\n", seconds(5)) != IoStatus::kOk) return "";
  TcpConnection::ReadResult answer = client->readUntilEof(seconds(5));
  return answer.end == IoStatus::kTimeout ? "(timeout)" : answer.data;
}

// /clusters?format=json: the resolution of `cluster`, or "" if it is not there.
std::string resolutionOf(const ReadyWeir& weir, const std::string& cluster) {
  std::string error;
  std::optional<JsonValue> json = parseJson(weir.get("/clusters?format=json").body, &error);
  if (!json || json->find("clusters") == nullptr) return "";
  for (const JsonValue& item : json->find("clusters")->items) {
    if (item.find("name")->string == cluster) return item.find("resolution")->string;
  }
  return "";
}

TEST(Resolutions, NoneAndDynamicDnsCloseAndCountEveryConnection) {
  TempDir dir;
  const std::filesystem::path log = dir.path() / "access.log";
  istio::Config config;
  config.add(istio::Gateway("gw")
                 .server(istio::Server(9000, "legacy"))
                 .server(istio::Server(9001, "dynamic")));
  config.add(istio::VirtualService("vs")
                 .gateways({"gw"})
                 .tcp(istio::Rule()
                          .match(istio::Match().port(9000))
                          .to({.host = "legacy.example.com", .port = 5432}))
                 .tcp(istio::Rule()
                          .match(istio::Match().port(9001))
                          .to({.host = "*.dynamic.example.com", .port = 443})));
  config.add(istio::ServiceEntry("legacy")
                 .hosts({"legacy.example.com"})
                 .addresses({"10.9.0.1"})
                 .port(5432)
                 .resolution("NONE"));
  config.add(istio::ServiceEntry("dynamic")
                 .hosts({"*.dynamic.example.com"})
                 .port(443, "tls", "TLS")
                 .resolution("DYNAMIC_DNS"));
  ReadyWeir weir(
      dir, {config.writeFileIn(dir)},
      {.concurrency = 2, .ephemeral_gateway_ports = {9000, 9001}, .access_log = log.string()});
  const std::string none = "outbound|5432||legacy.example.com";
  const std::string dynamic = "outbound|443||*.dynamic.example.com";
  EXPECT_EQ(resolutionOf(weir, none), "NONE");
  EXPECT_EQ(resolutionOf(weir, dynamic), "DYNAMIC_DNS");

  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(answerOf(weir.port(9000)), "");
    EXPECT_EQ(answerOf(weir.port(9001)), "");
  }
  EXPECT_EQ(weir.stat("cluster." + none + ".upstream_cx_none_healthy"), 5u);
  EXPECT_EQ(weir.stat("cluster." + dynamic + ".upstream_cx_none_healthy"), 5u);
  EXPECT_EQ(weir.stat("cluster." + none + ".upstream_cx_total"), 0u);

  size_t logged = 0;
  for (int attempt = 0; attempt < 100 && logged != 10; ++attempt) {
    std::ifstream in(log);
    logged = 0;
    for (std::string line; std::getline(in, line);) {
      if (line.find(" UH - no_healthy_upstream ") != std::string::npos) ++logged;
    }
    if (logged != 10) std::this_thread::sleep_for(milliseconds(25));
  }
  EXPECT_EQ(logged, 10u);
}

// A 50/50 split whose v2 subset has loadBalancer PASSTHROUGH: Istio makes its
// cluster ORIGINAL_DST, whose load balancer finds no original destination on a
// gateway's connection and picks no host. Half the connections are answered, the
// other half closed and counted as for resolution NONE.
TEST(Resolutions, PassthroughClosesAndCountsItsShare) {
  TempDir dir;
  EchoServer one(dir, "one");
  EchoServer two(dir, "two");
  const std::filesystem::path log = dir.path() / "access.log";
  istio::Config config = istio::echoObjects();
  config.gateway().server(istio::Server(9000));
  config.virtualService().tcp(istio::Rule().to({"echo", "v1"}, 50).to({"echo", "v2"}, 50));
  config.destinationRule()
      .subset(istio::Subset::byVersion("v1"))
      .subset(istio::Subset::byVersion("v2").trafficPolicy(
          istio::TrafficPolicy().loadBalancer("PASSTHROUGH")));
  config.serviceEntry()
      .endpoint(istio::Endpoint::local(one.port()).version("v1"))
      .endpoint(istio::Endpoint::local(two.port()).version("v2"));
  ReadyWeir weir(dir, {config.writeFileIn(dir)},
                 {.concurrency = 1,
                  .seed = 15,
                  .ephemeral_gateway_ports = {9000},
                  .access_log = log.string()});
  constexpr size_t kConnections = 200;
  size_t answered = 0;
  size_t closed = 0;
  for (size_t i = 0; i < kConnections; ++i) {
    const LineExchange exchange = exchangeLine(weir.port(9000), "hello", seconds(5));
    if (exchange.data == "one hello\n" && exchange.end == IoStatus::kEof) {
      ++answered;
    } else if (exchange.connected && exchange.data.empty() &&
               (exchange.end == IoStatus::kEof || exchange.end == IoStatus::kReset)) {
      ++closed;  // by weir, without a byte (a reset when it closed on the unread line)
    } else {
      ADD_FAILURE() << "connection " << i << ": " << exchange.describe();
    }
  }
  EXPECT_EQ(answered + closed, kConnections);
  const size_t half_width = binomialHalfWidth(kConnections, 0.5, kZ999);
  EXPECT_NEAR(static_cast<double>(closed), kConnections / 2.0, half_width);

  const std::string v1 = "outbound|9000|v1|echo.default.svc.cluster.local";
  const std::string v2 = "outbound|9000|v2|echo.default.svc.cluster.local";
  EXPECT_EQ(weir.stat("cluster." + v2 + ".upstream_cx_none_healthy"), closed);
  EXPECT_EQ(weir.stat("cluster." + v2 + ".upstream_cx_total"), 0u);
  EXPECT_EQ(weir.stat("cluster." + v1 + ".upstream_cx_total"), answered);
  EXPECT_EQ(weir.stat("tcp.gw_9000.downstream_cx_no_route"), 0u) << "the cluster exists";

  size_t logged = 0;
  for (int attempt = 0; attempt < 100 && logged != closed; ++attempt) {
    std::ifstream in(log);
    logged = 0;
    for (std::string line; std::getline(in, line);) {
      if (line.find(" UH - no_healthy_upstream ") != std::string::npos) ++logged;
    }
    if (logged != closed) std::this_thread::sleep_for(milliseconds(25));
  }
  EXPECT_EQ(logged, closed);
}

// db.weir.test answers 127.0.0.2 then 127.0.0.3 (an echo server "a" on each);
// the round-robin (LOGICAL_DNS) service sees only the first, the DNS (STRICT_DNS)
// service both.
istio::Config logicalAndStrictConfig(uint16_t port) {
  istio::Config config;
  config.add(istio::Gateway("gw")
                 .server(istio::Server(9000, "logical"))
                 .server(istio::Server(9001, "strict")));
  config.add(istio::VirtualService("vs")
                 .gateways({"gw"})
                 .tcp(istio::Rule().match(istio::Match().port(9000)).to({"db.weir.test"}))
                 .tcp(istio::Rule().match(istio::Match().port(9001)).to({"strict.weir.test"})));
  config.add(
      istio::ServiceEntry("db").hosts({"db.weir.test"}).port(port).resolution("DNS_ROUND_ROBIN"));
  config.add(
      istio::ServiceEntry("strict").hosts({"strict.weir.test"}).port(port).resolution("DNS"));
  return config;
}

EchoClientRun inTurn(const TempDir& dir, uint16_t port, size_t connections) {
  return runEchoClient(dir, port, {.connections = connections, .concurrency = 1});
}

TEST(Resolutions, DnsRoundRobinUsesTheFirstAddressAndFollowsItsChanges) {
  TempDir dir;
  TestDnsServer dns;
  dns.setAnswer("db.weir.test", {"127.0.0.2", "127.0.0.3"});
  dns.setAnswer("strict.weir.test", {"127.0.0.2", "127.0.0.3"});
  const uint16_t port = freeTcpPort();
  auto at_2 = EchoServer::onAddress(dir, "two", "127.0.0.2", port);
  auto at_3 = EchoServer::onAddress(dir, "three", "127.0.0.3", port);
  ReadyWeir weir(dir, {logicalAndStrictConfig(port).writeFileIn(dir)},
                 {.concurrency = 2,
                  .ephemeral_gateway_ports = {9000, 9001},
                  .extra_args = {"--dns-resolver", dns.address(), "--dns-refresh-rate", "1"}});
  const std::string logical = "outbound|" + std::to_string(port) + "||db.weir.test";
  EXPECT_EQ(resolutionOf(weir, logical), "DNS_ROUND_ROBIN");
  EXPECT_EQ(resolutionOf(weir, "outbound|" + std::to_string(port) + "||strict.weir.test"), "DNS");

  // Every new connection goes to the first address of the answer.
  EchoClientRun run = inTurn(dir, weir.port(9000), 20);
  ASSERT_TRUE(run.tally) << run.describe();
  EXPECT_EQ(run.tally->count("two"), 20u) << run.tally->describe();
  // STRICT_DNS (resolution DNS) spreads over both (round robin per worker).
  run = inTurn(dir, weir.port(9001), 20);
  ASSERT_TRUE(run.tally) << run.describe();
  EXPECT_GE(run.tally->count("two"), 5u) << run.tally->describe();
  EXPECT_GE(run.tally->count("three"), 5u) << run.tally->describe();

  // An open connection stays on its address through the change below.
  std::string error;
  auto open = TcpConnection::connect(weir.port(9000), seconds(5), &error);
  ASSERT_TRUE(open) << error;
  ASSERT_EQ(open->sendAll("before\n", seconds(5)), IoStatus::kOk);
  EXPECT_EQ(open->readLine(seconds(5)), "two before");

  // The name server now puts 127.0.0.3 first: re-resolved within the refresh
  // rate (1 s), new connections go there.
  const size_t queries_before = dns.queriesFor("db.weir.test");
  dns.setAnswer("db.weir.test", {"127.0.0.3", "127.0.0.2"});
  ASSERT_TRUE(waitForEndpointHealth(weir, logical, "127.0.0.3:" + std::to_string(port),
                                    "HEALTHY", seconds(5)))
      << "the first address of the new answer replaced the old one";
  EXPECT_GT(dns.queriesFor("db.weir.test"), queries_before);
  EXPECT_EQ(endpointHealth(weir, logical).size(), 1u) << "still one address at a time";
  run = inTurn(dir, weir.port(9000), 20);
  ASSERT_TRUE(run.tally) << run.describe();
  EXPECT_EQ(run.tally->count("three"), 20u) << run.tally->describe();

  ASSERT_EQ(open->sendAll("after\n", seconds(5)), IoStatus::kOk);
  EXPECT_EQ(open->readLine(seconds(5)), "two after");
}

}  // namespace
}  // namespace weir::test
