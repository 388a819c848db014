#include "control/agent/agent.h"

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/file.h"
#include "common/log.h"
#include "control/peering/peering_manager.h"
#include "control/source/consul_source.h"
#include "control/source/file_source.h"

namespace meshgw::control {
namespace {

namespace fs = std::filesystem;

// The services that call peers' services through the gateway need a leaf (their identity on
// egress): those with upstreams.
std::set<std::string> ServicesWithUpstreams(const Model& model) {
  std::set<std::string> out;
  for (const auto& [id, s] : model.Services()) {
    if (s->connect.has_value() && s->connect->sidecar_service.has_value() &&
        !s->connect->sidecar_service->proxy.upstreams.empty()) {
      out.insert(s->name);
    }
    if (s->kind == "connect-proxy" && s->proxy.has_value() && !s->proxy->upstreams.empty() &&
        !s->proxy->destination_service_name.empty()) {
      out.insert(s->proxy->destination_service_name);
    }
  }
  return out;
}

xds::StreamAuthenticator GatewayAuthenticator(std::vector<GatewayToken> tokens) {
  if (tokens.empty()) return nullptr;
  return [tokens = std::move(tokens)](absl::string_view token,
                                      const envoy::config::core::v3::Node& node) -> absl::Status {
    if (token.empty()) return absl::PermissionDeniedError("no x-consul-token");
    for (const GatewayToken& t : tokens) {
      if (t.token != token) continue;
      for (const std::string& n : t.nodes) {
        if (n == "*" || n == node.id()) return absl::OkStatus();
      }
      return absl::PermissionDeniedError(
          absl::StrCat("the token of ", t.origin, " may not serve node \"", node.id(),
                       "\" (it serves ", absl::StrJoin(t.nodes, ", "), ")"));
    }
    return absl::PermissionDeniedError("unknown token");
  };
}

xds::LogSink XdsLog() {
  return [](xds::LogLevel level, absl::string_view line) {
    LogLevel l = LogLevel::kInfo;
    switch (level) {
      case xds::LogLevel::kDebug:
        l = LogLevel::kDebug;
        break;
      case xds::LogLevel::kInfo:
        l = LogLevel::kInfo;
        break;
      case xds::LogLevel::kWarning:
        l = LogLevel::kWarn;
        break;
      case xds::LogLevel::kError:
        l = LogLevel::kError;
        break;
    }
    const std::string text(line);
    Log(l, "xds", {{"event", text}});
  };
}

std::vector<std::string> RootsOf(const std::vector<std::string>& extra, const EmbeddedCa* ca) {
  std::vector<std::string> roots = extra;
  if (ca != nullptr &&
      std::find(roots.begin(), roots.end(), ca->root().root_cert_pem) == roots.end()) {
    roots.push_back(ca->root().root_cert_pem);
  }
  return roots;
}

// The path a written config file takes in the config folder: where the same entry (or the same
// service) already lives, else the file's own name.
std::string TargetPath(const std::string& config_dir, std::string_view filename,
                       const ConfigFileContents& contents, const Model& model) {
  std::string origin;
  if (contents.entry.has_value()) {
    std::shared_ptr<const ConfigEntry> existing =
        model.Find(KindOf(*contents.entry), EntryName(*contents.entry));
    if (existing != nullptr) origin = EntryOrigin(*existing);
  } else if (!contents.services.empty()) {
    std::shared_ptr<const ServiceDefinition> existing =
        model.FindService(contents.services.front().EffectiveId());
    if (existing != nullptr) {
      // Replace that file only when the new one redefines every service it holds; otherwise the
      // others would silently go (written beside it, a duplicate is reported instead).
      const std::string file = existing->origin.substr(0, existing->origin.find(':'));
      std::set<std::string> ids;
      for (const ServiceDefinition& s : contents.services) ids.insert(s.EffectiveId());
      bool covers = true;
      for (const auto& [id, s] : model.Services()) {
        if (s->origin.substr(0, s->origin.find(':')) == file && ids.count(id) == 0) covers = false;
      }
      if (covers) origin = existing->origin;
    }
  }
  if (!origin.empty()) {
    // origin is "path:line:col".
    std::string path = origin;
    for (int i = 0; i < 2; ++i) {
      size_t colon = path.rfind(':');
      if (colon != std::string::npos) path.resize(colon);
    }
    std::error_code ec;
    fs::path canonical_dir = fs::weakly_canonical(config_dir, ec);
    fs::path canonical = fs::weakly_canonical(path, ec);
    if (!ec && absl::StartsWith(canonical.string(), canonical_dir.string() + "/")) {
      return canonical.string();
    }
  }
  std::string base = fs::path(std::string(filename)).filename().string();
  if (base.empty() || base.front() == '.') base = "entry.hcl";
  if (!absl::EndsWith(base, ".hcl")) base += ".hcl";
  std::string path = (fs::path(config_dir) / base).string();
  if (fs::exists(path) && contents.entry.has_value()) {
    // Another entry lives in a file of that name: name this one by kind and entry name.
    path = (fs::path(config_dir) /
            absl::StrCat(std::string(ConfigEntryKindName(KindOf(*contents.entry))), "-",
                         EntryName(*contents.entry), ".hcl"))
               .string();
  }
  return path;
}

}  // namespace

ControlAgent::ControlAgent(ControlConfig config, std::function<absl::Time()> clock)
    : config_(std::move(config)), clock_(std::move(clock)) {}

absl::StatusOr<std::unique_ptr<ControlAgent>> ControlAgent::Start(
    ControlConfig config, std::function<absl::Time()> clock) {
  std::unique_ptr<ControlAgent> agent(new ControlAgent(std::move(config), std::move(clock)));
  absl::Status s = agent->config_.source == SourceKind::kFile ? agent->StartFileMode()
                                                              : agent->StartConsulMode();
  if (!s.ok()) {
    agent->Stop();
    return s;
  }
  agent->loop_ = std::thread([a = agent.get()] { a->Loop(); });
  return agent;
}

absl::Status ControlAgent::StartFileMode() {
  LocalSettings local;
  local.datacenter = config_.datacenter;
  local.partition = config_.partition;
  local.cluster_id = config_.cluster_id;
  {
    absl::MutexLock lock(&work_mu_);
    FileSourceOptions options;
    options.directory = config_.config_dir;
    options.local = local;
    files_ = std::make_unique<FileSource>(options);
    absl::StatusOr<bool> loaded = files_->Reload();
    if (!loaded.ok()) return loaded.status();
    for (const SkippedFile& f : files_->skipped()) {
      Log(LogLevel::kInfo, "config file skipped", {{"file", f.path}, {"reason", f.reason}});
    }
    CaOptions ca;
    ca.trust_domain = config_.TrustDomain();
    ca.datacenter = config_.datacenter;
    ca.directory = config_.data_dir.empty() ? "" : (fs::path(config_.data_dir) / "ca").string();
    ca.leaf_validity = config_.leaf_cert_ttl;
    absl::StatusOr<std::unique_ptr<EmbeddedCa>> created = EmbeddedCa::Create(ca, clock_());
    if (!created.ok()) {
      return absl::Status(created.status().code(),
                          absl::StrCat("the embedded CA (data_dir ", config_.data_dir,
                                       "): ", created.status().message()));
    }
    ca_ = *std::move(created);
    Log(LogLevel::kInfo, "embedded CA ready",
        {{"trust_domain", ca.trust_domain},
         {"root", ca_->root().id},
         {"loaded", ca_->loaded_from_disk()}});
    absl::StatusOr<std::pair<std::string, int>> hp = SplitHostPort(config_.peering_address);
    if (hp.ok()) local_servers_ = {ServiceAddress{hp->first, hp->second}};
    {
      absl::MutexLock state(&state_mu_);
      model_ = files_->model();
    }
    RefreshCertificatesLocked(clock_());

    PeeringManagerOptions peering;
    peering.data_dir =
        config_.data_dir.empty() ? "" : (fs::path(config_.data_dir) / "peering").string();
    peering.peering_address = config_.peering_address;
    absl::StatusOr<std::unique_ptr<PeeringManager>> manager =
        PeeringManager::Create(peering, files_->model(), ca_material_->root_pems);
    if (!manager.ok()) return manager.status();
    peering_ = *std::move(manager);
    {
      absl::MutexLock state(&state_mu_);
      peerings_ = peering_->Peerings();
    }
    TranslateLocked();
  }
  peering_->OnChange([this](PeeringSetPtr) {
    absl::MutexLock lock(&loop_mu_);
    peerings_changed_ = true;
  });
  return StartServer();
}

absl::Status ControlAgent::StartConsulMode() {
  absl::StatusOr<ConsulHttpConfig> http = ConsulHttpConfig::FromEnv();
  if (!http.ok()) return http.status();
  if (!config_.consul_address.empty()) {
    if (absl::Status s = http->ParseAddress(config_.consul_address); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("consul.address: ", s.message()));
    }
  }
  ConsulSourceOptions options;
  options.http = *http;
  options.local.datacenter = config_.datacenter;
  options.local.partition = config_.partition;
  options.local.cluster_id = config_.cluster_id;
  options.wait = config_.consul_wait;
  options.peering_poll_interval = config_.consul_peering_poll_interval;
  options.on_change = [this](const ConsulState& state) { OnConsulState(state); };
  consul_ = std::make_unique<ConsulSource>(std::move(options));
  if (absl::Status s = consul_->Start(); !s.ok()) return s;
  return StartServer();
}

