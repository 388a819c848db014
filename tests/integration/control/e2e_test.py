#!/usr/bin/env python3
"""meshgw-control end to end (issue 6, "Tests"): both sandbox datacenters on 127.0.1.x / 127.0.2.x,
each a meshgw-control agent and a meshgw gateway, the demo services, the peering between them; then

  1. a config entry changed and the change carried to traffic: DC2's intentions for private-api
     turned to deny front-service (of peer gcp-dc1-default) with `meshgw-control config write`,
     new calls through DC1's egress listener are refused (DC2's gateway counts a denial), written
     back to allow, calls work again; the time each change took to reach traffic is printed;
  2. the control components restarted while traffic flows: N long-lived TCP connections through
     DC1's egress listener 127.0.1.2:9192 (plain HTTP/1.1 keep-alive -> mTLS across both gateways
     -> DC2's private-api instances) carry requests the whole time while DC1's, then DC2's agent is
     stopped with SIGTERM and started again on the same config and data dir. No connection may
     drop and every request must be answered; while an agent is down its gateway stays ready and
     new connections work; after the restart the gateway reconnects and resyncs, the peering is
     ACTIVE again on both sides, and a config change made afterwards reaches traffic again.

It reuses sandbox/sandbox.py (processes, config copying, the walkthrough's steps, the CLI) with its
own state folder, build/sandbox-e2e/ (logs in build/sandbox-e2e/logs/). Every wait is bounded, and
every process it started is stopped at the end whatever happens. Prints one line per check and
`control-e2e: N checks, M passed`; exits 1 on any failure.

    MESHGW_BUILD_DIR=build/release python3 tests/integration/control/e2e_test.py [--connections 20]
"""

import argparse
import datetime
import json
import os
import re
import signal
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "sandbox"))
import sandbox as sb  # noqa: E402  (reads MESHGW_BUILD_DIR at import)

# Our own state folder: a developer's `./run sandbox` state and logs stay untouched. The sandbox's
# helpers read these module globals when they run.
sb.STATE = ROOT / "build" / "sandbox-e2e"
sb.LOGS = sb.STATE / "logs"
sb.STATE_FILE = sb.STATE / "state.json"

EGRESS = ("127.0.1.2", 9192)  # front-service's upstream private-api in DC2
PRIVATE_API_NAME = "Private_API@gcp-dc2"
INTENTION_TEMPLATE = """# Written by tests/integration/control/e2e_test.py.
Kind = "service-intentions"
Name = "private-api"
Sources = [
  {{
    Name   = "front-service"
    Peer   = "gcp-dc1-default"
    Action = "{action}"
  }}
]
"""


class Checks:
    def __init__(self):
        self.total = 0
        self.passed = 0

    def check(self, ok, what, detail=""):
        self.total += 1
        if ok:
            self.passed += 1
        sb.say(f"{'PASS' if ok else 'FAIL'} {what}" + (f": {detail}" if detail else ""))
        return bool(ok)


# ---- HTTP/1.1 keep-alive over a raw socket -------------------------------------------------------

class KeepAliveConnection:
    """One long-lived TCP connection through the egress listener; one request at a time."""

    def __init__(self, index, timeout=5.0):
        self.index = index
        self.sock = socket.create_connection(EGRESS, timeout=timeout)
        self.sock.settimeout(timeout)
        self.buf = b""
        self.answered = 0
        self.error = None  # the first failure: the connection is dead from then on
        self.last_answer = time.monotonic()
        self.max_gap = 0.0

    def request(self):
        """Sends GET / and reads the answer; (status, body) or raises OSError/ConnectionError."""
        self.sock.sendall(b"GET / HTTP/1.1\r\nHost: private-api\r\nUser-Agent: control-e2e\r\n\r\n")
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        length = None
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
            if name.strip().lower() == "connection" and value.strip().lower() == "close":
                raise ConnectionError("the answer said Connection: close")
        if length is None:
            raise ConnectionError(f"answer without Content-Length: {lines[:3]}")
        while len(self.buf) < length:
            self._fill()
        body, self.buf = self.buf[:length], self.buf[length:]
        return status, body.decode(errors="replace")

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed by the far side")
        self.buf += chunk

    def one_round(self):
        if self.error is not None:
            return False
        try:
            status, body = self.request()
        except (OSError, ConnectionError, ValueError, IndexError) as e:
            self.error = f"{type(e).__name__}: {e}"
            return False
        if status != 200 or PRIVATE_API_NAME not in body:
            self.error = f"answered {status}: {body[:200]}"
            return False
        now = time.monotonic()
        self.max_gap = max(self.max_gap, now - self.last_answer)
        self.last_answer = now
        self.answered += 1
        return True

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class TrafficLoop(threading.Thread):
    """Sends a request on every connection, round after round, until stopped (bounded)."""

    def __init__(self, conns, interval=0.2, max_seconds=150):
        super().__init__(daemon=True)
        self.conns = conns
        self.interval = interval
        self.max_seconds = max_seconds
        self.stop_flag = threading.Event()
        self.rounds = 0
        self.requests = 0

    def run(self):
        deadline = time.monotonic() + self.max_seconds
        while not self.stop_flag.is_set() and time.monotonic() < deadline:
            for c in self.conns:
                if c.error is None:
                    self.requests += 1
                    c.one_round()
            self.rounds += 1
            self.stop_flag.wait(self.interval)


