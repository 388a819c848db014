"""Proxy drivers: one per row of the report (baseline, haproxy, nginx, meshgw, meshgw-xds,
meshgw-2hop).

A driver knows how to put one proxy in front of the echo backend for a scenario:

  unavailable()          None, or why the proxy cannot run here (its rows are then absent and
                         the report says why)
  modes                  the modes it can do: "passthrough" (TLS routed by SNI, relayed as is)
                         and/or "terminate" (mTLS terminated, plain TCP to the backend)
  start(env, mode, cpus) writes its config into env.workdir, starts it pinned to `cpus` (a taskset
                         list or None) and returns a Running: the port the load tool targets, the
                         root pids whose process tree is accounted (CPU, RSS), and how to stop it;
                         optionally running.client ({sni, ca, cert, key}) when the load tool must
                         use other names or certificates than the bench PKI's
  churn(running, n)      optional: apply the n-th configuration change (a route added/removed),
                         called every 100 ms during churn-latency; absent -> no churn row
  skip_scenarios         {scenario: why} for scenarios the driver cannot measure as named
"""

import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path

import procs

TEMPLATES = Path(__file__).resolve().parent / "templates"


def render(name, values):
    """Fills ${key} placeholders of a template; other $ signs (nginx variables) stay as they are."""
    text = (TEMPLATES / name).read_text()

    def repl(m):
        if m.group(1) not in values:
            raise KeyError(f"{name}: no value for ${{{m.group(1)}}}")
        return str(values[m.group(1)])

    return re.sub(r"\$\{(\w+)\}", repl, text)


class Running:
    """A started proxy: the port the load tool targets, its processes, and whether the load tool
    speaks TLS to it (False for an egress listener that originates the TLS itself)."""

    def __init__(self, port, group, proc_list, workdir, pids=None, client_tls=True):
        self.port = port
        self.group = group
        self.proc_list = proc_list
        self.workdir = workdir
        self._pids = pids
        self.client_tls = client_tls

    def pids(self):
        return self._pids if self._pids is not None else [p.pid for p in self.proc_list]

    def stop(self):
        for p in self.proc_list:
            self.group.stop(p)


class Driver:
    name = "?"
    modes = ("passthrough", "terminate")
    pinned_cpus = "proxy"  # which CPU set of the scenario this driver's processes take

    def unavailable(self):
        return None

    def start(self, env, mode, cpus):
        raise NotImplementedError

    churn = None  # drivers that can change their configuration live override this
    # Scenarios this driver cannot measure as named, with the reason (the report lists it).
    skip_scenarios = {}


class Baseline(Driver):
    """No proxy: the load tool talks to the TLS echo backend directly (mTLS end to end)."""

    name = "baseline"

    def start(self, env, mode, cpus):
        return Running(env.backend_tls_port, env.group, [], env.workdir, pids=[])


class HAProxy(Driver):
    name = "haproxy"

    def unavailable(self):
        if not shutil.which("haproxy"):
            return "haproxy is not installed (Debian package haproxy)"
        return None

    def start(self, env, mode, cpus):
        workdir = env.workdir / "haproxy"
        workdir.mkdir(parents=True, exist_ok=True)
        backend_port = env.backend_tls_port if mode == "passthrough" else env.backend_tcp_port
        sni = env.sni_passthrough if mode == "passthrough" else env.sni_terminate
        (workdir / "sni.map").write_text(f"{sni} echo\n")
        cfg = workdir / "haproxy.cfg"
        cfg.write_text(render(f"haproxy-{mode}.cfg", {
            "workdir": workdir, "port": env.proxy_port, "backend_port": backend_port,
            "pki": env.pki}))
        proc = env.group.start(["haproxy", "-db", "-f", str(cfg)], cpus=cpus,
                               log=workdir / "haproxy.log")
        if not procs.wait_port(env.proxy_port, proc=proc):
            env.group.stop(proc)
            raise RuntimeError(f"haproxy did not start; see {workdir}/haproxy.log")
        return Running(env.proxy_port, env.group, [proc], workdir)

    def churn(self, running, n):
        """A route added, then removed, through the runtime API: HAProxy's live config change."""
        m = str(running.workdir / "sni.map")
        cmd = (f"add map {m} churn-{n // 2}.example echo" if n % 2 == 0
               else f"del map {m} churn-{n // 2}.example")
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(1.0)
            s.connect(str(running.workdir / "haproxy.sock"))
            s.sendall(cmd.encode() + b"\n")
            s.recv(4096)


