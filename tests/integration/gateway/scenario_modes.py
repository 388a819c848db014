"""Modes and refusals with real clients, on two gateways (gw1 in dc1, gw2 in dc2).

gw1 listeners:
  mesh    TLS inspector; chains: passthrough (api-tcp), terminate to plain with RBAC (api),
          terminate with match_san (pinned), terminate and re-originate (api-tls), and
          re-originate to a backend whose SPIFFE ID is not the pinned one (api-tls-bad).
  slow    hello_timeout 1s.
  egress  plain TCP (no TLS inspector) → mTLS with dc1's `web` identity to gw2: the 2-hop path.
gw2: mesh listener terminating dc1's callers, RBAC allowing dc1's `web`, to a plain backend.

Each refusal is checked from the client's side (the request fails, the backend never sees it)
and by its counter, which must move by exactly one.
"""

import json
import re

import clients
import hclgen as h
from backends import server_context
from checks import COUNTER_WAIT, expect_delta, wait_for
from pki import file_fingerprint
from world import port


def _tls(cert_secret, trust_secret, **extra):
    return {"certificate": cert_secret, "trust": trust_secret, "require_client_certificate": True,
            **extra}


class ModesSetup:
    """Backends, names and both gateways' files."""

    def __init__(self, world):
        w = world
        self.sni_pass = f"api-tcp.default.dc1.internal.{w.td1}"
        self.sni_api = f"api.default.default.dc2.external.{w.td1}"
        self.sni_pinned = f"pinned.default.default.dc2.external.{w.td1}"
        self.sni_reorig = f"api-tls.default.default.dc2.external.{w.td1}"
        self.sni_reorig_bad = f"api-tls-bad.default.default.dc2.external.{w.td1}"
        self.sni_gw2 = f"api.default.default.dc1.external.{w.td2}"
        self.upstream_sni = "api-tls.backend.internal"

        self.be_api_tcp = w.backend("api-tcp", "http", tls=server_context(w.api_tcp))
        self.be_api = w.backend("api", "http")
        self.be_api_tls = w.backend("api-tls", "http",
                                    tls=server_context(w.api_tls, client_ca=w.dc1.cert))
        self.be_api_dc2 = w.backend("api-dc2", "http")

        self.mesh1, self.slow1, self.egress1 = w.address(), w.address(), w.address()
        self.admin1, self.metrics1 = w.address(), w.address()
        self.mesh2, self.admin2, self.metrics2 = w.address(), w.address(), w.address()

    def gw1_config(self, w):
        web_dc2 = w.web_dc2.uris[0]
        td2 = w.td2.replace(".", "\\.")
        td2_web_regex = f"^spiffe://{td2}/ns/default/dc/[^/]+/svc/web$"
        upstream = {"certificate": "gw1-leaf", "trust": "dc1-bundle", "sni": self.upstream_sni}
        mesh = h.listener("mesh", self.mesh1, [
            h.chain("api-tcp", "api-tcp", server_names=[self.sni_pass]),
            h.chain("api", "api", server_names=[self.sni_api],
                    tls=_tls("gw1-leaf", "peers-bundle"),
                    rbac=("ALLOW", {"web": {"principals": [web_dc2]}})),
            h.chain("pinned", "api", server_names=[self.sni_pinned],
                    tls=_tls("gw1-leaf", "peers-bundle", match_san=[web_dc2])),
            h.chain("api-tls", "api-tls", server_names=[self.sni_reorig],
                    tls=_tls("gw1-leaf", "peers-bundle"),
                    rbac=("ALLOW", {"web": {"principal_regex": [td2_web_regex]}})),
            h.chain("api-tls-bad", "api-tls-bad", server_names=[self.sni_reorig_bad],
                    tls=_tls("gw1-leaf", "peers-bundle")),
        ])
        slow = h.listener("slow", self.slow1, [
            h.chain("slow", "api-tcp", server_names=[self.sni_pass])
        ], hello_timeout="1s")
        egress = h.listener("egress", self.egress1, [h.chain("to-dc2", "dc2-api")],
                            tls_inspector=False)
        static = [
            h.secret_cert("gw1-leaf", w.gw1),
            h.secret_cert("web-dc1-leaf", w.web_dc1),
            h.secret_trust("peers-bundle", w.peers_bundle),
            h.secret_trust("dc1-bundle", w.dc1.cert),
            h.secret_trust("dc2-bundle", w.dc2.cert),
            mesh, slow, egress,
            h.cluster("api-tcp", [self.be_api_tcp.address]),
            h.cluster("api", [self.be_api.address]),
            h.cluster("api-tls", [self.be_api_tls.address],
                      tls={**upstream, "match_san": [w.api_tls.uris[0]]}),
            h.cluster("api-tls-bad", [self.be_api_tls.address],
                      tls={**upstream, "match_san": [w.dc1.service("dc1", "someone-else")]}),
            h.cluster("dc2-api", [self.mesh2],
                      tls={"certificate": "web-dc1-leaf", "trust": "dc2-bundle",
                           "sni": self.sni_gw2, "match_san": [w.gw2.uris[0]]}),
        ]
        return h.bootstrap("gw1", self.admin1, self.metrics1, static)

    def gw2_config(self, w):
        static = [
            h.secret_cert("gw2-leaf", w.gw2),
            h.secret_trust("dc1-bundle", w.dc1.cert),
            h.listener("mesh", self.mesh2, [
                h.chain("api", "api-dc2", server_names=[self.sni_gw2],
                        tls=_tls("gw2-leaf", "dc1-bundle"),
                        rbac=("ALLOW", {"web": {"principals": [w.web_dc1.uris[0]]}})),
            ]),
            h.cluster("api-dc2", [self.be_api_dc2.address]),
        ]
        return h.bootstrap("gw2", self.admin2, self.metrics2, static, datacenter="dc2")


