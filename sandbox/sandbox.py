#!/usr/bin/env python3
"""The two-datacenter sandbox: the cluster-peering walkthrough on one machine.

    ./run sandbox            build, start DC1 and DC2, run the walkthrough, verify, stay up
    ./run sandbox --check    the same, then stop; exit 0 only if every check passed (CI)
    ./run sandbox verify     the verification alone, against a running sandbox
    ./run sandbox cleanup    delete the peerings and stop every process of the sandbox

Each datacenter has its own loopback range (gcp-dc1: 127.0.1.x, gcp-dc2: 127.0.2.x) so that both
mesh gateways listen on 8443 and both control components on 8510, as on two real clusters:

    gcp-dc1  meshgw-control 127.0.1.1:8510 (gRPC) :8503 (peering)
             meshgw         127.0.1.2:8443, admin :19000, metrics :9102,
                            egress :9191 -> public-api, :9192 -> private-api (front-service),
                                   :9193 -> private-api (unauthorized-web, no intention)
             front-service  127.0.1.20:9090    public-api (local, for failover) 127.0.1.21:9090
    gcp-dc2  meshgw-control 127.0.2.1:8510 / :8503
             meshgw         127.0.2.2:8443, admin :19000, metrics :9102
             public-api     127.0.2.20:9090, 127.0.2.21:9090
             private-api    127.0.2.30:9090, 127.0.2.31:9090

State (copied configs, CA, peerings) lives in build/sandbox/, logs in build/sandbox/logs/. Every
wait is bounded; a process that dies stops the sandbox with its log tail. Python 3 stdlib only.
"""

import argparse
import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The binaries: build/release unless MESHGW_BUILD_DIR names another build folder (ctest sets it).
BUILD = Path(os.environ.get("MESHGW_BUILD_DIR", ROOT / "build" / "release"))
STATE = ROOT / "build" / "sandbox"
LOGS = STATE / "logs"
STATE_FILE = STATE / "state.json"
CONSUL_CONFIGS = ROOT / "configs" / "consul"
SANDBOX_CONFIGS = ROOT / "configs" / "sandbox"

BINARIES = {
    "meshgw": BUILD / "gateway" / "meshgw",
    "meshgw-control": BUILD / "control" / "meshgw-control",
    "meshgw-fake-service": BUILD / "demo" / "meshgw-fake-service",
}

# The two datacenters. `peer` is the name this side gives the other side's peering.
DCS = {
    "dc1": {
        "name": "gcp-dc1",
        "control": "127.0.1.1",
        "gateway": "127.0.1.2",
        "token": "sandbox-dc1-operator",
        "peer": "gcp-dc2-default",
        "gateway_id": "mesh-gateway-dc1",
        "trust_domain": "11111111-1111-4111-8111-111111111111.consul",
    },
    "dc2": {
        "name": "gcp-dc2",
        "control": "127.0.2.1",
        "gateway": "127.0.2.2",
        "token": "sandbox-dc2-operator",
        "peer": "gcp-dc1-default",
        "gateway_id": "mesh-gateway-dc2",
        "trust_domain": "22222222-2222-4222-8222-222222222222.consul",
    },
}

# Step 1: the walkthrough's config entries (configs/consul/, the DC2 intentions corrected with
# Peer = "gcp-dc1-default"), written on each side with `config write`, in the walkthrough's order.
CONFIG_ENTRIES = {
    "dc1": [
        "proxy-defaults.hcl",
        "mesh.hcl",
        "servicedefaults/front-service.hcl",
        "servicedefaults/public-api.hcl",
        "servicedefaults/private-api.hcl",
        "intentions/front-intentions.hcl",
        "sameness-groups/sg-dc1.hcl",
    ],
    "dc2": [
        "proxy-defaults.hcl",
        "mesh.hcl",
        "servicedefaults/public-api.hcl",
        "servicedefaults/private-api.hcl",
        "default-exported.hcl",
        "intentions/public-api-intentions.hcl",
        "intentions/private-api-intentions.hcl",
        "sameness-groups/sg-dc2.hcl",
    ],
}

FRONT_URL = "http://127.0.1.20:9090/"
EGRESS_PUBLIC = "http://127.0.1.2:9191"
EGRESS_PRIVATE = "http://127.0.1.2:9192"
EGRESS_UNAUTHORIZED = ("127.0.1.2", 9193)

