// Blocking-style TCP helpers for tests: every call has a deadline (poll underneath),
// every socket is close-on-exec, and everything is on 127.0.0.1.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace weir::test {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A port on 127.0.0.1 that was free a moment ago: bind port 0, read it, close.
// Another process may take it before it is used; good enough on a test machine.
uint16_t freeTcpPort();

// How a read or write ended.
enum class IoStatus {
  kOk,       // data moved
  kEof,      // orderly close by the peer (read returned 0)
  kReset,    // ECONNRESET / EPIPE
  kTimeout,  // deadline passed
  kError,    // any other errno
};
const char* toString(IoStatus status);

// A connected TCP socket (non-blocking underneath) with a small read buffer, so that
// readLine() followed by readUntilEof() loses nothing. Move-only; closes on destruction.
// Not thread-safe, except that one thread may send while another reads (the read buffer
// is touched only by readers).
class TcpConnection {
 public:
  // Connects to 127.0.0.1:port. nullopt on refusal, timeout or error; `error` (if
  // given) says which. A connection to itself (possible when nothing listens on an
  // ephemeral port) counts as refused.
  static std::optional<TcpConnection> connect(uint16_t port, milliseconds timeout,
                                              std::string* error = nullptr);

  // The same, to `destination`:port from `source` (any port), both IPv4 literals in
  // 127.0.0.0/8 (anything else is refused: tests only talk to loopback). An empty
  // source lets the kernel choose. For tests of subnets and source-IP hashing.
  struct Addresses {
    std::string destination = "127.0.0.1";
    std::string source{};
  };
  static std::optional<TcpConnection> connectWith(const Addresses& addresses, uint16_t port,
                                                  milliseconds timeout,
                                                  std::string* error = nullptr);

  // A Unix domain socket instead ("/path" or "@abstract-name"): the reads, writes,
  // half-close and close of this class work the same on it.
  static std::optional<TcpConnection> connectUnix(const std::string& path, milliseconds timeout,
                                                  std::string* error = nullptr);

  // Takes ownership of a connected socket (made non-blocking here), e.g. from
  // TcpListener::accept.
  static TcpConnection adopt(int fd);

  TcpConnection(TcpConnection&& other) noexcept;
  TcpConnection& operator=(TcpConnection&& other) noexcept;
  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;
  ~TcpConnection();

  int fd() const { return fd_; }
  uint16_t localPort() const;

  // Writes all of `data` or fails (reset, error, deadline). MSG_NOSIGNAL: no SIGPIPE.
  IoStatus sendAll(std::string_view data, milliseconds timeout);
  IoStatus sendAll(std::string_view data, Clock::time_point deadline);

  // One send() of at most data.size() bytes once the socket is writable; `sent` is
  // what was accepted.
  IoStatus sendSome(std::string_view data, size_t& sent, Clock::time_point deadline);

  // One read of at most out.size() bytes (buffered bytes first); `got` is how many.
  IoStatus readSome(std::span<char> out, size_t& got, Clock::time_point deadline);

  // The next line without its '\n'. nullopt if EOF, reset, error or the deadline comes
  // first (then `status` says which); a partial line stays buffered.
  std::optional<std::string> readLine(milliseconds timeout, IoStatus* status = nullptr);

  // Everything until the peer closes (kEof), resets (kReset), `max_bytes` arrive
  // (kOk with data.size() == max_bytes) or the deadline passes (kTimeout).
  struct ReadResult {
    std::string data;
    IoStatus end = IoStatus::kOk;
    int error_number = 0;
    milliseconds elapsed{0};
  };
  ReadResult readUntilEof(milliseconds timeout, size_t max_bytes = 256 * 1024 * 1024);

  // shutdown(SHUT_WR): a FIN to the peer, reading stays possible.
  bool shutdownWrite();

  // Close with SO_LINGER 0, so the peer sees a reset.
  void resetAndClose();
  void close();

  // errno of the last failed call, 0 if none.
  int lastError() const { return last_error_; }

 private:
  explicit TcpConnection(int fd);
  IoStatus waitFor(short events, Clock::time_point deadline);

  int fd_ = -1;
  std::string buffered_;  // read but not yet handed out (after readLine)
  std::atomic<int> last_error_{0};  // written by the sender and the reader
};

// A listening socket on 127.0.0.1 (port 0 → ephemeral), for tests of the helpers.
class TcpListener {
 public:
  TcpListener();
  ~TcpListener();
  TcpListener(const TcpListener&) = delete;
  TcpListener& operator=(const TcpListener&) = delete;

  uint16_t port() const { return port_; }
  // The accepted socket's fd (owned by the caller), or -1 on timeout/error.
  int accept(milliseconds timeout);

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// Milliseconds left until `deadline` for poll(): 0 if passed, rounded up otherwise.
int pollTimeout(Clock::time_point deadline);

}  // namespace weir::test
