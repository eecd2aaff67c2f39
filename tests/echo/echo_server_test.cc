// EchoServer on a loop thread, driven through real sockets on 127.0.0.1.
#include "echo/echo_server.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "echo_test_support.h"

namespace weir::echo {
namespace {

using test::ServerOnThread;
using test::TestPeer;
using namespace std::chrono_literals;

EchoSettings lineSettings(std::string prefix, std::size_t max_line_bytes = 64 * 1024) {
  EchoSettings settings;
  settings.mode = EchoMode::kLines;
  settings.prefix = std::move(prefix);
  settings.max_line_bytes = max_line_bytes;
  return settings;
}

EchoSettings rawSettings() {
  EchoSettings settings;
  settings.mode = EchoMode::kRaw;
  return settings;
}

std::string randomBytes(std::size_t size, std::mt19937& random) {
  std::string bytes(size, '\0');
  for (char& byte : bytes) {
    byte = static_cast<char>(random() & 0xff);
  }
  return bytes;
}

// The most the kernel may hold for one loopback connection between a peer with pinned
// small buffers and the server: the server's autotuned receive and send buffers.
std::size_t kernelBufferCeiling() {
  auto third = [](const char* path) {
    std::ifstream file(path);
    std::size_t min = 0, initial = 0, max = 0;
    file >> min >> initial >> max;
    return max > 0 ? max : std::size_t{64} << 20;
  };
  return third("/proc/sys/net/ipv4/tcp_rmem") + third("/proc/sys/net/ipv4/tcp_wmem");
}

constexpr int kPinnedPeerBuffer = 64 * 1024;

TEST(EchoServer, AnswersEveryLineInOrderWithThePrefix) {
  ServerOnThread server(lineSettings("one"));
  TestPeer peer(server.port());
  ASSERT_TRUE(peer.sendAll("a\nbb\n\nccc\n"));
  peer.shutdownWrite();
  peer.read();
  EXPECT_TRUE(peer.eof());
  EXPECT_EQ(peer.received(), "one a\none bb\none \none ccc\n");
}

TEST(EchoServer, AnswersEachLineAsItArrives) {
  ServerOnThread server(lineSettings("one"));
  TestPeer peer(server.port());
  for (const std::string line : {"first\n", "second\n"}) {
    std::size_t before = peer.received().size();
    ASSERT_TRUE(peer.sendAll(line));
    peer.read(before + 4 + line.size(), 5s);
    ASSERT_EQ(peer.received().substr(before), "one " + line);
  }
  EXPECT_FALSE(peer.eof());
}

TEST(EchoServer, LineSplitAcrossWritesIsAnsweredOnce) {
  ServerOnThread server(lineSettings("one"));
  TestPeer peer(server.port());
  ASSERT_TRUE(peer.sendAll("hel"));
  std::this_thread::sleep_for(50ms);  // let the server see the partial line alone
  ASSERT_TRUE(peer.sendAll("lo\n"));
  peer.shutdownWrite();
  peer.read();
  EXPECT_EQ(peer.received(), "one hello\n");
}

TEST(EchoServer, DropsTrailingPartialLineAtEofAndCloses) {
  ServerOnThread server(lineSettings("one"));
  TestPeer peer(server.port());
  ASSERT_TRUE(peer.sendAll("done\nnot done"));
  peer.shutdownWrite();
  peer.read();
  EXPECT_TRUE(peer.eof());
  EXPECT_FALSE(peer.failed());
  EXPECT_EQ(peer.received(), "one done\n");
}

TEST(EchoServer, EveryListenerAnswers) {
  ServerOnThread server(lineSettings("two"), 2);
  ASSERT_NE(server.port(0), server.port(1));
  for (std::size_t i = 0; i < 2; ++i) {
    TestPeer peer(server.port(i));
    ASSERT_TRUE(peer.sendAll("x\n"));
    peer.shutdownWrite();
    peer.read();
    EXPECT_EQ(peer.received(), "two x\n");
  }
}

TEST(EchoServer, DisconnectsALineOverTheLimit) {
  ServerOnThread server(lineSettings("one", 100));
  TestPeer peer(server.port());
  // No newline and no shutdown: only the limit can end this connection.
  peer.sendAll(std::string(1000, 'x'));
  peer.read(SIZE_MAX, 5s);
  EXPECT_TRUE(peer.eof() || peer.failed());
  EXPECT_EQ(peer.received(), "");
}

TEST(EchoServer, LineOfExactlyTheLimitIsAnswered) {
  ServerOnThread server(lineSettings("one", 100));
  TestPeer peer(server.port());
  std::string line(100, 'y');
  ASSERT_TRUE(peer.sendAll(line + "\n"));
  peer.shutdownWrite();
  peer.read();
  EXPECT_EQ(peer.received(), "one " + line + "\n");
}

TEST(EchoServer, ServesManyClientsAtOnce) {
  ServerOnThread server(lineSettings("one"));
  constexpr int kClients = 300;
  std::vector<std::unique_ptr<TestPeer>> peers;
  for (int i = 0; i < kClients; ++i) {
    peers.push_back(std::make_unique<TestPeer>(server.port()));
    ASSERT_TRUE(peers.back()->sendAll("client " + std::to_string(i) + "\n"));
  }
  for (int i = 0; i < kClients; ++i) {
    std::string expected = "one client " + std::to_string(i) + "\n";
    peers[i]->read(expected.size(), 5s);
    EXPECT_EQ(peers[i]->received(), expected);
  }
}

TEST(EchoServer, RawEchoesBinaryDataAndClosesAfterHalfClose) {
  ServerOnThread server(rawSettings());
  TestPeer peer(server.port());
  std::mt19937 random(42);
  std::string data = randomBytes(8 << 20, random);
  ASSERT_TRUE(peer.sendAll(data, 20s));
  peer.shutdownWrite();
  peer.read(SIZE_MAX, 20s);
  EXPECT_TRUE(peer.eof());
  EXPECT_EQ(peer.received().size(), data.size());
  EXPECT_TRUE(peer.received() == data);
}

TEST(EchoServer, RawStopsReadingFromAClientThatDoesNotReadThenCatchesUp) {
  ServerOnThread server(rawSettings());
  TestPeer peer(server.port(), kPinnedPeerBuffer);
  std::mt19937 random(7);
  bool stalled = false;
  // Without backpressure the server would read all it is sent, and this would go on
  // until the 5 s limit with far more than the ceiling.
  const std::size_t ceiling = kernelBufferCeiling() + (4 << 20);
  std::string sent = peer.sendWithoutReading([&] { return randomBytes(64 * 1024, random); },
                                             ceiling, 300ms, 5s, stalled);
  EXPECT_TRUE(stalled);
  EXPECT_LT(sent.size(), ceiling);

  // Once the client reads, the server resumes, echoes everything and closes.
  peer.shutdownWrite();
  peer.read(SIZE_MAX, 20s);
  EXPECT_TRUE(peer.eof());
  EXPECT_EQ(peer.received().size(), sent.size());
  EXPECT_TRUE(peer.received() == sent);
}

TEST(EchoServer, LinesStopReadingFromAClientThatDoesNotReadThenCatchUp) {
  ServerOnThread server(lineSettings("one"));
  TestPeer peer(server.port(), kPinnedPeerBuffer);
  std::string chunk;
  while (chunk.size() < 64 * 1024) {
    chunk += "0123456789abcde\n";
  }
  bool stalled = false;
  const std::size_t ceiling = kernelBufferCeiling() + (4 << 20);
  std::string sent = peer.sendWithoutReading([&] { return chunk; }, ceiling, 300ms, 5s, stalled);
  EXPECT_TRUE(stalled);
  EXPECT_LT(sent.size(), ceiling);

  peer.shutdownWrite();
  peer.read(SIZE_MAX, 20s);
  EXPECT_TRUE(peer.eof());
  // Each complete line sent comes back with the prefix; a line cut by the stall is
  // dropped at EOF.
  std::size_t lines = std::count(sent.begin(), sent.end(), '\n');
  std::string expected;
  expected.reserve(lines * 20);
  for (std::size_t i = 0; i < lines; ++i) {
    expected += "one 0123456789abcde\n";
  }
  EXPECT_EQ(peer.received().size(), expected.size());
  EXPECT_TRUE(peer.received() == expected);
}

}  // namespace
}  // namespace weir::echo
