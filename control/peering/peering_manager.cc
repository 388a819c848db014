#include "control/peering/peering_manager.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "common/file.h"
#include "common/log.h"
#include "common/spiffe.h"
#include "control/model/internal/cat.h"
#include "control/peering/peering_token.h"
#include "grpcpp/grpcpp.h"
#include "meshgw/control/v1/peering.grpc.pb.h"
#include "meshgw/control/v1/peering.pb.h"
#include "nlohmann/json.hpp"
#include "xds/backoff.h"

namespace meshgw::control {

using internal::Cat;
namespace pb = ::meshgw::control::v1;
namespace fs = std::filesystem;

namespace {

// How long a side that sent Terminated waits for the other to close before cancelling.
constexpr absl::Duration kTerminateGrace = absl::Seconds(2);
constexpr char kPeeringsFile[] = "peerings.json";
constexpr char kNoGatewaysError[] =
    "servers are configured to PeerThroughMeshGateways, but no mesh gateway instances are "
    "registered";

std::string NewUuid() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof(b)) != 1) {
    // Never silently weak: fall back to the OS generator, which RAND_bytes also uses.
    std::random_device rd;
    for (unsigned char& c : b) c = static_cast<unsigned char>(rd());
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 0xF];
  }
  return out;
}

bool SecretsEqual(const std::string& a, const std::string& b) {
  return !a.empty() && a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// Consul requires peer names to be DNS labels.
absl::Status ValidatePeerName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 63 && name.front() != '-' && name.back() != '-';
  for (char c : name) {
    ok = ok &&
         ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-');
  }
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(
      Cat("peer name \"", name, "\" is not a valid DNS hostname label (letters, digits and '-', ",
          "at most 63, not starting or ending with '-')"));
}

std::string JoinPems(const std::vector<std::string>& pems) {
  std::string out;
  for (const std::string& p : pems) {
    out += p;
    if (!p.empty() && p.back() != '\n') out += '\n';
  }
  return out;
}

std::string AddressString(const ServiceAddress& a) {
  if (a.address.find(':') != std::string::npos) return Cat("[", a.address, "]:", a.port);
  return Cat(a.address, ":", a.port);
}

InstanceHealth FromProto(pb::ExportedService::Health h) {
  switch (h) {
    case pb::ExportedService::WARNING:
      return InstanceHealth::kWarning;
    case pb::ExportedService::CRITICAL:
      return InstanceHealth::kCritical;
    case pb::ExportedService::MAINTENANCE:
      return InstanceHealth::kMaintenance;
    default:
      return InstanceHealth::kPassing;
  }
}

pb::ExportedService::Health ToProto(InstanceHealth h) {
  switch (h) {
    case InstanceHealth::kWarning:
      return pb::ExportedService::WARNING;
    case InstanceHealth::kCritical:
      return pb::ExportedService::CRITICAL;
    case InstanceHealth::kMaintenance:
      return pb::ExportedService::MAINTENANCE;
    case InstanceHealth::kPassing:
      break;
  }
  return pb::ExportedService::PASSING;
}

// ---- the stream of one peering, either side -------------------------------------------------

using Message = pb::PeeringStreamMessage;

// What a session needs from the manager (implemented by PeeringManager::Impl).
class SessionHost {
 public:
  virtual ~SessionHost() = default;
  // The LocalState to send for peering `name` now; nullopt when the peering is gone.
  virtual std::optional<pb::LocalState> BuildLocalState(const std::string& name) = 0;
  virtual void OnReceived(const void* session, const std::string& name, const Message& m) = 0;
  virtual void OnSent(const void* session, const std::string& name) = 0;
};

struct SessionIo {
  std::function<bool(const Message&)> write;
  std::function<bool(Message*)> read;
  std::function<void()> cancel;       // ends the call from any thread
  std::function<void()> writes_done;  // client half-close; empty on the server
};

// One live peering stream. Run() reads on the calling thread (a gRPC handler thread for the
// acceptor, the dialer's thread for the dialer) and writes from a thread of its own, so that a
// write blocked by flow control never holds up the reader or the manager.
class Session {
 public:
  Session(SessionHost* host, std::string name, SessionIo io, absl::Duration heartbeat_interval,
          absl::Duration heartbeat_timeout)
      : host_(host),
        name_(std::move(name)),
        io_(std::move(io)),
        heartbeat_interval_(heartbeat_interval),
        heartbeat_timeout_(heartbeat_timeout) {}

  const std::string& name() const { return name_; }

  void Run() {
    {
      absl::MutexLock l(&mu_);
      last_receive_ = absl::Now();
    }
    std::thread writer([this] { WriterLoop(); });
    Message m;
    while (io_.read(&m)) {
      {
        absl::MutexLock l(&mu_);
        last_receive_ = absl::Now();
        received_any_ = true;
        if (m.has_terminated()) terminated_by_peer_ = true;
      }
      host_->OnReceived(this, name_, m);
      if (m.has_terminated()) {
        // The peer is done with this peering: half-close so that its read ends too.
        break;
      }
    }
    {
      absl::MutexLock l(&mu_);
      reader_done_ = true;
      cv_.SignalAll();
    }
    writer.join();
    if (terminated_by_peer() && io_.writes_done) io_.writes_done();
    absl::MutexLock l(&mu_);
    done_ = true;
    cv_.SignalAll();
  }

  // Close(true): send Terminated, then end the stream; Close(false): end it now.
  void Close(bool send_terminated) {
    absl::MutexLock l(&mu_);
    // After Run the call's context may be gone: nothing left to end.
    if (closing_ || done_) return;
    closing_ = true;
    send_terminated_ = send_terminated;
    cv_.SignalAll();
    if (!send_terminated) io_.cancel();
  }

  // The local state may have changed: the writer rebuilds it and sends it if it differs.
  void Poke() {
    absl::MutexLock l(&mu_);
    poked_ = true;
    cv_.SignalAll();
  }

  // WaitDone(deadline): true once Run has returned.
  bool WaitDone(absl::Time deadline) {
    absl::MutexLock l(&mu_);
    while (!done_) {
      if (cv_.WaitWithDeadline(&mu_, deadline)) return done_;
    }
    return true;
  }

  // After Run: how it ended.
  bool terminated_by_peer() const {
    absl::MutexLock l(&mu_);
    return terminated_by_peer_;
  }
  bool closing() const {
    absl::MutexLock l(&mu_);
    return closing_;
  }
  bool received_any() const {
    absl::MutexLock l(&mu_);
    return received_any_;
  }
  std::string end_reason() const {
    absl::MutexLock l(&mu_);
    return end_reason_;
  }

