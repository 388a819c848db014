"""A test PKI made at run time with the `openssl` CLI (EC P-256, so that it takes a second).

Consul's shapes: a CA per datacenter whose certificate carries the URI SAN `spiffe://<td>` with
trust domain `<uuid>.consul`; leaves with SPIFFE URI SANs (services
`spiffe://<td>/ns/default/dc/<dc>/svc/<name>`, gateways `spiffe://<td>/gateway/mesh/dc/<dc>`) and,
for servers a client checks by host name (curl), DNS SANs.

    pki = Pki("/tmp/work/pki")
    dc1 = pki.ca("dc1")                                  # dc1.td == "<uuid>.consul"
    web = pki.leaf(dc1, "web", uris=[dc1.service("dc1", "web")])
    old = pki.leaf(dc1, "old", uris=[...], expired=True)  # validity ended in 2025
    web.cert, web.key                                    # PEM file paths

Nothing is committed: every file is written under the given folder.
Thread-safety: not thread-safe (one runner thread makes the PKI up front).
"""

import os
import subprocess
import uuid


class OpensslError(RuntimeError):
    pass


def _openssl(args, cwd):
    proc = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise OpensslError(
            f"openssl {' '.join(args)}: exit {proc.returncode}: {proc.stderr.strip()}")
    return proc.stdout


class Ca:
    def __init__(self, name, trust_domain, cert, key, folder):
        self.name = name
        self.td = trust_domain
        self.cert = cert
        self.key = key
        self.folder = folder

    def service(self, dc, svc, ns="default"):
        return f"spiffe://{self.td}/ns/{ns}/dc/{dc}/svc/{svc}"

    def gateway(self, dc):
        return f"spiffe://{self.td}/gateway/mesh/dc/{dc}"


class Leaf:
    def __init__(self, name, cert, key, uris, ca):
        self.name = name
        self.cert = cert
        self.key = key
        self.uris = uris
        self.ca = ca


class Pki:
    def __init__(self, folder):
        self.folder = folder
        os.makedirs(folder, exist_ok=True)

    def ca(self, name, trust_domain=None):
        """A self-signed CA valid for a day whose URI SAN is its trust domain."""
        td = trust_domain or f"{uuid.uuid4()}.consul"
        folder = os.path.join(self.folder, name)
        os.makedirs(os.path.join(folder, "db"), exist_ok=True)
        open(os.path.join(folder, "db", "index.txt"), "w").close()
        with open(os.path.join(folder, "ca.cnf"), "w") as f:
            f.write(
                "[ca]\ndefault_ca = ca_section\n"
                "[ca_section]\n"
                "database = db/index.txt\nnew_certs_dir = db\nserial = db/serial\n"
                "default_md = sha256\npolicy = policy_any\ncopy_extensions = none\n"
                "unique_subject = no\n"
                "[policy_any]\ncommonName = supplied\n")
        with open(os.path.join(folder, "db", "serial"), "w") as f:
            f.write("1000\n")
        cert = os.path.join(folder, "ca.pem")
        key = os.path.join(folder, "ca-key.pem")
        _openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", cert, "-days", "2", "-subj", f"/CN={name} test CA",
            "-addext", f"subjectAltName=URI:spiffe://{td}",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"
        ], cwd=folder)
        return Ca(name, td, cert, key, folder)

    def leaf(self, ca, name, uris=(), dns=(), expired=False):
        """A leaf signed by `ca` for both server and client use. `expired`: valid only in
        January 2025."""
        folder = ca.folder
        key = os.path.join(folder, f"{name}-key.pem")
        csr = os.path.join(folder, f"{name}.csr")
        cert = os.path.join(folder, f"{name}.pem")
        ext = os.path.join(folder, f"{name}.ext")
        sans = [f"URI:{u}" for u in uris] + [f"DNS:{d}" for d in dns]
        with open(ext, "w") as f:
            f.write("[leaf]\n"
                    "basicConstraints = critical,CA:FALSE\n"
                    "keyUsage = critical,digitalSignature,keyAgreement\n"
                    "extendedKeyUsage = serverAuth,clientAuth\n")
            if sans:
                f.write(f"subjectAltName = {','.join(sans)}\n")
        _openssl([
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", csr, "-subj", f"/CN={name}"
        ], cwd=folder)
        validity = (["-startdate", "20250101000000Z", "-enddate", "20250201000000Z"]
                    if expired else ["-days", "1"])
        _openssl([
            "ca", "-batch", "-config", "ca.cnf", "-cert", ca.cert, "-keyfile", ca.key, "-in", csr,
            "-out", cert, "-extfile", ext, "-extensions", "leaf", "-notext", *validity
        ], cwd=folder)
        return Leaf(name, cert, key, list(uris), ca)


def pem_fingerprint(pem_text):
    """SHA-256 of the DER of the first certificate in `pem_text` (hex), or None."""
    import hashlib
    import ssl
    begin = pem_text.find("-----BEGIN CERTIFICATE-----")
    end = pem_text.find("-----END CERTIFICATE-----", begin)
    if begin < 0 or end < 0:
        return None
    block = pem_text[begin:end + len("-----END CERTIFICATE-----")] + "\n"
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(block)).hexdigest()


def file_fingerprint(path):
    with open(path) as f:
        return pem_fingerprint(f.read())
