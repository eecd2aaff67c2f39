#include "proxy/admin/admin_server.h"

#include <event2/buffer.h>
#include <event2/http.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <optional>
#include <regex>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/socket_address.h"
#include "proxy/admin/admin_page.h"
#include "proxy/admin/log_levels.h"

namespace weir::proxy {
namespace {

struct Reply {
  int code = HTTP_OK;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

constexpr const char* kJson = "application/json";

Reply textReply(std::string body) { return Reply{HTTP_OK, "text/plain; charset=utf-8", std::move(body)}; }

// A request's query, decoded: "a=1&flag" -> {{"a","1"},{"flag",""}}. Envoy's way:
// a parameter without '=' is present with an empty value, and '+' stays '+'.
class Query {
 public:
  explicit Query(const char* text) {
    std::string_view rest = text ? text : "";
    while (!rest.empty()) {
      const size_t amp = std::min(rest.find('&'), rest.size());
      const std::string_view part = rest.substr(0, amp);
      rest.remove_prefix(std::min(amp + 1, rest.size()));
      if (part.empty()) continue;
      const size_t equals = std::min(part.find('='), part.size());
      const std::string key = decode(part.substr(0, equals));
      const std::string value =
          equals < part.size() ? decode(part.substr(equals + 1)) : std::string();
      if (!key.empty()) parameters_.emplace_back(key, value);
    }
  }

  bool has(std::string_view key) const { return find(key) != nullptr; }
  // The first value of `key`; "" if absent.
  std::string value(std::string_view key) const {
    const std::string* found = find(key);
    return found ? *found : std::string();
  }
  bool empty() const { return parameters_.empty(); }
  const std::vector<std::pair<std::string, std::string>>& all() const { return parameters_; }

 private:
  static std::string decode(std::string_view text) {
    const std::string copy(text);
    size_t size = 0;
    std::unique_ptr<char, decltype(&std::free)> decoded(
        evhttp_uridecode(copy.c_str(), 0, &size), &std::free);
    return decoded ? std::string(decoded.get(), size) : copy;
  }
  const std::string* find(std::string_view key) const {
    for (const auto& [name, value] : parameters_) {
      if (name == key) return &value;
    }
    return nullptr;
  }

