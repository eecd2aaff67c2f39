// Issue 17: a second weir on a port another process already listens on refuses to
// start, naming that process, instead of silently sharing the connections with it
// (SO_REUSEPORT across processes); --reuse-port asks for the sharing (a hot
// restart). The same for a listener a reload adds and for the admin port. Two real
// weirs on 127.0.0.1; the messages are the feature, so the tests compare text.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <set>
#include <string>

#include <fmt/format.h>

#include "tests/support/child_process.h"
#include "tests/support/echo_server.h"
#include "tests/support/line_exchange.h"
#include "tests/support/ready_weir.h"
#include "tests/support/tcp_connection.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace weir::test {
namespace {

using std::chrono::seconds;
namespace fs = std::filesystem;

// A Gateway server on each of `gateway_ports`, every one routed to one endpoint.
fs::path writeOneRouteConfig(const TempDir& dir, const std::vector<uint16_t>& gateway_ports,
                             uint16_t endpoint_port) {
  std::string servers;
  std::string matches;
  for (uint16_t port : gateway_ports) {
    servers += fmt::format("  - port: {{number: {0}, name: tcp-{0}, protocol: TCP}}\n"
                           "    hosts: [\"*\"]\n",
                           port);
    matches += fmt::format("    - port: {}\n", port);
  }
  const std::string yaml = fmt::format(R"(apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {{name: gw}}
spec:
  servers:
{}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: vs}}
spec:
  hosts: ["*"]
  gateways: [gw]
  tcp:
  - match:
{}    route:
    - destination: {{host: echo, port: {{number: 9000}}}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: echo}}
spec:
  hosts: [echo]
  ports: [{{number: 9000, name: tcp, protocol: TCP}}]
  resolution: STATIC
  endpoints:
  - address: 127.0.0.1
    ports: {{tcp: {}}}
)",
                                       servers, matches, endpoint_port);
  const fs::path file = dir.freshSubdir("config") / "config.yaml";
  writeTextFile(file, yaml);
  return file;
}

ProcessResult runWeir(const TempDir& dir, std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), kWeirBinary);
  return runToCompletion(ChildSpec{arguments, dir.path() / "logs", "second-weir", std::nullopt},
                         seconds(15));
}

std::string show(const ProcessResult& result) {
  return result.status.describe() + (result.timed_out ? " (timed out)" : "") + "\nstdout:\n" +
         result.stdout_text + "stderr:\n" + result.stderr_text;
}

TEST(PortInUse, ASecondWeirOnTheSamePortRefusesToStartAndNamesTheFirst) {
  TempDir dir;
  EchoServer one(dir, "one");
  const uint16_t port = freeTcpPort();
  const fs::path config = writeOneRouteConfig(dir, {port}, one.port());
  ReadyWeir first(dir, {config}, {.concurrency = 2});
  ASSERT_EQ(first.port(port), port);

  const ProcessResult second =
      runWeir(dir, {"-c", config.string(), "--bind", "127.0.0.1", "--admin", "127.0.0.1:0",
                    "--concurrency", "2"});
  EXPECT_TRUE(second.status.exitedWith(1)) << show(second);
  const std::string expected =
      fmt::format("127.0.0.1:{} is already in use (pid {}, weir)", port, first.process().pid());
  EXPECT_NE(second.stderr_text.find(expected), std::string::npos)
      << "expected \"" << expected << "\"\n" << show(second);
  EXPECT_NE(second.stderr_text.find("--reuse-port"), std::string::npos) << show(second);
  // The first one still takes every connection.
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(exchangeLine(port, "hello", seconds(5)).firstWord(), "one") << "connection " << i;
  }
}

// A wildcard listener of another process takes 127.0.0.1's connections too: refused.
TEST(PortInUse, AWildcardListenerOfAnotherProcessCountsAsInUse) {
  TempDir dir;
  EchoServer one(dir, "one");
  const uint16_t port = freeTcpPort();
  const fs::path config = writeOneRouteConfig(dir, {port}, one.port());
  ReadyWeir first(dir, {config}, {.concurrency = 1, .bind = "0.0.0.0"});
  const ProcessResult second =
      runWeir(dir, {"-c", config.string(), "--bind", "127.0.0.1", "--admin", "127.0.0.1:0"});
  EXPECT_TRUE(second.status.exitedWith(1)) << show(second);
  EXPECT_NE(second.stderr_text.find(fmt::format("127.0.0.1:{} is already in use (pid {}, weir)",
                                                port, first.process().pid())),
            std::string::npos)
      << show(second);
}

