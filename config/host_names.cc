#include "config/host_names.h"

#include <arpa/inet.h>

#include <algorithm>
#include <vector>

namespace weir::config {
namespace {

constexpr std::string_view kClusterSuffix = ".svc.cluster.local";

bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::vector<std::string_view> splitLabels(std::string_view domain) {
  std::vector<std::string_view> labels;
  size_t start = 0;
  while (true) {
    const size_t dot = domain.find('.', start);
    if (dot == std::string_view::npos) {
      labels.push_back(domain.substr(start));
      return labels;
    }
    labels.push_back(domain.substr(start, dot - start));
    start = dot + 1;
  }
}

bool isWildcardLabel(std::string_view label) {
  if (label == "*") {
    return true;
  }
  if (label.starts_with("*-")) {
    label.remove_prefix(2);
  } else if (label.starts_with("*")) {
    label.remove_prefix(1);
  }
  return isDns1123Label(label);
}

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::optional<std::string> preconditionError(std::string_view domain) {
  if (domain.size() > 255) {
    return "domain name " + quoted(domain) + " too long (max 255)";
  }
  if (domain.empty()) {
    return "empty domain name not allowed";
  }
  return std::nullopt;
}

// Every label a DNS-1123 label, the last one not all digits; a trailing dot is
// allowed (`istio.io.`). `first` is the index of the first label to check.
std::optional<std::string> labelsError(std::string_view domain, size_t first) {
  const std::vector<std::string_view> labels = splitLabels(domain);
  const std::string_view top = labels.back();
  if (!top.empty() && std::all_of(top.begin(), top.end(), [](char c) {
        return c >= '0' && c <= '9';
      })) {
    return "domain name " + quoted(domain) + " invalid (top level domain " + quoted(top) +
           " cannot be all-numeric)";
  }
  for (size_t i = first; i < labels.size(); ++i) {
    if (i + 1 == labels.size() && labels[i].empty() && i > 0) {
      break;
    }
    if (!isDns1123Label(labels[i])) {
      return "domain name " + quoted(domain) + " invalid (label " + quoted(labels[i]) +
             " invalid)";
    }
  }
  return std::nullopt;
}

}  // namespace

std::string canonicalHost(std::string_view host, std::string_view ns) {
  if (host.empty() || host == "*" || isIpAddress(host)) {
    return std::string(host);
  }
  if (host.ends_with('.')) {
    return std::string(host.substr(0, host.size() - 1));
  }
  if (endsWith(host, kClusterSuffix)) {
    return std::string(host);
  }
  const auto dots = std::count(host.begin(), host.end(), '.');
  if (dots == 0) {
    return std::string(host) + "." + std::string(ns) + std::string(kClusterSuffix);
  }
  if (dots == 1) {
    return std::string(host) + std::string(kClusterSuffix);
  }
  if (dots == 2 && endsWith(host, ".svc")) {
    return std::string(host) + ".cluster.local";
  }
  return std::string(host);
}

bool hostsMatch(std::string_view a, std::string_view b) {
  if (a == b || a == "*" || b == "*") {
    return true;
  }
  const bool a_wild = a.starts_with('*');
  const bool b_wild = b.starts_with('*');
  if (a_wild && b_wild) {
    const std::string_view a_suffix = a.substr(1);
    const std::string_view b_suffix = b.substr(1);
    return endsWith(a_suffix, b_suffix) || endsWith(b_suffix, a_suffix);
  }
  if (a_wild) {
    return endsWith(b, a.substr(1));
  }
  if (b_wild) {
    return endsWith(a, b.substr(1));
  }
  return false;
}

bool isDns1123Label(std::string_view text) {
  if (text.empty() || text.size() > 63) {
    return false;
  }
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(text.front()) || !alnum(text.back())) {
    return false;
  }
  return std::all_of(text.begin(), text.end(), [&](char c) { return alnum(c) || c == '-'; });
}

std::optional<std::string> wildcardDomainError(std::string_view domain) {
  if (std::optional<std::string> error = preconditionError(domain)) {
    return error;
  }
  const std::string_view first = domain.substr(0, domain.find('.'));
  if (!isWildcardLabel(first)) {
    return "domain name " + quoted(domain) + " invalid (label " + quoted(first) + " invalid)";
  }
  if (first.size() == domain.size()) {
    return std::nullopt;
  }
  return labelsError(domain, 1);
}

std::optional<std::string> fqdnError(std::string_view domain) {
  if (std::optional<std::string> error = preconditionError(domain)) {
    return error;
  }
  return labelsError(domain, 0);
}

bool isIpAddress(std::string_view text) {
  const std::string address(text);
  unsigned char buffer[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, address.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, address.c_str(), buffer) == 1;
}

}  // namespace weir::config
