#!/usr/bin/env bash
# Builds Weir every standard way, as someone who just cloned it would, and fails on
# the first configuration that does not build:
#   gcc-release  cmake -DCMAKE_BUILD_TYPE=Release, defaults (no -Werror), everything
#   gcc-debug    cmake -DCMAKE_BUILD_TYPE=Debug, defaults, everything
#   clang        clang++-14, RelWithDebInfo, -DWEIR_WERROR=ON, everything (tests too)
# GCC RelWithDebInfo with -Werror is make test's own build, so it is not repeated;
# a configuration that builds with -Werror builds without it too.
# With ccache installed, it is the compiler launcher (a second run mostly hits it).
# Usage: build_matrix.sh MATRIX_DIR JOBS [NAME...]   (default: every configuration)
set -euo pipefail
cd "$(dirname "$0")/../.."
matrix="$1"
jobs="$2"
shift 2
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(gcc-release gcc-debug clang)

launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi

for name in "${names[@]}"; do
  case "$name" in
    gcc-release) flags=(-DCMAKE_BUILD_TYPE=Release) ;;
    gcc-debug)   flags=(-DCMAKE_BUILD_TYPE=Debug) ;;
    clang)       flags=(-DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo
                        -DWEIR_WERROR=ON) ;;
    *) echo "build_matrix: unknown configuration $name" >&2; exit 2 ;;
  esac
  dir="$matrix/$name"
  echo "== $name: cmake -B $dir ${flags[*]}"
  start=$(date +%s)
  rm -rf "$dir" && mkdir -p "$matrix"
  if ! cmake -S . -B "$dir" "${flags[@]}" "${launcher[@]}" >"$matrix/$name.log" 2>&1 ||
     ! cmake --build "$dir" -j "$jobs" >>"$matrix/$name.log" 2>&1; then
    grep -E 'error|Error' "$matrix/$name.log" | head -20 >&2
    echo "build_matrix: $name failed; the whole log is $matrix/$name.log" >&2
    exit 1
  fi
  warnings=$(grep -c 'warning:' "$matrix/$name.log" || true)
  echo "   built in $(( $(date +%s) - start ))s, $warnings warning(s) (log: $matrix/$name.log)"
done
