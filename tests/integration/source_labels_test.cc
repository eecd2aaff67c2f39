// sourceLabels and sourceNamespace of a match block are matched against the
// labels and namespace weir is given for itself (--labels, --namespace), as Istio
// matches them against the proxy it configures: two weirs with the same files and
// different labels route the same client differently, and a weir without labels
// never takes a block that asks for some (it is not widened to everyone).
#include <gtest/gtest.h>

#include "tests/support/echo_client.h"
#include "tests/support/echo_server.h"
#include "tests/support/istio_scenarios.h"
#include "tests/support/ready_weir.h"
#include "tests/support/temp_dir.h"

namespace weir::test {
namespace {

constexpr uint16_t kPort = 9000;

// tcp[0]: sourceLabels {zone: eu} -> v1 ("one"); tcp[1]: sourceNamespace edge ->
// v2 ("two"); tcp[2]: everything else -> v3 ("three").
std::filesystem::path writeConfig(const TempDir& dir, uint16_t one, uint16_t two,
                                  uint16_t three) {
  istio::Config config = istio::echoObjects();
  config.gateway().server(istio::Server(kPort));
  istio::Destination v1{"echo", "v1"}, v2{"echo", "v2"}, v3{"echo", "v3"};
  config.virtualService()
      .tcp(istio::Rule().match(istio::Match().sourceLabels({{"zone", "eu"}})).to(v1))
      .tcp(istio::Rule().match(istio::Match().sourceNamespace("edge")).to(v2))
      .tcp(istio::Rule().to(v3));
  config.addVersionSubset("v1", {one})
      .addVersionSubset("v2", {two})
      .addVersionSubset("v3", {three});
  return config.writeFileIn(dir);
}

// The one answer word every one of 20 connections got, or what went wrong.
std::string answersThrough(const TempDir& dir, const ReadyWeir& weir) {
  EchoClientRun run = runEchoClient(dir, weir.port(kPort), {.connections = 20, .concurrency = 4});
  if (!run.tally) return run.describe();
  for (const auto& [word, count] : run.tally->answers) {
    if (count == 20 && run.tally->errors == 0) return word;
  }
  return run.tally->describe();
}

TEST(SourceLabels, WeirsWithDifferentLabelsRouteTheSameFilesDifferently) {
  TempDir dir;
  EchoServer one(dir, "one");
  EchoServer two(dir, "two");
  EchoServer three(dir, "three");
  const std::filesystem::path config = writeConfig(dir, one.port(), two.port(), three.port());

  ReadyWeir eu(dir, {config},
               {.concurrency = 2,
                .ephemeral_gateway_ports = {kPort},
                .extra_args = {"--labels", "app=gateway,zone=eu"}});
  ReadyWeir us(dir, {config},
               {.concurrency = 2,
                .ephemeral_gateway_ports = {kPort},
                .extra_args = {"--labels", "app=gateway,zone=us", "--namespace", "edge"}});
  ReadyWeir bare(dir, {config}, {.concurrency = 2, .ephemeral_gateway_ports = {kPort}});

  EXPECT_EQ(answersThrough(dir, eu), "one");    // its labels include zone=eu
  EXPECT_EQ(answersThrough(dir, us), "two");    // zone=us, but namespace edge
  EXPECT_EQ(answersThrough(dir, bare), "three");  // no labels: neither block is for it
}

}  // namespace
}  // namespace weir::test
