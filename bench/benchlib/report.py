"""The benchmark's result: one Markdown table (rows: figures; columns: systems and weir's
ratios), weir's data paths against the best peer, the machine, the command, and PASS/FAIL
against the targets of issue 18 for each of weir's data paths."""
from dataclasses import dataclass
from typing import Callable, Optional

from benchlib.statistics_check import Z_99_9, binomial_interval, median

SYSTEMS = ["direct", "weir", "haproxy", "nginx"]  # the table's order; weir-<path> follow weir
PEERS = ["haproxy", "nginx"]
SPLIT_SHARE_ONE = 0.8


@dataclass
class Figure:
    label: str
    value: Callable[[dict], Optional[float]]   # from one system's results
    fmt: str                                   # format of a value
    better: Optional[str] = None               # "higher", "lower", or None: no ratio to a peer
    vs_direct: bool = False                    # show weir ÷ direct


def _median_of(test, key):
    return lambda results: median([run.get(key) for run in results.get(test, [])])


def split_counts(results, test):
    """(one, two, other) answers summed over the runs of a test."""
    one = two = other = 0
    for run in results.get(test, []):
        for prefix, count in run.get("answers", {}).items():
            if prefix == "one":
                one += count
            elif prefix == "two":
                two += count
            else:
                other += count
    return one, two, other


def split_verdict(results, test):
    """(text, within) for a proxy's split in a test; within is None without answers."""
    one, two, other = split_counts(results, test)
    n = one + two + other
    if n == 0:
        return "–", None
    low, high = binomial_interval(n, SPLIT_SHARE_ONE)
    within = other == 0 and low <= one <= high
    extra = f", {other:,} other" if other else ""
    return (f"{one:,}/{two:,}{extra} ({100 * one / n:.1f}% one; 99.9% interval "
            f"{low:,}–{high:,}) {'✓' if within else '✗'}"), within


def total_errors(results):
    errors = sum(run.get("errors", 0) for test in ("connrate", "pingpong", "bulk", "idle")
                 for run in results.get(test, []))
    # Answers from neither upstream are wrong answers too.
    return errors + split_counts(results, "connrate")[2] + split_counts(results, "pingpong")[2]


FIGURES = [
    Figure("1. Connection rate (exchanges/s)", _median_of("connrate", "rate_per_s"), "{:,.0f}",
           "higher", True),
    Figure("1. ↳ latency p50 (µs)", _median_of("connrate", "p50_us"), "{:,.0f}", "lower", True),
    Figure("1. ↳ latency p99 (µs)", _median_of("connrate", "p99_us"), "{:,.0f}", "lower", True),
    Figure("5. ↳ proxy CPU per exchange (µs)", _median_of("connrate", "cpu_us_per_unit"),
           "{:,.1f}", "lower"),
    Figure("2. Small messages (messages/s)", _median_of("pingpong", "rate_per_s"), "{:,.0f}",
           "higher", True),
    Figure("2. ↳ round trip p50 (µs)", _median_of("pingpong", "p50_us"), "{:,.0f}", "lower", True),
    Figure("2. ↳ round trip p99 (µs)", _median_of("pingpong", "p99_us"), "{:,.0f}", "lower", True),
    Figure("5. ↳ proxy CPU per message (µs)", _median_of("pingpong", "cpu_us_per_unit"),
           "{:,.2f}", "lower"),
    Figure("3. Bulk, one connection (Gbit/s)", _median_of("bulk", "gbit_per_s"), "{:,.2f}",
           "higher", True),
    Figure("4. Idle memory (KiB per connection)", _median_of("idle", "kib_per_connection"),
           "{:,.2f}", "lower"),
]


def _cell(value, fmt):
    return "–" if value is None else fmt.format(value)


def _best_peer(results, figure):
    """(name, value) of the better peer for a figure, or (None, None)."""
    candidates = [(name, figure.value(results[name])) for name in PEERS if name in results]
    candidates = [(name, value) for name, value in candidates if value is not None]
    if not candidates or figure.better is None:
        return None, None
    pick = max if figure.better == "higher" else min
    return pick(candidates, key=lambda item: item[1])


def _ratio(numerator, denominator):
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def systems_in(results):
    """The measured systems in the table's order: direct, weir, weir's data paths, peers."""
    paths = [name for name in results if name.startswith("weir-")]
    order = ["direct", "weir", *paths, *PEERS]
    return [name for name in order if name in results] + \
        [name for name in results if name not in order]


