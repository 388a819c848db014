"""What every scenario shares: the meshgw binary, a work folder, the test PKI, and the backends
and processes started so far (all stopped by close(), whatever happened).

The PKI, in Consul's shapes (trust domains `<uuid>.consul`):
  dc1, dc2          the two datacenters' CAs
  untrusted         a CA nobody trusts, whose leaf claims dc2's trust domain
  gw1 / gw2         gateway leaves of dc1 / dc2 (SPIFFE gateway IDs; DNS wildcards for curl)
  gw1_rotated       gw1's next leaf (certificate rotation on reload)
  api_tcp, api_tls  dc1 service leaves presented by TLS backends
  web_dc2, evil_dc2 dc2 callers: `web` is allowed by the intentions, `evil` is not
  web_untrusted     `web` of dc2's trust domain, signed by the untrusted CA
  web_expired       `web` of dc2, signed by dc2's CA, validity over in February 2025
  web_wrong_td      signed by dc2's CA, with a URI SAN in another trust domain
  web_dc1           dc1's `web` (the egress caller's identity)

    world = World(binary, "/tmp/gw-it")
    be = world.backend("api", "http")
    gw = world.gateway("gw1")
    world.close()

Thread-safety: used from the runner's thread.
"""

import os
import uuid

from backends import Backend, free_port
from meshgw import Gateway, Processes
from pki import Pki


def port(address):
    """The port of "127.0.0.1:8443"."""
    return int(address.rsplit(":", 1)[1])


class World:
    def __init__(self, binary, workdir):
        self.binary = binary
        self.workdir = workdir
        os.makedirs(workdir, exist_ok=True)
        self.procs = Processes()
        self._backends = []
        self._build_pki()

    def _build_pki(self):
        pki = Pki(os.path.join(self.workdir, "pki"))
        self.dc1 = dc1 = pki.ca("dc1")
        self.dc2 = dc2 = pki.ca("dc2")
        self.untrusted = pki.ca("untrusted", trust_domain=dc2.td)
        self.td1, self.td2 = dc1.td, dc2.td
        self.gw1 = pki.leaf(dc1, "gw1", uris=[dc1.gateway("dc1")],
                            dns=[f"*.default.dc1.internal.{dc1.td}",
                                 f"*.default.default.dc2.external.{dc1.td}"])
        self.gw1_rotated = pki.leaf(dc1, "gw1-rotated", uris=[dc1.gateway("dc1")])
        self.gw2 = pki.leaf(dc2, "gw2", uris=[dc2.gateway("dc2")],
                            dns=[f"*.default.default.dc1.external.{dc2.td}"])
        self.api_tcp = pki.leaf(dc1, "api-tcp", uris=[dc1.service("dc1", "api-tcp")],
                                dns=[f"api-tcp.default.dc1.internal.{dc1.td}"])
        self.api_tls = pki.leaf(dc1, "api-tls", uris=[dc1.service("dc1", "api-tls")])
        self.web_dc2 = pki.leaf(dc2, "web", uris=[dc2.service("dc2", "web")])
        self.evil_dc2 = pki.leaf(dc2, "evil", uris=[dc2.service("dc2", "evil")])
        self.web_untrusted = pki.leaf(self.untrusted, "web", uris=[dc2.service("dc2", "web")])
        self.web_expired = pki.leaf(dc2, "web-expired", uris=[dc2.service("dc2", "web")],
                                    expired=True)
        other_td = f"{uuid.uuid4()}.consul"
        self.web_wrong_td = pki.leaf(
            dc2, "web-wrong-td", uris=[f"spiffe://{other_td}/ns/default/dc/dc2/svc/web"])
        self.web_dc1 = pki.leaf(dc1, "web-dc1", uris=[dc1.service("dc1", "web")])
        # Both datacenters' CAs in one file: what a mesh listener trusts for its peers.
        self.peers_bundle = os.path.join(pki.folder, "dc1-dc2-bundle.pem")
        with open(self.peers_bundle, "w") as out:
            for ca in (dc1, dc2):
                with open(ca.cert) as f:
                    out.write(f.read())

    def backend(self, name, handler="echo", tls=None):
        be = Backend(name, handler, tls)
        self._backends.append(be)
        return be

    def gateway(self, name):
        return Gateway(self.procs, self.binary, self.workdir, name)

    @staticmethod
    def address():
        return f"127.0.0.1:{free_port()}"

    def close(self):
        self.procs.kill_all()
        for be in self._backends:
            be.stop()
