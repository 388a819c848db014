// Embedded cluster peering between two meshgw control components, following Consul's flow
// (reference/consul.md §2.5–2.6) so that the peering states, tokens and what each side learns
// are the ones Consul users know.
//
// Message flow (acceptor A: `peering generate-token`; dialer D: `peering establish`):
//
//   A  GenerateToken(name)        record PENDING, new peering ID, one-time establishment secret;
//                                 token = {CA: A's roots, ServerAddresses: A's mesh gateways' WAN
//                                 addresses (PeerThroughMeshGateways) or A's peering address,
//                                 ServerName: server.<A dc>.peering.<A td>, PeerID, secret}
//   D  Establish(name, token)     record ESTABLISHING with peer_server_name/addresses/CA (the
//                                 translation can now program D's gateway: outbound chain
//                                 server.<A dc>.peering.<A td> -> A's addresses); then dial:
//                                 PeerThroughMeshGateways: D's own mesh gateway (LAN address)
//                                 with TLS SNI = ServerName, through both gateways to A; else
//                                 the token's addresses directly. TLS verifies A's certificate
//                                 against the token's CA and ServerName.
//   D->A ExchangeSecret(peer_id, establishment_secret)
//                                 A checks and consumes the secret (one-time; wrong, replaced or
//                                 replayed: PERMISSION_DENIED, and D does not retry) and returns
//                                 a stream secret; both sides persist it (Consul's stream
//                                 secret), so a restarted D reconnects without a new token.
//   D->A StreamResources          D sends Open{peer_id, stream_secret, D's own peering ID};
//                                 A checks the stream secret (else PERMISSION_DENIED).
//   A<->D LocalState              each side sends, and resends whenever it changes
//                                 (UpdateLocal): its trust bundle (roots, trust domain), the
//                                 services it exports to the other (name, namespace, partition,
//                                 protocol, SNI <svc>.<ns>.<ap>.<its name for the other>.external
//                                 .<its td>, SPIFFE IDs [service, its mesh gateway], its mesh
//                                 gateways' WAN addresses, health), its server name and server
//                                 addresses (the return path), datacenter, partition, its ID.
//                                 The receiver stores them as Peering.imported,
//                                 peer_trust_domain, peer_ca_pems, ... and turns ACTIVE.
//   A<->D Heartbeat               every heartbeat_interval; a side that hears nothing for
//                                 heartbeat_timeout ends the stream. A broken stream is FAILING
//                                 on both sides; D redials with jittered backoff
//                                 (xds::JitteredBackoff), A waits for it.
//   Delete(name)                  the deleting side sends Terminated, ends the stream and drops
//                                 its record; the other side marks the peering TERMINATED,
//                                 forgets what it imported, and (dialer) stops redialing.
//
// With a data directory, peerings persist in `<dir>/peerings.json` (mode 0600: it holds the
// secrets) and a new manager on the same directory resumes them: dialers redial with the stored
// stream secret, acceptors accept it.
//
//   PeeringManagerOptions options;
//   options.data_dir = "/var/lib/meshgw/peering";
//   options.peering_address = "127.0.1.1:8503";
//   auto manager = PeeringManager::Create(options, model, root_pems);
//   grpc::ServerBuilder b;            // TLS, certificate from EmbeddedCa::IssuePeeringServerLeaf
//   b.RegisterService((*manager)->service());
//   (*manager)->OnChange([](PeeringSetPtr set) { ... translate ... });
//   absl::StatusOr<std::string> token = (*manager)->GenerateToken("gcp-dc2-default", {});
//
// Thread-safety: every method may be called from any thread. OnChange callbacks run on the
// manager's threads (one at a time, in order, never under the manager's lock), for changes that
// matter to the translation (states, imported services, trust bundles, server addresses), not
// for heartbeat times alone; Peerings() always has the latest times. A callback must not call
// OnChange. Shut down the gRPC server that serves service() before destroying the manager.
#ifndef MESHGW_CONTROL_PEERING_PEERING_MANAGER_H_
#define MESHGW_CONTROL_PEERING_PEERING_MANAGER_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "control/ca/embedded_ca.h"
#include "control/model/model.h"
#include "control/model/peering.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace grpc {
class Service;
}  // namespace grpc

