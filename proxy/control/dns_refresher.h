// Asynchronous, periodically refreshed resolution of the host names that
// ServiceEntry `resolution: DNS` endpoints use (Envoy's STRICT_DNS: every address
// a name resolves to becomes an endpoint) and `resolution: DNS_ROUND_ROBIN` ones
// (Envoy's LOGICAL_DNS: the first address of the latest answer).
//
// Runs on the main thread's event loop with libevent's evdns (reads
// /etc/resolv.conf and /etc/hosts, or asks the name servers it is given), so no
// event loop ever blocks on DNS. When the addresses of a name change (for a
// DNS_ROUND_ROBIN name, also when only their order does), `on_change` runs and the
// proxy publishes a new route snapshot; connections already open keep the address
// they connected to.
#pragma once

#include <event2/dns.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "common/libevent_handles.h"
#include "common/socket_address.h"
#include "config/route_table.h"

namespace weir::proxy {

class DnsRefresher {
 public:
  // `name_servers`: "IP" or "IP:PORT" each (weir --dns-resolver); empty: the
  // system's (/etc/resolv.conf). /etc/hosts is read either way. Throws
  // std::runtime_error for a name server evdns does not take. Logs to `log`
  // (null: spdlog's default logger).
  DnsRefresher(event_base* loop, std::chrono::milliseconds refresh_interval,
               std::function<void()> on_change,
               const std::vector<std::string>& name_servers = {},
               std::shared_ptr<spdlog::logger> log = nullptr);
  ~DnsRefresher();
  DnsRefresher(const DnsRefresher&) = delete;
  DnsRefresher& operator=(const DnsRefresher&) = delete;

  // Resolve the names of every DNS and DNS_ROUND_ROBIN endpoint of `table` from
  // now on (and forget names it no longer has). Queries for new names start at once.
  void track(const config::RouteTable& table);

  // The addresses `name` resolved to (port 0), in the order of the answer, or
  // nullopt while it has not resolved (yet, or any more).
  std::optional<std::vector<SocketAddress>> addressesOf(const std::string& name) const;

  // Names whose first query has not answered yet.
  size_t pendingFirstAnswers() const;
  uint64_t failures() const { return failures_; }
  void resetFailures() { failures_ = 0; }

 private:
  struct Query;  // one outstanding evdns_getaddrinfo request
  struct NameState {
    std::optional<std::vector<SocketAddress>> addresses;  // in the answer's order
    // A DNS_ROUND_ROBIN cluster uses it: which address comes first matters.
    bool order_matters = false;
    bool answered = false;      // at least one answer (success or failure) came back
    bool in_flight = false;
    bool reported_failure = false;
    config::SourcePosition position;  // where the name was written, for messages
    std::string field;
  };

  static void onAnswer(int result, evutil_addrinfo* answers, void* query);
  static void onRefreshTimer(evutil_socket_t, short, void* self);
  void resolve(const std::string& name);
  void handleAnswer(const std::string& name, int result, evutil_addrinfo* answers);

  DnsBasePtr dns_;
  std::chrono::milliseconds refresh_interval_;
  std::function<void()> on_change_;
  std::shared_ptr<spdlog::logger> log_;  // never null
  std::map<std::string, NameState> names_;
  EventPtr refresh_timer_;
  uint64_t failures_ = 0;
};

}  // namespace weir::proxy
