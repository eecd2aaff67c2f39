#include "proxy/control/dns_refresher.h"

#include <event2/util.h>

#include <algorithm>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "config/unix_address.h"

namespace weir::proxy {

struct DnsRefresher::Query {
  DnsRefresher* owner;
  std::string name;
};

DnsRefresher::DnsRefresher(event_base* loop, std::chrono::milliseconds refresh_interval,
                           std::function<void()> on_change,
                           const std::vector<std::string>& name_servers,
                           std::shared_ptr<spdlog::logger> log)
    : refresh_interval_(refresh_interval),
      on_change_(std::move(on_change)),
      log_(log ? std::move(log) : spdlog::default_logger()) {
  if (!name_servers.empty()) {
    dns_.reset(evdns_base_new(loop, 0));
    if (dns_ == nullptr) throw std::runtime_error("cannot create a DNS resolver");
    for (const std::string& server : name_servers) {
      if (evdns_base_nameserver_ip_add(dns_.get(), server.c_str()) != 0) {
        throw std::runtime_error("--dns-resolver: cannot use \"" + server +
                                 "\" as a name server (expected IP or IP:PORT)");
      }
    }
    evdns_base_load_hosts(dns_.get(), nullptr);
  } else {
    dns_.reset(evdns_base_new(loop, EVDNS_BASE_INITIALIZE_NAMESERVERS));
  }
  if (dns_ == nullptr) {
    // No usable resolv.conf: still serve /etc/hosts names and numeric addresses.
    dns_.reset(evdns_base_new(loop, 0));
    evdns_base_load_hosts(dns_.get(), nullptr);
    log_->warn("no name servers configured (/etc/resolv.conf); DNS endpoints resolve "
                 "from /etc/hosts only");
  }
  refresh_timer_.reset(event_new(loop, -1, EV_PERSIST, &DnsRefresher::onRefreshTimer, this));
  const auto ms = refresh_interval_.count();
  timeval interval{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
  evtimer_add(refresh_timer_.get(), &interval);
}

DnsRefresher::~DnsRefresher() {
  refresh_timer_.reset();
  on_change_ = nullptr;
  // Fails outstanding requests (DnsBaseFree): their callbacks see EVUTIL_EAI_CANCEL
  // and only free their Query.
  dns_.reset();
}

void DnsRefresher::track(const config::RouteTable& table) {
  std::set<std::string> wanted;
  for (auto& [name, state] : names_) state.order_matters = false;
  for (const config::UpstreamCluster& cluster : table.clusters) {
    const bool logical = cluster.resolution == config::EndpointResolution::kDnsRoundRobin;
    if (cluster.resolution != config::EndpointResolution::kDns && !logical) continue;
    for (const config::UpstreamEndpoint& endpoint : cluster.endpoints) {
      if (SocketAddress::fromIpLiteral(endpoint.address, 0) ||
          config::isUnixAddress(endpoint.address)) {
        continue;  // nothing to resolve
      }
      wanted.insert(endpoint.address);
      NameState& state = names_[endpoint.address];
      state.position = endpoint.position;
      state.field = endpoint.field;
      state.order_matters = state.order_matters || logical;
    }
  }
  std::erase_if(names_, [&](const auto& entry) {
    return !wanted.contains(entry.first) && !entry.second.in_flight;
  });
  for (const std::string& name : wanted) {
    if (!names_[name].in_flight) resolve(name);
  }
}

std::optional<std::vector<SocketAddress>> DnsRefresher::addressesOf(const std::string& name) const {
  auto found = names_.find(name);
  if (found == names_.end()) return std::nullopt;
  return found->second.addresses;
}

size_t DnsRefresher::pendingFirstAnswers() const {
  return static_cast<size_t>(std::count_if(names_.begin(), names_.end(), [](const auto& entry) {
    return !entry.second.answered;
  }));
}

void DnsRefresher::resolve(const std::string& name) {
  names_[name].in_flight = true;
  evutil_addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  // May call onAnswer before returning (hosts file, cache); that is fine.
  evdns_getaddrinfo(dns_.get(), name.c_str(), nullptr, &hints, &DnsRefresher::onAnswer,
                    new Query{this, name});
}

void DnsRefresher::onAnswer(int result, evutil_addrinfo* answers, void* query_arg) {
  std::unique_ptr<Query> query(static_cast<Query*>(query_arg));
  if (result == EVUTIL_EAI_CANCEL) {
    if (answers) evutil_freeaddrinfo(answers);
    return;  // the refresher is being destroyed
  }
  query->owner->handleAnswer(query->name, result, answers);
  if (answers) evutil_freeaddrinfo(answers);
}

void DnsRefresher::handleAnswer(const std::string& name, int result, evutil_addrinfo* answers) {
  auto found = names_.find(name);
  if (found == names_.end()) return;
  NameState& state = found->second;
  state.in_flight = false;
  state.answered = true;

  std::optional<std::vector<SocketAddress>> addresses;
  if (result == 0 && answers != nullptr) {
    std::vector<SocketAddress> list;
    for (evutil_addrinfo* answer = answers; answer != nullptr; answer = answer->ai_next) {
      SocketAddress address = SocketAddress::fromSockaddr(answer->ai_addr, answer->ai_addrlen);
      const std::string text = address.toString();
      // getaddrinfo may list an address once per socket type; keep each once.
      if (std::none_of(list.begin(), list.end(),
                       [&](const SocketAddress& known) { return known.toString() == text; })) {
        list.push_back(address);
      }
    }
    addresses = std::move(list);  // in the answer's order: LOGICAL_DNS takes the first
  }

  if (!addresses && state.addresses) {
    // Like Envoy's STRICT_DNS: a failed refresh keeps the last good addresses.
    ++failures_;
    if (!state.reported_failure) {
      log_->warn("{}:{}:{}: {}: host name \"{}\" failed to refresh ({}); keeping its last "
                   "known addresses",
                   state.position.file, state.position.line, state.position.column, state.field,
                   name, evutil_gai_strerror(result));
      state.reported_failure = true;
    }
    return;
  }
  if (!addresses) {
    ++failures_;
    if (!state.reported_failure) {
      log_->warn("{}:{}:{}: {}: host name \"{}\" does not resolve ({}); connections to its "
                   "subsets fail until it does",
                   state.position.file, state.position.line, state.position.column, state.field,
                   name, evutil_gai_strerror(result));
      state.reported_failure = true;
    }
  } else {
    if (state.reported_failure || !state.addresses) {
      log_->info("host name \"{}\" resolves to {} address(es)", name, addresses->size());
    }
    state.reported_failure = false;
  }

  // What the snapshot sees of a list: the set of addresses, and which is first
  // when a DNS_ROUND_ROBIN cluster uses the name (a name server that rotates its
  // answers then moves new connections, as Envoy's LOGICAL_DNS does).
  auto describe = [&state](const std::optional<std::vector<SocketAddress>>& list) {
    if (!list) return std::string("unresolved");
    std::vector<std::string> texts;
    for (const SocketAddress& address : *list) texts.push_back(address.toString());
    std::string text =
        state.order_matters && !texts.empty() ? "first " + texts.front() + ":" : "";
    std::sort(texts.begin(), texts.end());
    for (const std::string& address : texts) text += " " + address;
    return text;
  };
  if (describe(addresses) != describe(state.addresses)) {
    state.addresses = std::move(addresses);
    if (on_change_) on_change_();
  }
}

void DnsRefresher::onRefreshTimer(evutil_socket_t, short, void* self) {
  auto* refresher = static_cast<DnsRefresher*>(self);
  std::vector<std::string> names;
  for (const auto& [name, state] : refresher->names_) {
    if (!state.in_flight) names.push_back(name);
  }
  for (const std::string& name : names) refresher->resolve(name);
}

}  // namespace weir::proxy
