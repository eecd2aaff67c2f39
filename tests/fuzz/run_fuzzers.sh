#!/usr/bin/env bash
# Runs every libFuzzer target of tests/fuzz for a bounded time over its corpus.
#
#   tests/fuzz/run_fuzzers.sh BUILD_DIR SECONDS
#
# BUILD_DIR was configured with -DCMAKE_CXX_COMPILER=clang++ -DWEIR_FUZZ=ON (the
# targets are built here if missing). Each target starts from a copy of its seed
# corpus (tests/fuzz/corpus/NAME), so new inputs land in BUILD_DIR/fuzz/NAME/corpus
# and the sources stay clean; crash, leak, timeout and OOM inputs are written to
# BUILD_DIR/fuzz/NAME/ as crash-*, leak-*, timeout-*, oom-*.
# Exit status: 0 if every target ran its time without a finding, 1 otherwise.
set -euo pipefail

if [[ $# -ne 2 || ! "$2" =~ ^[0-9]+$ || "$2" -eq 0 ]]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
seconds=$2
fuzz_dir=$(cd "$(dirname "$0")" && pwd)
targets=(tls_client_hello config_loader)

cmake --build "$build_dir" --target "${targets[@]/%/_fuzz}" >/dev/null

# Findings must fail the run: ASan's leak check on, UBSan aborts (built with
# -fno-sanitize-recover), symbolized stacks in the log.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

status=0
for target in "${targets[@]}"; do
  binary=$(find "$build_dir" -type f -name "${target}_fuzz" -perm -u+x | head -n 1)
  if [[ -z "$binary" ]]; then
    echo "FAIL $target: no ${target}_fuzz in $build_dir (configure with -DWEIR_FUZZ=ON)" >&2
    status=1
    continue
  fi
  work="$build_dir/fuzz/$target"
  mkdir -p "$work/corpus"
  cp -n "$fuzz_dir/corpus/$target/"* "$work/corpus/" 2>/dev/null || true
  log="$work/fuzz.log"
  # max_len: a whole TLS record plus change; config files are small.
  max_len=$([[ $target == tls_client_hello ]] && echo 20000 || echo 8192)
  echo "== $target: ${seconds}s, log $log"
  set +e
  # -timeout: one input taking longer is a finding; -rss_limit_mb: so is blowing up.
  # The outer `timeout` bounds libFuzzer itself should it fail to stop.
  timeout --kill-after=10 $((seconds + 60)) "$binary" "$work/corpus" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
    -artifact_prefix="$work/" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  if [[ $rc -ne 0 ]]; then
    echo "FAIL $target: exit $rc after ${runs:-?} executions; last lines of $log:" >&2
    tail -n 30 "$log" >&2
    ls "$work"/{crash,leak,timeout,oom}-* 2>/dev/null >&2 || true
    status=1
  else
    corpus_size=$(find "$work/corpus" -type f | wc -l)
    echo "ok   $target: ${runs:-?} executions, corpus $corpus_size inputs"
  fi
done
exit $status
