// The proxy's settings checked before anything opens, the same way for a start,
// for `weir --validate` and for an embedding program's Proxy::start: a setting that
// cannot work is refused up front, in its own words, instead of failing half-way
// through a start or being blamed on the YAML.
#pragma once

#include <string>
#include <vector>

#include <weir/proxy.h>

#include "config/route_table.h"

namespace weir::proxy {

// Every problem of `settings` with `table` (the configuration as loaded, before
// --bind and --port-override), one message each, e.g.
//   --port-override 9999=0: no Gateway server listens on port 9999 (Gateway ports: 9000, 9443)
//   --bind "127.0.0.300" is not an IP address
// Empty when the settings can be used.
std::vector<std::string> checkSettings(const ProxySettings& settings,
                                       const config::RouteTable& table);

// Whether a file can be written at `path` (it is writable, or its directory
// exists and is): "" if so, else why not, e.g. "/no/such/dir: No such file or
// directory". Used for --access-log and --ready-file, without creating the file.
std::string whyNotWritable(const std::string& path);

}  // namespace weir::proxy
