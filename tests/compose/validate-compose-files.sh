#!/usr/bin/env bash
# Checks the compose demo's files without Docker running (fit for `make test`):
# docker-compose.yml as users run it, and with tests/compose/docker-compose.host.yml,
# are valid for docker-compose 1.29 (`docker-compose config -q`), and weir accepts
# the configuration each of them mounts (`weir --validate`).
# Usage: validate-compose-files.sh WEIR_BINARY
# Needs Debian's docker-compose package (no daemon); exits 77 (skipped) without it.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
weir="${1:?usage: validate-compose-files.sh WEIR_BINARY}"
walkthrough="$repo/examples/tcp-traffic-shifting"

if ! command -v docker-compose >/dev/null; then
  echo "docker-compose is not installed (apt-get install docker-compose); skipped"
  exit 77
fi
cd "$repo"
docker-compose -f docker-compose.yml config -q
echo "docker-compose.yml: valid"
docker-compose -f docker-compose.yml -f tests/compose/docker-compose.host.yml config -q
echo "docker-compose.yml + tests/compose/docker-compose.host.yml: valid"

for endpoints in examples/compose/endpoints.yaml tests/compose/endpoints-host.yaml; do
  "$weir" --validate -c "$walkthrough/gateway.yaml" -c "$walkthrough/destination-rule.yaml" \
    -c "$walkthrough/virtual-service.yaml" -c "$endpoints"
done
