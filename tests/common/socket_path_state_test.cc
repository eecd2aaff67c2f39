#include "common/socket_path_state.h"

#include <fcntl.h>
#include <sys/socket.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "common/unique_fd.h"
#include "tests/support/socket_dir.h"

namespace weir {
namespace {

// A socket bound at `address`, listening or not.
UniqueFd boundSocket(const SocketAddress& address, bool listening) {
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  EXPECT_EQ(bind(fd.get(), address.get(), address.length()), 0);
  if (listening) {
    EXPECT_EQ(listen(fd.get(), 4), 0);
  }
  return fd;
}

TEST(SocketPathProbe, NothingThereIsFree) {
  test::SocketDir dir;
  EXPECT_EQ(probeSocketPath(*SocketAddress::fromUnixPath(dir.socket("absent.sock"))),
            SocketPathState::kFree);
  EXPECT_EQ(probeSocketPath(*SocketAddress::fromUnixPath(dir.abstractSocket("abstract"))),
            SocketPathState::kFree);
  EXPECT_EQ(probeSocketPath(*SocketAddress::fromIpLiteral("127.0.0.1", 1)),
            SocketPathState::kFree);
}

TEST(SocketPathProbe, ARegularFileIsNotASocket) {
  test::SocketDir dir;
  UniqueFd file(open(dir.socket("plain").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
  ASSERT_TRUE(file);
  EXPECT_EQ(probeSocketPath(*SocketAddress::fromUnixPath(dir.socket("plain"))),
            SocketPathState::kNotASocket);
}

TEST(SocketPathProbe, AListeningSocketIsLive) {
  test::SocketDir dir;
  const SocketAddress address = *SocketAddress::fromUnixPath(dir.socket("live.sock"));
  UniqueFd listener = boundSocket(address, true);
  EXPECT_EQ(probeSocketPath(address), SocketPathState::kLive);
  EXPECT_TRUE(std::filesystem::exists(dir.socket("live.sock")));
}

TEST(SocketPathProbe, ASocketFileNobodyAcceptsOnIsStaleAndStays) {
  test::SocketDir dir;
  const SocketAddress address = *SocketAddress::fromUnixPath(dir.socket("stale.sock"));
  boundSocket(address, true).reset();  // the owner is gone, its file is not
  EXPECT_EQ(probeSocketPath(address), SocketPathState::kStale);
  EXPECT_TRUE(std::filesystem::exists(dir.socket("stale.sock")));  // probing removes nothing
  // Bound but never listening: nobody accepts either.
  const SocketAddress unlistened = *SocketAddress::fromUnixPath(dir.socket("bound.sock"));
  UniqueFd fd = boundSocket(unlistened, false);
  EXPECT_EQ(probeSocketPath(unlistened), SocketPathState::kStale);
}

}  // namespace
}  // namespace weir
