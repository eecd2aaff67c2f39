// A listening socket on 127.0.0.1 whose accept queue is full: the kernel drops
// further SYNs, so a connect to it stays pending until the connector gives up.
// For tests of connect timeouts.
#pragma once

#include <cstdint>
#include <optional>

#include "tests/support/tcp_connection.h"

namespace weir::test {

class BlackholeListener {
 public:
  BlackholeListener();
  ~BlackholeListener();
  BlackholeListener(const BlackholeListener&) = delete;
  BlackholeListener& operator=(const BlackholeListener&) = delete;

  uint16_t port() const { return port_; }

 private:
  int listener_ = -1;
  uint16_t port_ = 0;
  std::optional<TcpConnection> filler_;  // the one connection the queue holds
};

}  // namespace weir::test
