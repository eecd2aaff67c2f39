#include "tcp_connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace weir::test {
namespace {

sockaddr_in loopback(uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

uint16_t portOf(int fd, bool peer) {
  sockaddr_in address{};
  socklen_t length = sizeof address;
  int result = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length)
                    : ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  return result == 0 ? ntohs(address.sin_port) : 0;
}

void setError(std::string* error, const std::string& text) {
  if (error != nullptr) *error = text;
}

}  // namespace

const char* toString(IoStatus status) {
  switch (status) {
    case IoStatus::kOk: return "ok";
    case IoStatus::kEof: return "eof";
    case IoStatus::kReset: return "reset";
    case IoStatus::kTimeout: return "timeout";
    case IoStatus::kError: return "error";
  }
  return "?";
}

int pollTimeout(Clock::time_point deadline) {
  Clock::time_point now = Clock::now();
  if (now >= deadline) return 0;
  auto left = std::chrono::ceil<milliseconds>(deadline - now).count();
  return static_cast<int>(std::min<long long>(left, 1000 * 1000));
}

uint16_t freeTcpPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in address = loopback(0);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    int error = errno;
    ::close(fd);
    throw std::runtime_error(std::string("bind 127.0.0.1:0: ") + std::strerror(error));
  }
  uint16_t port = portOf(fd, false);
  ::close(fd);
  if (port == 0) throw std::runtime_error("getsockname gave no port");
  return port;
}

TcpConnection::TcpConnection(int fd) : fd_(fd) {}

TcpConnection TcpConnection::adopt(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  return TcpConnection(fd);
}

TcpConnection::TcpConnection(TcpConnection&& other) noexcept
    : fd_(other.fd_), buffered_(std::move(other.buffered_)), last_error_(other.last_error_.load()) {
  other.fd_ = -1;
}

TcpConnection& TcpConnection::operator=(TcpConnection&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.fd_;
    buffered_ = std::move(other.buffered_);
    last_error_ = other.last_error_.load();
    other.fd_ = -1;
  }
  return *this;
}

TcpConnection::~TcpConnection() { close(); }

void TcpConnection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void TcpConnection::resetAndClose() {
  if (fd_ < 0) return;
  linger option{};
  option.l_onoff = 1;
  option.l_linger = 0;
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &option, sizeof option);
  close();
}

std::optional<TcpConnection> TcpConnection::connect(uint16_t port, milliseconds timeout,
                                                    std::string* error) {
  return connectWith(Addresses{}, port, timeout, error);
}

std::optional<TcpConnection> TcpConnection::connectWith(const Addresses& addresses, uint16_t port,
                                                        milliseconds timeout, std::string* error) {
  const Clock::time_point deadline = Clock::now() + timeout;
  sockaddr_in address = loopback(port);
  sockaddr_in source = loopback(0);
  if (::inet_pton(AF_INET, addresses.destination.c_str(), &address.sin_addr) != 1 ||
      (ntohl(address.sin_addr.s_addr) >> 24) != 127 ||
      (!addresses.source.empty() &&
       (::inet_pton(AF_INET, addresses.source.c_str(), &source.sin_addr) != 1 ||
        (ntohl(source.sin_addr.s_addr) >> 24) != 127))) {
    setError(error, "connect: only IPv4 addresses in 127.0.0.0/8 are allowed in tests");
    return std::nullopt;
  }
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    setError(error, std::string("socket: ") + std::strerror(errno));
    return std::nullopt;
  }
  TcpConnection connection(fd);
  if (!addresses.source.empty() &&
      ::bind(fd, reinterpret_cast<sockaddr*>(&source), sizeof source) != 0) {
    setError(error, std::string("bind: ") + std::strerror(errno));
    return std::nullopt;
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    if (errno != EINPROGRESS) {
      setError(error, std::string("connect: ") + std::strerror(errno));
      return std::nullopt;
    }
    pollfd entry{fd, POLLOUT, 0};
    int ready;
    do {
      ready = ::poll(&entry, 1, pollTimeout(deadline));
    } while (ready < 0 && errno == EINTR);
    if (ready == 0) {
      setError(error, "connect: timed out");
      return std::nullopt;
    }
    int socket_error = 0;
    socklen_t length = sizeof socket_error;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &socket_error, &length);
    if (ready < 0 || socket_error != 0) {
      setError(error, std::string("connect: ") + std::strerror(ready < 0 ? errno : socket_error));
      return std::nullopt;
    }
  }
  if (portOf(fd, false) == portOf(fd, true)) {
    setError(error, "connect: connected to itself (nothing listens)");
    return std::nullopt;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return connection;
}

std::optional<TcpConnection> TcpConnection::connectUnix(const std::string& path,
                                                        milliseconds timeout, std::string* error) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof address.sun_path) {
    setError(error, "connect: bad unix socket path \"" + path + "\"");
    return std::nullopt;
  }
  std::memcpy(address.sun_path, path.data(), path.size());
  socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
  if (path.front() == '@') {  // abstract: a leading NUL, no trailing one
    address.sun_path[0] = '\0';
    --length;
  }
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    setError(error, std::string("socket: ") + std::strerror(errno));
    return std::nullopt;
  }
  TcpConnection connection(fd);
  // A Unix connect completes or fails at once; EAGAIN (backlog full) is retried.
  const Clock::time_point deadline = Clock::now() + timeout;
  while (::connect(fd, reinterpret_cast<sockaddr*>(&address), length) != 0) {
    if (errno != EAGAIN || Clock::now() >= deadline) {
      setError(error, std::string("connect: ") + std::strerror(errno));
      return std::nullopt;
    }
    ::poll(nullptr, 0, 5);
  }
  return connection;
}