void ControlAgent::OnConsulState(const ConsulState& state) {
  absl::MutexLock lock(&work_mu_);
  if (ca_ == nullptr || ca_->options().trust_domain != state.trust_domain) {
    if (state.trust_domain.empty()) {
      Log(LogLevel::kWarn, "Consul has no CA trust domain yet; nothing to translate");
      return;
    }
    CaOptions ca;
    ca.trust_domain = state.trust_domain;
    ca.datacenter = config_.datacenter;
    ca.directory = config_.data_dir.empty() ? "" : (fs::path(config_.data_dir) / "ca").string();
    ca.leaf_validity = config_.leaf_cert_ttl;
    absl::StatusOr<std::unique_ptr<EmbeddedCa>> created = EmbeddedCa::Create(ca, clock_());
    if (!created.ok()) {
      Log(LogLevel::kError, "embedded CA for the gateway leaf",
          {{"error", created.status().ToString()}});
      return;
    }
    ca_ = *std::move(created);
    ca_material_ = nullptr;
  }
  extra_roots_ = state.root_pems;
  local_servers_ = state.server_addresses;
  SetModelLocked(state.model);
  {
    absl::MutexLock s(&state_mu_);
    peerings_ = state.peerings;
  }
  RefreshCertificatesLocked(clock_());
  TranslateLocked();
}

