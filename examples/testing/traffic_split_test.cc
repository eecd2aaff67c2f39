// Testing a canary split with Weir embedded: the same Istio YAML you ship, two
// echo workloads, and assertions on where connections went. Nothing to start
// beforehand, no fixed ports, no sleeps.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>
#include <weir/binomial_interval.h>
#include <weir/echo_server.h>
#include <weir/proxy.h>

namespace {

// The Istio walk-through: Gateway port 9000, subsets v1/v2 of tcp-echo-server,
// with the two echo servers as the subsets' endpoints.
std::string canaryConfig(int v1_weight, int v2_weight, uint16_t v1_port, uint16_t v2_port) {
  return R"(
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: tcp-echo-gateway}
spec:
  servers:
  - port: {number: 9000, name: tcp, protocol: TCP}
    hosts: ["*"]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: tcp-echo}
spec:
  hosts: ["*"]
  gateways: [tcp-echo-gateway]
  tcp:
  - route:
    - destination: {host: tcp-echo-server, port: {number: 9000}, subset: v1}
      weight: )" + std::to_string(v1_weight) + R"(
    - destination: {host: tcp-echo-server, port: {number: 9000}, subset: v2}
      weight: )" + std::to_string(v2_weight) + R"(
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: tcp-echo-destination}
spec:
  host: tcp-echo-server
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: tcp-echo-server}
spec:
  hosts: [tcp-echo-server]
  ports: [{number: 9000, name: tcp, protocol: TCP}]
  resolution: STATIC
  endpoints:
  - {address: 127.0.0.1, ports: {tcp: )" + std::to_string(v1_port) + R"(}, labels: {version: v1}}
  - {address: 127.0.0.1, ports: {tcp: )" + std::to_string(v2_port) + R"(}, labels: {version: v2}}
)";
}

// One connection through the proxy: send a line, return the first word of the
// answer ("one" or "two"), or "" on any failure. Bounded by a 5 s poll.
std::string askOnce(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      send(fd, "hello\n", 6, MSG_NOSIGNAL) == 6) {
    char buffer[256];
    pollfd readable{fd, POLLIN, 0};
    while (answer.find('\n') == std::string::npos && poll(&readable, 1, 5000) == 1) {
      const ssize_t got = recv(fd, buffer, sizeof buffer, 0);
      if (got <= 0) break;
      answer.append(buffer, static_cast<size_t>(got));
    }
  }
  close(fd);
  return answer.substr(0, answer.find(' '));
}

TEST(CanarySplit, EightyTwentyThenAllToTheCanary) {
  weir::EchoServer v1("one");
  weir::EchoServer v2("two");
  weir::ProxySettings settings;
  settings.config_texts = {{"canary.yaml", canaryConfig(80, 20, v1.port(), v2.port())}};
  settings.ephemeral_ports = true;  // Gateway port 9000 -> whatever is free
  auto proxy = weir::Proxy::start(settings);
  const uint16_t port = proxy->port(9000);

  // 2,000 connections at p = 0.8: sd = sqrt(2000 * 0.8 * 0.2) = 17.9; the 99.9%
  // interval (z = 3.29) is 1600 +- 59, [1542, 1658] in whole counts: the interval
  // tcp-echo-client --expect uses. A correct proxy fails this 1 run in 1,000.
  constexpr int kConnections = 2000;
  int one = 0, two = 0;
  for (int i = 0; i < kConnections; ++i) {
    const std::string word = askOnce(port);
    one += word == "one";
    two += word == "two";
  }
  EXPECT_EQ(one + two, kConnections) << "every connection must be answered";
  const weir::CountInterval expected = weir::binomialInterval(kConnections, 0.8, 0.999);
  EXPECT_TRUE(expected.contains(static_cast<uint64_t>(one)))
      << one << " of " << kConnections << " outside [" << expected.low << ", " << expected.high
      << "]";
  // Weir's own counters say the same.
  auto by_subset = proxy->connectionsBySubset();
  EXPECT_EQ(by_subset["v1"], static_cast<uint64_t>(one));
  EXPECT_EQ(by_subset["v2"], static_cast<uint64_t>(two));

  // Shift everything to the canary: every new connection reaches v2.
  proxy->resetCounters();
  ASSERT_EQ(proxy->reload({{"canary.yaml", canaryConfig(0, 100, v1.port(), v2.port())}}),
            std::vector<std::string>{});
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(askOnce(port), "two") << "connection " << i << " after the shift";
  }
  EXPECT_EQ(proxy->connectionsBySubset()["v1"], 0u);
  EXPECT_EQ(proxy->connectionsBySubset()["v2"], 200u);
}

TEST(CanarySplit, ABrokenConfigIsRefusedWithItsPosition) {
  weir::EchoServer v1("one");
  weir::EchoServer v2("two");
  weir::ProxySettings settings;
  settings.config_texts = {{"canary.yaml", canaryConfig(-5, 20, v1.port(), v2.port())}};
  settings.ephemeral_ports = true;
  try {
    weir::Proxy::start(settings);
    FAIL() << "a negative weight must be refused";
  } catch (const weir::ConfigError& error) {
    ASSERT_EQ(error.errors().size(), 1u) << error.what();
    EXPECT_EQ(error.errors()[0], "canary.yaml:19:15: spec.tcp[0].route[0].weight: weight -5 < 0");
  }
}

}  // namespace
