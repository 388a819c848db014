"""200 connections stay open and keep passing data while the config is replaced 50 times.

100 plain TCP connections (a listener without the TLS inspector) and 100 terminated mTLS
connections go to one echo backend. A pump thread keeps sending a numbered payload on each
connection in turn and checks the echo, while the runner rewrites the bootstrap file and sends
SIGHUP 50 times, waiting each time until the new version is installed. Each version changes an
unrelated cluster (its endpoint and connect timeout) and every other one adds or removes a filter
chain on the listener the TLS connections came through. Afterwards every connection must still
echo, none may have been closed, and the process must count 200 active connections.

Then, on the same connections: a file that does not parse (reported with its position, the last
good config keeps serving), a reload that removes the plain listener (its port refuses, its
connections go on), and one that rotates the gateway's leaf (new handshakes get the new one).
"""

import signal
import ssl
import threading

import clients
import hclgen as h
from checks import wait_for
from pki import file_fingerprint, pem_fingerprint
from world import port

CONNECTIONS_PER_KIND = 100
RELOADS = 50
ROUNDTRIPS_BETWEEN_RELOADS = 20


class Pump:
    """Round-robin echo checks over `socks` on its own thread until stop()."""

    def __init__(self, socks):
        self.socks = socks
        self.rounds = 0
        self.roundtrips = 0
        self.errors = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self._thread.start()

    def _run(self):
        n = 0
        while not self._stop.is_set():
            for i, sock in enumerate(self.socks):
                if self._stop.is_set():
                    break
                payload = f"conn {i} message {n}\n".encode()
                try:
                    got = clients.roundtrip(sock, payload, timeout=5)
                except OSError as e:
                    got = f"error {e}".encode()
                if got != payload:
                    self.errors.append(f"connection {i}: sent {payload!r}, got {got!r}")
                    if len(self.errors) > 20:
                        return
                n += 1
                self.roundtrips += 1
            self.rounds += 1

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=30)


def config(w, admin, metrics, plain, mesh, sni, be, i, with_plain=True, leaf=None):
    chains = [h.chain("echo-tls", "echo", server_names=[sni],
                      tls={"certificate": "gw-leaf", "trust": "peers-bundle",
                           "require_client_certificate": True},
                      rbac=("ALLOW", {"web": {"principals": [w.web_dc2.uris[0]]}}))]
    if i % 2 == 1:
        chains.append(h.chain("extra", "spare", server_names=[f"extra-{i}.{w.td1}"]))
    static = [
        h.secret_cert("gw-leaf", leaf or w.gw1),
        h.secret_trust("peers-bundle", w.peers_bundle),
        h.listener("mesh", mesh, chains),
        h.cluster("echo", [be.address]),
        h.cluster("spare", [f"127.0.0.1:{20000 + i}"], connect_timeout=f"{1 + i % 5}s"),
    ]
    if with_plain:
        static.insert(2, h.listener("plain", plain, [h.chain("echo-plain", "echo")],
                                    tls_inspector=False))
    return h.bootstrap("reload", admin, metrics, static)


def refused(p):
    try:
        clients.tcp(p, timeout=2).close()
        return False
    except ConnectionRefusedError:
        return True


def echo_all(socks, tag):
    ok = 0
    for i, s in enumerate(socks):
        payload = f"{tag} {i}\n".encode()
        try:
            ok += clients.roundtrip(s, payload) == payload
        except OSError:
            pass
    return ok


def check_bad_reload(gw, checks, socks):
    """A file that does not parse: reported with its position, the last good config serves on."""
    version = gw.config_version()
    gw.write_config('node { id = "reload" }\nstatic {\n  cluster "x" {\n    bogus = 1\n  }\n}\n')
    gw.signal(signal.SIGHUP)
    reported = wait_for(lambda: f"{gw.config_path}:4:5" in gw.log_text(), 5)
    checks.true("bad reload: the error is logged with file:line:col", reported,
                gw.log_tail(5))
    checks.equal("bad reload: the installed version stays", gw.config_version(), version)
    checks.true("bad reload: still running and ready", gw.proc.poll() is None and gw.ready())
    checks.equal("bad reload: every connection still echoes", echo_all(socks, "bad"), len(socks))


