// EchoClient against servers on the same event loop, on 127.0.0.1.
#include "echo/echo_client.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/libevent_handles.h"
#include "echo/echo_server.h"
#include "echo_test_support.h"

namespace weir::echo {
namespace {

using test::loopback;
using namespace std::chrono_literals;

// Accepts on 127.0.0.1, sends `reply`, half-closes, and holds the socket until the end.
class ScriptedServer {
 public:
  ScriptedServer(event_base* base, std::string reply) : reply_(std::move(reply)) {
    SocketAddress address = loopback(0);
    listener_.reset(evconnlistener_new_bind(base, &ScriptedServer::onAccept, this,
                                            LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 16,
                                            address.get(), static_cast<int>(address.length())));
    EXPECT_TRUE(listener_);
    port_ = localAddressOf(evconnlistener_get_fd(listener_.get()))->port();
  }
  ~ScriptedServer() {
    for (int fd : accepted_) {
      ::close(fd);
    }
  }

  std::uint16_t port() const { return port_; }

 private:
  static void onAccept(evconnlistener*, evutil_socket_t fd, sockaddr*, int, void* self) {
    auto* server = static_cast<ScriptedServer*>(self);
    server->accepted_.push_back(fd);
    if (!server->reply_.empty()) {
      ::send(fd, server->reply_.data(), server->reply_.size(), MSG_NOSIGNAL);
    }
    ::shutdown(fd, SHUT_WR);
  }

  std::string reply_;
  ConnListenerPtr listener_;
  std::uint16_t port_ = 0;
  std::vector<int> accepted_;
};

// A socket bound to 127.0.0.1 that is kept, so its port stays taken; with `listening`
// connections complete but are never accepted, without it they are refused.
class SilentPort {
 public:
  explicit SilentPort(bool listening) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    SocketAddress address = loopback(0);
    EXPECT_EQ(::bind(fd_, address.get(), address.length()), 0);
    if (listening) {
      EXPECT_EQ(::listen(fd_, 64), 0);
    }
    port_ = localAddressOf(fd_)->port();
  }
  SilentPort(const SilentPort&) = delete;
  SilentPort& operator=(const SilentPort&) = delete;
  ~SilentPort() { ::close(fd_); }

  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

class EchoClientTest : public ::testing::Test {
 protected:
  ClientPlan plan(std::uint16_t port, std::size_t connections, std::size_t concurrency,
                  std::chrono::milliseconds timeout = 5000ms) {
    return ClientPlan{
        .target = loopback(port),
        .connections = connections,
        .concurrency = concurrency,
        .message = "hello",
        .timeout = timeout,
        .on_answer = [this](std::string_view answer) { answers_.emplace_back(answer); },
    };
  }

  EventBasePtr base_{event_base_new()};
  std::vector<std::string> answers_;
};

TEST_F(EchoClientTest, TalliesEveryAnswerOfAnEchoServer) {
  EchoSettings settings;
  settings.prefix = "one";
  EchoServer server(base_.get(), settings);
  std::uint16_t port = server.listen(loopback(0)).port();

  EchoClient client(base_.get(), plan(port, 300, 7));
  client.run();
  EXPECT_EQ(client.tally().report(), "one 300 (100.0%)\nerrors 0\n");
  ASSERT_EQ(answers_.size(), 300u);
  for (const std::string& answer : answers_) {
    EXPECT_EQ(answer, "one hello");  // without the newline
  }
}

TEST_F(EchoClientTest, SendsTheMessage) {
  EchoSettings settings;
  settings.prefix = "p";
  EchoServer server(base_.get(), settings);
  ClientPlan custom = plan(server.listen(loopback(0)).port(), 1, 1);
  custom.message = "two words";
  EchoClient client(base_.get(), std::move(custom));
  client.run();
  EXPECT_EQ(answers_, std::vector<std::string>{"p two words"});
}

TEST_F(EchoClientTest, CountsRefusedConnections) {
  SilentPort closed(false);
  EchoClient client(base_.get(), plan(closed.port(), 5, 2));
  client.run();
  EXPECT_EQ(client.tally().report(), "errors 5\n  connect refused 5\n");
  EXPECT_TRUE(answers_.empty());
}

TEST_F(EchoClientTest, TimeoutsComeInRoundsOfAtMostCConnections) {
  SilentPort silent(true);
  auto start = std::chrono::steady_clock::now();
  EchoClient client(base_.get(), plan(silent.port(), 6, 2, 100ms));
  client.run();
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(client.tally().report(), "errors 6\n  timeout 6\n");
  // Six connections two at a time: three rounds of the 100 ms timeout. More at once
  // would take two rounds (200 ms) or one; libevent's cached clock may fire each
  // timer a millisecond or two early, so the bound sits between two and three rounds.
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 5s);
}

TEST_F(EchoClientTest, CountsAConnectionClosedWithoutAnswer) {
  ScriptedServer server(base_.get(), "");
  EchoClient client(base_.get(), plan(server.port(), 3, 3));
  client.run();
  EXPECT_EQ(client.tally().report(), "errors 3\n  closed without answer 3\n");
}

TEST_F(EchoClientTest, AnAnswerCutShortByEofStillCounts) {
  ScriptedServer server(base_.get(), "three no newline");
  EchoClient client(base_.get(), plan(server.port(), 2, 1));
  client.run();
  EXPECT_EQ(client.tally().report(), "three 2 (100.0%)\nerrors 0\n");
  EXPECT_EQ(answers_, (std::vector<std::string>{"three no newline", "three no newline"}));
}

TEST_F(EchoClientTest, OnlyTheFirstLineIsTheAnswer) {
  ScriptedServer server(base_.get(), "two first\none second\n");
  EchoClient client(base_.get(), plan(server.port(), 1, 1));
  client.run();
  EXPECT_EQ(answers_, std::vector<std::string>{"two first"});
}

}  // namespace
}  // namespace weir::echo
