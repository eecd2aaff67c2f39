// What the kernel knows about a TCP socket's traffic (tcp_info), for connections
// whose bytes weir does not see: the sockmap path.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace weir::proxy {

struct TcpProgress {
  // Bytes the socket has taken for sending since it was opened: acknowledged
  // (tcpi_bytes_acked, which counts a SYN sent) plus still queued (SIOCOUTQ).
  uint64_t written = 0;
  // Bytes that arrived in order (tcpi_bytes_received), a FIN counting one.
  uint64_t received = 0;
  // Since the last byte arrived (tcpi_last_data_recv).
  std::chrono::milliseconds since_received{0};
};

// nullopt when the socket is not TCP or the kernel does not say.
std::optional<TcpProgress> readTcpProgress(int fd);

}  // namespace weir::proxy
