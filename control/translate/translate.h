// Translation: the control component's model, peerings and certificates → the xDS resources of
// each mesh gateway, as Consul programs a mesh gateway (reference/consul.md §2.3) plus what meshgw
// adds (egress with mTLS origination, per-endpoint transport sockets for failover).
//
// One `xds::ResourceSnapshot` per mesh gateway service definition (node id = its service ID):
//   Listener "default:<addr>:<port>" (tls_inspector), chains in Consul's order:
//     exported~<svc>.<ns>.<dc>.internal.<td>   one per exported service; server_names = the
//         peered SNIs `<svc>.<ns>.<ap>.<peer>.external.<td>` of the consuming peers. Protocol
//         tcp: passed through; http/http2/grpc: terminated with the gateway leaf, client
//         certificate verified against the consumers' bundles, RBAC from intentions (deny by
//         default), then plain TCP to the local instances: Cluster "exported~<svc>..." over EDS,
//         whose assignment is the local cluster's ("<svc>.<ns>.<dc>.internal.<td>", named by
//         eds_cluster_config.service_name) when the service has instances;
//     server.<dc>.peering.<td>                 PeerThroughMeshGateways: to the local servers;
//     <peer server name>                       PeerThroughMeshGateways: to each peer's servers;
//     catch-all                                sni_cluster: the cluster named by the SNI
//         (`<svc>.<ns>.<dc>.internal.<td>` for local services, `<sni[0]>` for imported ones).
//   Listener "egress:<addr>:<port>" per peered upstream of a local service definition (plain TCP
//     in) to Cluster "egress~<caller>~<service>.<peer>", which originates mTLS with the caller's
//     leaf to the exporting peer's gateways (SNI = sni[0], server SAN pinned to the peer's SPIFFE
//     IDs); with failover (sameness group DefaultForFailover, service-resolver Failover) local
//     instances come at priority 0 in plain TCP and each peer's gateways at the next priorities
//     over mTLS (Cluster.transport_socket_matches + endpoint metadata).
//   Secrets: "mesh-gateway-leaf", "peer-bundle~<peer>[,<peer>...]", "leaf~<service>".
//   TypedExtensionConfig (ECDS) "intentions~<service>": the network RBAC filter of a terminated
//     chain, which the chain's filter names (config_discovery over ADS), so that an intention
//     change resends it alone rather than the mesh listener.
// Remote-datacenter wildcard chains (`*.<dc>.internal.<td>`) need WAN federation, which the
// model does not hold: they are not produced.
//
//   TranslateInput in{.model = model, .peerings = peerings, .ca = ca, .local_servers = servers};
//   absl::StatusOr<std::shared_ptr<const xds::ResourceSnapshot>> snap =
//       TranslateGateway(in, "mesh-gateway-dc1");
//   GatewayTranslator translator;
//   for (auto& [node, snapshot] : translator.Update(in)) cache.SetSnapshot(node, snapshot);
//
// What cannot be built yet is left out rather than sent broken (the gateway keeps serving the
// rest): a terminated chain without the gateway leaf or without any consuming peer's bundle, an
// egress listener without the caller's leaf or without any target. `TranslateGateway` returns an
// error only for input that can never translate (an unknown gateway ID, a mesh TLS setting that
// is not a TLS version or cipher suite), naming the entry.
//
// Thread-safety: TranslateGateway is a pure function, safe from any thread. A GatewayTranslator
// needs external synchronization (one owner, e.g. the agent's translation thread).
#ifndef MESHGW_CONTROL_TRANSLATE_TRANSLATE_H_
#define MESHGW_CONTROL_TRANSLATE_TRANSLATE_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "control/ca/embedded_ca.h"
#include "control/model/model.h"
#include "control/model/peering.h"
#include "xds/resource.h"

namespace meshgw::control {

struct CaMaterial {                    // what the CA gives the translation
  std::vector<std::string> root_pems;  // local roots
  IssuedCert gateway_leaf;             // spiffe://<td>/gateway/mesh/dc/<dc>
  std::map<std::string, IssuedCert, std::less<>>
      service_leaves;  // by service name (egress identity)

  friend bool operator==(const CaMaterial& a, const CaMaterial& b);
};

struct TranslateInput {
  Model model;
  PeeringSetPtr peerings;  // null: no peerings
  std::shared_ptr<const CaMaterial> ca;
  std::vector<ServiceAddress>
      local_servers;  // this DC's control components' peering (gRPC TLS) addresses
};

// Names of the resources, for the CLI and tests.
// ExportedClusterName("public-api", local) == "exported~public-api.default.gcp-dc2.internal.<td>"
std::string ExportedClusterName(std::string_view service, const LocalSettings& local);
// LocalServiceSni("public-api", local) == "public-api.default.gcp-dc2.internal.<td>"
std::string LocalServiceSni(std::string_view service, const LocalSettings& local);
// PeeredServiceSni("public-api", "gcp-dc1-default", local)
//   == "public-api.default.default.gcp-dc1-default.external.<td>"
std::string PeeredServiceSni(std::string_view service, std::string_view peer,
                             const LocalSettings& local);
// IntentionsConfigName("public-api") == "intentions~public-api": the TypedExtensionConfig (ECDS)
// holding the network RBAC filter of the service's terminated chain, and the filter's name.
std::string IntentionsConfigName(std::string_view service);
// PeeringServerName(local) == "server.<dc>.peering.<td>"
std::string PeeringServerName(const LocalSettings& local);

// One mesh gateway's resources (node id = the gateway's service ID in the model). NotFound when
// the model has no mesh-gateway service of that ID.
absl::StatusOr<std::shared_ptr<const xds::ResourceSnapshot>> TranslateGateway(
    const TranslateInput& input, std::string_view gateway_id);

// Incremental translation: keeps the last input and what was built from it; Update rebuilds what
// a change touches (per service: its chain, clusters and assignments; per gateway: what only it
// holds) and returns the snapshots of every gateway whose resources changed. A gateway that left
// the model maps to nullptr (clear it). The same input twice returns nothing the second time. A
// gateway that fails to translate keeps its last snapshot (not returned); `errors()` says why.
class GatewayTranslator {
 public:
  GatewayTranslator();
  ~GatewayTranslator();
  GatewayTranslator(const GatewayTranslator&) = delete;
  GatewayTranslator& operator=(const GatewayTranslator&) = delete;

  std::map<std::string, std::shared_ptr<const xds::ResourceSnapshot>> Update(
      const TranslateInput& input);

  // The last snapshot of every gateway, by node id.
  const std::map<std::string, std::shared_ptr<const xds::ResourceSnapshot>>& snapshots() const;
  // Gateways whose last Update failed, with the error.
  const std::map<std::string, absl::Status>& errors() const;
  // How many per-service units (chains, clusters, assignments of one service) the last Update
  // built rather than reused (for tests and logs).
  size_t last_built_units() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace meshgw::control

#endif  // MESHGW_CONTROL_TRANSLATE_TRANSLATE_H_
