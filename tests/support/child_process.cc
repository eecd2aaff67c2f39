#include "child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/unique_fd.h"
#include "temp_dir.h"

namespace weir::test {
namespace {

using Clock = std::chrono::steady_clock;

int openOrThrow(const std::filesystem::path& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw std::runtime_error("open(" + path.string() + "): " + std::strerror(errno));
  }
  return fd;
}

// log_dir/name.stdout unless taken, else log_dir/name-2.stdout, ...
std::string uniqueLogStem(const std::filesystem::path& dir, const std::string& name) {
  for (int attempt = 1; attempt < 10000; ++attempt) {
    std::string stem = attempt == 1 ? name : name + "-" + std::to_string(attempt);
    if (!std::filesystem::exists(dir / (stem + ".stdout"))) return stem;
  }
  throw std::runtime_error("no free log name for " + name);
}

// Only async-signal-safe calls between fork and exec: the test process has threads.
[[noreturn]] void execChild(char* const* argv, const char* working_dir, int stdin_fd,
                            int stdout_fd, int stderr_fd, int error_pipe, pid_t parent) {
  auto fail = [error_pipe](int error_number) {
    ssize_t ignored = ::write(error_pipe, &error_number, sizeof error_number);
    (void)ignored;
    ::_exit(127);
  };
  ::setpgid(0, 0);
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail(errno);
  if (::getppid() != parent) ::_exit(126);  // the test died before prctl took effect

  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int signo : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD}) {
    ::sigaction(signo, &default_action, nullptr);
  }
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);

  if (::dup2(stdin_fd, 0) < 0 || ::dup2(stdout_fd, 1) < 0 || ::dup2(stderr_fd, 2) < 0) {
    fail(errno);
  }
  // Sockets the test holds must not leak into the child: a leaked copy would keep a
  // connection open after the test closes it. The error pipe is already close-on-exec.
  if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
    struct rlimit limit {};
    rlim_t highest = (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
                         ? limit.rlim_cur
                         : 65536;
    for (rlim_t fd = 3; fd < highest; ++fd) {
      ::fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC);
    }
  }
  if (working_dir != nullptr && ::chdir(working_dir) != 0) fail(errno);
  ::execv(argv[0], argv);
  fail(errno);
  ::_exit(127);
}

}  // namespace

ExitStatus ExitStatus::fromWaitStatus(int wait_status) {
  ExitStatus status;
  if (WIFEXITED(wait_status)) {
    status.exited = true;
    status.code = WEXITSTATUS(wait_status);
  } else if (WIFSIGNALED(wait_status)) {
    status.signal = WTERMSIG(wait_status);
  }
  return status;
}

std::string ExitStatus::describe() const {
  if (exited) return "exit " + std::to_string(code);
  return "killed by signal " + std::to_string(signal) + " (" + ::strsignal(signal) + ")";
}

std::ostream& operator<<(std::ostream& out, const ExitStatus& status) {
  return out << status.describe();
}

ChildProcess::ChildProcess(const ChildSpec& spec) : argv_(spec.argv) {
  if (argv_.empty()) throw std::runtime_error("ChildProcess: empty argv");
  std::filesystem::create_directories(spec.log_dir);
  std::string stem = uniqueLogStem(spec.log_dir, spec.name);
  stdout_path_ = spec.log_dir / (stem + ".stdout");
  stderr_path_ = spec.log_dir / (stem + ".stderr");

  UniqueFd stdin_fd(openOrThrow("/dev/null", O_RDONLY));
  UniqueFd stdout_fd(openOrThrow(stdout_path_, O_WRONLY | O_CREAT | O_TRUNC));
  UniqueFd stderr_fd(openOrThrow(stderr_path_, O_WRONLY | O_CREAT | O_TRUNC));
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  }
  UniqueFd error_read(pipe_fds[0]);
  UniqueFd error_write(pipe_fds[1]);

  // Everything the child needs is prepared before fork: no allocation after it.
  std::vector<char*> raw_argv;
  for (std::string& argument : argv_) raw_argv.push_back(argument.data());
  raw_argv.push_back(nullptr);
  std::string working_dir = spec.working_dir ? spec.working_dir->string() : std::string();
  const char* working_dir_ptr = spec.working_dir ? working_dir.c_str() : nullptr;
  pid_t parent = ::getpid();

  pid_t pid = ::fork();
  if (pid < 0) {
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    execChild(raw_argv.data(), working_dir_ptr, stdin_fd.get(), stdout_fd.get(), stderr_fd.get(),
              error_write.get(), parent);
  }
  pid_ = pid;
  // Also set the group from the parent, so that killGroup works even before the
  // child has run setpgid itself.
  ::setpgid(pid_, pid_);
  error_write.reset();
  int child_errno = 0;
  ssize_t got;
  do {
    got = ::read(error_read.get(), &child_errno, sizeof child_errno);
  } while (got < 0 && errno == EINTR);
  if (got > 0) {
    waitForExit(std::chrono::milliseconds(5000));
    std::string message = "cannot start " + commandLine() + ": " + std::strerror(child_errno);
    throw std::runtime_error(message);
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    stop();
  }
}