uint16_t TcpConnection::localPort() const { return portOf(fd_, false); }

IoStatus TcpConnection::waitFor(short events, Clock::time_point deadline) {
  while (true) {
    pollfd entry{fd_, events, 0};
    int ready = ::poll(&entry, 1, pollTimeout(deadline));
    if (ready > 0) return IoStatus::kOk;  // errors/hangups surface in the next call
    if (ready == 0) return IoStatus::kTimeout;
    if (errno != EINTR) {
      last_error_ = errno;
      return IoStatus::kError;
    }
  }
}

IoStatus TcpConnection::sendSome(std::string_view data, size_t& sent, Clock::time_point deadline) {
  sent = 0;
  while (true) {
    ssize_t result = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (result >= 0) {
      sent = static_cast<size_t>(result);
      return IoStatus::kOk;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      last_error_ = errno;
      return (errno == EPIPE || errno == ECONNRESET) ? IoStatus::kReset : IoStatus::kError;
    }
    IoStatus waited = waitFor(POLLOUT, deadline);
    if (waited != IoStatus::kOk) return waited;
  }
}

IoStatus TcpConnection::sendAll(std::string_view data, Clock::time_point deadline) {
  while (!data.empty()) {
    size_t sent = 0;
    IoStatus status = sendSome(data, sent, deadline);
    if (status != IoStatus::kOk) return status;
    data.remove_prefix(sent);
  }
  return IoStatus::kOk;
}

IoStatus TcpConnection::sendAll(std::string_view data, milliseconds timeout) {
  return sendAll(data, Clock::now() + timeout);
}

IoStatus TcpConnection::readSome(std::span<char> out, size_t& got, Clock::time_point deadline) {
  got = 0;
  if (out.empty()) return IoStatus::kOk;
  if (!buffered_.empty()) {
    got = std::min(out.size(), buffered_.size());
    std::memcpy(out.data(), buffered_.data(), got);
    buffered_.erase(0, got);
    return IoStatus::kOk;
  }
  while (true) {
    ssize_t result = ::recv(fd_, out.data(), out.size(), 0);
    if (result > 0) {
      got = static_cast<size_t>(result);
      return IoStatus::kOk;
    }
    if (result == 0) return IoStatus::kEof;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      last_error_ = errno;
      return errno == ECONNRESET ? IoStatus::kReset : IoStatus::kError;
    }
    IoStatus waited = waitFor(POLLIN, deadline);
    if (waited != IoStatus::kOk) return waited;
  }
}

std::optional<std::string> TcpConnection::readLine(milliseconds timeout, IoStatus* status) {
  const Clock::time_point deadline = Clock::now() + timeout;
  IoStatus ignored;
  IoStatus& end = status != nullptr ? *status : ignored;
  size_t scanned = 0;
  std::string pending = std::move(buffered_);
  buffered_.clear();
  char chunk[4096];
  while (true) {
    size_t newline = pending.find('\n', scanned);
    if (newline != std::string::npos) {
      buffered_ = pending.substr(newline + 1);
      pending.resize(newline);
      end = IoStatus::kOk;
      return pending;
    }
    scanned = pending.size();
    size_t got = 0;
    IoStatus read = readSome(chunk, got, deadline);
    if (read != IoStatus::kOk) {
      buffered_ = std::move(pending);
      end = read;
      return std::nullopt;
    }
    pending.append(chunk, got);
  }
}

TcpConnection::ReadResult TcpConnection::readUntilEof(milliseconds timeout, size_t max_bytes) {
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + timeout;
  ReadResult result;
  char chunk[64 * 1024];
  while (result.data.size() < max_bytes) {
    size_t want = std::min(sizeof chunk, max_bytes - result.data.size());
    size_t got = 0;
    IoStatus status = readSome(std::span<char>(chunk, want), got, deadline);
    if (status != IoStatus::kOk) {
      result.end = status;
      result.error_number = last_error_;
      break;
    }
    result.data.append(chunk, got);
  }
  result.elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  return result;
}

bool TcpConnection::shutdownWrite() {
  if (::shutdown(fd_, SHUT_WR) != 0) {
    last_error_ = errno;
    return false;
  }
  return true;
}

TcpListener::TcpListener() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in address = loopback(0);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd_, 128) != 0) {
    int error = errno;
    ::close(fd_);
    throw std::runtime_error(std::string("listen on 127.0.0.1:0: ") + std::strerror(error));
  }
  port_ = portOf(fd_, false);
}

TcpListener::~TcpListener() {
  if (fd_ >= 0) ::close(fd_);
}

int TcpListener::accept(milliseconds timeout) {
  pollfd entry{fd_, POLLIN, 0};
  int ready;
  const Clock::time_point deadline = Clock::now() + timeout;
  do {
    ready = ::poll(&entry, 1, pollTimeout(deadline));
  } while (ready < 0 && errno == EINTR);
  if (ready <= 0) return -1;
  int fd = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  return fd;
}

}  // namespace weir::test
