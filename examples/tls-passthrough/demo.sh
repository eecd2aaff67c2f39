#!/usr/bin/env bash
# TLS passthrough by SNI: two `openssl s_server`s, v1 on 127.0.0.1:9101 with a
# certificate for server-v1 and v2 on 9102 for server-v2, and weir on 9443 routing
# by the name the client asks for. Each client prints the certificate it got, so
# you see which server did the handshake. Exits non-zero if a name went astray.
# Usage: demo.sh BUILD_DIR
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

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for_port() {  # bounded: 100 tries, 50 ms apart
  for _ in $(seq 1 100); do port_busy "$1" && return 0; sleep 0.05; done
  echo "demo: nothing listens on port $1 after 5s" >&2
  exit 1
}
for port in 9443 9101 9102; do
  if port_busy "$port"; then echo "demo: port $port is busy" >&2; exit 1; fi
done

for version in v1 v2; do
  port=$([ $version = v1 ] && echo 9101 || echo 9102)
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
    -subj "/CN=server-$version" -keyout "$work/$version.key" -out "$work/$version.crt" 2>/dev/null
  timeout 60 openssl s_server -accept "127.0.0.1:$port" -cert "$work/$version.crt" \
    -key "$work/$version.key" -www -quiet >/dev/null 2>&1 & pids+=($!)
  wait_for_port "$port"
done
echo "== openssl s_server: server-v1 on 9101, server-v2 on 9102"

timeout 60 "$build/proxy/weir" -c "$here" --bind 127.0.0.1 --admin none --access-log none \
  2>"$work/weir.log" & pids+=($!)
wait_for_port 9443
echo "== weir -c examples/tls-passthrough (listening on 127.0.0.1:9443)"

status=0
for name in a.example.com b.example.com www.example.com; do
  expected=$([ $name = a.example.com ] && echo server-v1 || echo server-v2)
  got=$(openssl s_client -brief -connect 127.0.0.1:9443 -servername "$name" </dev/null 2>&1 \
          | sed -n 's/^Peer certificate: CN = //p')
  printf '   SNI %-16s -> certificate %s\n' "$name" "${got:-(none)}"
  [ "$got" = "$expected" ] || { echo "   expected $expected" >&2; status=1; }
done
exit $status
