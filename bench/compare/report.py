"""report.json, report.md and the plots of a comparison run.

report.json is a list of rows {"scenario", "proxy", "metric", "unit", "median", "min", "max",
"runs"} plus "better" (higher/lower), "ratio_to_best_peer" (this proxy's median over the best
median among haproxy and nginx) and "ratio_to_baseline" (over the no-proxy median), where they
exist. A scenario a proxy cannot do has no row.
"""

import json
import shutil
import statistics
import subprocess
from pathlib import Path

PEERS = ("haproxy", "nginx")
PROXY_ORDER = ("baseline", "haproxy", "nginx", "meshgw", "meshgw-xds", "meshgw-2hop")
COLORS = {"baseline": "#888888", "haproxy": "#1f77b4", "nginx": "#2ca02c", "meshgw": "#d62728",
          "meshgw-xds": "#ff7f0e", "meshgw-2hop": "#9467bd"}
HIGHER_IS_BETTER = {"gbps", "conn-per-s", "resumed-pct", "updates"}
METRIC_ORDER = ("gbps", "conn-per-s", "p50", "p90", "p99", "p999", "max", "rss-per-conn",
                "cpu-s-per-gb", "cpu-us-per-conn", "resumed-pct", "rss-base", "updates")
# Context figures, not compared across proxies.
NO_RATIO = {"resumed-pct", "updates", "rss-base"}


def rows_of(measurements):
    """measurements: [{scenario, proxy, metrics: {name: [value, unit]}}] -> report rows."""
    grouped = {}
    for m in measurements:
        for metric, (value, unit) in m["metrics"].items():
            key = (m["scenario"], m["proxy"], metric)
            grouped.setdefault(key, {"unit": unit, "runs": []})["runs"].append(value)
    rows = []
    for (scenario, proxy, metric), g in grouped.items():
        runs = g["runs"]
        rows.append({"scenario": scenario, "proxy": proxy, "metric": metric, "unit": g["unit"],
                     "median": statistics.median(runs), "min": min(runs), "max": max(runs),
                     "runs": runs,
                     "better": "higher" if metric in HIGHER_IS_BETTER else "lower"})
    index = {(r["scenario"], r["proxy"], r["metric"]): r for r in rows}
    for r in rows:
        if r["metric"] in NO_RATIO:
            continue
        peers = [index[(r["scenario"], p, r["metric"])]["median"] for p in PEERS
                 if (r["scenario"], p, r["metric"]) in index]
        if peers:
            best = max(peers) if r["better"] == "higher" else min(peers)
            if best:
                r["ratio_to_best_peer"] = r["median"] / best
        base = index.get((r["scenario"], "baseline", r["metric"]))
        if base and base["median"] and r["proxy"] != "baseline":
            r["ratio_to_baseline"] = r["median"] / base["median"]
    order = {p: i for i, p in enumerate(PROXY_ORDER)}
    morder = {m: i for i, m in enumerate(METRIC_ORDER)}
    rows.sort(key=lambda r: (r["scenario"], morder.get(r["metric"], 99), r["metric"],
                             order.get(r["proxy"], 99)))
    return rows


def _fmt(v):
    if v is None:
        return ""
    if abs(v) >= 100:
        return f"{v:.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.3g}"


def table_md(rows, scenario_order):
    """The main table: one line per scenario and metric, one column per proxy. A cell is the
    median, the spread (min-max) and, for proxies, the ratios to the best peer and the baseline."""
    proxies = [p for p in PROXY_ORDER if any(r["proxy"] == p for r in rows)]
    out = ["| scenario | metric | " + " | ".join(proxies) + " |",
           "|---|---|" + "---:|" * len(proxies)]
    for s in scenario_order:
        metrics = []
        for r in rows:
            if r["scenario"] == s and r["metric"] not in metrics:
                metrics.append(r["metric"])
        for metric in metrics:
            cells, unit = [], ""
            for p in proxies:
                r = [r for r in rows if r["scenario"] == s and r["proxy"] == p and
                     r["metric"] == metric]
                if not r:
                    cells.append("—")
                    continue
                r = r[0]
                unit = r["unit"]
                cell = f"**{_fmt(r['median'])}** ({_fmt(r['min'])}–{_fmt(r['max'])})"
                ratios = []
                if p != "baseline" and "ratio_to_best_peer" in r and p not in PEERS:
                    ratios.append(f"{_fmt(r['ratio_to_best_peer'])}× peer")
                if "ratio_to_baseline" in r:
                    ratios.append(f"{_fmt(r['ratio_to_baseline'])}× base")
                if ratios:
                    cell += " " + ", ".join(ratios)
                cells.append(cell)
            out.append(f"| {s} | {metric} ({unit}) | " + " | ".join(cells) + " |")
    return "\n".join(out)


