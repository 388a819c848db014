#!/usr/bin/env python3
"""meshgw-control end to end on 127.0.0.1: two agents (DC1, DC2) on random ports with temp config
folders built from the walkthrough's configs (configs/consul/, the DC2 set), every CLI command
against them with its output checked, a peering established between them, a config file changed
and seen in `proxy-config`, and a real `meshgw` gateway fed by DC2's agent (admin /ready and
/config_dump show the pushed listeners).

Usage: control_test.py --control build/release/control/meshgw-control
                       --meshgw build/release/gateway/meshgw --source-dir .
Every wait is bounded; the whole test has a deadline. Exit 0 when every check passed.
"""
import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

DC1_TD_ID = "11111111-2222-3333-4444-555555555555"
DC2_TD_ID = "aaaaaaaa-2222-3333-4444-555555555555"
DC2_TD = DC2_TD_ID + ".consul"

# The walkthrough's DC2 set (as tests/unit/control/walkthrough_configs_test.cc builds it).
DC2_FILES = [
    "default-exported.hcl", "intentions/public-api-intentions.hcl",
    "intentions/private-api-intentions.hcl", "sameness-groups/sg-dc2.hcl", "mesh.hcl",
    "proxy-defaults-access-logs.hcl", "mesh-acl.hcl", "servicedefaults/public-api.hcl",
    "servicedefaults/private-api.hcl", "servicedefaults/test-destination.hcl",
    "servicedefaults/tls-destination.hcl", "servicedefaults/terminating-gateway.hcl",
    "intentions/insecure-destination-intention.hcl",
]
# DC1 without mesh.hcl: its agent dials DC2's peering port directly (no gateway in between).
DC1_FILES = ["intentions/front-intentions.hcl", "proxy-defaults.hcl",
             "servicedefaults/front-service.hcl", "servicedefaults/public-api.hcl"]

FAILURES = []
CHECKS = [0]


def check(cond, what, detail=""):
    CHECKS[0] += 1
    if cond:
        print(f"PASS {what}")
    else:
        print(f"FAIL {what}\n{detail}")
        FAILURES.append(what)
    return cond


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Agent:
    def __init__(self, args, root, name, dc, cluster_id, files, services, extra=""):
        self.args = args
        self.dir = os.path.join(root, name)
        self.config_dir = os.path.join(self.dir, "consul.d")
        os.makedirs(self.config_dir)
        src = os.path.join(args.source_dir, "configs", "consul")
        for f in files:
            os.makedirs(os.path.dirname(os.path.join(self.config_dir, f)), exist_ok=True)
            shutil.copy(os.path.join(src, f), os.path.join(self.config_dir, f))
        with open(os.path.join(self.config_dir, "services.hcl"), "w") as out:
            out.write(services)
        self.grpc_port = free_port()
        self.peering_port = free_port()
        self.token = f"cli-{name}"
        with open(os.path.join(self.dir, "control.hcl"), "w") as out:
            out.write(f'''datacenter      = "{dc}"
cluster_id      = "{cluster_id}"
data_dir        = "data"
config_dir      = "consul.d"
grpc_address    = "127.0.0.1:{self.grpc_port}"
peering_address = "127.0.0.1:{self.peering_port}"
control_tokens  = ["{self.token}"]
poll_interval   = "200ms"
{extra}
''')
        self.log = open(os.path.join(self.dir, "agent.log"), "w")
        self.proc = subprocess.Popen(
            [args.control, "agent", "-config", os.path.join(self.dir, "control.hcl")],
            stdout=self.log, stderr=subprocess.STDOUT)

    def cli(self, *argv, token=None):
        env = dict(os.environ)
        env["MESHGW_CONTROL_ADDR"] = f"127.0.0.1:{self.grpc_port}"
        env["MESHGW_CONTROL_TOKEN"] = self.token if token is None else token
        r = subprocess.run([self.args.control, *argv], env=env, capture_output=True, text=True,
                           timeout=60)
        return r.returncode, r.stdout, r.stderr

    def json(self, *argv):
        code, out, err = self.cli(*argv, "-format=json")
        if code != 0:
            raise RuntimeError(f"{' '.join(argv)}: exit {code}: {err}")
        return json.loads(out)

    def wait_ready(self, deadline):
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False
            code, _, _ = self.cli("peering", "list")
            if code == 0:
                return True
            time.sleep(0.1)
        return False

    def log_tail(self):
        self.log.flush()
        with open(os.path.join(self.dir, "agent.log")) as f:
            return "".join(f.readlines()[-30:])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def wait_for(what, fn, timeout):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = fn()
            if last:
                return last
        except Exception as e:  # the agent may be between states
            last = e
        time.sleep(0.2)
    print(f"  (timed out waiting for {what}; last: {last})")
    return None