def run(world, checks):
    s = ModesSetup(world)
    gw2 = world.gateway("gw2")
    gw2.start(s.gw2_config(world), s.admin2)
    gw1 = world.gateway("gw1")
    gw1.start(s.gw1_config(world), s.admin1)
    check_admin(world, checks, s, gw1)
    check_modes(world, checks, s, gw1, gw2)
    check_refusals(world, checks, s, gw1)


def check_admin(w, checks, s, gw1):
    checks.true("/ready is 200 with a complete config", gw1.ready())
    status, body = gw1.request("GET", "/config_dump")
    checks.equal("/config_dump status", status, 200)
    checks.true("/config_dump names every cluster",
                all(f'"{c}"' in body for c in ("api", "api-tcp", "api-tls", "dc2-api")),
                body[:300])
    checks.true("/config_dump has no private key", "PRIVATE KEY" not in body)
    status, body = gw1.request("GET", "/clusters")
    checks.true("/clusters lists the api endpoint", status == 200 and s.be_api.address in body,
                f"status {status}: {body[:300]}")
    status, body = gw1.request("GET", "/listeners")
    checks.true("/listeners lists mesh", status == 200 and s.mesh1 in body,
                f"status {status}: {body[:300]}")
    status, body = gw1.request("GET", "/stats")
    checks.true("/stats has Envoy-like name: value lines",
                status == 200 and re.search(r"^\S*downstream_cx_total: \d+$", body, re.M),
                f"status {status}: {body[:300]}")
    status, body = gw1.request("GET", "/stats?format=json")
    try:
        parsed = json.loads(body) if status == 200 else None
    except ValueError:
        parsed = None
    checks.true("/stats?format=json is JSON", parsed is not None, f"status {status}: {body[:200]}")
    status, body = gw1.request("GET", "/metrics", address=s.metrics1)
    checks.true("metrics address serves /metrics",
                status == 200 and "meshgw_downstream_cx_total" in body, f"status {status}")


def check_modes(w, checks, s, gw1, gw2):
    mesh = port(s.mesh1)
    request = b"GET / HTTP/1.0\r\nHost: x\r\n\r\n"

    # Passthrough: the client sees the backend's certificate and the backend sees the SNI.
    r = clients.s_client(mesh, s.sni_pass, w.dc1.cert, send=request)
    checks.equal("passthrough: s_client exit", r.code, 0)
    checks.equal("passthrough: client sees the backend's certificate", r.peer_fingerprint,
                 file_fingerprint(w.api_tcp.cert))
    checks.true("passthrough: backend answered and saw the SNI",
                "backend=api-tcp" in r.out and f"sni={s.sni_pass}" in r.out, repr(r))

    # Terminate to plain: curl verifies gw1's certificate by its DNS SAN and presents dc2's web.
    allow_before = gw1.metric("meshgw_authz_total", route="api", decision="allow")
    r = clients.curl(s.sni_api, mesh, cacert=w.dc1.cert, cert=w.web_dc2)
    checks.true("terminate: curl gets the plain backend's answer",
                r.code == 0 and r.out.startswith("backend=api\n") and "peer=\n" in r.out, repr(r))
    expect_delta(checks, gw1, "terminate", "meshgw_authz_total", allow_before, 1, route="api",
                 decision="allow")
    tokens = (s.sni_api, w.web_dc2.uris[0], "completed", "allow")
    checks.true("terminate: an access log line names the SNI, the peer, the close reason and "
                "the decision",
                wait_for(lambda: any(all(t in line for t in tokens)
                                     for line in gw1.log_text().splitlines()), COUNTER_WAIT),
                gw1.log_tail(3))

    # Terminate and re-originate: the TLS backend requires a dc1 client certificate; it sees
    # gw1's identity and the configured SNI, and gw1 checked the backend's SPIFFE ID.
    r = clients.curl(s.sni_reorig, mesh, cacert=w.dc1.cert, cert=w.web_dc2)
    checks.true("re-originate: curl gets the TLS backend's answer",
                r.code == 0 and r.out.startswith("backend=api-tls\n"), repr(r))
    checks.true("re-originate: backend saw gw1's certificate and the cluster's SNI",
                f"peer={w.gw1.uris[0]}\n" in r.out and f"sni={s.upstream_sni}\n" in r.out,
                repr(r))
    fail_before = gw1.metric("meshgw_upstream_handshake_failures_total")
    r = clients.curl(s.sni_reorig_bad, mesh, cacert=w.dc1.cert, cert=w.web_dc2)
    checks.true("re-originate: a backend with another SPIFFE ID gets no request",
                r.code != 0 and "backend=" not in r.out, repr(r))
    expect_delta(checks, gw1, "re-originate wrong upstream SAN",
                 "meshgw_upstream_handshake_failures_total", fail_before, 1)

    # Egress: plain HTTP to gw1's egress port; gw1 originates mTLS as dc1's web to gw2, which
    # terminates, authorizes and forwards to its plain backend.
    allow2 = gw2.metric("meshgw_authz_total", route="api", decision="allow")
    r = clients.curl("egress.local", port(s.egress1), scheme="http")
    checks.true("egress: 2-hop request answered by dc2's backend",
                r.code == 0 and r.out.startswith("backend=api-dc2\n"), repr(r))
    expect_delta(checks, gw2, "egress: gw2 allowed dc1's web", "meshgw_authz_total", allow2, 1,
                 route="api", decision="allow")


