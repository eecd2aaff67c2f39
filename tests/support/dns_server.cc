#include "dns_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>
#include <stdexcept>

namespace weir::test {
namespace {

constexpr uint16_t kTypeA = 1;
constexpr uint8_t kRcodeNxDomain = 3;

uint16_t read16(const std::string& bytes, size_t at) {
  return static_cast<uint16_t>((static_cast<uint8_t>(bytes[at]) << 8) |
                               static_cast<uint8_t>(bytes[at + 1]));
}

void append16(std::string& out, uint16_t value) {
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value & 0xff));
}

std::string lowerCase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// The question's name (dotted, lower case) and where the question ends.
struct Question {
  std::string name;
  uint16_t type = 0;
  size_t end = 0;
};

std::optional<Question> parseQuestion(const std::string& query) {
  if (query.size() < 12 || read16(query, 4) != 1) return std::nullopt;  // one question
  Question question;
  size_t at = 12;
  while (at < query.size() && query[at] != 0) {
    const size_t length = static_cast<uint8_t>(query[at]);
    if (length > 63 || at + 1 + length >= query.size()) return std::nullopt;
    question.name += (question.name.empty() ? "" : ".") + query.substr(at + 1, length);
    at += 1 + length;
  }
  if (at + 5 > query.size()) return std::nullopt;
  question.type = read16(query, at + 1);
  question.end = at + 5;  // the NUL label, type, class
  question.name = lowerCase(question.name);
  return question;
}

}  // namespace

TestDnsServer::TestDnsServer() {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("dns socket: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd_);
    throw std::runtime_error(std::string("dns bind: ") + std::strerror(errno));
  }
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { serve(); });
}

TestDnsServer::~TestDnsServer() {
  stop_ = true;
  thread_.join();  // the loop polls in 50 ms steps
  ::close(fd_);
}

void TestDnsServer::setAnswer(const std::string& name, std::vector<std::string> ipv4_addresses) {
  std::lock_guard lock(mutex_);
  answers_[lowerCase(name)] = std::move(ipv4_addresses);
}

size_t TestDnsServer::queriesFor(const std::string& name) const {
  std::lock_guard lock(mutex_);
  const auto found = queries_.find(lowerCase(name));
  return found == queries_.end() ? 0 : found->second;
}

void TestDnsServer::serve() {
  char buffer[512];
  while (!stop_) {
    pollfd entry{fd_, POLLIN, 0};
    if (::poll(&entry, 1, 50) <= 0) continue;
    sockaddr_in client{};
    socklen_t length = sizeof client;
    const ssize_t got = ::recvfrom(fd_, buffer, sizeof buffer, 0,
                                   reinterpret_cast<sockaddr*>(&client), &length);
    if (got <= 0) continue;
    const std::string reply = answer(std::string(buffer, static_cast<size_t>(got)));
    if (!reply.empty()) {
      ::sendto(fd_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&client), length);
    }
  }
}

std::string TestDnsServer::answer(const std::string& query) {
  const std::optional<Question> question = parseQuestion(query);
  if (!question) return "";
  std::vector<std::string> addresses;
  bool known = false;
  {
    std::lock_guard lock(mutex_);
    if (const auto found = answers_.find(question->name); found != answers_.end()) {
      known = true;  // AAAA (or any other type) of a known name: NOERROR, no record
      if (question->type == kTypeA) {
        addresses = found->second;
        ++queries_[question->name];
      }
    }
  }
  std::string reply = query.substr(0, 2);  // the query's id
  // QR, opcode 0, AA, the query's RD; RA 0; rcode.
  reply.push_back(static_cast<char>(0x84 | (query[2] & 0x01)));
  reply.push_back(static_cast<char>(known ? 0 : kRcodeNxDomain));
  append16(reply, 1);                                                  // questions
  append16(reply, static_cast<uint16_t>(known ? addresses.size() : 0));  // answers
  append16(reply, 0);
  append16(reply, 0);
  reply += query.substr(12, question->end - 12);  // the question as asked (its case too)
  for (const std::string& text : addresses) {
    in_addr ip{};
    if (::inet_pton(AF_INET, text.c_str(), &ip) != 1) continue;
    append16(reply, 0xC00C);  // the name: a pointer to the question's
    append16(reply, kTypeA);
    append16(reply, 1);  // IN
    append16(reply, 0);  // TTL 0
    append16(reply, 0);
    append16(reply, 4);
    reply.append(reinterpret_cast<const char*>(&ip), 4);
  }
  return reply;
}

}  // namespace weir::test
