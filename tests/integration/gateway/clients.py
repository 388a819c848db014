"""Clients for the gateway integration tests: the real `openssl s_client` and `curl` CLIs, and
plain Python sockets (TCP and TLS) for what needs many connections or byte-level control.

    r = s_client(port, "api.example", cafile=ca.cert, send=b"GET / HTTP/1.0\\r\\n\\r\\n")
    r.code, r.out, r.err, r.peer_fingerprint
    r = curl("api.example", port, cert=web, cacert=ca.cert)     # r.code == 0, r.out is the body
    s = tcp(port); roundtrip(s, b"ping") == b"ping"

Every call has a bounded timeout. Thread-safety: the functions are reentrant.
"""

import socket
import ssl
import subprocess
import time

from pki import pem_fingerprint

CLIENT_TIMEOUT = 10  # seconds for a CLI client run


class Result:
    def __init__(self, code, out, err):
        self.code = code
        self.out = out
        self.err = err

    @property
    def peer_fingerprint(self):
        return pem_fingerprint(self.out)

    def __repr__(self):
        return f"exit {self.code}, stdout {self.out[-300:]!r}, stderr {self.err[-300:]!r}"


def _run(args, stdin=b"", timeout=CLIENT_TIMEOUT):
    try:
        proc = subprocess.run(args, input=stdin, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        return Result(None, (e.stdout or b"").decode(errors="replace"),
                      f"timed out after {timeout}s")
    return Result(proc.returncode, proc.stdout.decode(errors="replace"),
                  proc.stderr.decode(errors="replace"))


def s_client(port, servername, cafile, cert=None, send=b"", timeout=CLIENT_TIMEOUT):
    """openssl s_client to 127.0.0.1:port with SNI `servername`, verifying against `cafile`
    (a failed verification fails the run), presenting `cert` (a pki.Leaf) if given. `send` is
    written after the handshake; -ign_eof keeps reading until the server closes."""
    args = ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", servername,
            "-CAfile", cafile, "-verify_return_error", "-ign_eof"]
    if cert is not None:
        args += ["-cert", cert.cert, "-key", cert.key]
    return _run(args, send, timeout)


def curl(host, port, cacert=None, cert=None, path="/", scheme="https", timeout=CLIENT_TIMEOUT):
    """curl to scheme://host:port/path with `host` resolved to 127.0.0.1 (so the SNI is `host`),
    verifying the server against `cacert` and presenting `cert` (a pki.Leaf) if given."""
    args = ["curl", "-sS", "--max-time", str(timeout - 1), "--resolve", f"{host}:{port}:127.0.0.1",
            f"{scheme}://{host}:{port}{path}"]
    if cacert:
        args += ["--cacert", cacert]
    if cert is not None:
        args += ["--cert", cert.cert, "--key", cert.key]
    return _run(args, b"", timeout)


def tcp(port, timeout=5):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def tls_context(cafile, cert=None):
    """A client context verifying the chain against `cafile`. SPIFFE leaves carry no host name,
    so names are not checked here: the SNI routes, the chain and the SANs authenticate."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.load_verify_locations(cafile)
    if cert is not None:
        ctx.load_cert_chain(cert.cert, cert.key)
    return ctx


def tls(port, servername, ctx, timeout=5):
    s = tcp(port, timeout)
    try:
        return ctx.wrap_socket(s, server_hostname=servername)
    except BaseException:
        s.close()
        raise


def recv_exactly(sock, n, timeout=5):
    sock.settimeout(timeout)
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def roundtrip(sock, payload, timeout=5):
    """Sends `payload` and reads as many bytes back (an echo backend); returns what came back."""
    sock.sendall(payload)
    return recv_exactly(sock, len(payload), timeout)


def read_line(sock, timeout=5):
    sock.settimeout(timeout)
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(1)
        if not chunk:
            break
        data += chunk
    return data


def closed_by_peer(sock, timeout):
    """True when the peer closes (EOF or reset) within `timeout` seconds without sending data;
    returns (closed, seconds waited, bytes received)."""
    start = time.monotonic()
    sock.settimeout(timeout)
    try:
        data = sock.recv(4096)
    except socket.timeout:
        return False, time.monotonic() - start, b""
    except ConnectionResetError:
        return True, time.monotonic() - start, b""
    return data == b"", time.monotonic() - start, data


class SlicedTls:
    """A TLS client over a MemoryBIO whose first flight (the ClientHello) goes out in `chunk`-byte
    TCP segments `delay` seconds apart, to exercise a gateway's incremental hello parsing. After
    the handshake, request() sends bytes and reads until the server closes.

        t = SlicedTls(port, "api.example", tls_context(ca), chunk=1)
        t.handshake(); body = t.request(b"GET / HTTP/1.0\\r\\n\\r\\n")
    """

    def __init__(self, port, servername, ctx, chunk=1, delay=0.001, timeout=10):
        self.sock = tcp(port, timeout)
        self.incoming = ssl.MemoryBIO()
        self.outgoing = ssl.MemoryBIO()
        self.obj = ctx.wrap_bio(self.incoming, self.outgoing, server_hostname=servername)
        self.chunk = chunk
        self.delay = delay
        self.first_flight = b""

    def _flush(self, sliced=False):
        data = self.outgoing.read()
        if not data:
            return
        if sliced:
            self.first_flight = data
            for i in range(0, len(data), self.chunk):
                self.sock.sendall(data[i:i + self.chunk])
                time.sleep(self.delay)
        else:
            self.sock.sendall(data)

    def _pump_in(self):
        data = self.sock.recv(65536)
        if not data:
            self.incoming.write_eof()
        else:
            self.incoming.write(data)
        return bool(data)

    def handshake(self):
        first = True
        while True:
            try:
                self.obj.do_handshake()
                self._flush()
                return
            except ssl.SSLWantReadError:
                self._flush(sliced=first)
                first = False
                if not self._pump_in():
                    raise ConnectionError("server closed during the handshake")

    def request(self, payload):
        self.obj.write(payload)
        self._flush()
        out = b""
        while True:
            try:
                chunk = self.obj.read(65536)
                if not chunk:
                    return out
                out += chunk
            except ssl.SSLWantReadError:
                if not self._pump_in():
                    return out
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                return out

    def close(self):
        self.sock.close()
