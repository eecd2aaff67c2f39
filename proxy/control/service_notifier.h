// Tells a service manager how the weir process is doing: systemd's Type=notify
// protocol (sd_notify(3)), one datagram per state change to the Unix socket that
// NOTIFY_SOCKET names. The protocol is a single sendto(), so no libsystemd.
//
// Threading: call from one thread (the proxy's control loop). Never throws: a
// message that cannot be sent is logged once and the proxy carries on, as a
// service manager that stopped listening must not stop the proxy.
#pragma once

#include <string>
#include <string_view>

namespace weir::proxy {

class ServiceNotifier {
 public:
  // Disabled: every call does nothing (no NOTIFY_SOCKET, or an embedded proxy,
  // whose host program speaks for its own process).
  ServiceNotifier() = default;
  // Sends to `socket_path`: a file system path ("/run/systemd/notify") or an
  // abstract name written with a leading '@'. Empty: disabled.
  explicit ServiceNotifier(std::string socket_path);
  // From the environment variable NOTIFY_SOCKET; disabled if it is unset or empty.
  static ServiceNotifier fromEnvironment();

  bool enabled() const { return !socket_path_.empty(); }

  // READY=1: the listeners accept (at start, and again after a reload).
  void ready(std::string_view status);
  // RELOADING=1 with MONOTONIC_USEC, as Type=notify-reload expects; READY=1 ends it.
  void reloading();
  // STOPPING=1, once: a drain or a stop has begun.
  void stopping();

  // Sends `message` ("KEY=value" lines) as one datagram. False if it was not sent.
  bool send(std::string_view message);

 private:
  std::string socket_path_;
  bool stopping_sent_ = false;
  bool failure_logged_ = false;
};

}  // namespace weir::proxy