def chain(proxy_config, prefix):
    for l in proxy_config["resources"]["Listener"]:
        for c in l["resource"].get("filter_chains", []):
            if c.get("name", "").startswith(prefix):
                return c
    return None


def http_get(url, timeout=2):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except Exception as e:
        return 0, str(e)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--control", required=True)
    p.add_argument("--meshgw", required=True)
    p.add_argument("--source-dir", required=True)
    p.add_argument("--deadline", type=float, default=100)
    args = p.parse_args()
    start = time.time()
    root = tempfile.mkdtemp(prefix="meshgw-control-it-")
    gw2_port = free_port()
    agents = []
    gateway = None
    try:
        dc2 = Agent(args, root, "dc2", "gcp-dc2", DC2_TD_ID, DC2_FILES, f'''
service {{
  id      = "mesh-gateway-dc2"
  name    = "mesh-gateway"
  kind    = "mesh-gateway"
  address = "127.0.0.1"
  port    = {gw2_port}
  tagged_addresses {{
    lan = {{ address = "127.0.0.1", port = {gw2_port} }}
    wan = {{ address = "127.0.0.1", port = {gw2_port} }}
  }}
}}
service {{
  id      = "public-api-1"
  name    = "public-api"
  address = "127.0.0.1"
  port    = {free_port()}
}}
service {{
  id      = "public-api-2"
  name    = "public-api"
  address = "127.0.0.1"
  port    = {free_port()}
}}
service {{
  id      = "private-api-1"
  name    = "private-api"
  address = "127.0.0.1"
  port    = {free_port()}
}}
''', extra='''gateway_tokens {
  token = "gw2-secret"
  nodes = ["mesh-gateway-dc2"]
}''')
        agents.append(dc2)
        gw1_port = free_port()
        egress_port = free_port()
        dc1 = Agent(args, root, "dc1", "gcp-dc1", DC1_TD_ID, DC1_FILES, f'''
service {{
  id      = "mesh-gateway-dc1"
  name    = "mesh-gateway"
  kind    = "mesh-gateway"
  address = "127.0.0.1"
  port    = {gw1_port}
  tagged_addresses {{
    lan = {{ address = "127.0.0.1", port = {gw1_port} }}
    wan = {{ address = "127.0.0.1", port = {gw1_port} }}
  }}
}}
service {{
  name    = "front-service"
  address = "127.0.0.1"
  port    = {free_port()}
  connect {{
    sidecar_service {{
      proxy {{
        upstreams = [{{
          destination_name   = "public-api"
          destination_peer   = "gcp-dc2-default"
          local_bind_address = "127.0.0.1"
          local_bind_port    = {egress_port}
        }}]
      }}
    }}
  }}
}}
''')
        agents.append(dc1)
        for a in agents:
            if not check(a.wait_ready(time.time() + 20), f"agent {a.dir} serves the control API",
                         a.log_tail()):
                return 1

        # ---- usage, tokens ----
        code, out, err = dc2.cli("frobnicate")
        check(code == 1 and "unknown command" in err and "peering generate-token" in err,
              "an unknown command prints the usage and exits 1", err)
        code, out, err = dc2.cli("peering", "list", token="wrong")
        check(code == 1 and "MESHGW_CONTROL_TOKEN" in err,
              "a wrong control token is refused, naming MESHGW_CONTROL_TOKEN", err)
        code, out, err = dc2.cli("peering", "read", "-nme", "x")
        check(code == 1 and "flag provided but not defined: -nme" in err,
              "an unknown flag is named", err)

        # ---- catalog, health, intentions, config on DC2 ----
        code, out, _ = dc2.cli("catalog", "services")
        check(code == 0 and out.split() == ["mesh-gateway", "private-api", "public-api"],
              "catalog services lists DC2's services", out)
        code, out, _ = dc2.cli("health", "service", "public-api")
        check(code == 0 and "public-api-1" in out and "public-api-2" in out and "passing" in out
              and out.startswith("Node"), "health service shows both public-api instances", out)
        code, out, _ = dc2.cli("health", "service", "public-api", "-peer", "nope")
        code2, _, err = dc2.cli("health", "service", "public-api", "-peer", "nope")
        check(code2 == 1 and "no peering named \"nope\"" in err,
              "health service -peer names an unknown peering", err)
        code, out, _ = dc2.cli("intention", "check", "front-service", "public-api",
                               "-source-peer", "gcp-dc1-default")
        check(code == 0 and out.strip() == "Allowed",
              "intention check front-service (peer gcp-dc1-default) -> public-api: Allowed", out)
        code, out, _ = dc2.cli("intention", "check", "front-service", "public-api")
        check(code == 2 and out.strip() == "Denied",
              "intention check from a local front-service: Denied, exit 2", out)
        j = dc2.json("intention", "check", "front-service", "private-api", "-source-peer",
                     "gcp-dc1-default")
        check(j["Allowed"] and j["Entry"] == "service-intentions/private-api",
              "intention check -format=json names the entry", json.dumps(j))
        j = dc2.json("config", "read", "-kind", "exported-services", "-name", "default")
        check([s["Name"] for s in j["Services"]] == ["public-api", "private-api"]
              and j["Services"][0]["Consumers"] == [{"Peer": "gcp-dc1-default"}],
              "config read exported-services/default in Consul's JSON", json.dumps(j))
        code, out, _ = dc2.cli("config", "list", "-kind", "service-defaults")
        check(code == 0 and out.split() == ["private-api", "public-api", "terminating-gateway",
                                             "test-destination", "tls-destination"],
              "config list -kind service-defaults", out)
        code, _, err = dc2.cli("config", "read", "-kind", "service-defaults", "-name", "nope")
        check(code == 1 and "not found" in err and "nope" in err,
              "config read of a missing entry names it", err)
        bad = os.path.join(root, "bad-entry.hcl")
        with open(bad, "w") as f:
            f.write('Kind = "service-defaults"\nName = "x"\nProtocl = "tcp"\n')
        code, _, err = dc2.cli("config", "write", bad)
        check(code == 1 and f"{bad}:3:1:" in err and "Did you mean \"Protocol\"" in err,
              "config write of a bad file: error at file:line:col", err)
        good = os.path.join(root, "new-service-defaults.hcl")
        with open(good, "w") as f:
            f.write('Kind = "service-defaults"\nName = "audit-api"\nProtocol = "http"\n')
        code, out, err = dc2.cli("config", "write", good)
        check(code == 0 and "Config entry written: service-defaults/audit-api" in out
              and os.path.exists(os.path.join(dc2.config_dir, "new-service-defaults.hcl")),
              "config write validates and writes into config_dir", out + err)
        code, out, _ = dc2.cli("config", "list", "-kind", "service-defaults")
        check("audit-api" in out.split(), "the written entry is served at once", out)

        # ---- proxy-config ----
        pc = dc2.json("proxy-config", "mesh-gateway-dc2")
        listeners = [l["name"] for l in pc["resources"]["Listener"]]
        check(any(str(gw2_port) in n for n in listeners),
              "proxy-config shows the gateway's listener", json.dumps(listeners))
        code, _, err = dc2.cli("proxy-config", "nope")
        check(code == 1 and "no gateway \"nope\"" in err and "mesh-gateway-dc2" in err,
              "proxy-config of an unknown node names the known ones", err)

        # ---- peering: DC2 accepts, DC1 dials DC2's peering port directly ----
        code, token, err = dc2.cli("peering", "generate-token", "-name", "gcp-dc1-default",
                                   "-server-external-addresses",
                                   f"127.0.0.1:{dc2.peering_port}")
        token = token.strip()
        decoded = {}
        try:
            decoded = json.loads(base64.b64decode(token))
        except Exception as e:
            err += f" (token does not decode: {e})"
        check(code == 0 and len(token.split()) == 1
              and decoded.get("ServerName") == f"server.gcp-dc2.peering.{DC2_TD}"
              and decoded.get("ServerAddresses") == [f"127.0.0.1:{dc2.peering_port}"],
              "peering generate-token prints only a Consul-shaped token", token[:80] + err)
        code, out, _ = dc2.cli("peering", "list")
        check(code == 0 and out.splitlines()[0].split() ==
              ["Name", "State", "Imported", "Svcs", "Exported", "Svcs", "Meta"]
              and "gcp-dc1-default" in out and "PENDING" in out,
              "peering list on DC2: gcp-dc1-default PENDING", out)
        code, out, err = dc1.cli("peering", "establish", "-name", "gcp-dc2-default",
                                 "-peering-token", token)
        check(code == 0 and "Successfully established peering connection with gcp-dc2-default"
              in out, "peering establish on DC1", out + err)
        code, _, err = dc1.cli("peering", "establish", "-name", "x")
        check(code == 1 and "-peering-token" in err, "establish without a token names the flag",
              err)
        active = wait_for("both sides ACTIVE", lambda: (
            dc1.json("peering", "read", "-name", "gcp-dc2-default")["State"] == "ACTIVE" and
            dc2.json("peering", "read", "gcp-dc1-default")["State"] == "ACTIVE"), 20)
        check(active, "the peering is ACTIVE on both sides",
              dc1.log_tail() + dc2.log_tail())
        imported = wait_for("DC1 imports DC2's services", lambda: sorted(
            dc1.json("catalog", "services", "-peer", "gcp-dc2-default").keys()) ==
            ["private-api", "public-api"], 15)
        check(imported, "catalog services -peer gcp-dc2-default on DC1: public-api, private-api")
        code, out, _ = dc1.cli("peering", "read", "gcp-dc2-default")
        check(code == 0 and "State:        ACTIVE" in out and "Imported Services: 2" in out
              and f"Peer Server Name:      server.gcp-dc2.peering.{DC2_TD}" in out,
              "peering read on DC1 (Consul's layout)", out)
        code, out, _ = dc1.cli("health", "service", "public-api", "-peer", "gcp-dc2-default")
        check(code == 0 and f"127.0.0.1:{gw2_port}" in out and "passing" in out
              and f"public-api.default.default.gcp-dc1-default.external.{DC2_TD}" in out,
              "health service public-api -peer gcp-dc2-default: DC2's gateway and SNI", out)
        code, out, _ = dc1.cli("health", "service", "public-api", "-peer", "gcp-dc2-default",
                               "-passing")
        check(code == 0 and f"127.0.0.1:{gw2_port}" in out, "health service -passing", out)

        # DC2 now has DC1's bundle: the exported chains are terminated with RBAC.
        sni = f"public-api.default.default.gcp-dc1-default.external.{DC2_TD}"
        ex = wait_for("DC2's exported chain", lambda: (lambda j: j if any(
            g["chain"].startswith("exported~public-api") for g in j["gateways"]) else None)(
                dc2.json("explain", "-sni", sni)), 10)
        check(ex is not None and ex["gateways"][0]["mode"] == "terminate"
              and "rbac" in ex["gateways"][0] and ex["gateways"][0]["cluster"]["endpoints"],
              "explain -sni on DC2: exported chain, terminated, RBAC, endpoints", json.dumps(ex))
        secrets = json.dumps(dc2.json("proxy-config", "mesh-gateway-dc2")["resources"]["Secret"])
        check("PRIVATE KEY" not in secrets and "[redacted]" in secrets
              and "BEGIN CERTIFICATE" in secrets,
              "proxy-config shows the gateway leaf with its private key redacted", secrets[:300])
        code, out, _ = dc2.cli("explain", "-sni", sni)
        check(code == 0 and "Why:" in out and "exported~public-api" in out
              and "terminate" in out, "explain -sni human form", out)
        code, out, _ = dc2.cli("explain", "-source", "front-service", "-source-peer",
                               "gcp-dc1-default", "-destination", "public-api")
        check(code == 0 and "Intention: Allowed" in out and sni in out,
              "explain -source -source-peer -destination on DC2", out)
        flow = wait_for("DC1's egress listener", lambda: (lambda j: j if j.get(
            "upstream", {}).get("egress") else None)(dc1.json(
                "explain", "-source", "front-service", "-destination", "public-api")), 10)
        check(flow is not None and flow["upstream"]["sni"] == sni
              and flow["upstream"]["bind"] == f"127.0.0.1:{egress_port}",
              "explain on DC1: front-service's upstream, the egress listener and the SNI",
              json.dumps(flow))
        code, _, err = dc1.cli("explain", "-source", "front-service")
        check(code == 1 and "-destination" in err, "explain without -destination says so", err)

        # ---- a config file changed on disk is seen in proxy-config ----
        before = dc2.json("proxy-config", "mesh-gateway-dc2")
        c = chain(before, "exported~public-api")
        check(c is not None and "transport_socket" in c,
              "before the change, public-api's exported chain terminates TLS",
              json.dumps(c)[:400])
        with open(os.path.join(dc2.config_dir, "servicedefaults", "public-api.hcl"), "w") as f:
            f.write('Kind     = "service-defaults"\nName     = "public-api"\nProtocol = "tcp"\n')
        after = wait_for("the change in proxy-config", lambda: (lambda j: j if (
            chain(j, "exported~public-api") is not None and
            "transport_socket" not in chain(j, "exported~public-api")) else None)(
                dc2.json("proxy-config", "mesh-gateway-dc2")), 10)
        check(after is not None and after["version"] != before["version"],
              "public-api's protocol changed to tcp on disk: its chain is passed through now")
        with open(os.path.join(dc2.config_dir, "broken.hcl"), "w") as f:
            f.write('Kind = "service-defaults"\nName = "zzz"\nProtocol = 3 +\n')
        time.sleep(0.8)
        code, out, _ = dc2.cli("config", "list", "-kind", "service-defaults")
        check(code == 0 and "public-api" in out and "broken.hcl:3:" in dc2.log_tail(),
              "a broken file is logged with file:line and the last good model keeps serving",
              dc2.log_tail())
        os.remove(os.path.join(dc2.config_dir, "broken.hcl"))

        # ---- a real gateway fed by DC2's agent ----
        def bootstrap(path, token, admin):
            with open(path, "w") as f:
                f.write(f'''node {{
  id         = "mesh-gateway-dc2"
  cluster    = "mesh-gateway"
  datacenter = "gcp-dc2"
}}
xds {{
  address = "127.0.0.1:{dc2.grpc_port}"
  token   = "{token}"
}}
admin {{
  address = "127.0.0.1:{admin}"
}}
metrics {{
  address = "127.0.0.1:{free_port()}"
}}
workers = 1
''')

        admin = free_port()
        boot = os.path.join(root, "gateway-dc2.hcl")
        bootstrap(boot, "gw2-secret", admin)
        gw_log = open(os.path.join(root, "gateway.log"), "w")
        gateway = subprocess.Popen([args.meshgw, "-config", boot], stdout=gw_log,
                                   stderr=subprocess.STDOUT)
        ready = wait_for("gateway /ready", lambda: http_get(
            f"http://127.0.0.1:{admin}/ready")[0] == 200, 20)
        with open(os.path.join(root, "gateway.log")) as f:
            gw_tail = "".join(f.readlines()[-20:])
        check(ready, "meshgw connected to DC2's agent is ready", gw_tail)
        status, dump = http_get(f"http://127.0.0.1:{admin}/config_dump")
        check(status == 200 and str(gw2_port) in dump and "exported~public-api" in dump
              and "exported~private-api" in dump,
              "the gateway's /config_dump shows the pushed listener and chains", dump[:500])
        with socket.create_connection(("127.0.0.1", gw2_port), timeout=2):
            check(True, f"the gateway listens on the pushed listener 127.0.0.1:{gw2_port}")

        key = os.path.join(dc2.dir, "data", "peering-tls", "key.pem")
        check(os.path.exists(key) and (os.stat(key).st_mode & 0o777) == 0o600,
              "the peering port's key is kept in data_dir/peering-tls, mode 0600")

        # A gateway whose token is not allowed for its node is refused.
        boot_bad = os.path.join(root, "gateway-bad-token.hcl")
        bootstrap(boot_bad, "not-the-token", free_port())
        bad_gw = subprocess.Popen([args.meshgw, "-config", boot_bad], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            denied = wait_for("the agent to deny the wrong token", lambda: (
                'denied a stream of node \\"mesh-gateway-dc2\\"' in dc2.log_tail()
                or 'denied a stream of node "mesh-gateway-dc2"' in dc2.log_tail()), 10)
            check(denied, "a gateway with a wrong token is refused by the xDS server",
                  dc2.log_tail())
        finally:
            bad_gw.terminate()
            bad_gw.wait(timeout=10)

        # ---- deletion ----
        code, out, err = dc1.cli("peering", "delete", "-name", "gcp-dc2-default")
        check(code == 0 and "gcp-dc2-default" in out, "peering delete on DC1", out + err)
        gone = wait_for("DC2 sees TERMINATED", lambda: dc2.json(
            "peering", "read", "gcp-dc1-default")["State"] == "TERMINATED", 10)
        check(gone, "DC2 sees the peering TERMINATED")
        code, out, _ = dc1.cli("peering", "list")
        check(code == 0 and "gcp-dc2-default" not in out, "DC1's peering list is empty", out)
        code, _, err = dc1.cli("peering", "read", "gcp-dc2-default")
        check(code == 1 and "gcp-dc2-default" in err, "peering read of a deleted peering", err)
    finally:
        if gateway is not None and gateway.poll() is None:
            gateway.terminate()
            try:
                gateway.wait(timeout=10)
            except subprocess.TimeoutExpired:
                gateway.kill()
        for a in agents:
            a.stop()
        if FAILURES:
            print(f"logs kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    print(f"{CHECKS[0] - len(FAILURES)}/{CHECKS[0]} checks passed in "
          f"{time.time() - start:.1f}s")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
