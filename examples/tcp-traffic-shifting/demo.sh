#!/usr/bin/env bash
# The Istio "TCP traffic shifting" walk-through, locally: two echo servers, `one`
# on 127.0.0.1:9001 and `two` on 127.0.0.1:9002, and weir on port 9000 splitting
# new connections 80/20 between them as virtual-service.yaml says.
# Usage: demo.sh BUILD_DIR   (make demo calls it after building)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${1:-$here/../../build}" && pwd)"
weir="$build/proxy/weir"
echo_server="$build/echo/tcp-echo-server"
echo_client="$build/echo/tcp-echo-client"

port_busy() {  # true when something on this machine accepts on 127.0.0.1:$1
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
for port in 9000 9001 9002 15000; do
  if port_busy "$port"; then
    echo "demo: port $port is busy; stop whatever listens on it (ss -ltnp 'sport = :$port')" >&2
    exit 1
  fi
done

logs="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

wait_for_port() {  # bounded: 100 tries, 50 ms apart
  for _ in $(seq 1 100); do
    port_busy "$1" && return 0
    sleep 0.05
  done
  echo "demo: nothing listens on port $1 after 5s; logs in $logs" >&2
  exit 1
}
# Weir says it is ready in its ready file, rather than being probed: a probe would
# be a connection through weir, one more in its access log and stats than the demo's.
wait_for_ready_file() {  # bounded: 100 tries, 50 ms apart, while weir runs
  for _ in $(seq 1 100); do
    [ -s "$1" ] && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 0.05
  done
  echo "demo: weir is not ready after 5s; its log:" >&2
  cat "$logs/weir.log" >&2
  exit 1
}

echo "== Starting tcp-echo-server v1 (prefix one) on 9001 and v2 (prefix two) on 9002"
"$echo_server" --listen 127.0.0.1 9001 one >"$logs/echo-v1.log" 2>&1 & pids+=($!)
"$echo_server" --listen 127.0.0.1 9002 two >"$logs/echo-v2.log" 2>&1 & pids+=($!)
wait_for_port 9001
wait_for_port 9002

echo "== Starting weir -c examples/tcp-traffic-shifting (listening on 127.0.0.1:9000)"
"$weir" -c "$here" --bind 127.0.0.1 --ready-file "$logs/ready.json" \
  --access-log "$logs/access.log" 2>"$logs/weir.log" & pids+=($!)
wait_for_ready_file "$logs/ready.json" "$!"
sed -n 's/^\[[^]]*\] \[info\] /   /p' "$logs/weir.log" | grep -v '^   ready' || true

echo
echo "== Ten connections, as in the Istio task: (date; sleep 1) | nc 127.0.0.1 9000"
for _ in $(seq 1 10); do
  (date; sleep 1) | nc -N 127.0.0.1 9000
done

echo
echo "== 1,000 connections with tcp-echo-client -n 1000 -c 20"
"$echo_client" 127.0.0.1:9000 -n 1000 -c 20

# Weir writes an access-log line as each connection closes: the demo's 1,010
# connections, no more (a readiness probe would have been one more), no fewer.
expected=1010
lines=0
for _ in $(seq 1 100); do  # bounded: the last lines are written as weir closes them
  lines=$(wc -l <"$logs/access.log")
  [ "$lines" -ge "$expected" ] && break
  sleep 0.05
done
if [ "$lines" != "$expected" ]; then
  echo "demo: weir logged $lines connections, the demo made $expected; $logs/access.log" >&2
  exit 1
fi

echo
echo "The weights live in $here/virtual-service.yaml (80/20)."
echo "Edit them (100/0, 50/50, 0/100 ...) and run 'make demo' again to see the split follow."
echo "Access log of this run ($lines lines, one per connection): $logs/access.log"
echo "To shift traffic live instead, keep weir running: see 'Shifting traffic live' in"
echo "examples/tcp-traffic-shifting/README.md."
