"""The scenarios of the side-by-side comparison, and how one measurement of one proxy runs.

Each scenario names: the proxy mode (passthrough or terminate), the meshgw-bench mode and
arguments, the CPU placement, and the metrics it yields. Placement on a 2-core machine:
  split     the proxy alone on CPU 1; the load tool and the backend on CPU 0 (for the baseline,
            the backend takes CPU 1): throughput, handshakes, idle
  one-core  the whole chain on CPU 0: latency and churn (unpinned, this VM adds 70-90 us of
            wake-up delay to every round trip)
"""

import json
import resource
import subprocess
import time
from dataclasses import dataclass, field

import procs


@dataclass
class Scenario:
    name: str
    mode: str            # passthrough | terminate
    tool_mode: str       # meshgw-bench mode
    placement: str       # split | one-core
    args: list = field(default_factory=list)
    kind: str = "load"   # load | idle | churn
    baseline: bool = True  # whether the no-proxy baseline row makes sense


def scenarios(quick, rate, idle_conns=None):
    d = "1s" if quick else "10s"
    # --quick must stay under 5 minutes with every proxy and both meshgw-xds modes: 1 s
    # measurements (latency 1.5 s, about 1,500 samples at the default rate) and idle connections
    # held for half a second once open.
    lat_d, lat_w = ("1.5s", "0.25s") if quick else ("10s", "1s")
    idle_n = idle_conns or (500 if quick else 9000)
    hold = "0.5s" if quick else "5s"
    lat = ["-connections", "8", "-rate", str(rate), "-size", "64", "-duration", lat_d,
           "-warmup", lat_w]
    return [
        Scenario("passthrough-throughput-1", "passthrough", "throughput", "split",
                 ["-connections", "1", "-duration", d]),
        Scenario("passthrough-throughput-16", "passthrough", "throughput", "split",
                 ["-connections", "16", "-duration", d]),
        Scenario("terminate-throughput-16", "terminate", "throughput", "split",
                 ["-connections", "16", "-duration", d]),
        Scenario("handshakes-full", "terminate", "handshakes", "split",
                 ["-connections", "8", "-duration", d]),
        Scenario("handshakes-resumed", "terminate", "handshakes", "split",
                 ["-connections", "8", "-duration", d, "-resume"]),
        Scenario("latency", "passthrough", "latency", "one-core", lat),
        Scenario("idle-rss-per-conn", "passthrough", "idle", "split",
                 ["-connections", str(idle_n), "-concurrency", "32", "-duration", hold],
                 kind="idle", baseline=False),
        # Idle terminated connections: each holds the proxy's TLS state (the goal of issue 4 is
        # under 12 KB per connection in meshgw).
        Scenario("idle-rss-per-conn-terminate", "terminate", "idle", "split",
                 ["-connections", str(idle_n), "-concurrency", "32", "-duration", hold],
                 kind="idle", baseline=False),
        Scenario("churn-latency", "passthrough", "latency", "one-core", lat, kind="churn",
                 baseline=False),
    ]


def placement(scenario, proxy_name, ncpu):
    """CPU lists (taskset -c) for the tool, the backend and the proxy; None: not pinned."""
    if ncpu < 2:
        return {"tool": None, "backend": None, "proxy": None}
    if scenario.placement == "one-core":
        return {"tool": "0", "backend": "0", "proxy": "0"}
    return {"tool": "0", "backend": "1" if proxy_name == "baseline" else "0", "proxy": "1"}


def _tool_tls_args(env, scenario, running):
    """The load tool's SNI and PKI: the bench PKI's, unless the proxy names its own
    (running.client: e.g. meshgw-xds's exported SNI, its peer's client leaf and its CA's root)."""
    if not getattr(running, "client_tls", True):
        return []
    tls = {"sni": env.sni_passthrough if scenario.mode == "passthrough" else env.sni_terminate,
           "ca": env.pki / "ca.crt", "cert": env.pki / "client.crt",
           "key": env.pki / "client.key"}
    tls.update(getattr(running, "client", None) or {})
    return ["-sni", tls["sni"], "-ca", str(tls["ca"]), "-cert", str(tls["cert"]),
            "-key", str(tls["key"])]


def _start_backends(env, cpus):
    pki = env.pki
    tls = env.group.start([str(env.tool), "echo", "-listen", f"127.0.0.1:{env.backend_tls_port}",
                           "-cert", str(pki / "backend.crt"), "-key", str(pki / "backend.key"),
                           "-ca", str(pki / "ca.crt"), "-quiet"], cpus=cpus,
                          log=env.workdir / "backend.log")
    tcp = env.group.start([str(env.tool), "echo", "-listen", f"127.0.0.1:{env.backend_tcp_port}",
                           "-quiet"], cpus=cpus, log=env.workdir / "backend.log")
    for port, proc in ((env.backend_tls_port, tls), (env.backend_tcp_port, tcp)):
        if not procs.wait_port(port, proc=proc):
            raise RuntimeError(f"the echo backend did not listen on {port}; "
                               f"see {env.workdir}/backend.log")
    return [tls, tcp]


