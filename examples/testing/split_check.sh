#!/usr/bin/env bash
# Asserting a canary split from a shell-based CI job, with the walk-through's
# Istio files as they are. No fixed ports, no sleeps: Weir picks free ports and
# says where it listens in its ready file.
# Usage: split_check.sh DIR   where DIR is a build folder (split_check.sh build) or a
#        folder with weir, tcp-echo-server and tcp-echo-client (an installed bin/)
set -euo pipefail
dir="${1:?usage: split_check.sh BUILD_DIR|BIN_DIR}"
if [ -x "$dir/weir" ]; then
  bin="$dir"
elif [ -x "$dir/proxy/weir" ] && [ -x "$dir/echo/tcp-echo-server" ]; then
  bin="$(mktemp -d)"  # a build tree: the three binaries, side by side
  ln -s "$(cd "$dir" && pwd)"/{proxy/weir,echo/tcp-echo-server,echo/tcp-echo-client} "$bin/"
else
  echo "split_check: no weir in $dir or $dir/proxy (build it first: make build)" >&2
  exit 2
fi
config="$(cd "$(dirname "$0")/../tcp-traffic-shifting" && pwd)"
work="$(mktemp -d)"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait; rm -rf "$work"; [ "$bin" = "$dir" ] || rm -rf "$bin"' EXIT

wait_for_file() {  # FILE PID: bounded, 100 tries 50 ms apart, while PID (the writer) runs
  for _ in $(seq 1 100); do
    [ -s "$1" ] && return 0
    kill -0 "$2" 2>/dev/null || { echo "the process writing $1 has exited" >&2; return 1; }
    sleep 0.05
  done
  echo "timed out waiting for $1" >&2; return 1
}
json_port() {  # the "port" that follows "$2" in JSON file $1 (no jq needed)
  grep -o "\"$2\"[^}]*\"port\":[0-9]*" "$1" | grep -o '[0-9]*$' | head -1
}

# The workloads: the echo servers print the port they got.
"$bin/tcp-echo-server" --listen 127.0.0.1 0 one >"$work/v1.out" & pids+=($!)
"$bin/tcp-echo-server" --listen 127.0.0.1 0 two >"$work/v2.out" & pids+=($!)
wait_for_file "$work/v1.out" "${pids[0]}"; wait_for_file "$work/v2.out" "${pids[1]}"
v1_port=$(grep -o '[0-9]*, prefix' "$work/v1.out" | grep -o '^[0-9]*')
v2_port=$(grep -o '[0-9]*, prefix' "$work/v2.out" | grep -o '^[0-9]*')

# The Istio files unchanged, except where the workloads listen in this run.
cp "$config"/{gateway,destination-rule,virtual-service}.yaml "$work/"
sed -e "s/tcp: 9001/tcp: $v1_port/" -e "s/tcp: 9002/tcp: $v2_port/" \
  "$config/endpoints.yaml" >"$work/endpoints.yaml"

# Weir on a free port instead of the Gateway's 9000, admin on a free port too.
"$bin/weir" -c "$work" --bind 127.0.0.1 --port-override 9000=0 --admin 127.0.0.1:0 \
  --ready-file "$work/ready.json" --access-log none --log-level warn & pids+=($!)
wait_for_file "$work/ready.json" "${pids[2]}"
port=$(json_port "$work/ready.json" configured_port)

# The assertion: 80/20 within the 99.9% binomial interval, or a non-zero exit.
"$bin/tcp-echo-client" "127.0.0.1:$port" -n 2000 -c 20 --expect one=80,two=20 --tolerance 99.9%
