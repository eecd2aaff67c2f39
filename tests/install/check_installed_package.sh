#!/usr/bin/env bash
# make install works for people who embed Weir: install the build into a temporary
# prefix, then build examples/testing on its own against that prefix with
# find_package(Weir), and run its tests.
# Usage: check_installed_package.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build="$1"
source="$2"
prefix="$(mktemp -d)"
trap 'rm -rf "$prefix"' EXIT

cmake --install "$build" --prefix "$prefix" >/dev/null
for installed in bin/weir bin/tcp-echo-server bin/tcp-echo-client include/weir/proxy.h \
                 include/weir/echo_server.h include/weir/binomial_interval.h \
                 lib/cmake/Weir/WeirConfig.cmake; do
  [ -e "$prefix/$installed" ] || { echo "not installed: $installed" >&2; exit 1; }
done
cmake -S "$source/examples/testing" -B "$prefix/example-build" \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$prefix/example-build" -j "$(nproc)" >/dev/null
cd "$prefix/example-build"
ctest --output-on-failure --timeout 120
