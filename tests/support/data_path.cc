#include "data_path.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "admin_stats.h"
#include "http_client.h"

namespace weir::test {

bool sockmapAvailable() {
#ifdef WEIR_HAVE_SOCKMAP
  return geteuid() == 0;
#else
  return false;
#endif
}

std::vector<DataPath> allDataPaths() {
  std::vector<DataPath> paths;
  for (const unsigned workers : {1u, 2u}) {
    for (const DataPath& path : oneWorkerDataPaths()) paths.push_back({workers, path.mover});
  }
  return paths;
}

std::vector<DataPath> oneWorkerDataPaths() {
  std::vector<DataPath> paths = {{1, Mover::kCopy}, {1, Mover::kSplice}};
  if (sockmapAvailable()) paths.push_back({1, Mover::kSockmap});
  return paths;
}

std::string dataPathName(const DataPath& path) {
  const char* mover = path.mover == Mover::kCopy     ? "Copied"
                      : path.mover == Mover::kSplice ? "Spliced"
                                                     : "InKernel";
  return std::string(path.concurrency == 1 ? "OneWorker" : "TwoWorkers") + mover;
}

WeirOptions weirOptionsFor(const DataPath& path, std::vector<std::string> extra_args) {
  WeirOptions options;
  options.concurrency = path.concurrency;
  switch (path.mover) {
    case Mover::kCopy:
      options.extra_args = {"--data-path", "copy"};
      break;
    case Mover::kSplice:
      options.extra_args = {"--data-path", "splice", "--splice-after", "0"};
      break;
    case Mover::kSockmap:
      options.extra_args = {"--data-path", "sockmap"};
      break;
  }
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
  expectBytesMovedAs(path, [&](const std::string& stat) {
    return weirStat(weir, clusterStat(weir.port(), subset, stat));
  });
}

void expectBytesMovedAs(const DataPath& path,
                        const std::function<std::optional<uint64_t>(const std::string&)>& stat) {
  const std::optional<uint64_t> spliced = stat("upstream_cx_spliced_bytes_total");
  const std::optional<uint64_t> in_kernel = stat("upstream_cx_sockmap_total");
  ASSERT_TRUE(spliced.has_value() && in_kernel.has_value());
  switch (path.mover) {
    case Mover::kCopy:
      EXPECT_EQ(*spliced, 0u) << "bytes were spliced although --data-path copy";
      EXPECT_EQ(*in_kernel, 0u);
      break;
    case Mover::kSplice:
      EXPECT_GT(*spliced, 0u) << "the spliced path was not taken";
      EXPECT_EQ(*in_kernel, 0u);
      break;
    case Mover::kSockmap: {
      // A client that is gone (FIN or reset) before its upstream answers cannot
      // join (the kernel takes only established sockets): it falls back, counted.
      const std::optional<uint64_t> fallback = stat("upstream_cx_sockmap_fallback");
      ASSERT_TRUE(fallback.has_value());
      EXPECT_GT(*in_kernel + *fallback, 0u) << "the sockmap path was not tried";
      break;
    }
  }
}

}  // namespace weir::test