absl::Status ControlAgent::StartServer() {
  ControlServerOptions options;
  options.grpc_address = config_.grpc_address;
  options.peering_address = config_.peering_address;
  options.control_tokens = config_.control_tokens;
  options.ads.authenticate = GatewayAuthenticator(config_.gateway_tokens);
  options.ads.log = XdsLog();
  if (config_.gateway_tokens.empty()) {
    Log(LogLevel::kWarn, "no gateway_tokens: any gateway may connect to the xDS server",
        {{"address", config_.grpc_address}});
  }
  grpc::Service* peering_service = nullptr;
  if (peering_ != nullptr) {
    absl::MutexLock lock(&work_mu_);
    if (config_.data_dir.empty()) {
      std::string templ = (fs::temp_directory_path() / "meshgw-control-peering-XXXXXX").string();
      if (mkdtemp(templ.data()) == nullptr) {
        return absl::InternalError("cannot create a folder for the peering certificate");
      }
      peering_tls_dir_ = templ;
      peering_tls_dir_is_temp_ = true;
    } else {
      peering_tls_dir_ = (fs::path(config_.data_dir) / "peering-tls").string();
      std::error_code ec;
      fs::create_directories(peering_tls_dir_, ec);
      fs::permissions(peering_tls_dir_, fs::perms::owner_all, ec);
      if (ec) {
        return absl::InternalError(
            absl::StrCat("data_dir: cannot create ", peering_tls_dir_, ": ", ec.message()));
      }
    }
    if (absl::Status s = WritePeeringCertificateLocked(clock_()); !s.ok()) return s;
    // The watcher re-reads the files every second; a rotated certificate is served from then
    // on, open streams keep theirs.
    auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
        (fs::path(peering_tls_dir_) / "key.pem").string(),
        (fs::path(peering_tls_dir_) / "cert.pem").string(), 1);
    grpc::experimental::TlsServerCredentialsOptions tls(provider);
    tls.watch_identity_key_cert_pairs();
    // The dialer is authenticated by its peering secret, as with Consul.
    tls.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
    options.peering_credentials = grpc::experimental::TlsServerCredentials(tls);
    peering_service = peering_->service();
  }
  absl::StatusOr<std::unique_ptr<ControlServer>> server =
      ControlServer::Start(options, &cache_, this, peering_service);
  if (!server.ok()) return server.status();
  server_ = *std::move(server);
  Log(LogLevel::kInfo, "meshgw-control serving",
      {{"datacenter", config_.datacenter},
       {"grpc", absl::StrCat(config_.grpc_address, " (port ", server_->grpc_port(), ")")},
       {"peering", peering_service == nullptr ? std::string("off")
                                              : absl::StrCat(config_.peering_address, " (port ",
                                                             server_->peering_port(), ")")}});
  return absl::OkStatus();
}

