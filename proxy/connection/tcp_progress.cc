#include "proxy/connection/tcp_progress.h"

// <linux/tcp.h> rather than <netinet/tcp.h>: glibc's tcp_info lacks the byte counts.
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

namespace weir::proxy {

std::optional<TcpProgress> readTcpProgress(int fd) {
  tcp_info info{};
  socklen_t length = sizeof info;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0 ||
      length < offsetof(tcp_info, tcpi_bytes_acked) + sizeof info.tcpi_bytes_acked) {
    return std::nullopt;
  }
  int queued = 0;
  if (ioctl(fd, SIOCOUTQ, &queued) != 0) return std::nullopt;
  return TcpProgress{.written = info.tcpi_bytes_acked + static_cast<uint64_t>(queued),
                     .received = info.tcpi_bytes_received,
                     .since_received = std::chrono::milliseconds(info.tcpi_last_data_recv)};
}

}  // namespace weir::proxy