# Step 3: the demo services. `registration` is the service-definition file of
# configs/sandbox/<dc>/services/ that registers it (as Nomad registers a job's services). The
# `.service.hcl` names keep them apart from the walkthrough's service-defaults files
# (servicedefaults/public-api.hcl): `config write` names the file it writes after the one given.
SERVICES = [
    {"dc": "dc2", "name": "public-api-1", "registration": "public-api.service.hcl",
     "env": {"NAME": "Public_API@gcp-dc2", "MESSAGE": "Hello World from Public API @gcp-dc2",
             "LISTEN_ADDR": "127.0.2.20:9090"}},
    {"dc": "dc2", "name": "public-api-2", "registration": "public-api.service.hcl",
     "env": {"NAME": "Public_API@gcp-dc2", "MESSAGE": "Hello World from Public API @gcp-dc2",
             "LISTEN_ADDR": "127.0.2.21:9090"}},
    {"dc": "dc2", "name": "private-api-1", "registration": "private-api.service.hcl",
     "env": {"NAME": "Private_API@gcp-dc2", "MESSAGE": "Hello World from Private API @gcp-dc2",
             "LISTEN_ADDR": "127.0.2.30:9090"}},
    {"dc": "dc2", "name": "private-api-2", "registration": "private-api.service.hcl",
     "env": {"NAME": "Private_API@gcp-dc2", "MESSAGE": "Hello World from Private API @gcp-dc2",
             "LISTEN_ADDR": "127.0.2.31:9090"}},
    {"dc": "dc1", "name": "public-api-local", "registration": "public-api-local.service.hcl",
     "env": {"NAME": "Public_API@gcp-dc1", "MESSAGE": "Hello World from Public API @gcp-dc1",
             "LISTEN_ADDR": "127.0.1.21:9090"}},
    {"dc": "dc1", "name": "front-service", "registration": "front-service.service.hcl",
     "env": {"NAME": "web", "MESSAGE": "Hello World fron Frontend V1 @gcp-dc1",
             "LISTEN_ADDR": "127.0.1.20:9090",
             "UPSTREAM_URIS": f"{EGRESS_PUBLIC},{EGRESS_PRIVATE}", "TIMEOUT": "3s"}},
]
# Registered without a process: the caller the intentions do not allow.
EXTRA_REGISTRATIONS = {"dc1": ["unauthorized-web.service.hcl"]}


def every_port():
    """(address, port, what) of everything the sandbox listens on."""
    ports = []
    for dc, d in DCS.items():
        ports += [(d["control"], 8510, f"{dc} meshgw-control gRPC"),
                  (d["control"], 8503, f"{dc} meshgw-control peering"),
                  (d["gateway"], 8443, f"{dc} meshgw mesh listener"),
                  (d["gateway"], 19000, f"{dc} meshgw admin"),
                  (d["gateway"], 9102, f"{dc} meshgw metrics")]
    ports += [("127.0.1.2", 9191, "dc1 egress public-api"),
              ("127.0.1.2", 9192, "dc1 egress private-api"),
              ("127.0.1.2", 9193, "dc1 egress private-api of unauthorized-web")]
    for s in SERVICES:
        host, port = s["env"]["LISTEN_ADDR"].rsplit(":", 1)
        ports.append((host, int(port), f"{s['dc']} {s['name']}"))
    return ports


class SandboxError(Exception):
    pass


def say(msg=""):
    print(msg, flush=True)


def step(title):
    say(f"\n==> {title}")


# ---- processes ---------------------------------------------------------------------------------