 private:
  void WriterLoop() {
    absl::Time next_heartbeat = absl::Now();
    std::string last_state;
    absl::MutexLock l(&mu_);
    while (true) {
      while (!reader_done_ && !closing_ && !poked_ && absl::Now() < next_heartbeat) {
        cv_.WaitWithDeadline(&mu_, std::min(next_heartbeat, last_receive_ + heartbeat_timeout_));
        if (absl::Now() - last_receive_ > heartbeat_timeout_) break;
      }
      if (reader_done_) return;
      if (closing_) {
        if (send_terminated_) {
          mu_.Unlock();
          Message m;
          m.mutable_terminated();
          bool ok = io_.write(m);
          if (ok && io_.writes_done) io_.writes_done();
          mu_.Lock();
          // Give the peer a moment to see it and close its side; then cancel.
          absl::Time give_up = absl::Now() + kTerminateGrace;
          while (!reader_done_) {
            if (cv_.WaitWithDeadline(&mu_, give_up)) break;
          }
          if (!reader_done_) io_.cancel();
        }
        return;
      }
      absl::Time now = absl::Now();
      if (now - last_receive_ > heartbeat_timeout_) {
        end_reason_ =
            Cat("no message from the peer for ", absl::FormatDuration(now - last_receive_),
                " (heartbeat timeout ", absl::FormatDuration(heartbeat_timeout_), ")");
        io_.cancel();
        return;
      }
      bool send_state = poked_;
      poked_ = false;
      bool send_heartbeat = now >= next_heartbeat;
      if (send_heartbeat) next_heartbeat = now + heartbeat_interval_;
      mu_.Unlock();
      bool ok = true;
      if (send_state) {
        std::optional<pb::LocalState> state = host_->BuildLocalState(name_);
        if (state.has_value()) {
          std::string bytes = state->SerializeAsString();
          if (bytes != last_state) {
            Message m;
            *m.mutable_local_state() = *std::move(state);
            ok = io_.write(m);
            if (ok) {
              last_state = std::move(bytes);
              host_->OnSent(this, name_);
            }
          }
        }
      }
      if (ok && send_heartbeat) {
        Message m;
        m.mutable_heartbeat();
        ok = io_.write(m);
        if (ok) host_->OnSent(this, name_);
      }
      mu_.Lock();
      if (!ok) {
        if (end_reason_.empty()) end_reason_ = "the stream closed while sending";
        io_.cancel();
        return;
      }
    }
  }

  SessionHost* const host_;
  const std::string name_;
  SessionIo io_;
  const absl::Duration heartbeat_interval_;
  const absl::Duration heartbeat_timeout_;

  mutable absl::Mutex mu_;
  absl::CondVar cv_;
  absl::Time last_receive_ ABSL_GUARDED_BY(mu_);
  bool poked_ ABSL_GUARDED_BY(mu_) = true;  // the first LocalState goes out at once
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  bool send_terminated_ ABSL_GUARDED_BY(mu_) = false;
  bool reader_done_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  bool received_any_ ABSL_GUARDED_BY(mu_) = false;
  bool terminated_by_peer_ ABSL_GUARDED_BY(mu_) = false;
  std::string end_reason_ ABSL_GUARDED_BY(mu_);
};

enum class Role { kAcceptor, kDialer };

// A peering as the manager keeps it: the public view plus what only this side knows.
struct Record {
  Peering p;
  Role role = Role::kAcceptor;
  // Acceptor: the pending one-time secret of the last token. Dialer: the token's secret, until
  // exchanged.
  std::string establishment_secret;
  std::string stream_secret;
  std::vector<std::string> manual_server_addresses;  // dialer: from the token
};

// A dialing peering's thread and what stops it.
struct Dialer {
  std::string name;
  std::thread thread;
  absl::Mutex mu;
  bool stopped ABSL_GUARDED_BY(mu) = false;
  absl::CondVar cv;
  grpc::ClientContext* current ABSL_GUARDED_BY(mu) = nullptr;  // the call in flight
  std::shared_ptr<Session> session ABSL_GUARDED_BY(mu);

  void Stop(bool send_terminated) {
    absl::MutexLock l(&mu);
    stopped = true;
    cv.SignalAll();
    if (session != nullptr) {
      session->Close(send_terminated);
    } else if (current != nullptr) {
      current->TryCancel();
    }
  }
  bool IsStopped() {
    absl::MutexLock l(&mu);
    return stopped;
  }
};

// The outcome of an Establish's secret exchange, which Establish waits for.
struct ExchangeOutcome {
  bool done = false;
  absl::Status status;
};

}  // namespace

std::string PeeringServerName(std::string_view datacenter, std::string_view trust_domain) {
  return Cat("server.", datacenter, ".peering.", trust_domain);
}

std::shared_ptr<grpc::ServerCredentials> PeeringServerCredentials(const IssuedCert& leaf) {
  grpc::SslServerCredentialsOptions options(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  options.pem_key_cert_pairs.push_back({leaf.private_key_pem, leaf.cert_pem});
  return grpc::SslServerCredentials(options);
}

// ---- the manager -----------------------------------------------------------------------------

class PeeringManager::Impl : public SessionHost, public pb::PeeringStream::Service {
 public:
  Impl(PeeringManagerOptions options, Model model, std::vector<std::string> roots)
      : options_(std::move(options)), model_(std::move(model)), roots_(std::move(roots)) {
    absl::MutexLock l(&mu_);
    RecomputeExportsLocked();
  }

  ~Impl() override { Shutdown(); }

  absl::Status Load();
  void ResumeDialers();
  void Shutdown();

  absl::StatusOr<std::string> GenerateToken(std::string_view name,
                                            const std::vector<std::string>& external);
  absl::Status Establish(std::string_view name, std::string_view token_text);
  absl::Status Delete(std::string_view name);
  PeeringSetPtr Peerings() const {
    absl::MutexLock l(&mu_);
    return BuildSetLocked();
  }
  void UpdateLocal(const Model& model, std::vector<std::string> roots);
  void OnChange(std::function<void(PeeringSetPtr)> cb) {
    absl::MutexLock l(&callback_mu_);
    callbacks_.push_back(std::move(cb));
  }

  // SessionHost
  std::optional<pb::LocalState> BuildLocalState(const std::string& name) override;
  void OnReceived(const void* session, const std::string& name, const Message& m) override;
  void OnSent(const void* session, const std::string& name) override;

  // pb::PeeringStream::Service
  grpc::Status ExchangeSecret(grpc::ServerContext* ctx, const pb::ExchangeSecretRequest* req,
                              pb::ExchangeSecretResponse* resp) override;
  grpc::Status StreamResources(grpc::ServerContext* ctx,
                               grpc::ServerReaderWriter<Message, Message>* stream) override;

 private:
  Record* FindLocked(std::string_view name) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto it = records_.find(name);
    return it == records_.end() ? nullptr : &it->second;
  }
  Record* FindByIdLocked(std::string_view id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (auto& [n, r] : records_) {
      if (r.p.id == id) return &r;
    }
    return nullptr;
  }
  bool IsCurrentSessionLocked(const std::string& name, const void* session)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto it = sessions_.find(name);
    return it != sessions_.end() && it->second.get() == session;
  }
  PeeringSetPtr BuildSetLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // What we export to `peer` (our name for it), from exports_.
  const std::vector<pb::ExportedService>& ExportsForLocked(const std::string& peer) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Recomputes exports_ from model_ (at creation and on UpdateLocal).
  void RecomputeExportsLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::vector<std::string>> LocalServerAddressesLocked() const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A change that matters: persist, and queue the new set for the OnChange callbacks (delivered
  // by Flush, outside the lock).
  void ChangedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status PersistLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Flush();
  void StartDialerLocked(const std::string& name) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void DialLoop(Dialer* d);
  // One connection: the secret exchange when needed, then the stream until it ends.
  // `permanent` is set when retrying cannot help.
  absl::Status DialOnce(Dialer* d, size_t attempt, bool* reached, bool* permanent);
  void FinishExchangeLocked(const std::string& name, absl::Status s)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const PeeringManagerOptions options_;

  mutable absl::Mutex mu_;
  Model model_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> roots_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Record, std::less<>> records_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::shared_ptr<Session>, std::less<>> sessions_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::unique_ptr<Dialer>, std::less<>> dialers_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, ExchangeOutcome, std::less<>> exchanges_ ABSL_GUARDED_BY(mu_);
  // Per peer (our name for it), what we export to it; computed once per model, so that views
  // and LocalStates cost a lookup.
  std::map<std::string, std::vector<pb::ExportedService>, std::less<>> exports_
      ABSL_GUARDED_BY(mu_);
  absl::CondVar exchange_cv_;
  uint64_t index_ ABSL_GUARDED_BY(mu_) = 0;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  PeeringSetPtr pending_ ABSL_GUARDED_BY(mu_);
  int active_handlers_ ABSL_GUARDED_BY(mu_) = 0;

  absl::Mutex callback_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  std::vector<std::function<void(PeeringSetPtr)>> callbacks_ ABSL_GUARDED_BY(callback_mu_);
};

