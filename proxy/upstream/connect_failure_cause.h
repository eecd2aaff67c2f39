// Whose fault a failed upstream connect is.
//
// The endpoint's (or its network's) failures are what outlier detection, active
// health checks and connect retries act on. Failures that are weir's own — this
// host ran out of descriptors, kernel memory or local ports, or weir's loop was
// too busy to judge a timeout — say nothing about the endpoint: counting them
// would eject healthy endpoints for as long as baseEjectionTime × n after a brief
// local overload is over. Pure functions; used by the data path and the health
// checker alike.
#pragma once

#include <chrono>

namespace weir::proxy {

enum class ConnectFailureCause {
  kUpstream,  // refused, unreachable, reset, timed out: counts against the endpoint
  // Out of descriptors or kernel memory (EMFILE, ENFILE, ENOBUFS, ENOMEM): every
  // connect fails now, whatever the endpoint, until something is freed.
  kLocalShortage,
  // No local address or port towards this endpoint (EADDRNOTAVAIL: the ephemeral
  // ports towards it are all in use), or no socket of its family on this host.
  kLocalAddress,
  // The connect timeout fired more than a whole timeout late: weir's loop was
  // starved, so the wait measured weir rather than the endpoint.
  kLocalLateTimer,
};

// Which call failed: socket() (nothing was sent), or connect() — its immediate
// result or the SO_ERROR it left once the handshake ended.
enum class ConnectStep { kSocket, kConnect };

// The cause of `error` (an errno) at `step` for an endpoint of address family
// `family` (AF_INET, AF_INET6, AF_UNIX). The family matters where one errno means
// different things: EAGAIN from connect() is a Unix listener's full backlog (the
// endpoint's fault) but a short kernel table for TCP (weir's host's).
ConnectFailureCause connectErrorCause(ConnectStep step, int error, int family);

// The cause of a connect timeout that fired `late_by` after its deadline, for a
// timeout of `timeout`. Late by more than the timeout itself, the endpoint had
// its full time but weir was not watching for most of it: weir's own.
ConnectFailureCause connectTimeoutCause(std::chrono::steady_clock::duration late_by,
                                        std::chrono::steady_clock::duration timeout);

inline bool isLocal(ConnectFailureCause cause) { return cause != ConnectFailureCause::kUpstream; }

// "out of descriptors or memory", …: for log lines.
const char* describe(ConnectFailureCause cause);

}  // namespace weir::proxy