def one_call(timeout=3.0):
    """A new connection through the egress listener, one request: (ok, what happened)."""
    try:
        c = KeepAliveConnection(-1, timeout=timeout)
    except OSError as e:
        return False, f"connect: {e}"
    try:
        status, body = c.request()
        if status == 200 and PRIVATE_API_NAME in body:
            return True, "answered by private-api in DC2"
        return False, f"answered {status}: {body[:120]}"
    except (OSError, ConnectionError, ValueError, IndexError) as e:
        return False, f"no answer ({type(e).__name__}: {e})"
    finally:
        c.close()


# ---- the steps -----------------------------------------------------------------------------------

def denials():
    return sb.metric_sum(sb.metrics("dc2"), "meshgw_authz_total", decision="deny")


def write_intention(action, folder):
    """`meshgw-control config write` on DC2; the file keeps the walkthrough's name so the entry is
    replaced where it lives. Returns the monotonic time just before the command ran."""
    path = Path(folder) / "private-api-intentions.hcl"
    path.write_text(INTENTION_TEMPLATE.format(action=action))
    started = time.monotonic()
    r = sb.cli("dc2", "config", "write", str(path), check=False)
    return started, r


def wait_traffic(want_ok, timeout=20.0):
    """Polls new calls until they succeed (want_ok) or are refused; (reached, last outcome)."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        ok, last = one_call(timeout=2.0)
        if ok == want_ok:
            return True, last
        time.sleep(0.05)
    return False, last


def config_change_round(checks, procs, folder, label):
    """deny -> refused (and counted) -> allow -> answered; prints each change's latency."""
    ok, how = one_call()
    checks.check(ok, f"{label}: front-service -> DC2 private-api through 127.0.1.2:9192 works", how)

    before = denials()
    started, r = write_intention("deny", folder)
    checks.check(r.returncode == 0, f"{label}: config write (DC2) private-api intentions: deny",
                 (r.stdout or r.stderr).strip())
    reached, how = wait_traffic(False)
    took = time.monotonic() - started
    checks.check(reached, f"{label}: the deny reached traffic in {took * 1000:.0f} ms "
                 f"(write to first refused call)", how)
    still = [one_call()[0] for _ in range(3)]
    counted = denials() - before
    checks.check(reached and not any(still) and counted > 0,
                 f"{label}: new calls stay refused; DC2's gateway counted +{counted:.0f} denials",
                 f"3 more calls: {['answered' if s else 'refused' for s in still]}")

    started, r = write_intention("allow", folder)
    checks.check(r.returncode == 0, f"{label}: config write (DC2) private-api intentions: allow",
                 (r.stdout or r.stderr).strip())
    reached, how = wait_traffic(True)
    took = time.monotonic() - started
    checks.check(reached, f"{label}: the allow reached traffic in {took * 1000:.0f} ms "
                 f"(write to first answered call)", how)
    still = [one_call()[0] for _ in range(3)]
    checks.check(all(still), f"{label}: new calls keep working",
                 f"3 more calls: {['answered' if s else 'refused' for s in still]}")
    procs.check_alive()


def control_proc(procs, dc):
    """The running meshgw-control of dc (the latest one started)."""
    running = [p for p in procs.procs
               if p["name"] == f"{dc}/meshgw-control" and not p.get("stopped")]
    return running[-1] if running else None


def xds_connects(dc):
    """How many times dc's gateway connected to its control component (from its log)."""
    try:
        text = (sb.LOGS / f"{dc}-meshgw.log").read_text(errors="replace")
    except OSError:
        return 0
    return len(re.findall(r'xds detail="connected to ', text))


