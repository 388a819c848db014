"""Writes meshgw bootstrap files (HCL) from Python values, in the schema of
gateway/config/bootstrap.h and configs/gateway/static-example.hcl.

A block is Block(type, *labels, attrs={...}, children=[...]); attribute values are str, bool,
int, float or lists of them. Attributes are written in the dict's order, then the children.

    text = render([
        Block("node", attrs={"id": "gw-1"}),
        Block("static", children=[
            Block("cluster", "api", children=[Block("endpoint", attrs={"address": be.address})]),
        ]),
    ])

Thread-safety: pure functions.
"""

import json


class Block:
    def __init__(self, type_, *labels, attrs=None, children=None):
        self.type = type_
        self.labels = labels
        self.attrs = dict(attrs or {})
        self.children = list(children or [])


def _value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        if "${" in v or "%{" in v:
            raise ValueError(f"template sequence in {v!r}")
        return json.dumps(v)  # HCL's quoted strings take JSON's escapes for our ASCII values
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise TypeError(f"no HCL form for {type(v).__name__}")


def _render_block(block, indent, out):
    pad = "  " * indent
    head = " ".join([block.type] + [json.dumps(label) for label in block.labels])
    out.append(f"{pad}{head} {{")
    for k, v in block.attrs.items():
        if v is None:
            continue
        out.append(f"{pad}  {k} = {_value(v)}")
    for child in block.children:
        _render_block(child, indent + 1, out)
    out.append(f"{pad}}}")


def render(blocks, attrs=None):
    """The file text: top-level attributes first, then the blocks."""
    out = []
    for k, v in (attrs or {}).items():
        out.append(f"{k} = {_value(v)}")
    for b in blocks:
        _render_block(b, 0, out)
    return "\n".join(out) + "\n"


# Shorthands for the static section -------------------------------------------------------------


def secret_cert(name, leaf):
    return Block("secret", name, attrs={"certificate_chain_file": leaf.cert,
                                        "private_key_file": leaf.key})


def secret_trust(name, *ca_files):
    if len(ca_files) == 1:
        return Block("secret", name, attrs={"trusted_ca_file": ca_files[0]})
    pem = "".join(open(f).read() for f in ca_files)
    return Block("secret", name, attrs={"trusted_ca": pem})


def cluster(name, endpoints, tls=None, outlier=None, **attrs):
    """endpoints: list of "host:port" or (address, priority) pairs."""
    children = []
    if outlier:
        children.append(Block("outlier_detection", attrs=outlier))
    if tls:
        children.append(Block("tls", attrs=tls))
    for e in endpoints:
        address, priority = (e, 0) if isinstance(e, str) else e
        children.append(Block("endpoint", attrs={"address": address, "priority": priority}))
    return Block("cluster", name, attrs=attrs, children=children)


def chain(name, cluster_name=None, server_names=None, tls=None, rbac=None, sni_cluster=False,
          connection_limit=None, **tcp_proxy):
    children = []
    if tls:
        children.append(Block("tls", attrs=tls))
    if rbac:
        action, policies = rbac
        children.append(Block("rbac", attrs={"action": action}, children=[
            Block("policy", pname, attrs=pattrs) for pname, pattrs in policies.items()
        ]))
    tp = dict(tcp_proxy)
    if cluster_name:
        tp = {"cluster": cluster_name, **tp}
    children.append(Block("tcp_proxy", attrs=tp))
    attrs = {}
    if server_names:
        attrs["server_names"] = server_names
    if sni_cluster:
        attrs["sni_cluster"] = True
    if connection_limit is not None:
        attrs["connection_limit"] = connection_limit
    return Block("filter_chain", name, attrs=attrs, children=children)


def listener(name, address, chains, tls_inspector=True, hello_timeout=None):
    attrs = {"address": address, "tls_inspector": tls_inspector}
    if hello_timeout:
        attrs["hello_timeout"] = hello_timeout
    return Block("listener", name, attrs=attrs, children=chains)


def bootstrap(node_id, admin, metrics, static_children, timeouts=None, workers=2,
              log_level="debug", datacenter="dc1"):
    blocks = [
        Block("node", attrs={"id": node_id, "datacenter": datacenter}),
        Block("admin", attrs={"address": admin}),
        Block("metrics", attrs={"address": metrics}),
        Block("log", attrs={"level": log_level}),
    ]
    if timeouts:
        blocks.append(Block("timeouts", attrs=timeouts))
    blocks.append(Block("static", children=static_children))
    return render(blocks, attrs={"workers": workers})
