#include "control/source/internal/entry_schemas.h"

#include <string>

#include "control/model/internal/cat.h"
#include "hcl/decode/decode.h"

// Two model types decode from HCL values in their own way. The specializations must be seen
// before any schema below uses them.
namespace meshgw::hcl::decode::decode_internal {

// IntentionAction: "allow" or "deny" (Consul's values are lower case).
template <>
struct ValueCodec<control::IntentionAction> {
  static std::string Name() { return "an action"; }
  static bool Decode(const Node& n, std::string_view attr, Env& env,
                     control::IntentionAction* out) {
    std::string s;
    if (!ToStringValue(n, attr, env, &s)) return false;
    if (s == "allow") {
      *out = control::IntentionAction::kAllow;
    } else if (s == "deny") {
      *out = control::IntentionAction::kDeny;
    } else {
      std::string suggestion = NameSuggestion(s, {"allow", "deny"});
      env.diags->AddError(
          "Invalid intention action",
          control::internal::Cat(attr, " must be \"allow\" or \"deny\", not ", QuoteName(s), ".",
                                 suggestion.empty() ? "" : " Did you mean ",
                                 suggestion.empty() ? "" : QuoteName(suggestion),
                                 suggestion.empty() ? "" : "?"),
          n.range);
      return false;
    }
    return true;
  }
};

// nlohmann::json: an opaque map (`Config`), kept as written; it must be an object.
template <>
struct ValueCodec<nlohmann::json> {
  static std::string Name() { return "an object"; }
  static bool Decode(const Node& n, std::string_view attr, Env& env, nlohmann::json* out) {
    Type::Kind k = n.value.is_known() ? n.value.type().kind() : Type::Kind::kDynamic;
    if (k != Type::Kind::kObject && k != Type::Kind::kMap) {
      ReportUnsuitable(n, attr, "an object is required", env);
      return false;
    }
    absl::StatusOr<std::string> text = n.value.ToJson();
    if (!text.ok()) {
      ReportUnsuitable(n, attr, std::string(text.status().message()), env);
      return false;
    }
    nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      ReportUnsuitable(n, attr, "it does not convert to JSON", env);
      return false;
    }
    *out = std::move(j);
    return true;
  }
};

}  // namespace meshgw::hcl::decode::decode_internal