void ControlAgent::Loop() {
  while (true) {
    bool peerings_changed = false;
    {
      absl::MutexLock lock(&loop_mu_);
      loop_mu_.AwaitWithTimeout(absl::Condition(
                                    +[](ControlAgent* a) {
                                      a->loop_mu_.AssertHeld();
                                      return a->stopping_ || a->peerings_changed_;
                                    },
                                    this),
                                config_.poll_interval);
      if (stopping_) return;
      peerings_changed = peerings_changed_;
      peerings_changed_ = false;
    }
    absl::MutexLock lock(&work_mu_);
    bool translate = false;
    if (files_ != nullptr) {
      // Translates itself when the model changed; an error is logged and the last good model
      // keeps serving.
      (void)ReloadFilesLocked(false);
    }
    if (peerings_changed && peering_ != nullptr) {
      absl::MutexLock state(&state_mu_);
      peerings_ = peering_->Peerings();
      translate = true;
    }
    if (ca_ != nullptr && RefreshCertificatesLocked(clock_())) translate = true;
    if (!peering_tls_dir_.empty() && peering_leaf_.NeedsRotation(clock_())) {
      (void)WritePeeringCertificateLocked(clock_());
    }
    if (translate) TranslateLocked();
  }
}

absl::Status ControlAgent::ReloadFilesLocked(bool force) {
  absl::StatusOr<bool> changed = force ? files_->ForceReload() : files_->Reload();
  if (!changed.ok()) {
    const std::string error(changed.status().message());
    if (error != last_reload_error_) {
      // Logged once per distinct problem; the last good model keeps serving.
      Log(LogLevel::kError, "config folder not loaded; the last good configuration keeps serving",
          {{"errors", error}});
      last_reload_error_ = error;
    }
    return changed.status();
  }
  if (!last_reload_error_.empty()) {
    Log(LogLevel::kInfo, "config folder loads again", {{"dir", config_.config_dir}});
    last_reload_error_.clear();
  }
  if (*changed) {
    SetModelLocked(files_->model());
    RefreshCertificatesLocked(clock_());
    if (peering_ != nullptr) peering_->UpdateLocal(files_->model(), ca_material_->root_pems);
    TranslateLocked();
  }
  return absl::OkStatus();
}

void ControlAgent::SetModelLocked(Model model) {
  Model before;
  {
    absl::MutexLock state(&state_mu_);
    before = model_;
    model_ = model;
  }
  ModelDiff diff = DiffModels(before, model);
  if (diff.empty()) return;
  std::vector<std::string> parts;
  for (const EntryKey& k : diff.added) parts.push_back("+" + k.ToString());
  for (const EntryKey& k : diff.changed) parts.push_back("~" + k.ToString());
  for (const EntryKey& k : diff.removed) parts.push_back("-" + k.ToString());
  for (const std::string& s : diff.services_added) parts.push_back("+service/" + s);
  for (const std::string& s : diff.services_changed) parts.push_back("~service/" + s);
  for (const std::string& s : diff.services_removed) parts.push_back("-service/" + s);
  Log(LogLevel::kInfo, "model changed", {{"changes", absl::StrJoin(parts, " ")}});
}

