#!/usr/bin/env python3
"""Weir's benchmark: direct, weir, HAProxy and nginx (stream), one after the other, on
the same load. `make bench` builds in Release and runs this; see bench/README.md.

Weir runs once with its defaults and once per data path (`weir-copy`, `weir-splice`, ...:
systems.WEIR_DATA_PATHS). For each system: (1) connection rate, (2) small messages, (3)
bulk to a sink, (4) idle memory, (5) proxy CPU per exchange/message, (6) the 80/20 split.
Prints one Markdown table and PASS/FAIL against the targets of issue 18; with --output,
also writes the report there and a plot of the small-message figures beside it (SVG).
"""
import argparse
import os
import resource
import shlex
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import machine, plot, report, runs, systems  # noqa: E402
from benchlib.upstreams import Upstreams  # noqa: E402

REPOSITORY = Path(__file__).resolve().parent.parent
# Descriptors a proxy needs besides two per connection (listeners, epoll, pipes, logs).
PROXY_SPARE_FILES = 200


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default="build-release",
                        help="CMake build with weir, tcp-echo-server, weir-loadgen (default: %(default)s)")
    default_systems = ",".join(["direct", "weir", *(f"weir-{path}" for path in systems.WEIR_DATA_PATHS),
                                "haproxy", "nginx"])
    parser.add_argument("--systems", default=default_systems,
                        help="comma-separated, in order (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure; the median is shown")
    parser.add_argument("--duration-ms", type=int, default=3000, help="length of a run of tests 1 and 2")
    parser.add_argument("--bulk-bytes", type=int, default=2 << 30, help="bytes of a bulk run (test 3)")
    parser.add_argument("--idle-connections", type=int, default=10000,
                        help="connections held in test 4 (lowered if the open-file limit is too small)")
    parser.add_argument("--output", type=Path, help="also write the report to this file")
    parser.add_argument("--plot", type=Path,
                        help="write the SVG plot here (default with --output: beside it, "
                             "results.svg)")
    parser.add_argument("--check", action="store_true", help="exit 1 unless every target passes")
    arguments = parser.parse_args()
    if arguments.runs < 1 or arguments.duration_ms < 100 or arguments.bulk_bytes < 1:
        parser.error("--runs >= 1, --duration-ms >= 100 and --bulk-bytes >= 1 please")
    return arguments


