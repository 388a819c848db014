"""The relay and the per-chain and per-cluster limits, and Consul's route shapes.

  plain     1 MiB each way with the client's half-close (the echo only ends after the EOF went
            through), sent from one thread while another reads: back-pressure, no deadlock.
  mesh      1 MiB through a terminated chain in 64 KiB steps, then the TLS close both ways;
            routing: an exact name beats a `*.` wildcard, the sni_cluster catch-all forwards to
            the cluster named by the SNI, and an SNI naming no cluster is closed and counted.
  idle      tcp_proxy idle_timeout 1s closes a silent connection.
  limited   connection_limit 2: a third concurrent connection is refused, a later one is not.
  breaker   a cluster with max_connections 1: a second concurrent connection is refused.
"""

import os
import socket
import ssl
import threading

import clients
import hclgen as h
from backends import server_context
from checks import expect_delta, wait_for
from world import port

MIB = 1 << 20
STEP = 64 << 10


def half_close_echo(p, data):
    """Sends `data` from a thread, shuts down the write side, reads until EOF; returns what came
    back (or an error string)."""
    s = clients.tcp(p, timeout=20)
    errors = []

    def send():
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError as e:
            errors.append(e)

    t = threading.Thread(target=send, daemon=True)
    t.start()
    got = bytearray()
    try:
        while True:
            chunk = s.recv(1 << 16)
            if not chunk:
                break
            got += chunk
    except OSError as e:
        errors.append(e)
    finally:
        t.join(timeout=20)
        s.close()
    return bytes(got) if not errors else f"error {errors[0]}"


def run(world, checks):
    w = world
    td1 = w.td1
    echo = w.backend("relay-echo", "echo")
    exact = w.backend("exact", "http", tls=server_context(w.api_tcp))
    wild = w.backend("wild", "http", tls=server_context(w.api_tcp))
    by_sni = w.backend("by-sni", "http", tls=server_context(w.api_tcp))
    sni_exact = f"api.default.dc2.internal.{td1}"
    sni_wild = f"web.default.dc2.internal.{td1}"
    sni_cluster = f"api-tcp.default.dc1.internal.{td1}"
    sni_tls = f"echo.default.default.dc2.external.{td1}"
    a = {n: w.address() for n in ("admin", "metrics", "plain", "mesh", "idle", "limited",
                                  "breaker")}
    static = [
        h.secret_cert("gw-leaf", w.gw1),
        h.secret_trust("peers-bundle", w.peers_bundle),
        h.listener("plain", a["plain"], [h.chain("echo", "echo")], tls_inspector=False),
        h.listener("mesh", a["mesh"], [
            h.chain("echo-tls", "echo", server_names=[sni_tls],
                    tls={"certificate": "gw-leaf", "trust": "peers-bundle",
                         "require_client_certificate": True}),
            h.chain("exact", "exact", server_names=[sni_exact]),
            h.chain("remote-dc", "wild", server_names=[f"*.dc2.internal.{td1}"]),
            h.chain("catch-all", sni_cluster=True),
        ]),
        h.listener("idle", a["idle"], [h.chain("idle", "echo", idle_timeout="1s")],
                   tls_inspector=False),
        h.listener("limited", a["limited"], [h.chain("limited", "echo", connection_limit=2)],
                   tls_inspector=False),
        h.listener("breaker", a["breaker"], [h.chain("breaker", "small")], tls_inspector=False),
        h.cluster("echo", [echo.address]),
        h.cluster("small", [echo.address], max_connections=1),
        h.cluster("exact", [exact.address]),
        h.cluster("wild", [wild.address]),
        h.cluster(sni_cluster, [by_sni.address]),
    ]
    gw = w.gateway("relay")
    gw.start(h.bootstrap("relay", a["admin"], a["metrics"], static), a["admin"])

    data = os.urandom(MIB)
    bytes_before = gw.metric("meshgw_bytes_from_downstream", required=True)
    checks.true("plain: 1 MiB echoed through a half-close",
                half_close_echo(port(a["plain"]), data) == data)
    checks.at_least("plain: bytes_from_downstream counted",
                    gw.metric("meshgw_bytes_from_downstream") - bytes_before, MIB)

    ctx = clients.tls_context(w.dc1.cert, w.web_dc2)
    s = clients.tls(port(a["mesh"]), sni_tls, ctx, timeout=10)
    try:
        ok = all(clients.roundtrip(s, data[i:i + STEP], timeout=10) == data[i:i + STEP]
                 for i in range(0, MIB, STEP))
        checks.true("terminated: 1 MiB echoed in 64 KiB steps", ok)
        try:
            s.unwrap()  # close_notify out; returns once the backend's EOF came back as one
            checks.true("terminated: TLS close went through both ways", True)
        except OSError as e:
            checks.fail("terminated: TLS close went through both ways", str(e))
    finally:
        s.close()

    request = b"GET / HTTP/1.0\r\n\r\n"
    for label, sni, backend in (("exact name", sni_exact, "exact"),
                                ("wildcard *.dc2.internal", sni_wild, "wild"),
                                ("sni_cluster catch-all", sni_cluster, "by-sni")):
        r = clients.s_client(port(a["mesh"]), sni, w.dc1.cert, send=request)
        checks.true(f"route {label}: served by {backend}",
                    r.code == 0 and f"backend={backend}\n" in r.out, repr(r))
    check_hellos(w, checks, gw, port(a["mesh"]), sni_exact)

    before = gw.metric("meshgw_no_cluster")
    r = clients.s_client(port(a["mesh"]), f"nothing.default.dc1.internal.{td1}", w.dc1.cert)
    checks.true("sni_cluster without such a cluster: s_client fails", r.code != 0, repr(r))
    expect_delta(checks, gw, "sni_cluster without such a cluster", "meshgw_no_cluster", before, 1)

    before = gw.metric("meshgw_idle_timeouts")
    s = clients.tcp(port(a["idle"]))
    try:
        checks.equal("idle: connection echoes", clients.roundtrip(s, b"i\n"), b"i\n")
        closed, waited, _ = clients.closed_by_peer(s, 5)
        checks.true("idle: closed after about the 1 s idle_timeout",
                    closed and 0.8 <= waited <= 3.0, f"closed={closed} after {waited:.2f}s")
    finally:
        s.close()
    expect_delta(checks, gw, "idle", "meshgw_idle_timeouts", before, 1)

    check_limit(checks, gw, port(a["limited"]), "connection_limit 2", 2,
                "meshgw_connection_limited", {})
    check_limit(checks, gw, port(a["breaker"]), "cluster max_connections 1", 1,
                "meshgw_upstream_cx_overflow_total", {"cluster": "small"})


