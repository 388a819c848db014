#!/usr/bin/env python3
"""A Consul HTTP API double for the control component's tests (Consul cannot run here).

It serves the read endpoints the Consul source mirrors, with the JSON shapes, headers and
blocking-query behaviour of Consul (reference/consul.md §2.4, §2.6-2.8):

  GET /v1/config/<kind>                  list of config entries (CreateIndex/ModifyIndex added)
  GET /v1/config/<kind>/<name>           one entry, 404 when missing
  GET /v1/catalog/services[?peer=P]      {"name": [tags]}
  GET /v1/health/service/<svc>[?peer=P][&passing]
  GET /v1/health/connect/<svc>[?peer=P]  connect-capable instances; with ?peer= the replicated
                                         <svc>-sidecar-proxy instances with Connect.PeerMeta
  GET /v1/connect/ca/roots, /v1/agent/connect/ca/roots
  GET /v1/peerings, /v1/peering/<name>   (not blocking, as in Consul)
  GET /v1/agent/connect/ca/leaf/<svc>

Every response carries X-Consul-Index, X-Consul-KnownLeader, X-Consul-LastContact and
X-Consul-Effective-Consistency. Blocking: `?index=N&wait=<dur>` waits while the endpoint's
index is N (its index is the state index at which its body last changed) until a change or the
wait ends (Consul adds up to wait/16 of jitter; the double adds none). One deliberate shortcut:
a request whose index is above the endpoint's current index (after /_double/reset-index or a
restart) is answered at once, where Consul would wait out `wait` first.

ACLs: when the state has "acl": {"tokens": {"<secret>": ["<path prefix>", ...]}}, a request's
X-Consul-Token (or "Authorization: Bearer") must be a listed token ("ACL not found", 403) whose
prefixes cover the request path ("*" covers everything), else 403 "Permission denied".

The state (the scenario) is JSON, read from --scenario at start and replaced or merged through
the admin endpoints (no ACL on them):
  PUT   /_double/state            replace the whole state (body: scenario JSON)
  PATCH /_double/state            replace the top-level keys given
  POST  /_double/reset-index?to=N the state index goes back to N (a snapshot restore)
  POST  /_double/fail?status=500&count=2[&path=/v1/peerings]   the next `count` matching /v1
                                  requests answer `status` (500, 429, ...)
  GET   /_double/requests         the /v1 requests served so far: [{"path","query","status"}]
  DELETE /_double/requests        forget them
  GET   /_double/index            {"index": N}
A restart is a restart of the process (the test kills it and starts it again on the same port):
the index starts again from --start-index, so it goes backwards for clients.

Scenario shape (compact; the double renders Consul's full objects):
  {"datacenter": "dc1",
   "config": {"mesh": [{"Kind": "mesh", "Name": "mesh", ...}], ...},
   "services": [{"Node": "node-1", "NodeAddress": "127.0.1.5",
                 "Service": {"ID": "web-1", "Service": "web", "Port": 9090, "Kind": "", ...},
                 "Checks": [{"Name": "alive", "Status": "passing"}]}],
   "roots": {"TrustDomain": "<uuid>.consul", "Roots": [{"ID": "r1", "RootCert": "<PEM>"}]},
   "peerings": [{"Name": "dc2", "State": "ACTIVE", ...}],
   "imported": {"dc2": {"public-api": [{"Node": "dc2-gw", "Address": "127.0.2.2", "Port": 8443,
                 "SNI": [...], "SpiffeID": [...], "Protocol": "http", "Status": "passing"}]}},
   "leaves": {"web": {"CertPEM": "...", "PrivateKeyPEM": "...", ...}},
   "acl": {"tokens": {...}, "default_policy": "deny"},
   "unsupported_kinds": ["sameness-group"],    # answered 400, as by a Consul without the kind
   "raw": {"/v1/config/mesh": "[{\"Kind\": 5}]"}}  # a body served as is, for decoding errors

Usage: consul_double.py [--host 127.0.0.1] [--port 0] [--scenario FILE] [--start-index N]
                        [--tls-cert F --tls-key F [--tls-client-ca F]] [--unix PATH]
Prints "consul-double listening on <url>" (with the chosen port) on stdout once it serves.
Python 3 standard library only.
"""

