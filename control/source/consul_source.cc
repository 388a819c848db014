#include "control/source/consul_source.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/synchronization/mutex.h"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/redirect_error.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "common/backoff.h"
#include "common/log.h"
#include "control/model/internal/cat.h"
#include "control/source/consul_json.h"

namespace meshgw::control {

namespace asio = boost::asio;
using internal::Cat;

std::string ConsulAclPermissionFor(std::string_view path) {
  std::string_view p = path.substr(0, path.find('?'));
  auto after = [&](std::string_view prefix) { return std::string(p.substr(prefix.size())); };
  if (p == "/v1/peerings" || p.starts_with("/v1/peering/")) {
    return "peering:read (operator:read on Consul before 1.14)";
  }
  if (p.starts_with("/v1/config/")) {
    std::string kind = after("/v1/config/");
    kind = kind.substr(0, kind.find('/'));
    if (kind == "service-intentions") return "intentions:read on the destination services";
    if (kind == "service-resolver" || kind == "service-defaults" || kind == "service-router" ||
        kind == "service-splitter") {
      return "service:read on the services";
    }
    return "mesh:read";  // exported-services, sameness-group, proxy-defaults, mesh
  }
  if (p == "/v1/catalog/services") return "service:read (service_prefix \"\") and node:read";
  if (p.starts_with("/v1/health/service/") || p.starts_with("/v1/health/connect/")) {
    std::string svc = p.starts_with("/v1/health/service/") ? after("/v1/health/service/")
                                                           : after("/v1/health/connect/");
    return Cat("service:read on \"", svc, "\" and node:read");
  }
  if (p.starts_with("/v1/agent/connect/ca/leaf/")) {
    return Cat("service:write on \"", after("/v1/agent/connect/ca/leaf/"), "\"");
  }
  if (p.starts_with("/v1/connect/ca/roots")) return "none in Consul (check that the token exists)";
  return "read access";
}

namespace {

// Token bucket: `burst` tokens, one more every `interval`.
class TokenBucket {
 public:
  TokenBucket(int burst, absl::Duration interval)
      : burst_(std::max(1, burst)), interval_(interval), tokens_(burst_) {}
  // Take returns zero and spends a token, or how long until one is available.
  absl::Duration Take(absl::Time now) {
    if (last_ != absl::InfinitePast() && interval_ > absl::ZeroDuration()) {
      tokens_ = std::min<double>(burst_, tokens_ + absl::FDivDuration(now - last_, interval_));
    } else if (interval_ <= absl::ZeroDuration()) {
      tokens_ = burst_;
    }
    last_ = now;
    if (tokens_ >= 1) {
      tokens_ -= 1;
      return absl::ZeroDuration();
    }
    return interval_ * (1 - tokens_);
  }