PeeringSetPtr PeeringManager::Impl::BuildSetLocked() const {
  auto set = std::make_shared<PeeringSet>();
  for (const auto& [name, r] : records_) {
    Peering p = r.p;
    p.exported.clear();
    for (const pb::ExportedService& e : ExportsForLocked(name)) p.exported.push_back(e.name());
    set->emplace(name, std::move(p));
  }
  return set;
}

const std::vector<pb::ExportedService>& PeeringManager::Impl::ExportsForLocked(
    const std::string& peer) const {
  static const std::vector<pb::ExportedService> kNone;
  auto it = exports_.find(peer);
  return it == exports_.end() ? kNone : it->second;
}

void PeeringManager::Impl::RecomputeExportsLocked() {
  exports_.clear();
  const LocalSettings& local = model_.local();
  const std::string partition = local.partition.empty() ? "default" : local.partition;
  auto entry = model_.Get<ExportedServices>(partition);
  if (entry == nullptr) return;
  // One pass over the model (it may hold thousands of services): the names with a registered
  // instance ("*" exports those; gateways and proxies are not services one exports).
  std::set<std::string> with_instances;
  for (const auto& [id, def] : model_.Services()) {
    if (def->kind.empty()) with_instances.insert(def->name);
  }
  // Service name -> its namespace and consuming peers, by Model::PeersExportedTo's rule (entries
  // naming the service or "*"; consumers by Peer or by SamenessGroup members' Peer) for every
  // candidate at once: the names listed, and with "*" the names with an instance.
  std::map<std::string, std::pair<std::string, std::set<std::string>>> by_name;
  std::set<std::string> star_peers;
  std::string star_ns;
  for (const ExportedService& s : entry->services) {
    std::set<std::string> peers = model_.ConsumerPeers(s);
    std::string ns = s.ns.empty() ? "default" : s.ns;
    if (s.name == "*") {
      star_peers.insert(peers.begin(), peers.end());
      if (star_ns.empty()) star_ns = ns;
      continue;
    }
    auto& [space, consumers] = by_name[s.name];
    if (space.empty()) space = ns;
    consumers.insert(peers.begin(), peers.end());
  }
  if (!star_peers.empty()) {
    for (const std::string& name : with_instances)
      by_name.try_emplace(name, star_ns, std::set<std::string>{});
    for (auto& [name, target] : by_name) target.second.insert(star_peers.begin(), star_peers.end());
  }
  std::vector<pb::GatewayAddress> gateways;
  for (const auto& gw : model_.MeshGateways()) {
    ServiceAddress a = gw->WanAddress();
    if (a.address.empty() || a.port == 0) continue;
    pb::GatewayAddress g;
    g.set_address(a.address);
    g.set_port(a.port);
    gateways.push_back(std::move(g));
  }
  const std::string td = local.TrustDomain();
  for (const auto& [name, target] : by_name) {
    const auto& [ns, peers] = target;
    pb::ExportedService e;
    e.set_name(name);
    e.set_namespace_(ns);
    e.set_partition(partition);
    e.set_protocol(model_.ServiceProtocol(name));
    e.add_spiffe_ids(ServiceSpiffeId(td, ns, local.datacenter, name, partition));
    e.add_spiffe_ids(MeshGatewaySpiffeId(td, local.datacenter, partition));
    for (const pb::GatewayAddress& g : gateways) *e.add_gateways() = g;
    // The model has no health checks of its own: an exported service with no registered
    // instance is reported critical so the importer does not send traffic to nothing.
    e.set_health(ToProto(with_instances.contains(name) ? InstanceHealth::kPassing
                                                       : InstanceHealth::kCritical));
    for (const std::string& peer : peers) {
      pb::ExportedService for_peer = e;
      // The SNI names the consumer by our name for it, in our trust domain.
      for_peer.add_sni(Cat(name, ".", ns, ".", partition, ".", peer, ".external.", td));
      exports_[peer].push_back(std::move(for_peer));
    }
  }
}

absl::StatusOr<std::vector<std::string>> PeeringManager::Impl::LocalServerAddressesLocked() const {
  std::vector<std::string> out;
  if (model_.PeerThroughMeshGateways()) {
    for (const auto& gw : model_.MeshGateways()) {
      ServiceAddress a = gw->WanAddress();
      if (!a.address.empty() && a.port != 0) out.push_back(AddressString(a));
    }
    if (out.empty()) return absl::FailedPreconditionError(kNoGatewaysError);
    return out;
  }
  if (options_.peering_address.empty()) {
    return absl::FailedPreconditionError(
        "no peering address is configured for this control component (peering_address), and "
        "the mesh entry does not set Peering.PeerThroughMeshGateways");
  }
  out.push_back(options_.peering_address);
  return out;
}

void PeeringManager::Impl::ChangedLocked() {
  ++index_;
  if (absl::Status s = PersistLocked(); !s.ok()) {
    MESHGW_LOG(LogLevel::kError, "peering: cannot persist peerings", {"error", s.ToString()});
  }
  pending_ = BuildSetLocked();
}

void PeeringManager::Impl::Flush() {
  absl::MutexLock cb(&callback_mu_);
  PeeringSetPtr set;
  {
    absl::MutexLock l(&mu_);
    set = std::move(pending_);
    pending_ = nullptr;
  }
  if (set == nullptr) return;
  for (const auto& f : callbacks_) f(set);
}

// ---- persistence -----------------------------------------------------------------------------