def config_dump(dc):
    status, body = sb.http_get(f"http://{sb.DCS[dc]['gateway']}:19000/config_dump", timeout=3)
    if status != 200:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def restart_control(checks, procs, dc, loop, conns):
    d = sb.DCS[dc]
    old = control_proc(procs, dc)
    connects_before = xds_connects(dc)
    answered_before = sum(c.answered for c in conns)
    sb.say(f"  {d['name']}$ kill -TERM {old['pid']}   (meshgw-control agent)")
    stopped_at = time.monotonic()
    procs.stop_one(old, grace=10)
    checks.check(not procs.alive(old) and not sb.tcp_open(d["control"], 8510),
                 f"{d['name']}: meshgw-control stopped by SIGTERM (nothing on {d['control']}:8510)")

    # While it is away: both gateways stay ready, new connections work, and the long-lived
    # connections keep being answered.
    ready, calls, failures = [], 0, []
    down_until = time.monotonic() + 3.0
    while time.monotonic() < down_until:
        ready.append(tuple(sb.http_get(f"http://{sb.DCS[x]['gateway']}:19000/ready", 2)[0]
                           for x in sb.DCS))
        ok, how = one_call()
        calls += 1
        if not ok:
            failures.append(how)
        time.sleep(0.25)
    all_ready = all(r == (200, 200) for r in ready)
    checks.check(all_ready, f"{d['name']} control down: both gateways' /ready stayed 200 "
                 f"({len(ready)} probes)", "" if all_ready else f"statuses {sorted(set(ready))}")
    checks.check(not failures, f"{d['name']} control down: {calls - len(failures)}/{calls} new "
                 f"connections through 127.0.1.2:9192 answered", "; ".join(failures[:3]))
    answered_down = sum(c.answered for c in conns) - answered_before
    checks.check(answered_down > 0 and all(c.error is None for c in conns),
                 f"{d['name']} control down: the {len(conns)} long-lived connections answered "
                 f"{answered_down} requests meanwhile")

    sb.say(f"  {d['name']}$ meshgw-control agent -config build/sandbox-e2e/{dc}/control.hcl")
    restarted_wall = datetime.datetime.now(datetime.timezone.utc)
    procs.start(f"{dc}/meshgw-control", old["cmd"])
    up = sb.wait_for(f"{d['name']} control API after the restart",
                     lambda: sb.cli(dc, "catalog", "services", show=False,
                                    check=False).returncode == 0, procs, timeout=30)
    checks.check(up, f"{d['name']}: meshgw-control started again on the same config and data "
                 f"dir, control API answering after {time.monotonic() - stopped_at:.1f} s")

    def resynced():
        dump = config_dump(dc)
        return (xds_connects(dc) > connects_before and dump is not None and dump.get("complete")
                and sb.http_get(f"http://{d['gateway']}:19000/ready", 2)[0] == 200) and dump
    dump = None
    try:
        dump = sb.wait_for(f"{d['name']} gateway reconnected", resynced, procs, timeout=40,
                           interval=0.25)
    except sb.SandboxError as e:
        sb.say(f"  {e}")
    pc = sb.cli_json(dc, "proxy-config", d["gateway_id"]) if dump else {}
    listeners = {x["name"] for x in pc.get("resources", {}).get("Listener", [])}
    pushed = {k.split("/", 1)[1] for k in (dump or {}).get("resource_versions", {})
              if k.startswith("Listener/")}
    checks.check(dump is not None and listeners and listeners == pushed,
                 f"{d['name']}: the gateway reconnected to the new agent "
                 f"({xds_connects(dc) - connects_before} new xDS connection(s)) and resynced: "
                 f"config_dump complete, version {(dump or {}).get('version')}, its listeners = "
                 f"proxy-config's {sorted(listeners)}",
                 "" if dump else f"xDS connections {xds_connects(dc)} (before {connects_before})")

    # ACTIVE alone is not enough: the restarted side reads ACTIVE back from its data dir at once.
    # Both sides must also have heard from the other since the restart (the stream is back).
    since = restarted_wall.strftime("%Y-%m-%dT%H:%M:%S")
    seen = {}

    def peered():
        for x in sb.DCS:
            r = sb.cli(x, "peering", "read", "-name", sb.DCS[x]["peer"], "-format=json",
                       show=False, check=False)
            if r.returncode != 0:
                return False
            p = json.loads(r.stdout)
            received = str(p.get("StreamStatus", {}).get("LastReceive") or "")[:19]
            seen[x] = f"{p.get('State')}, LastReceive {received or '-'}"
            if p.get("State") != "ACTIVE" or received < since:
                return False
        return True
    active = False
    try:
        active = sb.wait_for("the peering stream back on both sides", peered, procs, timeout=60,
                             interval=0.5)
    except sb.SandboxError as e:
        sb.say(f"  {e}")
    checks.check(active, f"after {d['name']}'s restart: the peering is ACTIVE on both sides "
                 f"and both heard from the other since {since}Z, "
                 f"{time.monotonic() - stopped_at:.1f} s after the stop",
                 "; ".join(f"{sb.DCS[x]['name']}: {v}" for x, v in seen.items()))
    ok, how = wait_traffic(True, timeout=15)
    checks.check(ok, f"after {d['name']}'s restart: a new connection through 127.0.1.2:9192 "
                 f"is answered", how)
    alive = [c for c in conns if c.error is None]
    checks.check(len(alive) == len(conns) and loop.is_alive(),
                 f"after {d['name']}'s restart: {len(alive)}/{len(conns)} long-lived connections "
                 f"still open and answering",
                 "; ".join(f"#{c.index}: {c.error}" for c in conns if c.error)[:600])


