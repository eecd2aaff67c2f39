#!/usr/bin/env bash
# Consistent hashing on the client address: three echo servers (e1, e2, e3 on
# 127.0.0.1:9111-9113) behind weir on 9100. Ten clients, each on its own loopback
# address 127.0.0.11-20, connect three times each; every client lands on the same
# server every time. Exits non-zero if one did not.
# Usage: demo.sh BUILD_DIR
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${1:-$here/../../build}" && pwd)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for_port() {  # bounded: 100 tries, 50 ms apart
  for _ in $(seq 1 100); do port_busy "$1" && return 0; sleep 0.05; done
  echo "demo: nothing listens on port $1 after 5s" >&2
  exit 1
}
for port in 9100 9111 9112 9113; do
  if port_busy "$port"; then echo "demo: port $port is busy" >&2; exit 1; fi
done

for n in 1 2 3; do
  timeout 60 "$build/echo/tcp-echo-server" --listen 127.0.0.1 "911$n" "e$n" >/dev/null 2>&1 &
  pids+=($!)
  wait_for_port "911$n"
done
timeout 60 "$build/proxy/weir" -c "$here" --bind 127.0.0.1 --admin none --access-log none \
  2>/dev/null & pids+=($!)
wait_for_port 9100
echo "== weir -c examples/consistent-hash (127.0.0.1:9100) over e1, e2, e3"

status=0
for host in $(seq 11 20); do
  source="127.0.0.$host"
  answers=""
  for _ in 1 2 3; do
    # nc -s: connect from this client address (all of 127.0.0.0/8 is loopback).
    answer=$(echo hello | timeout 5 nc -N -s "$source" 127.0.0.1 9100 | cut -d' ' -f1)
    answers="$answers $answer"
  done
  printf '   client %-12s ->%s\n' "$source" "$answers"
  set -- $answers
  { [ "$1" = "$2" ] && [ "$2" = "$3" ] && [ -n "$1" ]; } || status=1
done
exit $status