absl::Status PeeringManager::Impl::PersistLocked() {
  if (options_.data_dir.empty()) return absl::OkStatus();
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [name, r] : records_) {
    const Peering& p = r.p;
    if (p.state == PeeringState::kDeleting) continue;
    nlohmann::json imported = nlohmann::json::array();
    for (const ImportedService& s : p.imported) {
      nlohmann::json gws = nlohmann::json::array();
      for (const ServiceAddress& a : s.gateways)
        gws.push_back({{"address", a.address}, {"port", a.port}});
      imported.push_back({{"name", s.name},
                          {"namespace", s.ns},
                          {"partition", s.partition},
                          {"protocol", s.protocol},
                          {"sni", s.sni},
                          {"spiffe_ids", s.spiffe_ids},
                          {"gateways", gws},
                          {"health", static_cast<int>(s.health)}});
    }
    list.push_back({{"name", p.name},
                    {"id", p.id},
                    {"peer_id", p.peer_id},
                    {"role", r.role == Role::kAcceptor ? "acceptor" : "dialer"},
                    {"state", std::string(PeeringStateName(p.state))},
                    {"partition", p.partition},
                    {"meta", p.meta},
                    {"peer_datacenter", p.peer_datacenter},
                    {"peer_partition", p.peer_partition},
                    {"peer_trust_domain", p.peer_trust_domain},
                    {"peer_ca_pems", p.peer_ca_pems},
                    {"peer_server_name", p.peer_server_name},
                    {"peer_server_addresses", p.peer_server_addresses},
                    {"manual_server_addresses", r.manual_server_addresses},
                    {"establishment_secret", r.establishment_secret},
                    {"stream_secret", r.stream_secret},
                    {"imported", imported},
                    {"create_index", p.create_index},
                    {"modify_index", p.modify_index}});
  }
  nlohmann::json doc = {{"version", 1}, {"peerings", list}};
  std::error_code ec;
  if (fs::create_directories(options_.data_dir, ec)) {
    // A folder made here is the owner's alone: the file holds secrets.
    fs::permissions(options_.data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  }
  if (ec) return absl::PermissionDeniedError(Cat(options_.data_dir, ": ", ec.message()));
  return WriteFileAtomically((fs::path(options_.data_dir) / kPeeringsFile).string(),
                             doc.dump(2) + "\n");
}

absl::Status PeeringManager::Impl::Load() {
  if (options_.data_dir.empty()) return absl::OkStatus();
  const std::string path = (fs::path(options_.data_dir) / kPeeringsFile).string();
  std::error_code ec;
  if (!fs::exists(path, ec)) return absl::OkStatus();
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  nlohmann::json doc = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("peerings") ||
      !doc["peerings"].is_array()) {
    return absl::DataLossError(
        Cat(path, ": not a peerings file (want a JSON object with a \"peerings\" list)"));
  }
  absl::MutexLock l(&mu_);
  const nlohmann::json& list = doc["peerings"];
  for (size_t i = 0; i < list.size(); ++i) {
    const nlohmann::json& j = list[i];
    // The file is ours; a wrong type means it was damaged or hand-edited: say where.
    try {
      Record r;
      Peering& p = r.p;
      p.name = j.at("name").get<std::string>();
      p.id = j.at("id").get<std::string>();
      p.peer_id = j.value("peer_id", "");
      std::string role = j.at("role").get<std::string>();
      if (role != "acceptor" && role != "dialer") {
        return absl::DataLossError(Cat(path, ": peerings[", i, "].role \"", role,
                                       "\" is neither \"acceptor\" nor \"dialer\""));
      }
      r.role = role == "acceptor" ? Role::kAcceptor : Role::kDialer;
      std::string state = j.at("state").get<std::string>();
      p.partition = j.value("partition", "default");
      p.meta = j.value("meta", std::map<std::string, std::string>{});
      p.peer_datacenter = j.value("peer_datacenter", "");
      p.peer_partition = j.value("peer_partition", "default");
      p.peer_trust_domain = j.value("peer_trust_domain", "");
      p.peer_ca_pems = j.value("peer_ca_pems", std::vector<std::string>{});
      p.peer_server_name = j.value("peer_server_name", "");
      p.peer_server_addresses = j.value("peer_server_addresses", std::vector<std::string>{});
      r.manual_server_addresses = j.value("manual_server_addresses", std::vector<std::string>{});
      r.establishment_secret = j.value("establishment_secret", "");
      r.stream_secret = j.value("stream_secret", "");
      for (const nlohmann::json& s : j.value("imported", nlohmann::json::array())) {
        ImportedService is;
        is.name = s.at("name").get<std::string>();
        is.ns = s.value("namespace", "default");
        is.partition = s.value("partition", "default");
        is.protocol = s.value("protocol", "tcp");
        is.sni = s.value("sni", std::vector<std::string>{});
        is.spiffe_ids = s.value("spiffe_ids", std::vector<std::string>{});
        for (const nlohmann::json& g : s.value("gateways", nlohmann::json::array())) {
          is.gateways.push_back({g.at("address").get<std::string>(), g.at("port").get<int>()});
        }
        int h = s.value("health", 0);
        is.health = static_cast<InstanceHealth>(std::clamp(h, 0, 3));
        p.imported.push_back(std::move(is));
      }
      p.create_index = j.value("create_index", uint64_t{0});
      p.modify_index = j.value("modify_index", uint64_t{0});
      // No stream survives a restart: what was up is FAILING until it is back.
      if (state == "PENDING") {
        p.state = PeeringState::kPending;
      } else if (state == "TERMINATED") {
        p.state = PeeringState::kTerminated;
      } else if (state == "ESTABLISHING" || (r.role == Role::kDialer && r.stream_secret.empty())) {
        p.state = PeeringState::kEstablishing;
      } else {
        p.state = PeeringState::kFailing;
        p.last_error = "control component restarted; waiting for the stream";
      }
      index_ = std::max({index_, p.create_index, p.modify_index});
      std::string name = p.name;
      records_[name] = std::move(r);
    } catch (const nlohmann::json::exception& e) {
      return absl::DataLossError(Cat(path, ": peerings[", i, "]: ", e.what()));
    }
  }
  return absl::OkStatus();
}

void PeeringManager::Impl::ResumeDialers() {
  absl::MutexLock l(&mu_);
  for (const auto& [name, r] : records_) {
    if (r.role == Role::kDialer && r.p.state != PeeringState::kTerminated) StartDialerLocked(name);
  }
  pending_ = BuildSetLocked();
}

// ---- acceptor ----------------------------------------------------------------------------------

