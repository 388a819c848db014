// The read-only questions the control API answers, as pure functions of the agent's state (the
// model, the peerings and the xDS snapshots it serves): Consul-shaped JSON for `catalog services`,
// `health service` and `config read/list`, the intention decision of `intention check`, the
// resources of `proxy-config` and the reasoning of `explain`.
//
//   IntentionDecision d = CheckIntention(model, {.source = "front-service",
//                                                .source_peer = "gcp-dc1-default",
//                                                .destination = "public-api"});
//   d.allowed == true;
//   d.reason == "service-intentions/public-api Sources[0] (front-service from peer "
//               "gcp-dc1-default, precedence 9): allow"
//
// Intentions are decided as the gateway enforces them: the matching source of highest precedence
// wins (exact destination before "*"), and with no match the answer is deny (meshgw's default,
// like Consul with ACLs default-deny). A source with L7 `Permissions` is reported as not allowed
// at L4, with the reason, since it can only be decided per request.
//
// Thread-safety: pure functions over immutable inputs.
#ifndef MESHGW_CONTROL_SERVER_QUERIES_H_
#define MESHGW_CONTROL_SERVER_QUERIES_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "control/model/config_entry.h"
#include "control/model/model.h"
#include "control/model/peering.h"
#include "nlohmann/json.hpp"
#include "xds/resource.h"

namespace meshgw::control {

// Snapshots by gateway node id.
using SnapshotsByNode = std::map<std::string, std::shared_ptr<const xds::ResourceSnapshot>>;

// CatalogServicesJson: {"<service>": [tags]} like Consul's /v1/catalog/services: local service
// definitions (peer ""), or what `peer` exports to us. NotFound names an unknown peering.
absl::StatusOr<nlohmann::json> CatalogServicesJson(const Model& model, const PeeringSet* peerings,
                                                   std::string_view peer);

// HealthServiceJson: [{"Node", "Service", "Checks"}] like Consul's /v1/health/service/:name. Local
// instances come from the service definitions (the file source runs no checks: no checks is
// passing, as in Consul). Imported instances are the exporting side's gateways, one per gateway,
// as Consul replicates them (`<svc>-sidecar-proxy`, PeerMeta with SNI, SpiffeID, Protocol, an
// "overall-check"). `passing` keeps passing instances only. NotFound names an unknown peering.
absl::StatusOr<nlohmann::json> HealthServiceJson(const Model& model, const PeeringSet* peerings,
                                                 std::string_view service, std::string_view peer,
                                                 bool passing);

struct IntentionQuery {
  std::string source;
  std::string source_peer;  // "" for a local source
  std::string destination;
};

struct IntentionDecision {
  bool allowed = false;
  std::string reason;
  std::string entry;      // "service-intentions/public-api", "" when none matched
  int source_index = -1;  // index into Sources
  int precedence = 0;
  bool has_permissions = false;  // the match has L7 permissions

  nlohmann::json ToJson() const;
};

// CheckIntention decides one source → destination pair (see the file comment).
IntentionDecision CheckIntention(const Model& model, const IntentionQuery& query);

// ConfigEntryJson: the entry as Consul's HTTP API writes it (CamelCase keys, `Kind` first,
// empty optional fields left out).
nlohmann::json ConfigEntryJson(const ConfigEntry& entry);

// PeeringJson: a Peering as Consul's /v1/peering/:name (with StreamStatus), plus "LastError"
// when the stream failed and "Imported" details (for `peering read -format=json`).
nlohmann::json PeeringJson(const Peering& peering);

// ProxyConfigJson: a gateway's snapshot as {"node", "version", "resources": {"Cluster": [...],
// "ClusterLoadAssignment": [...], "Secret": [...], "Listener": [...]}} with every resource in
// protobuf JSON and private keys replaced by "[redacted]".
nlohmann::json ProxyConfigJson(std::string_view node, const xds::ResourceSnapshot& snapshot);

// ExplainSniJson: what happens to a connection with this SNI: how the name parses (Consul's SNI
// forms), what the model says about it (exported to which peers, protocol, intentions; an
// imported service; a peering server), and on each gateway the filter chain that matches it,
// its mode, cluster and endpoints. "why" lists the reasoning in order, one sentence each.
nlohmann::json ExplainSniJson(const Model& model, const PeeringSet* peerings,
                              const SnapshotsByNode& snapshots, std::string_view sni);

// ExplainFlowJson: a source (local, or of a peer) calling a destination: the SNI the flow uses,
// the intention decision, and ExplainSniJson for that SNI; for a local source calling a peer's
// service through an upstream, the egress listener and its cluster.
nlohmann::json ExplainFlowJson(const Model& model, const PeeringSet* peerings,
                               const SnapshotsByNode& snapshots, const IntentionQuery& flow);

}  // namespace meshgw::control

#endif  // MESHGW_CONTROL_SERVER_QUERIES_H_
