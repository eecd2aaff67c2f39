#include "data_path.h"

#include <fstream>
#include <sstream>

#include "admin_stats.h"
#include "http_client.h"

namespace weir::test {

std::vector<DataPath> allDataPaths() {
  return {{1, false}, {1, true}, {2, false}, {2, true}};
}

std::string dataPathName(const DataPath& path) {
  return std::string(path.concurrency == 1 ? "OneWorker" : "TwoWorkers") +
         (path.splice ? "Spliced" : "Copied");
}

WeirOptions weirOptionsFor(const DataPath& path, std::vector<std::string> extra_args) {
  WeirOptions options;
  options.concurrency = path.concurrency;
  options.extra_args = {"--splice-after", path.splice ? "0" : "never"};
  options.extra_args.insert(options.extra_args.end(), extra_args.begin(), extra_args.end());
  return options;
}

std::optional<uint64_t> weirStat(const WeirProcess& weir, const std::string& name) {
  if (!weir.adminPort()) return std::nullopt;
  HttpResponse response = httpGet(*weir.adminPort(), "/stats");
  if (response.status != 200) return std::nullopt;
  std::optional<StatsSnapshot> stats = StatsSnapshot::parse(response.body);
  if (!stats) return std::nullopt;
  return stats->number(name);
}

std::string listenerStat(uint16_t port, const std::string& stat) {
  return "tcp.tcp-echo-gateway_" + std::to_string(port) + "." + stat;
}

std::optional<uint64_t> residentBytes(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) {
      std::istringstream fields(line.substr(6));
      uint64_t kib = 0;
      fields >> kib;
      return kib * 1024;
    }
  }
  return std::nullopt;
}

}  // namespace weir::test

#include <gtest/gtest.h>

namespace weir::test {

void expectBytesMovedAs(const DataPath& path, const WeirProcess& weir, const std::string& subset) {
  const std::string name = clusterStat(weir.port(), subset, "upstream_cx_spliced_bytes_total");
  std::optional<uint64_t> spliced = weirStat(weir, name);
  ASSERT_TRUE(spliced.has_value()) << name;
  if (path.splice) {
    EXPECT_GT(*spliced, 0u) << "the spliced path was not taken";
  } else {
    EXPECT_EQ(*spliced, 0u) << "bytes were spliced although --splice-after never";
  }
}

}  // namespace weir::test
