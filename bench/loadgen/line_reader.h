// Reads one connection's answer line under edge-triggered epoll: reads until a '\n'
// completes a line (then stops: in request/answer traffic nothing else is due) or until
// EAGAIN, and keeps the bytes. Bounded: a peer that never ends its line is an error.
//
// One reader per connection, used by the thread that owns the connection.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace weir::bench {

class LineReader {
 public:
  explicit LineReader(std::size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

  enum class Status {
    kLine,        // line() holds a complete line
    kNeedMore,    // no complete line yet; wait for the next readable edge
    kEndOfFile,   // the peer closed before a complete line
    kError,       // read failed; see error()
    kTooLong,     // more than max_line_bytes without a '\n'
  };

  Status readFrom(int fd);

  // The first complete line, without its '\n'. Valid after kLine until takeLine().
  std::string_view line() const { return std::string_view(buffer_).substr(0, line_end_); }
  // Drops the first line; bytes after it (there should be none) stay for the next.
  void takeLine();
  // Bytes kept after the first line, if any (a peer that answered more than asked).
  std::size_t extraBytes() const;
  void clear();

  int error() const { return error_; }

 private:
  bool findLine();

  std::size_t max_line_bytes_;
  std::string buffer_;
  std::size_t line_end_ = std::string::npos;
  int error_ = 0;
};

}  // namespace weir::bench
