// Cluster peering state as the control component keeps it: one `Peering` per peer, with what the
// peer sent over the peering stream (its exported services, their gateways, SNI and SPIFFE
// identities, its trust bundle) and the stream's health. Shapes follow Consul's `api.Peering` and
// `PeeringTrustBundle` (reference/consul.md §2.4–2.6), so that the Consul source, the embedded
// peering, the translation and the CLI share one vocabulary.
//
//   Peering p;
//   p.name = "gcp-dc2-default";
//   p.state = PeeringState::kActive;
//   p.peer_trust_domain = "22222222-....consul";
//   p.imported.push_back(ImportedService{.name = "public-api", .protocol = "http",
//       .sni = {"public-api.default.default.gcp-dc1-default.external.2222....consul"},
//       .spiffe_ids = {"spiffe://2222....consul/ns/default/dc/gcp-dc2/svc/public-api",
//                      "spiffe://2222....consul/gateway/mesh/dc/gcp-dc2"},
//       .gateways = {{"127.0.2.10", 8443}}});
//   PeeringStateName(p.state) == "ACTIVE"
//
// A `PeeringSet` is immutable once built and shared by `shared_ptr<const>`, like the Model.
// Thread-safety: plain values.
#ifndef MESHGW_CONTROL_MODEL_PEERING_H_
#define MESHGW_CONTROL_MODEL_PEERING_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "control/model/service.h"

namespace meshgw::control {

// Consul's PeeringState values (api/peering.go), in their wire spelling.
enum class PeeringState : uint8_t {
  kUndefined,
  kPending,       // acceptor: token generated, no dialer yet
  kEstablishing,  // dialer: establish called, stream not yet up
  kActive,        // stream up (heartbeats flowing)
  kFailing,       // stream broken; retrying
  kDeleting,
  kTerminated,  // the other side deleted the peering
};

// PeeringStateName(kActive) == "ACTIVE"; kUndefined is "UNDEFINED".
inline std::string_view PeeringStateName(PeeringState s) {
  switch (s) {
    case PeeringState::kPending:
      return "PENDING";
    case PeeringState::kEstablishing:
      return "ESTABLISHING";
    case PeeringState::kActive:
      return "ACTIVE";
    case PeeringState::kFailing:
      return "FAILING";
    case PeeringState::kDeleting:
      return "DELETING";
    case PeeringState::kTerminated:
      return "TERMINATED";
    case PeeringState::kUndefined:
      break;
  }
  return "UNDEFINED";
}

// Health of an imported instance: Consul's check status of the replicated "overall-check".
enum class InstanceHealth : uint8_t { kPassing, kWarning, kCritical, kMaintenance };

// A service the peer exports to us, as the importing side sees it (Consul replicates synthetic
// `<svc>-sidecar-proxy` instances whose address is the exporting mesh gateway's WAN address).
struct ImportedService {
  std::string name;            // "public-api"
  std::string ns = "default";  // namespace on the exporting side
  std::string partition = "default";
  std::string protocol = "tcp";  // PeerMeta.Protocol: "tcp", "http", "http2", "grpc"
  // PeerMeta.SNI: the name our gateway must send to the exporter's gateway (the exporter's
  // PeeredServiceSNI with its name for us and its trust domain); SNI[0] is the primary.
  std::vector<std::string> sni;
  // PeerMeta.SpiffeID: identities the exporter's side may present (the service's, then the
  // exporting mesh gateway's, then failover targets').
  std::vector<std::string> spiffe_ids;
  // The exporting side's mesh gateways (WAN addresses), one per replicated instance.
  std::vector<ServiceAddress> gateways;
  InstanceHealth health = InstanceHealth::kPassing;

  friend bool operator==(const ImportedService&, const ImportedService&) = default;
};

struct Peering {
  std::string name;     // our local name for the peer ("gcp-dc2-default")
  std::string id;       // our UUID for this peering
  std::string peer_id;  // the other side's UUID for it
  PeeringState state = PeeringState::kUndefined;
  std::string partition = "default";
  std::map<std::string, std::string> meta;

  // What the peer told us about itself.
  std::string peer_datacenter;  // Remote.Datacenter
  std::string peer_partition = "default";
  std::string peer_trust_domain;                   // from its trust bundle
  std::vector<std::string> peer_ca_pems;           // its roots: the trust bundle for its identities
  std::string peer_server_name;                    // "server.<dc>.peering.<td>"
  std::vector<std::string> peer_server_addresses;  // "host:port"

  // Imported: what the peer exports to us, by service name.
  std::vector<ImportedService> imported;
  // Exported: the local services we export to this peer (names, sorted), computed from the
  // exported-services entry; the CLI's `peering read` shows both counts.
  std::vector<std::string> exported;

  // Stream status (Consul's StreamStatus); absl::InfinitePast() when never.
  absl::Time last_heartbeat = absl::InfinitePast();
  absl::Time last_receive = absl::InfinitePast();
  absl::Time last_send = absl::InfinitePast();
  std::string last_error;  // why the stream failed, for `peering read`

  uint64_t create_index = 0;
  uint64_t modify_index = 0;

  const ImportedService* FindImported(std::string_view service) const {
    for (const ImportedService& s : imported) {
      if (s.name == service) return &s;
    }
    return nullptr;
  }

  friend bool operator==(const Peering&, const Peering&) = default;
};

// Every peering of the local partition, by name. Immutable once shared.
using PeeringSet = std::map<std::string, Peering, std::less<>>;
using PeeringSetPtr = std::shared_ptr<const PeeringSet>;

}  // namespace meshgw::control

#endif  // MESHGW_CONTROL_MODEL_PEERING_H_