def check_hellos(w, checks, gw, p, sni):
    """A ClientHello in 1-byte TCP segments is still routed by its SNI; one over 16 KiB (the
    default limits.max_hello_size) is refused and counted."""
    t = clients.SlicedTls(p, sni, clients.tls_context(w.dc1.cert), chunk=1)
    try:
        t.handshake()
        body = t.request(b"GET / HTTP/1.0\r\n\r\n")
        checks.true("hello in 1-byte segments: routed by its SNI and served",
                    b"backend=exact\n" in body and len(t.first_flight) > 200,
                    f"hello {len(t.first_flight)} bytes, answer {body[-200:]!r}")
    except (OSError, ssl.SSLError) as e:
        checks.fail("hello in 1-byte segments: routed by its SNI and served", str(e))
    finally:
        t.close()

    before = gw.metric("meshgw_hello_errors_total", reason="hello_too_large")
    ctx = clients.tls_context(w.dc1.cert)
    ctx.set_alpn_protocols([f"{i:03d}" + "x" * 240 for i in range(70)])  # about 17 KiB
    try:
        s = clients.tls(p, sni, ctx)
        s.close()
        checks.fail("hello over 16 KiB: refused", "the handshake completed")
    except (OSError, ssl.SSLError):
        checks.true("hello over 16 KiB: refused", True)
    expect_delta(checks, gw, "hello over 16 KiB", "meshgw_hello_errors_total", before, 1,
                 reason="hello_too_large")


def check_limit(checks, gw, p, label, limit, counter, labels):
    before = gw.metric(counter, **labels)
    held = [clients.tcp(p) for _ in range(limit)]
    try:
        served = [clients.roundtrip(s, b"held\n") == b"held\n" for s in held]
        checks.equal(f"{label}: {limit} concurrent connections served", sum(served), limit)
        extra = clients.tcp(p)
        try:
            extra.sendall(b"extra\n")
            closed, _, data = clients.closed_by_peer(extra, 3)
        except OSError:
            closed, data = True, b""
        finally:
            extra.close()
        checks.true(f"{label}: one more is closed unserved", closed and data == b"",
                    f"closed={closed} data={data!r}")
        expect_delta(checks, gw, label, counter, before, 1, **labels)
    finally:
        for s in held:
            s.close()

    def served_again():
        try:
            s = clients.tcp(p)
        except OSError:
            return False
        try:
            return clients.roundtrip(s, b"again\n") == b"again\n"
        except OSError:
            return False
        finally:
            s.close()

    checks.true(f"{label}: served again once the others closed", wait_for(served_again, 3, 0.2))
