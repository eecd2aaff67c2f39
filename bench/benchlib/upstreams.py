"""The upstreams every system is pointed at: tcp-echo-server `one` and `two` (tests 1,
2 and 4), and two sinks of weir-loadgen (test 3). All on 127.0.0.1 ephemeral ports."""
import re
import subprocess

from benchlib import processes


class Upstreams:
    def __init__(self, echo_server, loadgen, workdir):
        self._echo_server = echo_server
        self._loadgen = loadgen
        self._workdir = workdir
        self._processes = []
        self.echo_ports = ()
        self.sink_ports = ()

    def __enter__(self):
        self.echo_ports = (self._start_echo("one"), self._start_echo("two"))
        self.sink_ports = (self._start_sink("sink-a"), self._start_sink("sink-b"))
        return self

    def __exit__(self, *exc):
        for process in self._processes:
            processes.stop(process)

    def _start_echo(self, prefix):
        with open(self._workdir / f"echo-{prefix}.log", "ab") as log:
            process = processes.spawn([self._echo_server, "--listen", "127.0.0.1", "0", prefix],
                                      stdout=subprocess.PIPE, stderr=log)
        self._processes.append(process)
        line = processes.LineSource(process).readline(10) or ""
        match = re.search(r":(\d+), prefix", line)
        if not match:
            raise RuntimeError(f"tcp-echo-server {prefix} did not say its port: {line!r}")
        return int(match.group(1))

    def _start_sink(self, name):
        with open(self._workdir / f"{name}.log", "ab") as log:
            process = processes.spawn([self._loadgen, "sink", "--listen", "127.0.0.1:0"],
                                      stdout=subprocess.PIPE, stderr=log)
        self._processes.append(process)
        # Its later lines ("received") are not read; a pipe holds thousands of them.
        listening = processes.LineSource(process).json_line(
            lambda obj: obj.get("event") == "listening", 10)
        return listening["port"]
