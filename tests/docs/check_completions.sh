#!/usr/bin/env bash
# completions/weir cannot drift from the binaries: for weir, tcp-echo-server and
# tcp-echo-client, completing "-" offers exactly the options their --help lists,
# and every value the completion suggests for an option is one that --help lists
# and the binary accepts.
# Usage: check_completions.sh SOURCE_DIR WEIR ECHO_SERVER ECHO_CLIENT
set -euo pipefail
source_dir="$1"
weir="$2"
echo_server="$3"
echo_client="$4"
# shellcheck source=../../completions/weir
source "$source_dir/completions/weir"
failed=0
fail() { echo "check_completions: $*" >&2; failed=1; }

complete_words() {  # complete_words WORD... : what Tab offers for the last word
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMPREPLY=()
  _weir_completion
  printf '%s\n' "${COMPREPLY[@]}" | sort -u
}

for program in "$weir" "$echo_server" "$echo_client"; do
  name="${program##*/}"
  # Every option named anywhere in --help, read independently of the completion.
  listed="$("$program" --help | grep -oE -- '(^|[ ,(])--?[a-z][-a-z]*' | sed 's/^[ ,(]*//' |
            sort -u)"
  offered="$(complete_words "$program" "-")"
  [ -n "$offered" ] || fail "$name: completing '-' offers nothing"
  missing="$(comm -23 <(echo "$listed") <(echo "$offered"))"
  extra="$(comm -13 <(echo "$listed") <(echo "$offered"))"
  [ -z "$missing" ] || fail "$name: --help lists, completion does not offer:" $missing
  [ -z "$extra" ] || fail "$name: completion offers, --help does not list:" $extra
done

# The fixed values: `NAME:--OPTION) values="..."` in the completion.
config="$source_dir/examples/tcp-traffic-shifting"
checked=0
while read -r name option values; do
  program=$(case "$name" in weir) echo "$weir" ;; tcp-echo-server) echo "$echo_server" ;;
                            tcp-echo-client) echo "$echo_client" ;; esac)
  [ -n "$program" ] || { fail "unknown program $name in the completion"; continue; }
  help="$("$program" --help)"
  grep -qE -- "(^|[ ,])$option( |$)" <<<"$help" ||
    fail "$name: the completion has values for $option, which --help does not list"
  offered="$(complete_words "$program" "$option" "")"
  for value in $values; do
    grep -qxF -- "$value" <<<"$offered" || fail "$name $option: completion does not offer $value"
    case "$name" in
      weir)  # parsed with the rest of the command line; --validate opens nothing
        "$program" -c "$config" --validate "$option" "$value" >/dev/null 2>&1 ||
          fail "weir refuses $option $value, which the completion offers" ;;
      tcp-echo-client)  # nothing listens on port 1: exit 1 (connect failed), not 2 (usage)
        status=0
        "$program" 127.0.0.1:1 -n 1 --expect one=1 "$option" "$value" >/dev/null 2>&1 || status=$?
        [ "$status" != 2 ] || fail "tcp-echo-client refuses $option $value" ;;
      tcp-echo-server)  # addresses: checked by listening on a free port for a moment
        [ "$value" = "unix:" ] && continue
        status=0
        timeout 0.5 "$program" "$option" "$value" 0 x >/dev/null 2>&1 || status=$?
        [ "$status" = 124 ] || fail "tcp-echo-server $option $value exits ($status)" ;;
    esac
  done
  checked=$((checked + 1))
done < <(sed -nE 's/^ *([a-z-]+):(--[a-z-]+)\) values="([^"]*)".*/\1 \2 \3/p' \
           "$source_dir/completions/weir")
[ "$checked" -gt 0 ] || fail "no fixed values found in completions/weir"
# weir:--bind | tcp-echo-server:--listen style lines would be skipped above: none allowed.
! grep -qE '^ *[a-z-]+:--[a-z-]+ \|' "$source_dir/completions/weir" ||
  fail "one program:option per case line, please"
echo "completions: options of 3 programs and $checked value lists checked"
exit $failed
