#include "proxy/admin/admin_page.h"

#include <string_view>

#include <fmt/format.h>

#include "proxy/admin/admin_server.h"

namespace weir::proxy {
namespace {

// Before the links to the other endpoints.
constexpr const char* kHead = R"HTML(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Weir — traffic split</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
  h1 { font-size: 1.3em; margin: 0 0 .2em; }
  h2 { font-size: 1.1em; margin: 1.2em 0 .3em; }
  table { border-collapse: collapse; margin: .5em 0 1.5em; }
  th, td { border-bottom: 1px solid #ddd; padding: .3em .8em; text-align: left; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .bar { background: #eee; width: 200px; height: .9em; position: relative; }
  .bar span { position: absolute; top: 0; bottom: 0; left: 0; background: #4a7; }
  .muted { color: #777; }
  nav { margin: .4em 0 1em; font-size: .9em; }
  nav a, nav span { margin-right: .9em; white-space: nowrap; }
  nav span.post { color: #777; }
  #server { font-weight: 600; }
  .banner { background: #fde8e8; border: 2px solid #c0392b; color: #7b1d12; padding: .6em 1em;
            margin: .6em 0 1em; border-radius: 4px; }
  .banner strong { font-size: 1.1em; }
  .banner pre { margin: .4em 0 0; white-space: pre-wrap; font-size: .9em; }
  figure.chart { margin: .3em 0 1em; }
  figure.chart svg { border: 1px solid #ddd; background: #fcfcfc; }
  .legend { font-size: .9em; margin: .3em 0; }
  .legend .swatch { display: inline-block; width: 1.6em; height: .35em; vertical-align: middle;
                    margin: 0 .4em 0 1em; }
</style>
</head>
<body>
<h1>Weir</h1>
<div id="server" class="muted">version …</div>
<nav id="links">)HTML";

// After the links.
constexpr const char* kBody = R"HTML(</nav>
<div id="reload-banner" class="banner" hidden></div>
<div class="muted" id="status">loading…</div>
<h2>Share of new connections, last 5 minutes</h2>
<div class="muted">solid: observed share (5-second average) · dashed: configured weight ·
vertical lines: reloads (green accepted, red rejected)</div>
<div id="charts"></div>
<div id="rules"></div>
<h2>Listeners</h2>
<table id="listeners"><thead><tr><th>listener</th><th>gateway</th><th>server</th>
<th>protocol</th><th>listening on</th><th>Gateway port</th></tr></thead>
<tbody></tbody></table>
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
const CHART_SECONDS = 300;  // the server keeps 5 minutes of samples
const MIN_CHART_SECONDS = 60;  // a young proxy's chart spans at least this
const SMOOTHING_SAMPLES = 5;  // the observed share is averaged over this many samples
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
                "#17becf"];

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
// Text for markup built as a string (the charts' SVG).
function escapeText(text) {
  return String(text).replace(/[&<>"']/g,
    c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"})[c]);
}
function duration(seconds) {
  const h = Math.floor(seconds / 3600), m = Math.floor(seconds / 60) % 60, s = seconds % 60;
  return (h ? h + " h " : "") + (h || m ? m + " min " : "") + s + " s";
}

function showServer(info) {
  // Envoy's layout: "<commit>/<version>/<status>/<build type>".
  const [commit, version, status, buildType] = info.version.split("/");
  const uptime = parseInt(info.uptime_current_epoch, 10);
  const server = document.getElementById("server");
  server.dataset.state = info.state;
  server.textContent = "weir " + version + " · commit " + commit.slice(0, 12) +
    (status === "Modified" ? " (modified)" : "") + " · " + buildType + " · up " +
    duration(uptime) + " · " + info.state;
}

function showReloadBanner(config) {
  const banner = document.getElementById("reload-banner");
  const reload = config.last_reload;
  if (!reload || reload.result !== "rejected") {
    banner.hidden = true;
    banner.replaceChildren();
    return;
  }
  banner.hidden = false;
  const title = document.createElement("strong");
  title.textContent = "Reload rejected: configuration generation " + config.generation +
    " keeps serving until a good reload.";
  const errors = document.createElement("pre");
  errors.className = "errors";
  errors.textContent = reload.errors.join("\n");
  banner.replaceChildren(title, errors);
}

function showListeners(config) {
  const body = document.querySelector("#listeners tbody");
  body.replaceChildren();
  for (const listener of config.listeners) {
    const tr = document.createElement("tr");
    tr.className = "listener";
    const unix = listener.address.startsWith("unix:");
    tr.dataset.port = String(listener.port);
    // Named as Istio names a gateway's listeners (and as /listeners shows them).
    tr.appendChild(cell(unix ? listener.address
                             : listener.address + "_" + listener.configured_port, "name"));
    tr.appendChild(cell(listener.gateway));
    tr.appendChild(cell(listener.server));
    tr.appendChild(cell(listener.protocol));
    tr.appendChild(cell(unix ? listener.address
      : (listener.address.includes(":") ? "[" + listener.address + "]" : listener.address) +
        ":" + listener.port, "address"));
    tr.appendChild(cell(unix ? "" : String(listener.configured_port), "configured-port"));
    body.appendChild(tr);
  }
}

// One rule's chart as SVG markup: observed shares (solid), configured weights as
// steps (dashed), reload markers.
function chartSvg(route, samples, reloads) {
  const W = 760, H = 240, left = 44, right = 12, top = 30, bottom = 26;
  const end = samples.length ? samples[samples.length - 1].time_ms : Date.now();
  // From the oldest sample (at least a minute, at most five) to the newest.
  const span = 1000 * Math.min(CHART_SECONDS, Math.max(MIN_CHART_SECONDS,
    samples.length ? Math.ceil((end - samples[0].time_ms) / 1000) : 0));
  const start = end - span;
  const x = t => left + (W - left - right) * Math.max(0, t - start) / span;
  const y = share => top + (H - top - bottom) * (1 - share);
  const parts = [];
  parts.push('<svg width="' + W + '" height="' + H + '" viewBox="0 0 ' + W +
             " " + H + '" role="img">');
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push('<line x1="' + left + '" x2="' + (W - right) + '" y1="' + y(tick) + '" y2="' +
               y(tick) + '" stroke="#e4e4e4"/>');
    parts.push('<text x="' + (left - 6) + '" y="' + (y(tick) + 4) +
               '" text-anchor="end" font-size="11" fill="#777">' + (tick * 100) + "%</text>");
  }
  for (let tick = 4; tick >= 0; --tick) {
    const ago = Math.round(tick * span / 4000);  // seconds
    const label = ago === 0 ? "now" : ago % 60 === 0 ? "−" + ago / 60 + " min" : "−" + ago + " s";
    parts.push('<text x="' + x(end - ago * 1000) + '" y="' + (H - 8) +
               '" text-anchor="middle" font-size="11" fill="#777">' + label + "</text>");
  }
  let lastLabelX = -Infinity, labelRow = 0;
  for (const reload of reloads) {
    if (reload.time_ms < start) continue;
    const accepted = reload.result === "accepted";
    const px = x(reload.time_ms);
    // Labels of reloads close together go on alternate rows.
    labelRow = px - lastLabelX < 60 ? 1 - labelRow : 0;
    lastLabelX = px;
    parts.push('<g class="reload ' + reload.result + '" data-generation="' + reload.generation +
               '"><line x1="' + px + '" x2="' + px + '" y1="' + top + '" y2="' + (H - bottom) +
               '" stroke="' + (accepted ? "#2a8a2a" : "#c0392b") + '" stroke-width="2"' +
               (accepted ? "" : ' stroke-dasharray="3 2"') + '/><text x="' + (px + 3) + '" y="' +
               (top - 6 - labelRow * 12) + '" font-size="11" fill="' + (accepted ? "#2a8a2a" : "#c0392b") + '">' +
               (accepted ? "gen " + reload.generation : "rejected") + "<title>" +
               escapeText((accepted ? "reload accepted: generation " + reload.generation
                                    : "reload rejected:\n" + reload.errors.join("\n"))) +
               "</title></text></g>");
  }
  route.destinations.forEach((destination, d) => {
    const color = COLORS[d % COLORS.length];
    // Configured share as steps, and the distinct steps for people and tests.
    let path = "";
    const steps = [];
    for (let i = 0; i < samples.length; ++i) {
      const weight = destination.weights[i], total = route.total_weights[i];
      if (weight === null || total === null || !total) continue;
      const share = weight / total;
      const label = (100 * share).toFixed(1);
      if (steps[steps.length - 1] !== label) steps.push(label);
      path += (path ? " H " + x(samples[i].time_ms) + " V " : "M " + x(samples[i].time_ms) +
               " ") + y(share);
    }
    if (samples.length) path += " H " + x(end);
    parts.push('<path class="weight" data-cluster="' + escapeText(destination.cluster) +
               '" data-steps="' + steps.join(",") + '" d="' + path + '" fill="none" stroke="' +
               color + '" stroke-width="2" stroke-dasharray="6 4" opacity="0.8"/>');
    // Observed share, averaged over the last SMOOTHING_SAMPLES samples.
    const points = [];
    let lastShare = null, lastCount = 0;
    for (let i = 1; i < samples.length; ++i) {
      let mine = 0, all = 0;
      for (let k = Math.max(1, i - SMOOTHING_SAMPLES + 1); k <= i; ++k) {
        for (const other of route.destinations) {
          const n = other.connections[k];
          if (n === null) continue;
          all += n;
          if (other === destination) mine += n;
        }
      }
      if (all === 0 || destination.weights[i] === null) {
        if (points.length && points[points.length - 1] !== null) points.push(null);
        continue;
      }
      lastShare = mine / all;
      lastCount = all;
      points.push(x(samples[i].time_ms) + "," + y(lastShare));
    }
    let run = [];
    const runs = [];
    for (const p of points.concat([null])) {
      if (p === null) { if (run.length) runs.push(run); run = []; } else run.push(p);
    }
    parts.push('<g class="observed" data-cluster="' + escapeText(destination.cluster) +
               '" data-last-share="' + (lastShare === null ? "" : lastShare.toFixed(3)) +
               '" data-last-window="' + lastCount + '">');
    for (const segment of runs) {
      parts.push('<polyline points="' + segment.join(" ") + '" fill="none" stroke="' + color +
                 '" stroke-width="2"/>');
    }
    parts.push("</g>");
  });
  parts.push("</svg>");
  return parts.join("");
}

function showCharts(split) {
  const charts = document.getElementById("charts");
  const markup = [];
  for (const route of split.routes) {
    markup.push('<figure class="chart" data-route="' + escapeText(route.name) + '">');
    markup.push("<figcaption>Rule " + escapeText(route.name) + "</figcaption>");
    markup.push(chartSvg(route, split.samples, split.reloads));
    markup.push('<div class="legend">');
    route.destinations.forEach((destination, d) => {
      markup.push('<span class="swatch" style="background:' + COLORS[d % COLORS.length] +
                  '"></span>' + escapeText(destination.label));
    });
    markup.push("</div></figure>");
  }
  if (!split.routes.length) markup.push('<div class="muted">no rules</div>');
  charts.innerHTML = markup.join("");
}

async function refresh() {
  try {
    const [config, statsJson, clusters, split, info] = await Promise.all([
      fetch("/config_dump").then(r => r.json()),
      fetch("/stats?format=json").then(r => r.json()),
      fetch("/clusters?format=json").then(r => r.json()),
      fetch("/split_history").then(r => r.json()),
      fetch("/server_info").then(r => r.json())]);
    showServer(info);
    showReloadBanner(config);
    showCharts(split);
    showListeners(config);
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

std::string escapedAttribute(std::string_view text) {
  std::string escaped;
  for (char c : text) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '"': escaped += "&quot;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

// Links to every endpoint a browser can open (GET); the POST ones named, unlinked
// (a click would be a GET, which they refuse).
std::string endpointLinks() {
  std::string links;
  for (const AdminEndpointInfo& endpoint : adminEndpoints()) {
    if (endpoint.path == "/") continue;
    if (endpoint.method == AdminEndpointInfo::Method::kPost) {
      links += fmt::format("<span class=\"post\" title=\"{}\">POST {}</span>\n",
                           escapedAttribute(endpoint.help), endpoint.path);
    } else {
      links += fmt::format("<a href=\"{}\" title=\"{}\">{}</a>\n", endpoint.path,
                           escapedAttribute(endpoint.help), endpoint.path);
    }
  }
  return links;
}

}  // namespace

const std::string& adminPageHtml() {
  static const std::string page = kHead + endpointLinks() + kBody;
  return page;
}

}  // namespace weir::proxy
