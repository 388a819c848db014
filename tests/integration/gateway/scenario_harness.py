"""The harness checks itself without meshgw: the PKI verifies the way the scenarios assume, the
backends answer real clients directly, and the metrics parser reads what it must. When one of
these fails, a gateway scenario failing says nothing about the gateway."""

import subprocess

import clients
from backends import server_context
from meshgw import match_metric, parse_prometheus
from pki import file_fingerprint


def verify(ca, leaf):
    proc = subprocess.run(["openssl", "verify", "-CAfile", ca, leaf.cert], capture_output=True,
                          text=True, timeout=20)
    return proc.returncode == 0, proc.stdout + proc.stderr


def run(world, checks):
    w = world
    for leaf, ca in ((w.gw1, w.dc1), (w.web_dc2, w.dc2), (w.web_wrong_td, w.dc2),
                     (w.web_dc1, w.dc1)):
        ok, out = verify(ca.cert, leaf)
        checks.true(f"pki: {leaf.name} verifies against {ca.name}", ok, out)
    ok, out = verify(w.dc2.cert, w.web_untrusted)
    checks.true("pki: the untrusted leaf does not verify against dc2", not ok and "20" in out, out)
    ok, out = verify(w.dc2.cert, w.web_expired)
    checks.true("pki: the expired leaf fails as expired", not ok and "expired" in out, out)

    be = w.backend("harness-tls", "http", tls=server_context(w.api_tls, client_ca=w.dc1.cert))
    p = be.port
    r = clients.s_client(p, "harness.test", w.dc1.cert, cert=w.gw1,
                         send=b"GET / HTTP/1.0\r\n\r\n")
    checks.true("backend: s_client with a dc1 client certificate gets an answer",
                r.code == 0 and "backend=harness-tls" in r.out and
                f"peer={w.gw1.uris[0]}" in r.out and "sni=harness.test" in r.out, repr(r))
    checks.equal("backend: s_client shows the backend's certificate", r.peer_fingerprint,
                 file_fingerprint(w.api_tls.cert))
    r = clients.s_client(p, "harness.test", w.dc1.cert, cert=w.web_dc2,
                         send=b"GET / HTTP/1.0\r\n\r\n")
    checks.true("backend: a dc2 client certificate is refused",
                "backend=" not in r.out, repr(r))

    echo = w.backend("harness-echo", "echo")
    s = clients.tcp(echo.port)
    try:
        checks.equal("backend: echo", clients.roundtrip(s, b"abc\n"), b"abc\n")
    finally:
        s.close()
    banner = w.backend("harness-banner", "banner")
    s = clients.tcp(banner.port)
    try:
        checks.equal("backend: banner", clients.read_line(s), b"harness-banner\n")
    finally:
        s.close()
    banner.stop()
    try:
        clients.tcp(banner.port).close()
        checks.fail("backend: stopped backend refuses", "connected")
    except ConnectionRefusedError:
        checks.true("backend: stopped backend refuses", True)

    text = ('# HELP meshgw_authz_total x\n# TYPE meshgw_authz_total counter\n'
            'meshgw_authz_total{route="api",decision="deny"} 3\n'
            'meshgw_authz_total{route="api",decision="allow"} 5\n'
            'meshgw_authz_total{route="b\\"q",decision="allow"} 7\n'
            'meshgw_unknown_sni 2\n')
    samples = parse_prometheus(text)
    checks.equal("metrics parser: labelled sample", match_metric(samples, "meshgw_authz_total",
                                                                 route="api", decision="deny"), 3)
    checks.equal("metrics parser: sum over labels", match_metric(samples, "meshgw_authz_total",
                                                                 decision="allow"), 12)
    checks.equal("metrics parser: escaped label", match_metric(samples, "meshgw_authz_total",
                                                               route='b"q'), 7)
    checks.equal("metrics parser: plain sample", match_metric(samples, "meshgw_unknown_sni"), 2)
    checks.equal("metrics parser: absent is 0", match_metric(samples, "meshgw_nothing"), 0)
