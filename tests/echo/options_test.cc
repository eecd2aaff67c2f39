#include <gtest/gtest.h>

#include <initializer_list>
#include <string_view>
#include <vector>

#include "common/usage_error.h"
#include "echo/client_options.h"
#include "echo/server_options.h"

namespace weir::echo {
namespace {

ServerOptions server(std::initializer_list<std::string_view> args) {
  std::vector<std::string_view> list(args);
  return parseServerArgs(list);
}

ClientOptions client(std::initializer_list<std::string_view> args) {
  std::vector<std::string_view> list(args);
  return parseClientArgs(list);
}

TEST(EchoServerOptions, PortsAndPrefixLikeTheIstioSample) {
  ServerOptions options = server({"9000,9001", "one"});
  EXPECT_EQ(options.ports, (std::vector<std::uint16_t>{9000, 9001}));
  EXPECT_EQ(options.prefix, "one");
  EXPECT_FALSE(options.raw);
  EXPECT_FALSE(options.listen_address.has_value());
  EXPECT_EQ(options.max_line_bytes, 65536u);
}

TEST(EchoServerOptions, OptionsBeforeAfterAndWithEquals) {
  ServerOptions options =
      server({"--listen", "127.0.0.1", "0", "--max-line-bytes=100", "two", "-v"});
  EXPECT_EQ(options.ports, std::vector<std::uint16_t>{0});
  EXPECT_EQ(options.prefix, "two");
  EXPECT_EQ(options.listen_address, "127.0.0.1");
  EXPECT_EQ(options.max_line_bytes, 100u);
  EXPECT_TRUE(options.verbose);
}

TEST(EchoServerOptions, ListenTakesIpv6WithOrWithoutBrackets) {
  EXPECT_EQ(server({"--listen", "::1", "0", "p"}).listen_address, "::1");
  EXPECT_EQ(server({"--listen=[::1]", "0", "p"}).listen_address, "[::1]");
}

TEST(EchoServerOptions, RawNeedsNoPrefix) {
  ServerOptions options = server({"--raw", "0"});
  EXPECT_TRUE(options.raw);
  EXPECT_EQ(options.prefix, "");
  EXPECT_TRUE(server({"--raw", "0", "ignored"}).raw);
}

TEST(EchoServerOptions, ProxyProtocolWithLinesOrRaw) {
  EXPECT_FALSE(server({"0", "one"}).proxy_protocol);
  EXPECT_TRUE(server({"--proxy-protocol", "0", "one"}).proxy_protocol);
  ServerOptions raw = server({"--raw", "0", "--proxy-protocol"});
  EXPECT_TRUE(raw.raw);
  EXPECT_TRUE(raw.proxy_protocol);
  EXPECT_THROW(server({"--proxy-protocol=v2", "0", "one"}), cli::UsageError);
}

TEST(EchoServerOptions, DoubleDashEndsOptions) {
  EXPECT_EQ(server({"--", "0", "-dash-prefix"}).prefix, "-dash-prefix");
}

TEST(EchoServerOptions, Help) {
  EXPECT_TRUE(server({"--help"}).help);
  EXPECT_TRUE(server({"0", "-h"}).help);
}

// --version, like --help, needs nothing else and reads no further.
TEST(EchoServerOptions, Version) {
  EXPECT_TRUE(server({"--version"}).version);
  EXPECT_TRUE(server({"0", "--version", "--frobnicate"}).version);
  EXPECT_TRUE(client({"--version"}).version);
  EXPECT_FALSE(client({"127.0.0.1:9000"}).version);
}

// The words weir uses for the same mistakes (issue 17: one style for the three).
TEST(EchoServerOptions, BadOptionsInWeirsWords) {
  auto messageOf = [](std::vector<std::string_view> args) -> std::string {
    try {
      parseServerArgs(args);
    } catch (const cli::UsageError& error) {
      return error.what();
    }
    return "no error";
  };
  EXPECT_EQ(messageOf({"--frobnicate", "0", "p"}), "unknown option '--frobnicate'");
  EXPECT_EQ(messageOf({"0", "p", "--listen"}), "option --listen needs a value");
  EXPECT_EQ(messageOf({"0", "p", "--raw=yes"}), "option --raw takes no value");
}

TEST(EchoServerOptions, BadArguments) {
  std::vector<std::vector<std::string_view>> bad{
      {},
      {"9000"},                             // no prefix
      {"9000", "one", "extra"},             // too many
      {"http", "one"},                      // not a port
      {"9000,9000", "one"},                 // twice
      {"--listen", "localhost", "0", "p"},  // not an address
      {"--listen"},                         // missing value
      {"--max-line-bytes", "0", "0", "p"},  // below 1
      {"--max-line-bytes", "-5", "0", "p"},
      {"--raw=yes", "0"},
      {"--frobnicate", "0", "p"},
  };
  for (const auto& args : bad) {
    EXPECT_THROW(parseServerArgs(args), cli::UsageError) << (args.empty() ? "" : args[0]);
  }
}

TEST(EchoServerOptions, UsageMentionsEveryOption) {
  std::string usage = serverUsage("tcp-echo-server");
  for (const char* option : {"--listen", "--raw", "--max-line-bytes", "--proxy-protocol",
                             "[from ADDRESS]", "PROXY-FROM ADDRESS", "--help", "PREFIX"}) {
    EXPECT_NE(usage.find(option), std::string::npos) << option;
  }
}

TEST(EchoClientOptions, Defaults) {
  ClientOptions options = client({"127.0.0.1:9000"});
  EXPECT_EQ(options.target, (HostPort{"127.0.0.1", 9000}));
  EXPECT_EQ(options.connections, 1000u);
  EXPECT_EQ(options.concurrency, 20u);
  EXPECT_EQ(options.message, "hello");
  EXPECT_EQ(options.timeout, std::chrono::milliseconds(10000));
  EXPECT_FALSE(options.print_answers);
  EXPECT_FALSE(options.expect.has_value());
  EXPECT_DOUBLE_EQ(options.confidence, 0.999);
}

TEST(EchoClientOptions, Everything) {
  ClientOptions options = client({"-n", "10000", "[::1]:9000", "-c", "50", "--message",
                                  "-looks like an option", "--timeout-ms=250", "--print"});
  EXPECT_EQ(options.target, (HostPort{"::1", 9000}));
  EXPECT_EQ(options.connections, 10000u);
  EXPECT_EQ(options.concurrency, 50u);
  EXPECT_EQ(options.message, "-looks like an option");
  EXPECT_EQ(options.timeout, std::chrono::milliseconds(250));
  EXPECT_TRUE(options.print_answers);
}

TEST(EchoClientOptions, ExpectWithAndWithoutTolerance) {
  ClientOptions plain = client({"127.0.0.1:9000", "--expect", "one=80,two=20"});
  ASSERT_TRUE(plain.expect.has_value());
  EXPECT_EQ(plain.expect->words, (std::vector<ExpectedWord>{{"one", 80}, {"two", 20}}));
  EXPECT_DOUBLE_EQ(plain.confidence, 0.999);

  ClientOptions percent =
      client({"--tolerance", "99%", "127.0.0.1:9000", "--expect=one=4,two=1"});
  EXPECT_EQ(percent.expect->words, (std::vector<ExpectedWord>{{"one", 4}, {"two", 1}}));
  EXPECT_DOUBLE_EQ(percent.confidence, 0.99);
  EXPECT_DOUBLE_EQ(
      client({"127.0.0.1:9000", "--expect", "one=1", "--tolerance=0.95"}).confidence, 0.95);
}

TEST(EchoClientOptions, BadArguments) {
  std::vector<std::vector<std::string_view>> bad{
      {},
      {"127.0.0.1"},
      {"127.0.0.1:9000", "127.0.0.1:9001"},
      {"127.0.0.1:9000", "-n", "0"},
      {"127.0.0.1:9000", "-n"},
      {"127.0.0.1:9000", "-c", "0"},
      {"127.0.0.1:9000", "-c", "x"},
      {"127.0.0.1:9000", "--timeout-ms", "0"},
      {"127.0.0.1:9000", "--print=1"},
      {"127.0.0.1:9000", "--count", "5"},
      {"127.0.0.1:9000", "--expect"},
      {"127.0.0.1:9000", "--expect", ""},
      {"127.0.0.1:9000", "--expect", "one=80,one=20"},
      {"127.0.0.1:9000", "--expect", "one=-1"},
      {"127.0.0.1:9000", "--expect", "one=0"},
      {"127.0.0.1:9000", "--expect", "=1"},
      {"127.0.0.1:9000", "--expect", "one=1", "--tolerance", "100%"},
      {"127.0.0.1:9000", "--expect", "one=1", "--tolerance", "99.9"},
      {"127.0.0.1:9000", "--expect", "one=1", "--tolerance", "0"},
      {"127.0.0.1:9000", "--expect", "one=1", "--tolerance"},
      {"127.0.0.1:9000", "--tolerance", "99.9%"},  // without --expect
  };
  for (const auto& args : bad) {
    EXPECT_THROW(parseClientArgs(args), cli::UsageError) << (args.empty() ? "" : args[0]);
  }
}

TEST(EchoClientOptions, Help) {
  EXPECT_TRUE(client({"--help"}).help);
  std::string usage = clientUsage("tcp-echo-client");
  for (const char* option : {"--timeout-ms", "--expect", "--tolerance", "Bonferroni", "3 if"}) {
    EXPECT_NE(usage.find(option), std::string::npos) << option;
  }
}

TEST(EchoClientExitStatus, ConnectionErrorsWinOverTheSplit) {
  EXPECT_EQ(clientExitStatus(0, true), 0);
  EXPECT_EQ(clientExitStatus(0, false), 3);
  EXPECT_EQ(clientExitStatus(2, true), 1);
  EXPECT_EQ(clientExitStatus(2, false), 1);
}

}  // namespace
}  // namespace weir::echo

