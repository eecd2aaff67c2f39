// What `tcp-echo-client --expect one=80,two=20 [--tolerance 99.9%]` expects of the answers'
// first words, and whether a tally meets it. Pure; no sockets.
//
// Weights are relative, as in Istio: one=80,two=20 and one=4,two=1 mean the same. A word
// with weight w > 0 and share p = w / sum must get a count within binomialInterval(n, p, ·)
// of the n answers; a word with weight 0, and any answer word not listed, must get none.
// With m > 1 words of 0 < p < 1, each interval is at bonferroniConfidence(confidence, m)
// so that all m hold together at `confidence`.
//
// Report format (stdout, after AnswerTally's report); the first line only when m > 1:
//   expect: Bonferroni correction for 2 words: 99.95% per word for 99.9% overall
//   expect one 80.0%: observed 801 of 1000 (80.1%), 99.95% interval [756, 844] ok
//   expect two 20.0%: observed 196 of 1000 (19.6%), 99.95% interval [156, 244] ok
//   expect three 0.0%: observed 0 of 1000 (0.0%), exact interval [0, 0] ok
//   unexpected four: observed 3 of 1000 (0.3%), exact interval [0, 0] OUTSIDE
//   split outside the expected interval        (or "split ok")
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "weir/binomial_interval.h"

namespace weir::echo {

struct ExpectedWord {
  std::string word;
  std::uint64_t weight = 0;

  bool operator==(const ExpectedWord&) const = default;
};

struct SplitExpectation {
  static constexpr std::uint64_t kMaxWeight = 1'000'000'000;

  // In the order given; no word twice; at least one weight > 0.
  std::vector<ExpectedWord> words;

  std::uint64_t totalWeight() const;
};

// "one=80,two=20". Throws UsageError, naming the text, for an empty entry, an entry
// without '=', an empty word or one with whitespace in it (it could never be a first
// word), a weight that is not a whole number in [0, kMaxWeight], a word listed twice, or
// weights that are all 0.
SplitExpectation parseSplitExpectation(std::string_view text);

struct WordVerdict {
  std::string word;
  bool listed = true;        // false: an answer word that --expect does not name
  std::uint64_t weight = 0;  // 0 when not listed
  std::size_t observed = 0;
  bool exact = false;  // share 0 or 1, or not listed: the interval involves no confidence
  CountInterval interval;
  bool ok = false;

  bool operator==(const WordVerdict&) const = default;
};

struct SplitVerdict {
  double confidence = 0;          // overall, as asked for
  double word_confidence = 0;     // of each inexact interval, after Bonferroni
  std::size_t corrected_words = 0;  // m: listed words with 0 < share < 1
  std::uint64_t total_weight = 0;
  std::size_t answers = 0;  // n
  // The listed words in the order given, then the unlisted ones that got answers, most
  // answers first.
  std::vector<WordVerdict> words;
  bool ok = false;  // every word ok
};

// `answers_by_word` is AnswerTally::answersByWord(); n is the sum of its counts.
// `confidence` is in (0, 1).
SplitVerdict checkSplit(const SplitExpectation& expectation,
                        const std::map<std::string, std::size_t>& answers_by_word,
                        double confidence);

// The report of the header comment, every line ending in '\n'.
std::string formatSplitVerdict(const SplitVerdict& verdict);

}  // namespace weir::echo
