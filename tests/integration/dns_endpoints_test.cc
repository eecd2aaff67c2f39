// ServiceEntry `resolution: DNS`: host-name endpoints are resolved asynchronously
// (every address a name resolves to is an endpoint), a name that does not resolve
// is reported with its position and counted, and connections to its subset fail
// cleanly while the other subsets keep serving.
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "tests/support/echo_client.h"
#include "tests/support/echo_server.h"
#include "tests/support/istio_scenarios.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"
#include "tests/support/weir_process.h"

namespace weir::test {
namespace {

// The walk-through at 50/50 (Gateway port `gateway_port`), resolution DNS, with
// v1's endpoint written as a host name.
istio::Config dnsConfig(uint16_t gateway_port, const std::string& v1_address, uint16_t v1_port,
                        uint16_t v2_port) {
  istio::Config config = istio::echoObjects();
  config.gateway().server(istio::Server(gateway_port));
  config.virtualService().tcp(istio::Rule().to({"echo", "v1"}, 50).to({"echo", "v2"}, 50));
  config.destinationRule()
      .subset(istio::Subset::byVersion("v1"))
      .subset(istio::Subset::byVersion("v2"));
  config.serviceEntry()
      .resolution("DNS")
      .endpoint(istio::Endpoint(v1_address).port("tcp", v1_port).version("v1"))
      .endpoint(istio::Endpoint::local(v2_port).version("v2"));
  return config;
}

TEST(DnsEndpoints, HostNameEndpointIsResolvedAndServes) {
  TempDir dir;
  EchoServer one(dir, "one");
  EchoServer two(dir, "two");
  const uint16_t port = freeTcpPort();
  // "localhost" comes from /etc/hosts through libevent's resolver; the echo
  // servers listen on 127.0.0.1, which is what it resolves to on Debian.
  WeirProcess weir(dir, {dnsConfig(port, "localhost", one.port(), two.port()).writeFileIn(dir)},
                   port);

  EchoClientRun run = runEchoClient(dir, port, {.connections = 400, .concurrency = 20});
  ASSERT_TRUE(run.tally) << run.describe();
  EXPECT_EQ(run.tally->errors, 0u) << run.describe();
  // 50/50 over 400: sd = 10; both subsets answering at all is the point here.
  EXPECT_GT(run.tally->count("one"), 100u) << run.describe();
  EXPECT_GT(run.tally->count("two"), 100u) << run.describe();
}

TEST(DnsEndpoints, UnresolvableNameIsReportedCountedAndFailsOnlyItsSubset) {
  TempDir dir;
  EchoServer one(dir, "one");
  EchoServer two(dir, "two");
  const uint16_t port = freeTcpPort();
  // .invalid never resolves (RFC 2606), with or without a name server.
  const istio::Config dns = dnsConfig(port, "no-such-host.invalid", one.port(), two.port());
  const std::filesystem::path config = dns.writeFileIn(dir);
  WeirProcess weir(dir, {config}, port, {.admin = "127.0.0.1:0"});

  EchoClientRun run = runEchoClient(dir, port, {.connections = 200, .concurrency = 10});
  ASSERT_TRUE(run.tally) << run.describe();
  EXPECT_EQ(run.tally->count("one"), 0u) << run.describe();
  EXPECT_GT(run.tally->count("two"), 50u) << run.describe();
  // Every connection that picked v1 failed, and only those.
  EXPECT_EQ(run.tally->errors + run.tally->count("two"), 200u) << run.describe();
  EXPECT_GT(run.tally->errors, 50u) << run.describe();

  // Each failure is counted: one access-log line with Envoy's UH flag apiece
  // (written by a background thread, hence the bounded wait).
  size_t logged = 0;
  for (int attempt = 0; attempt < 100 && logged != run.tally->errors; ++attempt) {
    const std::string log = weir.process().stdoutText();
    logged = 0;
    for (size_t at = log.find(" UH - no_healthy_upstream "); at != std::string::npos;
         at = log.find(" UH - no_healthy_upstream ", at + 1)) {
      ++logged;
    }
    if (logged != run.tally->errors) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(logged, run.tally->errors);

  // The name's position in the file (`address: no-such-host.invalid`).
  const TextPosition name = positionOf(dns.yaml(), "no-such-host.invalid");
  const std::string expected = config.string() + ":" + std::to_string(name.line) + ":" +
                               std::to_string(name.column) +
                               ": spec.endpoints[0].address: host name "
                               "\"no-such-host.invalid\" does not resolve";
  EXPECT_NE(weir.process().stderrText().find(expected), std::string::npos)
      << weir.process().stderrText();
}

}  // namespace
}  // namespace weir::test
