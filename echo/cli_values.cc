#include "echo/cli_values.h"

#include <fmt/format.h>

#include <charconv>
#include <set>

#include "common/usage_error.h"
#include "common/whole_number.h"

namespace weir::echo {

std::uint64_t parseUnsigned(std::string_view text, std::string_view what, std::uint64_t min,
                            std::uint64_t max) {
  const cli::WholeNumber number = cli::readWholeNumber(text);
  if (number.problem == cli::WholeNumber::Problem::kNotANumber) {
    throw cli::UsageError(fmt::format("{}: expected a number, got '{}'", what, text));
  }
  if (number.problem == cli::WholeNumber::Problem::kTooLarge || number.value < min ||
      number.value > max) {
    throw cli::UsageError(
        fmt::format("{}: must be between {} and {}, got {}", what, min, max, text));
  }
  return number.value;
}

double parseConfidence(std::string_view text, std::string_view what) {
  bool percent = text.ends_with('%');
  std::string_view number = percent ? text.substr(0, text.size() - 1) : text;
  // from_chars would also take "1e-3", "inf" and "nan"; only plain decimals are meant.
  std::size_t dot = number.find('.');
  bool one_dot_at_most =
      dot == std::string_view::npos || number.find('.', dot + 1) == std::string_view::npos;
  bool plain = number.find_first_not_of("0123456789.") == std::string_view::npos &&
               one_dot_at_most && number.find_first_of("0123456789") != std::string_view::npos;
  double value = 0.0;
  if (plain) {
    auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    plain = ec == std::errc() && ptr == number.data() + number.size();
  }
  if (!plain) {
    throw cli::UsageError(
        fmt::format("{}: expected a confidence like 99.9% or 0.999, got '{}'", what, text));
  }
  if (percent) {
    if (!(value > 0.0 && value < 100.0)) {
      throw cli::UsageError(fmt::format(
          "{}: a percentage must be above 0% and below 100%, got '{}'", what, text));
    }
    return value / 100.0;
  }
  if (!(value > 0.0 && value < 1.0)) {
    throw cli::UsageError(fmt::format(
        "{}: a confidence must be above 0 and below 1 (or a percentage with '%', like "
        "99.9%), got '{}'",
        what, text));
  }
  return value;
}

std::vector<std::uint16_t> parsePortList(std::string_view text) {
  std::vector<std::uint16_t> ports;
  std::set<std::uint16_t> seen;
  std::size_t start = 0;
  while (true) {
    std::size_t comma = text.find(',', start);
    std::string_view item = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (item.empty()) {
      throw cli::UsageError(fmt::format("port list '{}': empty entry", text));
    }
    auto port = static_cast<std::uint16_t>(parseUnsigned(item, "port", 0, 65535));
    if (port != 0 && !seen.insert(port).second) {
      throw cli::UsageError(fmt::format("port list '{}': port {} listed twice", text, port));
    }
    ports.push_back(port);
    if (comma == std::string_view::npos) {
      return ports;
    }
    start = comma + 1;
  }
}

HostPort parseHostPort(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (text.starts_with('[')) {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      throw cli::UsageError(fmt::format("'{}': expected [IPV6]:PORT", text));
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
    if (host.find(':') == std::string_view::npos) {
      throw cli::UsageError(fmt::format("'{}': brackets are only for IPv6 addresses", text));
    }
  } else {
    std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      throw cli::UsageError(fmt::format("'{}': expected HOST:PORT", text));
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      throw cli::UsageError(
          fmt::format("'{}': an IPv6 address needs brackets, as in [::1]:9000", text));
    }
  }
  if (host.empty()) {
    throw cli::UsageError(fmt::format("'{}': missing host", text));
  }
  if (port.empty()) {
    throw cli::UsageError(fmt::format("'{}': missing port", text));
  }
  return HostPort{std::string(host),
                  static_cast<std::uint16_t>(parseUnsigned(port, "port", 1, 65535))};
}

}  // namespace weir::echo
