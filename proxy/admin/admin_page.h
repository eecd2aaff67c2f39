// The admin server's live page, made to stay open during a traffic shift.
#pragma once

#include <string>

namespace weir::proxy {

// A self-contained HTML page: inline CSS, JavaScript and SVG, nothing loaded from
// elsewhere, so it works offline. It polls the admin API every second
// (/split_history, /config_dump, /stats?format=json, /clusters?format=json,
// /server_info) and shows:
// - version, uptime and state, and links to every other endpoint;
// - a banner while the last reload was rejected (its errors), until a good one;
// - per rule, a chart of each destination's share of new connections over the
//   last five minutes, the configured weights as steps, and every reload (accepted
//   or rejected) as a marker;
// - per rule, the configured split next to the split of the last 10 seconds;
// - the listeners and their ports, and per-cluster and per-endpoint counters.
const std::string& adminPageHtml();

}  // namespace weir::proxy
