// What a meshgw gateway can serve, as an xDS resource check: the validation callback the gateway
// gives its Client (xds/client.h), also usable on its own.
//
//   absl::Status s = ValidateMeshGatewayResource(kListenerType, "public:0.0.0.0:8443", any);
//   // InvalidArgument: filter_chains[3].filters[0]: unsupported network filter
//   //   "envoy.filters.network.http_connection_manager"
//   (type.googleapis.com/...HttpConnectionManager)
//
// Supported: Cluster of type EDS (over ADS) or STATIC with ROUND_ROBIN, LEAST_REQUEST or RANDOM
// balancing, an optional UpstreamTlsContext and transport_socket_matches (per-endpoint
// UpstreamTlsContext or plain TCP); ClusterLoadAssignment with socket addresses;
// Listener on a socket address with the tls_inspector listener filter and filter chains made of
// rbac, connection_limit, sni_cluster and a final tcp_proxy, with an optional
// DownstreamTlsContext; Secret with a certificate or a validation context. Fields this library's
// protos do not know are ignored. Errors name the field as a path from the resource.
//
// Thread safety: ValidateMeshGatewayResource is stateless; safe from any thread. A validator from
// MeshGatewayValidator() keeps what it learnt (regexes known to compile, its decoding buffer) for
// its own later calls, which it serializes: give each client its own.
#ifndef MESHGW_XDS_VALIDATE_H_
#define MESHGW_XDS_VALIDATE_H_

#include <google/protobuf/any.pb.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "xds/client_callbacks.h"

namespace meshgw::xds {

// ValidateMeshGatewayResource(type_url, name, resource) is OK for a supported resource, else
// InvalidArgument with "<field path>: <problem>".
absl::Status ValidateMeshGatewayResource(absl::string_view type_url, absl::string_view name,
                                         const google::protobuf::Any& resource);

// MeshGatewayValidator() wraps ValidateMeshGatewayResource as a ResourceValidator with a memory
// of its own: a regex that compiled once is not compiled again by the same validator, and
// resources decode in a buffer kept between calls. Nothing is shared between two validators.
ResourceValidator MeshGatewayValidator();

// CheckConfigDiscovery(filter, path, last): the settings of a network filter whose configuration
// comes over ECDS (`config_discovery`), without decoding its default configuration: a name (the
// TypedExtensionConfig's), not the chain's last filter, the ADS source, and type URLs (and a
// default) of the network RBAC filter only. `path` is the filter's, e.g. "filter_chains[0]
// .filters[0]"; errors are InvalidArgument "<path>.config_discovery.type_urls[0]: ...".
absl::Status CheckConfigDiscovery(const envoy::config::listener::v3::Filter& filter,
                                  absl::string_view path, bool last);

}  // namespace meshgw::xds

#endif  // MESHGW_XDS_VALIDATE_H_
