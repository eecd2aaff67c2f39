#include "proxy/admin/admin_page.h"

namespace weir::proxy {

const std::string& adminPageHtml() {
  static const std::string page = R"HTML(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Weir — traffic split</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
  h1 { font-size: 1.3em; margin: 0 0 .2em; }
  table { border-collapse: collapse; margin: .5em 0 1.5em; }
  th, td { border-bottom: 1px solid #ddd; padding: .3em .8em; text-align: left; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .bar { background: #eee; width: 200px; height: .9em; position: relative; }
  .bar span { position: absolute; top: 0; bottom: 0; left: 0; background: #4a7; }
  .muted { color: #777; }
</style>
</head>
<body>
<h1>Weir</h1>
<div class="muted" id="status">loading…</div>
<div id="rules"></div>
<h2>Clusters</h2>
<table id="clusters"><thead><tr><th>cluster</th><th>active</th><th>total</th>
<th>connect failures</th><th>bytes from upstream</th><th>bytes to upstream</th></tr></thead>
<tbody></tbody></table>
<h2>Endpoints</h2>
<table id="endpoints"><thead><tr><th>cluster</th><th>endpoint</th><th>health</th>
<th>active</th><th>total</th><th>connect failures</th></tr></thead>
<tbody></tbody></table>
<script>
"use strict";
const WINDOW_SECONDS = 10;
const history = [];  // [{time, totals: {cluster: upstream_cx_total}}]

function stat(stats, cluster, name) {
  const key = "cluster." + cluster + "." + name;
  return stats.has(key) ? stats.get(key) : 0;
}
function cell(text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}
function percent(part, whole) {
  return whole > 0 ? (100 * part / whole).toFixed(1) + "%" : "–";
}
function bar(share) {
  const outer = document.createElement("div");
  outer.className = "bar";
  const inner = document.createElement("span");
  inner.style.width = (share * 100).toFixed(1) + "%";
  outer.appendChild(inner);
  const td = document.createElement("td");
  td.appendChild(outer);
  return td;
}

async function refresh() {
  try {
    const [config, statsJson, clusters] = await Promise.all([
      fetch("/config_dump").then(r => r.json()),
      fetch("/stats?format=json").then(r => r.json()),
      fetch("/clusters?format=json").then(r => r.json())]);
    const stats = new Map(statsJson.stats.map(s => [s.name, s.value]));
    const now = Date.now();
    const totals = {};
    for (const cluster of config.clusters) {
      totals[cluster.name] = stat(stats, cluster.name, "upstream_cx_total");
    }
    history.push({time: now, totals});
    while (history.length > 1 && now - history[0].time > WINDOW_SECONDS * 1000) history.shift();
    // Until a second sample exists, show everything since the proxy started.
    const sinceStart = history.length < 2;
    const oldest = sinceStart ? {totals: {}} : history[0];
    const windowLabel = sinceStart ? "since start" : "last " + WINDOW_SECONDS + " s";

    const rules = document.getElementById("rules");
    rules.replaceChildren();
    for (const rule of config.routes) {
      const heading = document.createElement("h2");
      heading.textContent = "Rule " + rule.name;
      rules.appendChild(heading);
      const table = document.createElement("table");
      table.innerHTML = "<thead><tr><th>destination</th><th>weight</th><th>configured</th>" +
        "<th></th><th>observed (" + windowLabel + ")</th><th></th>" +
        "<th>connections</th></tr></thead>";
      const body = document.createElement("tbody");
      let recentSum = 0;
      const recent = rule.destinations.map(d => {
        const n = (totals[d.cluster] || 0) - (oldest.totals[d.cluster] || 0);
        recentSum += n;
        return n;
      });
      rule.destinations.forEach((d, i) => {
        const tr = document.createElement("tr");
        tr.className = "destination";
        tr.dataset.cluster = d.cluster;
        tr.appendChild(cell(d.host + (d.subset ? " / " + d.subset : "") +
          (d.cluster_found === false ? " (no such cluster: closed, NC)" : "")));
        tr.appendChild(cell(String(d.weight), "num"));
        tr.appendChild(cell(percent(d.weight, rule.total_weight), "num configured"));
        tr.appendChild(bar(rule.total_weight ? d.weight / rule.total_weight : 0));
        tr.appendChild(cell(percent(recent[i], recentSum), "num observed"));
        tr.appendChild(bar(recentSum ? recent[i] / recentSum : 0));
        tr.appendChild(cell(String(recent[i]), "num recent"));
        body.appendChild(tr);
      });
      table.appendChild(body);
      rules.appendChild(table);
    }

    const clusterBody = document.querySelector("#clusters tbody");
    clusterBody.replaceChildren();
    for (const cluster of config.clusters) {
      const tr = document.createElement("tr");
      tr.appendChild(cell(cluster.name));
      for (const name of ["upstream_cx_active", "upstream_cx_total", "upstream_cx_connect_fail",
                          "upstream_cx_rx_bytes_total", "upstream_cx_tx_bytes_total"]) {
        tr.appendChild(cell(String(stat(stats, cluster.name, name)), "num"));
      }
      clusterBody.appendChild(tr);
    }
    const endpointBody = document.querySelector("#endpoints tbody");
    endpointBody.replaceChildren();
    for (const cluster of clusters.clusters) {
      for (const endpoint of cluster.endpoints) {
        const tr = document.createElement("tr");
        tr.className = "endpoint";
        tr.dataset.address = endpoint.address;
        tr.appendChild(cell(cluster.name));
        tr.appendChild(cell(endpoint.address));
        tr.appendChild(cell(endpoint.health));
        tr.appendChild(cell(String(endpoint.cx_active), "num active"));
        tr.appendChild(cell(String(endpoint.cx_total), "num total"));
        tr.appendChild(cell(String(endpoint.cx_connect_fail), "num failures"));
        endpointBody.appendChild(tr);
      }
    }
    const reload = config.last_reload;
    document.getElementById("status").textContent =
      "configuration generation " + config.generation + " · last reload: " +
      (reload ? reload.result + (reload.errors.length ? " (" + reload.errors.join("; ") + ")" : "")
              : "none") + " · updated " + new Date(now).toLocaleTimeString();
  } catch (error) {
    document.getElementById("status").textContent = "cannot reach weir: " + error;
  }
}
refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
)HTML";
  return page;
}

}  // namespace weir::proxy