bool ControlAgent::RefreshCertificatesLocked(absl::Time now) {
  if (ca_ == nullptr) return false;
  Model model = CurrentModel();
  auto next = std::make_shared<CaMaterial>();
  if (ca_material_ != nullptr) *next = *ca_material_;
  bool changed = ca_material_ == nullptr;
  const std::vector<std::string> roots = RootsOf(extra_roots_, ca_.get());
  if (next->root_pems != roots) {
    next->root_pems = roots;
    changed = true;
  }
  if (next->gateway_leaf.cert_pem.empty() || next->gateway_leaf.NeedsRotation(now)) {
    absl::StatusOr<IssuedCert> leaf = ca_->IssueMeshGatewayLeaf(now);
    if (leaf.ok()) {
      Log(LogLevel::kInfo, "gateway leaf issued",
          {{"spiffe_id", leaf->spiffe_id}, {"serial", leaf->serial_number}});
      next->gateway_leaf = *std::move(leaf);
      changed = true;
    } else {
      Log(LogLevel::kError, "cannot issue the gateway leaf", {{"error", leaf.status().ToString()}});
    }
  }
  const std::set<std::string> wanted = ServicesWithUpstreams(model);
  for (auto it = next->service_leaves.begin(); it != next->service_leaves.end();) {
    if (wanted.count(it->first) == 0) {
      it = next->service_leaves.erase(it);
      changed = true;
    } else {
      ++it;
    }
  }
  for (const std::string& service : wanted) {
    auto it = next->service_leaves.find(service);
    if (it != next->service_leaves.end() && !it->second.NeedsRotation(now)) continue;
    absl::StatusOr<IssuedCert> leaf = absl::UnknownError("not issued");
    if (consul_ != nullptr) {
      // Consul signs service identities; its agent gives their leaves.
      absl::StatusOr<ConsulHttpConfig> http = ConsulHttpConfig::FromEnv();
      if (http.ok() && !config_.consul_address.empty()) {
        (void)http->ParseAddress(config_.consul_address);
      }
      leaf = http.ok() ? FetchServiceLeaf(*http, service) : http.status();
    } else {
      leaf = ca_->IssueServiceLeaf(service, "default", now);
    }
    if (!leaf.ok()) {
      Log(LogLevel::kError, "cannot get a service leaf",
          {{"service", service}, {"error", leaf.status().ToString()}});
      continue;
    }
    Log(LogLevel::kInfo,
        it == next->service_leaves.end() ? "service leaf issued" : "service leaf rotated",
        {{"service", service}, {"serial", leaf->serial_number}});
    next->service_leaves[service] = *std::move(leaf);
    changed = true;
  }
  if (changed) ca_material_ = std::move(next);
  return changed;
}

absl::Status ControlAgent::WritePeeringCertificateLocked(absl::Time now) {
  absl::StatusOr<IssuedCert> leaf = ca_->IssuePeeringServerLeaf(now);
  if (!leaf.ok()) {
    Log(LogLevel::kError, "cannot issue the peering certificate",
        {{"error", leaf.status().ToString()}});
    return leaf.status();
  }
  // The key first: the watcher only takes a pair whose key matches the certificate, so a read
  // between the two writes keeps the previous pair.
  for (const auto& [name, pem] :
       {std::pair{"key.pem", &leaf->private_key_pem}, std::pair{"cert.pem", &leaf->cert_pem}}) {
    const std::string path = (fs::path(peering_tls_dir_) / name).string();
    if (absl::Status s = WriteFileAtomically(path, *pem, 0600); !s.ok()) return s;
  }
  Log(LogLevel::kInfo, "peering certificate issued",
      {{"spiffe_id", leaf->spiffe_id},
       {"serial", leaf->serial_number},
       {"rotate_after", absl::FormatTime(leaf->rotate_after)}});
  peering_leaf_ = *std::move(leaf);
  return absl::OkStatus();
}

void ControlAgent::TranslateLocked() {
  if (ca_material_ == nullptr) return;
  TranslateInput input;
  input.model = CurrentModel();
  input.peerings = CurrentPeerings();
  input.ca = ca_material_;
  input.local_servers = local_servers_;
  std::map<std::string, std::shared_ptr<const xds::ResourceSnapshot>> changed =
      translator_.Update(input);
  for (const auto& [node, snapshot] : changed) {
    if (snapshot == nullptr) {
      cache_.ClearSnapshot(node);
      Log(LogLevel::kInfo, "gateway left the model", {{"node", node}});
    } else {
      cache_.SetSnapshot(node, snapshot);
      Log(LogLevel::kInfo, "gateway configuration pushed",
          {{"node", node},
           {"version", snapshot->Version()},
           {"resources", static_cast<int64_t>(snapshot->size())}});
    }
  }
  for (const auto& [node, error] : translator_.errors()) {
    Log(LogLevel::kError, "gateway not translated; it keeps its last configuration",
        {{"node", node}, {"error", error.ToString()}});
  }
  absl::MutexLock state(&state_mu_);
  snapshots_ = SnapshotsByNode(translator_.snapshots().begin(), translator_.snapshots().end());
}

