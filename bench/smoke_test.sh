#!/usr/bin/env bash
# Smoke test of weir-loadgen (ctest Bench.LoadgenSmoke; not the benchmark): every mode
# briefly, against the real tcp-echo-server and weir on 127.0.0.1 ephemeral ports.
# It checks the generator's counts against what the other side saw where it can (the
# sink's own byte count, weir's open descriptors while connections are held) and that
# the generator does report errors when the answers are wrong.
# Usage: smoke_test.sh WEIR_LOADGEN WEIR TCP_ECHO_SERVER
set -euo pipefail

loadgen="$1"
weir="$2"
echo_server="$3"

work="$(mktemp -d)"
# Background processes run under `timeout`: should this script be killed before its
# cleanup runs, none of them outlives it by more than this many seconds.
lifetime=60
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "smoke: FAIL: $*" >&2
  exit 1
}

# field JSON KEY: the number after "KEY": in a one-line JSON object (first occurrence).
field() {
  sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p" <<<"$1" | head -n 1
}

# expect_field JSON KEY VALUE
expect_field() {
  local got
  got="$(field "$1" "$2")"
  [ "$got" = "$3" ] || fail "$2 is '$got', expected $3 in: $1"
}

# wait_for FILE PATTERN: bounded, 100 tries 50 ms apart.
wait_for() {
  for _ in $(seq 1 100); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  fail "no '$2' in $1 after 5 s: $(cat "$1" 2>/dev/null)"
}

# start_echo NAME ARGS...: an echo server on an ephemeral port; sets echo_port. (Not in
# a $(...) subshell: the pid must reach this shell's cleanup.)
start_echo() {
  local name="$1"
  shift
  timeout "$lifetime" "$echo_server" --listen 127.0.0.1 "$@" >"$work/$name.out" 2>"$work/$name.err" &
  pids+=($!)
  wait_for "$work/$name.out" "listening on"
  echo_port="$(sed -n 's/.*:\([0-9]*\),.*/\1/p' "$work/$name.out" | head -n 1)"
}

# write_config DIR V1_PORT V2_PORT: the tcp-traffic-shifting walk-through, 80/20.
write_config() {
  mkdir -p "$1"
  cat >"$1/istio.yaml" <<YAML
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: smoke-gateway}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 9000, name: tcp, protocol: TCP}
    hosts: ["*"]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: smoke}
spec:
  hosts: ["*"]
  gateways: [smoke-gateway]
  tcp:
  - match: [{port: 9000}]
    route:
    - destination: {host: upstream, port: {number: 9000}, subset: v1}
      weight: 80
    - destination: {host: upstream, port: {number: 9000}, subset: v2}
      weight: 20
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: upstream}
spec:
  host: upstream
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: upstream}
spec:
  hosts: [upstream]
  ports: [{number: 9000, name: tcp, protocol: TCP}]
  resolution: STATIC
  endpoints:
  - {address: 127.0.0.1, ports: {tcp: $2}, labels: {version: v1}}
  - {address: 127.0.0.1, ports: {tcp: $3}, labels: {version: v2}}
YAML
}

# start_weir DIR: weir on an ephemeral port; sets weir_port and weir_pid.
start_weir() {
  timeout "$lifetime" "$weir" -c "$1/istio.yaml" --concurrency 2 --access-log none --admin none --no-watch --drain-time 0 \
    --bind 127.0.0.1 --port-override 9000=0 --ready-file "$1/ready.json" \
    >"$1/weir.out" 2>"$1/weir.err" &
  pids+=($!)
  wait_for "$1/ready.json" '"port"'
  weir_port="$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$1/ready.json" | head -n 1)"
  weir_pid="$(field "$(cat "$1/ready.json")" pid)"  # weir's own, not timeout's
}

# run_loadgen EXPECTED_STATUS ARGS...: the result line (the last line of output).
run_loadgen() {
  local expected="$1" status=0 output
  shift
  output="$("$loadgen" "$@" 2>"$work/loadgen.err")" || status=$?
  [ "$status" = "$expected" ] ||
    fail "weir-loadgen $* exited $status, expected $expected: $output $(cat "$work/loadgen.err")"
  tail -n 1 <<<"$output"
}

