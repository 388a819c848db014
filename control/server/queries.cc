#include "control/server/queries.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <optional>
#include <set>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/core/v3/core.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/extensions/filters/network/rbac/v3/rbac.pb.h"
#include "envoy/extensions/filters/network/sni_cluster/v3/sni_cluster.pb.h"
#include "envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"

namespace meshgw::control {
namespace {

using json = nlohmann::json;
namespace cluster_pb = envoy::config::cluster::v3;
namespace core_pb = envoy::config::core::v3;
namespace endpoint_pb = envoy::config::endpoint::v3;
namespace listener_pb = envoy::config::listener::v3;
namespace net_pb = envoy::extensions::filters::network;
namespace tls_pb = envoy::extensions::transport_sockets::tls::v3;

std::string_view HealthName(InstanceHealth h) {
  switch (h) {
    case InstanceHealth::kPassing:
      return "passing";
    case InstanceHealth::kWarning:
      return "warning";
    case InstanceHealth::kCritical:
      return "critical";
    case InstanceHealth::kMaintenance:
      return "maintenance";
  }
  return "critical";
}

const Peering* FindPeering(const PeeringSet* peerings, std::string_view name) {
  if (peerings == nullptr) return nullptr;
  auto it = peerings->find(name);
  return it == peerings->end() ? nullptr : &it->second;
}

absl::Status UnknownPeer(absl::string_view peer) {
  return absl::NotFoundError(
      absl::StrCat("no peering named \"", peer, "\" (see `meshgw-control peering list`)"));
}

json AddressJson(const ServiceAddress& a) { return json{{"Address", a.address}, {"Port", a.port}}; }

// Protobuf JSON of a message, parsed; the types packed in Any fields must be linked in (the
// headers above are, and ProxyConfigJson touches their default instances).
json MessageJson(const google::protobuf::Message& message) {
  std::string text;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  auto status = google::protobuf::util::MessageToJsonString(message, &text, options);
  if (!status.ok()) {
    return json{{"error", absl::StrCat("cannot print as JSON: ", status.ToString())}};
  }
  return json::parse(text, nullptr, /*allow_exceptions=*/false);
}

void LinkResourceTypes() {
  // Makes sure the descriptors of every type packed in an Any are in the generated pool.
  (void)net_pb::tcp_proxy::v3::TcpProxy::default_instance();
  (void)net_pb::sni_cluster::v3::SniCluster::default_instance();
  (void)net_pb::rbac::v3::RBAC::default_instance();
  (void)tls_pb::DownstreamTlsContext::default_instance();
  (void)tls_pb::UpstreamTlsContext::default_instance();
  (void)tls_pb::Secret::default_instance();
}

// ---- intentions ----------------------------------------------------------------------------

bool SamenessGroupHas(const Model& model, const std::string& group, const std::string& peer) {
  std::shared_ptr<const SamenessGroup> g = model.Get<SamenessGroup>(group);
  if (g == nullptr) return false;
  if (peer.empty() && g->include_local) return true;
  for (const SamenessMember& m : g->members) {
    if (peer.empty()
            ? (m.peer.empty() && (m.partition.empty() || m.partition == model.local().partition))
            : m.peer == peer) {
      return true;
    }
  }
  return false;
}

bool SourceMatches(const Model& model, const IntentionSource& s, const IntentionQuery& q) {
  if (s.name != "*" && s.name != q.source) return false;
  if (!s.sameness_group.empty()) return SamenessGroupHas(model, s.sameness_group, q.source_peer);
  if (s.peer != q.source_peer) return false;
  if (q.source_peer.empty() && !s.partition.empty() && s.partition != model.local().partition) {
    return false;
  }
  return true;
}

std::string DescribeSource(const IntentionSource& s) {
  std::string out = s.name;
  if (!s.peer.empty()) absl::StrAppend(&out, " from peer ", s.peer);
  if (!s.sameness_group.empty()) absl::StrAppend(&out, " in sameness group ", s.sameness_group);
  if (!s.partition.empty()) absl::StrAppend(&out, " of partition ", s.partition);
  return out;
}

// ---- config entries as Consul's JSON -------------------------------------------------------

void Set(json& j, const char* key, const std::string& v) {
  if (!v.empty()) j[key] = v;
}
void Set(json& j, const char* key, bool v) {
  if (v) j[key] = v;
}
void Set(json& j, const char* key, int v) {
  if (v != 0) j[key] = v;
}
void Set(json& j, const char* key, const std::vector<std::string>& v) {
  if (!v.empty()) j[key] = v;
}
void Set(json& j, const char* key, const std::map<std::string, std::string>& v) {
  if (!v.empty()) j[key] = v;
}
void Set(json& j, const char* key, absl::Duration d) {
  if (d != absl::ZeroDuration()) j[key] = absl::FormatDuration(d);
}
void SetMeshGateway(json& j, const MeshGatewayConfig& m) {
  if (!m.mode.empty()) j["MeshGateway"] = json{{"Mode", m.mode}};
}

template <typename E>
json Header(const E& e) {
  json j;
  j["Kind"] = std::string(ConfigEntryKindName(E::kKind));
  j["Name"] = e.name;
  Set(j, "Partition", e.partition);
  Set(j, "Namespace", e.ns);
  Set(j, "Meta", e.meta);
  return j;
}

json EntryBody(const ExportedServices& e) {
  json j = Header(e);
  json services = json::array();
  for (const ExportedService& s : e.services) {
    json sj{{"Name", s.name}};
    Set(sj, "Namespace", s.ns);
    json consumers = json::array();
    for (const ExportedConsumer& c : s.consumers) {
      json cj = json::object();
      Set(cj, "Peer", c.peer);
      Set(cj, "Partition", c.partition);
      Set(cj, "SamenessGroup", c.sameness_group);
      consumers.push_back(cj);
    }
    sj["Consumers"] = consumers;
    services.push_back(sj);
  }
  j["Services"] = services;
  return j;
}

json HttpMatchJson(const IntentionHttpMatch& h) {
  json j = json::object();
  Set(j, "PathExact", h.path_exact);
  Set(j, "PathPrefix", h.path_prefix);
  Set(j, "PathRegex", h.path_regex);
  Set(j, "Methods", h.methods);
  if (!h.header.empty()) {
    json headers = json::array();
    for (const IntentionHeaderMatch& m : h.header) {
      json mj{{"Name", m.name}};
      Set(mj, "Present", m.present);
      Set(mj, "Exact", m.exact);
      Set(mj, "Prefix", m.prefix);
      Set(mj, "Suffix", m.suffix);
      Set(mj, "Contains", m.contains);
      Set(mj, "Regex", m.regex);
      Set(mj, "Invert", m.invert);
      Set(mj, "IgnoreCase", m.ignore_case);
      headers.push_back(mj);
    }
    j["Header"] = headers;
  }
  return j;
}

json EntryBody(const ServiceIntentions& e) {
  json j = Header(e);
  json sources = json::array();
  for (const IntentionSource& s : e.sources) {
    json sj{{"Name", s.name}};
    Set(sj, "Namespace", s.ns);
    Set(sj, "Partition", s.partition);
    Set(sj, "Peer", s.peer);
    Set(sj, "SamenessGroup", s.sameness_group);
    if (s.action != IntentionAction::kUnset) {
      sj["Action"] = std::string(IntentionActionName(s.action));
    }
    if (!s.permissions.empty()) {
      json perms = json::array();
      for (const IntentionPermission& p : s.permissions) {
        json pj{{"Action", std::string(IntentionActionName(p.action))}};
        if (p.http.has_value()) pj["HTTP"] = HttpMatchJson(*p.http);
        perms.push_back(pj);
      }
      sj["Permissions"] = perms;
    }
    sj["Precedence"] = s.precedence;
    Set(sj, "Type", s.type);
    Set(sj, "Description", s.description);
    sources.push_back(sj);
  }
  j["Sources"] = sources;
  return j;
}

json EntryBody(const SamenessGroup& e) {
  json j = Header(e);
  Set(j, "DefaultForFailover", e.default_for_failover);
  Set(j, "IncludeLocal", e.include_local);
  json members = json::array();
  for (const SamenessMember& m : e.members) {
    json mj = json::object();
    Set(mj, "Partition", m.partition);
    Set(mj, "Peer", m.peer);
    members.push_back(mj);
  }
  j["Members"] = members;
  return j;
}

json EntryBody(const ServiceResolver& e) {
  json j = Header(e);
  Set(j, "ConnectTimeout", e.connect_timeout);
  Set(j, "RequestTimeout", e.request_timeout);
  Set(j, "DefaultSubset", e.default_subset);
  if (!e.subsets.empty()) {
    json subsets = json::object();
    for (const auto& [name, s] : e.subsets) {
      json sj = json::object();
      Set(sj, "Filter", s.filter);
      Set(sj, "OnlyPassing", s.only_passing);
      subsets[name] = sj;
    }
    j["Subsets"] = subsets;
  }
  if (e.redirect.has_value()) {
    json r = json::object();
    Set(r, "Service", e.redirect->service);
    Set(r, "ServiceSubset", e.redirect->service_subset);
    Set(r, "Namespace", e.redirect->ns);
    Set(r, "Partition", e.redirect->partition);
    Set(r, "Datacenter", e.redirect->datacenter);
    Set(r, "Peer", e.redirect->peer);
    Set(r, "SamenessGroup", e.redirect->sameness_group);
    j["Redirect"] = r;
  }
  if (!e.failover.empty()) {
    json failover = json::object();
    for (const auto& [key, f] : e.failover) {
      json fj = json::object();
      Set(fj, "Service", f.service);
      Set(fj, "ServiceSubset", f.service_subset);
      Set(fj, "Namespace", f.ns);
      Set(fj, "Datacenters", f.datacenters);
      Set(fj, "SamenessGroup", f.sameness_group);
      if (!f.targets.empty()) {
        json targets = json::array();
        for (const FailoverTarget& t : f.targets) {
          json tj = json::object();
          Set(tj, "Service", t.service);
          Set(tj, "ServiceSubset", t.service_subset);
          Set(tj, "Partition", t.partition);
          Set(tj, "Namespace", t.ns);
          Set(tj, "Datacenter", t.datacenter);
          Set(tj, "Peer", t.peer);
          targets.push_back(tj);
        }
        fj["Targets"] = targets;
      }
      if (f.policy.has_value()) {
        json pj = json::object();
        Set(pj, "Mode", f.policy->mode);
        Set(pj, "Regions", f.policy->regions);
        fj["Policy"] = pj;
      }
      failover[key] = fj;
    }
    j["Failover"] = failover;
  }
  if (e.load_balancer.has_value()) {
    json lb = json::object();
    Set(lb, "Policy", e.load_balancer->policy);
    j["LoadBalancer"] = lb;
  }
  return j;
}

json EntryBody(const ServiceDefaults& e) {
  json j = Header(e);
  Set(j, "Protocol", e.protocol);
  Set(j, "Mode", e.mode);
  Set(j, "MutualTLSMode", e.mutual_tls_mode);
  SetMeshGateway(j, e.mesh_gateway);
  Set(j, "ExternalSNI", e.external_sni);
  if (e.destination.has_value()) {
    j["Destination"] = json{{"Addresses", e.destination->addresses}, {"Port", e.destination->port}};
  }
  Set(j, "MaxInboundConnections", e.max_inbound_connections);
  Set(j, "LocalConnectTimeoutMs", e.local_connect_timeout_ms);
  Set(j, "LocalRequestTimeoutMs", e.local_request_timeout_ms);
  Set(j, "BalanceInboundConnections", e.balance_inbound_connections);
  return j;
}

json EntryBody(const ProxyDefaults& e) {
  json j = Header(e);
  if (!e.config.empty()) j["Config"] = e.config;
  Set(j, "Mode", e.mode);
  Set(j, "MutualTLSMode", e.mutual_tls_mode);
  SetMeshGateway(j, e.mesh_gateway);
  if (e.access_logs.has_value()) {
    json a = json::object();
    Set(a, "Enabled", e.access_logs->enabled);
    Set(a, "DisableListenerLogs", e.access_logs->disable_listener_logs);
    Set(a, "Type", e.access_logs->type);
    Set(a, "Path", e.access_logs->path);
    Set(a, "JSONFormat", e.access_logs->json_format);
    Set(a, "TextFormat", e.access_logs->text_format);
    j["AccessLogs"] = a;
  }
  return j;
}

json DirectionalTlsJson(const MeshDirectionalTls& t) {
  json j = json::object();
  Set(j, "TLSMinVersion", t.tls_min_version);
  Set(j, "TLSMaxVersion", t.tls_max_version);
  Set(j, "CipherSuites", t.cipher_suites);
  return j;
}

json EntryBody(const Mesh& e) {
  json j = Header(e);
  if (e.transparent_proxy.mesh_destinations_only) {
    j["TransparentProxy"] = json{{"MeshDestinationsOnly", true}};
  }
  Set(j, "AllowEnablingPermissiveMutualTLS", e.allow_enabling_permissive_mutual_tls);
  Set(j, "ValidateClusters", e.validate_clusters);
  if (e.tls.has_value()) {
    json t = json::object();
    if (e.tls->incoming.has_value()) t["Incoming"] = DirectionalTlsJson(*e.tls->incoming);
    if (e.tls->outgoing.has_value()) t["Outgoing"] = DirectionalTlsJson(*e.tls->outgoing);
    j["TLS"] = t;
  }
  if (e.http.sanitize_x_forwarded_client_cert) {
    j["HTTP"] = json{{"SanitizeXForwardedClientCert", true}};
  }
  j["Peering"] = json{{"PeerThroughMeshGateways", e.peering.peer_through_mesh_gateways}};
  return j;
}

json EntryBody(const ApiGateway& e) {
  json j = Header(e);
  json listeners = json::array();
  for (const ApiGatewayListener& l : e.listeners) {
    json lj{{"Name", l.name}, {"Port", l.port}, {"Protocol", l.protocol}};
    Set(lj, "Hostname", l.hostname);
    if (l.tls.has_value()) {
      json certs = json::array();
      for (const GatewayCertificateRef& c : l.tls->certificates) {
        json cj{{"Kind", c.kind}, {"Name", c.name}};
        certs.push_back(cj);
      }
      json tj{{"Certificates", certs}};
      Set(tj, "MinVersion", l.tls->min_version);
      Set(tj, "MaxVersion", l.tls->max_version);
      Set(tj, "CipherSuites", l.tls->cipher_suites);
      lj["TLS"] = tj;
    }
    listeners.push_back(lj);
  }
  j["Listeners"] = listeners;
  return j;
}

json EntryBody(const HttpRoute& e) {
  json j = Header(e);
  json parents = json::array();
  for (const RouteParent& p : e.parents) {
    json pj{{"Kind", p.kind}, {"Name", p.name}};
    Set(pj, "SectionName", p.section_name);
    parents.push_back(pj);
  }
  j["Parents"] = parents;
  Set(j, "Hostnames", e.hostnames);
  json rules = json::array();
  for (const HttpRouteRule& r : e.rules) {
    json matches = json::array();
    for (const HttpMatch& m : r.matches) {
      json mj = json::object();
      if (m.path.has_value()) mj["Path"] = json{{"Match", m.path->match}, {"Value", m.path->value}};
      Set(mj, "Method", m.method);
      for (const auto& [key, list] : {std::pair{"Headers", &m.headers}, {"Query", &m.query}}) {
        if (list->empty()) continue;
        json arr = json::array();
        for (const HttpValueMatch& v : *list) {
          arr.push_back(json{{"Match", v.match}, {"Name", v.name}, {"Value", v.value}});
        }
        mj[key] = arr;
      }
      matches.push_back(mj);
    }
    json services = json::array();
    for (const HttpRouteService& s : r.services) {
      json sj{{"Name", s.name}};
      Set(sj, "Weight", s.weight);
      services.push_back(sj);
    }
    json rj = json::object();
    if (!matches.empty()) rj["Matches"] = matches;
    rj["Services"] = services;
    rules.push_back(rj);
  }
  j["Rules"] = rules;
  return j;
}

// ---- SNI -----------------------------------------------------------------------------------

struct ParsedSni {
  std::string form;  // "peered-service", "local-service", "peering-server", "unknown"
  std::string service, ns, partition, peer, datacenter, trust_domain;
};

ParsedSni ParseSni(absl::string_view sni) {
  ParsedSni p;
  p.form = "unknown";
  auto split_at = [&](absl::string_view marker, std::vector<std::string>* head) -> bool {
    size_t at = sni.find(marker);
    if (at == absl::string_view::npos) return false;
    *head = absl::StrSplit(sni.substr(0, at), '.');
    p.trust_domain = std::string(sni.substr(at + marker.size()));
    return true;
  };
  std::vector<std::string> head;
  if (split_at(".peering.", &head) && head.size() == 2 && head[0] == "server") {
    p.form = "peering-server";
    p.datacenter = head[1];
  } else if (split_at(".external.", &head) && head.size() == 4) {
    p.form = "peered-service";
    p.service = head[0];
    p.ns = head[1];
    p.partition = head[2];
    p.peer = head[3];
  } else if (split_at(".internal.", &head) && (head.size() == 3 || head.size() == 4)) {
    // <svc>.<ns>.<dc>.internal.<td>, or <subset>.<svc>.<ns>.<dc>.internal.<td>
    const size_t o = head.size() - 3;
    p.form = "local-service";
    p.service = head[o];
    p.ns = head[o + 1];
    p.datacenter = head[o + 2];
  } else {
    p.trust_domain.clear();
  }
  return p;
}

// Envoy's server_names rule: an exact name, or "*.suffix" matching a longer name.
int NameMatch(const std::string& pattern, absl::string_view sni) {
  if (pattern == sni) return 3;
  if (absl::StartsWith(pattern, "*.") && sni.size() > pattern.size() - 1 &&
      absl::EndsWith(sni, absl::string_view(pattern).substr(1))) {
    return 2;
  }
  return 0;
}

std::string_view HealthStatusName(int h) {
  switch (h) {
    case 1:
      return "HEALTHY";
    case 2:
      return "UNHEALTHY";
    case 3:
      return "DRAINING";
    case 4:
      return "TIMEOUT";
    case 5:
      return "DEGRADED";
  }
  return "UNKNOWN";
}

json EndpointsJson(const xds::ResourceSnapshot& snapshot, const std::string& cluster) {
  json out = json::array();
  const xds::Resource* r = snapshot.Find(xds::kEndpointType, cluster);
  if (r == nullptr) return out;
  endpoint_pb::ClusterLoadAssignment cla;
  if (!r->UnpackTo(&cla)) return out;
  for (const auto& locality : cla.endpoints()) {
    for (const auto& lb : locality.lb_endpoints()) {
      const auto& sa = lb.endpoint().address().socket_address();
      json e{{"address", absl::StrCat(sa.address(), ":", sa.port_value())},
             {"priority", locality.priority()},
             {"health", std::string(HealthStatusName(lb.health_status()))}};
      if (lb.has_metadata()) {
        auto it = lb.metadata().filter_metadata().find("envoy.transport_socket_match");
        if (it != lb.metadata().filter_metadata().end()) {
          e["transport_socket_match"] = MessageJson(it->second);
        }
      }
      out.push_back(e);
    }
  }
  return out;
}

json ClusterJson(const xds::ResourceSnapshot& snapshot, const std::string& name) {
  json c{{"name", name}};
  const xds::Resource* r = snapshot.Find(xds::kClusterType, name);
  if (r == nullptr) {
    c["missing"] = true;
    return c;
  }
  cluster_pb::Cluster cluster;
  // An EDS cluster's assignment is named by eds_cluster_config.service_name when set (an
  // exported service's cluster shares its local cluster's), else by the cluster's name.
  std::string assignment = name;
  if (r->UnpackTo(&cluster)) {
    if (!cluster.eds_cluster_config().service_name().empty()) {
      assignment = cluster.eds_cluster_config().service_name();
    }
    if (cluster.has_transport_socket()) {
      tls_pb::UpstreamTlsContext tls;
      if (cluster.transport_socket().typed_config().UnpackTo(&tls)) {
        c["upstream_tls"] = json{{"sni", tls.sni()}};
      } else {
        c["upstream_tls"] = json{{"type", cluster.transport_socket().typed_config().type_url()}};
      }
    } else {
      c["upstream_tls"] = nullptr;  // plain TCP
    }
  }
  c["endpoints"] = EndpointsJson(snapshot, assignment);
  return c;
}

// The filter chain of each gateway that a connection with `sni` lands on, with what it does.
json MatchingChains(const SnapshotsByNode& snapshots, absl::string_view sni) {
  json out = json::array();
  for (const auto& [node, snapshot] : snapshots) {
    if (snapshot == nullptr) continue;
    for (const auto& [name, resource] : snapshot->Resources(xds::kListenerType)) {
      listener_pb::Listener listener;
      if (!resource->UnpackTo(&listener)) continue;
      int best = -1;
      int best_score = 0;
      std::string matched;
      for (int i = 0; i < listener.filter_chains_size(); ++i) {
        const auto& chain = listener.filter_chains(i);
        const auto& names = chain.filter_chain_match().server_names();
        int score = names.empty() ? 1 : 0;
        std::string m;
        for (const std::string& n : names) {
          int s = NameMatch(n, sni);
          if (s > score || (s == score && s > 1 && n.size() > m.size())) {
            score = s;
            m = n;
          }
        }
        if (score > best_score) {
          best_score = score;
          best = i;
          matched = m;
        }
      }
      if (best < 0) continue;
      const auto& chain = listener.filter_chains(best);
      const auto& sa = listener.address().socket_address();
      json c{{"node", node},
             {"listener", name},
             {"address", absl::StrCat(sa.address(), ":", sa.port_value())},
             {"chain", chain.name()},
             {"matched_by", best_score == 1 ? "the listener's default chain (no server_names)"
                                            : absl::StrCat("server_names \"", matched, "\"")},
             {"mode", chain.has_transport_socket() ? "terminate" : "passthrough"}};
      std::string cluster;
      bool sni_cluster = false;
      for (const auto& f : chain.filters()) {
        // The intentions of a terminated chain come as their own resource (ECDS), named by the
        // filter.
        google::protobuf::Any discovered;
        if (f.has_config_discovery()) {
          const xds::Resource* config = snapshot->Find(xds::kExtensionConfigType, f.name());
          core_pb::TypedExtensionConfig typed;
          if (config == nullptr || !config->UnpackTo(&typed)) {
            c["rbac"] = json{{"missing", absl::StrCat("TypedExtensionConfig \"", f.name(),
                                                      "\" (the chain admits nobody)")}};
            continue;
          }
          discovered = typed.typed_config();
        }
        const google::protobuf::Any& config =
            f.has_config_discovery() ? discovered : f.typed_config();
        if (config.Is<net_pb::rbac::v3::RBAC>()) {
          net_pb::rbac::v3::RBAC rbac;
          config.UnpackTo(&rbac);
          json policies = json::array();
          for (const auto& [pname, policy] : rbac.rules().policies()) policies.push_back(pname);
          c["rbac"] = json{{"action", rbac.rules().action() == 0 ? "ALLOW" : "DENY"},
                           {"policies", policies},
                           {"rules", MessageJson(rbac.rules())}};
          if (f.has_config_discovery()) c["rbac"]["extension_config"] = f.name();
        } else if (f.typed_config().Is<net_pb::sni_cluster::v3::SniCluster>()) {
          sni_cluster = true;
        } else if (f.typed_config().Is<net_pb::tcp_proxy::v3::TcpProxy>()) {
          net_pb::tcp_proxy::v3::TcpProxy tcp;
          f.typed_config().UnpackTo(&tcp);
          cluster = tcp.cluster();
        }
      }
      if (sni_cluster && cluster.empty()) cluster = std::string(sni);
      if (!cluster.empty()) c["cluster"] = ClusterJson(*snapshot, cluster);
      out.push_back(c);
    }
  }
  return out;
}

std::vector<std::string> PeersOfTrustDomain(const PeeringSet* peerings, absl::string_view td) {
  std::vector<std::string> out;
  if (peerings == nullptr) return out;
  for (const auto& [name, p] : *peerings) {
    if (p.peer_trust_domain == td) out.push_back(name);
  }
  return out;
}

}  // namespace

// ---- public --------------------------------------------------------------------------------

absl::StatusOr<json> CatalogServicesJson(const Model& model, const PeeringSet* peerings,
                                         std::string_view peer_view) {
  const std::string peer(peer_view);
  json out = json::object();
  if (peer.empty()) {
    for (const auto& [id, s] : model.Services()) {
      json& tags = out[s->name];
      if (!tags.is_array()) tags = json::array();
      for (const std::string& t : s->tags) {
        if (std::find(tags.begin(), tags.end(), t) == tags.end()) tags.push_back(t);
      }
    }
    return out;
  }
  const Peering* p = FindPeering(peerings, peer);
  if (p == nullptr) return UnknownPeer(peer);
  for (const ImportedService& s : p->imported) out[s.name] = json::array();
  return out;
}

absl::StatusOr<json> HealthServiceJson(const Model& model, const PeeringSet* peerings,
                                       std::string_view service_view, std::string_view peer_view,
                                       bool passing) {
  const std::string service(service_view);
  const std::string peer(peer_view);
  json out = json::array();
  const std::string& dc = model.local().datacenter;
  if (peer.empty()) {
    for (const auto& s : model.ServicesNamed(service)) {
      json tagged = json::object();
      for (const auto& [tag, a] : s->tagged_addresses) tagged[tag] = AddressJson(a);
      json svc{{"ID", s->EffectiveId()},    {"Service", s->name}, {"Tags", s->tags},
               {"Address", s->address},     {"Port", s->port},    {"Meta", s->meta},
               {"TaggedAddresses", tagged}, {"Datacenter", dc}};
      if (!s->kind.empty()) svc["Kind"] = s->kind;
      json node{{"Node", absl::StrCat("meshgw-control-", dc)},
                {"Address", s->address},
                {"Datacenter", dc}};
      // The file source runs no checks; Consul treats an instance without checks as passing.
      out.push_back(json{{"Node", node}, {"Service", svc}, {"Checks", json::array()}});
    }
    return out;
  }
  const Peering* p = FindPeering(peerings, peer);
  if (p == nullptr) return UnknownPeer(peer);
  const ImportedService* s = p->FindImported(service);
  if (s == nullptr) return out;
  if (passing && s->health != InstanceHealth::kPassing) return out;
  for (size_t i = 0; i < s->gateways.size(); ++i) {
    const ServiceAddress& gw = s->gateways[i];
    const std::string id = absl::StrCat(s->name, "-sidecar-proxy-instance-", i);
    json svc{
        {"ID", id},
        {"Service", absl::StrCat(s->name, "-sidecar-proxy")},
        {"Kind", "connect-proxy"},
        {"Address", gw.address},
        {"Port", gw.port},
        {"PeerName", p->name},
        {"Proxy", json{{"DestinationServiceName", s->name}}},
        {"Connect",
         json{{"PeerMeta",
               json{{"SNI", s->sni}, {"SpiffeID", s->spiffe_ids}, {"Protocol", s->protocol}}}}}};
    json node{{"Node", absl::StrCat(p->peer_datacenter, "-mesh-gateway-", i)},
              {"Address", gw.address},
              {"Datacenter", p->peer_datacenter},
              {"PeerName", p->name}};
    json check{{"Node", node["Node"]},    {"CheckID", absl::StrCat(id, ":overall-check")},
               {"Name", "overall-check"}, {"Status", std::string(HealthName(s->health))},
               {"ServiceID", id},         {"ServiceName", svc["Service"]},
               {"PeerName", p->name}};
    out.push_back(json{{"Node", node}, {"Service", svc}, {"Checks", json::array({check})}});
  }
  return out;
}

json IntentionDecision::ToJson() const {
  json j{{"Allowed", allowed}, {"Reason", reason}};
  if (!entry.empty()) {
    j["Entry"] = entry;
    j["SourceIndex"] = source_index;
    j["Precedence"] = precedence;
  }
  if (has_permissions) j["HasPermissions"] = true;
  return j;
}

IntentionDecision CheckIntention(const Model& model, const IntentionQuery& q) {
  IntentionDecision best;
  int best_precedence = -1;
  for (const std::string& dest : {q.destination, std::string("*")}) {
    std::shared_ptr<const ServiceIntentions> e = model.Get<ServiceIntentions>(dest);
    if (e == nullptr) continue;
    for (size_t i = 0; i < e->sources.size(); ++i) {
      const IntentionSource& s = e->sources[i];
      if (!SourceMatches(model, s, q)) continue;
      const int precedence = s.precedence != 0 ? s.precedence : IntentionPrecedence(s, *e);
      if (precedence <= best_precedence) continue;
      best_precedence = precedence;
      best = IntentionDecision{};
      best.entry = absl::StrCat("service-intentions/", e->name);
      best.source_index = static_cast<int>(i);
      best.precedence = precedence;
      const std::string where =
          absl::StrCat(best.entry, " Sources[", i, "] (", DescribeSource(s), ", precedence ",
                       precedence, e->origin.empty() ? "" : ", ", e->origin, ")");
      if (!s.permissions.empty()) {
        best.has_permissions = true;
        best.allowed = false;
        best.reason = absl::StrCat(where, ": L7 permissions (", s.permissions.size(),
                                   "), decided per request; not allowed as a whole connection");
      } else {
        best.allowed = s.action == IntentionAction::kAllow;
        best.reason = absl::StrCat(where, ": ", std::string(IntentionActionName(s.action)));
      }
    }
  }
  if (best_precedence < 0) {
    best.allowed = false;
    best.reason =
        absl::StrCat("no intention matches ", q.source, q.source_peer.empty() ? "" : " from peer ",
                     q.source_peer, " → ", q.destination, ": denied by default");
  }
  return best;
}

json ConfigEntryJson(const ConfigEntry& entry) {
  return std::visit([](const auto& e) { return EntryBody(e); }, entry);
}

json PeeringJson(const Peering& p) {
  auto time = [](absl::Time t) -> json {
    if (t == absl::InfinitePast()) return nullptr;
    return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());  // as Go prints UTC
  };
  json imported_names = json::array();
  json imported = json::array();
  for (const ImportedService& s : p.imported) {
    imported_names.push_back(s.name);
    json gateways = json::array();
    for (const ServiceAddress& g : s.gateways) gateways.push_back(AddressJson(g));
    imported.push_back(json{{"Name", s.name},
                            {"Protocol", s.protocol},
                            {"SNI", s.sni},
                            {"SpiffeID", s.spiffe_ids},
                            {"Gateways", gateways},
                            {"Health", std::string(HealthName(s.health))}});
  }
  json j{{"ID", p.id},
         {"Name", p.name},
         {"Partition", p.partition},
         {"State", std::string(PeeringStateName(p.state))},
         {"PeerID", p.peer_id},
         {"PeerCAPems", p.peer_ca_pems},
         {"PeerServerName", p.peer_server_name},
         {"PeerServerAddresses", p.peer_server_addresses},
         {"StreamStatus", json{{"ImportedServices", imported_names},
                               {"ExportedServices", p.exported},
                               {"LastHeartbeat", time(p.last_heartbeat)},
                               {"LastReceive", time(p.last_receive)},
                               {"LastSend", time(p.last_send)}}},
         {"CreateIndex", p.create_index},
         {"ModifyIndex", p.modify_index},
         {"Remote", json{{"Partition", p.peer_partition}, {"Datacenter", p.peer_datacenter}}},
         {"PeerTrustDomain", p.peer_trust_domain},
         {"Imported", imported}};
  if (!p.meta.empty()) j["Meta"] = p.meta;
  if (!p.last_error.empty()) j["LastError"] = p.last_error;
  return j;
}

