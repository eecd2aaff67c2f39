// One direction of the data path, Relay (proxy/connection/relay.h), on real
// sockets in this process: a test client writes into one connected pair, the
// relay moves the bytes from that pair's other end into a second pair, and a test
// server reads them. The test plays the event loop: it sets the readiness hints
// an edge would set, then runs the relay once. Every case runs on TCP and on Unix
// sockets, copied and spliced, except those about TCP resets.
#include "proxy/connection/relay.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "tests/support/byte_stream.h"
#include "tests/support/socket_pair.h"

namespace weir::proxy {
namespace {

using test::SocketKind;

constexpr uint64_t kSeed = 0x7e1a7;
constexpr size_t kScratch = 16 * 1024;

struct RelayPath {
  SocketKind kind;
  bool splice;  // splice_after 0: through a pipe from the first byte
};

std::string describe(const RelayPath& path) {
  return test::toString(path.kind) + (path.splice ? "Spliced" : "Copied");
}
std::string pathName(const ::testing::TestParamInfo<RelayPath>& info) {
  return describe(info.param);
}
void PrintTo(const RelayPath& path, std::ostream* out) { *out << describe(path); }

// Sends stream kSeed from `offset` on, up to `until`, in chunks of at most
// `max_chunk`, until the socket takes no more. True if it stopped for EAGAIN.
bool sendPattern(int fd, uint64_t& offset, uint64_t until, size_t max_chunk) {
  std::vector<char> chunk(max_chunk);
  while (offset < until) {
    const size_t size = static_cast<size_t>(std::min<uint64_t>(max_chunk, until - offset));
    test::fillPatternBytes(kSeed, offset, std::span<char>(chunk.data(), size));
    const ssize_t sent = send(fd, chunk.data(), size, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0) {
      EXPECT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK) << std::strerror(errno);
      return true;
    }
    offset += static_cast<uint64_t>(sent);
  }
  return false;
}

// What the test server has read, checked against stream kSeed as it comes.
struct PatternReader {
  uint64_t received = 0;
  std::optional<uint64_t> first_mismatch;
  bool eof = false;

  // Reads what `fd` has now, in reads of at most `max_read` bytes.
  void readAvailable(int fd, size_t max_read = 64 * 1024) {
    std::vector<char> buffer(max_read), expected(max_read);
    while (!eof) {
      const ssize_t got = recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
      if (got == 0) eof = true;
      if (got <= 0) return;
      const auto size = static_cast<size_t>(got);
      test::fillPatternBytes(kSeed, received, std::span<char>(expected.data(), size));
      for (size_t i = 0; i < size && !first_mismatch; ++i) {
        if (buffer[i] != expected[i]) first_mismatch = received + i;
      }
      received += size;
    }
  }
};

// Whether `fd` reports `events` within `timeout`.
bool waitFor(int fd, short events, std::chrono::milliseconds timeout) {
  pollfd wanted{fd, events, 0};
  return poll(&wanted, 1, static_cast<int>(timeout.count())) == 1 && (wanted.revents & events);
}

size_t openDescriptors() {
  size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    ++count;
  }
  return count;
}

// client → [source | relay | destination] → server
class RelayTest : public ::testing::TestWithParam<RelayPath> {
 protected:
  explicit RelayTest(int buffer_bytes = 0)
      : incoming_(test::connectedPair(GetParam().kind, buffer_bytes)),
        outgoing_(test::connectedPair(GetParam().kind, buffer_bytes)),
        source_{.fd = incoming_.b.get()},
        destination_{.fd = outgoing_.a.get()} {
    test::setNonBlocking(source_.fd);
    test::setNonBlocking(destination_.fd);
    relay_.attach(&source_, &destination_);
  }
  ~RelayTest() override { relay_.detach(pipes_); }
  // splice(2) into a socket that was reset raises SIGPIPE (it has no MSG_NOSIGNAL);
  // weir ignores it (Proxy::start), and so does this test.
  static void SetUpTestSuite() { std::signal(SIGPIPE, SIG_IGN); }

