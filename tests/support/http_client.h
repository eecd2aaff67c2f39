// A minimal HTTP/1.1 client for weir's admin server: one request per connection
// ("Connection: close"), on 127.0.0.1, with a deadline. Enough for status codes,
// headers and bodies; no chunked encoding, redirects or keep-alive.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace weir::test {

struct HttpResponse {
  // 0 when no complete response came; `error` says why.
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string error;

  bool ok() const { return status == 200; }
  std::string header(const std::string& lower_case_name) const;
  std::string describe() const;  // "HTTP 400: <first 300 bytes of the body>", for messages
};

// Sends `method path` (path includes any query string, already URL-encoded) to
// 127.0.0.1:port and reads the whole response until the server closes.
HttpResponse httpRequest(uint16_t port, const std::string& method, const std::string& path,
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

inline HttpResponse httpGet(uint16_t port, const std::string& path) {
  return httpRequest(port, "GET", path);
}
inline HttpResponse httpPost(uint16_t port, const std::string& path) {
  return httpRequest(port, "POST", path);
}

// Percent-encodes everything but unreserved characters (RFC 3986), for query values.
std::string urlEncode(const std::string& text);

}  // namespace weir::test
