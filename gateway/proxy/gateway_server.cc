#include "gateway/proxy/gateway_server.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gateway/admin/stats_handlers.h"
#include "gateway/proxy/config_dump.h"
#include "gateway/upstream/clusters_page.h"
#include "xds/resource.h"

namespace meshgw::gateway::proxy {
namespace {

uint32_t WorkerCount(uint32_t configured) {
  if (configured > 0) return configured;
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A static resource cannot be overridden by the control plane (nor the other way round) without
// the operator seeing it.
absl::Status StaticConflict(absl::string_view type, const std::string& name,
                            const config::ResourceInput& static_one) {
  return absl::InvalidArgumentError(absl::StrCat(type, " \"", name,
                                                 "\" from xDS conflicts with the static one "
                                                 "declared at ",
                                                 static_one.origin));
}

// Adds `from` to `into`, failing on a name both have.
absl::Status Merge(absl::string_view type, const config::ResourceInputs& from,
                   config::ResourceInputs& into) {
  for (const auto& [name, input] : from) {
    if (const config::ResourceInput* there = into.Find(name)) {
      return StaticConflict(type, name, *there);
    }
    into.emplace(name, input);
  }
  return absl::OkStatus();
}

// Each resource type the gateway subscribes to: the name errors give it and its map in the
// translation input, in the order a rebuild merges them.
struct ResourceKind {
  absl::string_view type_url, name;
  config::ResourceInputs config::TranslateInput::*map;
};
constexpr ResourceKind kResourceKinds[] = {
    {xds::kListenerType, "Listener", &config::TranslateInput::listeners},
    {xds::kClusterType, "Cluster", &config::TranslateInput::clusters},
    {xds::kEndpointType, "ClusterLoadAssignment", &config::TranslateInput::endpoints},
    {xds::kSecretType, "Secret", &config::TranslateInput::secrets},
    {xds::kExtensionConfigType, "TypedExtensionConfig", &config::TranslateInput::extension_configs},
};

const ResourceKind* KindOf(absl::string_view type_url) {
  for (const ResourceKind& k : kResourceKinds) {
    if (k.type_url == type_url) return &k;
  }
  return nullptr;
}

}  // namespace

GatewayServer::GatewayServer(config::Bootstrap bootstrap)
    : bootstrap_(std::move(bootstrap)),
      workers_count_(WorkerCount(bootstrap_.workers)),
      registry_(workers_count_),
      metrics_(registry_),
      cluster_states_(workers_count_),
      admin_(admin::HttpServerOptions{.name = "admin"}),
      metrics_server_(admin::HttpServerOptions{.name = "metrics"}) {
  static_input_ = bootstrap_.static_resources;
}

GatewayServer::~GatewayServer() { Stop(); }

std::shared_ptr<const ActiveConfig> GatewayServer::current() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

absl::Status GatewayServer::Start() {
  absl::StatusOr<std::unique_ptr<AccessLog>> access_log = AccessLog::Open(
      bootstrap_.log.access_log, bootstrap_.log.json ? LogFormat::kJson : LogFormat::kText);
  if (!access_log.ok()) return access_log.status();
  access_log_ = std::move(*access_log);

  RegisterAdminHandlers();
  if (absl::Status s = admin_.Start(bootstrap_.admin.ToString()); !s.ok()) return s;
  if (absl::Status s = metrics_server_.Start(bootstrap_.metrics.ToString()); !s.ok()) {
    admin_.Stop();
    return s;
  }

  WorkerSettings settings;
  settings.max_hello_size = bootstrap_.limits.max_hello_size;
  settings.buffer_size = bootstrap_.limits.buffer_size;
  settings.max_connections = bootstrap_.limits.max_connections;
  settings.process_connections = &process_connections_;
  for (uint32_t i = 0; i < workers_count_; ++i) {
    workers_.push_back(std::make_unique<Worker>(i, settings, &metrics_, access_log_.get()));
    if (absl::Status s = workers_.back()->Start(); !s.ok()) {
      Stop();
      return s;
    }
  }
  absl::Status applied;
  {
    absl::MutexLock lock(&mu_);
    applied = ApplyLocked();
  }
  if (!applied.ok()) {
    Stop();
    return applied;
  }
  metrics_.workers->Set(workers_count_);
  MESHGW_LOG(LogLevel::kInfo, "meshgw started", {"node", bootstrap_.node.id},
             {"workers", workers_count_}, {"admin", bootstrap_.admin.ToString()},
             {"metrics", bootstrap_.metrics.ToString()});
  if (bootstrap_.xds.has_value()) {
    if (absl::Status s = StartXds(); !s.ok()) {
      Stop();
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status GatewayServer::ApplyLocked() {
  config::TranslateInput input = static_input_;
  for (const ResourceKind& kind : kResourceKinds) {
    auto it = xds_resources_.find(std::string(kind.type_url));
    if (it == xds_resources_.end()) continue;
    config::ResourceInputs from;
    config::AddResources(it->second, "xds", &from);
    if (absl::Status s = Merge(kind.name, from, input.*kind.map); !s.ok()) return s;
  }
  if (absl::Status s = InstallLocked(input); !s.ok()) return s;
  input_ = std::move(input);
  return absl::OkStatus();
}

absl::Status GatewayServer::InstallLocked(const config::TranslateInput& input) {
  absl::Time begin = absl::Now();
  absl::StatusOr<config::SnapshotPtr> snapshot = translator_.Translate(input, next_version_);
  if (!snapshot.ok()) return snapshot.status();
  BuildOptions options{.workers = workers_count_,
                       .metrics = &metrics_,
                       .chain_cache = &chain_cache_,
                       .cluster_states = &cluster_states_};
  absl::StatusOr<std::shared_ptr<const ActiveConfig>> active =
      BuildActiveConfig(*snapshot, current_.get(), options);
  if (!active.ok()) return active.status();
  ++next_version_;
  current_ = *active;
  for (auto& worker : workers_) worker->Install(current_);
  last_apply_ = absl::Now() - begin;
  const config::Snapshot& snap = *current_->snapshot;
  metrics_.config_version->Set(static_cast<int64_t>(snap.version));
  metrics_.config_complete->Set(snap.complete ? 1 : 0);
  metrics_.config_apply_microseconds->Set(absl::ToInt64Microseconds(last_apply_));
  metrics_.config_listeners->Set(static_cast<int64_t>(snap.listeners.size()));
  metrics_.config_clusters->Set(static_cast<int64_t>(snap.clusters.size()));
  MESHGW_LOG(LogLevel::kInfo, "configuration installed", {"version", snap.version},
             {"listeners", snap.listeners.size()}, {"clusters", snap.clusters.size()},
             {"complete", snap.complete}, {"apply_us", absl::ToInt64Microseconds(last_apply_)});
  if (!snap.complete) {
    // While a large configuration arrives type by type, thousands of assignments are missing at
    // once: the line names the first few and counts the rest (/config_dump lists them all).
    constexpr size_t kNamed = 10;
    const size_t named = std::min(snap.missing.size(), kNamed);
    std::string missing = absl::StrJoin(snap.missing.begin(), snap.missing.begin() + named, "; ");
    if (snap.missing.size() > named) {
      absl::StrAppend(&missing, "; and ", snap.missing.size() - named, " more");
    }
    MESHGW_LOG(LogLevel::kInfo, "configuration incomplete", {"missing", missing},
               {"missing_count", snap.missing.size()});
  }
  return absl::OkStatus();
}

absl::Status GatewayServer::OnXdsUpdate(const xds::ClientUpdate& update) {
  absl::MutexLock lock(&mu_);
  std::string type(update.type_url);
  const ResourceKind* kind = KindOf(type);
  if (kind == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("type \"", type, "\" is not one meshgw uses"));
  }
  config::ResourceInputs* into = &(input_.*kind->map);
  xds::ResourceMap& mirror = xds_resources_[type];
  // Patch the input and the mirror with the names this update changed. A rejected update leaves
  // both as they were: the input from its copy (shard pointers), the mirror by undoing.
  const config::ResourceInputs input_before = *into;
  struct Undo {
    std::string name;
    xds::ResourcePtr resource;  // null: the name was absent
  };
  std::vector<Undo> undo;
  undo.reserve(update.upserted.size() + update.removed.size());
  auto restore = [&] {
    *into = input_before;
    for (auto it = undo.rbegin(); it != undo.rend(); ++it) {
      if (it->resource != nullptr) {
        mirror.insert_or_assign(it->name, std::move(it->resource));
      } else {
        mirror.erase(it->name);
      }
    }
  };
  auto remember = [&](const std::string& name) {
    Undo& u = undo.emplace_back();
    u.name = name;
    if (auto it = mirror.find(name); it != mirror.end()) u.resource = it->second;
  };
  absl::Status s;
  for (const std::string& name : update.upserted) {
    auto found = update.resources.find(name);
    if (found == update.resources.end()) continue;
    if (const config::ResourceInput* there = into->Find(name);
        there != nullptr && there->origin != "xds") {
      s = StaticConflict(kind->name, name, *there);
      break;
    }
    remember(name);
    into->insert_or_assign(name, config::ResourceInputOf(found->second, "xds"));
    mirror.insert_or_assign(name, found->second);
  }
  if (s.ok()) {
    for (const std::string& name : update.removed) {
      const config::ResourceInput* there = into->Find(name);
      if (there == nullptr || there->origin != "xds") continue;
      remember(name);
      into->erase(name);
      mirror.erase(name);
    }
    s = InstallLocked(input_);
  }
  if (!s.ok()) {
    restore();
    MESHGW_LOG(LogLevel::kWarn, "xDS update rejected", {"type", type},
               {"error", std::string(s.message())});
    return s;
  }
  if (update.type_url == xds::kListenerType) listeners_received_ = true;
  return absl::OkStatus();
}

absl::Status GatewayServer::StartXds() {
  const config::Bootstrap::Xds& x = *bootstrap_.xds;
  xds::ClientOptions options;
  options.target = x.address;
  options.token = x.token;
  if (x.tls.has_value()) {
    grpc::SslCredentialsOptions ssl;
    if (!x.tls->ca_file.empty()) ssl.pem_root_certs = ReadFile(x.tls->ca_file);
    if (!x.tls->cert_file.empty()) ssl.pem_cert_chain = ReadFile(x.tls->cert_file);
    if (!x.tls->key_file.empty()) ssl.pem_private_key = ReadFile(x.tls->key_file);
    options.credentials = grpc::SslCredentials(ssl);
  }
  options.node.set_id(bootstrap_.node.id);
  options.node.set_cluster(bootstrap_.node.cluster);
  options.node.set_user_agent_name("meshgw");
  options.subscriptions = {{std::string(xds::kClusterType), {}},
                           {std::string(xds::kEndpointType), {}},
                           {std::string(xds::kSecretType), {}},
                           // The network RBAC filters' configurations (ECDS), before the
                           // listeners that use them, as the server sends them.
                           {std::string(xds::kExtensionConfigType), {}},
                           {std::string(xds::kListenerType), {}}};
  options.validate = [](absl::string_view type_url, absl::string_view name,
                        const google::protobuf::Any& resource) {
    return config::ValidateResource(type_url, name, resource);
  };
  options.on_update = [this](const xds::ClientUpdate& update) { return OnXdsUpdate(update); };
  options.log = [](xds::LogLevel level, absl::string_view line) {
    LogLevel l = level == xds::LogLevel::kDebug     ? LogLevel::kDebug
                 : level == xds::LogLevel::kInfo    ? LogLevel::kInfo
                 : level == xds::LogLevel::kWarning ? LogLevel::kWarn
                                                    : LogLevel::kError;
    MESHGW_LOG(l, "xds", {"detail", std::string_view(line.data(), line.size())});
  };
  xds_ = std::make_unique<xds::Client>(std::move(options));
  xds_->Start();
  return absl::OkStatus();
}

absl::Status GatewayServer::Reload(config::Bootstrap bootstrap) {
  if (bootstrap.xds.has_value() != bootstrap_.xds.has_value() ||
      (bootstrap.xds.has_value() && bootstrap.xds->address != bootstrap_.xds->address) ||
      bootstrap.admin.ToString() != bootstrap_.admin.ToString() ||
      bootstrap.metrics.ToString() != bootstrap_.metrics.ToString() ||
      bootstrap.workers != bootstrap_.workers || bootstrap.node.id != bootstrap_.node.id) {
    MESHGW_LOG(LogLevel::kWarn,
               "node, xds, admin, metrics and workers changes need a restart; "
               "applying the log settings and the static section only");
  }
  absl::StatusOr<LogLevel> level = ParseLogLevel(bootstrap.log.level);
  if (level.ok()) ProcessLogger().SetLevel(*level);
  absl::MutexLock lock(&mu_);
  config::TranslateInput previous = std::move(static_input_);
  static_input_ = bootstrap.static_resources;
  if (absl::Status s = ApplyLocked(); !s.ok()) {
    static_input_ = std::move(previous);
    return s;
  }
  bootstrap_.static_resources = std::move(bootstrap.static_resources);
  bootstrap_.log = bootstrap.log;
  return absl::OkStatus();
}

uint64_t GatewayServer::active_connections() const {
  uint64_t n = 0;
  for (const auto& w : workers_) n += w->active_connections();
  return n;
}

uint64_t GatewayServer::Drain(absl::Duration timeout) {
  draining_.store(true);
  for (auto& worker : workers_) worker->Drain();
  absl::Time deadline = absl::Now() + timeout;
  uint64_t open = active_connections();
  MESHGW_LOG(LogLevel::kInfo, "draining", {"open_connections", open},
             {"timeout", absl::FormatDuration(timeout)});
  while (open > 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
    open = active_connections();
  }
  return open;
}

void GatewayServer::Stop() {
  // The admin handlers reach into the workers: stop them first.
  admin_.Stop();
  metrics_server_.Stop();
  if (xds_ != nullptr) {
    xds_->Stop();
    xds_.reset();
  }
  for (auto& worker : workers_) worker->Stop();
  workers_.clear();
}

void GatewayServer::RegisterAdminHandlers() {
  using admin::HttpRequest;
  using admin::HttpResponse;
  auto json = [](std::string body) {
    HttpResponse r;
    r.content_type = "application/json";
    r.body = std::move(body);
    return r;
  };
  admin::AdminHooks hooks;
  hooks.state = [this]() -> std::string {
    if (draining_.load()) return "DRAINING";
    absl::MutexLock lock(&mu_);
    if (current_ == nullptr) return "PRE_INITIALIZING";
    if (bootstrap_.xds.has_value() && !listeners_received_) {
      return "INITIALIZING: waiting for the first xDS listeners";
    }
    if (!current_->snapshot->complete) {
      return absl::StrCat("INITIALIZING: ", absl::StrJoin(current_->snapshot->missing, "; "));
    }
    return "LIVE";
  };
  hooks.clusters = [this, json](const HttpRequest& r) {
    std::vector<upstream::ClusterStatus> all = cluster_states_.Current()->Status(absl::Now());
    if (r.Query("format").value_or("") == "json") return json(upstream::RenderClustersJson(all));
    HttpResponse t;
    t.body = upstream::RenderClustersText(all);
    return t;
  };
  hooks.config_dump = [this, json](const HttpRequest&) {
    std::shared_ptr<const ActiveConfig> active = current();
    if (active == nullptr) return HttpResponse::Text(503, "no configuration yet");
    return json(ConfigDumpJson(*active->snapshot));
  };
  hooks.listeners = [this, json](const HttpRequest& r) {
    std::shared_ptr<const ActiveConfig> active = current();
    if (active == nullptr) return HttpResponse::Text(503, "no configuration yet");
    bool as_json = r.Query("format").value_or("") == "json";
    HttpResponse page = as_json ? json("") : HttpResponse();
    page.body = ListenersPage(*active->snapshot, as_json);
    return page;
  };
  hooks.drain_listeners = [this] {
    for (auto& worker : workers_) worker->Drain();
    MESHGW_LOG(LogLevel::kInfo, "listeners drained by the admin endpoint");
  };
  hooks.access_log = access_log_.get();
  admin_endpoints_ = std::make_unique<admin::AdminEndpoints>(admin_, registry_, std::move(hooks));
  admin::AddMetricsHandler(metrics_server_, registry_);
}

}  // namespace meshgw::gateway::proxy
