// weir::Proxy::startOn: the proxy's control loop is the caller's libevent
// event_base. The caller runs that loop and calls the proxy from its thread; the
// data path still runs on the proxy's own workers.
#include <arpa/inet.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <weir/echo_server.h>
#include <weir/proxy.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "tests/support/istio_scenarios.h"

namespace {

namespace istio = weir::test::istio;

// Gateway port 9000 split between v1 and v2 of echo, one endpoint each.
std::string config(int v1_weight, int v2_weight, uint16_t v1_port, uint16_t v2_port) {
  istio::Config split = istio::echoObjects();
  split.gateway().server(istio::Server(9000));
  split.virtualService().tcp(
      istio::Rule().to({"echo", "v1"}, v1_weight).to({"echo", "v2"}, v2_weight));
  split.addVersionSubset("v1", {v1_port}).addVersionSubset("v2", {v2_port});
  return split.yaml();
}

// The first word of the answer to one line, "" on failure (bounded by a 5 s poll).
std::string firstWordOfAnswer(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      send(fd, "hi\n", 3, MSG_NOSIGNAL) == 3) {
    char buffer[128];
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

struct Shift {
  weir::Proxy* proxy;
  std::string yaml;
  std::vector<std::string> errors;
  std::atomic<bool> done{false};
};

TEST(CallerLoop, ProxyRunsOnTheCallersEventBaseAndReloadsThere) {
  evthread_use_pthreads();  // the client thread below wakes this loop
  event_base* base = event_base_new();
  ASSERT_NE(base, nullptr);
  {
    weir::EchoServer v1("one");
    weir::EchoServer v2("two");
    weir::ProxySettings settings;
    settings.config_texts = {{"embedded.yaml", config(100, 0, v1.port(), v2.port())}};
    settings.ephemeral_ports = true;
    auto proxy = weir::Proxy::startOn(base, settings);
    const uint16_t port = proxy->port(9000);

    Shift shift{proxy.get(), config(0, 100, v1.port(), v2.port()), {}, {}};
    std::string before, after;
    std::thread client([&] {
      for (int i = 0; i < 50; ++i) before += firstWordOfAnswer(port) == "one" ? '1' : 'x';
      // Reload on the loop's thread, as the contract says, and wait (bounded).
      event_base_once(
          base, -1, EV_TIMEOUT,
          [](evutil_socket_t, short, void* arg) {
            auto* shift = static_cast<Shift*>(arg);
            shift->errors = shift->proxy->reload({{"embedded.yaml", shift->yaml}});
            shift->done = true;
          },
          &shift, nullptr);
      for (int i = 0; i < 500 && !shift.done; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      for (int i = 0; i < 50 && shift.done; ++i) {
        after += firstWordOfAnswer(port) == "two" ? '2' : 'x';
      }
      event_base_loopbreak(base);
    });
    event_base_loop(base, EVLOOP_NO_EXIT_ON_EMPTY);
    client.join();

    EXPECT_TRUE(shift.done) << "the reload never ran on the caller's loop";
    EXPECT_TRUE(shift.errors.empty());
    EXPECT_EQ(before, std::string(50, '1'));
    EXPECT_EQ(after, std::string(50, '2'));
    EXPECT_EQ(proxy->connectionsBySubset()["v1"], 50u);
    EXPECT_EQ(proxy->connectionsBySubset()["v2"], 50u);
  }
  event_base_free(base);
}

}  // namespace
