// tcp-echo-server's listeners and connections on one event loop.
//
// Owns its listening sockets and every accepted connection; the event_base belongs to
// the caller and must outlive the server. A listener that fails to accept for lack of
// file descriptors pauses for a moment instead of spinning.
//
// Thread: construct, call listen*() and destroy on the thread that runs `base` (or before
// it starts running); callbacks run there too.
#pragma once

#include <spdlog/logger.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/libevent_handles.h"
#include "common/socket_address.h"
#include "echo/echo_connection.h"
#include "echo/echo_settings.h"

namespace weir::echo {

// The server's logger when it is given none: "tcp-echo-server", on standard error,
// ISO 8601 UTC timestamps like weir's own log.
std::shared_ptr<spdlog::logger> newEchoLogger();

class EchoServer {
 public:
  EchoServer(event_base* base, EchoSettings settings);
  EchoServer(const EchoServer&) = delete;
  EchoServer& operator=(const EchoServer&) = delete;
  ~EchoServer();

  // Binds `address` (port 0: any free port) and starts accepting. Returns the address
  // actually bound. Throws std::system_error (address in use, say). A Unix socket
  // path where a stale socket file lies (nobody accepts on it) is taken over, as
  // Envoy does; the file is removed again when the server goes.
  SocketAddress listen(const SocketAddress& address);

  // [::] with IPV6_V6ONLY off, so IPv4 clients reach it too; 0.0.0.0 if the host has no
  // IPv6. Throws std::system_error.
  SocketAddress listenOnAllAddresses(std::uint16_t port);

  std::size_t connectionCount() const { return connections_.size(); }

  // Any thread may read these while the loop runs.
  const EchoCounters& counters() const { return counters_; }

 private:
  struct Listener {
    EchoServer* server = nullptr;
    ConnListenerPtr listener;
    EventPtr retry_timer;  // re-enables the listener after an accept failure
    std::string unix_file;  // a Unix socket's file, removed with the listener
    ~Listener();
  };

  static void onAccept(evconnlistener* listener, evutil_socket_t fd, sockaddr* peer,
                       int peer_length, void* context);
  static void onAcceptError(evconnlistener* listener, void* context);
  static void onRetryAccept(evutil_socket_t, short, void* context);

  void release(EchoConnection* connection);
  spdlog::logger& log() const { return *settings_.logger; }

  event_base* base_;
  const EchoSettings settings_;
  std::string scratch_;  // answer buffer lent to the connections, one at a time
  EchoCounters counters_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::unordered_map<EchoConnection*, std::unique_ptr<EchoConnection>> connections_;
};

}  // namespace weir::echo
