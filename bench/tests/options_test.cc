#include "bench/loadgen/options.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/usage_error.h"

namespace weir::bench {
namespace {

Options parse(std::vector<std::string_view> args) { return parseOptions(args); }

TEST(Options, ConnrateDefaultsAndFlags) {
  const Options options = parse({"connrate", "--target", "127.0.0.1:9000", "--clients=7",
                                 "--duration-ms", "500"});
  EXPECT_EQ(options.mode, Mode::kConnrate);
  EXPECT_EQ(options.target.port(), 9000);
  EXPECT_EQ(options.connections, 7u);
  EXPECT_EQ(options.duration.count(), 500);
  EXPECT_EQ(options.threads, 2u);
}

TEST(Options, ByteSuffixesAreBinary) {
  EXPECT_EQ(parse({"bulk", "--target", "127.0.0.1:1", "--bytes", "16M"}).bulk_bytes, 16u << 20);
  EXPECT_EQ(parse({"bulk", "--target", "127.0.0.1:1", "--bytes", "1G"}).bulk_bytes, 1ull << 30);
  EXPECT_EQ(parse({"bulk", "--target", "127.0.0.1:1", "--bytes", "12345"}).bulk_bytes, 12345u);
}

TEST(Options, IdleDefaultsToTenThousand) {
  EXPECT_EQ(parse({"idle", "--target", "127.0.0.1:1"}).connections, 10000u);
}

TEST(Options, Mistakes) {
  EXPECT_THROW(parse({}), cli::UsageError);
  EXPECT_THROW(parse({"flood", "--target", "127.0.0.1:1"}), cli::UsageError);
  EXPECT_THROW(parse({"connrate"}), cli::UsageError);                                // no target
  EXPECT_THROW(parse({"connrate", "--target", "192.168.1.1:80"}), cli::UsageError);  // not loopback
  EXPECT_THROW(parse({"connrate", "--target", "127.0.0.1:1", "--bytes", "1"}), cli::UsageError);
  EXPECT_THROW(parse({"pingpong", "--target", "127.0.0.1:1", "--size", "1"}), cli::UsageError);
  EXPECT_THROW(parse({"sink"}), cli::UsageError);                                    // no --listen
  EXPECT_THROW(parse({"sink", "--listen", "0.0.0.0:0"}), cli::UsageError);
  EXPECT_THROW(parse({"bulk", "--target", "127.0.0.1:1", "--bytes"}),
               cli::UsageError);  // no value
}

}  // namespace
}  // namespace weir::bench
