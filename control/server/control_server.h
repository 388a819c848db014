// The control component's gRPC serving: one plaintext server on `grpc_address` with the xDS ADS
// service (xds::AdsService, gateway tokens checked by `ads.authenticate`), the control API
// (meshgw.control.v1.ControlApi, for the CLI) and gRPC health; and a second, TLS, server on
// `peering_address` with the peering service of PeeringManager.
//
// The control API answers from a `ControlBackend` (the agent implements it): peering operations
// and config writes go to it; read-only questions are computed from its model, peerings and
// snapshots by control/server/queries.h. With `control_tokens`, a call must carry one of them as
// metadata `x-consul-token` (else UNAUTHENTICATED); without, the API is open (the agent only
// allows that on loopback).
//
//   ControlServerOptions options;
//   options.grpc_address = "127.0.0.1:8510";
//   options.peering_address = "127.0.0.1:8503";
//   options.peering_credentials = PeeringServerCredentials(leaf);
//   auto server = ControlServer::Start(options, &cache, &backend, manager->service());
//   (*server)->grpc_port();  // the port bound (0 in the address picks one)
//
// Thread-safety: Start/Shutdown from one thread; the services run on gRPC's threads and call the
// backend concurrently, so a backend must be thread-safe.
#ifndef MESHGW_CONTROL_SERVER_CONTROL_SERVER_H_
#define MESHGW_CONTROL_SERVER_CONTROL_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "control/model/model.h"
#include "control/model/peering.h"
#include "control/server/queries.h"
#include "xds/server.h"
#include "xds/snapshot_cache.h"

namespace meshgw::control {

struct ConfigWriteResult {
  std::string kind;  // "" for service definitions
  std::string name;  // the entry's name, or the service IDs joined with ","
  std::string path;  // where it was written
};

// What the control API needs from the agent. Every method may be called from several threads.
class ControlBackend {
 public:
  virtual ~ControlBackend() = default;

  virtual absl::StatusOr<std::string> GeneratePeeringToken(
      std::string_view peer_name, const std::vector<std::string>& server_external_addresses) = 0;
  virtual absl::Status EstablishPeering(std::string_view peer_name, std::string_view token) = 0;
  virtual absl::Status DeletePeering(std::string_view peer_name) = 0;

  // The model being served, the peerings (may be null) and every gateway's snapshot.
  virtual Model CurrentModel() const = 0;
  virtual PeeringSetPtr CurrentPeerings() const = 0;
  virtual SnapshotsByNode CurrentSnapshots() const = 0;

  // Validates a config file (as the file source reads it; errors "filename:line:col: ...") and
  // writes it into the config folder, then reloads. FailedPrecondition without a config folder
  // (source = "consul").
  virtual absl::StatusOr<ConfigWriteResult> WriteConfig(std::string_view filename,
                                                        std::string content) = 0;
};

struct ControlServerOptions {
  std::string grpc_address = "127.0.0.1:8510";
  std::string peering_address = "127.0.0.1:8503";
  // TLS of the peering port; null (or no peering service) leaves the peering port closed.
  std::shared_ptr<grpc::ServerCredentials> peering_credentials;
  // The ADS service's options (authenticate: gateway tokens; log). Its `address` is not used.
  xds::ServerOptions ads;
  std::vector<std::string> control_tokens;
};

class ControlServer {
 public:
  // Start listens on both addresses. `cache` and `backend` (and `peering_service`, may be null)
  // must outlive the server. Unavailable naming the address that cannot be bound.
  static absl::StatusOr<std::unique_ptr<ControlServer>> Start(ControlServerOptions options,
                                                              xds::SnapshotCache* cache,
                                                              ControlBackend* backend,
                                                              grpc::Service* peering_service);
  ~ControlServer();

  int grpc_port() const { return grpc_port_; }
  int peering_port() const { return peering_port_; }
  const xds::ServerStats& ads_stats() const;

  // Shutdown(deadline): stops accepting, cancels open streams after `deadline`, waits.
  void Shutdown(absl::Duration deadline = absl::Seconds(1));

 private:
  ControlServer() = default;
  std::unique_ptr<xds::AdsService> ads_;
  std::unique_ptr<grpc::Service> control_api_;
  std::unique_ptr<grpc::Server> grpc_server_;
  std::unique_ptr<grpc::Server> peering_server_;
  int grpc_port_ = 0;
  int peering_port_ = 0;
  bool shut_down_ = false;
};

// The service names reported SERVING by gRPC health on the plaintext port.
inline constexpr std::string_view kControlApiServiceName = "meshgw.control.v1.ControlApi";

}  // namespace meshgw::control

#endif  // MESHGW_CONTROL_SERVER_CONTROL_SERVER_H_