  int client() const { return incoming_.a.get(); }
  int server() const { return outgoing_.b.get(); }

  // What a worker lends its relays, from the settings below: the one place that
  // knows RelayContext's fields.
  RelayContext context() {
    settings_.buffer_limit = buffer_limit_;
    settings_.splice_after = splice_after_;
    return RelayContext{.settings = &settings_,
                        .scratch = scratch_.data(),
                        .scratch_size = scratch_.size(),
                        .pipes = pipes_in_use_};
  }

  // One run after the loop reported the source readable and the destination
  // writable (an edge on each), as a connection's pump() does.
  Relay::Result runAfterEvents() {
    source_.readable = true;
    source_.error_checked = false;
    destination_.writable = true;
    return run();
  }
  Relay::Result run() {
    const Relay::Result result = relay_.run(context());
    moved_ += result.moved;
    spliced_ += result.spliced;
    return result;
  }

  test::SocketPair incoming_;  // a: the client, b: the relay's source
  test::SocketPair outgoing_;  // a: the relay's destination, b: the server
  SocketSide source_;
  SocketSide destination_;
  std::vector<char> scratch_ = std::vector<char>(kScratch);
  size_t buffer_limit_ = 1024 * 1024;
  std::optional<uint64_t> splice_after_ =
      GetParam().splice ? std::optional<uint64_t>(0) : std::nullopt;
  PipePool pipes_{256 * 1024, 4};
  PipePool* pipes_in_use_ = &pipes_;
  ProxySettings settings_;  // what context() lends: buffer_limit_ and splice_after_
  Relay relay_;
  uint64_t moved_ = 0;
  uint64_t spliced_ = 0;
};

TEST_P(RelayTest, BytesArriveInOrderAndIntactThenTheFin) {
  constexpr uint64_t kTotal = 4 << 20;
  std::mt19937_64 random(GetParam().splice ? 1 : 2);
  std::uniform_int_distribution<size_t> chunk(1, 64 * 1024);
  uint64_t sent = 0;
  PatternReader arrived;
  bool shut = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (int round = 0; round < 200'000 && !arrived.eof; ++round) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << arrived.received << " bytes through";
    sendPattern(client(), sent, kTotal, chunk(random));
    if (sent == kTotal && !shut) shut = shutdown(client(), SHUT_WR) == 0;
    const Relay::Result result = runAfterEvents();
    ASSERT_EQ(result.failure, Relay::Failure::kNone) << "round " << round;
    if (relay_.finOwed()) relay_.sendFin();
    // Reads of any size, so the destination is sometimes full and bytes wait.
    arrived.readAvailable(server(), chunk(random));
  }
  EXPECT_TRUE(arrived.eof);
  EXPECT_EQ(arrived.received, kTotal);
  EXPECT_FALSE(arrived.first_mismatch.has_value()) << *arrived.first_mismatch;
  EXPECT_TRUE(relay_.done());
  EXPECT_EQ(moved_, kTotal);
  EXPECT_EQ(spliced_, GetParam().splice ? kTotal : 0u);
}

// Small socket buffers, so that the destination fills up after a few hundred KiB.
class RelayBackpressureTest : public RelayTest {
 protected:
  // A limit below the pipe's capacity (256 KiB), so that it binds on both paths.
  RelayBackpressureTest() : RelayTest(64 * 1024) { buffer_limit_ = 128 * 1024; }
};

