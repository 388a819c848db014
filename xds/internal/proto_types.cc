#include "xds/internal/proto_types.h"

#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/core/v3/core.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/config/rbac/v3/rbac.pb.h"
#include "envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.pb.h"
#include "envoy/extensions/filters/network/connection_limit/v3/connection_limit.pb.h"
#include "envoy/extensions/filters/network/rbac/v3/rbac.pb.h"
#include "envoy/extensions/filters/network/sni_cluster/v3/sni_cluster.pb.h"
#include "envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"
#include "envoy/service/discovery/v3/discovery.pb.h"

namespace meshgw::xds::internal {

void LinkProtoTypes() {
  // One message per generated file is enough: each file registers all of its messages. Calling
  // descriptor() (a call into each generated file) is what keeps the file in the link; taking the
  // address of a default instance is optimized away.
  static const google::protobuf::Descriptor* const kTypes[] = {
      envoy::config::cluster::v3::Cluster::descriptor(),
      envoy::config::core::v3::TypedExtensionConfig::descriptor(),
      envoy::config::endpoint::v3::ClusterLoadAssignment::descriptor(),
      envoy::config::listener::v3::Listener::descriptor(),
      envoy::config::rbac::v3::RBAC::descriptor(),
      envoy::extensions::filters::listener::tls_inspector::v3::TlsInspector::descriptor(),
      envoy::extensions::filters::network::connection_limit::v3::ConnectionLimit::descriptor(),
      envoy::extensions::filters::network::rbac::v3::RBAC::descriptor(),
      envoy::extensions::filters::network::sni_cluster::v3::SniCluster::descriptor(),
      envoy::extensions::filters::network::tcp_proxy::v3::TcpProxy::descriptor(),
      envoy::extensions::transport_sockets::tls::v3::Secret::descriptor(),
      envoy::service::discovery::v3::DeltaDiscoveryRequest::descriptor(),
  };
  (void)kTypes;
}

}  // namespace meshgw::xds::internal