json ProxyConfigJson(std::string_view node_view, const xds::ResourceSnapshot& snapshot) {
  const std::string node(node_view);
  LinkResourceTypes();
  json resources = json::object();
  for (absl::string_view type : xds::kResourceTypes) {
    json list = json::array();
    for (const auto& [name, r] : snapshot.Resources(type)) {
      json item;
      if (type == xds::kClusterType) {
        cluster_pb::Cluster m;
        if (r->UnpackTo(&m)) item = MessageJson(m);
      } else if (type == xds::kEndpointType) {
        endpoint_pb::ClusterLoadAssignment m;
        if (r->UnpackTo(&m)) item = MessageJson(m);
      } else if (type == xds::kListenerType) {
        listener_pb::Listener m;
        if (r->UnpackTo(&m)) item = MessageJson(m);
      } else if (type == xds::kExtensionConfigType) {
        core_pb::TypedExtensionConfig m;
        if (r->UnpackTo(&m)) item = MessageJson(m);
      } else if (type == xds::kSecretType) {
        tls_pb::Secret m;
        if (r->UnpackTo(&m)) {
          if (m.has_tls_certificate() && m.tls_certificate().has_private_key()) {
            m.mutable_tls_certificate()->mutable_private_key()->set_inline_string("[redacted]");
          }
          item = MessageJson(m);
        }
      }
      if (item.is_null()) item = json{{"error", "cannot decode"}, {"type", std::string(type)}};
      list.push_back(json{{"name", name}, {"version", r->version}, {"resource", item}});
    }
    resources[std::string(xds::ShortTypeName(type))] = list;
  }
  return json{{"node", node}, {"version", snapshot.Version()}, {"resources", resources}};
}

