#!/usr/bin/env python3
"""Unit tests of bench/compare: report rows (median, spread, ratios, absent rows), template
rendering, placement, and the /proc accounting on this very process."""

import json
import os
import sys
import tempfile
import unittest
from pathlib import Path

sys.dont_write_bytecode = True
ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "bench" / "compare"))

import drivers  # noqa: E402
import procs  # noqa: E402
import report  # noqa: E402
import scenarios  # noqa: E402


def m(scenario, proxy, **metrics):
    return {"scenario": scenario, "proxy": proxy,
            "metrics": {k.replace("_", "-"): v for k, v in metrics.items()}}


class RowsTest(unittest.TestCase):
    def setUp(self):
        self.rows = report.rows_of([
            m("passthrough-throughput-1", "baseline", gbps=[10.0, "Gbit/s"]),
            m("passthrough-throughput-1", "baseline", gbps=[12.0, "Gbit/s"]),
            m("passthrough-throughput-1", "baseline", gbps=[11.0, "Gbit/s"]),
            m("passthrough-throughput-1", "haproxy", gbps=[6.0, "Gbit/s"],
              cpu_s_per_gb=[0.5, "s/GB"]),
            m("passthrough-throughput-1", "nginx", gbps=[8.0, "Gbit/s"],
              cpu_s_per_gb=[0.4, "s/GB"]),
            m("passthrough-throughput-1", "meshgw", gbps=[9.0, "Gbit/s"],
              cpu_s_per_gb=[0.2, "s/GB"]),
        ])
        self.index = {(r["proxy"], r["metric"]): r for r in self.rows}

    def test_schema(self):
        for r in self.rows:
            for key in ("scenario", "proxy", "metric", "unit", "median", "min", "max", "runs"):
                self.assertIn(key, r)
        json.dumps(self.rows)

    def test_median_and_spread(self):
        base = self.index[("baseline", "gbps")]
        self.assertEqual((base["median"], base["min"], base["max"]), (11.0, 10.0, 12.0))
        self.assertEqual(base["runs"], [10.0, 12.0, 11.0])

    def test_ratios_follow_which_way_is_better(self):
        # Throughput: the best peer is the highest (nginx, 8).
        self.assertAlmostEqual(self.index[("meshgw", "gbps")]["ratio_to_best_peer"], 9 / 8)
        self.assertAlmostEqual(self.index[("meshgw", "gbps")]["ratio_to_baseline"], 9 / 11)
        # CPU per GB: the best peer is the lowest (nginx, 0.4).
        self.assertAlmostEqual(self.index[("meshgw", "cpu-s-per-gb")]["ratio_to_best_peer"],
                               0.5)
        self.assertNotIn("ratio_to_baseline", self.index[("baseline", "gbps")])

    def test_absent_is_absent_not_zero(self):
        self.assertNotIn(("meshgw-xds", "gbps"), self.index)
        self.assertNotIn(("baseline", "cpu-s-per-gb"), self.index)

    def test_markdown_table(self):
        md = report.table_md(self.rows, ["passthrough-throughput-1"])
        self.assertIn("| scenario | metric | baseline | haproxy | nginx | meshgw |", md)
        self.assertIn("**11.0** (10.0–12.0)", md)
        self.assertIn("1.12× peer", md)


class RenderTest(unittest.TestCase):
    def test_fills_placeholders_and_keeps_nginx_variables(self):
        text = drivers.render("nginx-passthrough.conf", {
            "workdir": "/w", "port": 1, "backend_port": 2, "pki": "/p",
            "nginx_routes": "        a.example echo;"})
        self.assertIn("$ssl_preread_server_name", text)
        self.assertIn("listen 127.0.0.1:1;", text)
        self.assertNotIn("${", text)

    def test_missing_value_is_an_error(self):
        with self.assertRaises(KeyError):
            drivers.render("haproxy-terminate.cfg", {"workdir": "/w"})

    def test_every_template_listens_on_loopback_only(self):
        for t in drivers.TEMPLATES.iterdir():
            for line in t.read_text().splitlines():
                line = line.strip()
                if line.startswith(("bind ", "listen ", "server ")) and not line.endswith("{"):
                    self.assertIn("127.0.0.1:", line, f"{t.name}: {line}")


class PlacementTest(unittest.TestCase):
    def test_split_and_one_core(self):
        all_s = {s.name: s for s in scenarios.scenarios(quick=True, rate=1000)}
        self.assertEqual(set(all_s), {
            "passthrough-throughput-1", "passthrough-throughput-16", "terminate-throughput-16",
            "handshakes-full", "handshakes-resumed", "latency", "idle-rss-per-conn",
            "churn-latency"})
        split = scenarios.placement(all_s["terminate-throughput-16"], "haproxy", 2)
        self.assertEqual(split, {"tool": "0", "backend": "0", "proxy": "1"})
        self.assertEqual(scenarios.placement(all_s["terminate-throughput-16"], "baseline", 2)
                         ["backend"], "1")
        self.assertEqual(set(scenarios.placement(all_s["latency"], "nginx", 2).values()), {"0"})
        self.assertEqual(set(scenarios.placement(all_s["latency"], "nginx", 1).values()), {None})


class ProcTest(unittest.TestCase):
    def test_accounts_this_process(self):
        me = os.getpid()
        self.assertIn(me, procs.process_tree([me]))
        self.assertGreater(procs.tree_rss_kib([me]), 1000)
        self.assertGreaterEqual(procs.tree_cpu_seconds([me]), 0)
        self.assertGreater(procs.machine_busy_seconds(), 0)

    def test_unbuilt_meshgw_says_why(self):
        with tempfile.TemporaryDirectory() as empty:
            for d in drivers.all_drivers(empty):
                if d.name.startswith("meshgw"):
                    self.assertIn("not built", d.unavailable())


if __name__ == "__main__":
    unittest.main()
