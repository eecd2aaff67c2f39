// ServiceEntry `resolution: DNS`: host-name endpoints are resolved asynchronously
// (every address a name resolves to is an endpoint), a name that does not resolve
// is reported with its position and counted, and connections to its subset fail
// cleanly while the other subsets keep serving.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <thread>

#include "tests/support/echo_client.h"
#include "tests/support/echo_server.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"
#include "tests/support/weir_process.h"

namespace weir::test {
namespace {

// The walk-through at 50/50, with v1's endpoint written as a host name.
std::filesystem::path writeDnsConfig(const TempDir& dir, uint16_t gateway_port,
                                     const std::string& v1_address, uint16_t v1_port,
                                     uint16_t v2_port) {
  std::filesystem::path path = dir.freshSubdir("config") / "dns.yaml";
  std::ofstream(path) << R"(apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  servers:
  - port: {number: )" << gateway_port << R"(, name: tcp, protocol: TCP}
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
    - destination: {host: echo, subset: v1}
      weight: 50
    - destination: {host: echo, subset: v2}
      weight: 50
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: dr}
spec:
  host: echo
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: echo}
spec:
  hosts: [echo]
  ports: [{number: 9000, name: tcp, protocol: TCP}]
  resolution: DNS
  endpoints:
  - address: )" << v1_address << R"(
    ports: {tcp: )" << v1_port << R"(}
    labels: {version: v1}
  - address: 127.0.0.1
    ports: {tcp: )" << v2_port << R"(}
    labels: {version: v2}
)";
  return path;
}

TEST(DnsEndpoints, HostNameEndpointIsResolvedAndServes) {
  TempDir dir;
  EchoServer one(dir, "one");
  EchoServer two(dir, "two");
  const uint16_t port = freeTcpPort();
  // "localhost" comes from /etc/hosts through libevent's resolver; the echo
  // servers listen on 127.0.0.1, which is what it resolves to on Debian.
  WeirProcess weir(dir, {writeDnsConfig(dir, port, "localhost", one.port(), two.port())}, port);

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
  const std::filesystem::path config =
      writeDnsConfig(dir, port, "no-such-host.invalid", one.port(), two.port());
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

  // The name's position in the file: line 39, column 14 (`address: no-such-host.invalid`).
  const std::string expected = config.string() +
                               ":39:14: spec.endpoints[0].address: host name "
                               "\"no-such-host.invalid\" does not resolve";
  EXPECT_NE(weir.process().stderrText().find(expected), std::string::npos)
      << weir.process().stderrText();
}

}  // namespace
}  // namespace weir::test
