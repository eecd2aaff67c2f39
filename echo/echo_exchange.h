// One connection of tcp-echo-client: connect, send the request, read the answer up to its
// first '\n' (or EOF), close.
//
// Owns its socket (through a bufferevent) and its deadline timer. Reports exactly once,
// through the done callback, which destroys it.
//
// Thread: lives on its event loop; every method runs there.
#pragma once

#include <event2/event.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/libevent_handles.h"
#include "common/socket_address.h"

namespace weir::echo {

struct ExchangeResult {
  bool answered = false;
  std::string text;  // the answer without its '\n', or the kind of error
};

class EchoExchange {
 public:
  // An answer longer than this without a '\n' counts as an error, so a server that
  // streams forever cannot exhaust memory.
  static constexpr std::size_t kMaxAnswerBytes = 1024 * 1024;

  // Called once with the result, from a callback of this exchange; the callee destroys
  // the exchange, and nothing of it is touched after the call.
  using DoneCallback = std::function<void(EchoExchange*, ExchangeResult)>;

  // `request` (the message and its '\n') and `timeout` must outlive the exchange;
  // `timeout` may come from event_base_init_common_timeout().
  EchoExchange(event_base* base, std::string_view request, const timeval* timeout,
               DoneCallback on_done);
  EchoExchange(const EchoExchange&) = delete;
  EchoExchange& operator=(const EchoExchange&) = delete;

  // Starts connecting. If the connection fails at once (no file descriptor left, the
  // port refused on the spot), returns the error and the done callback is never called.
  std::optional<std::string> start(const SocketAddress& target);

 private:
  static void onRead(bufferevent* bev, void* self);
  static void onEvent(bufferevent* bev, short what, void* self);
  static void onTimeout(evutil_socket_t, short, void* self);

  void finish(ExchangeResult result);

  event_base* base_;
  std::string_view request_;
  const timeval* timeout_;
  DoneCallback on_done_;
  EventPtr deadline_;
  BufferEventPtr bev_;
  bool connected_ = false;
};

}  // namespace weir::echo