  std::vector<std::pair<std::string, std::string>> parameters_;
};

struct Request {
  std::string path;
  Query query;
  bool is_post = false;
};

// `format`: one of `allowed` (the first is the default); a 400 reply otherwise.
std::optional<std::string> formatOf(const Request& request, std::vector<std::string> allowed,
                                    Reply& reply) {
  if (!request.query.has("format") || request.query.value("format").empty()) {
    return allowed.front();
  }
  const std::string format = request.query.value("format");
  if (std::find(allowed.begin(), allowed.end(), format) != allowed.end()) return format;
  std::sort(allowed.begin(), allowed.end());
  std::string choices;
  for (const std::string& choice : allowed) choices += (choices.empty() ? "" : "|") + choice;
  reply.code = 400;
  reply.body = fmt::format("unknown format \"{}\"\nusage: {}?format=({})\n", format,
                           request.path, choices);
  return std::nullopt;
}

// ?filter=REGEX (ECMAScript, searched in each name) and ?usedonly of /stats and
// /stats/prometheus: the statistics that pass; nullopt with a 400 reply on a bad
// regex.
std::optional<std::vector<StatTotal>> selectedStats(const Request& request,
                                                    AdminBackend& backend, Reply& reply) {
  std::optional<std::regex> filter;
  if (const std::string text = request.query.value("filter"); !text.empty()) {
    try {
      filter.emplace(text, std::regex::ECMAScript);
    } catch (const std::regex_error& error) {
      reply.code = 400;
      reply.body = fmt::format("invalid filter regex \"{}\": {}\n", text, error.what());
      return std::nullopt;
    }
  }
  std::vector<StatTotal> stats = backend.statTotals();
  const bool used_only = request.query.has("usedonly");
  std::erase_if(stats, [&](const StatTotal& stat) {
    return (used_only && !stat.used()) ||
           (filter && !std::regex_search(stat.fullName(), *filter));
  });
  return stats;
}

using Handler = Reply (*)(const Request&, AdminBackend&);

// /stats/prometheus and /stats?format=prometheus: Prometheus' text exposition format.
void setPrometheusBody(Reply& reply, const std::vector<StatTotal>& stats) {
  reply.content_type = "text/plain; version=0.0.4; charset=utf-8";
  reply.body = formatStatsPrometheus(stats);
}

Reply statsReply(const Request& request, AdminBackend& backend) {
  Reply reply;
  const auto format = formatOf(request, {"text", "json", "prometheus"}, reply);
  if (!format) return reply;
  const auto stats = selectedStats(request, backend, reply);
  if (!stats) return reply;
  if (*format == "json") {
    reply.content_type = kJson;
    reply.body = formatStatsJson(*stats, nullptr);
  } else if (*format == "prometheus") {
    setPrometheusBody(reply, *stats);
  } else {
    reply.body = formatStatsText(*stats, nullptr);
  }
  return reply;
}

Reply prometheusReply(const Request& request, AdminBackend& backend) {
  Reply reply;
  const auto stats = selectedStats(request, backend, reply);
  if (stats) setPrometheusBody(reply, *stats);
  return reply;
}

// A view in Envoy's text by default and in JSON with ?format=json.
template <class Text, class Json>
Reply textOrJsonReply(const Request& request, Text text, Json json) {
  Reply reply;
  const auto format = formatOf(request, {"text", "json"}, reply);
  if (!format) return reply;
  if (*format == "json") {
    reply.content_type = kJson;
    reply.body = json();
  } else {
    reply.body = text();
  }
  return reply;
}

Reply clustersReply(const Request& request, AdminBackend& backend) {
  return textOrJsonReply(
      request, [&] { return backend.clustersText(); }, [&] { return backend.clustersJson(); });
}

Reply listenersReply(const Request& request, AdminBackend& backend) {
  return textOrJsonReply(
      request, [&] { return backend.listenersText(); }, [&] { return backend.listenersJson(); });
}

Reply configDumpReply(const Request&, AdminBackend& backend) {
  return Reply{HTTP_OK, kJson, backend.configDumpJson()};
}

Reply serverInfoReply(const Request&, AdminBackend& backend) {
  return Reply{HTTP_OK, kJson, backend.serverInfoJson()};
}

Reply splitHistoryReply(const Request&, AdminBackend& backend) {
  return Reply{HTTP_OK, kJson, backend.splitHistoryJson()};
}

Reply readyReply(const Request&, AdminBackend& backend) {
  const ServerState state = backend.state();
  return Reply{state == ServerState::kLive ? 200 : 503, "text/plain; charset=utf-8",
               std::string(serverStateName(state)) + "\n"};
}

Reply helpReply(const Request&, AdminBackend&) { return textReply(adminHelpText()); }

Reply loggingReply(const Request& request, AdminBackend& backend) {
  Reply reply;
  const NamedLoggers loggers = backend.loggers();
  if (!request.query.empty()) {
    if (const std::string error = changeLoggerLevels(loggers, request.query.all());
        !error.empty()) {
      reply.code = 400;
      reply.body = "error: " + error + "\n\n" + loggingUsage();
    }
  }
  reply.body += loggerLevelsText(loggers);
  return reply;
}

Reply healthCheckFailReply(const Request&, AdminBackend& backend) {
  backend.failHealthCheck(true);
  return textReply("OK\n");
}

Reply healthCheckOkReply(const Request&, AdminBackend& backend) {
  backend.failHealthCheck(false);
  return textReply("OK\n");
}

Reply reloadReply(const Request&, AdminBackend& backend) {
  Reply reply;
  const auto errors = backend.reloadConfig();
  if (errors.empty()) {
    reply.body = "reloaded\n";
  } else {
    reply.code = 400;
    for (const std::string& error : errors) reply.body += error + "\n";
  }
  return reply;
}

Reply resetCountersReply(const Request&, AdminBackend& backend) {
  backend.resetCounters();
  return textReply("OK\n");
}

Reply drainReply(const Request&, AdminBackend& backend) {
  backend.drain();
  return textReply("draining\n");
}

Reply quitReply(const Request&, AdminBackend& backend) {
  backend.quit();
  return textReply("OK\n");
}

Reply pageReply(const Request&, AdminBackend&) {
  return Reply{HTTP_OK, "text/html; charset=utf-8", adminPageHtml()};
}

struct Endpoint {
  AdminEndpointInfo info;
  Handler handler;
};

using Method = AdminEndpointInfo::Method;

// Every endpoint, written once: dispatch, /help, the 404 answer and the page's links.
const std::vector<Endpoint>& endpoints() {
  static const std::vector<Endpoint> table = {
      {{"/", "the live page: the split over the last minutes, listeners, version"}, pageReply},
      {{"/clusters", "upstream cluster status", Method::kGet,
        "format: text (Envoy's, the default) or json"},
       clustersReply},
      {{"/config_dump", "the effective route table, its files and the last reload (JSON)"},
       configDumpReply},
      {{"/drain", "stop accepting, let open connections finish, exit", Method::kPost},
       drainReply},
      {{"/drain_listeners", "the same as /drain", Method::kPost}, drainReply},
      {{"/healthcheck/fail", "cause the server to fail health checks (/ready answers 503)",
        Method::kPost},
       healthCheckFailReply},
      {{"/healthcheck/ok", "cause the server to pass health checks", Method::kPost},
       healthCheckOkReply},
      {{"/help", "print out list of admin commands"}, helpReply},
      {{"/listeners", "print listener info", Method::kGet,
        "format: text (the default) or json"},
       listenersReply},
      {{"/logging", "query (GET) or change (POST) logging levels", Method::kGetListsPostChanges,
        "level: change every logger's level\n<logger>: change one logger's level\n"
        "paths: change several: <logger>:<level>,<logger>:<level>"},
       loggingReply},
      {{"/quitquitquit", "exit the server", Method::kPost}, quitReply},
      {{"/ready", "print server state, return 200 if LIVE, otherwise return 503"}, readyReply},
      {{"/reload", "read the configuration files again (400 with the errors if refused)",
        Method::kPost},
       reloadReply},
      {{"/reset_counters", "reset all counters to zero", Method::kPost}, resetCountersReply},
      {{"/server_info", "print server version/status information"}, serverInfoReply},
      {{"/split_history", "the split of the last minutes, for the live page (JSON)"},
       splitHistoryReply},
      {{"/stats", "print server stats", Method::kGet,
        "filter: regular expression (ECMAScript) for filtering stats\n"
        "format: text (the default), json or prometheus\n"
        "usedonly: only stats that are not zero (and the server.* gauges)"},
       statsReply},
      {{"/stats/prometheus", "print server stats in prometheus format", Method::kGet,
        "filter: regular expression (ECMAScript) for filtering stats\n"
        "usedonly: only stats that are not zero (and the server.* gauges)"},
       prometheusReply},
  };
  return table;
}

const char* reasonPhrase(int code) {
  switch (code) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

}  // namespace

std::span<const AdminEndpointInfo> adminEndpoints() {
  static const std::vector<AdminEndpointInfo> infos = [] {
    std::vector<AdminEndpointInfo> list;
    for (const Endpoint& endpoint : endpoints()) list.push_back(endpoint.info);
    return list;
  }();
  return infos;
}

std::string adminHelpText() {
  std::string text = "admin commands are:\n";
  for (const AdminEndpointInfo& info : adminEndpoints()) {
    const char* method = info.method == Method::kPost                  ? " (POST)"
                         : info.method == Method::kGetListsPostChanges ? " (GET, POST)"
                                                                         : "";
    text += fmt::format("  {}{}: {}\n", info.path, method, info.help);
    std::string_view parameters = info.parameters;
    while (!parameters.empty()) {
      const size_t end = std::min(parameters.find('\n'), parameters.size());
      text += fmt::format("      {}\n", parameters.substr(0, end));
      parameters.remove_prefix(std::min(end + 1, parameters.size()));
    }
  }
  return text;
}

AdminServer::AdminServer(event_base* loop, int listening_fd, AdminBackend& backend)
    : backend_(backend) {
  http_.reset(evhttp_new(loop));
  evhttp_set_allowed_methods(http_.get(), EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD);
  evhttp_set_gencb(http_.get(), &AdminServer::onRequest, this);
  const std::optional<SocketAddress> local = localAddressOf(listening_fd);
  if (!http_ || !local || evhttp_accept_socket_with_handle(http_.get(), listening_fd) == nullptr) {
    evutil_closesocket(listening_fd);
    throw std::runtime_error("admin: cannot serve HTTP on its socket");
  }
  // "127.0.0.1", "::1": the address as --admin takes it, without the port.
  const std::string printed = local->toString();
  address_ = printed.substr(0, printed.rfind(':'));
  if (address_.size() >= 2 && address_.front() == '[') address_ = address_.substr(1, address_.size() - 2);
  port_ = local->port();
}

void AdminServer::onRequest(evhttp_request* request, void* self) {
  static_cast<AdminServer*>(self)->handle(request);
}

void AdminServer::handle(evhttp_request* request) {
  const evhttp_uri* uri = evhttp_request_get_evhttp_uri(request);
  const bool is_post = evhttp_request_get_command(request) == EVHTTP_REQ_POST;
  const Request parsed{evhttp_uri_get_path(uri) ? evhttp_uri_get_path(uri) : "/",
                       Query(evhttp_uri_get_query(uri)), is_post};

  Reply reply;
  const auto& table = endpoints();
  const auto endpoint = std::find_if(table.begin(), table.end(), [&](const Endpoint& entry) {
    return entry.info.path == parsed.path;
  });
  if (endpoint == table.end()) {
    reply.code = 404;
    reply.body = "invalid path. " + adminHelpText();
  } else if (!is_post &&
             (endpoint->info.method == Method::kPost ||
              (endpoint->info.method == Method::kGetListsPostChanges && !parsed.query.empty()))) {
    // Envoy's answer: what changes state takes a POST.
    reply.code = 405;
    reply.body = "Method GET not allowed, POST required.\n";
  } else {
    reply = endpoint->handler(parsed, backend_);
  }

  evkeyvalq* headers = evhttp_request_get_output_headers(request);
  evhttp_add_header(headers, "Content-Type", reply.content_type.c_str());
  evhttp_add_header(headers, "Cache-Control", "no-cache");
  evhttp_add_header(headers, "X-Content-Type-Options", "nosniff");
  EvBufferPtr body(evbuffer_new());
  evbuffer_add(body.get(), reply.body.data(), reply.body.size());
  evhttp_send_reply(request, reply.code, reasonPhrase(reply.code), body.get());
}

}  // namespace weir::proxy
