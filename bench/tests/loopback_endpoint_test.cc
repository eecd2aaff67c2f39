#include "bench/loadgen/loopback_endpoint.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include "common/usage_error.h"

namespace weir::bench {
namespace {

TEST(LoopbackEndpoint, AcceptsAnyAddressIn127Slash8) {
  EXPECT_EQ(parseLoopbackEndpoint("127.0.0.1:9000", false).toString(), "127.0.0.1:9000");
  EXPECT_EQ(parseLoopbackEndpoint("127.200.3.4:1", false).port(), 1);
  EXPECT_EQ(parseLoopbackEndpoint("127.0.0.1:0", true).port(), 0);
}

TEST(LoopbackEndpoint, RefusesEverythingElse) {
  for (const char* text : {"10.0.0.1:80", "128.0.0.1:80", "0.0.0.0:80", "[::1]:80", "::1:80",
                           "localhost:80", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536",
                           "127.0.0.1:80x", "127.0.0.1:0"}) {
    EXPECT_THROW(parseLoopbackEndpoint(text, false), cli::UsageError) << text;
  }
}

TEST(LoopbackEndpoint, SourcesCycleFrom127001) {
  auto text = [](in_addr address) {
    char buffer[INET_ADDRSTRLEN];
    return std::string(inet_ntop(AF_INET, &address, buffer, sizeof buffer));
  };
  EXPECT_EQ(text(loopbackSource(0, 8)), "127.0.0.1");
  EXPECT_EQ(text(loopbackSource(7, 8)), "127.0.0.8");
  EXPECT_EQ(text(loopbackSource(8, 8)), "127.0.0.1");
  EXPECT_EQ(text(loopbackSource(5, 1)), "127.0.0.1");
}

}  // namespace
}  // namespace weir::bench
