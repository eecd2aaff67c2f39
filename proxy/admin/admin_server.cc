#include "proxy/admin/admin_server.h"

#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>

#include <optional>
#include <regex>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "common/socket_address.h"
#include "proxy/admin/admin_page.h"

namespace weir::proxy {
namespace {

struct Reply {
  int code = HTTP_OK;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

std::string queryValue(evkeyvalq* query, const char* key) {
  const char* value = evhttp_find_header(query, key);
  return value ? value : "";
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
  const std::string path = evhttp_uri_get_path(uri) ? evhttp_uri_get_path(uri) : "/";
  evkeyvalq query{};
  evhttp_parse_query_str(evhttp_uri_get_query(uri) ? evhttp_uri_get_query(uri) : "", &query);
  const bool is_post = evhttp_request_get_command(request) == EVHTTP_REQ_POST;

  Reply reply;
  auto requirePost = [&]() {
    if (is_post) return true;
    reply.code = 405;
    reply.body = "this endpoint changes state: use POST\n";
    return false;
  };

  if (path == "/stats") {
    const std::string filter_text = queryValue(&query, "filter");
    std::regex filter;
    bool have_filter = !filter_text.empty();
    if (have_filter) {
      try {
        filter = std::regex(filter_text, std::regex::ECMAScript);
      } catch (const std::regex_error& error) {
        reply.code = 400;
        reply.body = "invalid filter regex: " + std::string(error.what()) + "\n";
        have_filter = false;
      }
    }
    if (reply.code == HTTP_OK) {
      const auto stats = backend_.statTotals();
      if (queryValue(&query, "format") == "json") {
        reply.content_type = "application/json";
        reply.body = formatStatsJson(stats, have_filter ? &filter : nullptr);
      } else {
        reply.body = formatStatsText(stats, have_filter ? &filter : nullptr);
      }
    }
  } else if (path == "/stats/prometheus") {
    reply.content_type = "text/plain; version=0.0.4; charset=utf-8";
    reply.body = formatStatsPrometheus(backend_.statTotals());
  } else if (path == "/clusters") {
    reply.content_type = "application/json";
    reply.body = backend_.clustersJson();
  } else if (path == "/config_dump") {
    reply.content_type = "application/json";
    reply.body = backend_.configDumpJson();
  } else if (path == "/ready") {
    const bool ready = backend_.ready();
    reply.code = ready ? 200 : 503;
    reply.body = ready ? "LIVE\n" : "DRAINING\n";
  } else if (path == "/reload") {
    if (requirePost()) {
      const auto errors = backend_.reloadConfig();
      if (errors.empty()) {
        reply.body = "reloaded\n";
      } else {
        reply.code = 400;
        for (const std::string& error : errors) reply.body += error + "\n";
      }
    }
  } else if (path == "/reset_counters") {
    if (requirePost()) {
      backend_.resetCounters();
      reply.body = "OK\n";
    }
  } else if (path == "/drain" || path == "/drain_listeners") {
    if (requirePost()) {
      backend_.drain();
      reply.body = "draining\n";
    }
  } else if (path == "/quitquitquit") {
    if (requirePost()) {
      backend_.quit();
      reply.body = "OK\n";
    }
  } else if (path == "/") {
    reply.content_type = "text/html; charset=utf-8";
    reply.body = adminPageHtml();
  } else {
    reply.code = 404;
    reply.body = "not found: " + path +
                 "\nendpoints: / /stats /stats/prometheus /clusters /config_dump /ready "
                 "POST /reload /reset_counters /drain /quitquitquit\n";
  }
  evhttp_clear_headers(&query);

  evkeyvalq* headers = evhttp_request_get_output_headers(request);
  evhttp_add_header(headers, "Content-Type", reply.content_type.c_str());
  evhttp_add_header(headers, "Cache-Control", "no-cache");
  EvBufferPtr body(evbuffer_new());
  evbuffer_add(body.get(), reply.body.data(), reply.body.size());
  evhttp_send_reply(request, reply.code, reasonPhrase(reply.code), body.get());
}

}  // namespace weir::proxy
