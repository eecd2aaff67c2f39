#include "proxy/command_line.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/usage_error.h"

namespace weir::proxy {
namespace {

// The settings and the CLI-only options side by side, as the tests read them.
struct Options : ProxySettings, CliOptions {};

Options parseOk(std::vector<std::string_view> arguments) {
  try {
    CommandLine parsed = parseOptions(arguments);
    return Options{std::move(parsed.settings), std::move(parsed.cli)};
  } catch (const cli::UsageError& error) {
    ADD_FAILURE() << error.what();
    return {};
  }
}

std::string parseError(std::vector<std::string_view> arguments) {
  try {
    parseOptions(arguments);
  } catch (const cli::UsageError& error) {
    return error.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(ParseOptions, EveryFlag) {
  Options options = parseOk({"-c", "a.yaml", "--config", "dir", "--config=b.yaml", "--bind",
                             "127.0.0.1", "--concurrency", "2", "--seed=42", "--log-level",
                             "debug", "--buffer-limit", "65536", "--validate"});
  EXPECT_EQ(options.config_paths, (std::vector<std::string>{"a.yaml", "dir", "b.yaml"}));
  EXPECT_EQ(options.bind_address, "127.0.0.1");
  EXPECT_EQ(options.concurrency, 2u);
  EXPECT_EQ(options.seed, 42u);
  EXPECT_EQ(options.log_level, spdlog::level::debug);
  EXPECT_EQ(options.buffer_limit, 65536u);
  EXPECT_TRUE(options.validate_only);
}

// --strict: dangling references are errors (Istio's verdict, a warning, without it).
TEST(ParseOptions, StrictIsOffByDefaultAndDocumented) {
  EXPECT_FALSE(parseOk({"-c", "x"}).strict_references);
  EXPECT_TRUE(parseOk({"-c", "x", "--strict"}).strict_references);
  EXPECT_TRUE(parseOk({"--validate", "--strict", "-c", "x"}).strict_references);
  EXPECT_NE(usageText().find("--strict"), std::string::npos);
}

TEST(ParseOptions, SpliceAfterTakesBytesOrNever) {
  EXPECT_EQ(parseOk({"-c", "x", "--splice-after", "0"}).splice_after, 0u);
  EXPECT_EQ(parseOk({"-c", "x", "--splice-after=1048576"}).splice_after, 1048576u);
  EXPECT_FALSE(parseOk({"-c", "x", "--splice-after", "never"}).splice_after.has_value());
  EXPECT_EQ(parseError({"-c", "x", "--splice-after", "sometimes"}),
            "--splice-after must be a number of bytes or \"never\", got \"sometimes\"");
}

TEST(ParseOptions, LimitsAndTimeouts) {
  Options options = parseOk({"-c", "x", "--max-connections", "100", "--listener-filter-timeout",
                             "500ms"});
  EXPECT_EQ(options.max_connections, 100u);
  EXPECT_EQ(options.listener_filter_timeout, std::chrono::milliseconds(500));
  EXPECT_FALSE(parseOk({"-c", "x"}).max_connections.has_value());
  EXPECT_EQ(parseOk({"-c", "x"}).listener_filter_timeout, std::chrono::milliseconds(15000));
  EXPECT_EQ(parseOk({"-c", "x"}).max_connect_attempts, 1u);
  EXPECT_EQ(parseOk({"-c", "x", "--max-connect-attempts", "3"}).max_connect_attempts, 3u);
  EXPECT_EQ(parseError({"-c", "x", "--max-connect-attempts", "0"}),
            "--max-connect-attempts must be a number from 1 to 100, got \"0\"");
  EXPECT_EQ(parseError({"-c", "x", "--max-connections", "0"}),
            "--max-connections must be a positive number, got \"0\"");
  EXPECT_EQ(parseError({"-c", "x", "--listener-filter-timeout", "1d"}),
            "--listener-filter-timeout must be a duration like 15s or 500ms, got \"1d\"");
}

TEST(ParseOptions, Defaults) {
  Options options = parseOk({"-c", "x"});
  EXPECT_FALSE(options.bind_address);
  EXPECT_EQ(options.concurrency, 0u);
  EXPECT_FALSE(options.seed);
  EXPECT_EQ(options.log_level, spdlog::level::info);
  EXPECT_EQ(options.buffer_limit, 1024u * 1024u);
  EXPECT_EQ(options.splice_after, 65536u);
  EXPECT_FALSE(options.validate_only);
}

TEST(ParseOptions, HelpNeedsNoConfig) {
  EXPECT_TRUE(parseOk({"--help"}).show_help);
  EXPECT_TRUE(parseOk({"--version"}).show_version);
}

TEST(ParseOptions, ClearErrors) {
  EXPECT_EQ(parseError({}), "no configuration given: use -c PATH");
  EXPECT_EQ(parseError({"-c"}), "option -c needs a value");
  // The words of tcp-echo-server and tcp-echo-client too (issue 17).
  EXPECT_EQ(parseError({"-c", "x", "--frobnicate"}), "unknown option '--frobnicate'");
  EXPECT_EQ(parseError({"-c", "x", "--frobnicate=3"}), "unknown option '--frobnicate'");
  EXPECT_EQ(parseError({"-c", "x", "--concurrency", "0"}),
            "--concurrency must be a number from 1 to 256, got \"0\"");
  EXPECT_EQ(parseError({"-c", "x", "--seed", "-1"}),
            "--seed must be a non-negative integer, got \"-1\"");
  EXPECT_EQ(parseError({"-c", "x", "--log-level", "loud"}),
            "--log-level must be one of trace, debug, info, warn, error, off; got \"loud\"");
  EXPECT_EQ(parseError({"-c", "x", "--buffer-limit", "10"}),
            "--buffer-limit must be a number of bytes >= 1024, got \"10\"");
}

}  // namespace
}  // namespace weir::proxy

namespace weir::proxy {
namespace {

TEST(ParseOptions, AdminAddress) {
  EXPECT_EQ(parseOk({"-c", "x"}).admin_port, 15000);
  Options ephemeral = parseOk({"-c", "x", "--admin", "127.0.0.1:0"});
  EXPECT_EQ(ephemeral.admin_address, "127.0.0.1");
  EXPECT_EQ(ephemeral.admin_port, 0);
  Options v6 = parseOk({"-c", "x", "--admin", "[::1]:15001"});
  EXPECT_EQ(v6.admin_address, "::1");
  EXPECT_EQ(v6.admin_port, 15001);
  EXPECT_FALSE(parseOk({"-c", "x", "--admin", "none"}).admin_port);
  EXPECT_EQ(parseError({"-c", "x", "--admin", "15000"}),
            "--admin must be IP:PORT, localhost:PORT or none, got \"15000\"");
  // Checked as a start checks it, so that --validate refuses it too.
  EXPECT_EQ(parseError({"-c", "x", "--admin", "127.0.0.300:0"}),
            "--admin must be IP:PORT, localhost:PORT or none, got \"127.0.0.300:0\"");
  EXPECT_EQ(parseOk({"-c", "x", "--admin", "localhost:0"}).admin_address, "localhost");
  EXPECT_EQ(parseOk({"-c", "x", "--drain-time", "5"}).drain_time_seconds, 5u);
}

}  // namespace
}  // namespace weir::proxy

namespace weir::proxy {
namespace {

TEST(ParseOptions, PortOverridesReadyFileAndAccessLog) {
  Options options = parseOk({"-c", "x", "--port-override", "9000=0", "--port-override=31400=31401",
                             "--ready-file", "/tmp/ready.json", "--access-log", "/tmp/a.log",
                             "--access-log-format", "json"});
  EXPECT_EQ(options.port_overrides, (std::map<uint16_t, uint16_t>{{9000, 0}, {31400, 31401}}));
  EXPECT_EQ(options.ready_file, "/tmp/ready.json");
  EXPECT_EQ(options.access_log_path, "/tmp/a.log");
  EXPECT_TRUE(options.access_log_json);
  EXPECT_EQ(parseError({"-c", "x", "--port-override", "9000"}),
            "--port-override must be GATEWAY_PORT=PORT (PORT 0: any free port), got \"9000\"");
  EXPECT_EQ(parseError({"-c", "x", "--port-override", "0=5"}),
            "--port-override must be GATEWAY_PORT=PORT (PORT 0: any free port), got \"0=5\"");
  EXPECT_EQ(parseError({"-c", "x", "--access-log-format", "xml"}),
            "--access-log-format must be text or json, got \"xml\"");
}

}  // namespace
}  // namespace weir::proxy

namespace weir::proxy {
namespace {

using Labels = std::map<std::string, std::string>;

TEST(ParseOptions, LabelsAreRepeatableCommaSeparatedPairs) {
  Options options = parseOk({"-c", "x", "--labels", "istio=ingressgateway,app=edge",
                             "--labels=zone=a", "--namespace", "istio-system"});
  EXPECT_EQ(options.labels,
            (Labels{{"istio", "ingressgateway"}, {"app", "edge"}, {"zone", "a"}}));
  EXPECT_EQ(options.namespace_name, "istio-system");
  EXPECT_EQ(parseOk({"-c", "x", "--labels", "empty="}).labels, (Labels{{"empty", ""}}));
  EXPECT_TRUE(parseOk({"-c", "x"}).labels.empty());
  EXPECT_EQ(parseOk({"-c", "x"}).namespace_name, "");
  EXPECT_EQ(parseError({"-c", "x", "--labels", "app"}),
            "--labels must be KEY=VALUE[,KEY=VALUE...], got \"app\"");
  EXPECT_EQ(parseError({"-c", "x", "--labels", "a=b,,c=d"}),
            "--labels must be KEY=VALUE[,KEY=VALUE...], got \"a=b,,c=d\"");
  EXPECT_EQ(parseError({"-c", "x", "--labels", "=b"}),
            "--labels must be KEY=VALUE[,KEY=VALUE...], got \"=b\"");
}

TEST(ParseOptions, DnsResolversAreRepeatable) {
  EXPECT_EQ(parseOk({"-c", "x", "--dns-resolver", "127.0.0.1:5353", "--dns-resolver=10.0.0.2"})
                .dns_resolvers,
            (std::vector<std::string>{"127.0.0.1:5353", "10.0.0.2"}));
  EXPECT_EQ(parseError({"-c", "x", "--dns-resolver="}), "--dns-resolver needs an IP or IP:PORT");
}

// Issue 17: every value a start would refuse is refused while parsing, so that
// --validate refuses it too, in the flag's own words.
TEST(ParseOptions, BindMustBeAnIpAddress) {
  EXPECT_EQ(parseOk({"-c", "x", "--bind", "::1"}).bind_address, "::1");
  EXPECT_EQ(parseError({"-c", "x", "--bind", "127.0.0.300", "--validate"}),
            "--bind must be an IP address, got \"127.0.0.300\"");
  EXPECT_EQ(parseError({"-c", "x", "--bind", "localhost"}),
            "--bind must be an IP address, got \"localhost\"");
}

TEST(ParseOptions, DnsResolverMustBeIpOrIpAndPort) {
  EXPECT_EQ(parseOk({"-c", "x", "--dns-resolver", "127.0.0.1:5353"}).dns_resolvers,
            std::vector<std::string>{"127.0.0.1:5353"});
  EXPECT_EQ(parseOk({"-c", "x", "--dns-resolver", "[::1]:53"}).dns_resolvers,
            std::vector<std::string>{"[::1]:53"});
  EXPECT_EQ(parseError({"-c", "x", "--dns-resolver", "dns.example"}),
            "--dns-resolver must be IP or IP:PORT, got \"dns.example\"");
}

// `weir examples/x` meant `weir -c examples/x`.
TEST(ParseOptions, APositionalPathSuggestsDashC) {
  EXPECT_EQ(parseError({"examples/tcp-traffic-shifting"}),
            "unexpected argument 'examples/tcp-traffic-shifting': configuration paths come "
            "with -c (weir -c examples/tcp-traffic-shifting)");
}

TEST(ParseOptions, LogFormatAndReusePort) {
  EXPECT_EQ(parseOk({"-c", "x"}).log_format, LogFormat::kText);
  EXPECT_EQ(parseOk({"-c", "x", "--log-format", "json"}).log_format, LogFormat::kJson);
  EXPECT_EQ(parseError({"-c", "x", "--log-format", "xml"}),
            "--log-format must be text or json, got \"xml\"");
  EXPECT_FALSE(parseOk({"-c", "x"}).reuse_port);
  EXPECT_TRUE(parseOk({"-c", "x", "--reuse-port"}).reuse_port);
  EXPECT_NE(usageText().find("--reuse-port"), std::string::npos);
  EXPECT_NE(usageText().find("--log-format"), std::string::npos);
}

}  // namespace
}  // namespace weir::proxy
