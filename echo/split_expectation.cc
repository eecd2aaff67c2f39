#include "echo/split_expectation.h"

#include <fmt/format.h>

#include <set>

#include "common/usage_error.h"
#include "echo/answer_tally.h"
#include "echo/cli_values.h"

namespace weir::echo {
namespace {

constexpr std::string_view kWhitespace = " \t\r\n\v\f";

std::string describeInterval(const WordVerdict& word, double word_confidence) {
  return fmt::format("{} interval [{}, {}]",
                     word.exact ? std::string("exact") : formatConfidence(word_confidence),
                     word.interval.low, word.interval.high);
}

}  // namespace

std::uint64_t SplitExpectation::totalWeight() const {
  std::uint64_t total = 0;
  for (const ExpectedWord& expected : words) {
    total += expected.weight;
  }
  return total;
}

SplitExpectation parseSplitExpectation(std::string_view text) {
  SplitExpectation expectation;
  std::set<std::string_view> seen;
  std::size_t start = 0;
  while (true) {
    std::size_t comma = text.find(',', start);
    std::string_view entry = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (entry.empty()) {
      throw cli::UsageError(fmt::format("--expect '{}': empty entry", text));
    }
    std::size_t equals = entry.find('=');
    if (equals == std::string_view::npos) {
      throw cli::UsageError(
          fmt::format("--expect '{}': expected WORD=WEIGHT, got '{}'", text, entry));
    }
    std::string_view word = entry.substr(0, equals);
    if (word.empty()) {
      throw cli::UsageError(fmt::format("--expect '{}': empty word in '{}'", text, entry));
    }
    if (word.find_first_of(kWhitespace) != std::string_view::npos) {
      throw cli::UsageError(fmt::format(
          "--expect '{}': word '{}' holds whitespace; answers are counted by their first word",
          text, word));
    }
    std::uint64_t weight = parseUnsigned(entry.substr(equals + 1),
                                         fmt::format("--expect weight of '{}'", word), 0,
                                         SplitExpectation::kMaxWeight);
    if (!seen.insert(word).second) {
      throw cli::UsageError(fmt::format("--expect '{}': word '{}' listed twice", text, word));
    }
    expectation.words.push_back(ExpectedWord{std::string(word), weight});
    if (comma == std::string_view::npos) {
      break;
    }
    start = comma + 1;
  }
  if (expectation.totalWeight() == 0) {
    throw cli::UsageError(
        fmt::format("--expect '{}': every weight is 0; at least one must be positive", text));
  }
  return expectation;
}

SplitVerdict checkSplit(const SplitExpectation& expectation,
                        const std::map<std::string, std::size_t>& answers_by_word,
                        double confidence) {
  SplitVerdict verdict;
  verdict.confidence = confidence;
  verdict.total_weight = expectation.totalWeight();
  for (const auto& [word, count] : answers_by_word) {
    verdict.answers += count;
  }
  for (const ExpectedWord& expected : expectation.words) {
    if (expected.weight > 0 && expected.weight < verdict.total_weight) {
      ++verdict.corrected_words;
    }
  }
  verdict.word_confidence = bonferroniConfidence(confidence, verdict.corrected_words);

  auto observed = [&](const std::string& word) -> std::size_t {
    auto found = answers_by_word.find(word);
    return found == answers_by_word.end() ? 0 : found->second;
  };
  std::set<std::string_view> listed;
  verdict.ok = true;
  for (const ExpectedWord& expected : expectation.words) {
    listed.insert(expected.word);
    double share =
        static_cast<double>(expected.weight) / static_cast<double>(verdict.total_weight);
    CountInterval interval = binomialInterval(verdict.answers, share, verdict.word_confidence);
    std::size_t count = observed(expected.word);
    WordVerdict word{.word = expected.word,
                     .listed = true,
                     .weight = expected.weight,
                     .observed = count,
                     .exact = expected.weight == 0 || expected.weight == verdict.total_weight,
                     .interval = interval,
                     .ok = interval.contains(count)};
    verdict.ok = verdict.ok && word.ok;
    verdict.words.push_back(std::move(word));
  }
  for (const NameCount& entry : sortByCountThenName(answers_by_word)) {
    if (entry.count == 0 || listed.contains(entry.name)) {
      continue;
    }
    verdict.words.push_back(WordVerdict{.word = entry.name,
                                        .listed = false,
                                        .weight = 0,
                                        .observed = entry.count,
                                        .exact = true,
                                        .interval = {0, 0},
                                        .ok = false});
    verdict.ok = false;
  }
  return verdict;
}

std::string formatSplitVerdict(const SplitVerdict& verdict) {
  std::string text;
  if (verdict.corrected_words > 1) {
    text += fmt::format("expect: Bonferroni correction for {} words: {} per word for {} overall\n",
                        verdict.corrected_words, formatConfidence(verdict.word_confidence),
                        formatConfidence(verdict.confidence));
  }
  for (const WordVerdict& word : verdict.words) {
    std::string head =
        word.listed ? fmt::format("expect {} {}", word.word,
                                  formatPercent(word.weight, verdict.total_weight))
                    : fmt::format("unexpected {}", word.word);
    text += fmt::format("{}: observed {} of {} ({}), {} {}\n", head, word.observed,
                        verdict.answers, formatPercent(word.observed, verdict.answers),
                        describeInterval(word, verdict.word_confidence),
                        word.ok ? "ok" : "OUTSIDE");
  }
  text += verdict.ok ? "split ok\n" : "split outside the expected interval\n";
  return text;
}

}  // namespace weir::echo