LIMIT_NAMES = {
    "aes-128-gcm-gbps": ("AES-128-GCM, 16 KiB blocks", "Gbit/s"),
    "aes-256-gcm-gbps": ("AES-256-GCM, 16 KiB blocks (TLS 1.3's first choice in OpenSSL)",
                         "Gbit/s"),
    "ecdsa-p256-sign-per-s": ("ECDSA P-256 sign (one per full handshake, server side)", "/s"),
    "ecdsa-p256-verify-per-s": ("ECDSA P-256 verify (the client certificate)", "/s"),
}


def limits_md(rows, limits):
    """The machine's limits (openssl speed, one core) and each median as a fraction of them."""
    md = ["## Physical limits of the machine", "",
          "`openssl speed`, one core, and the no-proxy baseline: every figure is also a fraction "
          "of these (`× base` in the table above is the fraction of the baseline).", "",
          "| what (one core) | figure |", "|---|---:|"]
    for k, v in limits.items():
        name, unit = LIMIT_NAMES.get(k, (k, ""))
        md.append(f"| {name} | {v:,.2f} {unit} |" if v < 1000 else f"| {name} | {v:,.0f} {unit} |")
    aes = limits.get("aes-256-gcm-gbps")
    sign = limits.get("ecdsa-p256-sign-per-s")
    frac = []
    for r in rows:
        if r["metric"] == "gbps" and aes:
            frac.append(f"| {r['scenario']} | {r['proxy']} | {_fmt(r['median'])} Gbit/s | "
                        f"{100 * r['median'] / aes:.1f}% of one core's AES-256-GCM |")
        elif r["metric"] == "conn-per-s" and sign and r["scenario"] == "handshakes-full":
            frac.append(f"| {r['scenario']} | {r['proxy']} | {_fmt(r['median'])} conn/s | "
                        f"{100 * r['median'] / sign:.2f}% of one core's ECDSA P-256 signs |")
    if frac:
        md += ["", "| scenario | proxy | median | fraction of the machine |", "|---|---|---:|---|"]
        md += frac
    return md + [""]


# The gateway's goals (issue 4, "Measured"): (what, scenario, metric, peer, test, threshold).
# test "ratio<=": meshgw's median over the peer's at most threshold; "ratio>=": at least;
# "below-peers": below every peer's median; "abs<": meshgw's median (KiB) under threshold KB.
GOALS = (
    ("throughput at least HAProxy's", "passthrough-throughput-1", "gbps", "haproxy", "ratio>=",
     1.0),
    ("throughput at least HAProxy's", "passthrough-throughput-16", "gbps", "haproxy",
     "ratio>=", 1.0),
    ("throughput at least HAProxy's", "terminate-throughput-16", "gbps", "haproxy", "ratio>=",
     1.0),
    ("passthrough CPU per GB at most half of HAProxy's", "passthrough-throughput-1",
     "cpu-s-per-gb", "haproxy", "ratio<=", 0.5),
    ("passthrough CPU per GB at most half of HAProxy's", "passthrough-throughput-16",
     "cpu-s-per-gb", "haproxy", "ratio<=", 0.5),
    ("CPU per new mTLS connection at most half of nginx's", "handshakes-full",
     "cpu-us-per-conn", "nginx", "ratio<=", 0.5),
    ("CPU per new mTLS connection at most half of nginx's", "handshakes-resumed",
     "cpu-us-per-conn", "nginx", "ratio<=", 0.5),
    ("p99 latency lower than both peers'", "latency", "p99", None, "below-peers", None),
    ("under 2 KB per idle passthrough connection", "idle-rss-per-conn", "rss-per-conn", None,
     "abs<", 2.0),
    ("under 12 KB per idle terminated connection", "idle-rss-per-conn-terminate",
     "rss-per-conn", None, "abs<", 12.0),
)


