#include "bench/loadgen/stop_signals.h"

#include <sys/prctl.h>
#include <sys/signalfd.h>

#include <cerrno>
#include <csignal>
#include <system_error>

namespace weir::bench {

UniqueFd takeStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  if (pthread_sigmask(SIG_BLOCK, &signals, nullptr) != 0) {
    throw std::system_error(errno, std::generic_category(), "pthread_sigmask");
  }
  UniqueFd fd(::signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!fd) {
    throw std::system_error(errno, std::generic_category(), "signalfd");
  }
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  return fd;
}

}  // namespace weir::bench