class Nginx(Driver):
    name = "nginx"

    def unavailable(self):
        if not shutil.which("nginx"):
            return "nginx is not installed (Debian packages nginx, libnginx-mod-stream)"
        if not Path("/usr/lib/nginx/modules/ngx_stream_module.so").exists():
            return "the nginx stream module is not installed (Debian package libnginx-mod-stream)"
        return None

    def _write(self, running_dir, mode, env, extra_routes=0):
        backend_port = env.backend_tls_port if mode == "passthrough" else env.backend_tcp_port
        sni = env.sni_passthrough if mode == "passthrough" else env.sni_terminate
        routes = [f"        {sni} echo;"]
        routes += [f"        churn-{i}.example echo;" for i in range(extra_routes)]
        cfg = running_dir / "nginx.conf"
        cfg.write_text(render(f"nginx-{mode}.conf", {
            "workdir": running_dir, "port": env.proxy_port, "backend_port": backend_port,
            "pki": env.pki, "nginx_routes": "\n".join(routes)}))
        return cfg

    def start(self, env, mode, cpus):
        workdir = env.workdir / "nginx"
        workdir.mkdir(parents=True, exist_ok=True)
        cfg = self._write(workdir, mode, env)
        proc = env.group.start(["nginx", "-p", str(workdir), "-e", str(workdir / "nginx-error.log"),
                                "-c", str(cfg)], cpus=cpus, log=workdir / "nginx.log")
        if not procs.wait_port(env.proxy_port, proc=proc):
            env.group.stop(proc)
            raise RuntimeError(f"nginx did not start; see {workdir}/nginx-error.log")
        running = Running(env.proxy_port, env.group, [proc], workdir)
        running.mode, running.env = mode, env
        return running

    def churn(self, running, n):
        """nginx (open source) has no runtime API: a config change is a reload (SIGHUP). Old
        workers keep the open connections until they close, so they stay in the process tree."""
        self._write(running.workdir, running.mode, running.env, extra_routes=n % 2)
        os.kill(running.proc_list[0].pid, signal.SIGHUP)


class _Meshgw(Driver):
    """Common part of the meshgw drivers: finds the binaries of the build."""

    binaries = ("gateway/meshgw",)

    def unavailable(self):
        for b in self.binaries:
            if not (self.build_dir / b).exists():
                return (f"{self.build_dir / b} is not built yet (the gateway is issue 4, "
                        "the control component issue 6)")
        if self._start is None:
            return "its driver's start() is not written yet (bench/compare/drivers.py)"
        return None

    def __init__(self, build_dir):
        self.build_dir = Path(build_dir)

    _start = None

    def start(self, env, mode, cpus):
        return self._start(env, mode, cpus)

    churn = None


class Meshgw(_Meshgw):
    """meshgw with a static configuration file (no control component)."""

    name = "meshgw"

    def _start(self, env, mode, cpus, port=None, tag="meshgw"):
        workdir = env.workdir / tag
        workdir.mkdir(parents=True, exist_ok=True)
        port = port or env.proxy_port
        backend_port = env.backend_tls_port if mode == "passthrough" else env.backend_tcp_port
        sni = env.sni_passthrough if mode == "passthrough" else env.sni_terminate
        cfg = workdir / "gateway.hcl"
        cfg.write_text(render(f"meshgw-{mode}.hcl", {
            "port": port, "backend_port": backend_port, "sni": sni, "pki": env.pki}))
        proc = env.group.start([str(self.build_dir / "gateway/meshgw"), "-config", str(cfg)],
                               cpus=cpus, log=workdir / "meshgw.log")
        if not procs.wait_port(port, proc=proc):
            env.group.stop(proc)
            raise RuntimeError(f"meshgw did not start; see {workdir}/meshgw.log")
        running = Running(port, env.group, [proc], workdir)
        running.mode, running.env, running.cfg = mode, env, cfg
        return running

    def churn(self, running, n):
        """A route added, then removed: the file is rewritten and SIGHUP reloads it; the gateway
        swaps in the new snapshot and keeps every open connection."""
        text = running.cfg.read_text()
        marker = "  cluster \"echo\" {"
        extra = (f'  cluster "churn-{n // 2}" {{\n    endpoint {{\n'
                 f'      address = "127.0.0.1:9"\n    }}\n  }}\n')
        base = re.sub(r'  cluster "churn-\d+" \{\n(?:.*\n){3}  \}\n', "", text)
        running.cfg.write_text(base.replace(marker, extra + marker) if n % 2 == 0 else base)
        os.kill(running.proc_list[0].pid, signal.SIGHUP)


