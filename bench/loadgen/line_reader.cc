#include "bench/loadgen/line_reader.h"

#include <unistd.h>

#include <cerrno>

namespace weir::bench {

bool LineReader::findLine() {
  if (line_end_ == std::string::npos) {
    line_end_ = buffer_.find('\n');
  }
  return line_end_ != std::string::npos;
}

LineReader::Status LineReader::readFrom(int fd) {
  if (findLine()) {
    return Status::kLine;
  }
  char chunk[4096];
  for (;;) {
    const ssize_t got = ::read(fd, chunk, sizeof chunk);
    if (got > 0) {
      const std::size_t searched = buffer_.size();
      buffer_.append(chunk, static_cast<std::size_t>(got));
      if (const auto newline = buffer_.find('\n', searched); newline != std::string::npos) {
        line_end_ = newline;
        return Status::kLine;
      }
      if (buffer_.size() > max_line_bytes_) {
        return Status::kTooLong;
      }
      continue;  // edge-triggered: read on until EAGAIN, or an end of file would be missed
    }
    if (got == 0) {
      return Status::kEndOfFile;
    }
    if (errno == EINTR) {
      continue;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return Status::kNeedMore;
    }
    error_ = errno;
    return Status::kError;
  }
}

void LineReader::takeLine() {
  if (line_end_ == std::string::npos) {
    return;
  }
  buffer_.erase(0, line_end_ + 1);
  line_end_ = std::string::npos;
}

std::size_t LineReader::extraBytes() const {
  return line_end_ == std::string::npos ? buffer_.size() : buffer_.size() - line_end_ - 1;
}

void LineReader::clear() {
  buffer_.clear();
  line_end_ = std::string::npos;
  error_ = 0;
}

}  // namespace weir::bench
