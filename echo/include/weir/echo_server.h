// An in-process tcp-echo server (Istio's tcp-echo sample: "PREFIX line" for every
// line) on 127.0.0.1 and a free port, running on a thread of its own. For tests
// that want upstreams without starting processes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace weir {

class EchoServer {
 public:
  explicit EchoServer(std::string prefix);
  ~EchoServer();
  EchoServer(const EchoServer&) = delete;
  EchoServer& operator=(const EchoServer&) = delete;

  uint16_t port() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace weir
