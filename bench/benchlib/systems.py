"""The systems under test, configured alike: 80/20 between two upstreams, two
threads/workers, no access log, no health checks, generous timeouts.

Each system starts against a pair of upstream ports (the echo servers `one`/`two`, or the
two sinks for the bulk test) and says which port to load and which processes are its
own (for CPU and memory). Direct is no proxy at all: the load goes to the first upstream.
"""
import json
import os
import shutil
import string
import subprocess
from pathlib import Path

from benchlib import processes

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

# Weir's data paths, each measured as its own system `weir-<path>` beside `weir` (its
# defaults: copied until a direction has carried 64 KiB in large reads, then spliced).
# A path is one line: its name and the flags that choose it.
WEIR_DATA_PATHS = {
    "copy": ["--splice-after", "never"],  # every byte through user space
    "splice": ["--splice-after", "0"],    # splice(2) through a pipe from the first byte
}
NGINX_STREAM_MODULE = Path("/usr/lib/nginx/modules/ngx_stream_module.so")


def _render(template, destination, **values):
    text = string.Template((TEMPLATES / template).read_text()).substitute(values)
    destination.write_text(text)


class Direct:
    name = "direct"
    is_proxy = False

    def start(self, upstream_ports, workdir):
        return upstream_ports[0]

    def pids(self):
        return []

    def stop(self):
        pass


class _ProxyProcess:
    """A proxy run as one child process (its threads included); subclasses say how."""

    is_proxy = True

    def __init__(self):
        self._process = None

    def pids(self):
        return [self._process.pid]

    def stop(self):
        processes.stop(self._process)
        self._process = None

    def _spawn(self, argv, workdir):
        with open(workdir / f"{self.name}.log", "ab") as log:
            self._process = processes.spawn(argv, stdout=log, stderr=subprocess.STDOUT)

    def _check_alive(self, workdir):
        if self._process.poll() is not None:
            log = (workdir / f"{self.name}.log").read_text(errors="replace")
            raise RuntimeError(f"{self.name} exited with status {self._process.returncode}:\n{log}")


class Weir(_ProxyProcess):
    """Weir on one data path (`weir-copy`, `weir-splice`, ...; see WEIR_DATA_PATHS), or with
    other extra flags (an access log for the cost counts)."""

    def __init__(self, binary, name="weir", extra_args=(), access_log="none"):
        super().__init__()
        self._binary = binary
        self.name = name
        self._extra_args = list(extra_args)
        self._access_log = access_log

    def start(self, upstream_ports, workdir):
        config = workdir / "weir-config"
        config.mkdir(exist_ok=True)
        _render("weir-istio.yaml", config / "bench.yaml",
                port_one=upstream_ports[0], port_two=upstream_ports[1])
        ready = workdir / "weir-ready.json"
        ready.unlink(missing_ok=True)
        self._spawn([self._binary, "-c", config, "--concurrency", "2", "--access-log",
                     self._access_log, "--admin", "none", "--no-watch", "--drain-time", "0",
                     "--bind", "127.0.0.1", "--port-override", "9000=0", "--ready-file", ready,
                     *self._extra_args], workdir)
        processes.wait_until(lambda: ready.exists() or self._process.poll() is not None, 10,
                             "weir wrote no ready file")
        self._check_alive(workdir)
        return json.loads(ready.read_text())["listeners"][0]["port"]


class HAProxy(_ProxyProcess):
    name = "haproxy"

    def __init__(self, binary, max_connections):
        super().__init__()
        self._binary = binary
        self._max_connections = max_connections

    def start(self, upstream_ports, workdir):
        port = processes.free_port()
        config = workdir / "haproxy.cfg"
        _render("haproxy.cfg", config, listen_port=port, port_one=upstream_ports[0],
                port_two=upstream_ports[1], maxconn=self._max_connections)
        self._spawn([self._binary, "-f", config, "-db"], workdir)
        processes.wait_until(lambda: processes.is_listening(port) or self._process.poll() is not None,
                             10, "haproxy is not listening")
        self._check_alive(workdir)
        return port


class Nginx(_ProxyProcess):
    """nginx in the foreground: a master and two worker processes, all counted."""

    name = "nginx"

    def __init__(self, binary, open_files, worker_connections):
        super().__init__()
        self._binary = binary
        self._open_files = open_files
        self._worker_connections = worker_connections
        self._workers = []

    def pids(self):
        return [self._process.pid] + self._workers

    def start(self, upstream_ports, workdir):
        prefix = workdir / "nginx"
        shutil.rmtree(prefix, ignore_errors=True)
        prefix.mkdir()
        port = processes.free_port()
        _render("nginx.conf", prefix / "nginx.conf", dir=prefix, listen_port=port,
                port_one=upstream_ports[0], port_two=upstream_ports[1], nofile=self._open_files,
                worker_connections=self._worker_connections)
        self._spawn([self._binary, "-p", prefix, "-c", prefix / "nginx.conf", "-e",
                     prefix / "error.log", "-g", "daemon off;"], workdir)

        def workers_listening():
            if self._process.poll() is not None:
                return True
            self._workers = processes.children_of(self._process.pid)
            return len(self._workers) == 2 and processes.is_listening(port)

        processes.wait_until(workers_listening, 10, "nginx has not started two listening workers")
        self._check_alive(workdir)
        return port

    def stop(self):
        super().stop()
        self._workers = []


def available_systems(weir_binary, max_connections, open_files, wanted):
    """The systems of `wanted` (names) that this machine can run, and why others are skipped."""
    systems, skipped = [], {}
    for name in wanted:
        if name == "direct":
            systems.append(Direct())
        elif name == "weir":
            systems.append(Weir(weir_binary))
        elif name.startswith("weir-") and name.removeprefix("weir-") in WEIR_DATA_PATHS:
            systems.append(Weir(weir_binary, name, WEIR_DATA_PATHS[name.removeprefix("weir-")]))
        elif name == "haproxy":
            binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
            if os.access(binary, os.X_OK):
                systems.append(HAProxy(binary, max_connections))
            else:
                skipped[name] = "haproxy is not installed"
        elif name == "nginx":
            binary = shutil.which("nginx") or "/usr/sbin/nginx"
            if not os.access(binary, os.X_OK):
                skipped[name] = "nginx is not installed"
            elif not NGINX_STREAM_MODULE.exists():
                skipped[name] = f"{NGINX_STREAM_MODULE} is missing (libnginx-mod-stream)"
            else:
                systems.append(Nginx(binary, open_files, min(65536, open_files - 64)))
        else:
            raise ValueError(f"unknown system {name!r}")
    return systems, skipped