// --reuse-port: the second weir joins the first one's sockets and the kernel spreads
// new connections over both (here each sends them to its own echo server).
TEST(PortInUse, ReusePortSharesThePortBetweenTwoWeirs) {
  TempDir first_dir;
  TempDir second_dir;
  EchoServer one(first_dir, "one");
  EchoServer two(second_dir, "two");
  const uint16_t port = freeTcpPort();
  ReadyWeir first(first_dir, {writeOneRouteConfig(first_dir, {port}, one.port())},
                  {.concurrency = 2});
  ReadyWeir second(second_dir, {writeOneRouteConfig(second_dir, {port}, two.port())},
                   {.concurrency = 2, .extra_args = {"--reuse-port"}});
  ASSERT_EQ(second.port(port), port);
  std::set<std::string> answered_by;
  // Each new connection comes from a new source port, hashed to one of the four
  // sockets: 200 connections all on one weir would happen with probability 2^-199.
  for (int i = 0; i < 200 && answered_by.size() < 2; ++i) {
    answered_by.insert(exchangeLine(port, "hello", seconds(5)).firstWord());
  }
  EXPECT_EQ(answered_by, (std::set<std::string>{"one", "two"}));
}

// A reload that adds a listener on a port another process holds is refused with
// the same words; the old configuration keeps serving.
TEST(PortInUse, AReloadAddingAPortInUseIsRefusedAndTheOldConfigKeepsServing) {
  TempDir dir;
  EchoServer one(dir, "one");
  TcpListener taken;  // this test process listens there, without SO_REUSEPORT
  const uint16_t port = freeTcpPort();
  const fs::path config = writeOneRouteConfig(dir, {port}, one.port());
  ReadyWeir weir(dir, {config}, {.concurrency = 2, .extra_args = {"--no-watch"}});

  writeTextFile(config, readTextFile(writeOneRouteConfig(dir, {port, taken.port()}, one.port())));
  const HttpResponse reload = weir.post("/reload");
  EXPECT_EQ(reload.status, 400) << reload.body;
  const std::string expected =
      fmt::format("127.0.0.1:{} is already in use (pid {}, ", taken.port(), getpid());
  EXPECT_NE(reload.body.find(expected), std::string::npos)
      << "expected \"" << expected << "\" in:\n" << reload.body;
  EXPECT_EQ(weir.stat("server.config_reload_failure"), 1u);
  EXPECT_EQ(exchangeLine(port, "hello", seconds(5)).firstWord(), "one");
}

// The admin port too, with what to do about it.
TEST(PortInUse, TheAdminPortInUseSaysWhyAndWhatToDo) {
  TempDir dir;
  EchoServer one(dir, "one");
  const uint16_t admin_port = freeTcpPort();
  const std::string admin = fmt::format("127.0.0.1:{}", admin_port);
  ReadyWeir first(dir, {writeOneRouteConfig(dir, {freeTcpPort()}, one.port())},
                  {.extra_args = {"--admin", admin}});
  ASSERT_EQ(first.adminPort(), admin_port);

  const ProcessResult second = runWeir(
      dir, {"-c", writeOneRouteConfig(dir, {freeTcpPort()}, one.port()).string(), "--bind",
            "127.0.0.1", "--admin", admin});
  EXPECT_TRUE(second.status.exitedWith(1)) << show(second);
  const std::string expected = fmt::format(
      "admin: {} is already in use (pid {}, weir); use --admin 127.0.0.1:0 for any free port, "
      "or --admin none",
      admin, first.process().pid());
  EXPECT_NE(second.stderr_text.find(expected), std::string::npos)
      << "expected \"" << expected << "\"\n" << show(second);
}

// Several listeners of one weir on one port with different binds still share it
// among themselves (the kernel picks the most specific address), refusal or not.
TEST(PortInUse, ListenersOfOneWeirOnOnePortWithDifferentBindsStillStart) {
  TempDir dir;
  EchoServer one(dir, "one");
  const uint16_t port = freeTcpPort();
  const fs::path config = writeOneRouteConfig(dir, {port}, one.port());
  std::string yaml = readTextFile(config);
  // A second server on the same port, bound to 127.0.0.2 (the first binds 0.0.0.0).
  const std::string first_server =
      fmt::format("  - port: {{number: {0}, name: tcp-{0}, protocol: TCP}}\n    hosts: [\"*\"]\n",
                  port);
  yaml.replace(yaml.find(first_server), first_server.size(),
               first_server + fmt::format("  - port: {{number: {0}, name: other, protocol: TCP}}\n"
                                          "    hosts: [\"*\"]\n    bind: 127.0.0.2\n",
                                          port));
  writeTextFile(config, yaml);
  ReadyWeir weir(dir, {config}, {.concurrency = 2, .bind = ""});
  EXPECT_EQ(exchangeLine(port, "hello", seconds(5)).firstWord(), "one");
}

}  // namespace
}  // namespace weir::test