def check_refusals(w, checks, s, gw1):
    mesh = port(s.mesh1)
    api_seen = len(s.be_api.seen)

    def refused_handshake(label, cert, reason, sni=None):
        before = gw1.metric("meshgw_handshake_failures_total", reason=reason)
        r = clients.curl(sni or s.sni_api, mesh, cacert=w.dc1.cert, cert=cert)
        checks.true(f"{label}: curl fails", r.code != 0 and "backend=" not in r.out, repr(r))
        expect_delta(checks, gw1, label, "meshgw_handshake_failures_total", before, 1,
                     reason=reason)

    refused_handshake("untrusted CA", w.web_untrusted, "untrusted_ca")
    refused_handshake("expired certificate", w.web_expired, "expired")
    refused_handshake("no client certificate", None, "no_client_certificate")
    refused_handshake("wrong trust domain (match_san)", w.web_wrong_td, "san_mismatch",
                      sni=s.sni_pinned)
    r = clients.curl(s.sni_pinned, mesh, cacert=w.dc1.cert, cert=w.web_dc2)
    checks.true("match_san: the pinned identity passes",
                r.code == 0 and r.out.startswith("backend=api\n"), repr(r))
    api_seen += 1

    def denied(label, cert):
        before = gw1.metric("meshgw_authz_total", route="api", decision="deny")
        r = clients.curl(s.sni_api, mesh, cacert=w.dc1.cert, cert=cert)
        checks.true(f"{label}: curl gets no answer", r.code != 0 and "backend=" not in r.out,
                    repr(r))
        expect_delta(checks, gw1, label, "meshgw_authz_total", before, 1, route="api",
                     decision="deny")

    denied("wrong trust domain (RBAC)", w.web_wrong_td)
    denied("denied intention", w.evil_dc2)
    denial = [line for line in gw1.log_text().splitlines()
              if w.evil_dc2.uris[0] in line and s.sni_api in line]
    checks.true("denied intention: logged with the source identity and the destination",
                denial, "no log line names both")
    checks.equal("refused callers never reached the backend", len(s.be_api.seen), api_seen)

    # Unknown SNI: closed, never forwarded.
    before = gw1.metric("meshgw_unknown_sni")
    closed_before = gw1.metric("meshgw_downstream_cx_closed_total", reason="unknown_sni")
    r = clients.s_client(mesh, f"nothing.default.dc1.internal.{w.td1}", w.dc1.cert)
    checks.true("unknown SNI: s_client fails", r.code != 0, repr(r))
    expect_delta(checks, gw1, "unknown SNI", "meshgw_unknown_sni", before, 1)
    expect_delta(checks, gw1, "unknown SNI", "meshgw_downstream_cx_closed_total", closed_before,
                 1, reason="unknown_sni")

    # Plain-text client on the TLS port.
    before = gw1.metric("meshgw_hello_errors_total", reason="not_tls")
    sock = clients.tcp(mesh)
    try:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        closed, _, data = clients.closed_by_peer(sock, 3)
    finally:
        sock.close()
    checks.true("plain-text client: closed without an answer", closed and data == b"",
                f"closed={closed} data={data[:50]!r}")
    expect_delta(checks, gw1, "plain-text client", "meshgw_hello_errors_total", before, 1,
                 reason="not_tls")

    # Slow hello: the start of a TLS record, then nothing, on the listener with a 1 s timeout.
    before = gw1.metric("meshgw_hello_timeouts")
    sock = clients.tcp(port(s.slow1))
    try:
        sock.sendall(b"\x16\x03\x01")
        closed, waited, _ = clients.closed_by_peer(sock, 5)
    finally:
        sock.close()
    checks.true("slow hello: closed after about the 1 s hello_timeout",
                closed and 0.8 <= waited <= 3.0, f"closed={closed} after {waited:.2f}s")
    expect_delta(checks, gw1, "slow hello", "meshgw_hello_timeouts", before, 1)
