# tcp: the exported chain passes the caller's TLS through to the instance (its sidecar's mTLS in
# Consul). http: the gateway terminates the mTLS of the consuming peer (dc2's CA, intentions) and
# forwards plain TCP.
# MaxInboundConnections caps each instance's inbound connections; the gateway's cluster for the
# exported service admits MaxInboundConnections x instances (here 1), rather than its default of
# 1,024 (Envoy's), which would refuse most of the idle scenarios' 9,000 connections.
Kind                  = "service-defaults"
Name                  = "echo"
Protocol              = "${protocol}"
MaxInboundConnections = ${max_inbound}