class Processes:
    """The processes this sandbox started (or, for verify/cleanup, found in the state file)."""

    def __init__(self):
        self.procs = []  # dicts: name, pid, cmd, log, popen (None when adopted)

    def start(self, name, cmd, env=None, cwd=None):
        log = LOGS / f"{name.replace('/', '-')}.log"
        out = open(log, "ab")
        full_env = dict(os.environ)
        full_env.update(env or {})
        popen = subprocess.Popen([str(c) for c in cmd], stdout=out, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, env=full_env, cwd=cwd,
                                 start_new_session=True)  # Ctrl-C reaches us, we stop them
        out.close()
        self.procs.append({"name": name, "pid": popen.pid, "cmd": [str(c) for c in cmd],
                           "log": str(log), "popen": popen})
        self.save()
        return popen

    def save(self):
        data = {"processes": [{k: v for k, v in p.items() if k != "popen"} for p in self.procs]}
        STATE_FILE.write_text(json.dumps(data, indent=1))

    @classmethod
    def load(cls):
        p = cls()
        if STATE_FILE.exists():
            p.procs = json.loads(STATE_FILE.read_text())["processes"]
            for proc in p.procs:
                proc["popen"] = None
        return p

    def find(self, name):
        return next((p for p in self.procs if p["name"] == name), None)

    @staticmethod
    def _ours(proc):
        """True when the pid still runs the command we started (pids are reused)."""
        try:
            cmdline = Path(f"/proc/{proc['pid']}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return False
        return bool(cmdline) and cmdline[0].decode(errors="replace") == proc["cmd"][0]

    def alive(self, proc):
        if proc.get("popen") is not None:
            return proc["popen"].poll() is None
        return self._ours(proc)

    def check_alive(self):
        """Raises SandboxError naming the first process that died, with its log tail."""
        for proc in self.procs:
            if proc.get("stopped"):
                continue
            if not self.alive(proc):
                code = proc["popen"].returncode if proc.get("popen") is not None else "?"
                raise SandboxError(f"{proc['name']} (pid {proc['pid']}) exited with code {code}; "
                                   f"last lines of {proc['log']}:\n{tail(proc['log'])}")

    def stop_one(self, proc, grace=5.0):
        proc["stopped"] = True
        if not self.alive(proc):
            return
        try:
            os.kill(proc["pid"], signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and self.alive(proc):
            time.sleep(0.05)
        if self.alive(proc):
            say(f"    {proc['name']} did not stop within {grace:.0f} s: SIGKILL")
            try:
                os.kill(proc["pid"], signal.SIGKILL)
            except ProcessLookupError:
                pass
        if proc.get("popen") is not None:
            try:
                proc["popen"].wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass

    def stop_all(self, grace=8.0):
        """SIGTERM to every process at once (services, gateways, control components: reverse
        start order), one shared deadline for them to exit, then SIGKILL."""
        running = [p for p in reversed(self.procs) if self.alive(p)]
        for proc in running:
            try:
                os.kill(proc["pid"], signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(self.alive(p) for p in running):
            time.sleep(0.05)
        for proc in running:
            if self.alive(proc):
                say(f"    {proc['name']} did not stop within {grace:.0f} s: SIGKILL")
                try:
                    os.kill(proc["pid"], signal.SIGKILL)
                except ProcessLookupError:
                    pass
            if proc.get("popen") is not None:
                try:
                    proc["popen"].wait(timeout=2)
                except subprocess.TimeoutExpired:
                    pass
        self.procs = []
        if STATE_FILE.exists():
            STATE_FILE.unlink()


def tail(path, lines=15):
    try:
        text = Path(path).read_text(errors="replace").splitlines()
    except OSError:
        return "    (no log)"
    return "\n".join("    " + l for l in text[-lines:]) or "    (empty log)"


# ---- probes ------------------------------------------------------------------------------------

def tcp_open(host, port, timeout=1.0):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def http_get(url, timeout=5.0):
    """(status, body text); status 0 and the error text when there was no HTTP answer."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")
    except (urllib.error.URLError, OSError, ConnectionError) as e:
        reason = getattr(e, "reason", e)
        return 0, str(reason)


def wait_for(what, probe, procs, timeout=30.0, interval=0.2):
    """Polls probe() until it returns a true value; bounded by timeout; watches the processes."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        if procs is not None:
            procs.check_alive()
        last = probe()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise SandboxError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def port_holder(host, port):
    """Who listens on host:port, from `ss -ltnp` when available."""
    try:
        out = subprocess.run(["ss", "-H", "-ltnp"], capture_output=True, text=True,
                             timeout=5).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "unknown process (ss not available)"
    for line in out.splitlines():
        fields = line.split()
        if len(fields) >= 4 and fields[3] in (f"{host}:{port}", f"0.0.0.0:{port}", f"*:{port}",
                                              f"[::]:{port}"):
            m = re.search(r'users:\(\("([^"]+)",pid=(\d+)', line)
            return f"{m.group(1)} (pid {m.group(2)})" if m else fields[3]
    return "unknown process"


def check_ports_free():
    busy = []
    for host, port, what in every_port():
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # As the servers bind: connections of a previous run in TIME_WAIT do not count.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as e:
            busy.append(f"  {host}:{port} ({what}): {e.strerror}; held by {port_holder(host, port)}")
        finally:
            s.close()
    if busy:
        hint = ""
        if STATE_FILE.exists():
            hint = "\na sandbox seems to be running already: ./run sandbox cleanup stops it"
        raise SandboxError("addresses the sandbox needs are in use:\n" + "\n".join(busy) + hint)


def metrics(dc):
    """The gateway's Prometheus counters: {name: [(labels dict, value)]}."""
    status, body = http_get(f"http://{DCS[dc]['gateway']}:9102/metrics", timeout=3)
    if status != 200:
        return {}
    out = {}
    for line in body.splitlines():
        m = re.match(r"^([a-zA-Z_:][\w:]*)(\{([^}]*)\})?\s+(\S+)$", line)
        if not m:
            continue
        labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
        try:
            out.setdefault(m.group(1), []).append((labels, float(m.group(4))))
        except ValueError:
            pass
    return out


def metric_sum(snapshot, name, **want):
    return sum(v for labels, v in snapshot.get(name, [])
               if all(labels.get(k) == val for k, val in want.items()))


# ---- the CLI -----------------------------------------------------------------------------------

def cli(dc, *args, show=True, check=True, timeout=20):
    """Runs `meshgw-control <args>` against dc's control component; prints the command first."""
    d = DCS[dc]
    shown = " ".join(_shell_quote(a) for a in args)
    if show:
        say(f"  {d['name']}$ meshgw-control {shown}")
    env = dict(os.environ, MESHGW_CONTROL_ADDR=f"{d['control']}:8510",
               MESHGW_CONTROL_TOKEN=d["token"])
    try:
        r = subprocess.run([str(BINARIES["meshgw-control"]), *args], capture_output=True,
                           text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise SandboxError(f"meshgw-control {shown} ({d['name']}) did not answer in {timeout} s")
    if check and r.returncode != 0:
        raise SandboxError(f"meshgw-control {shown} ({d['name']}) failed with code "
                           f"{r.returncode}: {(r.stderr or r.stdout).strip()}")
    return r


def _shell_quote(a):
    if len(a) > 60:
        a = a[:24] + "..." + a[-8:]  # peering tokens
    return a if re.fullmatch(r"[\w@%+=:,./-]+", a) else "'" + a.replace("'", "'\\''") + "'"


def cli_json(dc, *args, show=False):
    r = cli(dc, *args, "-format=json", show=show)
    return json.loads(r.stdout)


# ---- the walkthrough ---------------------------------------------------------------------------

def check_binaries():
    missing = [f"  {name}: {path}" for name, path in BINARIES.items() if not os.access(path, os.X_OK)]
    if missing:
        raise SandboxError("binaries not built:\n" + "\n".join(missing) +
                           "\nbuild them: ./run build release (./run sandbox builds them first)")


def prepare_state():
    if STATE.exists():
        for child in ("dc1", "dc2", "logs"):
            shutil.rmtree(STATE / child, ignore_errors=True)
    LOGS.mkdir(parents=True, exist_ok=True)
    for dc in DCS:
        shutil.copytree(SANDBOX_CONFIGS / dc, STATE / dc)
        os.chmod(STATE / dc / "gateway.token", 0o600)


def start_datacenters(procs):
    step("Starting the control components (in place of each datacenter's Consul servers)")
    for d in DCS.values():
        say(f"  ({d['name']}$ commands run with MESHGW_CONTROL_ADDR={d['control']}:8510 "
            f"MESHGW_CONTROL_TOKEN={d['token']})")
    for dc, d in DCS.items():
        cmd = [BINARIES["meshgw-control"], "agent", "-config", STATE / dc / "control.hcl"]
        say(f"  {d['name']}$ meshgw-control agent -config build/sandbox/{dc}/control.hcl")
        procs.start(f"{dc}/meshgw-control", cmd)
    for dc, d in DCS.items():
        wait_for(f"{d['name']} meshgw-control on {d['control']}:8510",
                 lambda d=d: tcp_open(d["control"], 8510), procs, timeout=30)
        wait_for(f"{d['name']} control API",
                 lambda dc=dc: cli(dc, "catalog", "services", show=False, check=False).returncode == 0,
                 procs, timeout=20)

    step("Phase 2: the mesh gateways (nomad run -var datacenter=... mesh-gateway.hcl)")
    for dc, d in DCS.items():
        cmd = [BINARIES["meshgw"], "-config", STATE / dc / "gateway.hcl"]
        say(f"  {d['name']}$ meshgw -config build/sandbox/{dc}/gateway.hcl")
        procs.start(f"{dc}/meshgw", cmd)
    for dc, d in DCS.items():
        wait_for(f"{d['name']} gateway admin {d['gateway']}:19000/ready",
                 lambda d=d: http_get(f"http://{d['gateway']}:19000/ready", 1)[0] == 200,
                 procs, timeout=30)
        wait_for(f"{d['name']} gateway listening on {d['gateway']}:8443",
                 lambda d=d: tcp_open(d["gateway"], 8443), procs, timeout=30)


def write_config_entries(procs):
    step("Step 1: config entries (consul config write ...)")
    say("  (Phase 1, the mesh gateway ACL policy of mesh-acl.hcl: each control.hcl's "
        "gateway_tokens admits its gateway)")
    for dc in DCS:
        for rel in CONFIG_ENTRIES[dc]:
            cli(dc, "config", "write", str((CONSUL_CONFIGS / rel).relative_to(ROOT)))
            procs.check_alive()


def establish_peering(procs):
    step("Step 2: cluster peering (DC1 accepts, DC2 dials)")
    token = cli("dc1", "peering", "generate-token", "-name", "gcp-dc2-default").stdout.strip()
    if not token:
        raise SandboxError("peering generate-token printed no token")
    try:
        decoded = json.loads(base64.b64decode(token + "=" * (-len(token) % 4)))
        say(f"  token: server name {decoded.get('ServerName')}, "
            f"addresses {decoded.get('ServerAddresses')}")
    except (ValueError, TypeError):
        say("  token: (not base64 JSON)")
    cli("dc2", "peering", "establish", "-name", "gcp-dc1-default", "-peering-token", token)
    for dc, peer in (("dc1", "gcp-dc2-default"), ("dc2", "gcp-dc1-default")):
        state = wait_for(
            f"peering {peer} ACTIVE on {DCS[dc]['name']}",
            lambda dc=dc, peer=peer: _peering_state(dc, peer) == "ACTIVE" and "ACTIVE",
            procs, timeout=45, interval=0.5)
        say(f"  {DCS[dc]['name']}: peering {peer} {state}")
    cli("dc1", "peering", "list")
    say(_indent(cli("dc1", "peering", "list", show=False).stdout))


def _peering_state(dc, peer):
    r = cli(dc, "peering", "read", "-name", peer, "-format=json", show=False, check=False)
    if r.returncode != 0:
        return None
    try:
        return json.loads(r.stdout).get("State")
    except ValueError:
        return None


def _indent(text):
    return "\n".join("    " + l for l in text.rstrip().splitlines())


def start_services(procs):
    step("Step 3: demo services (nomad run backend.nomad.hcl / frontend.nomad.hcl)")
    registered = set()
    for s in SERVICES:
        key = (s["dc"], s["registration"])
        if key not in registered:
            registered.add(key)
            cli(s["dc"], "config", "write", f"configs/sandbox/{s['dc']}/services/{s['registration']}")
    for dc, files in EXTRA_REGISTRATIONS.items():
        for f in files:
            cli(dc, "config", "write", f"configs/sandbox/{dc}/services/{f}")
    for s in SERVICES:
        start_service(procs, s)
    for s in SERVICES:
        host, port = s["env"]["LISTEN_ADDR"].rsplit(":", 1)
        wait_for(f"{s['name']} /health", lambda h=host, p=port:
                 http_get(f"http://{h}:{p}/health", 1)[0] == 200, procs, timeout=15)


def start_service(procs, s):
    env = " ".join(f"{k}={_shell_quote(v)}" for k, v in s["env"].items())
    say(f"  {DCS[s['dc']]['name']}$ {env} meshgw-fake-service")
    procs.start(f"{s['dc']}/{s['name']}", [BINARIES["meshgw-fake-service"]], env=s["env"])


# ---- verification ------------------------------------------------------------------------------

class Report:
    def __init__(self):
        self.results = []

    def add(self, criterion, ok, evidence):
        ok = None if ok is None else bool(ok)
        status = {True: "PASS", False: "FAIL", None: "N/A "}[ok]
        self.results.append((criterion, ok))
        say(f"  {status}  {criterion}")
        for line in evidence if isinstance(evidence, list) else [evidence]:
            say(f"          {line}")

    def all_passed(self):
        return all(ok is not False for _, ok in self.results)


def checked(report, criterion, fn):
    """Runs one check; an exception is that check's FAIL, with the reason as its evidence."""
    try:
        ok, evidence = fn()
    except SandboxError as e:
        ok, evidence = False, str(e).splitlines()
    except (OSError, ValueError, KeyError, TypeError, subprocess.SubprocessError) as e:
        ok, evidence = False, f"{type(e).__name__}: {e}"
    report.add(criterion, ok, evidence)


def front_answer():
    status, body = http_get(FRONT_URL, timeout=10)
    try:
        return status, json.loads(body)
    except ValueError:
        return status, {"raw": body[:300]}


def upstream_summary(answer, uri):
    call = answer.get("upstream_calls", {}).get(uri, {})
    ips = call.get("ip_addresses") or ["?"]
    if "error" in call:
        return None, f"{uri}: code {call.get('code')} error {call.get('error')}"
    return call.get("name"), f"{call.get('name')} at {ips[0]}"


def verify(procs):
    step("Verification: the walkthrough's success criteria")
    report = Report()
    before = {dc: metrics(dc) for dc in DCS}

    def gateways():
        ev, ok = [], True
        for dc, d in DCS.items():
            listening = tcp_open(d["gateway"], 8443)
            ready = http_get(f"http://{d['gateway']}:19000/ready", 2)[0]
            m = metrics(dc)
            ok = ok and listening and ready == 200 and bool(m)
            ev.append(f"{d['name']}: {d['gateway']}:8443 {'listening' if listening else 'CLOSED'}, "
                      f"admin /ready {ready}, metrics :9102 "
                      f"{'answering' if m else 'NOT answering'}, "
                      f"{int(metric_sum(m, 'meshgw_config_listeners'))} listeners / "
                      f"{int(metric_sum(m, 'meshgw_config_clusters'))} clusters from xDS")
        return ok, ev
    checked(report, "Mesh gateways deployed and running on both clusters (port 8443)", gateways)

    def peering():
        ev, ok = [], True
        for dc, peer in (("dc1", "gcp-dc2-default"), ("dc2", "gcp-dc1-default")):
            listed = cli_json(dc, "peering", "list")
            names = {p.get("Name"): p.get("State") for p in listed}
            read = cli_json(dc, "peering", "read", "-name", peer)
            state = read.get("State")
            ok = ok and names.get(peer) == "ACTIVE" and state == "ACTIVE"
            ev.append(f"{DCS[dc]['name']}: peering list {names}; peering read {peer}: State "
                      f"{state}, PeerServerName {read.get('PeerServerName')}, "
                      f"imported {read.get('StreamStatus', {}).get('ImportedServices')}, "
                      f"exported {read.get('StreamStatus', {}).get('ExportedServices')}")
        return ok, ev
    checked(report, "Cluster peering established between DC1 and DC2 (ACTIVE on both sides)",
            peering)

    def exports():
        entry = cli_json("dc2", "config", "read", "-kind", "exported-services", "-name", "default")
        exported = sorted(s["Name"] for s in entry.get("Services", [])
                          if any(c.get("Peer") == "gcp-dc1-default" for c in s.get("Consumers", [])))
        ok = exported == ["private-api", "public-api"]
        return ok, f"gcp-dc2: config read -kind exported-services -name default: {exported} " \
                   f"to gcp-dc1-default"
    checked(report, "Service exports configured (DC2 exports public-api, private-api)", exports)

    def discovery():
        services = cli_json("dc1", "catalog", "services", "-peer", "gcp-dc2-default")
        health = cli_json("dc1", "health", "service", "public-api", "-peer", "gcp-dc2-default")
        passing = [h for h in health if all(c.get("Status") == "passing"
                                           for c in h.get("Checks", []))]
        addrs = sorted({f"{h['Service'].get('Address')}:{h['Service'].get('Port')}"
                        for h in health})
        ok = {"public-api", "private-api"} <= set(services) and len(passing) > 0
        return ok, [f"gcp-dc1: catalog services -peer gcp-dc2-default: {sorted(services)}",
                    f"gcp-dc1: health service public-api -peer gcp-dc2-default: "
                    f"{len(passing)}/{len(health)} passing, at {addrs} (DC2's gateway)"]
    checked(report, "Cross-cluster service discovery via the peered connection", discovery)

    def demo_apps():
        ev, ok = [], True
        for s in SERVICES:
            if s["name"] == "public-api-local" and not _local_public_api_running(procs):
                continue
            host, port = s["env"]["LISTEN_ADDR"].rsplit(":", 1)
            st = http_get(f"http://{host}:{port}/health", 2)[0]
            ok = ok and st == 200
            ev.append(f"{s['dc']} {s['name']} {host}:{port} /health {st}")
        return ok, ["; ".join(ev[:3]), "; ".join(ev[3:])]
    checked(report, "Demo applications deployed: front-service in DC1, backends in DC2", demo_apps)

    def mesh_traffic():
        private_seen, public_seen, errors = set(), set(), []
        for _ in range(6):
            status, answer = front_answer()
            if status != 200:
                errors.append(f"front-service answered {status}: {json.dumps(answer)[:400]}")
                break
            name, text = upstream_summary(answer, EGRESS_PRIVATE)
            private_seen.add(text)
            _, text = upstream_summary(answer, EGRESS_PUBLIC)
            public_seen.add(text)
        dc2_names = [t for t in private_seen if t.startswith("Private_API@gcp-dc2")]
        ok = not errors and len(dc2_names) == len(private_seen) and dc2_names
        ev = [f"GET {FRONT_URL} x6: private-api (via 127.0.1.2:9192) answered by "
              f"{sorted(private_seen)}", f"public-api (via 127.0.1.2:9191) by {sorted(public_seen)}"]
        return ok, ev + errors
    checked(report, "Service mesh communication across datacenters (front-service -> DC2 APIs)",
            mesh_traffic)

    def mtls():
        after = {dc: metrics(dc) for dc in DCS}
        d1 = lambda n, **kw: metric_sum(after["dc1"], n, **kw) - metric_sum(before["dc1"], n, **kw)
        d2 = lambda n, **kw: metric_sum(after["dc2"], n, **kw) - metric_sum(before["dc2"], n, **kw)
        egress = sum(v for labels, v in after["dc1"].get("meshgw_listener_cx_total", [])
                     if labels.get("listener", "").startswith("egress")) - \
            sum(v for labels, v in before["dc1"].get("meshgw_listener_cx_total", [])
                if labels.get("listener", "").startswith("egress"))
        upstream_tls_fail = d1("meshgw_upstream_handshake_failures_total")
        handshakes = d2("meshgw_handshakes")
        allowed = d2("meshgw_authz_total", decision="allow")
        peer_lines = _peer_identity_lines("dc2", DCS["dc1"]["trust_domain"], "front-service")
        ok = egress > 0 and handshakes > 0 and allowed > 0 and upstream_tls_fail == 0 \
            and bool(peer_lines)
        ev = [f"gcp-dc1 gateway: +{egress:.0f} connections on its egress listeners, "
              f"+{upstream_tls_fail:.0f} upstream TLS handshake failures",
              f"gcp-dc2 gateway: +{handshakes:.0f} TLS handshakes terminated, "
              f"+{allowed:.0f} connections allowed by intentions"]
        if peer_lines:
            fields = dict(re.findall(r"(sni|mode|peer|upstream|authz)=(\S+)", peer_lines[-1]))
            ev.append(f"gcp-dc2 access log ({len(peer_lines)} such connections), last: "
                      f"sni={fields.get('sni')} mode={fields.get('mode')}")
            ev.append(f"  peer={fields.get('peer')} authz={fields.get('authz')} "
                      f"upstream={fields.get('upstream')}")
        else:
            ev.append("gcp-dc2 access log: no connection with front-service's DC1 identity")
        return ok, ev
    checked(report, "Traffic crossed both gateways with mTLS (gateway counters, peer identity)",
            mtls)

    def intentions():
        allowed = cli("dc2", "intention", "check", "front-service", "public-api", "-source-peer",
                      "gcp-dc1-default", check=False)
        denied = cli("dc2", "intention", "check", "unauthorized-web", "private-api",
                     "-source-peer", "gcp-dc1-default", check=False)
        denies_before = metric_sum(metrics("dc2"), "meshgw_authz_total", decision="deny")
        refused, how = _call_refused(*EGRESS_UNAUTHORIZED)
        denies = metric_sum(metrics("dc2"), "meshgw_authz_total", decision="deny") - denies_before
        ok = allowed.returncode == 0 and denied.returncode == 2 and refused and denies > 0
        return ok, [f"gcp-dc2: intention check front-service public-api -source-peer "
                    f"gcp-dc1-default: {allowed.stdout.strip() or allowed.stderr.strip()}",
                    f"gcp-dc2: intention check unauthorized-web private-api -source-peer "
                    f"gcp-dc1-default: {denied.stdout.strip() or denied.stderr.strip()}",
                    f"unauthorized-web's call via 127.0.1.2:9193: {how}; gcp-dc2 gateway "
                    f"+{denies:.0f} denied by intentions"]
    checked(report, "Service intentions: an allowed caller passes, a caller without one is refused",
            intentions)

    checked(report, "Failover (sameness group api-services): local public-api stopped, DC2 serves",
            lambda: failover(procs))

    report.add("API Gateway accessible on 8081", None,
               "not yet available (L7 work): meshgw's HTTP stage is planned (DESIGN.md)")
    return report


def _local_public_api_running(procs):
    p = procs.find("dc1/public-api-local")
    return p is not None and not p.get("stopped") and procs.alive(p)


def _peer_identity_lines(dc, peer_td, service):
    log = LOGS / f"{dc}-meshgw.log"
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        return []
    needle = f"spiffe://{peer_td}/ns/default/dc/gcp-dc1/svc/{service}"
    return [l for l in lines if needle in l]


def _call_refused(host, port):
    """(refused, how): an HTTP GET through an egress listener that must not get an answer."""
    status, body = http_get(f"http://{host}:{port}/", timeout=8)
    if status == 0:
        return True, f"no HTTP answer ({body})"
    return False, f"answered HTTP {status}: {body[:200]}"


def failover(procs):
    ev = []
    status, answer = front_answer()
    name, text = upstream_summary(answer, EGRESS_PUBLIC)
    ev.append(f"before: public-api answered by {text}")
    local = procs.find("dc1/public-api-local")
    # The file `config write` put it in (found by its service ID, whatever it was named).
    registration = next((f for f in (STATE / "dc1" / "config").glob("*.hcl")
                         if '"public-api-dc1-1"' in f.read_text(errors="replace")), None)
    if local is not None and procs.alive(local):
        say("  (failover) stop DC1's public-api and deregister it, as Nomad does when an "
            "allocation stops:")
        shown = registration.relative_to(ROOT) if registration else "(registration not found)"
        say(f"  gcp-dc1$ kill public-api-local; rm {shown}")
        procs.stop_one(local)
        if registration is not None:
            registration.unlink()
            ev.append(f"stopped dc1/public-api-local and removed its registration {shown}")
        else:
            ev.append("stopped dc1/public-api-local; its registration file was not found")
    deadline = time.monotonic() + 30
    served = None
    while time.monotonic() < deadline:
        status, answer = front_answer()
        name, text = upstream_summary(answer, EGRESS_PUBLIC)
        if status == 200 and name == "Public_API@gcp-dc2":
            served = text
            break
        time.sleep(0.5)
    if served is None:
        ev.append(f"after stopping the local instance, public-api answered by {text} "
                  f"(front-service {status}) for 30 s")
        return False, ev
    ev.append(f"after: public-api answered by {served} (through the peering)")
    return True, ev


def summary():
    step("The sandbox is up")
    say("""  gcp-dc1  meshgw-control  127.0.1.1:8510 (MESHGW_CONTROL_TOKEN=sandbox-dc1-operator)
           mesh gateway    127.0.1.2:8443  admin http://127.0.1.2:19000  metrics http://127.0.1.2:9102/metrics
           front-service   http://127.0.1.20:9090   (calls DC2 through 127.0.1.2:9191 and :9192)
  gcp-dc2  meshgw-control  127.0.2.1:8510 (MESHGW_CONTROL_TOKEN=sandbox-dc2-operator)
           mesh gateway    127.0.2.2:8443  admin http://127.0.2.2:19000  metrics http://127.0.2.2:9102/metrics
           public-api      http://127.0.2.20:9090  http://127.0.2.21:9090
           private-api     http://127.0.2.30:9090  http://127.0.2.31:9090""")
    say(f"  logs: {LOGS.relative_to(ROOT)}/")
    say("  try:  curl -s http://127.0.1.20:9090/ | python3 -m json.tool")
    say("        MESHGW_CONTROL_ADDR=127.0.1.1:8510 MESHGW_CONTROL_TOKEN=sandbox-dc1-operator "
        "build/release/control/meshgw-control peering list")
    say("        ./run sandbox verify      (in another terminal)")
    say("  Ctrl-C stops everything.")


# ---- commands ----------------------------------------------------------------------------------

def cmd_up(check_only):
    check_binaries()
    if STATE_FILE.exists():
        stale = Processes.load()
        if any(stale.alive(p) for p in stale.procs):
            raise SandboxError("a sandbox is already running (build/sandbox/state.json); "
                               "./run sandbox verify checks it, ./run sandbox cleanup stops it")
        STATE_FILE.unlink()
    step("Checking the loopback addresses and ports")
    check_ports_free()
    say(f"  {len(every_port())} addresses free on 127.0.1.x and 127.0.2.x")
    prepare_state()
    procs = Processes()
    stopping = {"flag": False}

    def on_signal(signo, _frame):
        stopping["flag"] = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        start_datacenters(procs)
        write_config_entries(procs)
        establish_peering(procs)
        start_services(procs)
        report = verify(procs)
        passed = report.all_passed()
        failed = [c for c, ok in report.results if ok is False]
        step(f"{'All checks passed' if passed else f'{len(failed)} check(s) failed'} "
             f"(API gateway: not yet available); logs in {LOGS.relative_to(ROOT)}/")
        if check_only:
            return 0 if passed else 1
        summary()
        while True:
            if not STATE_FILE.exists():
                say("\n==> Stopped by ./run sandbox cleanup")
                return 0
            procs.check_alive()
            time.sleep(1)
    except KeyboardInterrupt:
        say("\n==> Stopping")
        return 0 if not check_only else 1
    except SandboxError as e:
        say(f"\nsandbox: {e}")
        say(f"logs: {LOGS.relative_to(ROOT)}/")
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not leave orphans
        procs.stop_all()
        say("  every sandbox process stopped")


def cmd_verify():
    check_binaries()
    procs = Processes.load()
    if not procs.procs:
        raise SandboxError("no sandbox is running (no build/sandbox/state.json): ./run sandbox")
    # Processes stopped on purpose (the failover check) are not failures.
    for p in procs.procs:
        if not procs.alive(p) and p["name"] == "dc1/public-api-local":
            p["stopped"] = True
    procs.check_alive()
    report = verify(procs)
    procs.save()
    return 0 if report.all_passed() else 1


def cmd_cleanup():
    procs = Processes.load()
    step("Deleting the peerings (consul peering delete ...)")
    for dc, peer in (("dc1", "gcp-dc2-default"), ("dc2", "gcp-dc1-default")):
        if tcp_open(DCS[dc]["control"], 8510) and os.access(BINARIES["meshgw-control"], os.X_OK):
            r = cli(dc, "peering", "delete", "-name", peer, check=False)
            say(_indent((r.stdout or r.stderr).strip() or f"exit {r.returncode}"))
        else:
            say(f"  {DCS[dc]['name']}: control component not running")
    step("Stopping the sandbox's processes")
    if STATE_FILE.exists():
        STATE_FILE.unlink()  # first: a sandbox in the foreground sees it and stops quietly
    count = sum(1 for p in procs.procs if procs.alive(p))
    procs.stop_all()
    say(f"  {count} process(es) stopped; state and logs kept in {STATE.relative_to(ROOT)}/")
    return 0


def main():
    parser = argparse.ArgumentParser(prog="./run sandbox", description=__doc__.split("\n")[0])
    parser.add_argument("command", nargs="?", choices=["up", "verify", "cleanup"], default="up")
    parser.add_argument("--check", action="store_true",
                        help="stop after the verification; exit 0 only if every check passed")
    args = parser.parse_args()
    os.chdir(ROOT)
    try:
        if args.command == "verify":
            return cmd_verify()
        if args.command == "cleanup":
            return cmd_cleanup()
        return cmd_up(args.check)
    except SandboxError as e:
        say(f"sandbox: {e}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
