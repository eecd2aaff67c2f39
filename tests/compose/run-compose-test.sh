#!/usr/bin/env bash
# make test-compose: the docker compose demo, really built and really run.
#
#   tests/compose/run-compose-test.sh [BUILD_DIR]      (as root, Debian 12)
#
#  1. installs docker.io, docker-compose and debootstrap if they are missing;
#  2. starts a private dockerd: its own data root, exec root, socket, pid file and
#     config under a temporary folder, no bridge, no iptables, no ip_forward; it
#     is stopped by PID at the end whatever happens, what it mounted is unmounted
#     and the folder removed;
#  3. if debian:bookworm / debian:bookworm-slim are missing (Docker Hub is not
#     reachable), makes them with debootstrap --variant=minbase from the Debian
#     archive that this machine's apt sources name, and docker import; the root
#     file systems are cached as tarballs in $WEIR_COMPOSE_CACHE
#     (default /var/cache/weir-compose-test; delete it to start over);
#  4. builds the image (Dockerfile) with the classic builder, build network host;
#  5. brings docker-compose.yml up with tests/compose/docker-compose.host.yml
#     (host networking, everything on 127.0.0.1, ports 19000-19002 and 19500) and
#     waits, bounded, until weir answers through both subsets;
#  6. sends 1,000 connections through weir with the image's tcp-echo-client,
#     checks the 80/20 split (binomial 99.9% interval), no errors, then
#     `docker-compose down` and checks that nothing of the project is left;
#  7. prints each step's time (budget: 6 minutes on a fresh machine).
# Exits non-zero on any failure, after printing the containers' and dockerd's logs.
# BUILD_DIR (default build/) holds the host's tcp-echo-client, used for the
# readiness probe.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build_dir="${1:-$repo/build}"
cache="${WEIR_COMPOSE_CACHE:-/var/cache/weir-compose-test}"
project=weircomposetest
image=weir:local
suite=bookworm
# The ports of tests/compose/docker-compose.host.yml.
weir_port=19000
echo_v1_port=19001
echo_v2_port=19002
admin_port=19500
# 1,000 connections at 80/20: sd = sqrt(1000 * 0.8 * 0.2) = 12.65; the two-sided
# 99.9% interval is 800 +/- 3.29 sd = 800 +/- 41.6, so `one` in [759, 841].
connections=1000
one_low=759
one_high=841
budget_seconds=360

export DEBIAN_FRONTEND=noninteractive
export COMPOSE_PROJECT_NAME="$project"
export DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0
unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH

# The script's own output, kept on fds 8 and 9 for the cleanup: a signal can
# run it while a command's output is redirected to a log file.
exec 8>&1 9>&2
say() { printf '[compose-test] %s\n' "$*"; }
fail() { say "FAILED: $*" >&2; exit 1; }
# Long commands run in the background and are waited for, so that a signal
# (Ctrl-C, CI's timeout) runs the cleanup at once instead of after the command.
child_pid=""
run() {
  local status=0
  "$@" &
  child_pid=$!
  wait "$child_pid" || status=$?
  child_pid=""
  return "$status"
}

