// Walks a command line for weir, tcp-echo-server, tcp-echo-client and weir-loadgen:
// options ("-n 5", "--timeout-ms=500", "--print") and positional arguments may come in
// any order. What an option means, and its value's form, is the program's.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace weir::cli {

// How a program reads its command line and words the reader's errors. The two
// messages have one "{}" for the option's name (issue 17 gives all programs one style).
struct OptionStyle {
  std::string_view missing_value;     // e.g. "{}: missing value"
  std::string_view unexpected_value;  // e.g. "{}: takes no value"
  // "--" ends the options, every argument after it is positional (POSIX); otherwise
  // "--" is read as an option, which no program knows.
  bool double_dash_ends_options = true;
};

class OptionReader {
 public:
  // `args` excludes the program name and must outlive the reader.
  OptionReader(std::span<const std::string_view> args, const OptionStyle& style)
      : args_(args), style_(style) {}

  // Moves to the next argument; false when there is none.
  bool next();

  // Whether the current argument is an option: it starts with '-', is not "-" itself,
  // and comes before any "--" that ends the options.
  bool isOption() const { return is_option_; }

  // The option's name with its dashes ("--listen"), without any "=value"; for a
  // positional argument, the argument.
  std::string_view name() const { return name_; }

  // The current argument as given, "=value" included.
  std::string_view argument() const { return args_[index_]; }

  // Whether the option came with "=value" (only "--name=value" does; "-n=5" is a name).
  bool hasInlineValue() const { return has_inline_value_; }

  // The option's value: the part after '=' or else the next argument, whatever it
  // looks like. Throws UsageError (style.missing_value) if there is none.
  std::string_view value();

  // Throws UsageError (style.unexpected_value) if the option, a switch, was given a
  // value with '='.
  void expectNoValue() const;

 private:
  std::span<const std::string_view> args_;
  OptionStyle style_;
  std::size_t index_ = 0;
  bool started_ = false;
  bool options_ended_ = false;
  bool is_option_ = false;
  bool has_inline_value_ = false;
  std::string_view name_;
  std::string_view inline_value_;
};

}  // namespace weir::cli