def traffic_through_restarts(checks, procs, n):
    conns = []
    loop = None
    completed = False
    try:
        for i in range(n):
            conns.append(KeepAliveConnection(i))
        first = [c.one_round() for c in conns]
        checks.check(all(first), f"{n} long-lived connections through 127.0.1.2:9192 "
                     f"(mTLS across both gateways), each answered by private-api in DC2",
                     "; ".join(f"#{c.index}: {c.error}" for c in conns if c.error)[:600])
        if not all(first):
            return
        loop = TrafficLoop(conns)
        loop.start()
        time.sleep(1.0)
        for dc in ("dc1", "dc2"):
            restart_control(checks, procs, dc, loop, conns)
        time.sleep(1.0)
        completed = True
    finally:
        if loop is not None:
            loop.stop_flag.set()
            loop.join(timeout=30)
        dropped = [c for c in conns if c.error is not None]
        requests = loop.requests if loop else 0
        answered = sum(c.answered for c in conns)
        max_gap = max((c.max_gap for c in conns), default=0.0)
        checks.check(completed and not dropped and not loop.is_alive()
                     and answered == requests + len(conns),
                     f"{'through both restarts' if completed else 'restarts NOT completed'}: "
                     f"{len(conns) - len(dropped)}/{n} connections "
                     f"kept, {answered}/{requests + len(conns)} requests answered in "
                     f"{loop.rounds if loop else 0} rounds, longest wait between two answers on "
                     f"one connection {max_gap * 1000:.0f} ms",
                     "; ".join(f"#{c.index}: {c.error}" for c in dropped)[:600])
        for c in conns:
            c.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--deadline", type=int, default=150,
                        help="seconds; then stop everything and fail (under ctest's TIMEOUT)")
    args = parser.parse_args()
    os.chdir(ROOT)
    checks = Checks()
    procs = sb.Processes()
    started = time.monotonic()

    def on_signal(signo, _frame):
        # SIGTERM, or our own deadline (SIGALRM) well before ctest's TIMEOUT would SIGKILL us
        # and orphan the sandbox's processes: the finally below still stops everything.
        raise KeyboardInterrupt(signal.Signals(signo).name)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGALRM, on_signal)
    signal.alarm(args.deadline)
    try:
        sb.check_binaries()
        sb.check_ports_free()
        sb.prepare_state()
        sb.start_datacenters(procs)
        sb.write_config_entries(procs)
        sb.establish_peering(procs)
        sb.start_services(procs)
        checks.check(True, "both datacenters up, peered, demo services running "
                     f"({time.monotonic() - started:.1f} s)")
        with tempfile.TemporaryDirectory(prefix="control-e2e-") as folder:
            sb.step("A config entry changed on DC2, carried to traffic")
            config_change_round(checks, procs, folder, "config change")
            sb.step(f"The control components restarted while {args.connections} connections "
                    f"carry traffic")
            traffic_through_restarts(checks, procs, args.connections)
            sb.step("A config change after the restarts")
            config_change_round(checks, procs, folder, "after the restarts")
    except sb.SandboxError as e:
        checks.check(False, "the sandbox ran", str(e))
    except KeyboardInterrupt as e:
        checks.check(False, "the test ran to its end",
                     f"interrupted ({e or 'SIGINT'}; deadline {args.deadline} s)")
    except (OSError, ValueError, KeyError, TypeError) as e:
        checks.check(False, "the test ran to its end", f"{type(e).__name__}: {e}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        procs.stop_all()
        sb.say(f"  every process stopped; logs in {sb.LOGS.relative_to(ROOT)}/")
    ok = checks.passed == checks.total and checks.total > 0
    sb.say(f"control-e2e: {checks.total} checks, {checks.passed} passed "
           f"({time.monotonic() - started:.1f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
