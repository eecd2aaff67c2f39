#!/usr/bin/env bash
# Runs every case of the conformance corpus (tests/conformance/NNN-name/) through
# `weir --validate` and compares Weir's verdict and wording with Istio's.
#
# A case folder holds config.yaml (a complete configuration: Weir validates a
# whole set of objects, Istio one object at a time, so each case carries the
# scaffold that makes everything else in it valid) and CASE, lines of `key: value`:
#   source:  the Istio test it is ported from (file, test function, case name)
#   istio:   valid | invalid          Istio's verdict
#   message: Istio's words, which Weir's errors must contain (invalid cases)
#   weir:    valid | invalid          only where Weir deliberately differs; then
#   why:     the reason, as docs/behaviour.md gives it
# A case agrees when Weir's verdict is Istio's and, for a refusal, one of Weir's
# errors contains Istio's message. It passes when it agrees, or when it differs
# exactly as its `weir:` line declares (`weir: invalid` on a case Istio refuses
# too: Weir refuses it in its own words). The run fails if any case does neither.
#
# Usage: run_conformance.sh WEIR_BINARY [CORPUS_DIR] [CASE_NAME_FILTER]
set -uo pipefail
weir=${1:?usage: run_conformance.sh WEIR_BINARY [CORPUS_DIR] [FILTER]}
corpus=${2:-$(dirname "$0")}
filter=${3:-}

field() {  # field NAME FILE: the value of the first `NAME:` line
  sed -n "s/^$1:[[:space:]]*//p" "$2" | head -n 1
}

total=0 agree=0 deliberate=0 failed=0
refusals=0 worded=0
failures=()
for case_dir in "$corpus"/[0-9]*/; do
  case_dir=${case_dir%/}
  name=$(basename "$case_dir")
  [[ -n $filter && $name != *$filter* ]] && continue
  case_file=$case_dir/CASE
  if [[ ! -f $case_file || ! -f $case_dir/config.yaml ]]; then
    failures+=("$name: needs CASE and config.yaml")
    failed=$((failed + 1)); continue
  fi
  istio=$(field istio "$case_file")
  message=$(field message "$case_file")
  declared=$(field weir "$case_file")
  if [[ $istio != valid && $istio != invalid ]] || [[ $istio == invalid && -z $message ]]; then
    failures+=("$name: CASE needs 'istio: valid|invalid' and, when invalid, 'message:'")
    failed=$((failed + 1)); continue
  fi
  total=$((total + 1))
  output=$(timeout 20 "$weir" --validate -c "$case_dir/config.yaml" 2>&1)
  status=$?
  case $status in
    0) verdict=valid ;;
    1) verdict=invalid ;;
    *) verdict="crashed (exit $status)" ;;
  esac
  errors=$(grep -v '^warning: ' <<<"$output")
  if [[ $istio == invalid ]]; then
    refusals=$((refusals + 1))
  fi
  if [[ $verdict == "$istio" ]]; then
    if [[ $istio == valid ]] || grep -qF -- "$message" <<<"$errors"; then
      agree=$((agree + 1))
      [[ $istio == invalid ]] && worded=$((worded + 1))
      if [[ -n $declared ]]; then
        failures+=("$name: agrees with Istio now; drop its 'weir:' line")
        failed=$((failed + 1))
      fi
      continue
    fi
    if [[ $declared == invalid ]]; then
      deliberate=$((deliberate + 1)); continue
    fi
    failures+=("$name: refused as Istio does, but without Istio's words \"$message\":"$'\n'"$output")
    failed=$((failed + 1)); continue
  fi
  if [[ -n $declared && $verdict == "$declared" ]]; then
    deliberate=$((deliberate + 1)); continue
  fi
  failures+=("$name: Istio says $istio, Weir says $verdict${message:+ (Istio: \"$message\")}:"$'\n'"$output")
  failed=$((failed + 1))
done

for failure in "${failures[@]}"; do
  echo "DISAGREE $failure"
  echo
done
echo "conformance: $agree/$total agree with Istio ($worded/$refusals refusals in Istio's words," \
     "$deliberate deliberate differences, $failed unexplained)"
[[ $total -gt 0 && $failed -eq 0 ]]
