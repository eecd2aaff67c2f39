#include "echo_client.h"

#include <charconv>
#include <sstream>
#include <vector>

#include "test_paths.h"

namespace weir::test {
namespace {

std::optional<size_t> parseCount(std::string_view digits) {
  size_t value = 0;
  auto [stop, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || error != std::errc() || stop != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return value;
}

std::vector<std::string_view> splitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t newline = text.find('\n');
    lines.push_back(text.substr(0, newline));
    if (newline == std::string_view::npos) break;
    text.remove_prefix(newline + 1);
  }
  return lines;
}

bool fail(std::string* error, const std::string& why) {
  if (error != nullptr) *error = why;
  return false;
}

}  // namespace

size_t ClientTally::count(const std::string& word) const {
  auto found = answers.find(word);
  return found == answers.end() ? 0 : found->second;
}

size_t ClientTally::totalAnswers() const {
  size_t total = 0;
  for (const auto& [word, n] : answers) total += n;
  return total;
}

std::string ClientTally::describe() const {
  std::ostringstream text;
  for (const auto& [word, n] : answers) text << word << "=" << n << " ";
  text << "errors=" << errors;
  for (const auto& [kind, n] : error_kinds) text << " [" << kind << ": " << n << "]";
  return text.str();
}

std::optional<ClientTally> parseClientTally(std::string_view text, std::string* error) {
  ClientTally tally;
  bool seen_errors = false;
  size_t kinds_total = 0;
  for (std::string_view line : splitLines(text)) {
    if (line.empty()) continue;
    if (seen_errors) {
      // "  KIND WORDS COUNT": the count is the last word.
      if (!line.starts_with("  ")) {
        fail(error, "unexpected line after 'errors': '" + std::string(line) + "'");
        return std::nullopt;
      }
      std::string_view body = line.substr(line.find_first_not_of(' '));
      size_t space = body.rfind(' ');
      std::optional<size_t> n =
          space == std::string_view::npos ? std::nullopt : parseCount(body.substr(space + 1));
      if (!n) {
        fail(error, "bad error-kind line: '" + std::string(line) + "'");
        return std::nullopt;
      }
      tally.error_kinds[std::string(body.substr(0, space))] += *n;
      kinds_total += *n;
      continue;
    }
    if (line.starts_with("errors ")) {
      std::optional<size_t> n = parseCount(line.substr(7));
      if (!n) {
        fail(error, "bad errors line: '" + std::string(line) + "'");
        return std::nullopt;
      }
      tally.errors = *n;
      seen_errors = true;
      continue;
    }
    // "WORD COUNT (P%)"
    size_t first_space = line.find(' ');
    size_t second_space =
        first_space == std::string_view::npos ? first_space : line.find(' ', first_space + 1);
    std::optional<size_t> n =
        second_space == std::string_view::npos
            ? std::nullopt
            : parseCount(line.substr(first_space + 1, second_space - first_space - 1));
    if (!n || !line.substr(second_space + 1).starts_with("(") || !line.ends_with("%)")) {
      fail(error, "bad answer line: '" + std::string(line) + "'");
      return std::nullopt;
    }
    tally.answers[std::string(line.substr(0, first_space))] += *n;
  }
  if (!seen_errors) {
    fail(error, "no 'errors K' line");
    return std::nullopt;
  }
  if (!tally.error_kinds.empty() && kinds_total != tally.errors) {
    fail(error, "error kinds add up to " + std::to_string(kinds_total) + ", not " +
                    std::to_string(tally.errors));
    return std::nullopt;
  }
  return tally;
}

std::string EchoClientRun::describe() const {
  std::ostringstream text;
  text << "tcp-echo-client " << process.status << (process.timed_out ? " (timed out)" : "")
       << "; ";
  if (tally) {
    text << tally->describe();
  } else {
    text << "unparsable report (" << parse_error << ")";
  }
  text << "\nstdout:\n" << process.stdout_text << "stderr:\n" << process.stderr_text;
  return text.str();
}

EchoClientRun runEchoClient(const TempDir& dir, uint16_t port, const EchoClientOptions& options) {
  return runEchoClient(dir, "127.0.0.1:" + std::to_string(port), options);
}

EchoClientRun runEchoClient(const TempDir& dir, const std::string& target,
                            const EchoClientOptions& options) {
  std::vector<std::string> argv = {kEchoClientBinary,
                                   target,
                                   "-n",
                                   std::to_string(options.connections),
                                   "-c",
                                   std::to_string(options.concurrency),
                                   "--message",
                                   options.message,
                                   "--timeout-ms",
                                   std::to_string(options.per_connection.count())};
  EchoClientRun run;
  run.process = runToCompletion(ChildSpec{argv, dir.path() / "logs", "echo-client", std::nullopt},
                                options.run_timeout);
  run.tally = parseClientTally(run.process.stdout_text, &run.parse_error);
  return run;
}

}  // namespace weir::test
