// A client of a TLS passthrough listener, before it is routed: the worker waits
// for its ClientHello, reading it with MSG_PEEK so that every byte stays in the
// socket and later goes to the upstream untouched (Envoy's tls_inspector). The
// hello may arrive in many small segments; each arrival re-reads all of it.
//
// One verdict per wait, reported to the owner, which then routes the connection
// (with the SNI, if any) or closes it: the hello was read (SNI or not), the client
// sent something that is not a ClientHello, the hello is too large, the client
// closed, or nothing complete came within the listener-filter timeout (Envoy's
// listener_filters_timeout, 15 s by default). Loop thread only.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "common/embedded_event.h"
#include "proxy/connection/accepted_client.h"
#include "proxy/listener/tls_client_hello.h"

namespace weir::proxy {

class ClientHelloWait;

class ClientHelloOwner {
 public:
  virtual ~ClientHelloOwner() = default;
  enum class Verdict { kHello, kTimeout, kClosed };
  // `inspection` is meaningful for kHello (its outcome may be kNotTls, kNoSni,
  // kTooLarge or kSni). The owner takes over the socket (wait.releaseSocket())
  // or lets the wait close it, then destroys the wait.
  virtual void onClientHelloVerdict(ClientHelloWait& wait, Verdict verdict,
                                    const ClientHelloInspection& inspection) = 0;
};

class ClientHelloWait {
 public:
  // `scratch` (at least kMaxClientHelloBytes) is the worker's, used within a call.
  ClientHelloWait(ClientHelloOwner& owner, event_base* loop, AcceptedClient client,
                  const timeval* timeout, char* scratch);
  ~ClientHelloWait();  // closes the socket unless released
  ClientHelloWait(const ClientHelloWait&) = delete;
  ClientHelloWait& operator=(const ClientHelloWait&) = delete;

  AcceptedClient& client() { return client_; }
  // The owner keeps the socket (to route it); the wait will not close it.
  int releaseSocket();

 private:
  static void onReadable(evutil_socket_t, short what, void* self);
  static void onTimeout(evutil_socket_t, short, void* self);

  ClientHelloOwner& owner_;
  AcceptedClient client_;
  char* scratch_;
  EmbeddedEvent socket_event_;
  EmbeddedEvent timer_;
};

}  // namespace weir::proxy
