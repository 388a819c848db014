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
            "idle-rss-per-conn-terminate",
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


class MeshgwDriversTest(unittest.TestCase):
    """The meshgw rows' drivers: available once their binaries exist, the xDS row's modes and
    configuration, and its churn (a service registered, then deregistered, in the config dir)."""

    def _fake_build(self, root, *binaries):
        for b in binaries:
            path = Path(root) / b
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("#!/bin/sh\n")

    def test_available_once_built(self):
        with tempfile.TemporaryDirectory() as build:
            self._fake_build(build, "gateway/meshgw")
            by_name = {d.name: d for d in drivers.all_drivers(build)}
            self.assertIsNone(by_name["meshgw"].unavailable())
            self.assertIsNone(by_name["meshgw-2hop"].unavailable())
            self.assertIn("meshgw-control", by_name["meshgw-xds"].unavailable())
            self._fake_build(build, "control/meshgw-control")
            self.assertIsNone(by_name["meshgw-xds"].unavailable())
            # Terminated through a peering between two control components (dc1 exports, dc2
            # consumes), so both modes.
            self.assertEqual(by_name["meshgw-xds"].modes, ("passthrough", "terminate"))
            self.assertIsNotNone(by_name["meshgw-xds"].churn)
            self.assertIsNotNone(by_name["meshgw"].churn)
            # 2hop has no full-handshake row (its egress resumes upstream sessions), with the
            # reason.
            self.assertIn("handshakes-full", by_name["meshgw-2hop"].skip_scenarios)
            self.assertEqual(by_name["meshgw"].skip_scenarios, {})

    def test_xds_templates_render_the_route(self):
        values = {"port": 18443, "backend_port": 18501, "grpc_port": 18510,
                  "peering_port": 18511, "admin_port": 18512,
                  "trust_domain": "11111111-2222-3333-4444-555555555555.consul",
                  "cluster_id": "11111111-2222-3333-4444-555555555555",
                  "datacenter": "dc1", "protocol": "http", "max_inbound": 9500}
        control = drivers.render("meshgw-xds-control.hcl", values)
        self.assertIn('cluster_id      = "11111111-2222-3333-4444-555555555555"', control)
        self.assertIn('grpc_address    = "127.0.0.1:18510"', control)
        self.assertIn('datacenter      = "dc1"', control)
        gateway = drivers.render("meshgw-xds-gateway.hcl", values)
        self.assertIn('address = "127.0.0.1:18510"', gateway)
        # The gateway's node ID is the mesh gateway registration's service ID.
        self.assertIn('id         = "bench-gateway"', gateway)
        mgw = drivers.render("meshgw-xds-mesh-gateway.hcl", values)
        self.assertIn('id      = "bench-gateway"', mgw)
        self.assertIn("port    = 18443", mgw)
        echo = drivers.render("meshgw-xds-echo.hcl", values)
        self.assertIn("port    = 18501", echo)
        defaults = drivers.render("meshgw-xds-echo-defaults.hcl", values)
        self.assertRegex(defaults, r'Protocol\s*=\s*"http"')
        self.assertRegex(defaults, r"MaxInboundConnections\s*=\s*9500")
        for text in (control, gateway, mgw, echo, defaults):
            self.assertNotRegex(text, r"\$\{\w")

    def test_xds_churn_registers_then_deregisters(self):
        class FakeRunning:
            pass

        with tempfile.TemporaryDirectory() as build, tempfile.TemporaryDirectory() as cfg:
            xds = {d.name: d for d in drivers.all_drivers(build)}["meshgw-xds"]
            running = FakeRunning()
            running.config_dir = Path(cfg)
            xds.churn(running, 0)
            added = Path(cfg) / "churn-0.hcl"
            self.assertTrue(added.exists())
            self.assertIn('name    = "churn-0"', added.read_text())
            self.assertEqual(sorted(p.name for p in Path(cfg).iterdir()), ["churn-0.hcl"])
            xds.churn(running, 1)
            self.assertFalse(added.exists())
            xds.churn(running, 2)
            self.assertTrue((Path(cfg) / "churn-1.hcl").exists())

    def test_haproxy_passthrough_splices_within_the_descriptor_limit(self):
        text = drivers.render("haproxy-passthrough.cfg", {
            "workdir": "/w", "port": 1, "backend_port": 2, "pki": "/p"})
        self.assertIn("option splice-request", text)
        self.assertIn("option splice-response", text)
        # 2 descriptors per connection side and per pipe must fit in 20,000.
        maxconn = int(next(l.split()[1] for l in text.splitlines()
                           if l.strip().startswith("maxconn")))
        maxpipes = int(next(l.split()[1] for l in text.splitlines()
                            if l.strip().startswith("maxpipes")))
        self.assertLess(2 * maxconn + 2 * maxpipes, 20000)


class GoalsTest(unittest.TestCase):
    def test_met_and_missed_with_ratios(self):
        rows = report.rows_of([
            m("passthrough-throughput-1", "haproxy", gbps=[4.0, "Gbit/s"],
              cpu_s_per_gb=[0.4, "s/GB"]),
            m("passthrough-throughput-1", "meshgw", gbps=[5.0, "Gbit/s"],
              cpu_s_per_gb=[0.3, "s/GB"]),
            m("latency", "haproxy", p99=[300.0, "us"]),
            m("latency", "nginx", p99=[200.0, "us"]),
            m("latency", "meshgw", p99=[150.0, "us"]),
            m("idle-rss-per-conn", "meshgw", rss_per_conn=[0.8, "KiB"]),
            m("idle-rss-per-conn-terminate", "meshgw", rss_per_conn=[25.0, "KiB"]),
        ])
        text = "\n".join(report.goals_md(rows))
        lines = {l.split(" | ")[0].lstrip("| ") + "/" + l.split(" | ")[1]: l
                 for l in text.splitlines() if l.startswith("| ") and "scenario" not in l}
        self.assertIn("1.25×", lines["throughput at least HAProxy's/passthrough-throughput-1"])
        self.assertTrue(lines["throughput at least HAProxy's/passthrough-throughput-1"]
                        .endswith("| met |"))
        cpu = lines["passthrough CPU per GB at most half of HAProxy's/passthrough-throughput-1"]
        self.assertIn("0.75×", cpu)
        self.assertIn("**missed**", cpu)
        self.assertTrue(lines["p99 latency lower than both peers'/latency"].endswith("| met |"))
        self.assertTrue(lines["under 2 KB per idle passthrough connection/idle-rss-per-conn"]
                        .endswith("| met |"))
        self.assertIn("**missed**", lines["under 12 KB per idle terminated connection/"
                                          "idle-rss-per-conn-terminate"])
        # No figures for a goal: no line (absent, not a verdict).
        self.assertFalse(any("handshakes" in k for k in lines))


if __name__ == "__main__":
    unittest.main()
