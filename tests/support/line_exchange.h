// One short connection of the echo protocol, done by hand (no tcp-echo-client), for
// tests that care what happens on each connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "tcp_connection.h"

namespace weir::test {

struct LineExchange {
  bool connected = false;
  std::string connect_error;
  std::string data;                   // everything received until the end
  IoStatus end = IoStatus::kTimeout;  // how reading ended (kEof, kReset, kTimeout, ...)
  std::chrono::milliseconds elapsed{0};

  // data up to (without) the first '\n'; nullopt if no complete line came.
  std::optional<std::string> firstLine() const;
  // First word of the first line ("one" of "one hello"); "" if none.
  std::string firstWord() const;
  std::string describe() const;
};

// Connects to 127.0.0.1:port, sends `message` + "\n", shuts down its write side and
// reads until EOF, reset, or `timeout` (counted from the start).
LineExchange exchangeLine(uint16_t port, const std::string& message,
                          std::chrono::milliseconds timeout);

}  // namespace weir::test
