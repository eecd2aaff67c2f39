// The ways weir can move bytes, for tests that must hold on every one of them:
// one worker or two, and bytes copied through user space, spliced (splice(2)
// from the first byte) or moved in the kernel by the BPF sockmap (where this
// build has it and the tests run as root, as CI does). Used as a GoogleTest
// parameter.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "weir_process.h"

namespace weir::test {

enum class Mover {
  kCopy,     // --data-path copy
  kSplice,   // --data-path splice --splice-after 0
  kSockmap,  // --data-path sockmap
};

struct DataPath {
  unsigned concurrency = 1;
  Mover mover = Mover::kCopy;
};

// Whether weir can run --data-path sockmap here (built with it, and root).
bool sockmapAvailable();
// Every mover with one and with two workers (sockmap where available).
std::vector<DataPath> allDataPaths();
// Copy, splice and (where available) sockmap with one worker.
std::vector<DataPath> oneWorkerDataPaths();
// "OneWorkerCopied", "TwoWorkersSpliced", "OneWorkerInKernel", … for test names.
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
// way `path` says: spliced bytes counted when splicing, none when copying, and
// connections on the sockmap when that is the path.
void expectBytesMovedAs(const DataPath& path, const WeirProcess& weir,
                        const std::string& subset = "v1");
// The same with the cluster's statistics read through `stat` (by name, e.g.
// "upstream_cx_total").
void expectBytesMovedAs(const DataPath& path,
                        const std::function<std::optional<uint64_t>(const std::string&)>& stat);
}  // namespace weir::test
