// The control agent (`meshgw-control agent -config control.hcl`): everything wired together.
//
//   source (file: FileSource polled every poll_interval; consul: ConsulSource) ─► Model
//   EmbeddedCa ─► CaMaterial (roots, the gateway leaf, a leaf per service with upstreams;
//                 reissued when NeedsRotation)
//   PeeringManager (file source) ─► PeeringSet          ─┐
//   Model + PeeringSet + CaMaterial ─► GatewayTranslator ─► xds::SnapshotCache ─► gateways
//   ControlServer: ADS + control API + gRPC health on grpc_address; peering service on
//                  peering_address (TLS, EmbeddedCa::IssuePeeringServerLeaf)
//
// A change of the model, of the peerings (PeeringManager::OnChange) or of a certificate is
// translated again at once (the translation is incremental: only gateways whose resources
// changed get a new snapshot). A file that does not load is logged with file:line:col and the
// last good model keeps serving. Config writes from the CLI are validated, written into
// config_dir and applied before the call returns.
//
// The peering port's certificate (EmbeddedCa::IssuePeeringServerLeaf) lives in files under
// <data_dir>/peering-tls/ (a private temporary folder without data_dir) that gRPC re-reads, so it
// is rotated like the leaves, without dropping the peering streams.
//
// With source = "consul": the model, the peerings and the roots come from Consul (peerings are
// Consul's: `peering` commands answer FAILED_PRECONDITION); service leaves come from Consul's
// agent (/v1/agent/connect/ca/leaf); the mesh gateway leaf, which Consul's HTTP API does not
// issue, is signed by the embedded CA under Consul's trust domain, and its root is added to the
// roots the translation and peers trust.
//
//   absl::StatusOr<ControlConfig> config = LoadControlConfig("control.hcl");
//   absl::StatusOr<std::unique_ptr<ControlAgent>> agent = ControlAgent::Start(*config);
//   ... (*agent)->grpc_port() ...
//   (*agent)->Stop();
//
// Thread-safety: the agent is a ControlBackend, safe from any thread; Stop from the owner.
#ifndef MESHGW_CONTROL_AGENT_AGENT_H_
#define MESHGW_CONTROL_AGENT_AGENT_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "control/agent/control_config.h"
#include "control/ca/embedded_ca.h"
#include "control/model/model.h"
#include "control/model/peering.h"
#include "control/server/control_server.h"
#include "control/translate/translate.h"
#include "xds/snapshot_cache.h"

namespace meshgw::control {

class FileSource;
class ConsulSource;
struct ConsulState;
class PeeringManager;

class ControlAgent final : public ControlBackend {
 public:
  // Start loads the sources, the CA and the peerings, translates, and listens. Errors: the
  // config files (file:line:col), the CA folder, an address that cannot be bound (named).
  // `clock` gives the time certificates are issued and rotated by (tests pass their own).
  static absl::StatusOr<std::unique_ptr<ControlAgent>> Start(
      ControlConfig config, std::function<absl::Time()> clock = [] { return absl::Now(); });
  ~ControlAgent() override;

  // Stop ends the loop, the server and the peering streams. Idempotent.
  void Stop();

  int grpc_port() const;
  int peering_port() const;
  const ControlConfig& config() const { return config_; }
  // The serial number of the gateway leaf being served (tests of rotation).
  std::string TEST_gateway_leaf_serial() const;

  // ControlBackend.
  absl::StatusOr<std::string> GeneratePeeringToken(
      std::string_view peer_name,
      const std::vector<std::string>& server_external_addresses) override;
  absl::Status EstablishPeering(std::string_view peer_name, std::string_view token) override;
  absl::Status DeletePeering(std::string_view peer_name) override;
  Model CurrentModel() const override;
  PeeringSetPtr CurrentPeerings() const override;
  SnapshotsByNode CurrentSnapshots() const override;
  absl::StatusOr<ConfigWriteResult> WriteConfig(std::string_view filename,
                                                std::string content) override;

 private:
  ControlAgent(ControlConfig config, std::function<absl::Time()> clock);
  absl::Status StartFileMode();
  absl::Status StartConsulMode();
  absl::Status StartServer();
  void Loop();
  // Re-reads the config folder (force: even when no stamp changed); applies a new model.
  absl::Status ReloadFilesLocked(bool force) ABSL_EXCLUSIVE_LOCKS_REQUIRED(work_mu_);
  void OnConsulState(const ConsulState& state);
  // Issues leaves that are missing or due for rotation; true when CaMaterial changed.
  bool RefreshCertificatesLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(work_mu_);
  // Translates the current inputs and publishes the snapshots that changed.
  void TranslateLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(work_mu_);
  void SetModelLocked(Model model) ABSL_EXCLUSIVE_LOCKS_REQUIRED(work_mu_);
  // The peering port's certificate, in files that gRPC's file watcher re-reads: issued at start
  // and again when due for rotation, without restarting the listener.
  absl::Status WritePeeringCertificateLocked(absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(work_mu_);
  absl::Status RequirePeering() const;

  const ControlConfig config_;
  const std::function<absl::Time()> clock_;
  xds::SnapshotCache cache_;

  // The work of the control loop (source, CA, translation) is serialized by work_mu_.
  mutable absl::Mutex work_mu_;
  std::unique_ptr<FileSource> files_ ABSL_GUARDED_BY(work_mu_);
  std::string last_reload_error_ ABSL_GUARDED_BY(work_mu_);
  std::unique_ptr<EmbeddedCa> ca_ ABSL_GUARDED_BY(work_mu_);
  std::shared_ptr<const CaMaterial> ca_material_ ABSL_GUARDED_BY(work_mu_);
  std::vector<std::string> extra_roots_ ABSL_GUARDED_BY(work_mu_);  // Consul's roots
  std::vector<ServiceAddress> local_servers_ ABSL_GUARDED_BY(work_mu_);
  GatewayTranslator translator_ ABSL_GUARDED_BY(work_mu_);
  IssuedCert peering_leaf_ ABSL_GUARDED_BY(work_mu_);
  std::string peering_tls_dir_;  // where the peering certificate files live
  bool peering_tls_dir_is_temp_ = false;

  // What the control API reads, published by the loop.
  mutable absl::Mutex state_mu_;
  Model model_ ABSL_GUARDED_BY(state_mu_);
  PeeringSetPtr peerings_ ABSL_GUARDED_BY(state_mu_);
  SnapshotsByNode snapshots_ ABSL_GUARDED_BY(state_mu_);

  std::unique_ptr<ConsulSource> consul_;
  std::unique_ptr<PeeringManager> peering_;
  std::unique_ptr<ControlServer> server_;

  absl::Mutex loop_mu_;
  bool stopping_ ABSL_GUARDED_BY(loop_mu_) = false;
  bool peerings_changed_ ABSL_GUARDED_BY(loop_mu_) = false;
  std::thread loop_;
  bool stopped_ = false;
};

}  // namespace meshgw::control

#endif  // MESHGW_CONTROL_AGENT_AGENT_H_
