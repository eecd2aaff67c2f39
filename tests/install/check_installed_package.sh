#!/usr/bin/env bash
# make install works for packagers and for people who embed Weir: `make install`
# into a staging DESTDIR (PREFIX /usr/local, as a package build would), every file
# in place, then examples/testing built on its own against that tree with
# find_package(Weir), and its tests run.
# Usage: check_installed_package.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build="$(cd "$1" && pwd)"
source="$2"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

# The Makefile's target, as a user runs it; not the make that may be running ctest.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
  make -s -C "$source" install BUILD_DIR="$build" DESTDIR="$stage/root" PREFIX=/usr/local >/dev/null
prefix="$stage/root/usr/local"
for installed in bin/weir bin/tcp-echo-server bin/tcp-echo-client include/weir/proxy.h \
                 include/weir/echo_server.h include/weir/binomial_interval.h \
                 lib/cmake/Weir/WeirConfig.cmake lib/cmake/Weir/WeirConfigVersion.cmake \
                 lib/cmake/Weir/WeirTargets.cmake \
                 share/bash-completion/completions/weir \
                 share/bash-completion/completions/tcp-echo-server \
                 share/bash-completion/completions/tcp-echo-client \
                 share/doc/weir/LICENSE share/doc/weir/CHANGELOG.md share/doc/weir/README.md; do
  [ -e "$prefix/$installed" ] || { echo "not installed: $installed" >&2; exit 1; }
done
# DESTDIR stages only: nothing outside it.
[ -z "$(find "$stage/root" -mindepth 1 -maxdepth 1 ! -name usr)" ] ||
  { echo "installed outside PREFIX:" "$(ls "$stage/root")" >&2; exit 1; }
"$prefix/bin/weir" --version >/dev/null

cmake -S "$source/examples/testing" -B "$stage/example-build" \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$stage/example-build" -j "$(nproc)" >/dev/null
cd "$stage/example-build"
ctest --output-on-failure --timeout 120