# ---- step timing ------------------------------------------------------------
script_start=$(date +%s.%N)
step_start=$script_start
step_name=""
step_names=()
step_times=()
finish_step() {
  [ -n "$step_name" ] || return 0
  local now elapsed
  now=$(date +%s.%N)
  elapsed=$(awk -v a="$step_start" -v b="$now" 'BEGIN { printf "%.1f", b - a }')
  step_names+=("$step_name")
  step_times+=("$elapsed")
  say "step '$step_name' took ${elapsed}s"
  step_name=""
}
step() {
  finish_step
  step_name="$1"
  step_start=$(date +%s.%N)
  say "== step $(( ${#step_names[@]} + 1 )): $1"
}
print_times() {
  local i total
  say "step times:"
  for i in "${!step_names[@]}"; do
    printf '[compose-test]   %-44s %7ss\n' "${step_names[$i]}" "${step_times[$i]}"
  done
  total=$(awk -v a="$script_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  printf '[compose-test]   %-44s %7ss\n' "total" "$total"
  if awk -v t="$total" -v b="$budget_seconds" 'BEGIN { exit !(t > b) }'; then
    say "WARNING: over the budget of ${budget_seconds}s"
  fi
}

# ---- cleanup, whatever happens ----------------------------------------------
tmp=""
dockerd_pid=""
compose_started=0
policy_rc_created=0
cgroup_parent="weir-compose-test-$$"
# What dockerd 20.10 and containerd's shims create outside their roots whatever
# the flags (/etc/docker/key.json, /run/docker/plugins, /run/containerd/s):
# remove them at the end unless they were there before.
had_key_json=0
[ -e /etc/docker/key.json ] && had_key_json=1
had_run_containerd=0
[ -e /run/containerd ] && had_run_containerd=1
had_run_docker=0
[ -e /run/docker ] && had_run_docker=1

# PIDs of processes whose command line names $1 (our private paths only).
pids_naming() {
  local dir pid
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    [ "$pid" != "$$" ] || continue
    if tr '\0' ' ' 2>/dev/null <"$dir/cmdline" | grep -qF -- "$1"; then
      echo "$pid"
    fi
  done
}
mounts_under() {  # mount points under $1, deepest first
  awk -v root="$1" 'index($2, root "/") == 1 || $2 == root { print $2 }' /proc/self/mounts |
    sort -r
}
print_logs() {
  if [ "$compose_started" = 1 ] && [ -n "$dockerd_pid" ] && kill -0 "$dockerd_pid" 2>/dev/null; then
    say "---- docker-compose ps"
    compose ps 2>&1 || true
    local service id
    for service in echo-v1 echo-v2 weir; do
      id="$(compose ps -q "$service" 2>/dev/null)" || true
      [ -n "$id" ] || continue
      say "---- $service: standard error (its log)"
      docker logs --timestamps "$id" 2>&1 >/dev/null | tail -n 100
      say "---- $service: standard output, last 20 lines (weir: the access log)"
      docker logs --tail 20 "$id" 2>/dev/null
    done
  fi
  if [ -n "$tmp" ] && [ -f "$tmp/dockerd.log" ]; then
    say "---- dockerd log (last 40 lines that are not level=info)"
    grep -v 'level=info' "$tmp/dockerd.log" | tail -n 40 || true
  fi
}
cleanup() {
  local status=$? pid
  trap - EXIT INT TERM
  set +e
  exec 1>&8 2>&9
  if [ -n "$child_pid" ]; then
    kill -TERM "$child_pid" 2>/dev/null
    wait "$child_pid" 2>/dev/null
  fi
  finish_step
  if [ "$status" != 0 ]; then
    say "failed (exit status $status)"
    print_logs
  fi
  if [ "$policy_rc_created" = 1 ]; then
    rm -f /usr/sbin/policy-rc.d
  fi
  if [ "$compose_started" = 1 ] && kill -0 "$dockerd_pid" 2>/dev/null; then
    compose down --timeout 5 --remove-orphans >/dev/null 2>&1
  fi
  if [ -n "$dockerd_pid" ]; then
    kill -TERM "$dockerd_pid" 2>/dev/null
    for _ in $(seq 1 100); do
      kill -0 "$dockerd_pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$dockerd_pid" 2>/dev/null; then
      say "dockerd did not stop in 20s; killing it"
      kill -KILL "$dockerd_pid" 2>/dev/null
    fi
    wait "$dockerd_pid" 2>/dev/null
  fi
  if [ -n "$tmp" ]; then
    # containerd and shims that dockerd started name our exec root; normally they
    # are gone with dockerd.
    for pid in $(pids_naming "$tmp/"); do
      say "stopping leftover process $pid: $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")"
      kill -KILL "$pid" 2>/dev/null
    done
    # dockerd leaves at least the host network namespace's nsfs mount behind.
    for mount_point in $(mounts_under "$tmp"); do
      say "unmounting ${mount_point#"$tmp"/}"
      umount "$mount_point" 2>/dev/null || umount -l "$mount_point" 2>/dev/null ||
        say "cannot unmount $mount_point"
    done
    if [ -z "$(mounts_under "$tmp")" ]; then
      rm -rf --one-file-system "$tmp"
    else
      say "mounts remain under $tmp; not removing it"
      status=1
    fi
  fi
  for dir in /sys/fs/cgroup/*/"$cgroup_parent" /sys/fs/cgroup/"$cgroup_parent"; do
    [ -d "$dir" ] && rmdir "$dir" 2>/dev/null
  done
  if [ -n "$dockerd_pid" ]; then
    [ "$had_key_json" = 1 ] || rm -f /etc/docker/key.json
    [ "$had_run_containerd" = 1 ] || rmdir /run/containerd/s /run/containerd 2>/dev/null
    [ "$had_run_docker" = 1 ] || rmdir /run/docker/plugins /run/docker 2>/dev/null
  fi
  print_times
  if [ "$status" = 0 ]; then
    say "PASSED"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ "$(id -u)" = 0 ] || fail "run as root: it installs packages and starts a private dockerd"

# ---- 1. packages --------------------------------------------------------------
step "install docker.io docker-compose debootstrap"
missing=()
for package in docker.io docker-compose debootstrap; do
  dpkg-query -W -f='${Status}\n' "$package" 2>/dev/null | grep -q '^install ok installed' ||
    missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing: ${missing[*]}"
  # Debian's docker.io would start the system's dockerd (with a bridge and
  # iptables rules); keep every service from starting during the install.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    policy_rc_created=1
  fi
  run apt-get update -qq
  run apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [ "$policy_rc_created" = 1 ]; then
    rm -f /usr/sbin/policy-rc.d
    policy_rc_created=0
  fi
else
  say "already installed"
fi
# Debian's client matches Debian's daemon; another `docker` may come first in PATH.
docker_cli=/usr/bin/docker
[ -x "$docker_cli" ] || docker_cli="$(command -v docker)"
docker() { "$docker_cli" "$@"; }
# The compose file the test brings up: docker-compose.yml with
# tests/compose/docker-compose.host.yml, merged by `docker-compose config` (step 5).
compose() {
  docker-compose --project-name "$project" --project-directory "$repo" \
    -f "$tmp/docker-compose.test.yml" "$@"
}

# Nothing may already listen on the test's ports.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$weir_port" "$echo_v1_port" "$echo_v2_port" "$admin_port"; do
  if port_open "$port"; then
    fail "port $port on 127.0.0.1 is busy; stop what listens there (ss -ltnp 'sport = :$port')"
  fi
done
client="$build_dir/echo/tcp-echo-client"
[ -x "$client" ] || fail "$client is missing; build first (make build)"

# ---- 2. private dockerd ----------------------------------------------------------
step "start a private dockerd"
tmp="$(mktemp -d /tmp/weir-compose.XXXXXX)"
mkdir -p "$tmp/data" "$tmp/exec"
echo '{}' >"$tmp/daemon.json"
dockerd \
  --config-file "$tmp/daemon.json" \
  --data-root "$tmp/data" \
  --exec-root "$tmp/exec" \
  --pidfile "$tmp/dockerd.pid" \
  -H "unix://$tmp/docker.sock" \
  --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
  --cgroup-parent "/$cgroup_parent" \
  >"$tmp/dockerd.log" 2>&1 &
dockerd_pid=$!
export DOCKER_HOST="unix://$tmp/docker.sock"
for _ in $(seq 1 150); do
  docker version >/dev/null 2>&1 && break
  kill -0 "$dockerd_pid" 2>/dev/null || fail "dockerd exited at start"
  sleep 0.2
done
docker version >/dev/null 2>&1 || fail "dockerd did not answer within 30s"
say "dockerd $(docker version --format '{{.Server.Version}}') (pid $dockerd_pid)," \
  "storage driver $(docker info --format '{{.Driver}}')"

# ---- 3. base images ---------------------------------------------------------------
step "base images debian:$suite and debian:$suite-slim"

# Every enabled `deb` source of this machine as "URI SUITE COMPONENT...", from
# /etc/apt/sources.list(.d/*.list) (one-line form) and .d/*.sources (deb822).
apt_sources() {
  local file
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] || continue
    sed -e 's/#.*//' -e 's/\[[^]]*\]//g' "$file" |
      awk '$1 == "deb" && NF >= 3 { $1 = ""; sub(/^ /, ""); print }'
  done
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    awk '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && enabled !~ /^(no|false|0)$/ && uris != "" && suites != "") {
          n = split(uris, u, " "); m = split(suites, s, " ")
          for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) print u[i], s[j], components
        }
        types = uris = suites = components = enabled = ""; key = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      /^[ \t]/ { if (key != "") value[key] = value[key] " " $0; next }
      {
        key = tolower(substr($0, 1, index($0, ":") - 1)); v = substr($0, index($0, ":") + 1)
        gsub(/^[ \t]+|[ \t]+$/, "", v)
        if (key == "types") types = v; else if (key == "uris") uris = v
        else if (key == "suites") suites = v; else if (key == "components") components = v
        else if (key == "enabled") enabled = tolower(v)
      }
      END { flush() }' "$file"
  done
}