start_echo one 0 one
port_one="$echo_port"
start_echo two 0 two
port_two="$echo_port"
start_echo raw --raw 0
port_raw="$echo_port"
timeout "$lifetime" "$loadgen" sink --listen 127.0.0.1:0 >"$work/sink.out" 2>"$work/sink.err" &
pids+=($!)
wait_for "$work/sink.out" '"port"'
port_sink="$(field "$(head -n 1 "$work/sink.out")" port)"

write_config "$work/echo" "$port_one" "$port_two"
start_weir "$work/echo"
echo_weir_port="$weir_port"
echo_weir_pid="$weir_pid"
write_config "$work/sink" "$port_sink" "$port_sink"
start_weir "$work/sink"
sink_weir_port="$weir_port"

echo "== connrate, direct to 'one'"
result="$(run_loadgen 0 connrate --target "127.0.0.1:$port_one" --clients 10 --duration-ms 500)"
echo "$result"
exchanges="$(field "$result" exchanges)"
[ "$exchanges" -gt 0 ] || fail "no exchanges"
expect_field "$result" errors 0
expect_field "$result" one "$exchanges"

echo "== connrate through weir (80/20)"
result="$(run_loadgen 0 connrate --target "127.0.0.1:$echo_weir_port" --duration-ms 500)"
echo "$result"
exchanges="$(field "$result" exchanges)"
one="$(field "$result" one)"
two="$(field "$result" two)"
expect_field "$result" errors 0
[ "$exchanges" -gt 100 ] || fail "only $exchanges exchanges through weir"
[ "$((one + two))" = "$exchanges" ] || fail "one $one + two $two is not $exchanges"
[ "$one" -gt "$two" ] && [ "$two" -gt 0 ] || fail "no 80/20 split: one $one, two $two"

echo "== connrate against an echo without prefix must count wrong answers"
result="$(run_loadgen 1 connrate --target "127.0.0.1:$port_raw" --clients 2 --duration-ms 200)"
echo "$result"
expect_field "$result" exchanges 0
grep -q '"wrong answer":[1-9]' <<<"$result" || fail "wrong answers not counted: $result"

echo "== pingpong through weir"
result="$(run_loadgen 0 pingpong --target "127.0.0.1:$echo_weir_port" --connections 50 --size 64 \
  --duration-ms 500)"
echo "$result"
expect_field "$result" errors 0
[ "$(field "$result" messages)" -gt 1000 ] || fail "too few messages"
[ "$(($(field "$result" one) + $(field "$result" two)))" = 50 ] || fail "split is not over 50 connections"

echo "== bulk 16 MiB through weir to the sink"
result="$(run_loadgen 0 bulk --target "127.0.0.1:$sink_weir_port" --bytes 16M --timeout-ms 10000)"
echo "$result"
expect_field "$result" errors 0
expect_field "$result" bytes_sent 16777216
expect_field "$result" bytes_confirmed 16777216
wait_for "$work/sink.out" '"event":"received"'
expect_field "$(grep '"event":"received"' "$work/sink.out" | tail -n 1)" bytes 16777216

echo "== bulk against a server that is not a sink must fail"
result="$(run_loadgen 1 bulk --target "127.0.0.1:$port_raw" --bytes 1000 --timeout-ms 3000)"
echo "$result"
expect_field "$result" errors 1
expect_field "$result" gbit_per_s 0.000

echo "== idle: 200 connections held through weir"
fds_before="$(ls "/proc/$echo_weir_pid/fd" | wc -l)"
timeout "$lifetime" "$loadgen" idle --target "127.0.0.1:$echo_weir_port" --connections 200 --hold-ms 8000 \
  >"$work/idle.out" 2>"$work/idle.err" &
idle_pid=$!
pids+=($idle_pid)
wait_for "$work/idle.out" '"event":"ready"'
ready="$(head -n 1 "$work/idle.out")"
echo "$ready"
expect_field "$ready" connections 200
expect_field "$ready" errors 0
fds_held="$(ls "/proc/$echo_weir_pid/fd" | wc -l)"
# Each held connection is a downstream and an upstream socket in weir.
[ "$((fds_held - fds_before))" -ge 400 ] ||
  fail "weir holds $((fds_held - fds_before)) more descriptors, expected >= 400"
kill -TERM "$idle_pid"
wait "$idle_pid" || fail "idle exited $?: $(cat "$work/idle.out" "$work/idle.err")"
result="$(tail -n 1 "$work/idle.out")"
echo "$result"
expect_field "$result" held_at_end 200
expect_field "$result" errors 0

echo "smoke: PASS"
