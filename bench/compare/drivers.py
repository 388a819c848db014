"""Proxy drivers: one per row of the report (baseline, haproxy, nginx, meshgw, meshgw-xds,
meshgw-2hop).

A driver knows how to put one proxy in front of the echo backend for a scenario:

  unavailable()          None, or why the proxy cannot run here (its rows are then absent and
                         the report says why)
  modes                  the modes it can do: "passthrough" (TLS routed by SNI, relayed as is)
                         and/or "terminate" (mTLS terminated, plain TCP to the backend)
  start(env, mode, cpus) writes its config into env.workdir, starts it pinned to `cpus` (a taskset
                         list or None) and returns a Running: the port the load tool targets, the
                         root pids whose process tree is accounted (CPU, RSS), and how to stop it
  churn(running, n)      optional: apply the n-th configuration change (a route added/removed),
                         called every 100 ms during churn-latency; absent -> no churn row
  skip_scenarios         {scenario: why} for scenarios the driver cannot measure as named
"""

import os
import re
import shutil
import signal
import socket
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
    """meshgw driven over xDS (incremental ADS) by meshgw-control with its file source: the
    control component's config dir holds the mesh gateway's registration and the echo service's,
    and its translation gives the gateway Consul's catch-all chain (sni_cluster), which passes
    `echo.default.dc1.internal.<td>` through to the echo instance. The control component runs
    with the bench PKI's trust domain (cluster_id) and datacenter dc1, so the SNI is the same as
    the other rows'. Passthrough only: a terminated chain needs an exported service with a
    consuming peer's trust bundle, i.e. an established peering between two control components,
    and the client certificate would have to come from that peer's CA (not the bench PKI).
    Both processes are accounted (CPU, RSS): the control component's cost is part of the row."""

    name = "meshgw-xds"
    binaries = ("gateway/meshgw", "control/meshgw-control")
    modes = ("passthrough",)
    no_mode_why = {
        "terminate": "meshgw-control terminates only exported services (protocol http) for a "
                     "consuming peer, verified against that peer's CA: it needs an established "
                     "peering between two control components, and a client certificate from "
                     "the peer's CA rather than the bench PKI",
    }

    def _start(self, env, mode, cpus):
        if mode != "passthrough":
            raise ValueError(f"meshgw-xds: no {mode} mode")
        workdir = env.workdir / "meshgw-xds"
        config_dir = workdir / "config"
        if workdir.exists():
            shutil.rmtree(workdir)
        config_dir.mkdir(parents=True)
        grpc_port = env.proxy_port + 67       # 18510 by default
        values = {"port": env.proxy_port, "backend_port": env.backend_tls_port,
                  "grpc_port": grpc_port, "peering_port": grpc_port + 1,
                  "admin_port": grpc_port + 2, "trust_domain": env.trust_domain,
                  "cluster_id": env.trust_domain.removesuffix(".consul")}
        for name in ("control.hcl", "gateway.hcl"):
            (workdir / name).write_text(render(f"meshgw-xds-{name}", values))
        for name in ("mesh-gateway.hcl", "echo.hcl"):
            (config_dir / name).write_text(render(f"meshgw-xds-{name}", values))
        control = env.group.start([str(self.build_dir / "control/meshgw-control"), "agent",
                                   "-config", str(workdir / "control.hcl")],
                                  cpus=cpus, log=workdir / "meshgw-control.log")
        if not procs.wait_port(grpc_port, proc=control):
            env.group.stop(control)
            raise RuntimeError(f"meshgw-control did not start; see {workdir}/meshgw-control.log")
        gateway = env.group.start([str(self.build_dir / "gateway/meshgw"), "-config",
                                   str(workdir / "gateway.hcl")],
                                  cpus=cpus, log=workdir / "meshgw.log")
        # The listener exists only once the control component's snapshot is installed.
        if not procs.wait_port(env.proxy_port, timeout=20.0, proc=gateway):
            env.group.stop(gateway)
            env.group.stop(control)
            raise RuntimeError(f"meshgw (xDS) did not get its listener; see {workdir}/meshgw.log "
                               f"and {workdir}/meshgw-control.log")
        running = Running(env.proxy_port, env.group, [gateway, control], workdir)
        running.config_dir = config_dir
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
