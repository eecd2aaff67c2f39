// tcp-echo-server with --proxy-protocol (EchoSettings::proxy_protocol): in process on a
// loop thread, and as the real binary, over TCP on 127.0.0.1.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "echo/echo_server.h"
#include "echo_test_support.h"
#include "tests/support/child_process.h"
#include "tests/support/echo_server.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace weir::echo {
namespace {

using test::ServerOnThread;
using test::TestPeer;
using namespace std::chrono_literals;

const std::string kV1 = "PROXY TCP4 127.0.0.2 127.0.0.1 40000 9000\r\n";
// v2, PROXY, TCP4: 127.0.0.2:40000 -> 127.0.0.1:9000.
const std::string kV2 =
    std::string("\r\n\r\n\0\r\nQUIT\n", 12) +
    std::string("\x21\x11\x00\x0C\x7F\x00\x00\x02\x7F\x00\x00\x01\x9C\x40\x23\x28", 16);
const std::string kV2Ipv6 =
    std::string("\r\n\r\n\0\r\nQUIT\n", 12) + std::string("\x21\x21\x00\x24", 4) +
    std::string("\x20\x01\x0d\xb8", 4) + std::string(11, '\0') + "\x01" + std::string(15, '\0') +
    "\x01" + std::string("\x9C\x40\x23\x28", 4);

EchoSettings proxiedSettings(EchoMode mode) {
  EchoSettings settings;
  settings.mode = mode;
  settings.prefix = "one";
  settings.proxy_protocol = true;
  return settings;
}

// Waits (bounded) for the server's count of rejected headers to reach `expected`.
bool rejectedReaches(const ServerOnThread& server, std::size_t expected) {
  const auto deadline = test::Clock::now() + 5s;
  while (server.server().counters().rejected_proxy_headers.load() < expected &&
         test::Clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  return server.server().counters().rejected_proxy_headers.load() == expected;
}

TEST(EchoProxyProtocol, LinesCarryTheClientAddressOfAV1Header) {
  ServerOnThread server(proxiedSettings(EchoMode::kLines));
  TestPeer peer(server.port());
  ASSERT_TRUE(peer.sendAll(kV1 + "hello\nagain\n"));
  peer.shutdownWrite();
  peer.read();
  EXPECT_TRUE(peer.eof());
  EXPECT_EQ(peer.received(),
            "one [from 127.0.0.2:40000] hello\none [from 127.0.0.2:40000] again\n");
  EXPECT_EQ(server.server().counters().rejected_proxy_headers.load(), 0u);
}

TEST(EchoProxyProtocol, V2Ipv6Address) {
  ServerOnThread server(proxiedSettings(EchoMode::kLines));
  TestPeer peer(server.port());
  ASSERT_TRUE(peer.sendAll(kV2Ipv6 + "hi\n"));
  peer.shutdownWrite();
  peer.read();
  EXPECT_EQ(peer.received(), "one [from [2001:db8::1]:40000] hi\n");
}

TEST(EchoProxyProtocol, HeaderSplitAcrossWritesIsReassembled) {
  for (const std::string& header : {kV1, kV2}) {
    ServerOnThread server(proxiedSettings(EchoMode::kLines));
    TestPeer peer(server.port());
    // Pauses between the pieces so that the server reads them separately.
    for (std::size_t at = 0; at < header.size(); at += 5) {
      ASSERT_TRUE(peer.sendAll(header.substr(at, 5)));
      std::this_thread::sleep_for(5ms);
    }
    const std::string expected = "one [from 127.0.0.2:40000] x\n";
    ASSERT_TRUE(peer.sendAll("x\n"));
    peer.read(expected.size(), 5s);
    EXPECT_EQ(peer.received(), expected);
    EXPECT_FALSE(peer.eof());
  }
}

TEST(EchoProxyProtocol, RawSendsTheAddressLineThenEchoesTheBytesAfterTheHeader) {
  ServerOnThread server(proxiedSettings(EchoMode::kRaw));
  TestPeer peer(server.port());
  const std::string payload("\0binary\r\n\xff no framing", 21);
  ASSERT_TRUE(peer.sendAll(kV2 + payload));
  peer.shutdownWrite();
  peer.read();
  EXPECT_TRUE(peer.eof());
  EXPECT_EQ(peer.received(), "PROXY-FROM 127.0.0.2:40000\n" + payload);
}

TEST(EchoProxyProtocol, UnknownOrLocalIsAcceptedWithoutAnAddress) {
  ServerOnThread server(proxiedSettings(EchoMode::kLines));
  TestPeer peer(server.port());
  ASSERT_TRUE(peer.sendAll("PROXY UNKNOWN\r\nhi\n"));
  peer.shutdownWrite();
  peer.read();
  EXPECT_EQ(peer.received(), "one [from unknown] hi\n");
}

TEST(EchoProxyProtocol, ConnectionWithoutAHeaderIsClosedUnansweredAndCounted) {
  ServerOnThread server(proxiedSettings(EchoMode::kLines));
  {
    TestPeer peer(server.port());
    ASSERT_TRUE(peer.sendAll("hello\n"));
    peer.read();  // the server closes; no shutdown from this side
    EXPECT_TRUE(peer.eof() || peer.failed());
    EXPECT_EQ(peer.received(), "");
  }
  EXPECT_TRUE(rejectedReaches(server, 1));
  {
    TestPeer peer(server.port());
    ASSERT_TRUE(peer.sendAll("PROXY TCP4 127.0.0.2 127.0.0.1 40000 99999\r\nhello\n"));
    peer.read();
    EXPECT_TRUE(peer.eof() || peer.failed());
    EXPECT_EQ(peer.received(), "");
  }
  EXPECT_TRUE(rejectedReaches(server, 2));
}

TEST(EchoProxyProtocol, ClientClosingInsideTheHeaderIsCounted) {
  ServerOnThread server(proxiedSettings(EchoMode::kRaw));
  TestPeer peer(server.port());
  ASSERT_TRUE(peer.sendAll(kV2.substr(0, 20)));
  peer.shutdownWrite();
  peer.read();
  EXPECT_TRUE(peer.eof());
  EXPECT_EQ(peer.received(), "");  // not even the PROXY-FROM line
  EXPECT_TRUE(rejectedReaches(server, 1));
}

TEST(EchoProxyProtocol, WithoutTheSettingAHeaderIsJustALine) {
  EchoSettings settings = proxiedSettings(EchoMode::kLines);
  settings.proxy_protocol = false;
  ServerOnThread server(settings);
  TestPeer peer(server.port());
  ASSERT_TRUE(peer.sendAll("PROXY UNKNOWN\r\n"));
  peer.shutdownWrite();
  peer.read();
  EXPECT_EQ(peer.received(), "one PROXY UNKNOWN\r\n");
}

// The real binary: `tcp-echo-server --listen 127.0.0.1 --proxy-protocol 0 one`.
class EchoServerBinary {
 public:
  EchoServerBinary(const weir::test::TempDir& dir, std::vector<std::string> extra) {
    std::vector<std::string> argv = {weir::test::kEchoServerBinary, "--listen", "127.0.0.1",
                                     "--proxy-protocol"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    process_ = std::make_unique<weir::test::ChildProcess>(
        weir::test::ChildSpec{argv, dir.path() / "logs", "echo", std::nullopt});
    const auto deadline = test::Clock::now() + 10s;
    while (test::Clock::now() < deadline && process_->running()) {
      if (auto port = weir::test::parseListeningPort(process_->stdoutText())) {
        port_ = *port;
        return;
      }
      std::this_thread::sleep_for(5ms);
    }
    ADD_FAILURE() << process_->commandLine() << " did not start: " << process_->stderrText();
  }
  std::uint16_t port() const { return port_; }
  weir::test::ChildProcess& process() { return *process_; }

 private:
  std::unique_ptr<weir::test::ChildProcess> process_;
  std::uint16_t port_ = 0;
};

std::string exchange(std::uint16_t port, const std::string& bytes) {
  std::string error;
  auto connection = weir::test::TcpConnection::connect(port, 5000ms, &error);
  if (!connection) {
    ADD_FAILURE() << "connect: " << error;
    return "";
  }
  EXPECT_EQ(connection->sendAll(bytes, 5000ms), weir::test::IoStatus::kOk);
  connection->shutdownWrite();
  auto result = connection->readUntilEof(5000ms);
  EXPECT_EQ(result.end, weir::test::IoStatus::kEof);
  return result.data;
}

TEST(EchoProxyProtocolBinary, AnswersV1AndV2HeadersWithTheClientAddress) {
  weir::test::TempDir dir;
  EchoServerBinary server(dir, {"0", "one"});
  ASSERT_NE(server.port(), 0);
  EXPECT_EQ(exchange(server.port(), kV1 + "hello\n"), "one [from 127.0.0.2:40000] hello\n");
  EXPECT_EQ(exchange(server.port(), kV2 + "hello\n"), "one [from 127.0.0.2:40000] hello\n");
  // No header: closed without an answer, and the server keeps serving.
  EXPECT_EQ(exchange(server.port(), "hello\n"), "");
  EXPECT_EQ(exchange(server.port(), kV1 + "again\n"), "one [from 127.0.0.2:40000] again\n");
  EXPECT_TRUE(server.process().running());
}

TEST(EchoProxyProtocolBinary, RawPrefixesTheEchoWithTheAddressLine) {
  weir::test::TempDir dir;
  EchoServerBinary server(dir, {"--raw", "0"});
  ASSERT_NE(server.port(), 0);
  EXPECT_EQ(exchange(server.port(), kV2 + "abc"), "PROXY-FROM 127.0.0.2:40000\nabc");
  EXPECT_EQ(exchange(server.port(), kV1 + "abc"), "PROXY-FROM 127.0.0.2:40000\nabc");
}

}  // namespace
}  // namespace weir::echo
