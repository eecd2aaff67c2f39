"""The benchmark's orchestration (bench/run_bench.py): processes, systems, runs, report."""