void ControlAgent::Stop() {
  if (stopped_) return;
  stopped_ = true;
  {
    absl::MutexLock lock(&loop_mu_);
    stopping_ = true;
  }
  if (loop_.joinable()) loop_.join();
  if (server_ != nullptr) server_->Shutdown(absl::Milliseconds(500));
  if (consul_ != nullptr) consul_->Stop();
  peering_.reset();
  if (peering_tls_dir_is_temp_) {
    std::error_code ec;
    fs::remove_all(peering_tls_dir_, ec);
  }
}

ControlAgent::~ControlAgent() { Stop(); }

std::string ControlAgent::TEST_gateway_leaf_serial() const {
  absl::MutexLock lock(&work_mu_);
  return ca_material_ == nullptr ? "" : ca_material_->gateway_leaf.serial_number;
}

int ControlAgent::grpc_port() const { return server_ == nullptr ? 0 : server_->grpc_port(); }
int ControlAgent::peering_port() const { return server_ == nullptr ? 0 : server_->peering_port(); }

absl::Status ControlAgent::RequirePeering() const {
  if (peering_ != nullptr) return absl::OkStatus();
  return absl::FailedPreconditionError(
      "peerings are Consul's with source = \"consul\": use `consul peering ...`");
}

absl::StatusOr<std::string> ControlAgent::GeneratePeeringToken(
    std::string_view peer_name, const std::vector<std::string>& server_external_addresses) {
  if (absl::Status s = RequirePeering(); !s.ok()) return s;
  return peering_->GenerateToken(peer_name, server_external_addresses);
}

absl::Status ControlAgent::EstablishPeering(std::string_view peer_name, std::string_view token) {
  if (absl::Status s = RequirePeering(); !s.ok()) return s;
  return peering_->Establish(peer_name, token);
}

absl::Status ControlAgent::DeletePeering(std::string_view peer_name) {
  if (absl::Status s = RequirePeering(); !s.ok()) return s;
  return peering_->Delete(peer_name);
}

Model ControlAgent::CurrentModel() const {
  absl::MutexLock lock(&state_mu_);
  return model_;
}

PeeringSetPtr ControlAgent::CurrentPeerings() const {
  if (peering_ != nullptr) return peering_->Peerings();  // with the latest stream times
  absl::MutexLock lock(&state_mu_);
  return peerings_;
}

SnapshotsByNode ControlAgent::CurrentSnapshots() const {
  absl::MutexLock lock(&state_mu_);
  return snapshots_;
}

absl::StatusOr<ConfigWriteResult> ControlAgent::WriteConfig(std::string_view filename,
                                                            std::string content) {
  if (config_.source != SourceKind::kFile) {
    return absl::FailedPreconditionError(
        "config write needs source = \"file\"; with Consul use `consul config write`");
  }
  absl::StatusOr<ConfigFileContents> parsed = ParseConfigFile(filename, content);
  if (!parsed.ok()) return parsed.status();
  if (!parsed->entry.has_value() && parsed->services.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(filename), ": holds nothing for the model",
        parsed->skipped_reason.empty() ? "" : absl::StrCat(" (", parsed->skipped_reason, ")")));
  }
  absl::MutexLock lock(&work_mu_);
  const std::string path = TargetPath(config_.config_dir, filename, *parsed, files_->model());
  std::optional<std::string> previous;
  if (fs::exists(path)) {
    absl::StatusOr<std::string> text = ReadFile(path);
    if (!text.ok()) return text.status();
    previous = *std::move(text);
  }
  std::error_code ec;
  fs::create_directories(config_.config_dir, ec);
  if (absl::Status s = WriteFileAtomically(path, content, 0644); !s.ok()) return s;
  absl::Status reloaded = ReloadFilesLocked(/*force=*/true);
  if (!reloaded.ok()) {
    // The folder does not load with it (a duplicate, say): put things back as they were.
    if (previous.has_value()) {
      (void)WriteFileAtomically(path, *previous, 0644);
    } else {
      fs::remove(path, ec);
    }
    (void)ReloadFilesLocked(/*force=*/true);
    return absl::InvalidArgumentError(absl::StrCat(
        "not written: the config folder does not load with it:\n", reloaded.message()));
  }
  ConfigWriteResult result;
  result.path = path;
  if (parsed->entry.has_value()) {
    result.kind = std::string(ConfigEntryKindName(KindOf(*parsed->entry)));
    result.name = EntryName(*parsed->entry);
  } else {
    std::vector<std::string> ids;
    for (const ServiceDefinition& s : parsed->services) ids.push_back(s.EffectiveId());
    result.name = absl::StrJoin(ids, ",");
  }
  return result;
}

}  // namespace meshgw::control
