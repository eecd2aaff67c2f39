"""What the numbers were measured on."""
import os
import platform
import subprocess


def _first_line(argv):
    try:
        completed = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (completed.stdout or completed.stderr).strip()
    return text.splitlines()[0] if text else None


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _sysctl(name):
    try:
        with open("/proc/sys/" + name.replace(".", "/")) as value:
            return value.read().strip()
    except OSError:
        return "?"


def describe(repository, weir_binary, systems):
    names = {system.name for system in systems}
    commit = _first_line(["git", "-C", str(repository), "rev-parse", "--short", "HEAD"]) or "unknown"
    dirty = subprocess.run(["git", "-C", str(repository), "status", "--porcelain",
                            "--untracked-files=no"], capture_output=True, text=True).stdout.strip()
    untracked = subprocess.run(["git", "-C", str(repository), "status", "--porcelain", "--", "proxy",
                                "config", "echo"], capture_output=True, text=True).stdout.strip()
    state = " with uncommitted changes" if dirty or untracked else ""
    version = (_first_line([weir_binary, "--version"]) or "?").removeprefix("weir ")
    machine = {
        "nproc": str(len(os.sched_getaffinity(0))),
        "CPU": _cpu_model(),
        "kernel": platform.release(),
        "weir": f"{version} at commit {commit}{state}",
    }
    if "haproxy" in names:
        # "HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/"
        words = (_first_line(["haproxy", "-v"]) or "? ? ?").split()
        machine["HAProxy"] = words[2] if len(words) > 2 else "?"
    if "nginx" in names:
        machine["nginx"] = (_first_line(["nginx", "-v"]) or "?").replace("nginx version: nginx/", "")
    machine["net.ipv4.tcp_tw_reuse"] = _sysctl("net.ipv4.tcp_tw_reuse")
    return machine