absl::StatusOr<std::string> PeeringManager::Impl::GenerateToken(
    std::string_view name, const std::vector<std::string>& external) {
  if (absl::Status s = ValidatePeerName(name); !s.ok()) return s;
  for (size_t i = 0; i < external.size(); ++i) {
    absl::StatusOr<ServerHostPort> hp = ParseServerAddress(external[i]);
    if (!hp.ok()) {
      return absl::InvalidArgumentError(
          Cat("server external address ", i, ": ", hp.status().message()));
    }
  }
  std::string token;
  {
    absl::MutexLock l(&mu_);
    Record* r = FindLocked(name);
    if (r != nullptr && r->role == Role::kDialer) {
      return absl::AlreadyExistsError(
          Cat("peering \"", name, "\" was established from a token of the peer (this side ",
              "dials); delete it before generating a token under the same name"));
    }
    std::vector<std::string> addresses = external;
    if (addresses.empty()) {
      absl::StatusOr<std::vector<std::string>> local = LocalServerAddressesLocked();
      if (!local.ok()) return local.status();
      addresses = *std::move(local);
    }
    const LocalSettings& local = model_.local();
    if (r == nullptr) {
      Record fresh;
      fresh.role = Role::kAcceptor;
      fresh.p.name = std::string(name);
      fresh.p.id = NewUuid();
      fresh.p.partition = local.partition.empty() ? "default" : local.partition;
      fresh.p.create_index = index_ + 1;
      r = &records_.emplace(std::string(name), std::move(fresh)).first->second;
    }
    if (r->p.state == PeeringState::kUndefined || r->p.state == PeeringState::kTerminated) {
      r->p.state = PeeringState::kPending;
    }
    // A new secret replaces the last token's: only the newest token can establish.
    r->establishment_secret = NewUuid();
    r->p.modify_index = index_ + 1;
    PeeringToken t;
    t.ca = roots_;
    t.manual_server_addresses = external;
    t.server_addresses = addresses;
    t.server_name = PeeringServerName(local.datacenter, local.TrustDomain());
    t.peer_id = r->p.id;
    t.establishment_secret = r->establishment_secret;
    t.remote.partition = r->p.partition;
    t.remote.datacenter = local.datacenter;
    token = PeeringTokenCodec::Encode(t);
    ChangedLocked();
  }
  Flush();
  MESHGW_LOG(LogLevel::kInfo, "peering: token generated", {"peer", name});
  return token;
}

grpc::Status PeeringManager::Impl::ExchangeSecret(grpc::ServerContext* /*ctx*/,
                                                  const pb::ExchangeSecretRequest* req,
                                                  pb::ExchangeSecretResponse* resp) {
  std::string name;
  {
    absl::MutexLock l(&mu_);
    if (shutting_down_) return {grpc::StatusCode::UNAVAILABLE, "control component stopping"};
    Record* r = FindByIdLocked(req->peer_id());
    if (r == nullptr || r->role != Role::kAcceptor) {
      return {grpc::StatusCode::PERMISSION_DENIED,
              Cat("no peering with ID ", req->peer_id(), " accepts dialers here (deleted?)")};
    }
    if (!SecretsEqual(r->establishment_secret, req->establishment_secret())) {
      return {grpc::StatusCode::PERMISSION_DENIED,
              Cat("peering \"", r->p.name,
                  "\": the establishment secret is not valid (already used, or replaced by a "
                  "newer token); generate a new token")};
    }
    r->establishment_secret.clear();  // one-time
    r->stream_secret = NewUuid();
    r->p.modify_index = index_ + 1;
    resp->set_stream_secret(r->stream_secret);
    name = r->p.name;
    ChangedLocked();
  }
  Flush();
  MESHGW_LOG(LogLevel::kInfo, "peering: establishment secret exchanged", {"peer", name});
  return grpc::Status::OK;
}

grpc::Status PeeringManager::Impl::StreamResources(
    grpc::ServerContext* ctx, grpc::ServerReaderWriter<Message, Message>* stream) {
  Message first;
  if (!stream->Read(&first)) {
    return {grpc::StatusCode::CANCELLED, "the stream closed before its first message"};
  }
  if (!first.has_open()) {
    return {grpc::StatusCode::INVALID_ARGUMENT,
            "the first message of a peering stream must be open"};
  }
  const pb::Open& open = first.open();
  std::shared_ptr<Session> session;
  std::shared_ptr<Session> replaced;
  std::string name;
  {
    absl::MutexLock l(&mu_);
    if (shutting_down_) return {grpc::StatusCode::UNAVAILABLE, "control component stopping"};
    Record* r = FindByIdLocked(open.peer_id());
    if (r == nullptr || r->role != Role::kAcceptor) {
      return {grpc::StatusCode::PERMISSION_DENIED,
              Cat("no peering with ID ", open.peer_id(), " accepts dialers here (deleted?)")};
    }
    if (!SecretsEqual(r->stream_secret, open.stream_secret())) {
      return {grpc::StatusCode::PERMISSION_DENIED,
              Cat("peering \"", r->p.name, "\": the stream secret is not valid")};
    }
    name = r->p.name;
    r->p.peer_id = open.dialer_peer_id();
    SessionIo io;
    io.write = [stream](const Message& m) { return stream->Write(m); };
    io.read = [stream](Message* m) { return stream->Read(m); };
    io.cancel = [ctx] { ctx->TryCancel(); };
    session = std::make_shared<Session>(this, name, std::move(io), options_.heartbeat_interval,
                                        options_.heartbeat_timeout);
    if (auto it = sessions_.find(name); it != sessions_.end()) replaced = it->second;
    sessions_[name] = session;
    ++active_handlers_;
  }
  // The newest stream wins: an older one is a dialer's connection that died half-way.
  if (replaced != nullptr) replaced->Close(false);
  MESHGW_LOG(LogLevel::kInfo, "peering: stream opened by the dialer", {"peer", name});
  session->Run();
  {
    absl::MutexLock l(&mu_);
    if (IsCurrentSessionLocked(name, session.get())) {
      sessions_.erase(name);
      Record* r = FindLocked(name);
      if (r != nullptr && r->p.state != PeeringState::kDeleting) {
        if (session->terminated_by_peer()) {
          r->p.state = PeeringState::kTerminated;
          r->p.imported.clear();
          r->p.last_error = "the peer deleted the peering";
        } else if (!session->closing()) {
          r->p.state = PeeringState::kFailing;
          std::string why = session->end_reason();
          r->p.last_error = why.empty() ? "the dialer's stream ended" : why;
        }
        r->p.modify_index = index_ + 1;
        ChangedLocked();
      }
    }
  }
  Flush();
  MESHGW_LOG(LogLevel::kInfo, "peering: stream ended", {"peer", name});
  // Last: once the count drops, a manager being destroyed may go on.
  absl::MutexLock l(&mu_);
  --active_handlers_;
  exchange_cv_.SignalAll();
  return grpc::Status::OK;
}

// ---- dialer ------------------------------------------------------------------------------------

