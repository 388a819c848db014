"""The command line: -version; bad bootstrap files rejected with file:line:col on stderr;
-log-json turns every log line into a JSON object."""

import json
import os

import clients
import hclgen as h
from meshgw import run_binary
from world import port

TYPO = """node { id = "x" }
static {
  cluster "api" {
    conect_timeout = "1s"
  }
}
"""

UNDECLARED_CLUSTER = """node { id = "x" }
static {
  listener "mesh" {
    address = "127.0.0.1:0"
    filter_chain "a" {
      tcp_proxy { cluster = "nope" }
    }
  }
}
"""


def run(world, checks):
    code, out, err = run_binary(world.binary, ["-version"])
    checks.true("-version exits 0 and prints a version", code == 0 and "meshgw" in out + err,
                f"exit {code}, stdout {out!r}, stderr {err!r}")

    folder = os.path.join(world.workdir, "cli")
    os.makedirs(folder, exist_ok=True)
    typo = os.path.join(folder, "typo.hcl")
    with open(typo, "w") as f:
        f.write(TYPO)
    code, _, err = run_binary(world.binary, ["-config", typo])
    checks.true("misspelled attribute: exit non-zero, file:4:5 and a suggestion",
                code not in (0, None) and f"{typo}:4:5:" in err and "connect_timeout" in err,
                f"exit {code}, stderr {err!r}")

    undeclared = os.path.join(folder, "undeclared.hcl")
    with open(undeclared, "w") as f:
        f.write(UNDECLARED_CLUSTER)
    code, _, err = run_binary(world.binary, ["-config", undeclared])
    checks.true("undeclared cluster: exit non-zero, file:6 and the cluster's name",
                code not in (0, None) and f"{undeclared}:6:" in err and '"nope"' in err,
                f"exit {code}, stderr {err!r}")

    missing = os.path.join(folder, "missing.hcl")
    code, _, err = run_binary(world.binary, ["-config", missing])
    checks.true("missing file: exit non-zero naming the file",
                code not in (0, None) and missing in err, f"exit {code}, stderr {err!r}")

    check_log_json(world, checks)


def check_log_json(world, checks):
    be = world.backend("cli-echo", "echo")
    admin, metrics, listen = world.address(), world.address(), world.address()
    static = [
        h.listener("plain", listen, [h.chain("echo", "echo")], tls_inspector=False),
        h.cluster("echo", [be.address]),
    ]
    gw = world.gateway("log-json")
    gw.start(h.bootstrap("log-json", admin, metrics, static), admin,
             extra_args=["-log-json", "-log-level", "debug"])
    s = clients.tcp(port(listen))
    try:
        checks.equal("-log-json: a connection passes", clients.roundtrip(s, b"j\n"), b"j\n")
    finally:
        s.close()
    code = gw.stop()
    checks.equal("-log-json: SIGTERM exit code", code, 0)
    lines = [line for line in gw.log_text().splitlines() if line.strip()]
    bad = []
    for line in lines:
        try:
            if not isinstance(json.loads(line), dict):
                bad.append(line)
        except ValueError:
            bad.append(line)
    checks.true("-log-json: every line is a JSON object", lines and not bad,
                f"{len(lines)} lines, not JSON: {bad[:2]!r}")
    checks.true("-log-json: lines carry level and msg",
                any("level" in json.loads(x) and "msg" in json.loads(x)
                    for x in lines if x not in bad), lines[:2])
