#include "echo/echo_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include "common/iso_time.h"
#include "common/socket_path_state.h"
#include "common/unique_fd.h"
#include "echo/address_text.h"

namespace weir::echo {
namespace {

// A server given no logger writes to standard error: standard output is the program's.
EchoSettings withLogger(EchoSettings settings) {
  if (!settings.logger) settings.logger = newEchoLogger();
  return settings;
}

constexpr int kListenBacklog = 4096;
constexpr timeval kAcceptRetryDelay = {0, 100 * 1000};

[[noreturn]] void throwErrno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

void setOption(int fd, int level, int name, int value, const std::string& what) {
  if (setsockopt(fd, level, name, &value, sizeof(value)) != 0) {
    throwErrno(what);
  }
}

// A socket file left at `address` by a process that is gone is removed; one that
// someone still accepts on is EADDRINUSE, like a TCP port in use. Anything else at
// the path is left for bind to refuse.
void clearStaleSocketFile(const SocketAddress& address) {
  switch (probeSocketPath(address)) {
    case SocketPathState::kLive:
      errno = EADDRINUSE;
      throwErrno("bind " + addressText(address));
    case SocketPathState::kStale:
    case SocketPathState::kUnknown:  // a socket that cannot even be probed goes too
      ::unlink(address.unixFilePath().c_str());
      return;
    case SocketPathState::kFree:
    case SocketPathState::kNotASocket:
      return;
  }
}

}  // namespace

EchoServer::Listener::~Listener() {
  listener.reset();  // closes the socket first
  if (!unix_file.empty()) ::unlink(unix_file.c_str());
}

std::shared_ptr<spdlog::logger> newEchoLogger() {
  auto logger = std::make_shared<spdlog::logger>(
      "tcp-echo-server", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  // weir's timestamps: ISO 8601, UTC.
  logger->set_pattern("[" + std::string(kIsoUtcTimePattern) + "] [%n] [%^%l%$] %v",
                      spdlog::pattern_time_type::utc);
  return logger;
}

EchoServer::EchoServer(event_base* base, EchoSettings settings)
    : base_(base), settings_(withLogger(std::move(settings))) {}

// Connections go before listeners, both before the base (owned by the caller).
EchoServer::~EchoServer() { connections_.clear(); }

SocketAddress EchoServer::listen(const SocketAddress& address) {
  const std::string where = addressText(address);
  UniqueFd socket(::socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (socket.get() < 0) {
    throwErrno("socket for " + where);
  }
  setOption(socket.get(), SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR on " + where);
  if (address.family() == AF_INET6) {
    // Dual-stack whatever net.ipv6.bindv6only says: 127.0.0.1 must reach [::].
    setOption(socket.get(), IPPROTO_IPV6, IPV6_V6ONLY, 0, "IPV6_V6ONLY on " + where);
  }
  if (address.family() == AF_UNIX) {
    clearStaleSocketFile(address);
  }
  if (::bind(socket.get(), address.get(), address.length()) != 0) {
    throwErrno("bind " + where);
  }
  auto bound = localAddressOf(socket.get());
  if (!bound) {
    throwErrno("getsockname " + where);
  }
  auto listener = std::make_unique<Listener>();
  listener->server = this;
  listener->listener.reset(evconnlistener_new(base_, &EchoServer::onAccept, listener.get(),
                                              LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
                                              kListenBacklog, socket.get()));
  if (!listener->listener) {
    throwErrno("listen " + where);
  }
  socket.release();  // the evconnlistener closes it now
  listener->unix_file = address.unixFilePath();
  evconnlistener_set_error_cb(listener->listener.get(), &EchoServer::onAcceptError);
  listener->retry_timer.reset(evtimer_new(base_, &EchoServer::onRetryAccept, listener.get()));
  if (!listener->retry_timer) {
    throw std::runtime_error("evtimer_new failed");
  }
  listeners_.push_back(std::move(listener));
  return *bound;
}

SocketAddress EchoServer::listenOnAllAddresses(std::uint16_t port) {
  try {
    return listen(SocketAddress::anyIpv6(port));
  } catch (const std::system_error& error) {
    if (error.code() != std::errc::address_family_not_supported &&
        error.code() != std::errc::address_not_available &&
        error.code() != std::errc::protocol_not_supported) {
      throw;
    }
    log().warn("no IPv6 ({}), listening on IPv4 only", error.what());
  }
  return listen(SocketAddress::anyIpv4(port));
}

void EchoServer::onAccept(evconnlistener*, evutil_socket_t fd, sockaddr* peer, int peer_length,
                          void* context) {
  EchoServer* server = static_cast<Listener*>(context)->server;
  // Answers are small and written as each line arrives; don't let Nagle hold them back
  // (Go, which the Istio sample is written in, sets TCP_NODELAY too).
  if (peer == nullptr || peer->sa_family != AF_UNIX) {
    int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
  }

  std::string peer_name =
      peer != nullptr
          ? addressText(SocketAddress::fromSockaddr(peer, static_cast<socklen_t>(peer_length)))
          : std::string("client");

  BufferEventPtr bev(bufferevent_socket_new(server->base_, fd, BEV_OPT_CLOSE_ON_FREE));
  if (!bev) {
    server->log().error("{}: cannot create a bufferevent, dropping the connection", peer_name);
    ::close(fd);
    return;
  }
  server->log().debug("{}: connected", peer_name);
  auto connection = std::make_unique<EchoConnection>(
      std::move(bev), std::move(peer_name), server->settings_, server->scratch_, server->counters_,
      [server](EchoConnection* done) { server->release(done); });
  EchoConnection* key = connection.get();
  server->connections_.emplace(key, std::move(connection));
  key->start();
}

void EchoServer::onAcceptError(evconnlistener* listener, void* context) {
  int error = EVUTIL_SOCKET_ERROR();
  static_cast<Listener*>(context)->server->log().error(
      "accept failed: {}; pausing the listener for {} ms", std::strerror(error),
      kAcceptRetryDelay.tv_usec / 1000);
  // With EMFILE the pending connection stays in the queue, so accepting again at once
  // would fail again at once.
  evconnlistener_disable(listener);
  evtimer_add(static_cast<Listener*>(context)->retry_timer.get(), &kAcceptRetryDelay);
}

void EchoServer::onRetryAccept(evutil_socket_t, short, void* context) {
  evconnlistener_enable(static_cast<Listener*>(context)->listener.get());
}

void EchoServer::release(EchoConnection* connection) {
  log().debug("{}: closed", connection->peer());
  connections_.erase(connection);
}

}  // namespace weir::echo