def weir_systems(results):
    return [name for name in systems_in(results) if name == "weir" or name.startswith("weir-")]


def table(results, settings):
    shown = systems_in(results)
    columns = shown + ["weir÷direct", "weir÷best peer"]
    lines = ["| Figure | " + " | ".join(columns) + " |",
             "|---|" + "---:|" * len(columns)]
    for figure in FIGURES:
        values = {name: figure.value(results[name]) for name in shown}
        weir = values.get("weir")
        vs_direct = _ratio(weir, values.get("direct")) if figure.vs_direct else None
        peer, peer_value = _best_peer(results, figure)
        vs_peer = _ratio(weir, peer_value)
        cells = [_cell(values[name], figure.fmt) for name in shown]
        cells.append("–" if vs_direct is None else f"{vs_direct:.2f}×")
        cells.append("–" if vs_peer is None else f"{vs_peer:.2f}× ({peer})")
        lines.append(f"| {figure.label} | " + " | ".join(cells) + " |")
    for test, label in (("connrate", "6. Split in test 1 (one/two exchanges)"),
                        ("pingpong", "6. Split in test 2 (one/two connections)")):
        cells = ["–" if name == "direct" else split_verdict(results[name], test)[0] for name in shown]
        lines.append(f"| {label} | " + " | ".join(cells) + " | – | – |")
    cells = [f"{total_errors(results[name]):,}" for name in shown]
    lines.append("| Errors (all runs) | " + " | ".join(cells) + " | – | – |")
    return "\n".join(lines)


# Issue 18's targets, for every data path of weir (and weir's defaults): (figure, factor,
# what). A ratio to the best peer; "higher" figures must reach the factor, "lower" ones
# stay under it.
TARGETS = [
    ("5. ↳ proxy CPU per exchange (µs)", 0.85, "proxy CPU per connection"),
    ("2. Small messages (messages/s)", 1.15, "small messages/s"),
    ("5. ↳ proxy CPU per message (µs)", 0.85, "proxy CPU per message"),
    ("3. Bulk, one connection (Gbit/s)", 1.5, "bulk"),
    ("4. Idle memory (KiB per connection)", 0.9, "idle memory"),
]
# Further targets of one data path (issue 18 item 2 for sockmap), checked when it is measured.
PATH_TARGETS = {
    "weir-sockmap": [
        ("2. Small messages (messages/s)", 1.5, "small messages/s"),
        ("5. ↳ proxy CPU per message (µs)", 0.3, "proxy CPU per message"),
        ("3. Bulk, one connection (Gbit/s)", 2.0, "bulk"),
    ],
}
# (figure, factor of direct, what), per data path.
PATH_DIRECT_TARGETS = {
    "weir-sockmap": [("2. Small messages (messages/s)", 0.75, "small messages/s")],
}


def ratio_to_best_peer(results, system, label):
    """(ratio, peer, mine, peer's) of a system's figure to the best peer's, or None."""
    figure = {figure.label: figure for figure in FIGURES}[label]
    mine = figure.value(results[system]) if system in results else None
    peer, peer_value = _best_peer(results, figure)
    if mine is None or not peer_value:
        return None
    return mine / peer_value, peer, mine, peer_value


