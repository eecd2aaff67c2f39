// tcp-echo-client runs and the tally it prints.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "child_process.h"
#include "temp_dir.h"

namespace weir::test {

// The client's report:
//   one 801 (80.1%)
//   two 199 (19.9%)
//   errors 2
//     connect refused 2
struct ClientTally {
  std::map<std::string, size_t> answers;      // first word of the answer → count
  size_t errors = 0;                          // the `errors K` line
  std::map<std::string, size_t> error_kinds;  // indented lines after it

  size_t count(const std::string& word) const;
  size_t totalAnswers() const;
  std::string describe() const;  // one line, for failure messages
};

// nullopt (and `error`, if given, says why) unless `text` is a complete report: answer
// lines `WORD COUNT (P%)`, then `errors K`, then `  KIND COUNT` lines adding up to K.
std::optional<ClientTally> parseClientTally(std::string_view text, std::string* error = nullptr);

struct EchoClientRun {
  ProcessResult process;
  std::optional<ClientTally> tally;  // nullopt if stdout was not a report
  std::string parse_error;
  std::string describe() const;
};

struct EchoClientOptions {
  size_t connections = 1;                       // -n
  size_t concurrency = 1;                       // -c
  std::string message = "hello";                // --message
  std::chrono::milliseconds per_connection{5000};  // --timeout-ms
  std::chrono::milliseconds run_timeout{120000};   // the whole run; then it is killed
};

// Runs tcp-echo-client against 127.0.0.1:port and parses its report.
EchoClientRun runEchoClient(const TempDir& dir, uint16_t port, const EchoClientOptions& options);
// The same against a target as tcp-echo-client takes it: "127.0.0.1:9000" or
// "unix:/path" (a Unix domain socket).
EchoClientRun runEchoClient(const TempDir& dir, const std::string& target,
                            const EchoClientOptions& options);

}  // namespace weir::test
