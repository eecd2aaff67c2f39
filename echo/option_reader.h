// Walks a command line for the echo tools: options ("-n 5", "--timeout-ms=500",
// "--print") and positional arguments may come in any order; "--" ends the options.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace weir::echo {

class OptionReader {
 public:
  // `args` excludes the program name and must outlive the reader.
  explicit OptionReader(std::span<const std::string_view> args) : args_(args) {}

  // Moves to the next argument; false when there is none.
  bool next();

  // Whether the current argument is an option (starts with '-', is not "-" itself, and
  // comes before any "--").
  bool isOption() const { return is_option_; }

  // The option's name with its dashes ("--listen"), without any "=value".
  std::string_view name() const { return name_; }

  // The current argument, for a positional one.
  std::string_view argument() const { return args_[index_]; }

  // The option's value: the part after '=' or else the next argument.
  // Throws UsageError if there is none.
  std::string_view value();

  // Throws UsageError if the option, a flag, was given a value with '='.
  void expectNoValue() const;

 private:
  std::span<const std::string_view> args_;
  std::size_t index_ = 0;
  bool started_ = false;
  bool options_ended_ = false;
  bool is_option_ = false;
  bool has_inline_value_ = false;
  std::string_view name_;
  std::string_view inline_value_;
};

}  // namespace weir::echo
