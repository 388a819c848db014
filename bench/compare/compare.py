#!/usr/bin/env python3
"""The side-by-side benchmark: meshgw next to HAProxy and nginx, and the no-proxy baseline.

  compare.py --tool build/release/bench/tool/meshgw-bench --build-dir build/release \
             --out bench/results [--quick] [--reps 3] [--only latency,...] [--proxies ...]

Runs every scenario (scenarios.py) for every available proxy (drivers.py), --reps times with the
proxy order rotated each time, and writes <out>/<date>/{report.json,report.md,limits.json,
runs.jsonl,*.svg} and the <out>/latest link. All traffic stays on 127.0.0.1; every process
started is stopped on exit, failure or signal.
"""

import argparse
import atexit
import datetime
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import drivers  # noqa: E402
import procs  # noqa: E402
import report  # noqa: E402
import scenarios as scen  # noqa: E402


class Env:
    """What a driver and a run need: ports, names, the PKI, the tool, the process owner."""

    def __init__(self, tool, pki, workdir, group, port_base):
        self.tool = tool
        self.pki = pki
        self.workdir = workdir
        self.group = group
        self.proxy_port = port_base + 43        # 18443 by default
        self.backend_tls_port = port_base + 101
        self.backend_tcp_port = port_base + 102
        td = (pki / "trust-domain").read_text().strip()
        self.trust_domain = td
        self.sni_passthrough = f"echo.default.dc1.internal.{td}"
        self.sni_terminate = f"echo.default.default.dc2.external.{td}"
        self.ncpu = os.cpu_count() or 1


