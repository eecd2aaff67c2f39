// /server_info and the server.version gauge, as Envoy makes them.
#include <gtest/gtest.h>

#include "proxy/admin/server_info.h"
#include "tests/support/json_value.h"

namespace weir::proxy {
namespace {

using test::JsonValue;

TEST(ServerInfoTest, VersionGaugeIsTheCommitsFirstSixHexDigits) {
  EXPECT_EQ(versionStatValue("4ae4fc10230c5e030fcc10b92190902a0ea6f522"), 0x4ae4fcu);
  EXPECT_EQ(versionStatValue("ABCDEF0"), 0xabcdefu);
  EXPECT_EQ(versionStatValue("unknown"), 0u);
  EXPECT_EQ(versionStatValue("4ae4"), 0u);
}

TEST(ServerInfoTest, StatesHaveEnvoysNamesAndNumbers) {
  EXPECT_STREQ(serverStateName(ServerState::kLive), "LIVE");
  EXPECT_STREQ(serverStateName(ServerState::kDraining), "DRAINING");
  EXPECT_STREQ(serverStateName(ServerState::kPreInitializing), "PRE_INITIALIZING");
  EXPECT_STREQ(serverStateName(ServerState::kInitializing), "INITIALIZING");
  EXPECT_EQ(static_cast<uint64_t>(ServerState::kDraining), 1u);
}

TEST(ServerInfoTest, JsonHasEnvoysFieldsAndTheSettings) {
  const BuildInfo build{"1.2.3", "0123456789abcdef", "Clean", "Release"};
  EXPECT_EQ(envoyStyleVersion(build), "0123456789abcdef/1.2.3/Clean/Release");
  ProxySettings settings = ProxySettings::commandLineDefaults();
  settings.config_paths = {"deploy/istio"};
  settings.port_overrides = {{9000, 0}};
  settings.labels = {{"app", "gateway"}};
  settings.namespace_name = "edge";
  const std::string text = serverInfoJson(
      build, ServerInfoInput{.state = ServerState::kDraining,
                             .uptime = std::chrono::seconds(125),
                             .settings = &settings,
                             .concurrency = 4,
                             .log_level = "debug",
                             .command_line = {"weir", "-c", "deploy/istio"},
                             .hostname = "host-1"});
  std::string error;
  const std::optional<JsonValue> json = test::parseJson(text, &error);
  ASSERT_TRUE(json) << error << "\n" << text;
  EXPECT_EQ(json->find("version")->string, "0123456789abcdef/1.2.3/Clean/Release");
  EXPECT_EQ(json->find("state")->string, "DRAINING");
  EXPECT_EQ(json->find("uptime_current_epoch")->string, "125s");
  EXPECT_EQ(json->find("uptime_all_epochs")->string, "125s");
  const JsonValue& options = *json->find("command_line_options");
  EXPECT_EQ(options.find("concurrency")->asUnsigned(), 4u);
  EXPECT_EQ(options.find("config")->items.at(0).string, "deploy/istio");
  EXPECT_EQ(options.find("port_override")->find("9000")->asUnsigned(), 0u);
  EXPECT_EQ(options.find("admin")->string, "127.0.0.1:15000");
  EXPECT_EQ(options.find("drain_time")->string, "30s");
  EXPECT_EQ(options.find("log_level")->string, "debug");
  EXPECT_TRUE(options.find("bind")->isNull());
  const JsonValue& node = *json->find("node");
  EXPECT_EQ(node.find("id")->string, "host-1");
  EXPECT_EQ(node.find("user_agent_name")->string, "weir");
  EXPECT_EQ(node.find("metadata")->find("NAMESPACE")->string, "edge");
  EXPECT_EQ(node.find("metadata")->find("LABELS")->find("app")->string, "gateway");
  const JsonValue& version = *node.find("user_agent_build_version")->find("version");
  EXPECT_EQ(version.find("major_number")->asUnsigned(), 1u);
  EXPECT_EQ(version.find("minor_number")->asUnsigned(), 2u);
  EXPECT_EQ(version.find("patch")->asUnsigned(), 3u);
  ASSERT_EQ(json->find("command_line")->items.size(), 3u);
  EXPECT_EQ(json->find("command_line")->items[2].string, "deploy/istio");
}

TEST(ServerInfoTest, ProcessCommandLineIsThisProcesssArguments) {
  const std::vector<std::string> arguments = processCommandLine();
  ASSERT_FALSE(arguments.empty());
  EXPECT_NE(arguments[0].find("proxy_tests"), std::string::npos) << arguments[0];
}

}  // namespace
}  // namespace weir::proxy
