// Starting the binaries under test as real processes, and never leaving one behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace weir::test {

// How a child ended: exited with a code, or killed by a signal.
struct ExitStatus {
  bool exited = false;  // true: `code` is meaningful; false: killed by `signal`
  int code = -1;
  int signal = 0;

  static ExitStatus fromWaitStatus(int wait_status);
  bool exitedWith(int expected_code) const { return exited && code == expected_code; }
  std::string describe() const;  // "exit 0", "killed by signal 9 (Killed)"
};
std::ostream& operator<<(std::ostream& out, const ExitStatus& status);

struct ChildSpec {
  std::vector<std::string> argv;       // argv[0] is the program path (no PATH search)
  std::filesystem::path log_dir;       // where NAME.stdout and NAME.stderr are written
  std::string name;                    // file stem of the logs; made unique in log_dir
  std::optional<std::filesystem::path> working_dir;  // chdir before exec if set
};

// One child process, started by fork/exec in the constructor. stdin is /dev/null,
// stdout and stderr go to files in spec.log_dir. The child is the leader of its own
// process group, gets SIGKILL if the thread that started it dies (PR_SET_PDEATHSIG),
// and inherits no descriptor of the test process besides 0, 1 and 2.
//
// The destructor stops the child if it still runs (SIGTERM to its process group,
// SIGKILL after 2 s) and reaps it, so a failed assertion never leaves a process behind.
// Not thread-safe: use one object from one thread, the one that started it.
class ChildProcess {
 public:
  // Throws std::runtime_error if the program cannot be executed.
  explicit ChildProcess(const ChildSpec& spec);
  ~ChildProcess();

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // kill(pid, signo) if the child has not been reaped yet. False if it has, or on error.
  bool signal(int signo);

  // Waits up to `timeout` for the child to exit; nullopt if it still runs then.
  // Once it has exited, returns the same status on every call.
  std::optional<ExitStatus> waitForExit(std::chrono::milliseconds timeout);

  // Non-blocking: true while the child has not exited.
  bool running();

  // SIGTERM, wait up to `grace`, then SIGKILL to the whole group; reaps. Returns how
  // the child ended (a child that had already exited keeps its status).
  ExitStatus stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

  const std::filesystem::path& stdoutPath() const { return stdout_path_; }
  const std::filesystem::path& stderrPath() const { return stderr_path_; }
  std::string stdoutText() const;
  std::string stderrText() const;

  // "program arg arg ..." for messages.
  std::string commandLine() const;

 private:
  void killGroup(int signo);

  pid_t pid_ = -1;
  std::optional<ExitStatus> status_;
  std::vector<std::string> argv_;
  std::filesystem::path stdout_path_;
  std::filesystem::path stderr_path_;
};

// Runs a program to completion: starts it, waits up to `timeout`, stops it if it is
// still running then (timed_out is set, status is how it was stopped).
struct ProcessResult {
  ExitStatus status;
  bool timed_out = false;
  std::string stdout_text;
  std::string stderr_text;
};
ProcessResult runToCompletion(const ChildSpec& spec, std::chrono::milliseconds timeout);

}  // namespace weir::test
