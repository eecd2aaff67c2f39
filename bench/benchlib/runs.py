"""The four measurements, each run against one started system, each returning the
generator's JSON result plus what /proc said about the system's processes."""
import json
import subprocess
import time

from benchlib import processes

LOADGEN_THREADS = 2
CLIENTS = 50
MESSAGE_BYTES = 64


class LoadgenError(RuntimeError):
    pass


class Runner:
    def __init__(self, loadgen, duration_ms, bulk_bytes, idle_connections, workdir):
        self.loadgen = loadgen
        self.duration_ms = duration_ms
        self.bulk_bytes = bulk_bytes
        self.idle_connections = idle_connections
        self.workdir = workdir

    def _loadgen(self, *args, timeout):
        """Runs the generator to the end; its last JSON line. Exit 1 (errors counted) is a
        result, anything else a failure."""
        completed = subprocess.run([str(self.loadgen), *map(str, args)], capture_output=True,
                                   text=True, timeout=timeout)
        lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
        if completed.returncode not in (0, 1) or not lines:
            raise LoadgenError(f"weir-loadgen {' '.join(map(str, args))} exited "
                               f"{completed.returncode}: {completed.stderr.strip()}")
        return json.loads(lines[-1])

    def _with_cpu(self, system, units_key, *args, timeout):
        pids = system.pids()
        before = processes.cpu_seconds(pids) if pids else None
        result = self._loadgen(*args, timeout=timeout)
        if pids:
            result["proxy_cpu_s"] = processes.cpu_seconds(pids) - before
            units = result[units_key]
            result["cpu_us_per_unit"] = result["proxy_cpu_s"] * 1e6 / units if units else None
        return result

    def connection_rate(self, system, port):
        """Test 1: C clients, connect / send a line / read the answer / close, in a loop."""
        return self._with_cpu(system, "exchanges", "connrate", "--target", f"127.0.0.1:{port}",
                              "--clients", CLIENTS, "--duration-ms", self.duration_ms,
                              "--threads", LOADGEN_THREADS, timeout=self.duration_ms / 1000 + 30)

    def small_messages(self, system, port):
        """Test 2: C persistent connections ping-ponging 64-byte lines."""
        return self._with_cpu(system, "messages", "pingpong", "--target", f"127.0.0.1:{port}",
                              "--connections", CLIENTS, "--size", MESSAGE_BYTES,
                              "--duration-ms", self.duration_ms, "--threads", LOADGEN_THREADS,
                              timeout=self.duration_ms / 1000 + 30)

    def bulk(self, system, port):
        """Test 3: one connection streaming bulk_bytes to a sink; the sink confirms the count."""
        return self._loadgen("bulk", "--target", f"127.0.0.1:{port}", "--bytes", self.bulk_bytes,
                             "--timeout-ms", 120000, timeout=150)

    def idle_memory(self, system, port):
        """Test 4: idle_connections held open through the proxy, each after one exchange;
        the growth of the proxy's resident memory per connection."""
        time.sleep(0.2)  # a just-started proxy may still be settling its worker threads
        before = processes.rss_kib(system.pids())
        with open(self.workdir / "idle.log", "ab") as log:
            holder = processes.spawn(
                [self.loadgen, "idle", "--target", f"127.0.0.1:{port}", "--connections",
                 self.idle_connections, "--hold-ms", 120000],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log)
        try:
            output = processes.LineSource(holder)
            ready = output.json_line(lambda obj: obj.get("event") == "ready", 90)
            time.sleep(0.5)  # let the proxy finish whatever it does after the last answer
            held = processes.rss_kib(system.pids())
            holder.stdin.close()
            result = output.json_line(lambda obj: obj.get("mode") == "idle", 60)
            holder.wait(30)
        finally:
            processes.stop(holder)
        result["rss_before_kib"] = before
        result["rss_held_kib"] = held
        result["kib_per_connection"] = (held - before) / ready["connections"] if ready["connections"] else None
        return result