def targets(results, system="weir"):
    """[(verdict, text)] for one of weir's systems: verdict True (PASS), False (FAIL) or
    None (cannot tell)."""
    mine_results = results.get(system)
    if mine_results is None:
        return [(None, f"{system} was not measured")]
    by_label = {figure.label: figure for figure in FIGURES}
    checks = []

    def versus_peer(label, factor, what):
        figure = by_label[label]
        measured = ratio_to_best_peer(results, system, label)
        if measured is None:
            checks.append((None, f"{what}: no best peer to compare with"))
            return
        ratio, peer, mine, peer_value = measured
        ok = ratio >= factor if figure.better == "higher" else ratio <= factor
        relation = "≥" if figure.better == "higher" else "≤"
        checks.append((ok, f"{what} {relation} {factor} × best peer: {system} "
                           f"{figure.fmt.format(mine)} = {ratio:.2f} × {peer} "
                           f"({figure.fmt.format(peer_value)})"))

    def versus_direct(label, factor, what):
        figure = by_label[label]
        mine = figure.value(mine_results)
        direct = figure.value(results["direct"]) if "direct" in results else None
        if mine is None or not direct:
            checks.append((None, f"{what} ≥ {factor} × direct: not measured"))
            return
        checks.append((mine >= factor * direct, f"{what} ≥ {factor} × direct: {system} "
                                                 f"{figure.fmt.format(mine)} = {mine / direct:.2f} × "
                                                 f"direct ({figure.fmt.format(direct)})"))

    for label, factor, what in TARGETS + PATH_TARGETS.get(system, []):
        versus_peer(label, factor, what)
    for label, factor, what in PATH_DIRECT_TARGETS.get(system, []):
        versus_direct(label, factor, what)

    errors = {name: total_errors(results[name]) for name in systems_in(results)}
    checks.append((all(count == 0 for count in errors.values()),
                   "zero errors: " + ", ".join(f"{name} {count:,}" for name, count in errors.items())))
    for test, what in (("connrate", "test 1"), ("pingpong", "test 2")):
        text, within = split_verdict(mine_results, test)
        checks.append((within, f"split within the 99.9% interval of 80/20, {what}: {text}"))
    return checks


def all_targets(results):
    """[(system, [(verdict, text)])] for weir and each of its data paths."""
    return [(system, targets(results, system)) for system in weir_systems(results)] or \
        [("weir", [(None, "weir was not measured")])]


def data_path_table(results):
    """Each of weir's systems against the best peer, figure by figure (ratios)."""
    labels = [label for label, _, _ in TARGETS]
    short = ["CPU per connection", "messages/s", "CPU per message", "bulk Gbit/s", "idle KiB"]
    lines = ["| weir ÷ best peer | " + " | ".join(short) + " |",
             "|---|" + "---:|" * len(short)]
    for system in weir_systems(results):
        cells = []
        for label in labels:
            measured = ratio_to_best_peer(results, system, label)
            cells.append("–" if measured is None else f"{measured[0]:.2f}× ({measured[1]})")
        lines.append(f"| {system} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render(results, settings, machine, command, skipped, failures, plot=None):
    out = ["# Weir benchmark", ""]
    out.append("Machine: " + "; ".join(f"{key} {value}" for key, value in machine.items()) + ".")
    out.append("")
    out.append(f"Command: `{command}`")
    out.append("")
    out.append(
        f"Each figure is the median of {settings['runs']} runs ({settings['duration_ms']} ms "
        f"each for tests 1 and 2; {settings['bulk_bytes']:,} bytes for test 3; "
        f"{settings['idle_connections']:,} connections for test 4); splits and errors are summed "
        f"over the runs. {settings['clients']} clients/connections, "
        f"{settings['message_bytes']}-byte messages, weir-loadgen with {settings['threads']} threads. "
        f"CPU is utime+stime of the proxy's processes (nginx: master and workers) over the run; "
        f"idle memory is (RSS held − RSS before) / connections. Best peer: the better of "
        f"haproxy and nginx for each figure (lower is better for latency, CPU and memory). "
        f"Split interval: n·0.8 ± {Z_99_9:.4f}·√(n·0.8·0.2), two-sided 99.9%.")
    for note in settings.get("notes", []):
        out.append("")
        out.append(f"Note: {note}")
    for name, reason in skipped.items():
        out.append("")
        out.append(f"Skipped {name}: {reason}.")
    for name, reason in failures.items():
        out.append("")
        out.append(f"**{name} failed**: {reason}")
    out.append("")
    out.append("`weir` runs with its defaults (bytes copied until a direction has carried 64 KiB "
               "in large reads, then spliced); `weir-<path>` runs on one data path only "
               "(bench/benchlib/systems.py, WEIR_DATA_PATHS).")
    out.append("")
    out.append(table(results, settings))
    out.append("")
    out.append(data_path_table(results))
    out.append("")
    if plot:
        out.append(f"![messages per second and proxy CPU per message, by system]({plot})")
        out.append("")
    out.append("Targets of issue 18 (ratios from this run):")
    for system, checks in all_targets(results):
        out.append("")
        out.append(f"{system}:")
        out.append("")
        for verdict, text in checks:
            word = {True: "PASS", False: "FAIL", None: "N/A "}[verdict]
            out.append(f"- **{word}** {text}")
    out.append("")
    return "\n".join(out)
