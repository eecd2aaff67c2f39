// weir::EchoServer (include/weir/echo_server.h): the echo server on a thread of
// its own, for tests that embed Weir.
#include <event2/thread.h>

#include <mutex>
#include <thread>

#include "common/libevent_handles.h"
#include "echo/echo_server.h"
#include "echo/include/weir/echo_server.h"

namespace weir {

namespace {

// The destructor wakes the loop from another thread: libevent needs its thread
// support on before the loop is created.
event_base* newThreadSafeLoop() {
  static std::once_flag once;
  std::call_once(once, [] { evthread_use_pthreads(); });
  return event_base_new();
}

}  // namespace

class EchoServer::Impl {
 public:
  explicit Impl(std::string prefix) : loop_(newThreadSafeLoop()) {
    echo::EchoSettings settings;
    settings.prefix = std::move(prefix);
    server_ = std::make_unique<echo::EchoServer>(loop_.get(), settings);
    port_ = server_->listen(*SocketAddress::fromIpLiteral("127.0.0.1", 0)).port();
    stop_.reset(event_new(loop_.get(), -1, 0,
                          [](evutil_socket_t, short, void* loop) {
                            event_base_loopbreak(static_cast<event_base*>(loop));
                          },
                          loop_.get()));
    thread_ = std::thread([this] { event_base_loop(loop_.get(), EVLOOP_NO_EXIT_ON_EMPTY); });
  }

  ~Impl() {
    event_active(stop_.get(), EV_READ, 0);
    thread_.join();
    stop_.reset();
    server_.reset();
  }

  uint16_t port() const { return port_; }

 private:
  EventBasePtr loop_;
  std::unique_ptr<echo::EchoServer> server_;
  EventPtr stop_;
  uint16_t port_ = 0;
  std::thread thread_;
};

EchoServer::EchoServer(std::string prefix) : impl_(std::make_unique<Impl>(std::move(prefix))) {}
EchoServer::~EchoServer() = default;
uint16_t EchoServer::port() const { return impl_->port(); }

}  // namespace weir
