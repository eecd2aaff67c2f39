#include "proxy/control/service_notifier.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/unique_fd.h"

namespace weir::proxy {

ServiceNotifier::ServiceNotifier(std::string socket_path) : socket_path_(std::move(socket_path)) {}

ServiceNotifier ServiceNotifier::fromEnvironment() {
  const char* path = std::getenv("NOTIFY_SOCKET");
  return ServiceNotifier(path != nullptr ? path : "");
}

void ServiceNotifier::ready(std::string_view status) {
  send(fmt::format("READY=1\nSTATUS={}", status));
}

void ServiceNotifier::reloading() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const auto microseconds = static_cast<unsigned long long>(now.tv_sec) * 1'000'000ULL +
                            static_cast<unsigned long long>(now.tv_nsec) / 1'000ULL;
  send(fmt::format("RELOADING=1\nMONOTONIC_USEC={}\nSTATUS=reloading the configuration",
                   microseconds));
}

void ServiceNotifier::stopping() {
  if (stopping_sent_) {
    return;
  }
  stopping_sent_ = true;
  send("STOPPING=1\nSTATUS=stopping");
}

bool ServiceNotifier::send(std::string_view message) {
  if (!enabled()) {
    return false;
  }
  const auto fail = [this](const std::string& why) {
    if (!failure_logged_) {
      failure_logged_ = true;
      spdlog::warn("cannot notify the service manager at NOTIFY_SOCKET={}: {}", socket_path_, why);
    }
    return false;
  };
  // Only Unix sockets: a path, or '@' for Linux's abstract namespace (sd_notify's
  // other forms, such as vsock:, are for virtual machines).
  if (socket_path_[0] != '/' && socket_path_[0] != '@') {
    return fail("not a Unix socket path or @abstract name");
  }
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_path_.size() > sizeof(address.sun_path)) {
    return fail("path too long");
  }
  std::memcpy(address.sun_path, socket_path_.data(), socket_path_.size());
  socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path_.size());
  if (socket_path_[0] == '@') {
    address.sun_path[0] = '\0';  // abstract: the name is the bytes after the NUL, unterminated
  } else if (socket_path_.size() < sizeof(address.sun_path)) {
    ++length;  // a path is sent with its terminating NUL, as sd_notify does
  }
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) {
    return fail(std::strerror(errno));
  }
  // MSG_DONTWAIT: a full queue at the manager never stalls the control loop.
  if (::sendto(fd.get(), message.data(), message.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
               reinterpret_cast<const sockaddr*>(&address), length) < 0) {
    return fail(std::strerror(errno));
  }
  return true;
}

}  // namespace weir::proxy
