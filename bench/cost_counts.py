#!/usr/bin/env python3
"""What a proxied connection and a proxied message cost, counted rather than timed:
system calls (strace -c), context switches (/proc/PID/task/*/status), heap allocations
(a uprobe on libc's malloc, `perf stat`) and CPU time, per exchange of the connection-rate
load and per message of the small-message load, for weir (each data path, and with its
access log on in text and JSON) and the peers. For bench/PROFILE.md; counts do not
depend on what else the machine is running, timings do.

    python3 bench/cost_counts.py --build-dir build-release [--systems weir,nginx] [--seconds 3]

As root (strace and perf attach to the proxy). Each count comes from its own run of the
load, so the tracer's slowdown does not leak into the CPU and context-switch figures.
"""
import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import processes, runs, systems  # noqa: E402
from benchlib.upstreams import Upstreams  # noqa: E402

LIBC = "/lib/x86_64-linux-gnu/libc.so.6"
# libc functions counted with a uprobe each: heap allocations (operator new calls
# malloc), mutex locks (libevent's, when a loop has them) and clock reads.
PROBES = ["malloc", "pthread_mutex_lock", "clock_gettime"]


def weir_variants(binary, workdir):
    """The weir configurations counted: every data path, then the access log's cost."""
    variants = [systems.Weir(binary, f"weir-{path}", flags)
                for path, flags in systems.WEIR_DATA_PATHS.items()]
    log = str(workdir / "access.log")
    variants.append(systems.Weir(binary, "weir-log-text", access_log=log))
    variants.append(systems.Weir(binary, "weir-log-json", ["--access-log-format", "json"],
                                 access_log=log))
    return variants


def task_ids(pids):
    return [int(task) for pid in pids for task in os.listdir(f"/proc/{pid}/task")]


def context_switches(pids):
    """Voluntary and involuntary context switches of every thread of the processes."""
    total = 0
    for pid in pids:
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{task}/status") as status:
                    for line in status:
                        if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                            total += int(line.split()[1])
            except OSError:
                pass  # a thread that ended meanwhile
    return total


def load(runner, mode, system, port):
    return (runner.connection_rate if mode == "connrate" else runner.small_messages)(system, port)


def units_of(mode, result):
    return result["exchanges" if mode == "connrate" else "messages"]


def plain_run(runner, mode, system, port):
    """CPU and context switches per unit, nothing attached."""
    pids = system.pids()
    switches = context_switches(pids)
    result = load(runner, mode, system, port)
    units = units_of(mode, result)
    return {"cpu_us": result["cpu_us_per_unit"], "switches": (context_switches(pids) - switches) / units}


