// A tiny DNS server for tests, so that a host name can resolve to several 127.x
// addresses (and change its answer) without touching /etc/hosts: weir is pointed
// at it with --dns-resolver 127.0.0.1:PORT.
//
// UDP on 127.0.0.1, an ephemeral port, its own thread. A queries for a name it
// knows get that name's addresses in the order given (TTL 0); AAAA queries for it
// get no record (NOERROR); any other name is NXDOMAIN. Names compare without case
// (libevent's resolver randomizes the case of the names it asks, DNS 0x20). Every
// wait is bounded; the thread stops in the destructor.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace weir::test {

class TestDnsServer {
 public:
  TestDnsServer();  // throws std::runtime_error if it cannot bind
  ~TestDnsServer();
  TestDnsServer(const TestDnsServer&) = delete;
  TestDnsServer& operator=(const TestDnsServer&) = delete;

  uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  // From now on, A queries for `name` are answered with `ipv4_addresses`, in order.
  void setAnswer(const std::string& name, std::vector<std::string> ipv4_addresses);
  // A queries for `name` answered so far.
  size_t queriesFor(const std::string& name) const;

 private:
  void serve();
  std::string answer(const std::string& query);

  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::map<std::string, std::vector<std::string>> answers_;  // lower-case name
  std::map<std::string, size_t> queries_;
  std::thread thread_;
};

}  // namespace weir::test
