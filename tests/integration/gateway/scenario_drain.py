"""SIGTERM drains.

1. drain window 10 s: an open connection keeps echoing after SIGTERM, new connections get no
   service, and once the client closes its connection the process exits 0, well before the
   window ends.
2. drain window 2 s: a connection that stays open is closed when the window ends and the process
   exits 0.
3. admin: POST /healthcheck/fail makes /ready answer 503 while traffic still flows;
   POST /drain_listeners stops accepting, open connections go on, the process keeps running.
"""

import signal
import socket
import time

import clients
import hclgen as h
from checks import wait_for
from world import port


def start(world, name, drain):
    be = world.backend(f"{name}-echo", "echo")
    admin, metrics, listen = world.address(), world.address(), world.address()
    static = [
        h.listener("plain", listen, [h.chain("echo", "echo")], tls_inspector=False),
        h.cluster("echo", [be.address]),
    ]
    gw = world.gateway(name)
    gw.start(h.bootstrap(name, admin, metrics, static, timeouts={"drain": drain}), admin)
    return gw, port(listen)


def new_connection_served(p):
    """True when a new connection to port p echoes; False when it is refused, reset or closed."""
    try:
        s = clients.tcp(p, timeout=2)
    except OSError:
        return False
    try:
        return clients.roundtrip(s, b"new\n", timeout=2) == b"new\n"
    except OSError:
        return False
    finally:
        s.close()


def refused(p):
    try:
        socket.create_connection(("127.0.0.1", p), timeout=2).close()
        return False
    except ConnectionRefusedError:
        return True
    except OSError:
        return False


def run(world, checks):
    gw, p = start(world, "drain", "10s")
    held = clients.tcp(p)
    try:
        checks.equal("drain: held connection echoes", clients.roundtrip(held, b"one\n"), b"one\n")
        gw.signal(signal.SIGTERM)
        stopped = wait_for(lambda: refused(p), 3)
        checks.true("drain: listener closed after SIGTERM (connect refused)", stopped)
        checks.true("drain: a new connection is not served", not new_connection_served(p))
        time.sleep(0.5)
        checks.true("drain: process still running while a connection is open",
                    gw.proc.poll() is None, f"exited with {gw.proc.returncode}")
        echoes = [clients.roundtrip(held, f"after {i}\n".encode()) for i in range(5)]
        checks.equal("drain: held connection still echoes after SIGTERM", echoes,
                     [f"after {i}\n".encode() for i in range(5)])
    finally:
        held.close()
    closed_at = time.monotonic()
    code = gw.wait_exit(8)
    waited = time.monotonic() - closed_at
    checks.equal("drain: exit code once the last connection closed", code, 0)
    checks.true("drain: exited soon after the last connection closed (not at the window's end)",
                code is not None and waited < 5, f"{waited:.1f}s")

    gw, p = start(world, "drain-window", "2s")
    held = clients.tcp(p)
    try:
        checks.equal("drain window: held connection echoes", clients.roundtrip(held, b"x\n"),
                     b"x\n")
        sent = time.monotonic()
        gw.signal(signal.SIGTERM)
        code = gw.wait_exit(10)
        waited = time.monotonic() - sent
        checks.equal("drain window: exit code", code, 0)
        checks.true("drain window: exited at the end of the 2 s window",
                    code is not None and 1.5 <= waited <= 6, f"{waited:.1f}s")
        closed, _, _ = clients.closed_by_peer(held, 2)
        checks.true("drain window: the held connection was closed", closed)
    finally:
        held.close()

    check_admin_ops(world, checks)


def check_admin_ops(world, checks):
    gw, p = start(world, "admin-ops", "10s")
    held = clients.tcp(p)
    try:
        status, _ = gw.request("POST", "/healthcheck/fail")
        checks.equal("admin: POST /healthcheck/fail", status, 200)
        status, _ = gw.request("GET", "/ready")
        checks.equal("admin: /ready after /healthcheck/fail", status, 503)
        checks.equal("admin: traffic still flows after /healthcheck/fail",
                     clients.roundtrip(held, b"hc\n"), b"hc\n")
        status, _ = gw.request("GET", "/healthcheck/fail")
        checks.equal("admin: GET on a POST-only path is refused", status, 405)

        status, _ = gw.request("POST", "/drain_listeners")
        checks.equal("admin: POST /drain_listeners", status, 200)
        checks.true("admin: listeners closed after /drain_listeners",
                    wait_for(lambda: refused(p), 3))
        checks.equal("admin: open connection still echoes after /drain_listeners",
                     clients.roundtrip(held, b"dl\n"), b"dl\n")
        time.sleep(0.3)
        checks.true("admin: process keeps running after /drain_listeners",
                    gw.proc.poll() is None)
    finally:
        held.close()
    checks.equal("admin: SIGTERM exit code after /drain_listeners", gw.stop(), 0)
