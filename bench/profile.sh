#!/bin/bash
# Where weir's time goes under the benchmark's loads, for bench/PROFILE.md.
#
#   bench/profile.sh [BUILD_DIR]        (as root; needs linux-perf and strace)
#
# Starts two echo upstreams and weir (2 workers, no access log), then for the
# connection-rate and small-message loads of run_bench.py:
#   1. perf record of weir's threads only: the share of its CPU samples spent in the
#      kernel and in each user-space library, and the top kernel functions;
#   2. strace -c of weir in a second run: system calls per exchange or message.
# Everything is on 127.0.0.1; every run is bounded (3 s of load).
set -euo pipefail

build=${1:-build-release}
loadgen=$build/bench/weir-loadgen
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

for tool in perf strace; do
  command -v $tool >/dev/null || { echo "$tool is missing (apt-get install linux-perf strace)"; exit 2; }
done

start_echo() {  # NAME -> prints the port
  timeout 120 "$build/echo/tcp-echo-server" --listen 127.0.0.1 0 "$1" >"$work/$1.out" 2>&1 &
  for _ in $(seq 100); do
    port=$(sed -n 's/.*:\([0-9]*\), prefix.*/\1/p' "$work/$1.out")
    [ -n "$port" ] && { echo "$port"; return; }
    sleep 0.05
  done
  echo "echo server $1 did not start" >&2; exit 1
}
one=$(start_echo one)
two=$(start_echo two)
sed -e "s/\${gateway_port}/9000/; s/\${port_one}/$one/; s/\${port_two}/$two/" \
  bench/templates/weir-istio.yaml >"$work/weir.yaml"
if grep -q '\${' "$work/weir.yaml"; then
  echo "bench/templates/weir-istio.yaml has placeholders this script does not know" >&2; exit 1
fi
timeout 300 "$build/proxy/weir" -c "$work/weir.yaml" --port-override 9000=0 --concurrency 2 \
  --access-log none --admin none --ready-file "$work/ready.json" >"$work/weir.log" 2>&1 &
for _ in $(seq 100); do [ -s "$work/ready.json" ] && break; sleep 0.05; done
weir=$(pgrep -x weir -P $!)  # the child of `timeout`
port=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["listeners"][0]["port"])' \
  "$work/ready.json")

count() {  # JSON result line -> exchanges or messages
  python3 -c 'import json,sys; d=json.loads(sys.stdin.read().strip().splitlines()[-1]); print(d.get("exchanges") or d.get("messages"))'
}

for mode in connrate pingpong; do
  unit=exchange
  [ $mode = pingpong ] && unit=message
  echo "## $mode"
  perf record -q -g -p $weir -o "$work/perf.data" -- sleep 3 \
    >/dev/null 2>&1 &
  recorder=$!
  done_count=$("$loadgen" $mode --target 127.0.0.1:$port --duration-ms 3000 | count)
  wait $recorder || true
  echo "$done_count ${unit}s in 3 s (under perf)"
  echo '```'
  echo "weir's CPU samples by where they ran:"
  perf report -i "$work/perf.data" --no-children --sort dso -g none 2>/dev/null \
    | grep -v "^#" | grep -v "^$" | head -8 || true
  echo
  echo "top functions (kernel [k], user [.]):"
  perf report -i "$work/perf.data" --no-children --sort symbol -g none 2>/dev/null \
    | grep -v "^#" | grep -v "^$" | head -12 || true
  echo '```'
  strace -c -f -p $weir -o "$work/strace.txt" &
  tracer=$!
  sleep 0.5
  traced=$("$loadgen" $mode --target 127.0.0.1:$port --duration-ms 3000 | count)
  kill -INT $tracer; wait $tracer 2>/dev/null || true
  echo "system calls per $unit ($traced ${unit}s under strace):"
  echo '```'
  awk -v n="$traced" '$NF ~ /^[a-z_0-9]+$/ && $4 ~ /^[0-9]+$/ && $NF != "total" {
      printf "%-14s %6.2f\n", $NF, $4 / n; total += $4 }
    END { printf "%-14s %6.2f\n", "all", total / n }' "$work/strace.txt"
  echo '```'
done
