// The statistics each group reports, by Envoy's names and in a fixed order: /stats,
// /stats/prometheus and /clusters are built from this visit, so a name or kind that
// changes here changes what users' dashboards read.
#include "proxy/stats/stats.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace weir::proxy {
namespace {

std::string kindName(StatKind kind) {
  switch (kind) {
    case StatKind::kCounter: return "counter";
    case StatKind::kGauge: return "gauge";
    case StatKind::kHistogram: return "histogram";
  }
  return "?";
}

// "scope scope_name name kind value", one per visited statistic.
std::vector<std::string> visited(const WorkerStats& stats) {
  std::vector<std::string> lines;
  stats.visit([&](const StatSample& sample) {
    lines.push_back(std::string(sample.scope) + " " + sample.scope_name + " " + sample.name +
                    " " + kindName(sample.kind) + " " + std::to_string(sample.value));
  });
  return lines;
}

TEST(WorkerStats, VisitsEveryStatisticByEnvoysNameInOrder) {
  WorkerStats stats;
  stats.listener("tcp_9000");
  stats.cluster("outbound|9000|v1|echo");
  stats.endpoint("outbound|9000|v1|echo", "127.0.0.1:9001");
  stats.route("default/echo/tcp[0]");
  const std::vector<std::string> expected = {
      "tcp tcp_9000 downstream_cx_total counter 0",
      "tcp tcp_9000 downstream_cx_active gauge 0",
      "tcp tcp_9000 downstream_cx_no_route counter 0",
      "tcp tcp_9000 downstream_cx_overflow counter 0",
      "tcp tcp_9000 downstream_global_cx_overflow counter 0",
      "tcp tcp_9000 downstream_cx_accept_error counter 0",
      "tcp tcp_9000 downstream_cx_rx_bytes_total counter 0",
      "tcp tcp_9000 downstream_cx_tx_bytes_total counter 0",
      "tcp tcp_9000 downstream_flow_control_paused_reading_total counter 0",
      "tcp tcp_9000 downstream_flow_control_resumed_reading_total counter 0",
      "tcp tcp_9000 downstream_pre_cx_timeout counter 0",
      "tcp tcp_9000 tls_inspector.sni_found counter 0",
      "tcp tcp_9000 tls_inspector.sni_not_found counter 0",
      "tcp tcp_9000 tls_inspector.tls_not_found counter 0",
      "tcp tcp_9000 tls_inspector.client_hello_too_large counter 0",
      "cluster outbound|9000|v1|echo upstream_cx_total counter 0",
      "cluster outbound|9000|v1|echo upstream_cx_active gauge 0",
      "cluster outbound|9000|v1|echo upstream_cx_connect_fail counter 0",
      "cluster outbound|9000|v1|echo upstream_cx_connect_timeout counter 0",
      "cluster outbound|9000|v1|echo upstream_cx_connect_local_fail counter 0",
      "cluster outbound|9000|v1|echo upstream_cx_none_healthy counter 0",
      "cluster outbound|9000|v1|echo upstream_cx_destroy_remote_with_active_rq counter 0",
      "cluster outbound|9000|v1|echo upstream_cx_idle_timeout counter 0",
      "cluster outbound|9000|v1|echo upstream_cx_overflow counter 0",
      "cluster outbound|9000|v1|echo upstream_cx_connect_attempts_exceeded counter 0",
      "cluster outbound|9000|v1|echo upstream_cx_max_duration_reached counter 0",
      "cluster outbound|9000|v1|echo upstream_cx_rx_bytes_total counter 0",
      "cluster outbound|9000|v1|echo upstream_cx_tx_bytes_total counter 0",
      "cluster outbound|9000|v1|echo upstream_flow_control_paused_reading_total counter 0",
      "cluster outbound|9000|v1|echo upstream_flow_control_resumed_reading_total counter 0",
      "cluster outbound|9000|v1|echo upstream_cx_spliced_bytes_total counter 0",
      "cluster outbound|9000|v1|echo upstream_cx_length_ms histogram 0",
      "endpoint outbound|9000|v1|echo/127.0.0.1:9001 cx_total counter 0",
      "endpoint outbound|9000|v1|echo/127.0.0.1:9001 cx_active gauge 0",
      "endpoint outbound|9000|v1|echo/127.0.0.1:9001 cx_connect_fail counter 0",
      "endpoint outbound|9000|v1|echo/127.0.0.1:9001 cx_connect_local_fail counter 0",
      "endpoint outbound|9000|v1|echo/127.0.0.1:9001 rx_bytes_total counter 0",
      "endpoint outbound|9000|v1|echo/127.0.0.1:9001 tx_bytes_total counter 0",
      "route default/echo/tcp[0] cx_total counter 0",
      "route default/echo/tcp[0] rx_bytes_total counter 0",
      "route default/echo/tcp[0] tx_bytes_total counter 0",
  };
  EXPECT_EQ(visited(stats), expected);
}

TEST(WorkerStats, ResetZeroesCountersAndHistogramsAndKeepsGauges) {
  WorkerStats stats;
  ListenerStats& listener = stats.listener("tcp_9000");
  ClusterStats& cluster = stats.cluster("c");
  EndpointStats& endpoint = stats.endpoint("c", "127.0.0.1:9001");
  RouteStats& route = stats.route("r");
  listener.downstream_cx_total.add(3);
  listener.downstream_cx_active.add(2);
  listener.tls_inspector_sni_found.add();
  cluster.upstream_cx_total.add(5);
  cluster.upstream_cx_active.add(4);
  cluster.upstream_cx_length_ms.record(7);
  endpoint.cx_total.add(6);
  endpoint.cx_active.add(1);
  route.cx_total.add(9);

  stats.resetCounters();

  EXPECT_EQ(listener.downstream_cx_total.value(), 0u);
  EXPECT_EQ(listener.downstream_cx_active.value(), 2u);
  EXPECT_EQ(listener.tls_inspector_sni_found.value(), 0u);
  EXPECT_EQ(cluster.upstream_cx_total.value(), 0u);
  EXPECT_EQ(cluster.upstream_cx_active.value(), 4u);
  EXPECT_EQ(cluster.upstream_cx_length_ms.count(), 0u);
  EXPECT_EQ(cluster.upstream_cx_length_ms.sum(), 0u);
  EXPECT_EQ(endpoint.cx_total.value(), 0u);
  EXPECT_EQ(endpoint.cx_active.value(), 1u);
  EXPECT_EQ(route.cx_total.value(), 0u);
}

TEST(WorkerStats, VisitReportsEachValueAndTheHistogram) {
  WorkerStats stats;
  ClusterStats& cluster = stats.cluster("c");
  cluster.upstream_cx_rx_bytes_total.add(123);
  cluster.upstream_cx_length_ms.record(7);
  cluster.upstream_cx_length_ms.record(70);
  uint64_t rx = 0;
  const Histogram* length = nullptr;
  uint64_t length_count = 0;
  stats.visit([&](const StatSample& sample) {
    const std::string name = sample.name;
    if (name == "upstream_cx_rx_bytes_total") rx = sample.value;
    if (name == "upstream_cx_length_ms") {
      length = sample.histogram;
      length_count = sample.value;
    }
  });
  EXPECT_EQ(rx, 123u);
  EXPECT_EQ(length, &cluster.upstream_cx_length_ms);
  EXPECT_EQ(length_count, 2u);
}

}  // namespace
}  // namespace weir::proxy