def goals_md(rows, proxy="meshgw"):
    """The gateway's goals against this run's figures: met or not, with the ratio."""
    index = {(r["scenario"], r["proxy"], r["metric"]): r for r in rows}
    out = []
    for what, scenario, metric, peer, test, threshold in GOALS:
        mine = index.get((scenario, proxy, metric))
        if mine is None:
            continue
        unit = mine["unit"]
        if test in ("ratio<=", "ratio>="):
            other = index.get((scenario, peer, metric))
            if other is None or not other["median"]:
                continue
            ratio = mine["median"] / other["median"]
            met = ratio <= threshold if test == "ratio<=" else ratio >= threshold
            figure = (f"{_fmt(mine['median'])} vs {peer} {_fmt(other['median'])} {unit}: "
                      f"**{ratio:.2f}×** (goal {'≤' if test == 'ratio<=' else '≥'} "
                      f"{threshold:g}×)")
        elif test == "below-peers":
            peers = {p: index[(scenario, p, metric)]["median"] for p in PEERS
                     if (scenario, p, metric) in index}
            if not peers:
                continue
            best = min(peers.values())
            met = mine["median"] < best
            figure = (f"{_fmt(mine['median'])} {unit} vs " +
                      ", ".join(f"{p} {_fmt(v)}" for p, v in peers.items()) +
                      f": **{mine['median'] / best:.2f}×** the best peer")
        else:
            kb = mine["median"] * 1.024  # KiB -> kB
            met = kb < threshold
            peers = [f"{p} {_fmt(index[(scenario, p, metric)]['median'])}" for p in PEERS
                     if (scenario, p, metric) in index]
            figure = (f"**{kb:.3g} kB** ({_fmt(mine['median'])} KiB; goal < {threshold:g} kB)" +
                      (f"; " + ", ".join(peers) + " KiB" if peers else ""))
        out.append(f"| {what} | {scenario} | {figure} | {'met' if met else '**missed**'} |")
    if not out:
        return []
    return ["## The gateway's goals (issue 4)", "",
            f"`{proxy}`'s medians against the peers' in this run (`×`: meshgw over the peer).", "",
            "| goal | scenario | figures | |", "|---|---|---|---|"] + out + [""]


def run_notes(measurements):
    """Runs where the load tool was the limit, or that saw errors."""
    notes = []
    for m in measurements:
        t, where = m["tool"], f"{m['scenario']} / {m['proxy']} run {m.get('rep', '?')}"
        if t.get("saturated"):
            notes.append(f"{where}: the load tool was the limit ({t.get('saturated_reason')})")
        if t.get("errors"):
            notes.append(f"{where}: {t['errors']} errors (first: {t.get('first_error')})")
    return notes


def interference_md(measurements, scenario_order, meta):
    """How much CPU other processes took during each scenario's runs (median per proxy)."""
    md = ["## Other load on the machine", "",
          f"CPU cores (of {meta['ncpu']}) used by processes outside the measured chain during the "
          "runs, median per proxy. Above ~0.25 the rates and latency tails are not the proxies' "
          "own; the per-unit CPU costs are much less affected.", "",
          "| scenario | " + " | ".join(p for p in PROXY_ORDER
                                          if any(m["proxy"] == p for m in measurements)) + " |"]
    proxies = [p for p in PROXY_ORDER if any(m["proxy"] == p for m in measurements)]
    md.append("|---|" + "---:|" * len(proxies))
    for s in scenario_order:
        cells = []
        for p in proxies:
            vals = [m["tool"].get("machine_other_cores", 0) for m in measurements
                    if m["scenario"] == s and m["proxy"] == p]
            cells.append(f"{statistics.median(vals):.2f}" if vals else "—")
        md.append(f"| {s} | " + " | ".join(cells) + " |")
    return md + [""]


