#include "common/option_reader.h"

#include <fmt/format.h>

#include "common/usage_error.h"

namespace weir::cli {

bool OptionReader::next() {
  while (true) {
    if (started_) {
      ++index_;
    }
    started_ = true;
    if (index_ >= args_.size()) {
      return false;
    }
    std::string_view arg = args_[index_];
    if (!options_ended_ && style_.double_dash_ends_options && arg == "--") {
      options_ended_ = true;
      continue;
    }
    is_option_ = !options_ended_ && arg.size() > 1 && arg.front() == '-';
    has_inline_value_ = false;
    name_ = arg;
    inline_value_ = {};
    if (is_option_) {
      std::size_t equals = arg.find('=');
      if (arg.starts_with("--") && equals != std::string_view::npos) {
        name_ = arg.substr(0, equals);
        inline_value_ = arg.substr(equals + 1);
        has_inline_value_ = true;
      }
    }
    return true;
  }
}

std::string_view OptionReader::value() {
  if (has_inline_value_) {
    return inline_value_;
  }
  if (index_ + 1 >= args_.size()) {
    throw UsageError(fmt::format(fmt::runtime(style_.missing_value), name_));
  }
  ++index_;
  return args_[index_];
}

void OptionReader::expectNoValue() const {
  if (has_inline_value_) {
    throw UsageError(fmt::format(fmt::runtime(style_.unexpected_value), name_));
  }
}

}  // namespace weir::cli