import argparse
import copy
import json
import re
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import ThreadingMixIn, UnixStreamServer
from urllib.parse import parse_qs, unquote, urlsplit

CONFIG_KINDS = {
    "exported-services", "service-intentions", "sameness-group", "service-resolver",
    "service-defaults", "proxy-defaults", "mesh", "service-router", "service-splitter",
    "api-gateway", "http-route", "ingress-gateway", "terminating-gateway",
}


def parse_wait(text):
    """Go duration ("5m", "300ms", "1m30s") to seconds; Consul's default 5m, maximum 10m."""
    if not text:
        return 300.0
    total = 0.0
    units = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
    for number, unit in re.findall(r"([0-9.]+)(ns|us|µs|ms|s|m|h)", text):
        total += float(number) * units[unit]
    if total == 0.0 and text.isdigit():
        total = float(text)  # bare seconds, as Consul accepts
    return min(total, 600.0)


class DoubleState:
    """The scenario, the indexes and the blocking machinery; one lock for all."""

    def __init__(self, scenario, start_index):
        self.cond = threading.Condition()
        self.scenario = scenario
        self.index = start_index
        self.generation = 0
        self.reset_epoch = 0
        self.endpoints = {}  # key -> {"body", "status", "index", "generation"}
        self.failures = []  # [{"status", "count", "path"}]
        self.requests = []

    # ---- rendering (called under the lock) ----

    def dc(self):
        return self.scenario.get("datacenter", "dc1")

    def render_node(self, name, address, peer=""):
        node = {
            "ID": "",
            "Node": name,
            "Address": address,
            "Datacenter": self.dc(),
            "TaggedAddresses": {"lan": address, "lan_ipv4": address, "wan": address,
                                "wan_ipv4": address},
            "Meta": {"consul-network-segment": ""},
            "CreateIndex": 1,
            "ModifyIndex": 1,
        }
        if peer:
            node["PeerName"] = peer
        return node

    def render_service(self, reg, node_address, peer=""):
        svc = {
            "ID": reg.get("ID") or reg.get("Service", ""),
            "Service": reg.get("Service", ""),
            "Tags": reg.get("Tags") or [],
            "Address": reg.get("Address", ""),
            "Meta": reg.get("Meta"),
            "Port": reg.get("Port", 0),
            "Weights": reg.get("Weights") or {"Passing": 1, "Warning": 1},
            "EnableTagOverride": bool(reg.get("EnableTagOverride", False)),
            "Proxy": {"Mode": "", "MeshGateway": {}, "Expose": {}},
            "Connect": {},
            "PeerName": peer,
            "CreateIndex": 1,
            "ModifyIndex": 1,
        }
        if reg.get("Kind"):
            svc["Kind"] = reg["Kind"]
        if reg.get("TaggedAddresses"):
            svc["TaggedAddresses"] = reg["TaggedAddresses"]
        if reg.get("Proxy"):
            proxy = dict(svc["Proxy"])
            proxy.update(reg["Proxy"])
            svc["Proxy"] = proxy
        if reg.get("Connect"):
            svc["Connect"] = reg["Connect"]
        if reg.get("Namespace"):
            svc["Namespace"] = reg["Namespace"]
        if reg.get("Partition"):
            svc["Partition"] = reg["Partition"]
        return svc

    def render_checks(self, node, svc, checks):
        out = [{
            "Node": node, "CheckID": "serfHealth", "Name": "Serf Health Status",
            "Status": "passing", "Notes": "", "Output": "Agent alive and reachable",
            "ServiceID": "", "ServiceName": "", "ServiceTags": [], "Type": "", "Interval": "",
            "Timeout": "", "ExposedPort": 0, "Definition": {}, "CreateIndex": 1, "ModifyIndex": 1,
        }]
        for i, c in enumerate(checks or []):
            out.append({
                "Node": node, "CheckID": c.get("CheckID") or "service:%s:%d" % (svc["ID"], i + 1),
                "Name": c.get("Name", "Service check"), "Status": c.get("Status", "passing"),
                "Notes": "", "Output": c.get("Output", ""), "ServiceID": svc["ID"],
                "ServiceName": svc["Service"], "ServiceTags": svc["Tags"], "Type": "ttl",
                "Interval": "", "Timeout": "", "ExposedPort": 0, "Definition": {},
                "CreateIndex": 1, "ModifyIndex": 1,
            })
        return out

    def local_instances(self):
        out = []
        for item in self.scenario.get("services") or []:
            node = item.get("Node", "node-1")
            address = item.get("NodeAddress", "127.0.0.1")
            svc = self.render_service(item.get("Service") or {}, address)
            out.append({"Node": self.render_node(node, address), "Service": svc,
                        "Checks": self.render_checks(node, svc, item.get("Checks"))})
        return out

    def imported_instances(self, peer, service):
        """The synthetic <svc>-sidecar-proxy instances Consul replicates for a mesh export."""
        out = []
        for i, inst in enumerate(((self.scenario.get("imported") or {}).get(peer) or {})
                                 .get(service) or []):
            address = inst.get("Address", "127.0.0.1")
            port = inst.get("Port", 8443)
            node = inst.get("Node", "%s-gateway-node" % peer)
            proxy_id = "%s-sidecar-proxy-instance-%d" % (service, i)
            svc = {
                "Kind": "connect-proxy",
                "ID": proxy_id,
                "Service": service + "-sidecar-proxy",
                "Tags": [],
                "Address": address,
                "TaggedAddresses": {"lan": {"Address": address, "Port": port},
                                    "wan": {"Address": address, "Port": port}},
                "Meta": None,
                "Port": port,
                "Weights": {"Passing": 1, "Warning": 1},
                "EnableTagOverride": False,
                "Proxy": {"DestinationServiceName": service, "Mode": "", "MeshGateway": {},
                          "Expose": {}},
                "Connect": {"PeerMeta": {"SNI": inst.get("SNI") or [],
                                         "SpiffeID": inst.get("SpiffeID") or [],
                                         "Protocol": inst.get("Protocol", "tcp")}},
                "PeerName": peer,
                "CreateIndex": 1,
                "ModifyIndex": 1,
            }
            check = {
                "Node": node, "CheckID": proxy_id + ":overall-check", "Name": "overall-check",
                "Status": inst.get("Status", "passing"), "Notes": "", "Output": "",
                "ServiceID": proxy_id, "ServiceName": svc["Service"], "ServiceTags": [],
                "Type": "", "Interval": "", "Timeout": "", "ExposedPort": 0, "Definition": {},
                "PeerName": peer, "CreateIndex": 1, "ModifyIndex": 1,
            }
            out.append({"Node": self.render_node(node, address, peer), "Service": svc,
                        "Checks": [check]})
        return out

    def render_peering(self, p, i):
        out = {
            "ID": p.get("ID") or "00000000-0000-4000-8000-%012d" % (i + 1),
            "Name": p["Name"],
            "Partition": p.get("Partition", "default"),
            "State": p.get("State", "ACTIVE"),
            "PeerID": p.get("PeerID") or "11111111-0000-4000-8000-%012d" % (i + 1),
            "PeerCAPems": p.get("PeerCAPems") or [],
            "PeerServerName": p.get("PeerServerName", ""),
            "PeerServerAddresses": p.get("PeerServerAddresses") or [],
            "StreamStatus": p.get("StreamStatus") or {
                "ImportedServices": sorted(((self.scenario.get("imported") or {})
                                            .get(p["Name"]) or {}).keys()),
                "ExportedServices": [],
                "LastHeartbeat": "2026-12-07T08:00:00Z",
                "LastReceive": "2026-12-07T08:00:00Z",
                "LastSend": "2026-12-07T08:00:00Z",
            },
            "CreateIndex": 10,
            "ModifyIndex": 10,
            "Remote": p.get("Remote") or {"Partition": "default", "Datacenter": ""},
        }
        if p.get("Meta"):
            out["Meta"] = p["Meta"]
        return out

    def render_roots(self):
        roots = self.scenario.get("roots") or {}
        rendered = []
        active_id = ""
        for i, r in enumerate(roots.get("Roots") or []):
            rid = r.get("ID", "root-%d" % i)
            active = r.get("Active", i == 0)
            if active and not active_id:
                active_id = rid
            rendered.append({
                "ID": rid, "Name": r.get("Name", "Consul CA Primary Cert"),
                "SerialNumber": r.get("SerialNumber", 7), "SigningKeyID": r.get("SigningKeyID", ""),
                "ExternalTrustDomain": roots.get("TrustDomain", ""),
                "NotBefore": "2026-12-01T00:00:00Z", "NotAfter": "2036-12-01T00:00:00Z",
                "RootCert": r.get("RootCert", ""), "IntermediateCerts": r.get("IntermediateCerts"),
                "Active": active, "PrivateKeyType": "ec", "PrivateKeyBits": 256,
                "CreateIndex": 5, "ModifyIndex": 5,
            })
        return {"ActiveRootID": active_id, "TrustDomain": roots.get("TrustDomain", ""),
                "Roots": rendered}

    def render(self, path, query):
        """(status, body) of a /v1 GET, from the current scenario."""
        peer = (query.get("peer") or [""])[0]
        raw = (self.scenario.get("raw") or {}).get(path)
        if raw is not None:
            return 200, raw  # served as is: a malformed answer on purpose
        m = re.fullmatch(r"/v1/config/([^/]+)(?:/([^/]+))?", path)
        if m:
            kind = m.group(1)
            unsupported = self.scenario.get("unsupported_kinds") or []
            if kind not in CONFIG_KINDS or kind in unsupported:
                return 400, "invalid config entry kind: %s" % kind
            entries = []
            for e in (self.scenario.get("config") or {}).get(kind) or []:
                e = dict(e)
                e.setdefault("Kind", kind)
                e.setdefault("CreateIndex", 20)
                e.setdefault("ModifyIndex", 20)
                entries.append(e)
            if m.group(2) is not None:
                name = unquote(m.group(2))
                for e in entries:
                    if e.get("Name") == name:
                        return 200, e
                return 404, "Config entry not found for %q / %q" % (kind, name)
            return 200, entries
        if path == "/v1/catalog/services":
            if peer:
                names = (self.scenario.get("imported") or {}).get(peer) or {}
                out = {}
                for name in names:
                    out[name] = []
                    out[name + "-sidecar-proxy"] = []
                return 200, out
            out = {}
            for inst in self.local_instances():
                tags = out.setdefault(inst["Service"]["Service"], [])
                for t in inst["Service"]["Tags"]:
                    if t not in tags:
                        tags.append(t)
            return 200, out
        m = re.fullmatch(r"/v1/health/(service|connect)/([^/]+)", path)
        if m:
            name = unquote(m.group(2))
            if peer:
                if m.group(1) == "connect":
                    items = self.imported_instances(peer, name)
                else:
                    items = [i for i in self.imported_instances(peer, name.removesuffix(
                        "-sidecar-proxy")) if i["Service"]["Service"] == name]
            elif m.group(1) == "service":
                items = [i for i in self.local_instances() if i["Service"]["Service"] == name]
            else:
                items = [i for i in self.local_instances()
                         if (i["Service"].get("Kind") == "connect-proxy"
                             and i["Service"]["Proxy"].get("DestinationServiceName") == name)
                         or (i["Service"]["Service"] == name
                             and i["Service"]["Connect"].get("Native"))]
            if "passing" in query:
                items = [i for i in items
                         if all(c["Status"] == "passing" for c in i["Checks"])]
            return 200, items
        if path in ("/v1/connect/ca/roots", "/v1/agent/connect/ca/roots"):
            return 200, self.render_roots()
        if path == "/v1/peerings":
            return 200, [self.render_peering(p, i)
                         for i, p in enumerate(self.scenario.get("peerings") or [])]
        m = re.fullmatch(r"/v1/peering/([^/]+)", path)
        if m:
            for i, p in enumerate(self.scenario.get("peerings") or []):
                if p["Name"] == unquote(m.group(1)):
                    return 200, self.render_peering(p, i)
            return 404, ""
        m = re.fullmatch(r"/v1/agent/connect/ca/leaf/([^/]+)", path)
        if m:
            leaf = (self.scenario.get("leaves") or {}).get(unquote(m.group(1)))
            if leaf is None:
                return 500, "no leaf for this service in the double's scenario"
            roots = self.scenario.get("roots") or {}
            out = {"SerialNumber": "0a:0b", "Service": unquote(m.group(1)),
                   "ServiceURI": "spiffe://%s/ns/default/dc/%s/svc/%s" % (
                       roots.get("TrustDomain", ""), self.dc(), unquote(m.group(1))),
                   "ValidAfter": "2026-12-07T00:00:00Z", "ValidBefore": "2026-12-10T00:00:00Z",
                   "CreateIndex": 30, "ModifyIndex": 30}
            out.update(leaf)
            return 200, out
        return 404, "Invalid URL path: not a recognized HTTP API endpoint"

    def endpoint(self, key, path, query):
        """The endpoint's (status, body text, index), re-rendered when the state changed."""
        e = self.endpoints.get(key)
        if e is None or e["generation"] != self.generation:
            status, body = self.render(path, query)
            text = body if isinstance(body, str) else json.dumps(body, indent=None)
            if e is None:
                e = {"status": status, "body": text, "index": self.index,
                     "generation": self.generation}
                self.endpoints[key] = e
            elif e["body"] != text or e["status"] != status:
                e.update(status=status, body=text, index=self.index)
            e["generation"] = self.generation
        return e

    # ---- mutations ----

    def changed(self):
        self.index += 1
        self.generation += 1
        self.cond.notify_all()

    def replace(self, scenario):
        with self.cond:
            self.scenario = scenario
            self.changed()

    def merge(self, partial):
        with self.cond:
            scenario = copy.deepcopy(self.scenario)
            scenario.update(partial)
            self.scenario = scenario
            self.changed()

    def reset_index(self, to):
        with self.cond:
            self.index = max(1, to)
            self.endpoints = {}
            self.generation += 1
            self.reset_epoch += 1
            self.cond.notify_all()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "consul-double"

    def log_message(self, fmt, *args):  # quiet; the request log is at /_double/requests
        pass

    def setup(self):
        super().setup()
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.settimeout(10)
            self.connection.do_handshake()
            self.connection.settimeout(None)

    @property
    def state(self):
        return self.server.state

    def send(self, status, body, index=None, content_type="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        if index is not None:
            self.send_header("X-Consul-Index", str(index))
            self.send_header("X-Consul-KnownLeader", "true")
            self.send_header("X-Consul-LastContact", "0")
            self.send_header("X-Consul-Effective-Consistency", "leader")
            acl = self.state.scenario.get("acl")
            if acl is not None:
                self.send_header("X-Consul-Default-ACL-Policy", acl.get("default_policy", "deny"))
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query, keep_blank_values=True)
        if url.path.startswith("/_double/"):
            return self.admin("GET", url.path, query)
        return self.api(url.path, query)

    def do_PUT(self):
        url = urlsplit(self.path)
        return self.admin("PUT", url.path, parse_qs(url.query))

    def do_PATCH(self):
        url = urlsplit(self.path)
        return self.admin("PATCH", url.path, parse_qs(url.query))

    def do_POST(self):
        url = urlsplit(self.path)
        return self.admin("POST", url.path, parse_qs(url.query))

    def do_DELETE(self):
        url = urlsplit(self.path)
        return self.admin("DELETE", url.path, parse_qs(url.query))

    def admin(self, method, path, query):
        st = self.state
        body = self.read_body()
        if path == "/_double/state" and method in ("PUT", "PATCH"):
            try:
                doc = json.loads(body or b"{}")
            except ValueError as e:
                return self.send(400, "bad JSON: %s" % e)
            if method == "PUT":
                st.replace(doc)
            else:
                st.merge(doc)
            return self.send(200, json.dumps({"index": st.index}))
        if path == "/_double/state" and method == "GET":
            with st.cond:
                return self.send(200, json.dumps(st.scenario))
        if path == "/_double/reset-index" and method == "POST":
            st.reset_index(int((query.get("to") or ["1"])[0]))
            return self.send(200, json.dumps({"index": st.index}))
        if path == "/_double/fail" and method == "POST":
            with st.cond:
                st.failures.append({"status": int((query.get("status") or ["500"])[0]),
                                    "count": int((query.get("count") or ["1"])[0]),
                                    "path": (query.get("path") or ["/v1/"])[0]})
            return self.send(200, "{}")
        if path == "/_double/requests":
            with st.cond:
                if method == "DELETE":
                    st.requests = []
                    return self.send(200, "[]")
                return self.send(200, json.dumps(st.requests))
        if path == "/_double/index":
            with st.cond:
                return self.send(200, json.dumps({"index": st.index}))
        return self.send(404, "unknown admin endpoint %s %s" % (method, path))

    def token(self):
        token = self.headers.get("X-Consul-Token")
        if not token:
            auth = self.headers.get("Authorization") or ""
            if auth.startswith("Bearer "):
                token = auth[7:]
        return token or ""

    def api(self, path, query):
        st = self.state
        full = path + (("?" + urlsplit(self.path).query) if urlsplit(self.path).query else "")
        record = {"path": path, "query": urlsplit(self.path).query, "status": 200}
        with st.cond:
            st.requests.append(record)
            # Injected failures first (they model a server in trouble, before ACLs).
            for f in st.failures:
                if f["count"] > 0 and full.startswith(f["path"]):
                    f["count"] -= 1
                    record["status"] = f["status"]
                    message = ("rate limit exceeded" if f["status"] == 429
                               else "rpc error making call: injected failure")
                    return self.send(f["status"], message, index=st.index,
                                     content_type="text/plain")
            acl = st.scenario.get("acl")
            if acl is not None:
                tokens = acl.get("tokens") or {}
                token = self.token()
                if token not in tokens:
                    record["status"] = 403
                    return self.send(403, "ACL not found", content_type="text/plain")
                if not any(p == "*" or full.startswith(p) for p in tokens[token]):
                    record["status"] = 403
                    return self.send(403, "Permission denied", content_type="text/plain")
            key = path + "?" + "&".join(
                "%s=%s" % (k, v[0]) for k, v in sorted(query.items())
                if k not in ("index", "wait", "token", "stale", "consistent", "cached"))
            blocking = "index" in query and not path.startswith("/v1/peering")
            want = int(query["index"][0]) if blocking and query["index"][0].isdigit() else 0
            deadline = time.monotonic() + parse_wait((query.get("wait") or [""])[0])
            epoch = st.reset_epoch
            e = st.endpoint(key, path, query)
            while blocking and e["index"] == want and st.reset_epoch == epoch:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                st.cond.wait(remaining)
                e = st.endpoint(key, path, query)
            status, body, index = e["status"], e["body"], max(1, e["index"])
            record["status"] = status
        ctype = "application/json" if status == 200 else "text/plain"
        return self.send(status, body, index=index, content_type=ctype)


class DoubleServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, state, tls_context=None):
        self.state = state
        self.tls_context = tls_context
        super().__init__(address, Handler)

    def get_request(self):
        sock, addr = super().get_request()
        if self.tls_context is not None:
            # The handshake runs in the request's thread (Handler.setup), not the accept loop.
            sock = self.tls_context.wrap_socket(sock, server_side=True,
                                                do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        pass  # a client that goes away mid-request is normal here


class UnixDoubleServer(ThreadingMixIn, UnixStreamServer):
    """The same API on a unix socket (CONSUL_HTTP_ADDR=unix://...)."""
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, path, state):
        self.state = state
        self.tls_context = None
        super().__init__(path, Handler)

    def handle_error(self, request, client_address):
        pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--scenario")
    ap.add_argument("--start-index", type=int, default=100)
    ap.add_argument("--unix", help="serve on this unix socket path instead of TCP")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--tls-client-ca")
    args = ap.parse_args()

    scenario = {}
    if args.scenario:
        with open(args.scenario) as f:
            scenario = json.load(f)
    tls_context = None
    if args.tls_cert:
        tls_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls_context.load_cert_chain(args.tls_cert, args.tls_key)
        if args.tls_client_ca:
            tls_context.load_verify_locations(args.tls_client_ca)
            tls_context.verify_mode = ssl.CERT_REQUIRED
    state = DoubleState(scenario, args.start_index)
    if args.unix:
        server = UnixDoubleServer(args.unix, state)
        print("consul-double listening on unix://%s" % args.unix, flush=True)
    else:
        server = DoubleServer((args.host, args.port), state, tls_context)
        port = server.server_address[1]
        scheme = "https" if tls_context else "http"
        print("consul-double listening on %s://%s:%d" % (scheme, args.host, port), flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