def write_report(outdir, meta, measurements, scenario_order, limits, absent, notes):
    outdir = Path(outdir)
    rows = rows_of(measurements)
    (outdir / "report.json").write_text(json.dumps(rows, indent=1) + "\n")
    (outdir / "limits.json").write_text(json.dumps(limits, indent=1) + "\n")
    md = [f"# meshgw benchmark — {meta['date']}", "",
          f"Mode: {'quick' if meta['quick'] else 'full'}; {meta['reps']} runs of each measurement, "
          "proxies alternated; median and spread (min – max). Machine: "
          f"{meta['ncpu']} CPUs, load average {meta['load_before']} before and "
          f"{meta['load_after']} after the run; other processes used a median of "
          f"{meta.get('other_cores_median', 0):.2f} cores (at most "
          f"{meta.get('other_cores_max', 0):.2f}) during the measurements (busy CPU time of the "
          "machine minus the load tool's, the backend's and the proxy's, from /proc).", ""]
    if meta.get("loaded"):
        md += ["**The machine was busy with other work during this run: absolute figures are "
               "noisy and low; the per-unit CPU costs (cpu-s-per-gb, cpu-us-per-conn) and the "
               "ratios carry over better.**", ""]
    md += ["## Results", "", table_md(rows, scenario_order), ""]
    md += ["How to read it: each cell is the **median** of the runs and their spread (min–max); "
           "`× base` is the median over the no-proxy baseline's (the load tool talking to the "
           "echo "
           "backend directly), `× peer` (meshgw rows) over the best of HAProxy and nginx; "
           "report.json has both ratios for every row. Higher is better for gbps and conn-per-s, "
           "lower for everything else. "
           "`cpu-s-per-gb` and `cpu-us-per-conn` are the proxy's own CPU time (user + "
           "system of its whole process tree, from /proc) per unit of work: on 2 cores the load "
           "tool, the proxy and the backend compete for CPU, so this cost is the figure that "
           "carries over to real machines.", ""]
    md += goals_md(rows)
    md += ["## Placement", "",
           "- throughput, handshakes, idle: the proxy alone on CPU 1, the load tool and the echo "
           "backend on CPU 0 (baseline: the backend on CPU 1); one proxy worker/thread each "
           "(HAProxy `nbthread 1`, nginx `worker_processes 1`, meshgw `workers = 1`). "
           "Passthrough relays with splice(2) in HAProxy (`option splice-request/-response`) "
           "and meshgw; nginx has no splice.",
           "- meshgw-xds: meshgw fed over xDS by meshgw-control (file source), serving the "
           "echo service exported to a peer (tcp: passed through; http: mTLS terminated, the "
           "client's leaf from the peer's CA, authorized by an intention); for the terminated "
           "scenarios a second meshgw-control, the peer, is started and peered over the control "
           "CLI; the gateway and the control component(s) on the proxy's CPU, all accounted; "
           "meshgw-2hop: DC1 egress (plain TCP in, mTLS out) → "
           "DC2 gateway, both gateways on the proxy's CPU and both accounted, the load tool "
           "talks plain TCP to DC1.",
           "- latency and churn-latency: the whole chain pinned to CPU 0 (unpinned, this VM adds "
           "70–90 µs of wake-up delay to every round trip); passthrough, 64-byte requests at a "
           f"fixed rate of {meta['rate']}/s over 8 kept connections, open loop (latency from the "
           "intended send time).",
           "- handshakes: mTLS terminated by the proxy (ECDSA P-256, TLS 1.3), each connection "
           "proven by a 16-byte echo through to the backend; resumed: session tickets.",
           f"- idle: {meta['idle_conns']} TLS connections held (passthrough, and terminated for "
           "idle-rss-per-conn-terminate); RSS of the proxy's "
           "process tree after minus before, per connection.",
           "- churn-latency: latency while the proxy's configuration changes every 100 ms "
           "(HAProxy: a route added/removed with the runtime API; nginx: a reload, SIGHUP; "
           "meshgw: a cluster added/removed in its file, SIGHUP; meshgw-xds: a service "
           "registered/deregistered in meshgw-control's config dir, pushed over ADS).", ""]
    md += limits_md(rows, limits)
    if absent:
        md += ["## Absent rows", "", "A scenario a proxy cannot do, or a proxy that is not "
               "built, has no row (never a zero):", ""]
        md += [f"- `{name}`: {why}" for name, why in absent.items()]
        md += [""]
    md += interference_md(measurements, scenario_order, meta)
    notes = list(notes) + run_notes(measurements)
    if notes:
        md += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    plots = make_plots(outdir, rows)
    if plots:
        md += ["## Plots", ""] + [f"![{p}]({p})" for p in plots] + [""]
    (outdir / "report.md").write_text("\n".join(md))
    return rows


def _gnuplot(script, outdir):
    subprocess.run(["gnuplot"], input=script.encode(), cwd=outdir, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)


