// The bootstrap file's schema, declared once next to bootstrap_schema.h's structs.
#include "gateway/config/bootstrap_schema.h"

namespace meshgw::gateway::config::bootstrap_internal {

using hcl::decode::kRequired;
using hcl::decode::Schema;

const Schema<RawBootstrap>& BootstrapSchema() {
  static const Schema<RawBootstrap>* const kSchema = [] {
    const auto node = Schema<RawNode>()
                          .Attr("id", &RawNode::id, kRequired)
                          .Attr("cluster", &RawNode::cluster)
                          .Attr("datacenter", &RawNode::datacenter);
    const auto xds_tls = Schema<RawXdsTls>()
                             .Attr("ca_file", &RawXdsTls::ca_file)
                             .Attr("cert_file", &RawXdsTls::cert_file)
                             .Attr("key_file", &RawXdsTls::key_file)
                             .Attr("server_name", &RawXdsTls::server_name);
    const auto xds = Schema<RawXds>()
                         .Attr("address", &RawXds::address, kRequired)
                         .Attr("token", &RawXds::token)
                         .Attr("token_file", &RawXds::token_file)
                         .Block("tls", &RawXds::tls, xds_tls);
    const auto address = Schema<RawAddress>().Attr("address", &RawAddress::address);
    const auto limits = Schema<RawLimits>()
                            .Attr("max_connections", &RawLimits::max_connections)
                            .Attr("max_hello_size", &RawLimits::max_hello_size)
                            .Attr("buffer_size", &RawLimits::buffer_size);
    const auto timeouts = Schema<RawTimeouts>()
                              .Attr("hello", &RawTimeouts::hello)
                              .Attr("connect", &RawTimeouts::connect)
                              .Attr("idle", &RawTimeouts::idle)
                              .Attr("drain", &RawTimeouts::drain);
    const auto log = Schema<RawLog>()
                         .Attr("level", &RawLog::level)
                         .Attr("json", &RawLog::json)
                         .Attr("access_log", &RawLog::access_log);

    const auto secret = Schema<RawSecret>()
                            .Label("name", &RawSecret::name)
                            .Attr("certificate_chain", &RawSecret::certificate_chain)
                            .Attr("certificate_chain_file", &RawSecret::certificate_chain_file)
                            .Attr("private_key", &RawSecret::private_key)
                            .Attr("private_key_file", &RawSecret::private_key_file)
                            .Attr("trusted_ca", &RawSecret::trusted_ca)
                            .Attr("trusted_ca_file", &RawSecret::trusted_ca_file);
    const auto policy = Schema<RawPolicy>()
                            .Label("name", &RawPolicy::name)
                            .Attr("principals", &RawPolicy::principals)
                            .Attr("principal_regex", &RawPolicy::principal_regex);
    const auto rbac = Schema<RawRbac>()
                          .Attr("action", &RawRbac::action)
                          .Block("policy", &RawRbac::policies, policy);
    const auto downstream_tls =
        Schema<RawDownstreamTls>()
            .Attr("certificate", &RawDownstreamTls::certificate, kRequired)
            .Attr("trust", &RawDownstreamTls::trust)
            .Attr("require_client_certificate", &RawDownstreamTls::require_client_certificate)
            .Attr("match_san", &RawDownstreamTls::match_san)
            .Attr("min_version", &RawDownstreamTls::min_version)
            .Attr("max_version", &RawDownstreamTls::max_version)
            .Attr("cipher_suites", &RawDownstreamTls::cipher_suites)
            .Attr("alpn", &RawDownstreamTls::alpn);
    const auto tcp_proxy = Schema<RawTcpProxy>()
                               .Attr("cluster", &RawTcpProxy::cluster)
                               .Attr("idle_timeout", &RawTcpProxy::idle_timeout)
                               .Attr("max_connect_attempts", &RawTcpProxy::max_connect_attempts);
    const auto chain = Schema<RawChain>()
                           .Label("name", &RawChain::name)
                           .Attr("server_names", &RawChain::server_names)
                           .Attr("transport_protocol", &RawChain::transport_protocol)
                           .Attr("alpn", &RawChain::alpn)
                           .Block("tls", &RawChain::tls, downstream_tls)
                           .Block("rbac", &RawChain::rbac, rbac)
                           .Attr("connection_limit", &RawChain::connection_limit)
                           .Attr("sni_cluster", &RawChain::sni_cluster)
                           .Block("tcp_proxy", &RawChain::tcp_proxy, tcp_proxy, kRequired);
    const auto listener = Schema<RawListener>()
                              .Label("name", &RawListener::name)
                              .Attr("address", &RawListener::address, kRequired)
                              .Attr("tls_inspector", &RawListener::tls_inspector)
                              .Attr("hello_timeout", &RawListener::hello_timeout)
                              .Block("filter_chain", &RawListener::chains, chain);
    const auto outlier = Schema<RawOutlier>()
                             .Attr("consecutive_failures", &RawOutlier::consecutive_failures)
                             .Attr("interval", &RawOutlier::interval)
                             .Attr("base_ejection_time", &RawOutlier::base_ejection_time)
                             .Attr("max_ejection_time", &RawOutlier::max_ejection_time)
                             .Attr("max_ejection_percent", &RawOutlier::max_ejection_percent);
    const auto upstream_tls = Schema<RawUpstreamTls>()
                                  .Attr("certificate", &RawUpstreamTls::certificate)
                                  .Attr("trust", &RawUpstreamTls::trust)
                                  .Attr("sni", &RawUpstreamTls::sni)
                                  .Attr("match_san", &RawUpstreamTls::match_san)
                                  .Attr("min_version", &RawUpstreamTls::min_version)
                                  .Attr("max_version", &RawUpstreamTls::max_version)
                                  .Attr("cipher_suites", &RawUpstreamTls::cipher_suites)
                                  .Attr("alpn", &RawUpstreamTls::alpn);
    const auto endpoint = Schema<RawEndpoint>()
                              .Attr("address", &RawEndpoint::address, kRequired)
                              .Attr("priority", &RawEndpoint::priority)
                              .Attr("health", &RawEndpoint::health)
                              .Attr("weight", &RawEndpoint::weight);
    const auto cluster = Schema<RawCluster>()
                             .Label("name", &RawCluster::name)
                             .Attr("connect_timeout", &RawCluster::connect_timeout)
                             .Attr("lb_policy", &RawCluster::lb_policy)
                             .Attr("max_connections", &RawCluster::max_connections)
                             .Block("outlier_detection", &RawCluster::outlier_detection, outlier)
                             .Block("tls", &RawCluster::tls, upstream_tls)
                             .Block("endpoint", &RawCluster::endpoints, endpoint);
    const auto static_section = Schema<RawStatic>()
                                    .Block("secret", &RawStatic::secrets, secret)
                                    .Block("listener", &RawStatic::listeners, listener)
                                    .Block("cluster", &RawStatic::clusters, cluster);
    return new Schema<RawBootstrap>(
        Schema<RawBootstrap>()
            .Block("node", &RawBootstrap::node, node, kRequired)
            .Block("xds", &RawBootstrap::xds, xds)
            .Block("admin", &RawBootstrap::admin, address)
            .Block("metrics", &RawBootstrap::metrics, address)
            .Attr("workers", &RawBootstrap::workers)
            .Block("limits", &RawBootstrap::limits, limits)
            .Block("timeouts", &RawBootstrap::timeouts, timeouts)
            .Block("log", &RawBootstrap::log, log)
            .Block("static", &RawBootstrap::static_section, static_section));
  }();
  return *kSchema;
}

}  // namespace meshgw::gateway::config::bootstrap_internal