namespace weir::echo {
namespace {

TEST(EchoServerOptions, ListenUnixTakesThePlaceOfThePorts) {
  ServerOptions path = server({"--listen", "unix:/run/echo.sock", "one"});
  EXPECT_EQ(path.unix_path, "/run/echo.sock");
  EXPECT_TRUE(path.ports.empty());
  EXPECT_EQ(path.prefix, "one");
  EXPECT_FALSE(path.listen_address.has_value());
  EXPECT_EQ(server({"--raw", "--listen=unix:@echo"}).unix_path, "@echo");
  EXPECT_THROW(server({"--listen", "unix:/run/echo.sock"}), cli::UsageError);  // no PREFIX
  EXPECT_THROW(server({"--listen", "unix:/run/echo.sock", "one", "two"}), cli::UsageError);
  EXPECT_THROW(server({"--listen", "unix:", "one"}), cli::UsageError);
  EXPECT_THROW(server({"--listen", "unix:/" + std::string(200, 'x'), "one"}), cli::UsageError);
}

TEST(EchoClientOptions, DialsAUnixSocket) {
  ClientOptions options = client({"unix:/run/echo.sock", "-n", "5"});
  EXPECT_EQ(options.unix_target, "/run/echo.sock");
  EXPECT_EQ(options.connections, 5u);
  EXPECT_EQ(client({"unix:@echo"}).unix_target, "@echo");
  EXPECT_FALSE(client({"127.0.0.1:9000"}).unix_target.has_value());
  EXPECT_THROW(client({"unix:relative.sock"}), cli::UsageError);
  EXPECT_THROW(client({"unix:"}), cli::UsageError);
}

}  // namespace
}  // namespace weir::echo