def _own_and_children_cpu():
    """CPU seconds of this runner and of its reaped children (the load tool once it exited)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        u = resource.getrusage(who)
        total += u.ru_utime + u.ru_stime
    return total


def run_once(env, scenario, driver, log):
    """One measurement: backend + proxy up, the load tool, the proxy's CPU/RSS from /proc,
    everything stopped. Returns (metrics {name: (value, unit)}, tool JSON)."""
    pin = placement(scenario, driver.name, env.ncpu)
    backends = _start_backends(env, pin["backend"])
    running = None
    try:
        running = driver.start(env, scenario.mode, pin["proxy"])
        pids = running.pids()
        argv = [str(env.tool), scenario.tool_mode, "-target", f"127.0.0.1:{running.port}",
                "-quiet"] + _tool_tls_args(env, scenario, running) + scenario.args
        if pin["tool"] is not None:
            argv = ["taskset", "-c", pin["tool"]] + argv
        log.write(" ".join(argv) + "\n")
        time.sleep(0.2)  # let the proxy settle after start
        rss0, cpu0 = procs.tree_rss_kib(pids), procs.tree_cpu_seconds(pids)
        # What else ran on the machine meanwhile: all busy CPU time minus the chain's own.
        chain = pids + [b.pid for b in backends]
        chain0, busy0, t0 = procs.tree_cpu_seconds(chain), procs.machine_busy_seconds(), \
            time.monotonic()
        mine0 = _own_and_children_cpu()
        rss1, updates = None, 0
        ready = env.workdir / "ready"
        ready.unlink(missing_ok=True)
        if scenario.kind == "idle":
            argv += ["-ready-file", str(ready)]
        tool = env.group.start(argv, stdout=subprocess.PIPE, log=env.workdir / "tool.log")
        deadline = time.monotonic() + 300
        next_churn = time.monotonic() + 0.1
        while tool.poll() is None and time.monotonic() < deadline:
            if scenario.kind == "idle" and rss1 is None and ready.exists():
                time.sleep(0.5)
                rss1 = procs.tree_rss_kib(pids)
            if scenario.kind == "churn" and time.monotonic() >= next_churn:
                driver.churn(running, updates)
                updates += 1
                next_churn += 0.1
            time.sleep(0.01)
        if tool.poll() is None:
            env.group.stop(tool)
            raise RuntimeError("the load tool did not finish in 300 s")
        cpu1 = procs.tree_cpu_seconds(pids)
        other = (procs.machine_busy_seconds() - busy0) - (procs.tree_cpu_seconds(chain) - chain0) \
            - (_own_and_children_cpu() - mine0)
        other_cores = max(0.0, other) / max(1e-3, time.monotonic() - t0)
        out = tool.stdout.read().decode()
        tool.stdout.close()
        env.group.stop(tool)
        lines = [line for line in out.splitlines() if line.startswith("{")]
        if tool.returncode != 0 or not lines:
            raise RuntimeError(f"meshgw-bench failed (exit {tool.returncode}); "
                               f"see {env.workdir}/tool.log")
        result = json.loads(lines[-1])
        result["machine_other_cores"] = round(other_cores, 3)
        log.write(lines[-1] + "\n")
        if scenario.kind == "idle":
            wanted = int(scenario.args[scenario.args.index("-connections") + 1])
            held = result.get("connections_held", 0)
            if held < wanted:
                # Memory per connection of a proxy that refused some is not comparable.
                raise RuntimeError(f"held {held} of {wanted} connections "
                                   f"(first error: {result.get('first_error', 'none')})")
    finally:
        if running is not None:
            running.stop()
        for b in backends:
            env.group.stop(b)
    return metrics_of(scenario, driver, result, cpu1 - cpu0, rss0, rss1, updates), result


def metrics_of(scenario, driver, r, proxy_cpu, rss0, rss1, updates):
    m = {}
    has_proxy = driver.name != "baseline"
    if scenario.tool_mode == "throughput":
        moved_gb = (r["bytes_sent"] + r["bytes_received"]) / 1e9
        m["gbps"] = (r["gbps"], "Gbit/s")
        if has_proxy and moved_gb > 0:
            m["cpu-s-per-gb"] = (proxy_cpu / moved_gb, "s/GB")
    elif scenario.tool_mode == "handshakes":
        m["conn-per-s"] = (r["handshakes_per_s"], "conn/s")
        if has_proxy and r["handshakes"] > 0:
            m["cpu-us-per-conn"] = (proxy_cpu * 1e6 / r["handshakes"], "us/conn")
        if "-resume" in scenario.args and r["handshakes"] > 0 and r.get("tls"):
            m["resumed-pct"] = (100.0 * r["resumed"] / r["handshakes"], "%")
    elif scenario.tool_mode == "latency":
        lat = r["latency_us"]
        for k in ("p50", "p90", "p99", "p999", "max"):
            m[k] = (lat[k], "us")
        if scenario.kind == "churn":
            m["updates"] = (updates, "count")
    elif scenario.tool_mode == "idle":
        held = r.get("connections_held", 0)
        if rss1 is not None and held > 0:
            m["rss-per-conn"] = ((rss1 - rss0) / held, "KiB")
            m["rss-base"] = (rss0, "KiB")
    return m