absl::Status PeeringManager::Impl::Establish(std::string_view name, std::string_view token_text) {
  if (absl::Status s = ValidatePeerName(name); !s.ok()) return s;
  absl::StatusOr<PeeringToken> token = PeeringTokenCodec::Decode(token_text);
  if (!token.ok()) return token.status();
  if (token->establishment_secret.empty()) {
    return absl::InvalidArgumentError(
        "peering token: field \"EstablishmentSecret\" is empty (a token of Consul 1.13?); "
        "generate a new token on the acceptor");
  }
  std::unique_ptr<Dialer> old_dialer;
  std::shared_ptr<Session> old_session;
  {
    absl::MutexLock l(&mu_);
    Record* r = FindLocked(name);
    if (r != nullptr && r->role == Role::kAcceptor && r->p.state != PeeringState::kTerminated) {
      return absl::AlreadyExistsError(
          Cat("peering \"", name, "\" was created by generate-token on this side; delete it ",
              "before establishing under the same name"));
    }
    if (Record* own = FindByIdLocked(token->peer_id);
        own != nullptr && own->role == Role::kAcceptor) {
      return absl::InvalidArgumentError(
          Cat("the peering token was generated by this control component (for \"", own->p.name,
              "\"); establish it on the peer"));
    }
    if (auto it = dialers_.find(name); it != dialers_.end()) {
      old_dialer = std::move(it->second);
      dialers_.erase(it);
    }
    if (auto it = sessions_.find(name); it != sessions_.end()) {
      old_session = it->second;
      sessions_.erase(it);
    }
  }
  if (old_dialer != nullptr) {
    old_dialer->Stop(false);
    if (old_dialer->thread.joinable()) old_dialer->thread.join();
  }
  if (old_session != nullptr) old_session->Close(false);
  {
    absl::MutexLock l(&mu_);
    Record r;
    r.role = Role::kDialer;
    r.p.name = std::string(name);
    r.p.id = NewUuid();
    r.p.peer_id = token->peer_id;
    r.p.state = PeeringState::kEstablishing;
    r.p.partition = model_.local().partition.empty() ? "default" : model_.local().partition;
    r.p.peer_datacenter = token->remote.datacenter;
    r.p.peer_partition = token->remote.partition.empty() ? "default" : token->remote.partition;
    r.p.peer_ca_pems = token->ca;
    r.p.peer_server_name = token->server_name;
    r.p.peer_server_addresses = token->manual_server_addresses.empty()
                                    ? token->server_addresses
                                    : token->manual_server_addresses;
    r.manual_server_addresses = token->manual_server_addresses;
    r.establishment_secret = token->establishment_secret;
    r.p.create_index = r.p.modify_index = index_ + 1;
    records_[std::string(name)] = std::move(r);
    exchanges_[std::string(name)] = ExchangeOutcome{};
    ChangedLocked();
  }
  // The translation sees the ESTABLISHING peering (and programs the local gateway's outbound
  // chain to the acceptor) before the first dial.
  Flush();
  absl::Status outcome;
  {
    absl::MutexLock l(&mu_);
    StartDialerLocked(std::string(name));
    absl::Time deadline = absl::Now() + options_.establish_wait;
    while (true) {
      auto it = exchanges_.find(name);
      if (it == exchanges_.end()) {
        outcome = absl::AbortedError(Cat("peering \"", name, "\" was deleted while establishing"));
        break;
      }
      if (it->second.done) {
        outcome = it->second.status;
        exchanges_.erase(it);
        break;
      }
      if (exchange_cv_.WaitWithDeadline(&mu_, deadline)) {
        Record* r = FindLocked(name);
        outcome = absl::DeadlineExceededError(Cat(
            "peering \"", name, "\": the acceptor was not reached within ",
            absl::FormatDuration(options_.establish_wait), "; still trying",
            r != nullptr && !r->p.last_error.empty() ? Cat(" (last error: ", r->p.last_error, ")")
                                                     : ""));
        exchanges_.erase(std::string(name));
        break;
      }
    }
  }
  return outcome;
}

void PeeringManager::Impl::FinishExchangeLocked(const std::string& name, absl::Status s) {
  auto it = exchanges_.find(name);
  if (it == exchanges_.end()) return;
  it->second.done = true;
  it->second.status = std::move(s);
  exchange_cv_.SignalAll();
}

void PeeringManager::Impl::StartDialerLocked(const std::string& name) {
  if (shutting_down_) return;
  auto d = std::make_unique<Dialer>();
  d->name = name;
  Dialer* raw = d.get();
  dialers_[name] = std::move(d);
  raw->thread = std::thread([this, raw] { DialLoop(raw); });
}

void PeeringManager::Impl::DialLoop(Dialer* d) {
  std::random_device rd;
  xds::JitteredBackoff backoff(options_.redial_base, options_.redial_max,
                               (static_cast<uint64_t>(rd()) << 32) | rd());
  size_t attempt = 0;
  while (!d->IsStopped()) {
    bool reached = false, permanent = false;
    absl::Status s = DialOnce(d, attempt++, &reached, &permanent);
    if (reached) backoff.Reset();
    if (d->IsStopped()) break;
    bool terminated = false;
    {
      absl::MutexLock l(&mu_);
      Record* r = FindLocked(d->name);
      if (r == nullptr) break;
      terminated = r->p.state == PeeringState::kTerminated;
      if (!terminated && !s.ok()) {
        if (r->p.state == PeeringState::kActive || permanent) r->p.state = PeeringState::kFailing;
        r->p.last_error = std::string(s.message());
        r->p.modify_index = index_ + 1;
        ChangedLocked();
      }
      if (permanent) FinishExchangeLocked(d->name, s);
    }
    Flush();
    if (terminated || permanent) {
      if (permanent) {
        MESHGW_LOG(LogLevel::kError, "peering: the acceptor refused this side; not retrying",
                   {"peer", d->name}, {"error", s.ToString()});
      }
      break;
    }
    absl::Duration wait = backoff.Next();
    MESHGW_LOG(LogLevel::kWarn, "peering: stream down; redialing", {"peer", d->name},
               {"error", s.ToString()}, {"in", absl::FormatDuration(wait)});
    absl::MutexLock l(&d->mu);
    absl::Time until = absl::Now() + wait;
    while (!d->stopped) {
      if (d->cv.WaitWithDeadline(&d->mu, until)) break;
    }
  }
}

