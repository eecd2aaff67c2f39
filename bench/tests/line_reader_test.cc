#include "bench/loadgen/line_reader.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>

#include "common/unique_fd.h"

namespace weir::bench {
namespace {

struct SocketPair {
  SocketPair() {
    int fds[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
    reader.reset(fds[0]);
    writer.reset(fds[1]);
  }
  void write(const std::string& bytes) {
    ASSERT_EQ(::write(writer.get(), bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
  UniqueFd reader;
  UniqueFd writer;
};

TEST(LineReader, AssemblesALineFromPieces) {
  SocketPair pair;
  LineReader reader(100);
  pair.write("one pi");
  EXPECT_EQ(reader.readFrom(pair.reader.get()), LineReader::Status::kNeedMore);
  pair.write("ng\ntwo");
  ASSERT_EQ(reader.readFrom(pair.reader.get()), LineReader::Status::kLine);
  EXPECT_EQ(reader.line(), "one ping");
  EXPECT_EQ(reader.extraBytes(), 3u);
  reader.takeLine();
  pair.write(" pong\n");
  ASSERT_EQ(reader.readFrom(pair.reader.get()), LineReader::Status::kLine);
  EXPECT_EQ(reader.line(), "two pong");
  EXPECT_EQ(reader.extraBytes(), 0u);
}

TEST(LineReader, EndOfFileBeforeALine) {
  SocketPair pair;
  LineReader reader(100);
  pair.write("half");
  pair.writer.reset();
  EXPECT_EQ(reader.readFrom(pair.reader.get()), LineReader::Status::kEndOfFile);
}

TEST(LineReader, TooLongWithoutNewline) {
  SocketPair pair;
  LineReader reader(10);
  pair.write(std::string(11, 'x'));
  EXPECT_EQ(reader.readFrom(pair.reader.get()), LineReader::Status::kTooLong);
}

}  // namespace
}  // namespace weir::bench