TEST_P(RelayBackpressureTest, ReadingStopsAtTheLimitIsReportedOnceAndResumes) {
  // The server reads nothing: the destination fills, then the relay's buffer (or
  // pipe) up to the limit; there it stops reading, so the bytes stay in the
  // source's kernel buffer and TCP (or the Unix socket) stops the client.
  uint64_t sent = 0;
  int pauses = 0;
  int resumes = 0;
  bool client_blocked = false;
  for (int round = 0; round < 10'000 && !(pauses > 0 && client_blocked); ++round) {
    client_blocked = sendPattern(client(), sent, UINT64_MAX, 64 * 1024);
    const Relay::Result result = runAfterEvents();
    ASSERT_EQ(result.failure, Relay::Failure::kNone);
    pauses += result.paused;
    resumes += result.resumed;
    ASSERT_LE(relay_.waiting(), buffer_limit_) << "round " << round;
  }
  ASSERT_EQ(pauses, 1);
  EXPECT_EQ(resumes, 0);
  EXPECT_GT(relay_.waiting(), 0u);
  // Paused, more events change nothing: nothing read, no second report.
  for (int i = 0; i < 3; ++i) {
    const Relay::Result result = runAfterEvents();
    EXPECT_EQ(result.moved, 0u);
    EXPECT_FALSE(result.paused) << "a pause is reported once";
    EXPECT_FALSE(result.resumed);
  }
  EXPECT_TRUE(sendPattern(client(), sent, UINT64_MAX, 64 * 1024)) << "the client is held back";

  // The server reads everything; each time there is room the relay reads again,
  // and says so once per pause. The client then finishes with a FIN.
  const uint64_t total = sent + 512 * 1024;
  PatternReader arrived;
  bool shut = false;
  for (int round = 0; round < 100'000 && !arrived.eof; ++round) {
    arrived.readAvailable(server());
    sendPattern(client(), sent, total, 64 * 1024);
    if (sent == total && !shut) shut = shutdown(client(), SHUT_WR) == 0;
    const Relay::Result result = runAfterEvents();
    ASSERT_EQ(result.failure, Relay::Failure::kNone);
    pauses += result.paused;
    resumes += result.resumed;
    ASSERT_LE(relay_.waiting(), buffer_limit_);
    if (relay_.finOwed()) relay_.sendFin();
  }
  EXPECT_GE(resumes, 1);
  EXPECT_EQ(resumes, pauses) << "every pause ended in a resume";
  EXPECT_TRUE(arrived.eof);
  EXPECT_EQ(arrived.received, total);
  EXPECT_FALSE(arrived.first_mismatch.has_value());
}

TEST_P(RelayTest, TheFinFollowsOnlyOnceThePendingBytesAreWritten) {
  constexpr uint64_t kTotal = 100 * 1000;
  uint64_t sent = 0;
  ASSERT_FALSE(sendPattern(client(), sent, kTotal, kTotal));
  ASSERT_EQ(shutdown(client(), SHUT_WR), 0);
  // The destination has not said it is writable: what is read waits.
  for (int round = 0; round < 100 && !source_.read_eof; ++round) {
    source_.readable = true;
    ASSERT_EQ(run().failure, Relay::Failure::kNone);
  }
  ASSERT_TRUE(source_.read_eof);
  EXPECT_EQ(relay_.waiting(), kTotal);
  EXPECT_FALSE(relay_.finOwed()) << "bytes are still waiting";
  EXPECT_FALSE(relay_.done());
  EXPECT_FALSE(waitFor(server(), POLLIN, std::chrono::milliseconds(0)))
      << "neither a byte nor the FIN has reached the server";

  destination_.writable = true;
  ASSERT_EQ(run().failure, Relay::Failure::kNone);
  EXPECT_EQ(relay_.waiting(), 0u);
  ASSERT_TRUE(relay_.finOwed());
  relay_.sendFin();
  EXPECT_TRUE(relay_.done());
  PatternReader arrived;
  for (int i = 0; i < 100 && !arrived.eof; ++i) {
    waitFor(server(), POLLIN, std::chrono::milliseconds(50));
    arrived.readAvailable(server());
  }
  EXPECT_TRUE(arrived.eof);
  EXPECT_EQ(arrived.received, kTotal) << "every byte came before the FIN";
  EXPECT_FALSE(arrived.first_mismatch.has_value());
}

// The spliced path only.
using RelaySpliceTest = RelayTest;

