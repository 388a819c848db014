"""Failover across endpoints and priorities.

Cluster `fo`: endpoints a and b at priority 0, c at priority 1; each backend starts every
connection by writing its name. Outlier detection ejects an endpoint after one connect failure
and the tcp_proxy tries up to three endpoints, so a client never sees a dead endpoint:
  all alive     → a and b share the traffic, c gets none;
  a killed      → every connection goes to b;
  a, b killed   → every connection goes to c (priority 1).
"""

import clients
import hclgen as h
from world import port

CONNECTIONS = 10


def served_by(gw_port, n):
    """Names of the backends that served `n` fresh connections ("" when one failed)."""
    names = []
    for _ in range(n):
        try:
            s = clients.tcp(gw_port)
        except OSError as e:
            names.append(f"(connect error {e})")
            continue
        try:
            names.append(clients.read_line(s).decode(errors="replace").strip())
        except OSError as e:
            names.append(f"(error {e})")
        finally:
            s.close()
    return names


def run(world, checks):
    w = world
    a, b, c = (w.backend(n, "banner") for n in ("a", "b", "c"))
    admin, metrics, listen = w.address(), w.address(), w.address()
    static = [
        h.listener("plain", listen, [h.chain("fo", "fo", max_connect_attempts=3)],
                   tls_inspector=False),
        h.cluster("fo", [(a.address, 0), (b.address, 0), (c.address, 1)],
                  outlier={"consecutive_failures": 1, "interval": "1s",
                           "base_ejection_time": "30s", "max_ejection_percent": 100},
                  connect_timeout="1s"),
    ]
    gw = w.gateway("failover")
    gw.start(h.bootstrap("failover", admin, metrics, static), admin)
    p = port(listen)

    names = served_by(p, CONNECTIONS)
    checks.equal("all alive: a and b share the traffic", sorted(set(names)), ["a", "b"])
    checks.equal("all alive: priority 1 idle", c.accepted, 0)

    fail_before = gw.metric("meshgw_upstream_cx_connect_fail_total", cluster="fo")
    a.stop()
    names = served_by(p, CONNECTIONS)
    checks.equal("a killed: every connection goes to b", names, ["b"] * CONNECTIONS)
    checks.at_least("a killed: connect failures counted",
                    gw.metric("meshgw_upstream_cx_connect_fail_total", cluster="fo") - fail_before,
                    1)
    checks.equal("a killed: priority 1 still idle", c.accepted, 0)

    b.stop()
    names = served_by(p, CONNECTIONS)
    checks.equal("a and b killed: priority 1 (c) serves", names, ["c"] * CONNECTIONS)
    status, body = gw.request("GET", "/clusters")
    checks.true("/clusters shows the three endpoints",
                status == 200 and all(x.address in body for x in (a, b, c)), body[:400])
