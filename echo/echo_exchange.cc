#include "echo/echo_exchange.h"

#include <event2/buffer.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "echo/answer_tally.h"

namespace weir::echo {

EchoExchange::EchoExchange(event_base* base, std::string_view request, const timeval* timeout,
                           DoneCallback on_done)
    : base_(base), request_(request), timeout_(timeout), on_done_(std::move(on_done)) {}

std::optional<std::string> EchoExchange::start(const SocketAddress& target) {
  // Connecting here rather than in bufferevent_socket_connect() keeps the errno of a
  // connect that fails at once, which libevent would report later without it.
  int fd = ::socket(target.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return describeSocketError(false, errno);
  }
  if (::connect(fd, target.get(), target.length()) != 0 && errno != EINPROGRESS) {
    int error = errno;
    ::close(fd);
    return describeSocketError(false, error);
  }
  bev_.reset(bufferevent_socket_new(base_, fd, BEV_OPT_CLOSE_ON_FREE));
  if (!bev_) {
    ::close(fd);
    return std::string("connect failed: cannot create a bufferevent");
  }
  deadline_.reset(evtimer_new(base_, &EchoExchange::onTimeout, this));
  if (!deadline_) {
    return std::string("connect failed: cannot create a timer");
  }
  bufferevent_setcb(bev_.get(), &EchoExchange::onRead, nullptr, &EchoExchange::onEvent, this);
  // Without an address libevent takes the socket as connecting and reports
  // BEV_EVENT_CONNECTED, or BEV_EVENT_ERROR with errno set from SO_ERROR.
  if (bufferevent_socket_connect(bev_.get(), nullptr, 0) != 0) {
    return describeSocketError(false, errno);
  }
  evtimer_add(deadline_.get(), timeout_);
  return std::nullopt;
}

void EchoExchange::onRead(bufferevent* bev, void* self) {
  auto* exchange = static_cast<EchoExchange*>(self);
  evbuffer* input = bufferevent_get_input(bev);
  std::size_t eol_length = 0;
  evbuffer_ptr eol = evbuffer_search_eol(input, nullptr, &eol_length, EVBUFFER_EOL_LF);
  if (eol.pos < 0) {
    if (evbuffer_get_length(input) > kMaxAnswerBytes) {
      exchange->finish(ExchangeResult{false, "answer too long"});
    }
    return;
  }
  const auto line_length = static_cast<std::size_t>(eol.pos);
  std::string line(line_length, '\0');
  evbuffer_copyout(input, line.data(), line_length);
  exchange->finish(ExchangeResult{true, std::move(line)});
}

void EchoExchange::onEvent(bufferevent* bev, short what, void* self) {
  auto* exchange = static_cast<EchoExchange*>(self);
  if (what & BEV_EVENT_CONNECTED) {
    exchange->connected_ = true;
    bufferevent_write(bev, exchange->request_.data(), exchange->request_.size());
    bufferevent_enable(bev, EV_READ);
    return;
  }
  if (what & BEV_EVENT_ERROR) {
    exchange->finish(ExchangeResult{false, describeSocketError(exchange->connected_, errno)});
    return;
  }
  if (what & BEV_EVENT_EOF) {
    // An answer cut short by EOF still counts, as with `nc`.
    evbuffer* input = bufferevent_get_input(bev);
    std::size_t length = evbuffer_get_length(input);
    if (length == 0) {
      exchange->finish(ExchangeResult{false, "closed without answer"});
      return;
    }
    std::string partial(length, '\0');
    evbuffer_copyout(input, partial.data(), length);
    exchange->finish(ExchangeResult{true, std::move(partial)});
  }
}

void EchoExchange::onTimeout(evutil_socket_t, short, void* self) {
  static_cast<EchoExchange*>(self)->finish(ExchangeResult{false, "timeout"});
}

void EchoExchange::finish(ExchangeResult result) {
  // Destroys this object: return right after.
  on_done_(this, std::move(result));
}

}  // namespace weir::echo
