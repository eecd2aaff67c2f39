#include "bench/loadgen/bulk_mode.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench/loadgen/client_socket.h"
#include "bench/loadgen/json_line.h"
#include "bench/loadgen/line_reader.h"
#include "bench/loadgen/observations.h"
#include "common/json_text.h"
#include "common/socket_error.h"

namespace weir::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kChunkBytes = 1 << 20;

// Waits until `fd` has `events` or the deadline passes; false on timeout or poll error.
bool waitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      return false;
    }
    pollfd descriptor{fd, events, 0};
    const int ready = ::poll(&descriptor, 1, static_cast<int>(left.count()) + 1);
    if (ready > 0) {
      return true;
    }
    if (ready < 0 && errno != EINTR) {
      return false;
    }
  }
}

struct Transfer {
  std::uint64_t sent = 0;
  std::optional<std::uint64_t> confirmed;
  std::string error;  // empty when the transfer went through
};

Transfer transfer(const Options& options, Clock::time_point deadline) {
  Transfer result;
  int error = 0;
  UniqueFd fd = startConnect(options.target.address, loopbackSource(0, options.sources), error);
  if (!fd) {
    result.error = fmt::format("connect {}", errnoName(error));
    return result;
  }
  if (!waitFor(fd.get(), POLLOUT, deadline)) {
    result.error = "connect timeout";
    return result;
  }
  if ((error = pendingSocketError(fd.get())) != 0) {
    result.error = fmt::format("connect {}", errnoName(error));
    return result;
  }

  // Varied bytes rather than zeros, in case anything on the way compresses or special-cases.
  std::vector<char> chunk(kChunkBytes);
  for (std::size_t i = 0; i < chunk.size(); ++i) {
    chunk[i] = static_cast<char>('a' + i % 26);
  }
  while (result.sent < options.bulk_bytes) {
    const std::size_t want = static_cast<std::size_t>(
        std::min<std::uint64_t>(chunk.size(), options.bulk_bytes - result.sent));
    const ssize_t sent = ::send(fd.get(), chunk.data(), want, MSG_NOSIGNAL);
    if (sent > 0) {
      result.sent += static_cast<std::uint64_t>(sent);
    } else if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!waitFor(fd.get(), POLLOUT, deadline)) {
        result.error = "send timeout";
        return result;
      }
    } else if (sent < 0 && errno != EINTR) {
      result.error = fmt::format("send {}", errnoName(errno));
      return result;
    }
  }
  if (::shutdown(fd.get(), SHUT_WR) != 0) {
    result.error = fmt::format("shutdown {}", errnoName(errno));
    return result;
  }

  LineReader answer(64);
  for (;;) {
    if (!waitFor(fd.get(), POLLIN, deadline)) {
      result.error = "timeout waiting for the sink's count";
      return result;
    }
    switch (answer.readFrom(fd.get())) {
      case LineReader::Status::kNeedMore:
        continue;
      case LineReader::Status::kLine:
        result.confirmed = parseSinkCount(answer.line());
        if (!result.confirmed) {
          result.error = "sink answer is not a count";
        } else if (*result.confirmed != result.sent) {
          result.error = "sink count differs";
        }
        return result;
      case LineReader::Status::kEndOfFile:
        result.error = "closed before the sink's count";
        return result;
      case LineReader::Status::kError:
        result.error = fmt::format("read {}", errnoName(answer.error()));
        return result;
      case LineReader::Status::kTooLong:
        result.error = "sink answer is not a count";
        return result;
    }
  }
}

}  // namespace

std::optional<std::uint64_t> parseSinkCount(std::string_view line) {
  std::uint64_t count = 0;
  const char* end = line.data() + line.size();
  auto [stop, error] = std::from_chars(line.data(), end, count);
  if (line.empty() || error != std::errc() || stop != end) {
    return std::nullopt;
  }
  return count;
}

int runBulk(const Options& options) {
  const auto started = Clock::now();
  const Transfer result = transfer(options, started + options.timeout);
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  Observations observed;
  if (!result.error.empty()) {
    observed.errors.add(result.error);
  }
  const bool ok = result.error.empty();
  emitJsonLine(fmt::format(
      "{{\"mode\":\"bulk\",\"target\":{},\"bytes\":{},\"bytes_sent\":{},\"bytes_confirmed\":{},"
      "\"seconds\":{:.6f},\"gbit_per_s\":{:.3f},\"errors\":{},\"error_kinds\":{}}}",
      jsonString(options.target.toString()), options.bulk_bytes, result.sent,
      result.confirmed ? fmt::format("{}", *result.confirmed) : "null", seconds,
      ok ? static_cast<double>(result.sent) * 8 / seconds / 1e9 : 0.0, observed.errors.total(),
      observed.errors.toJson()));
  return ok ? 0 : 1;
}

}  // namespace weir::bench
