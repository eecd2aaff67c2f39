// The command line of weir-loadgen: a mode and the flags that mode accepts.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "bench/loadgen/loopback_endpoint.h"

namespace weir::bench {

enum class Mode { kConnrate, kPingpong, kBulk, kIdle, kSink };

struct Options {
  Mode mode = Mode::kConnrate;
  LoopbackEndpoint target;     // every mode but sink
  LoopbackEndpoint listen;     // sink
  std::uint32_t connections = 50;   // connrate --clients; pingpong, idle --connections
  std::uint32_t message_bytes = 64; // pingpong --size, '\n' included
  std::uint64_t bulk_bytes = 1ull << 30;
  std::uint32_t threads = 2;
  std::uint32_t sources = 8;        // client source addresses 127.0.0.1..N
  std::uint32_t parallel = 256;     // idle: connects in flight at once
  std::chrono::milliseconds duration{3000};
  std::chrono::milliseconds timeout{5000};   // one exchange / connect / bulk transfer
  std::chrono::milliseconds hold{60000};     // idle: longest hold; sink: longest life
  bool help = false;
};

// Throws UsageError naming the first problem.
Options parseOptions(std::span<const std::string_view> args);

std::string usageText();

}  // namespace weir::bench
