"""Backends behind the gateway: threaded TCP servers on 127.0.0.1 (kernel-chosen port), plain or
TLS, each connection handled on its own thread.

Handlers:
  echo    writes back everything it reads until EOF, then closes.
  banner  first writes "<name>\\n", then echoes (which endpoint served a connection).
  http    reads one HTTP/1.x request head, answers 200 with a body naming the backend, the SNI it
          saw and the client certificate's URI SANs, then closes (so that curl and s_client end).

    be = Backend("api", "http", tls=server_context(leaf, client_ca=dc1.cert))
    be.address            # "127.0.0.1:40123"
    be.accepted           # connections accepted so far
    be.stop()             # refuses new connections and closes the open ones

Thread-safety: the counters and `seen` list are guarded by a lock; stop() may be called from any
thread, more than once.
"""

import socket
import ssl
import threading

IO_TIMEOUT = 60  # seconds; no handler thread outlives a stuck test by more than this


def server_context(leaf, client_ca=None):
    """A TLS server context presenting `leaf`; with `client_ca`, a client certificate from that CA
    is required."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(leaf.cert, leaf.key)
    if client_ca:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(client_ca)

    def remember_sni(sslobj, server_name, _ctx):
        sslobj.meshgw_sni = server_name or ""

    ctx.sni_callback = remember_sni
    return ctx


def peer_uris(sock):
    if not isinstance(sock, ssl.SSLSocket):
        return []
    cert = sock.getpeercert() or {}
    return [v for k, v in cert.get("subjectAltName", ()) if k == "URI"]


def _finish(sock):
    """Ends our sending side cleanly: close_notify on TLS (clients count a missing one as an
    error), then the TCP FIN."""
    if isinstance(sock, ssl.SSLSocket):
        sock = sock.unwrap()
    sock.shutdown(socket.SHUT_WR)


class Backend:
    def __init__(self, name, handler="echo", tls=None):
        if handler not in ("echo", "banner", "http"):
            raise ValueError(f"unknown handler {handler!r}")
        self.name = name
        self.handler = handler
        self.tls = tls
        self._lock = threading.Lock()
        self._conns = set()
        self.accepted = 0
        self.handshake_errors = []
        self.seen = []  # per request: {"sni": ..., "peer_uris": [...]}
        self._stopped = False
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(512)
        self.port = self._listener.getsockname()[1]
        self.address = f"127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._accept_loop, name=f"backend-{name}",
                                        daemon=True)
        self._thread.start()

    def _accept_loop(self):
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self._stopped:
                    conn.close()
                    return
                self.accepted += 1
                self._conns.add(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        sock = conn
        try:
            conn.settimeout(IO_TIMEOUT)
            if self.tls is not None:
                try:
                    sock = self.tls.wrap_socket(conn, server_side=True)
                except (ssl.SSLError, OSError) as e:
                    with self._lock:
                        self.handshake_errors.append(str(e))
                    return
                with self._lock:
                    self._conns.add(sock)
            getattr(self, "_handle_" + self.handler)(sock)
        except OSError:
            pass
        finally:
            with self._lock:
                self._conns.discard(conn)
                self._conns.discard(sock)
            try:
                sock.close()
            except OSError:
                pass

    def _echo(self, sock):
        while True:
            data = sock.recv(65536)
            if not data:
                break
            sock.sendall(data)
        _finish(sock)

    def _handle_echo(self, sock):
        self._echo(sock)

    def _handle_banner(self, sock):
        sock.sendall(f"{self.name}\n".encode())
        self._echo(sock)

    def _handle_http(self, sock):
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            data = sock.recv(4096)
            if not data:
                return
            head += data
        seen = {"sni": getattr(sock, "meshgw_sni", None), "peer_uris": peer_uris(sock)}
        with self._lock:
            self.seen.append(seen)
        body = (f"backend={self.name}\nsni={seen['sni'] or ''}\n"
                f"peer={','.join(seen['peer_uris'])}\n").encode()
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                     str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
        _finish(sock)

    def open_connections(self):
        with self._lock:
            return len(self._conns)

    def stop(self):
        """Closes the listening socket (new connections are refused) and every open connection."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            conns = list(self._conns)
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                c.close()
            except OSError:
                pass
        self._thread.join(timeout=5)


def free_port():
    """A port the kernel considers free now (closed again at once; the caller binds it soon)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
