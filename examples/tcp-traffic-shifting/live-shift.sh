#!/usr/bin/env bash
# "Shifting traffic live" (this folder's README.md), as a script that checks itself:
# weir keeps running while the weights go from 80/20 to 50/50; the reload is a
# SIGHUP to the weir this script started (its pid from the ready file), and
# tcp-echo-client --expect asserts each split. It runs on free ports with a copy of
# this folder's files, so it never disturbs a weir of yours (ctest runs it).
# Usage: live-shift.sh BUILD_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${1:-$here/../../build}" && pwd)"
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

wait_for() {  # DESCRIPTION COMMAND...: bounded, 200 tries 50 ms apart
  local what="$1"
  shift
  for _ in $(seq 1 200); do "$@" && return 0; sleep 0.05; done
  echo "live-shift: no $what after 10s; weir's log:" >&2
  cat "$work/weir.log" >&2
  exit 1
}

# The workloads, on free ports; the walk-through's files with those ports.
"$build/echo/tcp-echo-server" --listen 127.0.0.1 0 one >"$work/v1.out" & pids+=($!)
"$build/echo/tcp-echo-server" --listen 127.0.0.1 0 two >"$work/v2.out" & pids+=($!)
wait_for "echo server port" test -s "$work/v1.out"
wait_for "echo server port" test -s "$work/v2.out"
mkdir "$work/config"
cp "$here"/{gateway,destination-rule,virtual-service}.yaml "$work/config/"
sed -e "s/tcp: 9001/tcp: $(grep -o '[0-9]*, prefix' "$work/v1.out" | grep -o '^[0-9]*')/" \
    -e "s/tcp: 9002/tcp: $(grep -o '[0-9]*, prefix' "$work/v2.out" | grep -o '^[0-9]*')/" \
    "$here/endpoints.yaml" >"$work/config/endpoints.yaml"

# Weir, its access log in a file of its own. --no-watch: here only the signal reloads.
ready="$work/weir-ready.json"
"$build/proxy/weir" -c "$work/config" --bind 127.0.0.1 --port-override 9000=0 \
  --admin 127.0.0.1:0 --no-watch --ready-file "$ready" \
  --access-log "$work/weir-access.log" 2>"$work/weir.log" & pids+=($!)
wait_for "ready file" test -s "$ready"
port=$(grep -o '"configured_port":9000,"address":"[^"]*","port":[0-9]*' "$ready" |
       grep -o '[0-9]*$')

echo "== 80/20"
"$build/echo/tcp-echo-client" "127.0.0.1:$port" -n 1000 -c 20 --expect one=80,two=20

echo "== weights edited to 50/50, weir signalled"
sed -i -e 's/weight: 80/weight: 50/' -e 's/weight: 20/weight: 50/' \
  "$work/config/virtual-service.yaml"
# SIGHUP to the weir started above: its ready file has the pid.
kill -HUP "$(grep -o '"pid":[0-9]*' "$ready" | grep -o '[0-9]*$')"
wait_for "reload" grep -q 'reloaded: configuration generation 2' "$work/weir.log"
"$build/echo/tcp-echo-client" "127.0.0.1:$port" -n 1000 -c 20 --expect one=50,two=50
