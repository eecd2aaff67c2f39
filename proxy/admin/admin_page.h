// The admin server's live page: configured weights against the observed split.
#pragma once

#include <string>

namespace weir::proxy {

// A self-contained HTML page (no external assets). It polls /config_dump and
// /stats?format=json every second and shows, per rule, each destination's
// configured share next to the share of the connections it received during the
// last 10 seconds, plus per-cluster and per-endpoint counters (from /clusters) and
// the last reload result.
const std::string& adminPageHtml();

}  // namespace weir::proxy