 private:
  int burst_;
  absl::Duration interval_;
  double tokens_;
  absl::Time last_ = absl::InfinitePast();
};

// The kinds mirrored from /v1/config/<kind>.
constexpr ConfigEntryKind kWatchedKinds[] = {
    ConfigEntryKind::kExportedServices,
    ConfigEntryKind::kServiceIntentions,
    ConfigEntryKind::kSamenessGroup,
    ConfigEntryKind::kServiceResolver,
    ConfigEntryKind::kServiceDefaults,
    ConfigEntryKind::kProxyDefaults,
    ConfigEntryKind::kMesh,
};

// Whether a peering's imported services are read: ACTIVE, and FAILING too, since Consul keeps
// the imported catalog while the stream reconnects and the peer's gateways may still serve.
bool ImportsFrom(PeeringState state) {
  return state == PeeringState::kActive || state == PeeringState::kFailing;
}

std::string Trim(std::string_view body) {
  std::string s(body.substr(0, 200));
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

struct ConsulSource::Impl {
  explicit Impl(ConsulSourceOptions o) : opts(std::move(o)) {}

  struct Watch {
    std::string path;  // path and query, without index/wait
    bool blocking = true;
    std::unique_ptr<ConsulHttpConnection> conn;
    std::unique_ptr<asio::steady_timer> timer;
    bool cancelled = false;
    bool have_data = false;
    bool unsupported = false;  // answered 400: a config entry kind this Consul does not have
    TokenBucket bucket;
    JitteredBackoff backoff;
    std::function<absl::Status(const ConsulHttpResponse&)> on_data;
    Watch(int burst, absl::Duration interval, absl::Duration base, absl::Duration max,
          uint64_t seed)
        : bucket(burst, interval), backoff(base, max, seed) {}
  };

  ConsulSourceOptions opts;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::thread thread;
  std::shared_ptr<ConsulTlsContext> tls;
  uint64_t seed = std::random_device{}();

  // io thread only
  bool stopping = false;
  absl::Time started;
  std::map<std::string, std::shared_ptr<Watch>> watches;  // by path
  std::map<ConfigEntryKind, std::vector<ConfigEntry>> entries;
  std::map<std::string, std::vector<std::string>> catalog;
  std::map<std::string, std::vector<ConsulServiceInstance>> health;
  std::optional<ConsulCaRoots> roots;
  std::optional<PeeringSet> peerings;
  std::map<std::string, std::map<std::string, std::vector<std::string>>> peer_catalog;
  std::map<std::string, std::map<std::string, std::vector<ConsulServiceInstance>>> peer_health;
  bool publish_posted = false;
  bool initial_published = false;
  std::unique_ptr<asio::steady_timer> initial_timer;

  mutable absl::Mutex mu;
  std::map<std::string, std::string> errors ABSL_GUARDED_BY(mu);
  std::optional<ConsulState> published ABSL_GUARDED_BY(mu);
  RequestStats stats ABSL_GUARDED_BY(mu);

  // ---- errors ----

  void SetError(const std::string& path, const absl::Status& status) {
    std::string message(status.message());
    bool changed;
    {
      absl::MutexLock lock(&mu);
      auto [it, inserted] = errors.try_emplace(path, message);
      changed = inserted || it->second != message;
      it->second = message;
    }
    if (changed) {
      MESHGW_LOG(LogLevel::kWarn, "consul: request failed; keeping the last good data",
                 {"endpoint", path}, {"error", message});
    }
  }
  void ClearError(const std::string& path) {
    bool had;
    {
      absl::MutexLock lock(&mu);
      had = errors.erase(path) > 0;
    }
    if (had) MESHGW_LOG(LogLevel::kInfo, "consul: endpoint recovered", {"endpoint", path});
  }

  // ---- watches ----

  void StartWatch(std::string path, bool blocking,
                  std::function<absl::Status(const ConsulHttpResponse&)> on_data) {
    if (stopping || watches.contains(path)) return;
    auto w = std::make_shared<Watch>(opts.rate_limit_burst, opts.rate_limit_interval,
                                     opts.retry_base, opts.retry_max, seed++);
    w->path = path;
    w->blocking = blocking;
    w->conn = std::make_unique<ConsulHttpConnection>(ioc.get_executor(), opts.http, tls);
    w->timer = std::make_unique<asio::steady_timer>(ioc);
    w->on_data = std::move(on_data);
    watches[path] = w;
    asio::co_spawn(ioc, Run(w), asio::detached);
  }

  void CancelWatch(const std::string& path) {
    auto it = watches.find(path);
    if (it == watches.end()) return;
    it->second->cancelled = true;
    it->second->conn->Close();
    it->second->timer->cancel();
    watches.erase(it);
    ClearError(path);
  }

  asio::awaitable<void> Sleep(Watch& w, absl::Duration d) {
    w.timer->expires_after(absl::ToChronoNanoseconds(d));
    boost::system::error_code ec;
    co_await w.timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }

  asio::awaitable<void> Run(std::shared_ptr<Watch> w) {
    uint64_t index = 0;
    // After a transport failure the next read does not block: the server may be another one,
    // or restarted with different data at the same index, which a blocking read would not show.
    bool reread = false;
    while (!stopping && !w->cancelled) {
      absl::Duration wait_for = w->bucket.Take(absl::Now());
      if (wait_for > absl::ZeroDuration()) {
        co_await Sleep(*w, wait_for);
        continue;
      }
      std::string target = w->path;
      absl::Duration timeout = absl::Seconds(30);
      if (w->blocking && index > 0 && !reread) {
        target = Cat(target, target.find('?') == std::string::npos ? "?" : "&", "index=", index,
                     "&wait=", absl::ToInt64Milliseconds(opts.wait), "ms");
        // Consul adds up to wait/16 of jitter.
        timeout = opts.wait + opts.wait / 16 + absl::Seconds(15);
      }
      {
        absl::MutexLock lock(&mu);
        ++stats.requests;
      }
      absl::StatusOr<ConsulHttpResponse> r = co_await w->conn->Request("GET", target, "", timeout);
      if (stopping || w->cancelled) break;
      absl::Status err;
      uint64_t new_index = 0;
      if (!r.ok()) {
        err = r.status();
        reread = true;
      } else if (r->status == 403) {
        err =
            absl::PermissionDeniedError(Cat("GET ", w->path, ": 403 ", Trim(r->body),
                                            ": the token needs ", ConsulAclPermissionFor(w->path)));
      } else if (r->status == 400 && w->path.starts_with("/v1/config/")) {
        // A kind this Consul does not know (sameness-group before 1.16 or without
        // Enterprise): nothing of that kind exists. Asked again now and then, in case of an
        // upgrade.
        if (!w->unsupported) {
          MESHGW_LOG(LogLevel::kInfo, "consul: config entry kind not supported; taken as empty",
                     {"endpoint", w->path}, {"answer", Trim(r->body)});
        }
        w->unsupported = true;
        ConsulHttpResponse empty = *r;
        empty.status = 200;
        empty.body = "[]";
        err = w->on_data(empty);
        if (err.ok()) {
          ClearError(w->path);
          w->have_data = true;
          SchedulePublish();
          co_await Sleep(*w, opts.retry_max);
          continue;
        }
      } else if (r->status != 200) {
        err =
            absl::UnavailableError(Cat("GET ", w->path, ": ", r->status, " ", Trim(r->body),
                                       r->status == 429 || r->status >= 500 ? " (retrying)" : ""));
      } else {
        if (w->blocking) {
          std::string header = r->Header("X-Consul-Index");
          if (!absl::SimpleAtoi(header, &new_index)) {
            err = absl::InvalidArgumentError(
                Cat("GET ", w->path, ": X-Consul-Index: expected a number, got \"", header, "\""));
          }
        }
        if (err.ok()) err = w->on_data(*r);
      }
      if (!err.ok()) {
        SetError(w->path, err);
        co_await Sleep(*w, w->backoff.Next());
        continue;
      }
      ClearError(w->path);
      w->backoff.Reset();
      reread = false;
      if (w->blocking) {
        if (new_index < index) {
          // Backwards (a snapshot restore, a restarted server): read everything again, with the
          // smallest index that does not busy-loop.
          absl::MutexLock lock(&mu);
          ++stats.index_resets;
          index = 1;
        } else {
          index = std::max<uint64_t>(new_index, 1);
        }
      }
      w->have_data = true;
      SchedulePublish();
      if (!w->blocking) co_await Sleep(*w, opts.peering_poll_interval);
    }
  }

  // ---- what each endpoint feeds ----

  void StartAll() {
    started = absl::Now();
    for (ConfigEntryKind kind : kWatchedKinds) {
      std::string path = Cat("/v1/config/", ConfigEntryKindName(kind));
      StartWatch(path, true, [this, kind, path](const ConsulHttpResponse& r) -> absl::Status {
        absl::StatusOr<std::vector<ConfigEntry>> decoded =
            DecodeConfigEntryList(path, kind, r.body);
        if (!decoded.ok()) return decoded.status();
        entries[kind] = *std::move(decoded);
        return absl::OkStatus();
      });
    }
    StartWatch("/v1/catalog/services", true, [this](const ConsulHttpResponse& r) {
      absl::StatusOr<std::map<std::string, std::vector<std::string>>> decoded =
          DecodeCatalogServices("/v1/catalog/services", r.body);
      if (!decoded.ok()) return decoded.status();
      catalog = *std::move(decoded);
      ReconcileServiceWatches();
      return absl::OkStatus();
    });
    StartWatch("/v1/connect/ca/roots", true, [this](const ConsulHttpResponse& r) {
      absl::StatusOr<ConsulCaRoots> decoded = DecodeCaRoots("/v1/connect/ca/roots", r.body);
      if (!decoded.ok()) return decoded.status();
      roots = *std::move(decoded);
      return absl::OkStatus();
    });
    StartWatch("/v1/peerings", false, [this](const ConsulHttpResponse& r) {
      absl::StatusOr<PeeringSet> decoded = DecodePeeringList("/v1/peerings", r.body);
      if (!decoded.ok()) return decoded.status();
      peerings = *std::move(decoded);
      ReconcilePeerWatches();
      return absl::OkStatus();
    });
    initial_timer = std::make_unique<asio::steady_timer>(ioc);
    initial_timer->expires_after(absl::ToChronoNanoseconds(opts.initial_sync_timeout));
    initial_timer->async_wait([this](boost::system::error_code ec) {
      if (!ec && !stopping) SchedulePublish();
    });
  }

  static std::string HealthPath(std::string_view service) {
    return Cat("/v1/health/service/", EscapePathSegment(service));
  }
  static std::string PeerCatalogPath(std::string_view peer) {
    return Cat("/v1/catalog/services?peer=", EscapePathSegment(peer));
  }
  static std::string PeerHealthPath(std::string_view peer, std::string_view service) {
    return Cat("/v1/health/connect/", EscapePathSegment(service),
               "?peer=", EscapePathSegment(peer));
  }

  void ReconcileServiceWatches() {
    for (auto it = health.begin(); it != health.end();) {
      if (catalog.contains(it->first)) {
        ++it;
      } else {
        it = health.erase(it);
      }
    }
    std::vector<std::string> stale;
    for (const auto& [path, w] : watches) {
      if (!path.starts_with("/v1/health/service/")) continue;
      bool wanted = false;
      for (const auto& [name, tags] : catalog) {
        if (HealthPath(name) == path) wanted = true;
      }
      if (!wanted) stale.push_back(path);
    }
    for (const std::string& path : stale) CancelWatch(path);
    for (const auto& [name, tags] : catalog) {
      std::string path = HealthPath(name);
      StartWatch(path, true, [this, name = name, path](const ConsulHttpResponse& r) {
        absl::StatusOr<std::vector<ConsulServiceInstance>> decoded =
            DecodeHealthServiceList(path, r.body);
        if (!decoded.ok()) return decoded.status();
        if (catalog.contains(name)) health[name] = *std::move(decoded);
        return absl::OkStatus();
      });
    }
  }

  void ReconcilePeerWatches() {
    std::set<std::string> active;
    if (peerings.has_value()) {
      for (const auto& [name, p] : *peerings) {
        if (ImportsFrom(p.state)) active.insert(name);
      }
    }
    std::vector<std::string> stale;
    for (const auto& [peer, services] : peer_catalog) {
      if (!active.contains(peer)) stale.push_back(peer);
    }
    for (const std::string& peer : stale) DropPeer(peer);
    for (const std::string& peer : active) {
      std::string path = PeerCatalogPath(peer);
      StartWatch(path, true, [this, peer, path](const ConsulHttpResponse& r) {
        absl::StatusOr<std::map<std::string, std::vector<std::string>>> decoded =
            DecodeCatalogServices(path, r.body);
        if (!decoded.ok()) return decoded.status();
        peer_catalog[peer] = *std::move(decoded);
        ReconcilePeerServiceWatches(peer);
        return absl::OkStatus();
      });
    }
  }

  void DropPeer(const std::string& peer) {
    CancelWatch(PeerCatalogPath(peer));
    if (auto it = peer_catalog.find(peer); it != peer_catalog.end()) {
      for (const auto& [svc, tags] : it->second) CancelWatch(PeerHealthPath(peer, svc));
      peer_catalog.erase(it);
    }
    peer_health.erase(peer);
  }

  void ReconcilePeerServiceWatches(const std::string& peer) {
    const auto& services = peer_catalog[peer];
    auto& imported = peer_health[peer];
    for (auto it = imported.begin(); it != imported.end();) {
      if (services.contains(it->first)) {
        ++it;
      } else {
        CancelWatch(PeerHealthPath(peer, it->first));
        it = imported.erase(it);
      }
    }
    std::string prefix = Cat("/v1/health/connect/");
    std::string suffix = Cat("?peer=", EscapePathSegment(peer));
    std::vector<std::string> stale;
    for (const auto& [path, w] : watches) {
      if (!path.starts_with(prefix) || !path.ends_with(suffix)) continue;
      bool wanted = false;
      for (const auto& [svc, tags] : services) {
        if (PeerHealthPath(peer, svc) == path) wanted = true;
      }
      if (!wanted) stale.push_back(path);
    }
    for (const std::string& path : stale) CancelWatch(path);
    for (const auto& [svc, tags] : services) {
      // The replicated proxies answer for their service; they are not services of their own.
      if (svc.ends_with("-sidecar-proxy")) continue;
      std::string path = PeerHealthPath(peer, svc);
      StartWatch(path, true, [this, peer, svc = svc, path](const ConsulHttpResponse& r) {
        absl::StatusOr<std::vector<ConsulServiceInstance>> decoded =
            DecodeHealthServiceList(path, r.body);
        if (!decoded.ok()) return decoded.status();
        if (peer_catalog.contains(peer) && peer_catalog[peer].contains(svc)) {
          peer_health[peer][svc] = *std::move(decoded);
        }
        return absl::OkStatus();
      });
    }
  }

  // ---- publishing ----

  void SchedulePublish() {
    if (publish_posted) return;
    publish_posted = true;
    asio::post(ioc, [this] {
      publish_posted = false;
      Publish();
    });
  }

  bool AllWatchesAnswered() const {
    for (const auto& [path, w] : watches) {
      if (!w->have_data) return false;
    }
    return true;
  }

  std::vector<ServiceDefinition> BuildServices() const {
    std::vector<ServiceDefinition> out;
    std::set<std::string> ids;
    // Index the destinations a sidecar may fold into: (node, service name) -> position in out.
    std::map<std::pair<std::string, std::string>, size_t> by_node_name;
    std::vector<const ConsulServiceInstance*> proxies;
    for (const auto& [name, instances] : health) {
      for (const ConsulServiceInstance& inst : instances) {
        if (inst.service.kind == "connect-proxy" && inst.service.proxy.has_value() &&
            !inst.service.proxy->destination_service_name.empty()) {
          proxies.push_back(&inst);
          continue;
        }
        ServiceDefinition s = inst.service;
        if (!ids.insert(s.EffectiveId()).second) {
          s.id = Cat(inst.node, "/", s.EffectiveId());
          ids.insert(s.id);
        }
        by_node_name.try_emplace({inst.node, s.name}, out.size());
        out.push_back(std::move(s));
      }
    }
    for (const ConsulServiceInstance* p : proxies) {
      auto it = by_node_name.find({p->node, p->service.proxy->destination_service_name});
      if (it != by_node_name.end() && !(out[it->second].connect.has_value() &&
                                        out[it->second].connect->sidecar_service.has_value())) {
        ServiceDefinition& dest = out[it->second];
        if (!dest.connect.has_value()) dest.connect = ServiceConnect{};
        dest.connect->sidecar_service = SidecarService{p->service.port, *p->service.proxy};
        continue;
      }
      ServiceDefinition s = p->service;
      if (!ids.insert(s.EffectiveId()).second) {
        s.id = Cat(p->node, "/", s.EffectiveId());
        ids.insert(s.id);
      }
      out.push_back(std::move(s));
    }
    return out;
  }

  std::vector<ServiceAddress> ServerAddresses() const {
    std::vector<ServiceAddress> out;
    auto it = health.find("consul");
    if (it == health.end()) return out;
    for (const ConsulServiceInstance& inst : it->second) {
      int port = 8503;
      if (auto m = inst.service.meta.find("grpc_tls_port"); m != inst.service.meta.end()) {
        int parsed = 0;
        if (absl::SimpleAtoi(m->second, &parsed) && parsed > 0 && parsed < 65536) port = parsed;
      }
      ServiceAddress a{inst.service.address.empty() ? inst.node_address : inst.service.address,
                       port};
      if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(std::move(a));
    }
    return out;
  }

  void Publish() {
    if (stopping) return;
    if (!initial_published) {
      if (!AllWatchesAnswered() && absl::Now() - started < opts.initial_sync_timeout) return;
      initial_published = true;
    }
    LocalSettings local = opts.local;
    ConsulState state;
    if (roots.has_value()) {
      state.root_pems = roots->root_pems;
      state.trust_domain = roots->trust_domain;
      if (local.cluster_id.empty() && roots->trust_domain.ends_with(".consul")) {
        local.cluster_id = roots->trust_domain.substr(0, roots->trust_domain.size() - 7);
      }
    }
    std::optional<Model> previous;
    {
      absl::MutexLock lock(&mu);
      if (published.has_value()) previous = published->model;
    }
    Model::Builder builder{Model(local)};
    if (previous.has_value()) builder.ReuseUnchangedFrom(*previous);
    for (const auto& [kind, list] : entries) {
      for (const ConfigEntry& e : list) builder.Put(e);
    }
    for (ServiceDefinition& s : BuildServices()) builder.PutService(std::move(s));
    state.model = std::move(builder).Build();

    auto set = std::make_shared<PeeringSet>(peerings.value_or(PeeringSet{}));
    for (auto& [name, p] : *set) {
      auto it = peer_health.find(name);
      if (!ImportsFrom(p.state) || it == peer_health.end()) continue;
      for (const auto& [svc, instances] : it->second) {
        std::optional<ImportedService> imported = ImportedServiceFromInstances(svc, instances);
        if (imported.has_value()) p.imported.push_back(*std::move(imported));
      }
    }
    state.peerings = std::move(set);
    state.server_addresses = ServerAddresses();

    {
      absl::MutexLock lock(&mu);
      if (published.has_value() && DiffModels(published->model, state.model).empty() &&
          *published->peerings == *state.peerings && published->root_pems == state.root_pems &&
          published->trust_domain == state.trust_domain &&
          published->server_addresses == state.server_addresses) {
        return;
      }
      published = state;
    }
    MESHGW_LOG(LogLevel::kInfo, "consul: state changed", {"entries", state.model.EntryCount()},
               {"services", state.model.Services().size()}, {"peerings", state.peerings->size()});
    if (opts.on_change) opts.on_change(state);
  }

  void StopOnIoThread() {
    stopping = true;
    if (initial_timer) initial_timer->cancel();
    for (auto& [path, w] : watches) {
      w->cancelled = true;
      w->conn->Close();
      w->timer->cancel();
    }
  }
};

ConsulSource::ConsulSource(ConsulSourceOptions options)
    : impl_(std::make_shared<Impl>(std::move(options))) {}

ConsulSource::~ConsulSource() { Stop(); }

absl::Status ConsulSource::Start() {
  Impl& s = *impl_;
  if (s.thread.joinable()) return absl::FailedPreconditionError("ConsulSource already started");
  if (s.opts.http.scheme == ConsulHttpConfig::Scheme::kHttps) {
    absl::StatusOr<std::shared_ptr<ConsulTlsContext>> tls = MakeConsulTlsContext(s.opts.http);
    if (!tls.ok()) return tls.status();
    s.tls = *std::move(tls);
  }
  s.work.emplace(s.ioc.get_executor());
  asio::post(s.ioc, [&s] { s.StartAll(); });
  s.thread = std::thread([&s] { s.ioc.run(); });
  MESHGW_LOG(LogLevel::kInfo, "consul: watching", {"address", s.opts.http.BaseUrl()});
  return absl::OkStatus();
}

void ConsulSource::Stop() {
  Impl& s = *impl_;
  if (!s.thread.joinable()) return;
  asio::post(s.ioc, [&s] { s.StopOnIoThread(); });
  s.work.reset();
  s.thread.join();
  // Whatever is left (a resolver mid-flight) is destroyed with the io_context.
  s.watches.clear();
}

std::optional<ConsulState> ConsulSource::state() const {
  absl::MutexLock lock(&impl_->mu);
  return impl_->published;
}

std::vector<std::string> ConsulSource::Errors() const {
  std::vector<std::string> out;
  absl::MutexLock lock(&impl_->mu);
  for (const auto& [path, message] : impl_->errors) out.push_back(message);
  std::sort(out.begin(), out.end());
  return out;
}

ConsulSource::RequestStats ConsulSource::TEST_Stats() const {
  absl::MutexLock lock(&impl_->mu);
  return impl_->stats;
}

absl::StatusOr<IssuedCert> FetchServiceLeaf(const ConsulHttpConfig& config,
                                            std::string_view service, absl::Duration timeout) {
  std::string path = Cat("/v1/agent/connect/ca/leaf/", EscapePathSegment(service));
  absl::StatusOr<ConsulHttpResponse> r = ConsulHttpRequest(config, "GET", path, "", timeout);
  if (!r.ok()) return r.status();
  if (r->status == 403) {
    return absl::PermissionDeniedError(Cat("GET ", path, ": 403 ", Trim(r->body),
                                           ": the token needs ", ConsulAclPermissionFor(path)));
  }
  if (r->status != 200) {
    return absl::UnavailableError(Cat("GET ", path, ": ", r->status, " ", Trim(r->body)));
  }
  return DecodeLeafCert(path, r->body);
}

}  // namespace meshgw::control
