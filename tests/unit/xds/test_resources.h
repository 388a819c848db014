// Small builders of xDS resources for the xds tests (unit and integration).
#ifndef MESHGW_TESTS_UNIT_XDS_TEST_RESOURCES_H_
#define MESHGW_TESTS_UNIT_XDS_TEST_RESOURCES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.pb.h"
#include "envoy/extensions/filters/network/sni_cluster/v3/sni_cluster.pb.h"
#include "envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"
#include "xds/resource.h"

namespace meshgw::xds::testing {

inline envoy::config::cluster::v3::Cluster EdsCluster(const std::string& name,
                                                      int connect_timeout_s = 5) {
  envoy::config::cluster::v3::Cluster cluster;
  cluster.set_name(name);
  cluster.set_type(envoy::config::cluster::v3::Cluster::EDS);
  cluster.mutable_eds_cluster_config()->mutable_eds_config()->mutable_ads();
  cluster.mutable_eds_cluster_config()->mutable_eds_config()->set_resource_api_version(
      envoy::config::core::v3::V3);
  cluster.mutable_connect_timeout()->set_seconds(connect_timeout_s);
  cluster.mutable_outlier_detection();
  return cluster;
}

inline envoy::config::endpoint::v3::ClusterLoadAssignment Endpoints(const std::string& cluster_name,
                                                                    int count,
                                                                    uint32_t port = 8443) {
  envoy::config::endpoint::v3::ClusterLoadAssignment cla;
  cla.set_cluster_name(cluster_name);
  auto* locality = cla.add_endpoints();
  for (int i = 0; i < count; ++i) {
    auto* lb = locality->add_lb_endpoints();
    auto* socket = lb->mutable_endpoint()->mutable_address()->mutable_socket_address();
    socket->set_address("10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1));
    socket->set_port_value(port);
    lb->set_health_status(envoy::config::core::v3::HEALTHY);
  }
  return cla;
}

inline envoy::config::listener::v3::Listener SniListener(const std::string& name,
                                                         const std::vector<std::string>& clusters) {
  namespace net = envoy::extensions::filters::network;
  envoy::config::listener::v3::Listener listener;
  listener.set_name(name);
  auto* socket = listener.mutable_address()->mutable_socket_address();
  socket->set_address("0.0.0.0");
  socket->set_port_value(8443);
  auto* inspector = listener.add_listener_filters();
  inspector->set_name("envoy.filters.listener.tls_inspector");
  inspector->mutable_typed_config()->PackFrom(
      envoy::extensions::filters::listener::tls_inspector::v3::TlsInspector());
  for (const std::string& cluster : clusters) {
    auto* chain = listener.add_filter_chains();
    chain->mutable_filter_chain_match()->add_server_names(cluster);
    auto* filter = chain->add_filters();
    filter->set_name("envoy.filters.network.tcp_proxy");
    net::tcp_proxy::v3::TcpProxy proxy;
    proxy.set_stat_prefix("mesh_gateway_local_peered." + cluster);
    proxy.set_cluster(cluster);
    filter->mutable_typed_config()->PackFrom(proxy);
  }
  auto* catch_all = listener.add_filter_chains();
  auto* sni = catch_all->add_filters();
  sni->set_name("envoy.filters.network.sni_cluster");
  sni->mutable_typed_config()->PackFrom(net::sni_cluster::v3::SniCluster());
  auto* tcp = catch_all->add_filters();
  tcp->set_name("envoy.filters.network.tcp_proxy");
  net::tcp_proxy::v3::TcpProxy proxy;
  proxy.set_stat_prefix("mesh_gateway_local.default");
  tcp->mutable_typed_config()->PackFrom(proxy);
  return listener;
}

inline envoy::extensions::transport_sockets::tls::v3::Secret RootsSecret(const std::string& name,
                                                                         const std::string& pem) {
  envoy::extensions::transport_sockets::tls::v3::Secret secret;
  secret.set_name(name);
  secret.mutable_validation_context()->mutable_trusted_ca()->set_inline_string(pem);
  return secret;
}

// A snapshot of `n` EDS clusters "svc-<i>" with `endpoints` endpoints each, one listener routing
// to all of them, and one secret.
inline std::shared_ptr<ResourceSnapshot> MeshSnapshot(int n, int endpoints = 2) {
  auto snapshot = std::make_shared<ResourceSnapshot>();
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) {
    std::string name = "svc-" + std::to_string(i) + ".default.dc1.internal.test.consul";
    names.push_back(name);
    (void)snapshot->Add(EdsCluster(name));
    (void)snapshot->Add(Endpoints(name, endpoints));
  }
  (void)snapshot->Add(SniListener("default:0.0.0.0:8443", names));
  (void)snapshot->Add(RootsSecret("roots", "-----BEGIN CERTIFICATE-----\nMIIB\n"));
  return snapshot;
}

}  // namespace meshgw::xds::testing

#endif  // MESHGW_TESTS_UNIT_XDS_TEST_RESOURCES_H_
