#include "echo/echo_client.h"

#include <algorithm>
#include <utility>

namespace weir::echo {

EchoClient::EchoClient(event_base* base, ClientPlan plan)
    : base_(base), plan_(std::move(plan)), request_(plan_.message + "\n") {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(plan_.timeout).count();
  timeout_.tv_sec = static_cast<time_t>(micros / 1'000'000);
  timeout_.tv_usec = static_cast<suseconds_t>(micros % 1'000'000);
  // Every exchange has the same timeout: libevent keeps such timers in a queue instead
  // of its heap, O(1) per timer.
  shared_timeout_ = event_base_init_common_timeout(base_, &timeout_);
  if (shared_timeout_ == nullptr) {
    shared_timeout_ = &timeout_;
  }
  std::size_t slots = std::max<std::size_t>(1, std::min(plan_.concurrency, plan_.connections));
  slots_.resize(slots);
  for (std::size_t slot = slots; slot > 0; --slot) {
    free_slots_.push_back(slot - 1);
  }
}

void EchoClient::run() {
  fillSlots();
  if (finished_ < plan_.connections) {
    event_base_dispatch(base_);
  }
}

void EchoClient::fillSlots() {
  // A connection that fails at once is recorded here and its slot reused in the same
  // loop, never through the done callback, so there is no recursion.
  while (started_ < plan_.connections && !free_slots_.empty()) {
    std::size_t slot = free_slots_.back();
    ++started_;
    auto exchange = std::make_unique<EchoExchange>(
        base_, request_, shared_timeout_,
        [this, slot](EchoExchange*, ExchangeResult result) { onDone(slot, std::move(result)); });
    if (auto error = exchange->start(plan_.target)) {
      record(ExchangeResult{false, std::move(*error)});
      continue;
    }
    free_slots_.pop_back();
    slots_[slot] = std::move(exchange);
  }
}

void EchoClient::record(ExchangeResult result) {
  ++finished_;
  if (result.answered) {
    if (plan_.on_answer) {
      plan_.on_answer(result.text);
    }
    tally_.addAnswer(result.text);
  } else {
    tally_.addError(result.text);
  }
}

void EchoClient::onDone(std::size_t slot, ExchangeResult result) {
  slots_[slot].reset();  // closes the socket; the exchange's callback is on the stack
  free_slots_.push_back(slot);
  record(std::move(result));
  if (finished_ == plan_.connections) {
    event_base_loopbreak(base_);
    return;
  }
  fillSlots();
}

}  // namespace weir::echo
