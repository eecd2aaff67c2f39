// --data-path: which way weir moves bytes, and what it does when the sockmap is not
// to be had. The fallback runs weir as root without the capabilities the BPF
// program needs (setpriv drops CAP_BPF, CAP_SYS_ADMIN, CAP_NET_ADMIN and
// CAP_PERFMON from its bounding set), as in a container without cap_add.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/admin_stats.h"
#include "tests/support/data_path.h"
#include "tests/support/echo_server.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"
#include "tests/support/weir_process.h"

namespace weir::test {
namespace {

using std::chrono::seconds;

const std::vector<std::string> kWithoutBpfCapabilities = {
    "/usr/bin/setpriv", "--bounding-set", "-bpf,-sys_admin,-net_admin,-perfmon",
    "--inh-caps", "-all", "--"};

// Sends a line through `weir` to the echo server "one" and checks the answer.
void expectEcho(const WeirProcess& weir) {
  std::string error;
  std::optional<TcpConnection> connection = TcpConnection::connect(weir.port(), seconds(5), &error);
  ASSERT_TRUE(connection.has_value()) << error;
  ASSERT_EQ(connection->sendAll("hello\n", seconds(5)), IoStatus::kOk);
  EXPECT_EQ(connection->readLine(seconds(5)), "one hello");
}

void skipWithoutSockmap() {
  if (!sockmapAvailable()) GTEST_SKIP() << "needs root and a weir built with the sockmap path";
}

// The sockmap is asked for, never assumed: even as root, with the program at hand,
// a weir given no --data-path splices (docs/behaviour.md says why).
TEST(DataPathChoice, TheDefaultSplicesEvenWhereTheSockmapWouldLoad) {
  TempDir dir;
  EchoServer one(dir, "one");
  auto weir = startTrafficShift(dir, {{"v1", 100, {one.port()}}}, {});
  expectEcho(*weir);
  EXPECT_NE(weir->process().stderrText().find("data path: splice (--data-path splice)"),
            std::string::npos)
      << weir->process().stderrText();
  EXPECT_EQ(weirStat(*weir, "server.data_path.splice"), 1u);
  EXPECT_EQ(weirStat(*weir, "server.data_path.sockmap"), 0u);
  EXPECT_EQ(weirStat(*weir, clusterStat(weir->port(), "v1", "upstream_cx_sockmap_total")), 0u);
}

TEST(DataPathChoice, AutoTakesTheSockmapWhenItLoads) {
  skipWithoutSockmap();
  TempDir dir;
  EchoServer one(dir, "one");
  auto weir = startTrafficShift(dir, {{"v1", 100, {one.port()}}}, {.extra_args = {"--data-path", "auto"}});
  expectEcho(*weir);
  EXPECT_NE(weir->process().stderrText().find("data path: sockmap"), std::string::npos)
      << weir->process().stderrText();
  EXPECT_EQ(weirStat(*weir, "server.data_path.sockmap"), 1u);
  EXPECT_EQ(weirStat(*weir, clusterStat(weir->port(), "v1", "upstream_cx_sockmap_total")), 1u);
}

TEST(DataPathChoice, AutoWithoutTheCapabilitiesSplicesAndSaysWhy) {
  skipWithoutSockmap();
  TempDir dir;
  EchoServer one(dir, "one");
  auto weir = startTrafficShift(
      dir, {{"v1", 100, {one.port()}}},
      {.extra_args = {"--data-path", "auto", "--splice-after", "0"},
       .command_prefix = kWithoutBpfCapabilities});
  expectEcho(*weir);
  const std::string log = weir->process().stderrText();
  EXPECT_NE(log.find("data path: splice (sockmap unavailable: the kernel refused the BPF program"),
            std::string::npos)
      << log;
  EXPECT_EQ(weirStat(*weir, "server.data_path.splice"), 1u);
  EXPECT_EQ(weirStat(*weir, "server.data_path.sockmap"), 0u);
  EXPECT_EQ(weirStat(*weir, clusterStat(weir->port(), "v1", "upstream_cx_sockmap_total")), 0u);
  EXPECT_GT(weirStat(*weir, clusterStat(weir->port(), "v1", "upstream_cx_spliced_bytes_total")), 0u);
}

TEST(DataPathChoice, SockmapAskedForWithoutTheCapabilitiesRefusesToStart) {
  skipWithoutSockmap();
  TempDir dir;
  EchoServer one(dir, "one");
  try {
    startTrafficShift(dir, {{"v1", 100, {one.port()}}},
                      {.extra_args = {"--data-path", "sockmap"},
                       .command_prefix = kWithoutBpfCapabilities});
    ADD_FAILURE() << "weir started without the capabilities the sockmap needs";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("--data-path sockmap: the kernel refused"),
              std::string::npos)
        << error.what();
  }
}

TEST(DataPathChoice, CopyNeverSplicesNorUsesTheSockmap) {
  TempDir dir;
  EchoServer one(dir, "one");
  auto weir = startTrafficShift(dir, {{"v1", 100, {one.port()}}},
                                {.extra_args = {"--data-path", "copy", "--splice-after", "0"}});
  expectEcho(*weir);
  EXPECT_EQ(weirStat(*weir, "server.data_path.copy"), 1u);
  EXPECT_EQ(weirStat(*weir, clusterStat(weir->port(), "v1", "upstream_cx_spliced_bytes_total")), 0u);
  EXPECT_EQ(weirStat(*weir, clusterStat(weir->port(), "v1", "upstream_cx_sockmap_total")), 0u);
}

}  // namespace
}  // namespace weir::test
