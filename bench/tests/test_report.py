"""The report and the plot from made-up results: a column and a row per data path of weir,
targets checked per data path (a path's own targets only for it), and an SVG with one bar
per system in each panel. python3 bench/tests/test_report.py"""
import sys
import unittest
import xml.etree.ElementTree as ElementTree
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchlib import plot, report  # noqa: E402


def runs_of(rate, cpu_exchange, messages, cpu_message, bulk, idle, one=80, two=20):
    connrate = {"rate_per_s": rate, "p50_us": 100, "p99_us": 200, "cpu_us_per_unit": cpu_exchange,
                "answers": {"one": one, "two": two}, "errors": 0}
    pingpong = {"rate_per_s": messages, "p50_us": 50, "p99_us": 90, "cpu_us_per_unit": cpu_message,
                "answers": {"one": 40, "two": 10}, "errors": 0}
    return {"connrate": [connrate], "pingpong": [pingpong],
            "bulk": [{"gbit_per_s": bulk, "errors": 0}],
            "idle": [{"kib_per_connection": idle, "errors": 0}] if idle is not None else []}


RESULTS = {
    "direct": runs_of(20000, None, 200000, None, 50.0, None, one=100, two=0),
    "weir": runs_of(14000, 36.0, 120000, 7.0, 30.0, 1.0),
    "weir-copy": runs_of(14000, 36.0, 120000, 7.0, 12.0, 1.0),
    "weir-splice": runs_of(14000, 40.0, 110000, 8.0, 30.0, 1.0),
    "haproxy": runs_of(14000, 53.0, 96000, 10.0, 19.0, 3.4),
    "nginx": runs_of(14000, 45.0, 100000, 8.9, 16.0, 9.6),
}


class ReportTest(unittest.TestCase):
    def test_every_data_path_has_a_column_after_weir(self):
        header = report.table(RESULTS, {}).splitlines()[0]
        self.assertEqual(header, "| Figure | direct | weir | weir-copy | weir-splice | haproxy | "
                                 "nginx | weir÷direct | weir÷best peer |")

    def test_targets_are_checked_for_weir_and_each_data_path(self):
        checked = dict(report.all_targets(RESULTS))
        self.assertEqual(list(checked), ["weir", "weir-copy", "weir-splice"])
        # weir: CPU/connection 36/45 = 0.80 ≤ 0.85, messages 120000/100000 = 1.2 ≥ 1.15,
        # CPU/message 7/8.9 = 0.79 ≤ 0.85, bulk 30/19 = 1.58 ≥ 1.5, idle 1/3.4 ≤ 0.9
        self.assertTrue(all(verdict for verdict, _ in checked["weir"]), checked["weir"])
        # copy: bulk 12/19 = 0.63 < 1.5
        failed = [text for verdict, text in checked["weir-copy"] if verdict is False]
        self.assertEqual(len(failed), 1)
        self.assertIn("bulk ≥ 1.5 × best peer", failed[0])

    def test_a_paths_own_targets_apply_to_it_alone(self):
        results = dict(RESULTS, **{"weir-sockmap": runs_of(14000, 36.0, 160000, 2.0, 40.0, 1.0)})
        checked = dict(report.all_targets(results))
        sockmap = [text for _, text in checked["weir-sockmap"]]
        self.assertTrue(any("small messages/s ≥ 1.5 × best peer" in text for text in sockmap))
        self.assertTrue(any("≥ 0.75 × direct" in text for text in sockmap))
        self.assertFalse(any("≥ 0.75 × direct" in text for _, text in checked["weir"]))

    def test_the_data_path_table_has_a_row_per_weir_system(self):
        rows = report.data_path_table(RESULTS).splitlines()[2:]
        self.assertEqual([row.split(" | ")[0] for row in rows], ["| weir", "| weir-copy",
                                                                 "| weir-splice"])
        self.assertIn("0.80× (nginx)", rows[0])  # CPU per connection 36 / 45


class PlotTest(unittest.TestCase):
    def test_one_bar_per_system_and_panel(self):
        svg = plot.render_svg(RESULTS, "test")
        root = ElementTree.fromstring(svg)
        namespace = "{http://www.w3.org/2000/svg}"
        bars = [rect for rect in root.iter(f"{namespace}rect") if rect.find(f"{namespace}title") is not None]
        titles = [bar.find(f"{namespace}title").text for bar in bars]
        # Messages for all six systems; CPU per message for the five proxies (direct has none).
        self.assertEqual(len(bars), 6 + 5)
        self.assertIn("weir-copy: 120,000", titles)
        self.assertIn("nginx: 8.90", titles)


if __name__ == "__main__":
    unittest.main()