json ExplainSniJson(const Model& model, const PeeringSet* peerings,
                    const SnapshotsByNode& snapshots, std::string_view sni_view) {
  const std::string sni(sni_view);
  LinkResourceTypes();
  const ParsedSni p = ParseSni(sni);
  const std::string local_td = model.local().TrustDomain();
  const std::string& local_dc = model.local().datacenter;
  json why = json::array();
  json parsed{{"form", p.form}};
  if (!p.service.empty()) parsed["service"] = p.service;
  if (!p.ns.empty()) parsed["namespace"] = p.ns;
  if (!p.partition.empty()) parsed["partition"] = p.partition;
  if (!p.peer.empty()) parsed["peer"] = p.peer;
  if (!p.datacenter.empty()) parsed["datacenter"] = p.datacenter;
  if (!p.trust_domain.empty()) parsed["trust_domain"] = p.trust_domain;
  json out{{"sni", std::string(sni)}, {"parsed", parsed}};

  if (p.form == "peered-service" && p.trust_domain == local_td) {
    const std::vector<std::string> peers = model.PeersExportedTo(p.service);
    const bool exported = std::find(peers.begin(), peers.end(), p.peer) != peers.end();
    why.push_back(absl::StrCat("\"", sni, "\" is the SNI of local service ", p.service,
                               " as exported to peer ", p.peer, " (our trust domain)."));
    if (!exported) {
      why.push_back(absl::StrCat(
          p.service, " is not exported to ", p.peer,
          peers.empty() ? " (no exported-services entry names it)"
                        : absl::StrCat(" (exported to ", absl::StrJoin(peers, ", "), ")"),
          ": no chain serves this name."));
    } else {
      const std::string protocol = model.ServiceProtocol(p.service);
      const bool terminate = protocol != "tcp";
      out["protocol"] = protocol;
      why.push_back(absl::StrCat(
          "Exported to ", p.peer, "; protocol ", protocol, ", so the gateway ",
          terminate ? "terminates TLS with its gateway leaf, verifies the client against the "
                      "peer's trust bundle and authorizes with intentions"
                    : "passes TLS through to the service (its sidecar authorizes)",
          "."));
      if (terminate) {
        // Which intention sources from that peer apply.
        json applicable = json::array();
        for (const std::string& dest : {p.service, std::string("*")}) {
          auto e = model.Get<ServiceIntentions>(dest);
          if (e == nullptr) continue;
          for (size_t i = 0; i < e->sources.size(); ++i) {
            const IntentionSource& s = e->sources[i];
            const bool from_peer =
                s.peer == p.peer ||
                (!s.sameness_group.empty() && SamenessGroupHas(model, s.sameness_group, p.peer));
            if (!from_peer) continue;
            applicable.push_back(
                json{{"entry", absl::StrCat("service-intentions/", e->name)},
                     {"source_index", i},
                     {"source", DescribeSource(s)},
                     {"action", s.permissions.empty() ? std::string(IntentionActionName(s.action))
                                                      : std::string("L7 permissions")}});
          }
        }
        out["intentions"] = applicable;
        const Peering* consumer = FindPeering(peerings, p.peer);
        if (consumer == nullptr || consumer->peer_ca_pems.empty()) {
          why.push_back(absl::StrCat(
              "No trust bundle from peer ", p.peer, " yet (",
              consumer == nullptr
                  ? std::string("no such peering")
                  : absl::StrCat("peering ", std::string(PeeringStateName(consumer->state))),
              "): the gateway cannot verify its callers, so the terminated chain is left out "
              "until the bundle arrives."));
        }
        why.push_back(applicable.empty()
                          ? absl::StrCat("No intention allows a source of peer ", p.peer, " to ",
                                         p.service, ": every connection is denied (default).")
                          : absl::StrCat(applicable.size(), " intention source(s) of peer ", p.peer,
                                         " apply to ", p.service, "; any other caller is denied."));
      }
      const auto instances = model.ServicesNamed(p.service);
      why.push_back(
          instances.empty()
              ? absl::StrCat("No local instance of ", p.service,
                             " is registered: the cluster has no endpoints.")
              : absl::StrCat(instances.size(), " local instance(s) of ", p.service, " serve it."));
    }
  } else if (p.form == "peered-service") {
    std::vector<std::string> peers = PeersOfTrustDomain(peerings, p.trust_domain);
    if (peers.empty()) {
      why.push_back(absl::StrCat("\"", sni, "\" is a peered SNI of trust domain ", p.trust_domain,
                                 ", which is neither ours nor a peer's."));
    } else {
      why.push_back(absl::StrCat("\"", sni, "\" is the SNI of ", p.service, " exported by peer ",
                                 absl::StrJoin(peers, ", "),
                                 ": local callers reach it through an egress listener; the "
                                 "gateway originates mTLS to the peer's gateways with it."));
    }
  } else if (p.form == "peering-server") {
    if (p.datacenter == local_dc && p.trust_domain == local_td) {
      why.push_back(absl::StrCat("\"", sni,
                                 "\" names our own peering servers: with "
                                 "PeerThroughMeshGateways (",
                                 model.PeerThroughMeshGateways() ? "on" : "off",
                                 ") the gateway passes it through to this control component's "
                                 "peering port."));
    } else {
      std::string peer;
      if (peerings != nullptr) {
        for (const auto& [name, pr] : *peerings) {
          if (pr.peer_server_name == sni) peer = name;
        }
      }
      why.push_back(peer.empty()
                        ? absl::StrCat("\"", sni, "\" names peering servers of no known peer.")
                        : absl::StrCat("\"", sni, "\" names the servers of peer ", peer,
                                       ": the gateway passes the peering stream through to them."));
    }
  } else if (p.form == "local-service") {
    why.push_back(absl::StrCat(
        "\"", sni, "\" is a local service's SNI",
        p.datacenter == local_dc ? "" : absl::StrCat(" of datacenter ", p.datacenter),
        p.datacenter == local_dc
            ? ": the catch-all chain routes it to the cluster named by the SNI (sni_cluster)."
            : ": other datacenters are reached by WAN federation, which meshgw does not model."));
  } else {
    why.push_back(absl::StrCat("\"", sni,
                               "\" is none of Consul's SNI forms (<svc>.<ns>.<ap>."
                               "<peer>.external.<td>, <svc>.<ns>.<dc>.internal.<td>, "
                               "server.<dc>.peering.<td>)."));
  }
  json chains = MatchingChains(snapshots, sni);
  if (chains.empty()) {
    why.push_back(snapshots.empty()
                      ? std::string("No gateway has a configuration yet.")
                      : std::string("No gateway has a filter chain for this name: the connection "
                                    "is closed (unknown SNI)."));
  }
  for (const json& c : chains) {
    std::string line = absl::StrCat(
        "Gateway ", c["node"].get<std::string>(), ", listener ", c["listener"].get<std::string>(),
        ": chain \"", c["chain"].get<std::string>(), "\" (", c["matched_by"].get<std::string>(),
        "), ", c["mode"].get<std::string>());
    if (c.contains("cluster")) {
      const json& cl = c["cluster"];
      absl::StrAppend(&line, ", cluster ", cl["name"].get<std::string>(), " with ",
                      cl.contains("endpoints") ? cl["endpoints"].size() : 0, " endpoint(s)");
    }
    why.push_back(line + ".");
  }
  out["gateways"] = chains;
  out["why"] = why;
  return out;
}

