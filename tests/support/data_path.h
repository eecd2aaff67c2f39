// The ways weir can move bytes, for tests that must hold on every one of them:
// one worker or two, and bytes copied through user space or spliced (splice(2)
// from the first byte). Used as a GoogleTest parameter.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "weir_process.h"

namespace weir::test {

struct DataPath {
  unsigned concurrency = 1;
  bool splice = false;  // --splice-after 0, else --splice-after never
};

std::vector<DataPath> allDataPaths();
// "OneWorkerCopied", "TwoWorkersSpliced", … for test names.
std::string dataPathName(const DataPath& path);
// WeirOptions for `path` (plus any extra arguments).
WeirOptions weirOptionsFor(const DataPath& path, std::vector<std::string> extra_args = {});

// A statistic from weir's GET /stats; nullopt if it cannot be read.
std::optional<uint64_t> weirStat(const WeirProcess& weir, const std::string& name);
// The walk-through listener's and subset's statistic names (gateway port `port`).
std::string listenerStat(uint16_t port, const std::string& stat);

// Resident memory of a process, from /proc/PID/status (VmRSS); nullopt if gone.
std::optional<uint64_t> residentBytes(int pid);

}  // namespace weir::test

namespace weir::test {
// Checks (gtest) that the walk-through subset `subset` of `weir` moved bytes the
// way `path` says: spliced bytes counted when splicing, none when copying.
void expectBytesMovedAs(const DataPath& path, const WeirProcess& weir,
                        const std::string& subset = "v1");
}  // namespace weir::test