absl::Status PeeringManager::Impl::DialOnce(Dialer* d, size_t attempt, bool* reached,
                                            bool* permanent) {
  // What this attempt needs, read under the lock.
  std::string name = d->name, id, peer_id, server_name, stream_secret, establishment_secret;
  std::vector<std::string> ca, targets;
  {
    absl::MutexLock l(&mu_);
    Record* r = FindLocked(name);
    if (r == nullptr) return absl::NotFoundError(Cat("peering \"", name, "\" is gone"));
    id = r->p.id;
    peer_id = r->p.peer_id;
    server_name = r->p.peer_server_name;
    stream_secret = r->stream_secret;
    establishment_secret = r->establishment_secret;
    ca = r->p.peer_ca_pems;
    if (model_.PeerThroughMeshGateways() && r->manual_server_addresses.empty()) {
      for (const auto& gw : model_.MeshGateways()) {
        ServiceAddress a = gw->LanAddress();
        if (!a.address.empty() && a.port != 0) targets.push_back(AddressString(a));
      }
      if (targets.empty()) {
        return absl::FailedPreconditionError(
            Cat(kNoGatewaysError, " (this side dials the peer through its local mesh gateway)"));
      }
    } else {
      targets = r->p.peer_server_addresses;
    }
  }
  if (targets.empty()) return absl::FailedPreconditionError("the token has no server address");
  const std::string target = targets[attempt % targets.size()];
  const std::string where = Cat(target, " (TLS server name ", server_name, ")");

  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = JoinPems(ca);
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride(server_name);  // SNI and the name the certificate must carry
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  if (options_.channel_args) options_.channel_args(&args);
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(target, grpc::SslCredentials(tls), args);
  std::unique_ptr<pb::PeeringStream::Stub> stub = pb::PeeringStream::NewStub(channel);

  if (stream_secret.empty()) {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + options_.dial_timeout));
    // Not wait_for_ready: a refused connection or TLS handshake fails the call at once, with
    // its reason, instead of running into the deadline.
    {
      absl::MutexLock l(&d->mu);
      if (d->stopped) return absl::CancelledError("stopped");
      d->current = &ctx;
    }
    pb::ExchangeSecretRequest req;
    req.set_peer_id(peer_id);
    req.set_establishment_secret(establishment_secret);
    pb::ExchangeSecretResponse resp;
    grpc::Status gs = stub->ExchangeSecret(&ctx, req, &resp);
    {
      absl::MutexLock l(&d->mu);
      d->current = nullptr;
    }
    if (!gs.ok()) {
      *permanent = gs.error_code() == grpc::StatusCode::PERMISSION_DENIED;
      return absl::Status(
          static_cast<absl::StatusCode>(gs.error_code()),
          Cat("exchanging the establishment secret with ", where, ": ", gs.error_message()));
    }
    {
      absl::MutexLock l(&mu_);
      Record* r = FindLocked(name);
      if (r == nullptr || r->p.id != id) return absl::NotFoundError("peering replaced");
      r->stream_secret = stream_secret = resp.stream_secret();
      r->establishment_secret.clear();
      r->p.last_error.clear();
      r->p.modify_index = index_ + 1;
      ChangedLocked();
      FinishExchangeLocked(name, absl::OkStatus());
    }
    Flush();
    MESHGW_LOG(LogLevel::kInfo, "peering: establishment secret exchanged", {"peer", name},
               {"via", where});
  }

  if (!channel->WaitForConnected(absl::ToChronoTime(absl::Now() + options_.dial_timeout))) {
    return absl::UnavailableError(Cat("could not connect to ", where, " within ",
                                      absl::FormatDuration(options_.dial_timeout)));
  }
  grpc::ClientContext ctx;
  {
    absl::MutexLock l(&d->mu);
    if (d->stopped) return absl::CancelledError("stopped");
    d->current = &ctx;
  }
  std::unique_ptr<grpc::ClientReaderWriter<Message, Message>> stream = stub->StreamResources(&ctx);
  Message open;
  open.mutable_open()->set_peer_id(peer_id);
  open.mutable_open()->set_stream_secret(stream_secret);
  open.mutable_open()->set_dialer_peer_id(id);
  std::shared_ptr<Session> session;
  if (stream->Write(open)) {
    SessionIo io;
    grpc::ClientReaderWriter<Message, Message>* raw = stream.get();
    io.write = [raw](const Message& m) { return raw->Write(m); };
    io.read = [raw](Message* m) { return raw->Read(m); };
    io.cancel = [&ctx] { ctx.TryCancel(); };
    io.writes_done = [raw] { raw->WritesDone(); };
    session = std::make_shared<Session>(this, name, std::move(io), options_.heartbeat_interval,
                                        options_.heartbeat_timeout);
    bool stop_now = false;
    {
      absl::MutexLock l(&mu_);
      sessions_[name] = session;
    }
    {
      absl::MutexLock l(&d->mu);
      d->current = nullptr;
      stop_now = d->stopped;
      d->session = session;
    }
    if (stop_now) session->Close(false);
    session->Run();
    {
      absl::MutexLock l(&d->mu);
      d->session = nullptr;
    }
    {
      absl::MutexLock l(&mu_);
      if (IsCurrentSessionLocked(name, session.get())) sessions_.erase(name);
    }
    *reached = session->received_any();
  } else {
    absl::MutexLock l(&d->mu);
    d->current = nullptr;
  }
  grpc::Status gs = stream->Finish();
  if (session != nullptr && session->terminated_by_peer()) return absl::OkStatus();
  if (gs.error_code() == grpc::StatusCode::PERMISSION_DENIED) *permanent = true;
  std::string why = session != nullptr ? session->end_reason() : "";
  if (!gs.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(gs.error_code()),
                        Cat("peering stream with ", where, ": ", gs.error_message()));
  }
  return absl::UnavailableError(
      Cat("peering stream with ", where, " ended", why.empty() ? "" : Cat(": ", why)));
}

// ---- both sides --------------------------------------------------------------------------------

std::optional<pb::LocalState> PeeringManager::Impl::BuildLocalState(const std::string& name) {
  absl::MutexLock l(&mu_);
  Record* r = FindLocked(name);
  if (r == nullptr) return std::nullopt;
  const LocalSettings& local = model_.local();
  pb::LocalState s;
  s.mutable_trust_bundle()->set_trust_domain(local.TrustDomain());
  for (const std::string& pem : roots_) s.mutable_trust_bundle()->add_root_pems(pem);
  for (const pb::ExportedService& e : ExportsForLocked(name)) *s.add_exported_services() = e;
  s.set_server_name(PeeringServerName(local.datacenter, local.TrustDomain()));
  // Without an address (no gateway registered yet) the peer keeps what it had.
  if (absl::StatusOr<std::vector<std::string>> a = LocalServerAddressesLocked(); a.ok()) {
    for (const std::string& addr : *a) s.add_server_addresses(addr);
  }
  s.set_datacenter(local.datacenter);
  s.set_partition(r->p.partition);
  s.set_peer_id(r->p.id);
  return s;
}

