// Consul's HTTP API JSON (reference/consul.md §2.4, §2.6–2.8) decoded into the control model:
// config entries (CamelCase, as `/v1/config/<kind>` returns them), service health
// (`/v1/health/service/<name>`, `/v1/health/connect/<name>?peer=`), the catalog's service list,
// peerings (`/v1/peerings`), CA roots and leaf certificates.
//
//   absl::StatusOr<std::vector<ConfigEntry>> entries = DecodeConfigEntryList(
//       "/v1/config/mesh", ConfigEntryKind::kMesh,
//       R"([{"Kind":"mesh","Name":"mesh","Peering":{"PeerThroughMeshGateways":true},
//            "CreateIndex":12,"ModifyIndex":12}])");
//   std::get<Mesh>((*entries)[0]).peering.peer_through_mesh_gateways == true
//
// Every error is InvalidArgument and names the endpoint and the field:
//   "/v1/health/service/web: [0].Service.Port: expected a number, got \"x\""
// Config entries are decoded by the file source's decoder (the same schema, so the same rules,
// and Consul's validation rules of model/validate.h); Consul's read-only fields (CreateIndex,
// ModifyIndex, Hash, intention Legacy*) are dropped first, and an entry's origin is its URL
// ("/v1/config/mesh/mesh").
// Thread-safety: pure functions.
#ifndef MESHGW_CONTROL_SOURCE_CONSUL_JSON_H_
#define MESHGW_CONTROL_SOURCE_CONSUL_JSON_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "control/ca/embedded_ca.h"
#include "control/model/config_entry.h"
#include "control/model/peering.h"
#include "control/model/service.h"

namespace meshgw::control {

// DecodeConfigEntryList: the body of `GET /v1/config/<kind>` (a JSON array of entries, or null).
absl::StatusOr<std::vector<ConfigEntry>> DecodeConfigEntryList(std::string_view endpoint,
                                                               ConfigEntryKind kind,
                                                               std::string_view body);

// One element of `/v1/health/service/<name>` or `/v1/health/connect/<name>`.
struct ConsulServiceInstance {
  std::string node;          // Node.Node
  std::string node_address;  // Node.Address
  std::string datacenter;    // Node.Datacenter
  // The registration. `address` is Service.Address, or Node.Address when that is empty (as
  // Consul's clients resolve it); `checks` holds the instance's checks as Consul returns them
  // ({"CheckID","Name","Status",...}); `origin` is "<endpoint>#<node>/<id>".
  ServiceDefinition service;
  InstanceHealth health = InstanceHealth::kPassing;  // the worst of the checks
  std::string peer_name;                             // Service.PeerName (imported data)
  // Connect.PeerMeta of a replicated instance (§2.4).
  std::vector<std::string> peer_sni;
  std::vector<std::string> peer_spiffe_ids;
  std::string peer_protocol;

  friend bool operator==(const ConsulServiceInstance&, const ConsulServiceInstance&) = default;
};

absl::StatusOr<std::vector<ConsulServiceInstance>> DecodeHealthServiceList(
    std::string_view endpoint, std::string_view body);

// WorstHealth of Consul check statuses: maintenance > critical > warning > passing; an empty
// list is passing.
InstanceHealth WorstCheckHealth(const std::vector<nlohmann::json>& checks);

// ImportedServiceFromInstances: what the importing side knows of `service` exported by a peer,
// from the replicated instances of `/v1/health/connect/<service>?peer=<peer>`: PeerMeta SNI,
// SpiffeID and Protocol (the first instance that has them), the gateways (each instance's "wan"
// tagged address, else its address and port) of the healthy instances (passing or warning; all
// of them when none is healthy), and the best health among instances. nullopt without instances.
std::optional<ImportedService> ImportedServiceFromInstances(
    std::string_view service, const std::vector<ConsulServiceInstance>& instances);

// DecodeCatalogServices: `/v1/catalog/services` → {name: tags}.
absl::StatusOr<std::map<std::string, std::vector<std::string>>> DecodeCatalogServices(
    std::string_view endpoint, std::string_view body);

// DecodePeeringList: `/v1/peerings` → PeeringSet by name. State names are Consul's; an unknown
// one is kUndefined. `peer_trust_domain` comes from PeerServerName
// ("server.<dc>.peering.<td>"); `exported` from StreamStatus.ExportedServices; imported services
// are left empty (they come from the catalog, see ConsulSource).
absl::StatusOr<PeeringSet> DecodePeeringList(std::string_view endpoint, std::string_view body);

// `/v1/connect/ca/roots`.
struct ConsulCaRoots {
  std::string trust_domain;    // TrustDomain
  std::string active_root_id;  // ActiveRootID
  // RootCert of every root, the active one first (old roots stay trusted during a rotation).
  std::vector<std::string> root_pems;

  friend bool operator==(const ConsulCaRoots&, const ConsulCaRoots&) = default;
};
absl::StatusOr<ConsulCaRoots> DecodeCaRoots(std::string_view endpoint, std::string_view body);

// `/v1/agent/connect/ca/leaf/<service>` → IssuedCert (cert, key, serial, SPIFFE ID from
// ServiceURI, validity; rotate_after at half of the validity, as Consul's agent renews).
absl::StatusOr<IssuedCert> DecodeLeafCert(std::string_view endpoint, std::string_view body);

}  // namespace meshgw::control

#endif  // MESHGW_CONTROL_SOURCE_CONSUL_JSON_H_