def _bar_plot(outdir, rows, scenarios, metric, title, ylabel, name):
    proxies = [p for p in PROXY_ORDER if any(r["proxy"] == p and r["metric"] == metric and
                                             r["scenario"] in scenarios for r in rows)]
    if not proxies:
        return None
    data = outdir / f"{name}.dat"
    with open(data, "w") as f:
        f.write("# scenario " + " ".join(proxies) + "\n")
        for s in scenarios:
            vals = []
            for p in proxies:
                r = [r for r in rows if r["scenario"] == s and r["proxy"] == p and
                     r["metric"] == metric]
                vals.append(f"{r[0]['median']:.6g}" if r else "?")
            f.write(f"{s} " + " ".join(vals) + "\n")
    cols = " , ".join(f"'{data.name}' using {i + 2}:xtic(1) title '{p}' lc rgb '{COLORS[p]}'"
                      for i, p in enumerate(proxies))
    _gnuplot(f"""set terminal svg size 900,420 dynamic font 'sans,11'
set output '{name}.svg'
set title '{title}'
set ylabel '{ylabel}'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set datafile missing '?'
set key top right
set yrange [0:*]
set grid ytics
set xtics nomirror rotate by -12
set bmargin 5
set xrange [-0.6:{len(scenarios) - 0.4}]
plot {cols}
""", outdir)
    return f"{name}.svg"


def _latency_plot(outdir, rows):
    pcts = [("p50", 50), ("p90", 90), ("p99", 99), ("p999", 99.9), ("max", 99.99)]
    series = []
    for scen in ("latency", "churn-latency"):
        for p in PROXY_ORDER:
            pts = []
            for metric, pct in pcts:
                r = [r for r in rows if r["scenario"] == scen and r["proxy"] == p and
                     r["metric"] == metric]
                if r:
                    pts.append((100 / (100 - pct), r[0]["median"]))
            if pts:
                style = "dt 1" if scen == "latency" else "dt 2"
                series.append((f"{p} ({scen})", pts, f"lc rgb '{COLORS[p]}' {style}"))
    if not series:
        return None
    blocks = []
    for title, pts, _ in series:
        blocks.append("\n".join(f"{x:.6g} {y:.6g}" for x, y in pts))
    data = outdir / "latency.dat"
    data.write_text("\n\n\n".join(blocks) + "\n")
    plot = " , ".join(f"'latency.dat' index {i} with linespoints {style} title '{t}'"
                      for i, (t, _, style) in enumerate(series))
    _gnuplot(f"""set terminal svg size 900,480 dynamic font 'sans,11'
set output 'latency.svg'
set title 'Latency percentiles at a fixed rate (whole chain on one core)'
set logscale x
set xtics ('p50' 2, 'p90' 10, 'p99' 100, 'p99.9' 1000, 'max' 10000)
set ylabel 'microseconds'
set logscale y
set grid
set key top left
plot {plot}
""", outdir)
    return "latency.svg"


def make_plots(outdir, rows):
    if not shutil.which("gnuplot"):
        return []
    plots = []
    for args in (
        (["passthrough-throughput-1", "passthrough-throughput-16", "terminate-throughput-16"],
         "gbps", "Throughput (both directions)", "Gbit/s", "throughput"),
        (["passthrough-throughput-1", "passthrough-throughput-16", "terminate-throughput-16"],
         "cpu-s-per-gb", "Proxy CPU per GB moved", "CPU s / GB", "throughput-cpu"),
        (["handshakes-full", "handshakes-resumed"], "conn-per-s", "New mTLS connections per second",
         "connections/s", "handshakes"),
        (["handshakes-full", "handshakes-resumed"], "cpu-us-per-conn",
         "Proxy CPU per new connection", "CPU us / connection", "handshakes-cpu"),
        (["idle-rss-per-conn", "idle-rss-per-conn-terminate"], "rss-per-conn",
         "Memory per idle proxied connection", "KiB / connection", "memory"),
    ):
        try:
            p = _bar_plot(outdir, rows, *args)
        except (subprocess.SubprocessError, OSError):
            p = None
        if p:
            plots.append(p)
    try:
        p = _latency_plot(outdir, rows)
        if p:
            plots.append(p)
    except (subprocess.SubprocessError, OSError):
        pass
    return plots
