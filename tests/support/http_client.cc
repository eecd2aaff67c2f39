#include "http_client.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

#include "tcp_connection.h"

namespace weir::test {
namespace {

std::string lowerCase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string trim(const std::string& text) {
  const size_t start = text.find_first_not_of(" \t");
  if (start == std::string::npos) return "";
  const size_t end = text.find_last_not_of(" \t\r");
  return text.substr(start, end - start + 1);
}

// Splits `raw` (a whole response) into status, headers and body.
void parseResponse(const std::string& raw, HttpResponse& response) {
  const size_t head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos) {
    response.error = "no complete header block in " + std::to_string(raw.size()) + " bytes";
    return;
  }
  const std::string head = raw.substr(0, head_end);
  size_t line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  // "HTTP/1.1 200 OK"
  if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12) {
    response.error = "malformed status line: " + status_line;
    return;
  }
  int status = 0;
  auto [stop, error] = std::from_chars(status_line.data() + 9, status_line.data() + 12, status);
  if (error != std::errc() || stop != status_line.data() + 12) {
    response.error = "malformed status code: " + status_line;
    return;
  }
  while (line_end != std::string::npos) {
    const size_t next = head.find("\r\n", line_end + 2);
    const std::string line = head.substr(line_end + 2, next == std::string::npos
                                                           ? std::string::npos
                                                           : next - line_end - 2);
    const size_t colon = line.find(':');
    if (colon != std::string::npos) {
      response.headers[lowerCase(line.substr(0, colon))] = trim(line.substr(colon + 1));
    }
    line_end = next;
  }
  std::string body = raw.substr(head_end + 4);
  if (auto length = response.headers.find("content-length"); length != response.headers.end()) {
    size_t expected = 0;
    const std::string& text = length->second;
    auto [end, parse_error] = std::from_chars(text.data(), text.data() + text.size(), expected);
    if (parse_error != std::errc() || end != text.data() + text.size()) {
      response.error = "malformed Content-Length: " + text;
      return;
    }
    if (body.size() != expected) {
      response.error = "Content-Length " + text + " but " + std::to_string(body.size()) +
                       " bytes of body";
      return;
    }
  }
  response.status = status;
  response.body = std::move(body);
}

}  // namespace

std::string HttpResponse::header(const std::string& lower_case_name) const {
  auto found = headers.find(lower_case_name);
  return found == headers.end() ? "" : found->second;
}

std::string HttpResponse::describe() const {
  if (status == 0) return "no HTTP response: " + error;
  return "HTTP " + std::to_string(status) + ": " + body.substr(0, 300) +
         (body.size() > 300 ? "..." : "");
}

HttpResponse httpRequest(uint16_t port, const std::string& method, const std::string& path,
                         std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  HttpResponse response;
  std::optional<TcpConnection> connection = TcpConnection::connect(port, timeout, &response.error);
  if (!connection) return response;
  const std::string request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" +
                              std::to_string(port) +
                              "\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
  IoStatus sent = connection->sendAll(request, deadline);
  if (sent != IoStatus::kOk) {
    response.error = std::string("sending the request: ") + toString(sent);
    return response;
  }
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
  TcpConnection::ReadResult read = connection->readUntilEof(std::max(left, milliseconds(1)));
  if (read.end != IoStatus::kEof) {
    response.error = std::string("reading the response: ") + toString(read.end) + " after " +
                     std::to_string(read.data.size()) + " bytes";
    return response;
  }
  parseResponse(read.data, response);
  return response;
}

std::string urlEncode(const std::string& text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      encoded.push_back(static_cast<char>(c));
    } else {
      encoded.push_back('%');
      encoded.push_back(kHex[c >> 4]);
      encoded.push_back(kHex[c & 0xF]);
    }
  }
  return encoded;
}

}  // namespace weir::test
