#include "proxy/upstream/connect_failure_cause.h"

#include <sys/socket.h>

#include <cerrno>

namespace weir::proxy {

ConnectFailureCause connectErrorCause(ConnectStep step, int error, int family) {
  switch (error) {
    case EMFILE:
    case ENFILE:
    case ENOBUFS:
    case ENOMEM:
      return ConnectFailureCause::kLocalShortage;
    default:
      break;
  }
  // socket() sends nothing: whatever else stops it (EAFNOSUPPORT with IPv6 off,
  // EACCES from a security module) is this host's, never the endpoint's.
  if (step == ConnectStep::kSocket) return ConnectFailureCause::kLocalAddress;
  switch (error) {
    case EADDRNOTAVAIL:  // no free ephemeral port towards this address and port
    case EADDRINUSE:     // the local address chosen is taken for this destination
      return ConnectFailureCause::kLocalAddress;
    case EAGAIN:
      // A Unix socket's listener has a full backlog: the endpoint is overloaded.
      // For TCP, Linux means its routing cache ran short.
      return family == AF_UNIX ? ConnectFailureCause::kUpstream
                               : ConnectFailureCause::kLocalShortage;
    default:
      // ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH, ENETUNREACH, ECONNRESET, and
      // EACCES/EPERM from a firewall on the way: the endpoint cannot be reached.
      return ConnectFailureCause::kUpstream;
  }
}

ConnectFailureCause connectTimeoutCause(std::chrono::steady_clock::duration late_by,
                                        std::chrono::steady_clock::duration timeout) {
  return late_by > timeout ? ConnectFailureCause::kLocalLateTimer : ConnectFailureCause::kUpstream;
}

const char* describe(ConnectFailureCause cause) {
  switch (cause) {
    case ConnectFailureCause::kUpstream: return "upstream failure";
    case ConnectFailureCause::kLocalShortage: return "out of descriptors or memory";
    case ConnectFailureCause::kLocalAddress: return "no local address or port";
    case ConnectFailureCause::kLocalLateTimer: return "event loop too busy";
  }
  return "unknown";
}

}  // namespace weir::proxy