class MeshgwXds(_Meshgw):
    """meshgw driven over xDS (incremental ADS) by meshgw-control with its file source, on the
    cluster-peering path: the control component (datacenter dc1, the bench PKI's trust domain)
    has the mesh gateway's registration, the echo service's, and config entries exporting echo to
    the peer `dc2`, so its translation gives the gateway the exported chain for
    `echo.default.default.dc2.external.<td>` (the SNI a consumer in dc2 uses, the same as the
    other rows' terminate SNI), with the echo cluster's circuit breaker from service-defaults
    MaxInboundConnections.

    passthrough: echo's protocol is tcp, so the chain relays the caller's TLS to the TLS echo
    backend as is (Consul's peered passthrough to a sidecar); no peering is needed for that.
    terminate: echo's protocol is http, so the gateway terminates the caller's mTLS with its
    leaf from dc1's embedded CA, verifies the client certificate against the consuming peer's
    trust bundle and authorizes its SPIFFE ID through service-intentions (Peer = dc2), then
    forwards plain TCP to the TCP echo backend. That needs the peer: a second meshgw-control
    (datacenter dc2, its own trust domain and CA) is started and peered with dc1 through the
    control CLI (`peering generate-token` on dc1, `peering establish` on dc2), as the sandbox
    does. The load tool then presents a leaf of dc2's CA for `client` (signed with the CA key
    in dc2's data_dir, shaped as its embedded CA issues leaves: Consul's agent would hand it
    out through /v1/agent/connect/ca/leaf) and verifies the gateway with dc1's root.

    Every process of the row (the gateway, dc1's control component and, when started, dc2's) is
    pinned to the proxy's CPU and accounted (CPU, RSS)."""

    name = "meshgw-xds"
    binaries = ("gateway/meshgw", "control/meshgw-control")
    modes = ("passthrough", "terminate")
    peer_cluster_id = "d2d2d2d2-0000-4000-8000-00000000dc02"  # dc2's trust domain: its own
    max_inbound = 9500  # service-defaults MaxInboundConnections of echo (one instance)

    def _control(self, env, workdir, cpus, datacenter, cluster_id, grpc_port):
        """Starts one meshgw-control agent in workdir (config/ must be filled)."""
        (workdir / "control.hcl").write_text(render("meshgw-xds-control.hcl", {
            "datacenter": datacenter, "cluster_id": cluster_id, "grpc_port": grpc_port,
            "peering_port": grpc_port + 1}))
        control = env.group.start([str(self.build_dir / "control/meshgw-control"), "agent",
                                   "-config", str(workdir / "control.hcl")],
                                  cpus=cpus, log=workdir / "meshgw-control.log")
        if not procs.wait_port(grpc_port, proc=control):
            env.group.stop(control)
            raise RuntimeError(f"meshgw-control ({datacenter}) did not start; "
                               f"see {workdir}/meshgw-control.log")
        return control

    def _cli(self, grpc_port, *argv, log):
        """One meshgw-control CLI command against the agent on grpc_port; its stdout."""
        env = dict(os.environ, MESHGW_CONTROL_ADDR=f"127.0.0.1:{grpc_port}")
        env.pop("MESHGW_CONTROL_TOKEN", None)
        r = subprocess.run([str(self.build_dir / "control/meshgw-control")] + list(argv),
                           env=env, capture_output=True, text=True, timeout=20)
        with open(log, "a") as f:
            f.write(f"$ meshgw-control {' '.join(argv[:3])} ...: exit {r.returncode}\n"
                    f"{r.stderr}")
        if r.returncode != 0:
            raise RuntimeError(f"meshgw-control {' '.join(argv[:3])}: exit {r.returncode}: "
                               f"{r.stderr.strip()[:300]}")
        return r.stdout

    def _peer(self, grpc_dc1, grpc_dc2, log):
        """The sandbox's peering: dc1 generates a token for the peer it names dc2, dc2
        establishes with it (naming dc1); then both sides must be ACTIVE."""
        token = self._cli(grpc_dc1, "peering", "generate-token", "-name", "dc2",
                          "-server-external-addresses", f"127.0.0.1:{grpc_dc1 + 1}",
                          log=log).strip()
        if not token:
            raise RuntimeError("peering generate-token printed no token")
        self._cli(grpc_dc2, "peering", "establish", "-name", "dc1", "-peering-token", token,
                  log=log)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            states = []
            for port, peer in ((grpc_dc1, "dc2"), (grpc_dc2, "dc1")):
                out = self._cli(port, "peering", "read", "-name", peer, "-format=json", log=log)
                states.append(json.loads(out).get("State"))
            if states == ["ACTIVE", "ACTIVE"]:
                return
            time.sleep(0.1)
        raise RuntimeError(f"the peering dc1 <-> dc2 is not ACTIVE after 20 s: {states}")

    @staticmethod
    def _client_leaf(ca_dir, out_dir, trust_domain):
        """A leaf for service `client` of dc2, signed with dc2's CA key (its data_dir), shaped as
        the embedded CA's service leaves (P-256, SPIFFE URI SAN, server+client auth)."""
        spiffe = f"spiffe://{trust_domain}/ns/default/dc/dc2/svc/client"
        key, csr, ext, crt = (out_dir / n for n in ("client.key", "client.csr", "client.ext",
                                                    "client.crt"))

        def run(*argv):
            subprocess.run(["openssl"] + list(argv), check=True, capture_output=True, timeout=20)

        run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
            str(key))
        run("req", "-new", "-key", str(key),
            "-subj", f"/CN=client.svc.default.{trust_domain[:8]}.consul",
            "-out", str(csr))
        ext.write_text("basicConstraints=critical,CA:FALSE\n"
                       "keyUsage=critical,digitalSignature,keyEncipherment,keyAgreement\n"
                       "extendedKeyUsage=serverAuth,clientAuth\n"
                       f"subjectAltName=URI:{spiffe}\n")
        run("x509", "-req", "-in", str(csr), "-CA", str(ca_dir / "root.pem"), "-CAkey",
            str(ca_dir / "root-key.pem"), "-set_serial", str(int.from_bytes(os.urandom(8), "big")),
            "-days", "1", "-sha256", "-extfile", str(ext), "-out", str(crt))
        return {"cert": crt, "key": key}

    @staticmethod
    def _wait_terminated_echo(port, sni, client, timeout=20.0):
        """Waits until an mTLS connection with the SNI is terminated by the gateway, allowed,
        and forwarded (an echo comes back): the chain exists only once dc1 has dc2's bundle."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.load_verify_locations(cafile=str(client["ca"]))
        ctx.load_cert_chain(str(client["cert"]), str(client["key"]))
        deadline, last = time.monotonic() + timeout, "no attempt"
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1.0) as raw:
                    with ctx.wrap_socket(raw, server_hostname=sni) as s:
                        s.sendall(b"meshgw-xds ready?")
                        got = b""
                        while len(got) < 17:
                            chunk = s.recv(64)
                            if not chunk:
                                break
                            got += chunk
                        if got == b"meshgw-xds ready?":
                            return
                        last = f"echo answered {got!r}"
            except (OSError, ssl.SSLError) as e:
                last = str(e)
            time.sleep(0.1)
        raise RuntimeError(f"no terminated echo through {sni} after {timeout:.0f} s: {last}")

    def _start(self, env, mode, cpus):
        workdir = env.workdir / "meshgw-xds"
        if workdir.exists():
            shutil.rmtree(workdir)
        dc1_dir, dc2_dir = workdir / "dc1", workdir / "dc2"
        for d in (dc1_dir / "config", dc2_dir / "config"):
            d.mkdir(parents=True)
        grpc_dc1 = env.proxy_port + 67       # 18510 by default; peering port +1, admin +2
        grpc_dc2 = grpc_dc1 + 3              # dc2's agent: 18513, peering 18514
        terminate = mode == "terminate"
        values = {"port": env.proxy_port,
                  "backend_port": env.backend_tcp_port if terminate else env.backend_tls_port,
                  "grpc_port": grpc_dc1, "admin_port": grpc_dc1 + 2,
                  "trust_domain": env.trust_domain, "protocol": "http" if terminate else "tcp",
                  "max_inbound": self.max_inbound}
        (workdir / "gateway.hcl").write_text(render("meshgw-xds-gateway.hcl", values))
        for name in ("mesh-gateway", "echo", "echo-defaults", "exported", "intentions"):
            (dc1_dir / "config" / f"{name}.hcl").write_text(
                render(f"meshgw-xds-{name}.hcl", values))
        started = []
        try:
            started.append(self._control(env, dc1_dir, cpus, "dc1",
                                         env.trust_domain.removesuffix(".consul"), grpc_dc1))
            client = None
            if terminate:
                started.append(self._control(env, dc2_dir, cpus, "dc2", self.peer_cluster_id,
                                             grpc_dc2))
                self._peer(grpc_dc1, grpc_dc2, workdir / "peering.log")
                client = self._client_leaf(dc2_dir / "data" / "ca", workdir,
                                           f"{self.peer_cluster_id}.consul")
                client["ca"] = dc1_dir / "data" / "ca" / "root.pem"
            gateway = env.group.start([str(self.build_dir / "gateway/meshgw"), "-config",
                                       str(workdir / "gateway.hcl")],
                                      cpus=cpus, log=workdir / "meshgw.log")
            started.insert(0, gateway)
            # The listener exists only once the control component's snapshot is installed.
            if not procs.wait_port(env.proxy_port, timeout=20.0, proc=gateway):
                raise RuntimeError(f"meshgw (xDS) did not get its listener; see "
                                   f"{workdir}/meshgw.log and {dc1_dir}/meshgw-control.log")
            if terminate:
                self._wait_terminated_echo(env.proxy_port, env.sni_terminate, client)
        except (RuntimeError, OSError, subprocess.SubprocessError, ValueError):
            for p in started:
                env.group.stop(p)
            raise
        running = Running(env.proxy_port, env.group, started, workdir)
        running.config_dir = dc1_dir / "config"
        # Both modes use the exported chain's SNI; terminate also dc2's client leaf and dc1's root.
        running.client = {"sni": env.sni_terminate}
        if terminate:
            running.client.update(client)
        return running

    def churn(self, running, n):
        """A service registered, then deregistered: the control component's file source sees
        the change (poll_interval 50 ms), translates it and pushes the new cluster (CDS/EDS) to
        the gateway over the open ADS stream."""
        path = running.config_dir / f"churn-{n // 2}.hcl"
        if n % 2 == 0:
            tmp = path.with_suffix(".tmp")
            tmp.write_text(f'service {{\n  id      = "churn-{n // 2}"\n'
                           f'  name    = "churn-{n // 2}"\n  address = "127.0.0.1"\n'
                           f'  port    = 9\n}}\n')
            tmp.rename(path)
        else:
            path.unlink(missing_ok=True)


class Meshgw2Hop(Meshgw):
    """Gateway to gateway, the real path: DC1 meshgw egress (plain TCP in, mTLS out) -> DC2
    meshgw. The load tool talks TCP to DC1's egress port (Running(..., client_tls=False)); the
    CPU of both gateways counts (both pids). Mode passthrough: DC2 relays to the TLS backend as
    is; terminate: DC2 terminates and forwards TCP to the TCP backend. Both are static configs
    (the same shapes the control component sends)."""

    name = "meshgw-2hop"
    skip_scenarios = {
        "handshakes-full": "DC1's egress resumes its mTLS session to DC2's gateway (one session "
                           "cache per upstream endpoint, as it should), so after the first "
                           "connection every handshake of the path is a resumed one: see its "
                           "handshakes-resumed row",
    }

    def start(self, env, mode, cpus):
        dc2 = self._start(env, mode, cpus, port=env.proxy_port + 1, tag="meshgw-2hop-dc2")
        workdir = env.workdir / "meshgw-2hop-dc1"
        workdir.mkdir(parents=True, exist_ok=True)
        td = (Path(env.pki) / "trust-domain").read_text().strip()
        server_id = (f"spiffe://{td}/ns/default/dc/dc1/svc/echo" if mode == "passthrough"
                     else f"spiffe://{td}/gateway/mesh/dc/dc1")
        sni = env.sni_passthrough if mode == "passthrough" else env.sni_terminate
        cfg = workdir / "gateway.hcl"
        cfg.write_text(render("meshgw-2hop-dc1.hcl", {
            "port": env.proxy_port, "dc2_port": env.proxy_port + 1, "sni": sni,
            "server_id": server_id, "pki": env.pki}))
        proc = env.group.start([str(self.build_dir / "gateway/meshgw"), "-config", str(cfg)],
                               cpus=cpus, log=workdir / "meshgw.log")
        if not procs.wait_port(env.proxy_port, proc=proc):
            env.group.stop(proc)
            dc2.stop()
            raise RuntimeError(f"meshgw (DC1 egress) did not start; see {workdir}/meshgw.log")
        return Running(env.proxy_port, env.group, [proc] + dc2.proc_list, workdir,
                       client_tls=False)

    churn = None


def all_drivers(build_dir):
    return [Baseline(), HAProxy(), Nginx(), Meshgw(build_dir), MeshgwXds(build_dir),
            Meshgw2Hop(build_dir)]