def strace_run(runner, mode, system, port, workdir):
    """System calls per unit, by name (strace -c -f on every thread)."""
    out = workdir / "strace.txt"
    argv = ["strace", "-c", "-f", "-o", str(out)]
    for task in task_ids(system.pids()):
        argv += ["-p", str(task)]
    tracer = subprocess.Popen(argv, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    result = load(runner, mode, system, port)
    tracer.send_signal(2)
    tracer.wait(30)
    units = units_of(mode, result)
    calls = {}
    for line in out.read_text().splitlines():
        fields = line.split()
        if len(fields) >= 5 and fields[-1] not in ("total", "syscall") and fields[3].isdigit():
            calls[fields[-1]] = int(fields[3]) / units
    return calls


def probe_run(runner, mode, system, port, probes):
    """Calls of each probed libc function per unit."""
    argv = ["perf", "stat", "-x", ",", "-e", ",".join(f"probe_libc:{name}" for name in probes),
            "-p", ",".join(map(str, system.pids()))]
    counter = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True)
    time.sleep(0.3)
    result = load(runner, mode, system, port)
    counter.send_signal(2)
    _, err = counter.communicate(timeout=30)
    counts = {}
    for name in probes:
        match = re.search(rf"^(\d+),[^\n]*probe_libc:{name}\b", err, re.MULTILINE)
        counts[name] = int(match.group(1)) / units_of(mode, result) if match else None
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default="build-release")
    parser.add_argument("--systems", default="weir,nginx,haproxy",
                        help="weir (every variant below), weir-copy, weir-splice, weir-log-text, "
                             "weir-log-json, nginx, haproxy")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--weir", type=Path, help="the weir binary (default: BUILD_DIR/proxy/weir)")
    arguments = parser.parse_args()
    build = Path(arguments.build_dir).resolve()
    weir_binary = arguments.weir.resolve() if arguments.weir else build / "proxy" / "weir"
    wanted = arguments.systems.split(",")
    for name in PROBES:
        subprocess.run(["perf", "probe", "-x", LIBC, "--add", name], capture_output=True)
    listed = subprocess.run(["perf", "probe", "-l"], capture_output=True, text=True).stdout
    probes = [name for name in PROBES if f"probe_libc:{name} " in listed]
    rows = []
    with tempfile.TemporaryDirectory(prefix="weir-costs-") as temporary:
        workdir = Path(temporary)
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        under_test, skipped = systems.available_systems(
            weir_binary, (hard - 20) // 2, hard,
            [name for name in wanted if not name.startswith("weir")])
        for name, reason in skipped.items():
            print(f"skipping {name}: {reason}", file=sys.stderr)
        under_test = [variant for variant in weir_variants(weir_binary, workdir)
                      if "weir" in wanted or variant.name in wanted] + under_test
        runner = runs.Runner(build / "bench" / "weir-loadgen", int(arguments.seconds * 1000),
                             1, 1, workdir)
        for system in under_test:
            for mode in ("connrate", "pingpong"):
                with Upstreams(build / "echo" / "tcp-echo-server", build / "bench" / "weir-loadgen",
                               workdir) as upstreams:
                    try:
                        port = system.start(upstreams.echo_ports, workdir)
                        row = {"system": system.name, "mode": mode}
                        row.update(plain_run(runner, mode, system, port))
                        row["calls"] = strace_run(runner, mode, system, port, workdir)
                        row["probes"] = probe_run(runner, mode, system, port, probes) if probes else {}
                    except Exception as error:  # one broken system must not lose the others
                        print(f"{system.name} {mode} failed: {error}", file=sys.stderr)
                        continue
                    finally:
                        system.stop()
                rows.append(row)
                probed = ", ".join(f"{value:.2f} {name}" for name, value in row["probes"].items()
                                   if value is not None)
                print(f"{row['system']:14} {mode:8} CPU {row['cpu_us']:.2f} µs, "
                      f"{row['switches']:.3f} switches, {sum(row['calls'].values()):.2f} syscalls, "
                      f"{probed}", file=sys.stderr, flush=True)
    for name in probes:
        subprocess.run(["perf", "probe", "--del", f"probe_libc:{name}"], capture_output=True)
    print_tables(rows)


def print_tables(rows):
    for mode, unit in (("connrate", "exchange"), ("pingpong", "message")):
        chosen = [row for row in rows if row["mode"] == mode]
        if not chosen:
            continue
        names = sorted({name for row in chosen for name, count in row["calls"].items() if count >= 0.01})
        print(f"\nPer {unit} ({mode}):\n")
        print("| | " + " | ".join(row["system"] for row in chosen) + " |")
        print("|---|" + "---:|" * len(chosen))

        def line(label, values):
            print(f"| {label} | " + " | ".join(values) + " |")

        line("proxy CPU µs (untraced run)", [f"{row['cpu_us']:.1f}" for row in chosen])
        line("context switches", [f"{row['switches']:.3f}" for row in chosen])
        for name in PROBES:
            values = [row["probes"].get(name) for row in chosen]
            if any(value is not None for value in values):
                line(f"{name} calls",
                     ["–" if value is None else f"{value:.2f}" for value in values])
        line("**system calls**", [f"**{sum(row['calls'].values()):.2f}**" for row in chosen])
        for name in names:
            line(name, [f"{row['calls'].get(name, 0):.2f}" for row in chosen])


if __name__ == "__main__":
    main()