json ExplainFlowJson(const Model& model, const PeeringSet* peerings,
                     const SnapshotsByNode& snapshots, const IntentionQuery& flow) {
  const LocalSettings& local = model.local();
  json why = json::array();
  json out{{"source", flow.source}, {"destination", flow.destination}};
  if (!flow.source_peer.empty()) out["source_peer"] = flow.source_peer;
  IntentionDecision decision = CheckIntention(model, flow);
  out["intention"] = decision.ToJson();

  if (!flow.source_peer.empty()) {
    // A peer's service calling one of ours: it arrives on our gateway with the peered SNI.
    const std::string sni = absl::StrCat(flow.destination, ".default.", local.partition, ".",
                                         flow.source_peer, ".external.", local.TrustDomain());
    why.push_back(absl::StrCat(flow.source, " in peer ", flow.source_peer, " calls ",
                               flow.destination, " through the gateways with SNI ", sni, "."));
    why.push_back(absl::StrCat("Intention: ", decision.allowed ? "allowed" : "denied", " — ",
                               decision.reason, "."));
    json sni_explain = ExplainSniJson(model, peerings, snapshots, sni);
    for (const json& w : sni_explain["why"]) why.push_back(w);
    out["sni"] = sni;
    out["explain_sni"] = sni_explain;
    out["why"] = why;
    return out;
  }
  // A local source: through an upstream of its service definition to a peer's service, or a
  // local destination (decided by the sidecars, not by the gateway).
  bool via_upstream = false;
  for (const auto& s : model.ServicesNamed(flow.source)) {
    if (!s->connect.has_value() || !s->connect->sidecar_service.has_value()) continue;
    for (const ServiceUpstream& u : s->connect->sidecar_service->proxy.upstreams) {
      if (u.destination_name != flow.destination || u.destination_peer.empty()) continue;
      via_upstream = true;
      const std::string bind =
          absl::StrCat(u.local_bind_address.empty() ? "127.0.0.1" : u.local_bind_address, ":",
                       u.local_bind_port);
      json up{{"service_id", s->EffectiveId()}, {"peer", u.destination_peer}, {"bind", bind}};
      const Peering* p = FindPeering(peerings, u.destination_peer);
      const ImportedService* imported =
          p == nullptr ? nullptr : p->FindImported(u.destination_name);
      if (p == nullptr) {
        why.push_back(absl::StrCat(flow.source, " has an upstream to ", flow.destination,
                                   " of peer ", u.destination_peer, " at ", bind,
                                   ", but there is no peering named ", u.destination_peer, "."));
      } else if (imported == nullptr) {
        why.push_back(absl::StrCat(flow.source, " has an upstream to ", flow.destination,
                                   " of peer ", u.destination_peer, " at ", bind, ", but peer ",
                                   u.destination_peer, " (",
                                   std::string(PeeringStateName(p->state)), ") does not export ",
                                   flow.destination, " to us."));
      } else {
        const std::string sni = imported->sni.empty() ? "" : imported->sni[0];
        up["sni"] = sni;
        up["gateways"] = json::array();
        for (const ServiceAddress& g : imported->gateways) up["gateways"].push_back(AddressJson(g));
        why.push_back(absl::StrCat(
            flow.source, " calls ", flow.destination, " at ", bind,
            " (an upstream of its service definition); the gateway originates mTLS with ",
            flow.source, "'s leaf to peer ", u.destination_peer, "'s gateways (",
            imported->gateways.size(), ") with SNI ", sni, "."));
        why.push_back(absl::StrCat("Peer ", u.destination_peer,
                                   " decides the intention on its side (its service-intentions "
                                   "for ",
                                   flow.destination, " with Peer = <its name for us>)."));
      }
      // The egress listener on each gateway.
      json egress = json::array();
      for (const auto& [node, snapshot] : snapshots) {
        if (snapshot == nullptr) continue;
        for (const auto& [lname, r] : snapshot->Resources(xds::kListenerType)) {
          envoy::config::listener::v3::Listener l;
          if (!r->UnpackTo(&l)) continue;
          const auto& sa = l.address().socket_address();
          if (absl::StrCat(sa.address(), ":", sa.port_value()) != bind) continue;
          json e{{"node", node}, {"listener", lname}};
          for (const auto& chain : l.filter_chains()) {
            for (const auto& f : chain.filters()) {
              net_pb::tcp_proxy::v3::TcpProxy tcp;
              if (f.typed_config().UnpackTo(&tcp) && !tcp.cluster().empty()) {
                e["cluster"] = ClusterJson(*snapshot, tcp.cluster());
              }
            }
          }
          egress.push_back(e);
          why.push_back(
              absl::StrCat("Gateway ", node, " listens at ", bind, " (listener ", lname,
                           e.contains("cluster")
                               ? absl::StrCat(", cluster ", e["cluster"]["name"].get<std::string>())
                               : std::string(),
                           ")."));
        }
      }
      if (egress.empty()) {
        why.push_back(absl::StrCat("No gateway has an egress listener at ", bind, " yet."));
      }
      up["egress"] = egress;
      out["upstream"] = up;
    }
  }
  if (!via_upstream) {
    why.push_back(absl::StrCat(
        flow.source, " has no upstream to ", flow.destination,
        " of a peer in its service definition: between local services the sidecars decide, "
        "not the mesh gateway."));
    why.push_back(absl::StrCat("Intention: ", decision.allowed ? "allowed" : "denied", " — ",
                               decision.reason, "."));
  }
  out["why"] = why;
  return out;
}

}  // namespace meshgw::control