namespace meshgw::control::source_internal {

namespace {

using hcl::decode::kRequired;
using hcl::decode::Schema;

template <typename T>
Schema<T> Consul() {
  return Schema<T>().ConsulKeys();
}

// Name, Partition, Namespace, Meta: on every entry (`Kind` was taken by the caller).
template <typename T>
Schema<T> EntrySchema(bool name_required = true) {
  return Consul<T>()
      .Attr("Name", &T::name, name_required ? kRequired : hcl::decode::kOptional)
      .Attr("Partition", &T::partition)
      .Attr("Namespace", &T::ns)
      .Attr("Meta", &T::meta);
}

// ---- exported-services ---------------------------------------------------------------------

const Schema<ExportedServices>& ExportedServicesSchema() {
  static const auto* s = [] {
    auto consumer = Consul<ExportedConsumer>()
                        .Attr("Peer", &ExportedConsumer::peer)
                        .Attr("Partition", &ExportedConsumer::partition)
                        .Attr("SamenessGroup", &ExportedConsumer::sameness_group);
    auto service = Consul<ExportedService>()
                       .Attr("Name", &ExportedService::name, kRequired)
                       .Attr("Namespace", &ExportedService::ns)
                       .Block("Consumers", &ExportedService::consumers, consumer);
    return new Schema<ExportedServices>(
        EntrySchema<ExportedServices>().Block("Services", &ExportedServices::services, service));
  }();
  return *s;
}

// ---- service-intentions --------------------------------------------------------------------

const Schema<ServiceIntentions>& ServiceIntentionsSchema() {
  static const auto* s = [] {
    auto header = Consul<IntentionHeaderMatch>()
                      .Attr("Name", &IntentionHeaderMatch::name, kRequired)
                      .Attr("Present", &IntentionHeaderMatch::present)
                      .Attr("Exact", &IntentionHeaderMatch::exact)
                      .Attr("Prefix", &IntentionHeaderMatch::prefix)
                      .Attr("Suffix", &IntentionHeaderMatch::suffix)
                      .Attr("Contains", &IntentionHeaderMatch::contains)
                      .Attr("Regex", &IntentionHeaderMatch::regex)
                      .Attr("Invert", &IntentionHeaderMatch::invert)
                      .Attr("IgnoreCase", &IntentionHeaderMatch::ignore_case);
    auto http = Consul<IntentionHttpMatch>()
                    .Attr("PathExact", &IntentionHttpMatch::path_exact)
                    .Attr("PathPrefix", &IntentionHttpMatch::path_prefix)
                    .Attr("PathRegex", &IntentionHttpMatch::path_regex)
                    .Block("Header", &IntentionHttpMatch::header, header)
                    .Attr("Methods", &IntentionHttpMatch::methods);
    auto permission = Consul<IntentionPermission>()
                          .Attr("Action", &IntentionPermission::action)
                          .Block("HTTP", &IntentionPermission::http, http);
    auto source = Consul<IntentionSource>()
                      .Attr("Name", &IntentionSource::name, kRequired)
                      .Attr("Namespace", &IntentionSource::ns)
                      .Attr("Partition", &IntentionSource::partition)
                      .Attr("Peer", &IntentionSource::peer)
                      .Attr("SamenessGroup", &IntentionSource::sameness_group)
                      .Attr("Action", &IntentionSource::action)
                      .Block("Permissions", &IntentionSource::permissions, permission)
                      .Attr("Precedence", &IntentionSource::precedence)
                      .Attr("Type", &IntentionSource::type)
                      .Attr("Description", &IntentionSource::description);
    return new Schema<ServiceIntentions>(
        EntrySchema<ServiceIntentions>().Block("Sources", &ServiceIntentions::sources, source));
  }();
  return *s;
}

// ---- sameness-group ------------------------------------------------------------------------

const Schema<SamenessGroup>& SamenessGroupSchema() {
  static const auto* s = [] {
    auto member = Consul<SamenessMember>()
                      .Attr("Partition", &SamenessMember::partition)
                      .Attr("Peer", &SamenessMember::peer);
    return new Schema<SamenessGroup>(
        EntrySchema<SamenessGroup>()
            .Attr("DefaultForFailover", &SamenessGroup::default_for_failover)
            .Attr("IncludeLocal", &SamenessGroup::include_local)
            .Block("Members", &SamenessGroup::members, member));
  }();
  return *s;
}

// ---- service-resolver ----------------------------------------------------------------------

const Schema<ServiceResolver>& ServiceResolverSchema() {
  static const auto* s = [] {
    auto subset = Consul<ResolverSubset>()
                      .Attr("Filter", &ResolverSubset::filter)
                      .Attr("OnlyPassing", &ResolverSubset::only_passing);
    auto redirect = Consul<ResolverRedirect>()
                        .Attr("Service", &ResolverRedirect::service)
                        .Attr("ServiceSubset", &ResolverRedirect::service_subset)
                        .Attr("Namespace", &ResolverRedirect::ns)
                        .Attr("Partition", &ResolverRedirect::partition)
                        .Attr("Datacenter", &ResolverRedirect::datacenter)
                        .Attr("Peer", &ResolverRedirect::peer)
                        .Attr("SamenessGroup", &ResolverRedirect::sameness_group);
    auto target = Consul<FailoverTarget>()
                      .Attr("Service", &FailoverTarget::service)
                      .Attr("ServiceSubset", &FailoverTarget::service_subset)
                      .Attr("Partition", &FailoverTarget::partition)
                      .Attr("Namespace", &FailoverTarget::ns)
                      .Attr("Datacenter", &FailoverTarget::datacenter)
                      .Attr("Peer", &FailoverTarget::peer);
    auto policy = Consul<FailoverPolicy>()
                      .Attr("Mode", &FailoverPolicy::mode)
                      .Attr("Regions", &FailoverPolicy::regions);
    auto failover = Consul<ResolverFailover>()
                        .Attr("Service", &ResolverFailover::service)
                        .Attr("ServiceSubset", &ResolverFailover::service_subset)
                        .Attr("Namespace", &ResolverFailover::ns)
                        .Attr("Datacenters", &ResolverFailover::datacenters)
                        .Block("Targets", &ResolverFailover::targets, target)
                        .Block("Policy", &ResolverFailover::policy, policy)
                        .Attr("SamenessGroup", &ResolverFailover::sameness_group);
    auto lb = Consul<ResolverLoadBalancer>()
                  .Attr("Policy", &ResolverLoadBalancer::policy)
                  .Block("RingHashConfig", &ResolverLoadBalancer::ring_hash_config,
                         Consul<RingHashConfig>()
                             .Attr("MinimumRingSize", &RingHashConfig::minimum_ring_size)
                             .Attr("MaximumRingSize", &RingHashConfig::maximum_ring_size))
                  .Block("LeastRequestConfig", &ResolverLoadBalancer::least_request_config,
                         Consul<LeastRequestConfig>().Attr("ChoiceCount",
                                                           &LeastRequestConfig::choice_count));
    return new Schema<ServiceResolver>(
        EntrySchema<ServiceResolver>()
            .Attr("ConnectTimeout", &ServiceResolver::connect_timeout)
            .Attr("RequestTimeout", &ServiceResolver::request_timeout)
            .Attr("DefaultSubset", &ServiceResolver::default_subset)
            .Block("Subsets", &ServiceResolver::subsets, subset)
            .Block("Redirect", &ServiceResolver::redirect, redirect)
            .Block("Failover", &ServiceResolver::failover, failover)
            .Block("LoadBalancer", &ServiceResolver::load_balancer, lb));
  }();
  return *s;
}

// ---- service-defaults, proxy-defaults ------------------------------------------------------

Schema<MeshGatewayConfig> MeshGatewaySchema() {
  return Consul<MeshGatewayConfig>().Attr("Mode", &MeshGatewayConfig::mode);
}

Schema<TransparentProxyConfig> TransparentProxySchema() {
  return Consul<TransparentProxyConfig>()
      .Attr("OutboundListenerPort", &TransparentProxyConfig::outbound_listener_port)
      .Attr("DialedDirectly", &TransparentProxyConfig::dialed_directly);
}

const Schema<ServiceDefaults>& ServiceDefaultsSchema() {
  static const auto* s = [] {
    auto destination = Consul<DestinationConfig>()
                           .Attr("Addresses", &DestinationConfig::addresses)
                           .Attr("Port", &DestinationConfig::port);
    auto limits = Consul<UpstreamLimits>()
                      .Attr("MaxConnections", &UpstreamLimits::max_connections)
                      .Attr("MaxPendingRequests", &UpstreamLimits::max_pending_requests)
                      .Attr("MaxConcurrentRequests", &UpstreamLimits::max_concurrent_requests);
    auto health =
        Consul<PassiveHealthCheck>()
            .Attr("Interval", &PassiveHealthCheck::interval)
            .Attr("MaxFailures", &PassiveHealthCheck::max_failures)
            .Attr("EnforcingConsecutive5xx", &PassiveHealthCheck::enforcing_consecutive_5xx)
            .Attr("MaxEjectionPercent", &PassiveHealthCheck::max_ejection_percent)
            .Attr("BaseEjectionTime", &PassiveHealthCheck::base_ejection_time);
    auto upstream =
        Consul<UpstreamConfig>()
            .Attr("Name", &UpstreamConfig::name)
            .Attr("Namespace", &UpstreamConfig::ns)
            .Attr("Partition", &UpstreamConfig::partition)
            .Attr("Peer", &UpstreamConfig::peer)
            .Attr("Protocol", &UpstreamConfig::protocol)
            .Attr("ConnectTimeoutMs", &UpstreamConfig::connect_timeout_ms)
            .Block("Limits", &UpstreamConfig::limits, limits)
            .Block("PassiveHealthCheck", &UpstreamConfig::passive_health_check, health)
            .Block("MeshGateway", &UpstreamConfig::mesh_gateway, MeshGatewaySchema())
            .Attr("BalanceOutboundConnections", &UpstreamConfig::balance_outbound_connections);
    auto upstreams = Consul<UpstreamConfiguration>()
                         .Block("Overrides", &UpstreamConfiguration::overrides, upstream)
                         .Block("Defaults", &UpstreamConfiguration::defaults, upstream);
    return new Schema<ServiceDefaults>(
        EntrySchema<ServiceDefaults>()
            .Attr("Protocol", &ServiceDefaults::protocol)
            .Attr("Mode", &ServiceDefaults::mode)
            .Attr("MutualTLSMode", &ServiceDefaults::mutual_tls_mode)
            .Block("TransparentProxy", &ServiceDefaults::transparent_proxy,
                   TransparentProxySchema())
            .Block("MeshGateway", &ServiceDefaults::mesh_gateway, MeshGatewaySchema())
            .Attr("ExternalSNI", &ServiceDefaults::external_sni)
            .Block("Destination", &ServiceDefaults::destination, destination)
            .Block("UpstreamConfig", &ServiceDefaults::upstream_config, upstreams)
            .Attr("MaxInboundConnections", &ServiceDefaults::max_inbound_connections)
            .Attr("LocalConnectTimeoutMs", &ServiceDefaults::local_connect_timeout_ms)
            .Attr("LocalRequestTimeoutMs", &ServiceDefaults::local_request_timeout_ms)
            .Attr("BalanceInboundConnections", &ServiceDefaults::balance_inbound_connections));
  }();
  return *s;
}

const Schema<ProxyDefaults>& ProxyDefaultsSchema() {
  static const auto* s = [] {
    auto logs = Consul<AccessLogsConfig>()
                    .Attr("Enabled", &AccessLogsConfig::enabled)
                    .Attr("DisableListenerLogs", &AccessLogsConfig::disable_listener_logs)
                    .Attr("Type", &AccessLogsConfig::type)
                    .Attr("Path", &AccessLogsConfig::path)
                    .Attr("JSONFormat", &AccessLogsConfig::json_format)
                    .Attr("TextFormat", &AccessLogsConfig::text_format);
    return new Schema<ProxyDefaults>(
        EntrySchema<ProxyDefaults>()
            .Attr("Config", &ProxyDefaults::config)
            .Attr("Mode", &ProxyDefaults::mode)
            .Block("TransparentProxy", &ProxyDefaults::transparent_proxy, TransparentProxySchema())
            .Attr("MutualTLSMode", &ProxyDefaults::mutual_tls_mode)
            .Block("MeshGateway", &ProxyDefaults::mesh_gateway, MeshGatewaySchema())
            .Block("AccessLogs", &ProxyDefaults::access_logs, logs));
  }();
  return *s;
}

// ---- mesh ----------------------------------------------------------------------------------

const Schema<Mesh>& MeshSchema() {
  static const auto* s = [] {
    auto directional = Consul<MeshDirectionalTls>()
                           .Attr("TLSMinVersion", &MeshDirectionalTls::tls_min_version)
                           .Attr("TLSMaxVersion", &MeshDirectionalTls::tls_max_version)
                           .Attr("CipherSuites", &MeshDirectionalTls::cipher_suites);
    auto tls = Consul<MeshTls>()
                   .Block("Incoming", &MeshTls::incoming, directional)
                   .Block("Outgoing", &MeshTls::outgoing, directional);
    return new Schema<Mesh>(
        EntrySchema<Mesh>(/*name_required=*/false)
            .Block("TransparentProxy", &Mesh::transparent_proxy,
                   Consul<MeshTransparentProxy>().Attr(
                       "MeshDestinationsOnly", &MeshTransparentProxy::mesh_destinations_only))
            .Attr("AllowEnablingPermissiveMutualTLS", &Mesh::allow_enabling_permissive_mutual_tls)
            .Attr("ValidateClusters", &Mesh::validate_clusters)
            .Block("TLS", &Mesh::tls, tls)
            .Block("HTTP", &Mesh::http,
                   Consul<MeshHttp>().Attr("SanitizeXForwardedClientCert",
                                           &MeshHttp::sanitize_x_forwarded_client_cert))
            .Block("Peering", &Mesh::peering,
                   Consul<MeshPeering>().Attr("PeerThroughMeshGateways",
                                              &MeshPeering::peer_through_mesh_gateways)));
  }();
  return *s;
}

// ---- api-gateway, http-route ---------------------------------------------------------------

const Schema<ApiGateway>& ApiGatewaySchema() {
  static const auto* s = [] {
    auto cert = Consul<GatewayCertificateRef>()
                    .Attr("Kind", &GatewayCertificateRef::kind)
                    .Attr("Name", &GatewayCertificateRef::name, kRequired)
                    .Attr("Namespace", &GatewayCertificateRef::ns)
                    .Attr("Partition", &GatewayCertificateRef::partition);
    auto tls = Consul<ApiGatewayTls>()
                   .Block("Certificates", &ApiGatewayTls::certificates, cert)
                   .Attr("MinVersion", &ApiGatewayTls::min_version)
                   .Attr("MaxVersion", &ApiGatewayTls::max_version)
                   .Attr("CipherSuites", &ApiGatewayTls::cipher_suites);
    auto listener = Consul<ApiGatewayListener>()
                        .Attr("Name", &ApiGatewayListener::name, kRequired)
                        .Attr("Hostname", &ApiGatewayListener::hostname)
                        .Attr("Port", &ApiGatewayListener::port, kRequired)
                        .Attr("Protocol", &ApiGatewayListener::protocol, kRequired)
                        .Block("TLS", &ApiGatewayListener::tls, tls);
    return new Schema<ApiGateway>(
        EntrySchema<ApiGateway>().Block("Listeners", &ApiGateway::listeners, listener));
  }();
  return *s;
}

const Schema<HttpRoute>& HttpRouteSchema() {
  static const auto* s = [] {
    auto parent = Consul<RouteParent>()
                      .Attr("Kind", &RouteParent::kind)
                      .Attr("Name", &RouteParent::name, kRequired)
                      .Attr("SectionName", &RouteParent::section_name)
                      .Attr("Namespace", &RouteParent::ns)
                      .Attr("Partition", &RouteParent::partition);
    auto path = Consul<HttpPathMatch>()
                    .Attr("Match", &HttpPathMatch::match)
                    .Attr("Value", &HttpPathMatch::value);
    auto value_match = Consul<HttpValueMatch>()
                           .Attr("Match", &HttpValueMatch::match)
                           .Attr("Name", &HttpValueMatch::name)
                           .Attr("Value", &HttpValueMatch::value);
    auto match = Consul<HttpMatch>()
                     .Block("Path", &HttpMatch::path, path)
                     .Block("Headers", &HttpMatch::headers, value_match)
                     .Attr("Method", &HttpMatch::method)
                     .Block("Query", &HttpMatch::query, value_match);
    auto service = Consul<HttpRouteService>()
                       .Attr("Name", &HttpRouteService::name, kRequired)
                       .Attr("Namespace", &HttpRouteService::ns)
                       .Attr("Partition", &HttpRouteService::partition)
                       .Attr("Weight", &HttpRouteService::weight);
    auto rule = Consul<HttpRouteRule>()
                    .Block("Matches", &HttpRouteRule::matches, match)
                    .Block("Services", &HttpRouteRule::services, service);
    return new Schema<HttpRoute>(EntrySchema<HttpRoute>()
                                     .Block("Parents", &HttpRoute::parents, parent)
                                     .Attr("Hostnames", &HttpRoute::hostnames)
                                     .Block("Rules", &HttpRoute::rules, rule));
  }();
  return *s;
}

// ---- service definitions -------------------------------------------------------------------

const Schema<ServiceFile>& ServiceFileSchema() {
  static const auto* s = [] {
    auto upstream = Consul<ServiceUpstream>()
                        .Attr("DestinationName", &ServiceUpstream::destination_name)
                        .Attr("DestinationNamespace", &ServiceUpstream::destination_namespace)
                        .Attr("DestinationPartition", &ServiceUpstream::destination_partition)
                        .Attr("DestinationPeer", &ServiceUpstream::destination_peer)
                        .Attr("DestinationType", &ServiceUpstream::destination_type)
                        .Attr("Datacenter", &ServiceUpstream::datacenter)
                        .Attr("LocalBindAddress", &ServiceUpstream::local_bind_address)
                        .Attr("LocalBindPort", &ServiceUpstream::local_bind_port)
                        .Block("MeshGateway", &ServiceUpstream::mesh_gateway, MeshGatewaySchema())
                        .Attr("Config", &ServiceUpstream::config);
    auto proxy = Consul<ServiceProxy>()
                     .Block("Upstreams", &ServiceProxy::upstreams, upstream)
                     .Attr("Config", &ServiceProxy::config)
                     .Block("MeshGateway", &ServiceProxy::mesh_gateway, MeshGatewaySchema())
                     .Attr("DestinationServiceName", &ServiceProxy::destination_service_name)
                     .Attr("LocalServiceAddress", &ServiceProxy::local_service_address)
                     .Attr("LocalServicePort", &ServiceProxy::local_service_port)
                     .Attr("Mode", &ServiceProxy::mode);
    auto sidecar = Consul<SidecarService>()
                       .Attr("Port", &SidecarService::port)
                       .Block("Proxy", &SidecarService::proxy, proxy);
    auto connect = Consul<ServiceConnect>()
                       .Attr("Native", &ServiceConnect::native)
                       .Block("SidecarService", &ServiceConnect::sidecar_service, sidecar);
    auto address = Consul<ServiceAddress>()
                       .Attr("Address", &ServiceAddress::address, kRequired)
                       .Attr("Port", &ServiceAddress::port);
    auto weights = Consul<ServiceWeights>()
                       .Attr("Passing", &ServiceWeights::passing)
                       .Attr("Warning", &ServiceWeights::warning);
    auto service = Consul<ServiceDefinition>()
                       .Attr("ID", &ServiceDefinition::id)
                       .Attr("Name", &ServiceDefinition::name, kRequired)
                       .Attr("Kind", &ServiceDefinition::kind)
                       .Attr("Tags", &ServiceDefinition::tags)
                       .Attr("Address", &ServiceDefinition::address)
                       .Attr("Port", &ServiceDefinition::port)
                       .Block("TaggedAddresses", &ServiceDefinition::tagged_addresses, address)
                       .Attr("Meta", &ServiceDefinition::meta)
                       .Block("Proxy", &ServiceDefinition::proxy, proxy)
                       .Block("Connect", &ServiceDefinition::connect, connect)
                       .Block("Weights", &ServiceDefinition::weights, weights)
                       .Attr("Checks", &ServiceDefinition::checks)
                       .Attr("EnableTagOverride", &ServiceDefinition::enable_tag_override)
                       .Attr("Namespace", &ServiceDefinition::ns)
                       .Attr("Partition", &ServiceDefinition::partition);
    return new Schema<ServiceFile>(Consul<ServiceFile>()
                                       .Block("service", &ServiceFile::service, service)
                                       .Block("services", &ServiceFile::services, service));
  }();
  return *s;
}

template <typename T>
ConfigEntry DecodeAs(const Schema<T>& schema, const hcl::SyntaxBody& body,
                     hcl::Diagnostics* diags) {
  T out{};
  hcl::decode::Decode(body, schema, nullptr, &out, diags);
  return out;
}

}  // namespace

ConfigEntry DecodeConfigEntry(ConfigEntryKind kind, const hcl::SyntaxBody& body,
                              hcl::Diagnostics* diags) {
  switch (kind) {
    case ConfigEntryKind::kExportedServices:
      return DecodeAs(ExportedServicesSchema(), body, diags);
    case ConfigEntryKind::kServiceIntentions:
      return DecodeAs(ServiceIntentionsSchema(), body, diags);
    case ConfigEntryKind::kSamenessGroup:
      return DecodeAs(SamenessGroupSchema(), body, diags);
    case ConfigEntryKind::kServiceResolver:
      return DecodeAs(ServiceResolverSchema(), body, diags);
    case ConfigEntryKind::kServiceDefaults:
      return DecodeAs(ServiceDefaultsSchema(), body, diags);
    case ConfigEntryKind::kProxyDefaults:
      return DecodeAs(ProxyDefaultsSchema(), body, diags);
    case ConfigEntryKind::kMesh:
      return DecodeAs(MeshSchema(), body, diags);
    case ConfigEntryKind::kApiGateway:
      return DecodeAs(ApiGatewaySchema(), body, diags);
    case ConfigEntryKind::kHttpRoute:
      return DecodeAs(HttpRouteSchema(), body, diags);
  }
  return Mesh{};
}

ServiceFile DecodeServiceFile(const hcl::SyntaxBody& body, hcl::Diagnostics* diags) {
  ServiceFile out;
  hcl::decode::Decode(body, ServiceFileSchema(), nullptr, &out, diags);
  return out;
}

}  // namespace meshgw::control::source_internal