bool ChildProcess::signal(int signo) {
  if (pid_ <= 0 || status_) return false;
  return ::kill(pid_, signo) == 0;
}

std::optional<ExitStatus> ChildProcess::waitForExit(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  if (pid_ <= 0) return std::nullopt;
  const Clock::time_point deadline = Clock::now() + timeout;
  auto pause = std::chrono::microseconds(500);
  while (true) {
    // WNOWAIT: see the exit but keep the zombie, which keeps the pid and the group id
    // reserved while the group is cleaned up below.
    siginfo_t info{};
    int result = ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT);
    if (result == 0 && info.si_pid == pid_) {
      killGroup(SIGKILL);  // anything the program left behind in its group
      int wait_status = 0;
      pid_t reaped;
      do {
        reaped = ::waitpid(pid_, &wait_status, 0);
      } while (reaped < 0 && errno == EINTR);
      status_ = reaped == pid_ ? ExitStatus::fromWaitStatus(wait_status) : ExitStatus{};
      return status_;
    }
    if (result < 0 && errno != EINTR) {
      // Not our child any more (cannot happen unless someone else reaped it).
      status_ = ExitStatus{};
      return status_;
    }
    Clock::time_point now = Clock::now();
    if (now >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::min<Clock::duration>(pause, deadline - now));
    pause = std::min<std::chrono::microseconds>(pause * 2, std::chrono::milliseconds(10));
  }
}

bool ChildProcess::running() { return !waitForExit(std::chrono::milliseconds(0)).has_value(); }

void ChildProcess::killGroup(int signo) {
  // Only called while the child is unreaped: its pid, and so its group id, cannot
  // belong to anyone else. Also reaches any grandchild the program started.
  if (pid_ > 0 && !status_) ::kill(-pid_, signo);
}

ExitStatus ChildProcess::stop(std::chrono::milliseconds grace) {
  if (!status_) {
    killGroup(SIGTERM);
    if (!waitForExit(grace)) {
      killGroup(SIGKILL);
      // SIGKILL cannot be caught; the bound only guards against a stuck kernel.
      waitForExit(std::chrono::milliseconds(10000));
    }
  }
  return status_.value_or(ExitStatus{});
}

std::string ChildProcess::stdoutText() const { return readTextFile(stdout_path_); }
std::string ChildProcess::stderrText() const { return readTextFile(stderr_path_); }

std::string ChildProcess::commandLine() const {
  std::ostringstream line;
  for (size_t i = 0; i < argv_.size(); ++i) {
    line << (i == 0 ? "" : " ") << argv_[i];
  }
  return line.str();
}

ProcessResult runToCompletion(const ChildSpec& spec, std::chrono::milliseconds timeout) {
  ChildProcess child(spec);
  ProcessResult result;
  std::optional<ExitStatus> status = child.waitForExit(timeout);
  if (!status) {
    result.timed_out = true;
    status = child.stop();
  }
  result.status = *status;
  result.stdout_text = child.stdoutText();
  result.stderr_text = child.stderrText();
  return result;
}

}  // namespace weir::test
