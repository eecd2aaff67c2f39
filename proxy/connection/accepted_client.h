// A client the worker has accepted and admitted, before it is routed: what the
// worker learnt at accept time, carried to the connection that serves it (or
// through a TLS listener's wait for the ClientHello first).
#pragma once

#include <sys/socket.h>

#include <memory>
#include <optional>
#include <string>

#include "config/route_table.h"
#include "proxy/stats/access_log.h"
#include "proxy/stats/stats.h"
#include "proxy/upstream/admission_slot.h"

namespace weir::proxy {

struct AcceptedClient {
  int fd = -1;
  sockaddr_storage address{};
  socklen_t address_length = 0;
  std::string listener_key;  // the ListenerSlot's key: the slot may go in a reload
  ListenerStats* stats = nullptr;  // the worker's: lives as long as the worker
  AdmissionSlot admission;  // counts this client already; given back when it goes
  std::optional<config::IpAddress> source;
  std::optional<config::IpAddress> destination;
  std::unique_ptr<ConnectionRecord> record;  // null when nothing is logged
};

}  // namespace weir::proxy
