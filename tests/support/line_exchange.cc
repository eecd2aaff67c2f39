#include "line_exchange.h"

#include <sstream>

namespace weir::test {

std::optional<std::string> LineExchange::firstLine() const {
  size_t newline = data.find('\n');
  if (newline == std::string::npos) return std::nullopt;
  return data.substr(0, newline);
}

std::string LineExchange::firstWord() const {
  std::optional<std::string> line = firstLine();
  if (!line) return {};
  size_t start = line->find_first_not_of(' ');
  if (start == std::string::npos) return {};
  return line->substr(start, line->find(' ', start) - start);
}

std::string LineExchange::describe() const {
  std::ostringstream text;
  if (!connected) {
    text << "not connected: " << connect_error;
  } else {
    text << "received " << data.size() << " bytes ";
    std::string shown = data.substr(0, 80);
    text << "'";
    for (char c : shown) {
      if (c == '\n') {
        text << "\\n";
      } else {
        text << c;
      }
    }
    text << (data.size() > 80 ? "...'" : "'") << ", then " << toString(end) << " after "
         << elapsed.count() << " ms";
  }
  return text.str();
}

LineExchange exchangeLine(uint16_t port, const std::string& message,
                          std::chrono::milliseconds timeout) {
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + timeout;
  LineExchange result;
  std::optional<TcpConnection> connection =
      TcpConnection::connect(port, timeout, &result.connect_error);
  if (!connection) {
    result.elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
    return result;
  }
  result.connected = true;
  IoStatus sent = connection->sendAll(message + "\n", deadline);
  if (sent == IoStatus::kOk) connection->shutdownWrite();
  // Even if sending failed (the proxy may already have closed), read what came back.
  TcpConnection::ReadResult read =
      connection->readUntilEof(std::chrono::duration_cast<milliseconds>(
          std::max<Clock::duration>(deadline - Clock::now(), Clock::duration::zero())));
  result.data = std::move(read.data);
  result.end = read.end;
  result.elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  return result;
}

}  // namespace weir::test