def openssl_limits(quick):
    """AES-GCM bulk rate and ECDSA P-256 sign/verify rate of one core (openssl speed)."""
    secs = "1" if quick else "3"
    limits = {}
    for alg in ("aes-128-gcm", "aes-256-gcm"):
        out = subprocess.run(["openssl", "speed", "-seconds", secs, "-mr", "-bytes", "16384",
                              "-evp", alg], capture_output=True, text=True, timeout=60).stdout
        m = re.search(r"^\+F:\d+:[^:]+:([\d.]+)", out, re.M)
        if m:
            limits[f"{alg}-gbps"] = float(m.group(1)) * 8 / 1e9
    out = subprocess.run(["openssl", "speed", "-seconds", secs, "-mr", "ecdsap256"],
                         capture_output=True, text=True, timeout=60).stdout
    m = re.search(r"^\+F4:\d+:256:([\d.]+):([\d.]+)", out, re.M)
    if m:
        limits["ecdsa-p256-sign-per-s"] = float(m.group(1))
        limits["ecdsa-p256-verify-per-s"] = float(m.group(2))
    return limits


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tool", required=True)
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--only", default="", help="comma-separated scenario names")
    ap.add_argument("--proxies", default="", help="comma-separated proxy names")
    ap.add_argument("--idle-conns", type=int, default=0,
                    help="connections of the idle scenarios (default 500 quick, 9,000 full)")
    ap.add_argument("--rate", type=int, default=int(os.environ.get("MESHGW_BENCH_RATE", "1000")))
    ap.add_argument("--port-base", type=int,
                    default=int(os.environ.get("MESHGW_BENCH_PORT_BASE", "18400")))
    a = ap.parse_args()
    if a.reps < 1:
        sys.exit("compare.py: --reps must be at least 1")
    if not 0 <= a.idle_conns <= 9400:
        sys.exit("compare.py: --idle-conns must be 1 to 9,400 (a proxy holds two descriptors "
                 "per connection and the per-process limit is 20,000)")

    group = procs.ProcessGroup()
    atexit.register(group.close)

    def on_signal(signum, _frame):
        group.close()
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H-%M-%SZ")
    outroot = Path(a.out)
    outdir = outroot / date
    outdir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="meshgw-bench-"))
    pki = scratch / "pki"
    subprocess.run([str(HERE / "pki.sh"), str(pki)], check=True)
    env = Env(Path(a.tool).resolve(), pki, scratch, group, a.port_base)

    all_scenarios = scen.scenarios(a.quick, a.rate, a.idle_conns)
    if a.only:
        wanted = set(a.only.split(","))
        unknown = wanted - {s.name for s in all_scenarios}
        if unknown:
            sys.exit(f"compare.py: unknown scenario(s): {', '.join(sorted(unknown))}")
        all_scenarios = [s for s in all_scenarios if s.name in wanted]

    available, absent = [], {}
    for d in drivers.all_drivers(a.build_dir):
        if a.proxies and d.name not in a.proxies.split(","):
            continue
        why = d.unavailable()
        if why:
            absent[d.name] = why
        else:
            available.append(d)

    load_before = os.getloadavg()[0]
    print(f"==> limits: openssl speed", flush=True)
    limits = openssl_limits(a.quick)
    for k, v in limits.items():
        print(f"    {k}: {v:.2f}")

    measurements, notes, skipped = [], [], {}
    runs_log = open(outdir / "runs.jsonl", "w")
    cmd_log = open(outdir / "commands.log", "w")
    started = time.monotonic()
    for s in all_scenarios:
        players = []
        for d in available:
            # skipped: proxy -> {reason: [scenarios]}, so that a reason is said once.
            if s.mode not in d.modes:
                why = getattr(d, "no_mode_why", {}).get(s.mode)
                reason = f"no {s.mode} mode{': ' + why if why else ''}"
            elif d.name == "baseline" and not s.baseline:
                reason = "no proxy to measure"
            elif s.name in d.skip_scenarios:
                reason = d.skip_scenarios[s.name]
            elif s.kind == "churn" and d.churn is None:
                reason = "no live config change"
            else:
                reason = None
            if reason is not None:
                skipped.setdefault(d.name, {}).setdefault(reason, []).append(s.name)
            else:
                players.append(d)
        print(f"==> {s.name}: {', '.join(d.name for d in players)}", flush=True)
        for rep in range(a.reps):
            k = rep % len(players) if players else 0
            for d in players[k:] + players[:k]:
                try:
                    metrics, result = scen.run_once(env, s, d, cmd_log)
                except (RuntimeError, OSError, ValueError, KeyError) as e:
                    notes.append(f"{s.name} / {d.name} run {rep + 1} failed: {e}")
                    print(f"    {d.name:12s} run {rep + 1}: FAILED: {e}", flush=True)
                    continue
                rec = {"scenario": s.name, "proxy": d.name, "rep": rep + 1,
                       "metrics": metrics, "tool": result}
                runs_log.write(json.dumps(rec) + "\n")
                measurements.append(rec)
                other = result.get("machine_other_cores", 0)
                shown = "  ".join(f"{m}={v:.4g}{'' if u == 'count' else ' ' + u}"
                                  for m, (v, u) in metrics.items())
                print(f"    {d.name:12s} run {rep + 1}: {shown}  [others: {other:.2f} cores]",
                      flush=True)
    runs_log.close()
    cmd_log.close()

    load_after = os.getloadavg()[0]
    others = sorted(m["tool"].get("machine_other_cores", 0) for m in measurements)
    meta = {"date": date, "quick": a.quick, "reps": a.reps, "ncpu": env.ncpu,
            "load_before": f"{load_before:.2f}", "load_after": f"{load_after:.2f}",
            "loaded": (max(load_before, load_after) > 0.5 * env.ncpu
                       or (others and others[len(others) // 2] > 0.25)), "rate": a.rate,
            "idle_conns": a.idle_conns or (500 if a.quick else 9000),
            "other_cores_median": others[len(others) // 2] if others else 0,
            "other_cores_max": others[-1] if others else 0,
            "seconds": round(time.monotonic() - started)}
    (outdir / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    for name, reasons in skipped.items():
        absent[name] = "; ".join(f"no rows for {', '.join(names)} ({reason})"
                                 for reason, names in reasons.items())
    report.write_report(outdir, meta, measurements, [s.name for s in all_scenarios], limits,
                        absent, notes)
    latest = outroot / "latest"
    if latest.is_symlink() or latest.exists():
        latest.unlink()
    latest.symlink_to(date)
    subprocess.run(["rm", "-rf", str(scratch)])
    print(f"==> report: {outdir}/report.md ({meta['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
