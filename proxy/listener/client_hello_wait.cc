#include "proxy/listener/client_hello_wait.h"

#include <unistd.h>

#include <cerrno>
#include <utility>

namespace weir::proxy {

ClientHelloWait::ClientHelloWait(ClientHelloOwner& owner, event_base* loop, AcceptedClient client,
                                 const timeval* timeout, char* scratch)
    : owner_(owner), client_(std::move(client)), scratch_(scratch) {
  socket_event_.assign(loop, client_.fd, EV_READ | EV_CLOSED | EV_PERSIST | EV_ET,
                       &ClientHelloWait::onReadable, this);
  socket_event_.add();
  timer_.assign(loop, -1, 0, &ClientHelloWait::onTimeout, this);
  timer_.add(timeout);
}

ClientHelloWait::~ClientHelloWait() {
  socket_event_.clear();
  timer_.clear();
  if (client_.fd >= 0) close(client_.fd);
}

int ClientHelloWait::releaseSocket() {
  socket_event_.clear();
  timer_.clear();
  return std::exchange(client_.fd, -1);
}

void ClientHelloWait::onReadable(evutil_socket_t, short, void* self) {
  auto* wait = static_cast<ClientHelloWait*>(self);
  // Everything so far, left in the socket: the upstream gets these same bytes.
  const ssize_t count = recv(wait->client_.fd, wait->scratch_, kMaxClientHelloBytes, MSG_PEEK);
  if (count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  if (count <= 0) {
    wait->owner_.onClientHelloVerdict(*wait, ClientHelloOwner::Verdict::kClosed, {});
    return;
  }
  const ClientHelloInspection inspection =
      inspectClientHello(std::string_view(wait->scratch_, static_cast<size_t>(count)));
  if (inspection.outcome == ClientHelloInspection::Outcome::kNeedMoreBytes) {
    // The rest comes with a later segment, and with it a new edge. (A full peek
    // that still needs more cannot happen: the parser says kTooLarge first.)
    return;
  }
  wait->owner_.onClientHelloVerdict(*wait, ClientHelloOwner::Verdict::kHello, inspection);
}

void ClientHelloWait::onTimeout(evutil_socket_t, short, void* self) {
  auto* wait = static_cast<ClientHelloWait*>(self);
  wait->owner_.onClientHelloVerdict(*wait, ClientHelloOwner::Verdict::kTimeout, {});
}

}  // namespace weir::proxy