def run(world, checks):
    w = world
    be = w.backend("echo", "echo")
    admin, metrics, plain, mesh = w.address(), w.address(), w.address(), w.address()
    sni = f"echo.default.default.dc2.external.{w.td1}"
    gw = w.gateway("reload")
    gw.start(config(w, admin, metrics, plain, mesh, sni, be, 0), admin)

    ctx = clients.tls_context(w.dc1.cert, w.web_dc2)
    socks = []
    try:
        for _ in range(CONNECTIONS_PER_KIND):
            socks.append(clients.tcp(port(plain)))
        for _ in range(CONNECTIONS_PER_KIND):
            socks.append(clients.tls(port(mesh), sni, ctx))
        total = len(socks)
        first = [clients.roundtrip(s, b"hello\n") == b"hello\n" for s in socks]
        checks.equal(f"{total} connections echo before the reloads", sum(first), total)
        closed_before = gw.metric("meshgw_downstream_cx_closed_total", required=True)
        version_before = gw.config_version()

        pump = Pump(socks)
        pump.start()
        reload_error = None
        try:
            for i in range(1, RELOADS + 1):
                # Data must flow between any two versions, not only around the whole series.
                target = pump.roundtrips + ROUNDTRIPS_BETWEEN_RELOADS
                wait_for(lambda: pump.roundtrips >= target or pump.errors, 10)
                gw.reload(config(w, admin, metrics, plain, mesh, sni, be, i))
        except Exception as e:  # noqa: BLE001 - reported as a check below
            reload_error = str(e)
        finally:
            pump.stop()
        checks.true(f"{RELOADS} reloads installed", reload_error is None, reload_error or "")
        checks.equal("config version moved by the number of reloads",
                     gw.config_version() - version_before, RELOADS)
        checks.true("data kept flowing during the reloads (every connection, several times)",
                    pump.rounds >= 2, f"{pump.rounds} full rounds, {pump.roundtrips} echoes")
        checks.equal("no echo failed during the reloads", pump.errors[:3], [])

        after = []
        for i, s in enumerate(socks):
            payload = f"after {i}\n".encode()
            try:
                after.append(clients.roundtrip(s, payload) == payload)
            except OSError:
                after.append(False)
        checks.equal("every connection still echoes after the reloads", sum(after), total)
        checks.equal("no connection was closed by the reloads",
                     gw.metric("meshgw_downstream_cx_closed_total", required=True) - closed_before,
                     0)
        checks.equal("200 downstream connections active", gw.metric("meshgw_downstream_cx_active"),
                     total)
        checks.equal("backend holds every connection", be.open_connections(), total)

        check_bad_reload(gw, checks, socks)
        # A removed listener stops accepting; its connections finish on their own.
        gw.reload(config(w, admin, metrics, plain, mesh, sni, be, RELOADS + 1, with_plain=False))
        checks.true("listener removed: its port refuses new connections",
                    wait_for(lambda: refused(port(plain)), 3, 0.1))
        checks.equal("listener removed: its open connections still echo",
                     echo_all(socks[:CONNECTIONS_PER_KIND], "removed"), CONNECTIONS_PER_KIND)
        checks.equal("listener removed: the other listener's connections still echo",
                     echo_all(socks[CONNECTIONS_PER_KIND:], "kept"), CONNECTIONS_PER_KIND)

        # Certificate rotation: new handshakes get the new leaf, established ones carry on.
        gw.reload(config(w, admin, metrics, plain, mesh, sni, be, RELOADS + 2, with_plain=False,
                         leaf=w.gw1_rotated))
        fresh = clients.tls(port(mesh), sni, ctx)
        try:
            presented = pem_fingerprint(ssl.DER_cert_to_PEM_cert(fresh.getpeercert(True)))
            checks.equal("rotation: a new connection gets the new gateway leaf", presented,
                         file_fingerprint(w.gw1_rotated.cert))
            checks.equal("rotation: the new connection echoes", clients.roundtrip(fresh, b"n\n"),
                         b"n\n")
        finally:
            fresh.close()
        old = socks[CONNECTIONS_PER_KIND]
        presented = pem_fingerprint(ssl.DER_cert_to_PEM_cert(old.getpeercert(True)))
        checks.equal("rotation: established connections keep the old leaf and still echo",
                     (presented, echo_all(socks[CONNECTIONS_PER_KIND:], "rotated")),
                     (file_fingerprint(w.gw1.cert), CONNECTIONS_PER_KIND))
    finally:
        for s in socks:
            s.close()