// splice_after: a direction starts splicing only after that many bytes carried in
// large reads; line-sized exchanges never do, however long they go on.
TEST_P(RelaySpliceTest, SplicingStartsOnlyAfterSpliceAfterBytesOfBulk) {
  constexpr uint64_t kSpliceAfter = 64 * 1024;
  splice_after_ = kSpliceAfter;
  PatternReader arrived;
  uint64_t sent = 0;
  for (int line = 0; line < 7000; ++line) {  // 70 KB in 10-byte reads
    ASSERT_FALSE(sendPattern(client(), sent, sent + 10, 10));
    source_.readable = destination_.writable = true;
    const Relay::Result result = run();
    ASSERT_EQ(result.failure, Relay::Failure::kNone);
    EXPECT_EQ(result.spliced, 0u) << "line " << line;
    arrived.readAvailable(server());
  }
  // Bulk: the first kSpliceAfter bytes at least are copied, the rest may splice.
  uint64_t spliced = 0;
  const uint64_t total = sent + (2 << 20);
  for (int round = 0; round < 100'000 && arrived.received < total; ++round) {
    sendPattern(client(), sent, total, 256 * 1024);
    source_.readable = destination_.writable = true;
    const Relay::Result result = run();
    ASSERT_EQ(result.failure, Relay::Failure::kNone);
    spliced += result.spliced;
    arrived.readAvailable(server());
  }
  EXPECT_EQ(arrived.received, total);
  EXPECT_FALSE(arrived.first_mismatch.has_value());
  EXPECT_GT(spliced, 0u);
  EXPECT_LE(spliced, total - 70'000 - kSpliceAfter);
}

// A pipe is held only while it holds bytes: an idle connection costs no pipe.
TEST_P(RelaySpliceTest, APipeIsGivenBackAsSoonAsItIsEmpty) {
  PipePool keeps_none(256 * 1024, 0);  // a returned pipe is closed: its descriptors go
  pipes_in_use_ = &keeps_none;
  const size_t idle = openDescriptors();
  uint64_t sent = 0;
  ASSERT_FALSE(sendPattern(client(), sent, 1000, 1000));
  ASSERT_TRUE(waitFor(source_.fd, POLLIN, std::chrono::seconds(2)));
  source_.readable = true;  // the destination not yet writable: the bytes stay in the pipe
  Relay::Result result = run();
  ASSERT_EQ(result.failure, Relay::Failure::kNone);
  EXPECT_EQ(result.spliced, 1000u);
  EXPECT_EQ(openDescriptors(), idle + 2) << "the pipe is held while it holds bytes";

  destination_.writable = true;
  result = run();
  ASSERT_EQ(result.failure, Relay::Failure::kNone);
  EXPECT_EQ(relay_.waiting(), 0u);
  EXPECT_EQ(openDescriptors(), idle) << "the empty pipe went back (and, kept by none, closed)";
  PatternReader arrived;
  for (int i = 0; i < 100 && arrived.received < 1000; ++i) {
    waitFor(server(), POLLIN, std::chrono::milliseconds(50));
    arrived.readAvailable(server());
  }
  EXPECT_EQ(arrived.received, 1000u);
  EXPECT_FALSE(arrived.first_mismatch.has_value());
}

// A pipe that still holds bytes when its connection goes is closed, never reused:
// its bytes belong to that connection.
TEST_P(RelaySpliceTest, APipeWithBytesInItIsClosedNotReused) {
  const size_t idle = openDescriptors();
  uint64_t sent = 0;
  ASSERT_FALSE(sendPattern(client(), sent, 1000, 1000));
  ASSERT_TRUE(waitFor(source_.fd, POLLIN, std::chrono::seconds(2)));
  source_.readable = true;
  ASSERT_EQ(run().spliced, 1000u);
  EXPECT_EQ(openDescriptors(), idle + 2);
  relay_.detach(pipes_);  // pipes_ keeps up to four, but not this one
  EXPECT_EQ(openDescriptors(), idle);
}

INSTANTIATE_TEST_SUITE_P(EveryPath, RelayTest,
                         ::testing::Values(RelayPath{SocketKind::kTcp, false},
                                           RelayPath{SocketKind::kTcp, true},
                                           RelayPath{SocketKind::kUnix, false},
                                           RelayPath{SocketKind::kUnix, true}),
                         pathName);
INSTANTIATE_TEST_SUITE_P(Spliced, RelaySpliceTest,
                         ::testing::Values(RelayPath{SocketKind::kTcp, true},
                                           RelayPath{SocketKind::kUnix, true}),
                         pathName);
INSTANTIATE_TEST_SUITE_P(EveryPath, RelayBackpressureTest,
                         ::testing::Values(RelayPath{SocketKind::kTcp, false},
                                           RelayPath{SocketKind::kTcp, true},
                                           RelayPath{SocketKind::kUnix, false},
                                           RelayPath{SocketKind::kUnix, true}),
                         pathName);

// ---- TCP resets ----------------------------------------------------------------

using RelayResetTest = RelayTest;

// Issue 14: a reset that arrives right behind the last bytes comes with no event
// of its own (edge-triggered, and libevent reports EPOLLERR as plain readiness),
// so the run that reads the bytes must read on until EAGAIN and find it.
TEST_P(RelayResetTest, AResetBehindTheLastBytesIsSeenInTheRunThatReadsThem) {
  ASSERT_EQ(send(client(), "hello", 5, MSG_NOSIGNAL), 5);
  test::resetOnClose(client());
  incoming_.a.reset();
  ASSERT_TRUE(waitFor(source_.fd, POLLERR, std::chrono::seconds(2))) << "no RST arrived";

  const Relay::Result result = runAfterEvents();  // the one event there will be
  EXPECT_EQ(result.failure, Relay::Failure::kSource);
  EXPECT_EQ(result.moved, 5u);
  char buffer[16];
  ASSERT_TRUE(waitFor(server(), POLLIN, std::chrono::seconds(2)));
  EXPECT_EQ(recv(server(), buffer, sizeof buffer, MSG_DONTWAIT), 5) << "the bytes went first";
}

// A paused source is not read, so its reset would wait behind the full
// destination: the relay asks the socket for its error once per event.
TEST_P(RelayResetTest, APausedSourcesResetIsSeen) {
  buffer_limit_ = 64 * 1024;
  uint64_t sent = 0;
  bool paused = false;
  for (int round = 0; round < 10'000 && !paused; ++round) {
    sendPattern(client(), sent, UINT64_MAX, 64 * 1024);
    const Relay::Result result = runAfterEvents();
    ASSERT_EQ(result.failure, Relay::Failure::kNone);
    paused = result.paused;
  }
  ASSERT_TRUE(paused);
  test::resetOnClose(client());
  incoming_.a.reset();
  ASSERT_TRUE(waitFor(source_.fd, POLLERR, std::chrono::seconds(2))) << "no RST arrived";
  const Relay::Result result = runAfterEvents();
  EXPECT_EQ(result.failure, Relay::Failure::kSource);
  EXPECT_EQ(result.moved, 0u) << "nothing read: still paused";
}

TEST_P(RelayResetTest, ADestinationThatWasResetFailsTheRun) {
  test::resetOnClose(server());
  outgoing_.b.reset();
  ASSERT_TRUE(waitFor(destination_.fd, POLLERR, std::chrono::seconds(2))) << "no RST arrived";
  ASSERT_EQ(send(client(), "hello", 5, MSG_NOSIGNAL), 5);
  ASSERT_TRUE(waitFor(source_.fd, POLLIN, std::chrono::seconds(2)));
  EXPECT_EQ(runAfterEvents().failure, Relay::Failure::kDestination);
}

INSTANTIATE_TEST_SUITE_P(Tcp, RelayResetTest,
                         ::testing::Values(RelayPath{SocketKind::kTcp, false},
                                           RelayPath{SocketKind::kTcp, true}),
                         pathName);

}  // namespace
}  // namespace weir::proxy
