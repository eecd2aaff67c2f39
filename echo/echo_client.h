// tcp-echo-client's run: N exchanges with one server, at most C at a time, tallied.
//
// Owns the exchanges in flight and the tally; the event_base belongs to the caller.
//
// Thread: construct, run() and read the tally on one thread; run() drives `base` on it.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/socket_address.h"
#include "echo/answer_tally.h"
#include "echo/echo_exchange.h"

namespace weir::echo {

struct ClientPlan {
  SocketAddress target;
  std::size_t connections = 1;
  std::size_t concurrency = 1;
  std::string message;  // sent with a '\n' appended
  std::chrono::milliseconds timeout{10000};
  // Called with every answer (without its '\n') as it arrives; may be empty.
  std::function<void(std::string_view)> on_answer;
};

class EchoClient {
 public:
  EchoClient(event_base* base, ClientPlan plan);
  EchoClient(const EchoClient&) = delete;
  EchoClient& operator=(const EchoClient&) = delete;

  // Runs every exchange of the plan; returns once all of them are done.
  void run();

  const AnswerTally& tally() const { return tally_; }

 private:
  void fillSlots();
  void record(ExchangeResult result);
  void onDone(std::size_t slot, ExchangeResult result);

  event_base* base_;
  ClientPlan plan_;
  std::string request_;
  timeval timeout_{};
  const timeval* shared_timeout_ = nullptr;  // libevent's common-timeout handle for timeout_
  std::vector<std::unique_ptr<EchoExchange>> slots_;  // plan_.concurrency of them
  std::vector<std::size_t> free_slots_;
  std::size_t started_ = 0;
  std::size_t finished_ = 0;
  AnswerTally tally_;
};

}  // namespace weir::echo
