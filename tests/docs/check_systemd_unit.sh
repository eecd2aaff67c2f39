#!/usr/bin/env bash
# examples/systemd/weir.service stays valid: its ExecStartPre and ExecStart command
# lines, with the built weir and the walk-through's files in place of
# /usr/local/bin/weir and /etc/weir, are accepted (ExecStart checked with --validate,
# which opens no socket); it is Type=notify and reloads with SIGHUP.
# Usage: check_systemd_unit.sh SOURCE_DIR WEIR
set -euo pipefail
unit="$1/examples/systemd/weir.service"
weir="$2"
config="$1/examples/tcp-traffic-shifting"
grep -qx 'Type=notify' "$unit" || { echo "$unit: not Type=notify" >&2; exit 1; }
grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$unit" || { echo "$unit: no SIGHUP reload" >&2; exit 1; }
checked=0
while IFS= read -r line; do
  command="${line#*=}"
  command="${command//\/usr\/local\/bin\/weir/$weir}"
  command="${command//\/etc\/weir/$config}"
  [[ "$line" == ExecStart=* ]] && command="$command --validate"
  echo "== $command"
  # shellcheck disable=SC2086  # the unit's words, split as systemd splits them
  $command >/dev/null || { echo "$unit: fails: $line" >&2; exit 1; }
  checked=$((checked + 1))
done < <(grep -E '^ExecStart(Pre)?=' "$unit")
[ "$checked" = 2 ] || { echo "$unit: expected ExecStartPre and ExecStart, found $checked" >&2; exit 1; }