namespace meshgw::control {

struct PeeringManagerOptions {
  // Where peerings persist; "" keeps them in memory only.
  std::string data_dir;
  // This control component's own peering (gRPC TLS) address, "host:port": the token's server
  // address without PeerThroughMeshGateways, and the return path told to peers.
  std::string peering_address;
  absl::Duration heartbeat_interval = absl::Seconds(15);
  // A stream that hears nothing for this long is ended (and redialed by the dialer).
  absl::Duration heartbeat_timeout = absl::Seconds(45);
  // Redial backoff of the dialer (Consul caps it at about a minute).
  absl::Duration redial_base = absl::Milliseconds(500);
  absl::Duration redial_max = absl::Seconds(64);
  // Deadline of one connection attempt and of ExchangeSecret.
  absl::Duration dial_timeout = absl::Seconds(5);
  // How long Establish waits for the secret exchange before returning; the dialer keeps trying
  // after that.
  absl::Duration establish_wait = absl::Seconds(15);
  // Extra channel arguments of the dialer's channels (tests).
  std::function<void(grpc::ChannelArguments*)> channel_args;
};

class PeeringManager {
 public:
  // Create loads the peerings persisted in options.data_dir (if any) and resumes them. `model`
  // gives the local datacenter, partition and trust domain (model.local()), the mesh entry, the
  // exported services and the mesh gateways; `root_pems` the local CA roots. Errors: a trust
  // domain or datacenter missing from the model, an unreadable or corrupt peerings file (named,
  // with the reason).
  static absl::StatusOr<std::unique_ptr<PeeringManager>> Create(PeeringManagerOptions options,
                                                                const Model& model,
                                                                std::vector<std::string> root_pems);
  // Ends every stream (without Terminated: the peerings stay) and joins the manager's threads.
  ~PeeringManager();
  PeeringManager(const PeeringManager&) = delete;
  PeeringManager& operator=(const PeeringManager&) = delete;

  // Acceptor. GenerateToken("gcp-dc2-default", {}): a base64 peering token; the peering is
  // PENDING until the dialer connects. Again for the same name: a new secret replaces the old
  // (same peering ID). `server_external_addresses` ("host:port"), when given, become the token's
  // ManualServerAddresses and ServerAddresses. Errors: an invalid name (a DNS label), a name
  // already used by a dialing peering, PeerThroughMeshGateways without a registered mesh gateway
  // (Consul's message), no peering address configured.
  absl::StatusOr<std::string> GenerateToken(
      std::string_view peer_name, const std::vector<std::string>& server_external_addresses);
  // Dialer. Establish("gcp-dc1-default", token): records the peering ESTABLISHING and starts
  // dialing. Waits up to establish_wait for the secret exchange: OK once exchanged (the stream
  // then turns the peering ACTIVE), PERMISSION_DENIED when the acceptor refused the secret (the
  // peering stays FAILING with the reason; no retry), DEADLINE_EXCEEDED when the acceptor was not
  // reached yet (it keeps trying; `Peerings()` shows last_error). A malformed token is
  // INVALID_ARGUMENT naming the field. Establishing an existing name replaces that peering.
  absl::Status Establish(std::string_view peer_name, std::string_view token);
  // Delete("gcp-dc2-default"): tells the peer (Terminated), ends the stream and removes the
  // peering. NOT_FOUND when there is none.
  absl::Status Delete(std::string_view peer_name);

  // The current peerings (with stream times).
  PeeringSetPtr Peerings() const;
  // What the local side exports or trusts changed: recompute and resend where it differs.
  void UpdateLocal(const Model& model, std::vector<std::string> root_pems);
  // OnChange(f): f is called with the new set after every change that matters (see the top).
  void OnChange(std::function<void(PeeringSetPtr)> callback);

  // The PeeringStream gRPC service, to register on the TLS peering port. Owned by the manager.
  grpc::Service* service();

 private:
  class Impl;
  explicit PeeringManager(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// PeeringServerCredentials(leaf, root_pems): TLS server credentials for the peering port from
// the leaf of EmbeddedCa::IssuePeeringServerLeaf (no client certificate asked: the dialer is
// authenticated by its secret, as with Consul).
std::shared_ptr<grpc::ServerCredentials> PeeringServerCredentials(const IssuedCert& leaf);

// PeeringServerName("gcp-dc1", "<td>") == "server.gcp-dc1.peering.<td>".
std::string PeeringServerName(std::string_view datacenter, std::string_view trust_domain);

}  // namespace meshgw::control

#endif  // MESHGW_CONTROL_PEERING_PEERING_MANAGER_H_