def raise_open_files():
    """Soft RLIMIT_NOFILE up to the hard limit, for this script's children (the proxies);
    returns the limit they get."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


class CpuAccount:
    """How busy the machine was while the benchmark ran, and how much of that was not the
    benchmark: /proc/stat's busy time minus the CPU time of this script and every process
    it started and waited for (rusage of children includes their waited-for children, so
    nginx's workers too). The hypervisor's steal is reported apart."""

    def __init__(self):
        self._start = self._sample()

    @staticmethod
    def _sample():
        with open("/proc/stat") as stat:
            user, nice, system, idle, iowait, irq, softirq, steal = (
                int(value) for value in stat.readline().split()[1:9])
        ticks = os.sysconf("SC_CLK_TCK")
        ours = 0.0
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
            usage = resource.getrusage(who)
            ours += usage.ru_utime + usage.ru_stime
        busy = (user + nice + system + irq + softirq) / ticks
        everything = (user + nice + system + idle + iowait + irq + softirq + steal) / ticks
        return busy, steal / ticks, everything, ours

    def summary(self):
        busy, steal, everything, ours = (now - then for now, then in zip(self._sample(), self._start))
        others = max(0.0, busy - ours)
        return (f"other processes used {others / everything:.1%} of the machine's CPU time "
                f"meanwhile and the hypervisor stole {steal / everything:.1%} (/proc/stat); "
                f"more than a few percent disturbs the figures")


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def summary(test, result):
    kinds = f" {result.get('error_kinds')}" if result.get("errors") else ""
    return _figures(test, result) + kinds


def _figures(test, result):
    if test in ("connrate", "pingpong"):
        cpu = result.get("cpu_us_per_unit")
        cpu_text = f", CPU {cpu:.2f} µs each" if cpu is not None else ""
        return (f"{result['rate_per_s']:,.0f}/s, p50 {result['p50_us']} µs, p99 {result['p99_us']} µs"
                f"{cpu_text}, answers {result['answers']}, errors {result['errors']}")
    if test == "bulk":
        return f"{result['gbit_per_s']:.2f} Gbit/s, confirmed {result['bytes_confirmed']}, errors {result['errors']}"
    return (f"{result['kib_per_connection']:.2f} KiB/connection ({result['ready']:,} held, RSS "
            f"{result['rss_before_kib']:,} → {result['rss_held_kib']:,} KiB), errors {result['errors']}")


def measure(system, start_upstreams, runner, runs_per_figure, workdir):
    """All tests on one system. Every run starts afresh: new upstreams on new ports (no
    TIME_WAIT left by the previous run towards them) and a new system process for each
    test, so the runs are separate samples, not repeats against one process that keeps
    whatever state it started in. Test 4 needs a fresh proxy anyway: an allocator keeps
    what earlier connections used, which would hide the growth being measured."""
    results = {"connrate": [], "pingpong": [], "bulk": [], "idle": []}

    def record(test, run, result):
        results[test].append(result)
        log(f"{system.name} {test} {run + 1}/{runs_per_figure}: {summary(test, result)}")

    def started(upstream_ports, test):
        port = system.start(upstream_ports, workdir)
        try:
            return test(system, port)
        finally:
            system.stop()

    for run in range(runs_per_figure):
        with start_upstreams() as upstreams:
            record("connrate", run, started(upstreams.echo_ports, runner.connection_rate))
            record("pingpong", run, started(upstreams.echo_ports, runner.small_messages))
            record("bulk", run, started(upstreams.sink_ports, runner.bulk))
            if system.is_proxy:
                record("idle", run, started(upstreams.echo_ports, runner.idle_memory))
    return results


def main():
    arguments = parse_arguments()
    started = time.monotonic()
    build = Path(arguments.build_dir).resolve()
    binaries = {"weir": build / "proxy" / "weir", "echo": build / "echo" / "tcp-echo-server",
                "loadgen": build / "bench" / "weir-loadgen"}
    for name, path in binaries.items():
        if not os.access(path, os.X_OK):
            sys.exit(f"run_bench: {path} is missing; build first (make bench does)")

    open_files = raise_open_files()
    notes = []
    idle_connections = arguments.idle_connections
    most = (open_files - PROXY_SPARE_FILES) // 2
    if idle_connections > most:
        notes.append(f"test 4 holds {most:,} connections, not {idle_connections:,}: the open-file "
                     f"hard limit here is {open_files:,} and a proxy needs two descriptors per "
                     f"connection (raise it with `ulimit -Hn` as root for the full count)")
        idle_connections = most

    wanted = [name.strip() for name in arguments.systems.split(",") if name.strip()]
    # HAProxy refuses to start unless 2 × maxconn + ~20 descriptors fit under the limit.
    haproxy_maxconn = min(100_000, (open_files - 20) // 2)
    under_test, skipped = systems.available_systems(binaries["weir"], haproxy_maxconn, open_files,
                                                    wanted)
    settings = {"runs": arguments.runs, "duration_ms": arguments.duration_ms,
                "bulk_bytes": arguments.bulk_bytes, "idle_connections": idle_connections,
                "clients": runs.CLIENTS, "message_bytes": runs.MESSAGE_BYTES,
                "threads": runs.LOADGEN_THREADS, "notes": notes}
    description = machine.describe(REPOSITORY, binaries["weir"], under_test)
    command = shlex.join([Path(sys.executable).name, *sys.argv])
    for name, reason in skipped.items():
        log(f"skipping {name}: {reason}")

    results, failures = {}, {}
    with tempfile.TemporaryDirectory(prefix="weir-bench-") as temporary:
        workdir = Path(temporary)
        runner = runs.Runner(binaries["loadgen"], arguments.duration_ms, arguments.bulk_bytes,
                             idle_connections, workdir)
        account = CpuAccount()

        def start_upstreams():
            return Upstreams(binaries["echo"], binaries["loadgen"], workdir)

        for system in under_test:
            log(f"== {system.name}")
            try:
                results[system.name] = measure(system, start_upstreams, runner, arguments.runs,
                                               workdir)
            except Exception as error:  # one broken system must not lose the others' figures
                failures[system.name] = f"{type(error).__name__}: {error}"
                log(f"{system.name} failed:\n{traceback.format_exc()}")
                system.stop()
        load = account.summary()

    elapsed = time.monotonic() - started
    settings["notes"].append(f"the measurements took {elapsed:.0f} s; {load}")
    plot_path = arguments.plot or (arguments.output.parent / "results.svg" if arguments.output else None)
    plot_link = None
    if plot_path:
        plot_path.write_text(plot.render_svg(results, "Weir's data paths, HAProxy and nginx: "
                                                      "64-byte messages, 50 connections"))
        log(f"plot written to {plot_path}")
        if arguments.output:
            plot_link = os.path.relpath(plot_path.resolve(), arguments.output.resolve().parent)
    text = report.render(results, settings, description, command, skipped, failures, plot_link)
    print(text)
    if arguments.output:
        arguments.output.write_text(text)
        log(f"report written to {arguments.output}")
    if failures:
        return 1
    if arguments.check and not all(verdict for _, checks in report.all_targets(results)
                                   for verdict, _ in checks):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