void PeeringManager::Impl::OnReceived(const void* session, const std::string& name,
                                      const Message& m) {
  {
    absl::MutexLock l(&mu_);
    if (!IsCurrentSessionLocked(name, session)) return;
    Record* r = FindLocked(name);
    if (r == nullptr) return;
    absl::Time now = absl::Now();
    r->p.last_receive = now;
    if (m.has_heartbeat()) {
      r->p.last_heartbeat = now;
      // Heartbeats alone do not matter to the translation: no notification.
      if (r->p.state == PeeringState::kActive) return;
    }
    if (m.has_terminated()) {
      r->p.state = PeeringState::kTerminated;
      r->p.imported.clear();
      r->p.last_error = "the peer deleted the peering";
      r->p.modify_index = index_ + 1;
      ChangedLocked();
      MESHGW_LOG(LogLevel::kInfo, "peering: the peer deleted the peering", {"peer", name});
    } else if (m.has_local_state()) {
      const pb::LocalState& s = m.local_state();
      Peering& p = r->p;
      p.peer_trust_domain = s.trust_bundle().trust_domain();
      p.peer_ca_pems.assign(s.trust_bundle().root_pems().begin(),
                            s.trust_bundle().root_pems().end());
      if (!s.server_name().empty()) p.peer_server_name = s.server_name();
      if (s.server_addresses_size() > 0 && r->manual_server_addresses.empty()) {
        p.peer_server_addresses.assign(s.server_addresses().begin(), s.server_addresses().end());
      }
      if (!s.datacenter().empty()) p.peer_datacenter = s.datacenter();
      if (!s.partition().empty()) p.peer_partition = s.partition();
      if (!s.peer_id().empty()) p.peer_id = s.peer_id();
      p.imported.clear();
      for (const pb::ExportedService& e : s.exported_services()) {
        ImportedService is;
        is.name = e.name();
        is.ns = e.namespace_().empty() ? "default" : e.namespace_();
        is.partition = e.partition().empty() ? "default" : e.partition();
        is.protocol = e.protocol().empty() ? "tcp" : e.protocol();
        is.sni.assign(e.sni().begin(), e.sni().end());
        is.spiffe_ids.assign(e.spiffe_ids().begin(), e.spiffe_ids().end());
        for (const pb::GatewayAddress& g : e.gateways()) {
          is.gateways.push_back({g.address(), g.port()});
        }
        is.health = FromProto(e.health());
        p.imported.push_back(std::move(is));
      }
      std::sort(p.imported.begin(), p.imported.end(),
                [](const ImportedService& a, const ImportedService& b) { return a.name < b.name; });
      bool was_active = p.state == PeeringState::kActive;
      p.state = PeeringState::kActive;
      p.last_error.clear();
      p.modify_index = index_ + 1;
      ChangedLocked();
      if (!was_active) {
        MESHGW_LOG(LogLevel::kInfo, "peering: active", {"peer", name},
                   {"imported", static_cast<int64_t>(p.imported.size())});
      }
    } else {
      return;
    }
  }
  Flush();
}

void PeeringManager::Impl::OnSent(const void* session, const std::string& name) {
  absl::MutexLock l(&mu_);
  if (!IsCurrentSessionLocked(name, session)) return;
  if (Record* r = FindLocked(name)) r->p.last_send = absl::Now();
}

void PeeringManager::Impl::UpdateLocal(const Model& model, std::vector<std::string> roots) {
  {
    absl::MutexLock l(&mu_);
    PeeringSetPtr before = BuildSetLocked();
    model_ = model;
    roots_ = std::move(roots);
    RecomputeExportsLocked();
    for (auto& [name, s] : sessions_) s->Poke();
    // `exported` is the only part of the view that depends on the local model.
    PeeringSetPtr after = BuildSetLocked();
    if (*before != *after) pending_ = std::move(after);
  }
  Flush();
}

absl::Status PeeringManager::Impl::Delete(std::string_view name) {
  std::unique_ptr<Dialer> dialer;
  std::shared_ptr<Session> session;
  {
    absl::MutexLock l(&mu_);
    Record* r = FindLocked(name);
    if (r == nullptr) return absl::NotFoundError(Cat("no peering named \"", name, "\""));
    r->p.state = PeeringState::kDeleting;
    r->p.modify_index = index_ + 1;
    if (auto it = dialers_.find(name); it != dialers_.end()) {
      dialer = std::move(it->second);
      dialers_.erase(it);
    }
    if (auto it = sessions_.find(name); it != sessions_.end()) session = it->second;
    exchanges_.erase(std::string(name));
    exchange_cv_.SignalAll();
    ChangedLocked();
  }
  Flush();
  if (dialer != nullptr) {
    dialer->Stop(/*send_terminated=*/true);
    if (dialer->thread.joinable()) dialer->thread.join();
  } else if (session != nullptr) {
    session->Close(/*send_terminated=*/true);
    session->WaitDone(absl::Now() + kTerminateGrace + absl::Seconds(1));
  }
  {
    absl::MutexLock l(&mu_);
    records_.erase(std::string(name));
    if (auto it = sessions_.find(name); it != sessions_.end() && it->second == session) {
      sessions_.erase(it);
    }
    ChangedLocked();
  }
  Flush();
  MESHGW_LOG(LogLevel::kInfo, "peering: deleted", {"peer", name});
  return absl::OkStatus();
}

void PeeringManager::Impl::Shutdown() {
  std::map<std::string, std::unique_ptr<Dialer>, std::less<>> dialers;
  std::vector<std::shared_ptr<Session>> sessions;
  {
    absl::MutexLock l(&mu_);
    if (shutting_down_) return;
    shutting_down_ = true;
    dialers = std::move(dialers_);
    dialers_.clear();
    for (auto& [n, s] : sessions_) sessions.push_back(s);
  }
  for (auto& [n, d] : dialers) d->Stop(false);
  for (auto& s : sessions) s->Close(false);
  for (auto& [n, d] : dialers) {
    if (d->thread.joinable()) d->thread.join();
  }
  // Acceptor streams run on gRPC's threads: wait until their handlers are out of the manager.
  absl::MutexLock l(&mu_);
  absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (active_handlers_ > 0) {
    if (exchange_cv_.WaitWithDeadline(&mu_, deadline)) break;
  }
}

// ---- PeeringManager ----------------------------------------------------------------------------

PeeringManager::PeeringManager(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PeeringManager::~PeeringManager() = default;

absl::StatusOr<std::unique_ptr<PeeringManager>> PeeringManager::Create(
    PeeringManagerOptions options, const Model& model, std::vector<std::string> root_pems) {
  if (model.local().datacenter.empty()) {
    return absl::InvalidArgumentError("peering: the model has no local datacenter");
  }
  if (!IsValidTrustDomain(model.local().TrustDomain())) {
    return absl::InvalidArgumentError(Cat("peering: the model's trust domain \"",
                                          model.local().TrustDomain(),
                                          "\" is not valid (is the cluster ID set?)"));
  }
  if (options.heartbeat_interval <= absl::ZeroDuration() ||
      options.heartbeat_timeout <= options.heartbeat_interval) {
    return absl::InvalidArgumentError(
        "peering: heartbeat_timeout must be longer than a positive heartbeat_interval");
  }
  auto impl = std::make_unique<Impl>(std::move(options), model, std::move(root_pems));
  if (absl::Status s = impl->Load(); !s.ok()) return s;
  impl->ResumeDialers();
  return std::unique_ptr<PeeringManager>(new PeeringManager(std::move(impl)));
}

absl::StatusOr<std::string> PeeringManager::GenerateToken(
    std::string_view peer_name, const std::vector<std::string>& server_external_addresses) {
  return impl_->GenerateToken(peer_name, server_external_addresses);
}

absl::Status PeeringManager::Establish(std::string_view peer_name, std::string_view token) {
  return impl_->Establish(peer_name, token);
}

absl::Status PeeringManager::Delete(std::string_view peer_name) { return impl_->Delete(peer_name); }

PeeringSetPtr PeeringManager::Peerings() const { return impl_->Peerings(); }

void PeeringManager::UpdateLocal(const Model& model, std::vector<std::string> root_pems) {
  impl_->UpdateLocal(model, std::move(root_pems));
}

void PeeringManager::OnChange(std::function<void(PeeringSetPtr)> callback) {
  impl_->OnChange(std::move(callback));
}

grpc::Service* PeeringManager::service() { return impl_.get(); }

}  // namespace meshgw::control
