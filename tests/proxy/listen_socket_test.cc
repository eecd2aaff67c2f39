#include "proxy/listener/listen_socket.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

namespace weir::proxy {
namespace {

// Issue 17: the first socket of a listener binds alone, so a port someone already
// listens on is refused, while the siblings (and a --reuse-port successor) join it.
TEST(ListenSocket, AnExclusiveSocketIsRefusedWhereAnotherListensAndTheOthersJoinIt) {
  std::string error;
  const int first =
      openListenSocket(*SocketAddress::fromIpLiteral("127.0.0.1", 0), error, PortSharing::kExclusive);
  ASSERT_GE(first, 0) << error;
  const SocketAddress bound = *localAddressOf(first);
  const int sibling = openListenSocket(bound, error, PortSharing::kJoin);
  EXPECT_GE(sibling, 0) << error;
  EXPECT_EQ(openListenSocket(bound, error, PortSharing::kExclusive), -1);
  EXPECT_EQ(error, bound.toString() + " is already in use");
  // A wildcard on the same port overlaps it too.
  EXPECT_EQ(openListenSocket(SocketAddress::anyIpv4(bound.port()), error, PortSharing::kExclusive),
            -1);
  EXPECT_EQ(error, "0.0.0.0:" + std::to_string(bound.port()) + " is already in use");
  close(sibling);
  close(first);
}

// The data path relies on this: it does not set TCP_NODELAY on accepted sockets.
TEST(ListenSocket, AcceptedSocketsHaveNoDelay) {
  std::string error;
  auto address = SocketAddress::fromIpLiteral("127.0.0.1", 0);
  ASSERT_TRUE(address.has_value());
  const int listener = openListenSocket(*address, error);
  ASSERT_GE(listener, 0) << error;
  auto bound = localAddressOf(listener);
  ASSERT_TRUE(bound.has_value());

  const int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_EQ(connect(client, bound->get(), bound->length()), 0);
  int accepted = -1;
  for (int attempt = 0; attempt < 100 && accepted < 0; ++attempt) {
    accepted = accept(listener, nullptr, nullptr);
    if (accepted < 0) usleep(10'000);
  }
  ASSERT_GE(accepted, 0);
  int nodelay = 0;
  socklen_t length = sizeof nodelay;
  ASSERT_EQ(getsockopt(accepted, IPPROTO_TCP, TCP_NODELAY, &nodelay, &length), 0);
  EXPECT_EQ(nodelay, 1);
  close(accepted);
  close(client);
  close(listener);
}

// A Unix listener's socket file: a stale one (nobody accepts on it: a crashed
// owner's) is replaced, as Envoy does; a live one or a plain file is not touched.
class UnixListenSocket : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/weir-listen-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/gw.sock";
  }
  void TearDown() override {
    unlink(path_.c_str());
    rmdir(dir_.c_str());
  }
  int listenHere(std::string& error) {
    return openListenSocket(*SocketAddress::fromUnixPath(path_), error);
  }
  std::string dir_;
  std::string path_;
};

TEST_F(UnixListenSocket, ReplacesAStaleSocketFile) {
  std::string error;
  const int first = listenHere(error);
  ASSERT_GE(first, 0) << error;
  close(first);  // the file stays, as after a crash
  struct stat info {};
  ASSERT_EQ(lstat(path_.c_str(), &info), 0);
  const int second = listenHere(error);
  ASSERT_GE(second, 0) << error;
  auto bound = localAddressOf(second);
  ASSERT_TRUE(bound);
  EXPECT_EQ(bound->toString(), path_);
  const int client = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  EXPECT_EQ(connect(client, bound->get(), bound->length()), 0);
  close(client);
  close(second);
}

TEST_F(UnixListenSocket, LeavesALiveSocketAndOtherFilesAlone) {
  std::string error;
  const int live = listenHere(error);
  ASSERT_GE(live, 0) << error;
  EXPECT_EQ(listenHere(error), -1);
  // In the words of a TCP port in use (this process holds it, so no pid is named).
  EXPECT_EQ(error, "unix socket " + path_ +
                       " is already in use: another process accepts connections on it");
  close(live);
  unlink(path_.c_str());

  const int file = open(path_.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
  ASSERT_GE(file, 0);
  close(file);
  EXPECT_EQ(listenHere(error), -1);
  EXPECT_EQ(error, "cannot listen on unix socket " + path_ +
                       ": a file that is not a socket is in the way");
  struct stat info {};
  EXPECT_EQ(lstat(path_.c_str(), &info), 0);
  EXPECT_TRUE(S_ISREG(info.st_mode));
}

TEST_F(UnixListenSocket, TheKeyOfAUnixListenerIsItsBind) {
  config::Listener listener;
  listener.bind_address = "unix://@weir";
  EXPECT_EQ(listenerKey(listener), "unix://@weir");
  listener.bind_address = "127.0.0.1";
  listener.port = 9000;
  EXPECT_EQ(listenerKey(listener), "127.0.0.1:9000");
}

}  // namespace
}  // namespace weir::proxy