# debootstrap once, keep both root file systems as tarballs.
make_base_tarballs() {
  local sources mirror rootfs
  sources="$(apt_sources |
    awk -v s="$suite" '($2 == s || $2 == s "-updates" || $2 == s "-security") && !seen[$0]++')"
  mirror="$(awk -v s="$suite" '$2 == s { print $1; exit }' <<<"$sources")"
  [ -n "$mirror" ] || fail "no 'deb' source for $suite in /etc/apt; cannot debootstrap"
  say "debootstrap --variant=minbase $suite from $mirror"
  rootfs="$tmp/rootfs"
  if ! run debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$tmp/debootstrap.log" 2>&1; then
    tail -n 30 "$tmp/debootstrap.log" >&2
    [ -f "$rootfs/debootstrap/debootstrap.log" ] && tail -n 30 "$rootfs/debootstrap/debootstrap.log" >&2
    fail "debootstrap failed"
  fi
  # The image's apt sources: this machine's Debian sources for the suite, its
  # updates and security suites (as the official images have), in deb822.
  rm -f "$rootfs/etc/apt/sources.list"
  awk '{ components = $3; for (i = 4; i <= NF; i++) components = components " " $i
         if (components == "") components = "main"
         printf "Types: deb\nURIs: %s\nSuites: %s\nComponents: %s\n", $1, $2, components
         print "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n" }' \
    <<<"$sources" >"$rootfs/etc/apt/sources.list.d/debian.sources"
  # As the official images: no downloaded .debs left in layers, no apt lists.
  cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin \
    "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/* "$rootfs"/tmp/* "$rootfs"/root/.cache
  : >"$rootfs/etc/hostname"
  : >"$rootfs/etc/resolv.conf"
  mkdir -p "$cache"
  tar --numeric-owner -C "$rootfs" -cf "$cache/$suite.tar.part" .
  # -slim as the official one: no documentation (copyright files kept), manual
  # pages or translations, and dpkg told to leave them out of later installs.
  find "$rootfs/usr/share/doc" -mindepth 1 -not -type d -not -name copyright -delete
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/groff/* \
    "$rootfs"/usr/share/lintian/* "$rootfs"/usr/share/linda/* "$rootfs"/usr/share/locale/*
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
DPKG
  tar --numeric-owner -C "$rootfs" -cf "$cache/$suite-slim.tar.part" .
  mv "$cache/$suite.tar.part" "$cache/$suite.tar"
  mv "$cache/$suite-slim.tar.part" "$cache/$suite-slim.tar"
  rm -rf --one-file-system "$rootfs"
}

base_missing=0
for tag in "$suite" "$suite-slim"; do
  docker image inspect "debian:$tag" >/dev/null 2>&1 || base_missing=1
done
if [ "$base_missing" = 1 ]; then
  if [ ! -s "$cache/$suite.tar" ] || [ ! -s "$cache/$suite-slim.tar" ]; then
    make_base_tarballs
  else
    say "using the cached root file systems in $cache"
  fi
  for tag in "$suite" "$suite-slim"; do
    run docker import --change 'CMD ["bash"]' "$cache/$tag.tar" "debian:$tag" >/dev/null
  done
fi
docker image ls --format '   {{.Repository}}:{{.Tag}} {{.Size}}' debian

# ---- 4. the image ------------------------------------------------------------------
step "docker build (classic builder, network host)"
if ! run docker build --network host --tag "$image" "$repo" >"$tmp/build.log" 2>&1; then
  tail -n 60 "$tmp/build.log" >&2
  fail "docker build failed"
fi
grep -E '^(Step|Successfully)' "$tmp/build.log" | sed 's/^/   /'
image_bytes=$(docker image inspect --format '{{.Size}}' "$image")
say "image $image: $(docker image ls --format '{{.Size}}' "$image")" \
  "($image_bytes bytes; base debian:$suite-slim" \
  "$(docker image ls --format '{{.Size}}' "debian:$suite-slim"))"

# ---- 5. compose up on host networking ----------------------------------------------
step "docker-compose up (host networking) and wait until ready"
docker-compose -f "$repo/docker-compose.yml" --project-directory "$repo" config -q ||
  fail "docker-compose.yml is not valid"
# docker-compose 1.29 cannot take a list out in an override, and it refuses
# published ports on host networking (where Docker would discard them anyway):
# drop `ports` from the merged configuration; the rest is exactly the two files.
docker-compose --project-name "$project" --project-directory "$repo" \
  -f "$repo/docker-compose.yml" -f "$repo/tests/compose/docker-compose.host.yml" \
  config >"$tmp/docker-compose.merged.yml" ||
  fail "docker-compose.yml with tests/compose/docker-compose.host.yml is not valid"
/usr/bin/python3 -c '
import sys, yaml
config = yaml.safe_load(sys.stdin)
for service in config["services"].values():
    assert service.get("network_mode") == "host", "every service must be on host networking"
    service.pop("ports", None)
yaml.safe_dump(config, sys.stdout, default_flow_style=False)
' <"$tmp/docker-compose.merged.yml" >"$tmp/docker-compose.test.yml"
compose config -q
compose_started=1
run compose up -d --no-build

# Bounded wait: the echo servers and the admin port listen, /ready says 200, then
# probes through weir reach both subsets without an error.
ready_status() {  # HTTP status of GET /ready on the admin port
  local status=""
  exec 3<>"/dev/tcp/127.0.0.1/$admin_port" || return 1
  printf 'GET /ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
  read -r -t 5 _ status _ <&3 || true
  exec 3<&-
  echo "$status"
}
deadline=$((SECONDS + 60))
ready=0
while [ "$SECONDS" -lt "$deadline" ]; do
  if port_open "$echo_v1_port" && port_open "$echo_v2_port" && port_open "$weir_port" &&
     [ "$(ready_status 2>/dev/null)" = 200 ]; then
    if probe="$("$client" "127.0.0.1:$weir_port" -n 50 -c 5 --timeout-ms 2000 2>&1)" &&
       grep -q '^one ' <<<"$probe" && grep -q '^two ' <<<"$probe"; then
      ready=1
      break
    fi
  fi
  exited="$(docker ps -a --filter "label=com.docker.compose.project=$project" \
    --filter status=exited --filter status=dead --format '{{.Names}}')"
  [ -z "$exited" ] || fail "container(s) stopped: $exited"
  sleep 0.5
done
[ "$ready" = 1 ] || fail "weir did not answer through both subsets within 60s${probe:+; last probe: $probe}"
say "ready: echo-v1 :$echo_v1_port, echo-v2 :$echo_v2_port, weir :$weir_port, admin :$admin_port"
compose ps

# ---- 6. the split ------------------------------------------------------------------
step "$connections connections through weir"
# What the README (With docker compose) tells users to type, with the test's port.
if command -v nc >/dev/null; then
  answer="$( (date; sleep 1) | timeout 10 nc -N localhost "$weir_port")" ||
    fail "(date; sleep 1) | nc -N localhost $weir_port failed"
  say "(date; sleep 1) | nc -N localhost $weir_port -> $answer"
  grep -Eq '^(one|two) ' <<<"$answer" || fail "unexpected answer: $answer"
fi
set +e
result="$(docker run --rm --network host "$image" \
  tcp-echo-client "127.0.0.1:$weir_port" -n "$connections" -c 20 2>&1)"
client_status=$?
set -e
sed 's/^/   /' <<<"$result"
[ "$client_status" = 0 ] || fail "tcp-echo-client exited with $client_status"
count() { awk -v word="$1" '$1 == word { print $2; found = 1 } END { if (!found) print 0 }' <<<"$result"; }
one=$(count one)
two=$(count two)
errors=$(count errors)
[ "$errors" = 0 ] || fail "$errors connections failed"
[ "$one" -gt 0 ] && [ "$two" -gt 0 ] || fail "both prefixes must appear (one=$one two=$two)"
[ $((one + two)) = "$connections" ] || fail "one + two = $((one + two)), not $connections"
if [ "$one" -lt "$one_low" ] || [ "$one" -gt "$one_high" ]; then
  fail "one=$one is outside [$one_low, $one_high], the 99.9% interval of an 80/20 split"
fi
say "split OK: one=$one two=$two errors=0 (one within [$one_low, $one_high])"

step "docker-compose down, nothing left"
run compose down --timeout 10 --remove-orphans
compose_started=0
left="$(docker ps -a -q --filter "label=com.docker.compose.project=$project")"
[ -z "$left" ] || fail "containers left after down: $left"
left="$(docker ps -q)"
[ -z "$left" ] || fail "containers still running after down: $left"
left="$(docker network ls -q --filter "label=com.docker.compose.project=$project")"
[ -z "$left" ] || fail "networks left after down: $left"
for port in "$weir_port" "$echo_v1_port" "$echo_v2_port" "$admin_port"; do
  ! port_open "$port" || fail "something still listens on 127.0.0.1:$port after down"
done
say "no container, network or listener of the project is left"
finish_step
