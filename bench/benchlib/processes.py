"""Child processes of the benchmark and what /proc says about them.

Every child gets SIGTERM when the script dies (PR_SET_PDEATHSIG), so a killed benchmark
leaves no proxy or 10,000 connections behind. Every wait has a deadline.
"""
import ctypes
import json
import os
import select
import signal
import socket
import subprocess
import time

_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _die_with_parent():
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(argv, *, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
          cwd=None):
    """Starts argv; stdout/stderr may be PIPE or an open file."""
    return subprocess.Popen([str(a) for a in argv], stdin=stdin, stdout=stdout, stderr=stderr,
                            cwd=cwd, preexec_fn=_die_with_parent)


def stop(process, timeout=10.0):
    """SIGTERM, then SIGKILL if it has not exited after `timeout` seconds."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


class LineSource:
    """Lines of a child's stdout pipe, each read with a deadline."""

    def __init__(self, process):
        self._process = process
        self._fd = process.stdout.fileno()
        self._buffer = b""
        self._ended = False

    def readline(self, timeout):
        """The next line without '\\n', or None at end of output. Raises TimeoutError."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer and not self._ended:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no output line from pid {self._process.pid} in {timeout:.0f} s")
            ready, _, _ = select.select([self._fd], [], [], left)
            if ready:
                chunk = os.read(self._fd, 65536)
                self._buffer += chunk
                self._ended = not chunk
        if b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            return line.decode(errors="replace")
        if self._buffer:
            line, self._buffer = self._buffer, b""
            return line.decode(errors="replace")
        return None

    def json_line(self, accept, timeout):
        """The first JSON object line for which accept(obj) is true. Raises TimeoutError or
        RuntimeError (output ended first)."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.readline(max(0.0, deadline - time.monotonic()))
            if line is None:
                raise RuntimeError(f"pid {self._process.pid} ended its output before the line wanted")
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if accept(obj):
                return obj


def cpu_seconds(pids):
    """User + system CPU time of the processes (all their threads), in seconds."""
    ticks = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            # The command name may hold spaces; fields after it start at ')' + 2.
            fields = stat.read().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return ticks / _CLOCK_TICKS


def rss_kib(pids):
    """Resident set size of the processes, summed, in KiB."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


def children_of(pid):
    """Pids of the direct children of pid (e.g. nginx's workers)."""
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(entry))
    return sorted(children)


def is_listening(port):
    """Whether a TCP socket listens on 127.0.0.1:port or 0.0.0.0:port (from /proc/net/tcp,
    so no probe connection goes through the system under test)."""
    wanted = {f"0100007F:{port:04X}", f"00000000:{port:04X}"}
    with open("/proc/net/tcp") as table:
        next(table)
        for line in table:
            fields = line.split()
            if fields[1] in wanted and fields[3] == "0A":
                return True
    return False


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} after {timeout:.0f} s")
        time.sleep(0.02)


def free_port():
    """A port free on 127.0.0.1 right now (for proxies that cannot be told to take port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
