// Endpoints beyond inline IPv4 ones, through the real binary: standalone
// WorkloadEntry objects selected by a ServiceEntry's workloadSelector (subsets
// then choose among them by label), and an IPv6 endpoint address.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/echo_server.h"
#include "tests/support/istio_scenario.h"
#include "tests/support/ready_weir.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace weir::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr uint16_t kPort = 9000;

std::string frontYaml(const std::string& subset) {
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
  - route: [{destination: {host: echo, port: {number: 9000}, subset: )" + subset + R"(}}]
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
)";
}

std::string answerThrough(uint16_t port) {
  auto connection = TcpConnection::connect(port, seconds(5));
  if (!connection) return "connect failed";
  if (connection->sendAll("hi\n", seconds(5)) != IoStatus::kOk) return "send failed";
  IoStatus status = IoStatus::kOk;
  std::optional<std::string> line = connection->readLine(seconds(5), &status);
  return line ? *line : std::string("no answer: ") + toString(status);
}

TEST(WorkloadEndpoints, WorkloadEntriesSelectedByTheServiceEntryServeTheSubsets) {
  TempDir dir;
  EchoServer v1(dir, "v1");
  EchoServer v2(dir, "v2");
  EchoServer stray(dir, "stray");
  std::ostringstream yaml;
  yaml << frontYaml("v2") << R"(apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: echo}
spec:
  hosts: [echo]
  ports: [{number: 9000, name: tcp, protocol: TCP}]
  resolution: STATIC
  workloadSelector:
    labels: {app: echo}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: echo-v1}
spec:
  address: 127.0.0.1
  ports: {tcp: )" << v1.port() << R"(}
  labels: {app: echo, version: v1}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: echo-v2}
spec:
  address: 127.0.0.1
  ports: {tcp: )" << v2.port() << R"(}
  labels: {app: echo, version: v2}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: not-echo}
spec:
  address: 127.0.0.1
  ports: {tcp: )" << stray.port() << R"(}
  labels: {app: other, version: v2}
)";
  const std::filesystem::path config = dir.freshSubdir("config") / "istio.yaml";
  replaceFile(config, yaml.str());
  ReadyWeir weir(dir, {config}, {.concurrency = 1, .ephemeral_gateway_ports = {kPort}});
  // Subset v2 is the WorkloadEntry labelled app=echo, version=v2; the entry with
  // app=other is not selected, so it never answers.
  for (int i = 0; i < 6; ++i) EXPECT_EQ(answerThrough(weir.port(kPort)), "v2 hi") << i;
}

// Istio accepts a subset that selects no workload yet; Envoy then closes what is
// routed there (no healthy upstream). Weir loads it with a warning, closes those
// connections, counts them, and keeps serving the other subset.
TEST(WorkloadEndpoints, ASubsetThatSelectsNothingLoadsAndItsConnectionsAreClosed) {
  TempDir dir;
  EchoServer v1(dir, "v1");
  std::ostringstream yaml;
  yaml << frontYaml("v2") << R"(apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: echo}
spec:
  hosts: [echo]
  ports: [{number: 9000, name: tcp, protocol: TCP}]
  resolution: STATIC
  workloadSelector:
    labels: {app: echo}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: echo-v1}
spec:
  address: 127.0.0.1
  ports: {tcp: )" << v1.port() << R"(}
  labels: {app: echo, version: v1}
)";
  const std::filesystem::path config = dir.freshSubdir("config") / "istio.yaml";
  replaceFile(config, yaml.str());
  ReadyWeir weir(dir, {config}, {.concurrency = 1, .ephemeral_gateway_ports = {kPort}});
  for (int i = 0; i < 3; ++i) {
    const std::string answer = answerThrough(weir.port(kPort));
    EXPECT_TRUE(answer.starts_with("no answer: ")) << i << ": " << answer;
  }
  const std::string cluster = "cluster.outbound|9000|v2|echo.default.svc.cluster.local.";
  EXPECT_EQ(weir.stat(cluster + "upstream_cx_none_healthy"), 3u);

  // The same file with the route to v1 serves as before.
  std::string to_v1 = yaml.str();
  to_v1.replace(to_v1.find("subset: v2"), 10, "subset: v1");
  replaceFile(config, to_v1);
  ASSERT_EQ(weir.post("/reload").status, 200);
  EXPECT_EQ(answerThrough(weir.port(kPort)), "v1 hi");
}

bool loopbackV6Available() {
  int fd = socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return ok;
}

TEST(WorkloadEndpoints, Ipv6EndpointAddressIsConnectedTo) {
  if (!loopbackV6Available()) GTEST_SKIP() << "no IPv6 loopback (::1) on this machine";
  TempDir dir;
  // tcp-echo-server on [::1] only: weir can reach it only over IPv6.
  ChildProcess echo({{kEchoServerBinary, "--listen", "::1", "0", "six"}, dir.path(), "echo-six",
                     std::nullopt});
  std::optional<uint16_t> port;
  for (int i = 0; i < 200 && !port; ++i) {
    port = parseListeningPort(echo.stdoutText() + echo.stderrText());
    if (!port) std::this_thread::sleep_for(milliseconds(10));
  }
  ASSERT_TRUE(port.has_value()) << echo.stderrText();
  std::ostringstream yaml;
  yaml << frontYaml("v1") << R"(apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: echo}
spec:
  hosts: [echo]
  ports: [{number: 9000, name: tcp, protocol: TCP}]
  resolution: STATIC
  endpoints:
  - {address: "::1", ports: {tcp: )" << *port << R"(}, labels: {version: v1}}
)";
  const std::filesystem::path config = dir.freshSubdir("config") / "istio.yaml";
  replaceFile(config, yaml.str());
  ReadyWeir weir(dir, {config}, {.concurrency = 1, .ephemeral_gateway_ports = {kPort}});
  EXPECT_EQ(answerThrough(weir.port(kPort)), "six hi");
  EXPECT_EQ(weir.stat("endpoint.outbound|9000|v1|echo.default.svc.cluster.local/[::1]:" +
                      std::to_string(*port) + ".cx_total"),
            1u);
}

}  // namespace
}  // namespace weir::test
