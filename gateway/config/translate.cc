// Assembles a Snapshot from the translated parts, with the cache that makes a change to one
// resource among thousands cost one resource.
#include "gateway/config/translate.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gateway/config/translate_internal.h"
#include "xds/validate.h"

namespace meshgw::gateway::config {
namespace {

namespace ti = translate_internal;
namespace cluster = envoy::config::cluster::v3;
namespace core = envoy::config::core::v3;
namespace endpoint = envoy::config::endpoint::v3;
namespace listener = envoy::config::listener::v3;
namespace tls = envoy::extensions::transport_sockets::tls::v3;

using AnyPtr = std::shared_ptr<const google::protobuf::Any>;
using Names = std::shared_ptr<const std::vector<std::string>>;

// "gateway.hcl:12:3: " for static resources, "" for xDS ones.
std::string OriginPrefix(const ResourceInput& in) {
  if (in.origin.empty() || in.origin == "xds") return "";
  return absl::StrCat(in.origin, ": ");
}

absl::Status ResourceError(absl::string_view kind, absl::string_view name, const ResourceInput& in,
                           const absl::Status& status) {
  return absl::Status(status.code(),
                      absl::StrCat(OriginPrefix(in), kind, " \"", name, "\": ", status.message()));
}

// Unpacks a resource and checks that its own name is the one it is filed under.
template <typename T>
absl::Status UnpackResource(const ResourceInput& in, absl::string_view name,
                            const std::string& (T::*name_field)() const, T* out) {
  if (in.resource == nullptr) return ti::Invalid("resource", "absent");
  if (!in.resource->Is<T>()) {
    return ti::Invalid("resource", absl::StrCat("type ", in.resource->type_url(), " is not ",
                                                T::descriptor()->full_name()));
  }
  if (!in.resource->UnpackTo(out)) {
    return ti::Invalid("resource", absl::StrCat("cannot decode as ", T::descriptor()->full_name()));
  }
  if ((out->*name_field)() != name) {
    return ti::Invalid(
        "name", absl::StrCat("\"", (out->*name_field)(), "\" differs from the resource name"));
  }
  return absl::OkStatus();
}

bool SameResource(const AnyPtr& a, const AnyPtr& b) {
  if (a == b) return true;
  if (a == nullptr || b == nullptr) return false;
  return a->type_url() == b->type_url() && a->value() == b->value();
}

// Secrets of one translation, resolved up front (they are few, and a file's content may have
// changed since the last translation).
class SecretTable : public ti::SecretResolver {
 public:
  absl::StatusOr<const ti::ResolvedSecret*> Find(const std::string& name) override {
    auto it = secrets_.find(name);
    return it == secrets_.end() ? nullptr : &it->second;
  }
  std::map<std::string, ti::ResolvedSecret> secrets_;
};

bool SameSecrets(const std::vector<std::pair<std::string, uint64_t>>& used, SecretTable& table) {
  for (const auto& [name, hash] : used) {
    absl::StatusOr<const ti::ResolvedSecret*> s = table.Find(name);
    const uint64_t now = (s.ok() && *s != nullptr) ? (*s)->content_hash : 0;
    if (now != hash) return false;
  }
  return true;
}

}  // namespace

// What the last successful Translate made, kept to make the next one cost what changed: its input
// (diffed against the next input, shard by shard), its snapshot (whose maps the next one starts
// from) and each resource's translation. Copying it copies the maps' shard pointers only, so a
// Translate works on a copy and keeps it only when it succeeds.
struct Translator::Cache {
  struct ClusterEntry {
    AnyPtr cluster;
    AnyPtr assignment;  // null: none was used (STATIC, or EDS with the assignment missing)
    std::vector<std::pair<std::string, uint64_t>> secrets;
    std::vector<std::string> missing_secrets;  // the names of the secrets it named and lacks
    std::vector<std::string> missing;  // what this cluster lacks, as Snapshot::missing says it
    std::shared_ptr<const Cluster> result;
  };
  struct ListenerEntry {
    AnyPtr listener;
    std::shared_ptr<const ti::TranslatedListener> result;
    // What the listener lacks in the snapshot it went into (its own secrets, the clusters its
    // chains name, the ECDS configurations they need): checked again only when the listener,
    // the set of cluster names or the set of configuration names changes.
    std::vector<std::string> missing;
  };
  struct ExtensionConfigEntry {
    AnyPtr resource;
    std::shared_ptr<const RbacFilter> result;
  };

  TranslateInput input;
  SnapshotPtr snapshot;
  SharedMap<std::shared_ptr<const ClusterEntry>> clusters;
  // ClusterLoadAssignment name → the clusters (by name) that took their endpoints from it, so a
  // changed assignment re-translates its clusters only.
  // (Values are shared vectors: a shard cloned during a large update copies pointers, not names.)
  SharedMap<Names> assignment_users;
  std::map<std::string, ListenerEntry, std::less<>> listeners;
  SharedMap<std::shared_ptr<const ExtensionConfigEntry>> extension_configs;
  // The clusters that lack something (their assignment, a secret), with what they lack.
  SharedMap<Names> cluster_missing;
  std::map<std::string, uint64_t> secret_hashes;  // content hash of each secret last time
  size_t last_decoded = 0;
};

ResourceInput ResourceInputOf(const xds::ResourcePtr& resource, absl::string_view origin) {
  // A payload held in parts (a control component's mesh listener) is joined once here.
  return ResourceInput{
      .resource = resource->shared_payload == nullptr
                      ? AnyPtr(resource, &resource->body)
                      : std::make_shared<const google::protobuf::Any>(resource->Packed()),
      .version = resource->version,
      .origin = std::string(origin),
  };
}

void AddResources(const xds::ResourceMap& resources, absl::string_view origin,
                  ResourceInputs* out) {
  for (const auto& [name, resource] : resources) {
    out->insert_or_assign(name, ResourceInputOf(resource, origin));
  }
}

absl::Status ValidateResource(absl::string_view type_url, absl::string_view name,
                              const google::protobuf::Any& resource) {
  if (absl::Status s = xds::ValidateMeshGatewayResource(type_url, name, resource); !s.ok()) {
    return s;
  }
  // The same translation as Translate's, with no other resource around: what is absent is fine,
  // what is wrong in this resource is not.
  ResourceInput in;
  in.resource = AnyPtr(&resource, [](const google::protobuf::Any*) {});
  const std::string key(name);
  if (type_url == xds::kListenerType) {
    listener::Listener proto;
    if (absl::Status s = UnpackResource(in, key, &listener::Listener::name, &proto); !s.ok()) {
      return s;
    }
    return ti::TranslateListener(proto, nullptr).status();
  }
  if (type_url == xds::kClusterType) {
    cluster::Cluster proto;
    if (absl::Status s = UnpackResource(in, key, &cluster::Cluster::name, &proto); !s.ok()) {
      return s;
    }
    ti::SecretDeps deps;
    return ti::TranslateCluster(proto, nullptr, &deps).status();
  }
  if (type_url == xds::kEndpointType) {
    endpoint::ClusterLoadAssignment proto;
    if (absl::Status s =
            UnpackResource(in, key, &endpoint::ClusterLoadAssignment::cluster_name, &proto);
        !s.ok()) {
      return s;
    }
    return ti::TranslateEndpoints(proto, "").status();
  }
  if (type_url == xds::kSecretType) {
    tls::Secret proto;
    if (absl::Status s = UnpackResource(in, key, &tls::Secret::name, &proto); !s.ok()) return s;
    return ti::TranslateSecret(proto).status();
  }
  if (type_url == xds::kExtensionConfigType) {
    core::TypedExtensionConfig proto;
    if (absl::Status s = UnpackResource(in, key, &core::TypedExtensionConfig::name, &proto);
        !s.ok()) {
      return s;
    }
    return ti::TranslateExtensionConfig(proto).status();
  }
  return absl::InvalidArgumentError(absl::StrCat("unsupported resource type ", type_url));
}

Translator::Translator() : cache_(std::make_unique<Cache>()) {}
Translator::~Translator() = default;

size_t Translator::last_decoded() const { return cache_->last_decoded; }

namespace {

// Sets `map[key] = value` unless it holds that value already (an unchanged entry keeps its shard
// shared with the previous snapshot's).
template <typename V>
void SetIfChanged(SharedMap<V>& map, const std::string& key, V value) {
  const V* now = map.Find(key);
  if (now == nullptr || !(*now == value)) map.insert_or_assign(key, std::move(value));
}

// Keeps `resource_versions` ("<type>/<name>" → version) in step with one type's inputs.
void PatchVersions(const ResourceInputs& before, const ResourceInputs& after,
                   absl::string_view type, SharedMap<std::string>& versions) {
  ResourceInputs::ForEachDifference(
      before, after,
      [&](const std::string& name, const ResourceInput* /*was*/, const ResourceInput* now) {
        std::string key = absl::StrCat(type, "/", name);
        if (now == nullptr) {
          versions.erase(key);
        } else {
          SetIfChanged(versions, key, now->version);
        }
      });
}

void RemoveUser(SharedMap<Names>& users, const std::string& assignment,
                const std::string& cluster) {
  const Names* now = users.Find(assignment);
  if (now == nullptr) return;
  auto left = std::make_shared<std::vector<std::string>>();
  for (const std::string& c : **now) {
    if (c != cluster) left->push_back(c);
  }
  if (left->empty()) {
    users.erase(assignment);
  } else if (left->size() != (*now)->size()) {
    users.insert_or_assign(assignment, std::move(left));
  }
}

void AddUser(SharedMap<Names>& users, const std::string& assignment, const std::string& cluster) {
  const Names* now = users.Find(assignment);
  if (now != nullptr && std::find((*now)->begin(), (*now)->end(), cluster) != (*now)->end()) {
    return;
  }
  auto more = now == nullptr ? std::make_shared<std::vector<std::string>>()
                             : std::make_shared<std::vector<std::string>>(**now);
  more->push_back(cluster);
  users.insert_or_assign(assignment, std::move(more));
}

// What `listener` lacks in `snap`: the secrets its translation did not find, the clusters its
// chains name and the ECDS configurations they need.
std::vector<std::string> ListenerMissing(const std::string& name,
                                         const ti::TranslatedListener& translated,
                                         const Snapshot& snap) {
  std::vector<std::string> missing;
  for (const std::string& m : translated.missing) {
    missing.push_back(absl::StrCat(m, " of Listener \"", name, "\""));
  }
  for (const auto& [config_name, chain] : translated.required_extension_configs) {
    if (snap.extension_configs.contains(config_name)) continue;
    missing.push_back(absl::StrCat("TypedExtensionConfig \"", config_name, "\" referenced by ",
                                   chain, " of Listener \"", name, "\""));
  }
  auto check_cluster = [&](const FilterChain& chain) {
    if (chain.sni_cluster()) return;  // the cluster is named by each connection's SNI
    const std::string& cluster_name = chain.tcp_proxy().cluster;
    if (snap.clusters.contains(cluster_name)) return;
    missing.push_back(absl::StrCat("Cluster \"", cluster_name, "\" referenced by Listener \"", name,
                                   "\" chain \"", chain.name, "\""));
  };
  for (const FilterChain& chain : translated.listener.chains) check_cluster(chain);
  if (translated.listener.default_chain) check_cluster(*translated.listener.default_chain);
  return missing;
}

}  // namespace

absl::StatusOr<SnapshotPtr> Translator::Translate(const TranslateInput& input, uint64_t version) {
  Cache next = *cache_;  // shard pointers: kept only if this translation succeeds
  const TranslateInput& before = cache_->input;
  auto snap = std::make_shared<Snapshot>();
  snap->version = version;
  if (cache_->snapshot != nullptr) {
    snap->resource_versions = cache_->snapshot->resource_versions;
    snap->clusters = cache_->snapshot->clusters;
    snap->extension_configs = cache_->snapshot->extension_configs;
  }
  size_t decoded = 0;

  PatchVersions(before.clusters, input.clusters, "Cluster", snap->resource_versions);
  PatchVersions(before.endpoints, input.endpoints, "ClusterLoadAssignment",
                snap->resource_versions);
  PatchVersions(before.listeners, input.listeners, "Listener", snap->resource_versions);
  PatchVersions(before.secrets, input.secrets, "Secret", snap->resource_versions);
  PatchVersions(before.extension_configs, input.extension_configs, "TypedExtensionConfig",
                snap->resource_versions);

  // Secrets are few, and a file's content may have changed since the last translation: all are
  // resolved each time, and a changed one re-translates every cluster (what names it is not
  // indexed: a rotation is rare).
  SecretTable secrets;
  std::map<std::string, uint64_t> secret_hashes;
  for (const auto& [name, in] : input.secrets) {
    tls::Secret proto;
    absl::Status s = UnpackResource(in, name, &tls::Secret::name, &proto);
    if (!s.ok()) return ResourceError("Secret", name, in, s);
    absl::StatusOr<ti::ResolvedSecret> resolved = ti::TranslateSecret(proto);
    if (!resolved.ok()) return ResourceError("Secret", name, in, resolved.status());
    secret_hashes.emplace(name, resolved->content_hash);
    secrets.secrets_.emplace(name, std::move(*resolved));
    ++decoded;
  }
  const bool secrets_changed = secret_hashes != cache_->secret_hashes;
  next.secret_hashes = std::move(secret_hashes);

  // Extension configs: the changed ones.
  bool extension_config_names_changed = false;
  absl::Status failed;
  ResourceInputs::ForEachDifference(
      before.extension_configs, input.extension_configs,
      [&](const std::string& name, const ResourceInput* was, const ResourceInput* now) {
        if (!failed.ok()) return;
        if (now == nullptr || was == nullptr) extension_config_names_changed = true;
        if (now == nullptr) {
          next.extension_configs.erase(name);
          snap->extension_configs.erase(name);
          return;
        }
        const std::shared_ptr<const Cache::ExtensionConfigEntry>* cached =
            next.extension_configs.Find(name);
        if (cached != nullptr && SameResource((*cached)->resource, now->resource)) return;
        ++decoded;
        core::TypedExtensionConfig proto;
        absl::Status s = UnpackResource(*now, name, &core::TypedExtensionConfig::name, &proto);
        if (!s.ok()) {
          failed = ResourceError("TypedExtensionConfig", name, *now, s);
          return;
        }
        absl::StatusOr<RbacFilter> rbac = ti::TranslateExtensionConfig(proto);
        if (!rbac.ok()) {
          failed = ResourceError("TypedExtensionConfig", name, *now, rbac.status());
          return;
        }
        rbac->config_name = name;
        auto entry = std::make_shared<Cache::ExtensionConfigEntry>();
        entry->resource = now->resource;
        entry->result = std::make_shared<const RbacFilter>(std::move(*rbac));
        snap->extension_configs.insert_or_assign(name, entry->result);
        next.extension_configs.insert_or_assign(name, std::move(entry));
      });
  if (!failed.ok()) return failed;

  // Clusters: those whose resource changed, those whose assignment changed, and with a changed
  // secret all of them.
  // Each name's update is idempotent (an entry just built is reused the second time), so a name
  // reached twice (its cluster and its assignment both changed) costs one lookup more.
  bool cluster_names_changed = false;
  auto update_cluster = [&](const std::string& name) -> absl::Status {
    const std::shared_ptr<const Cache::ClusterEntry>* cached_ptr = next.clusters.Find(name);
    std::shared_ptr<const Cache::ClusterEntry> cached =
        cached_ptr == nullptr ? nullptr : *cached_ptr;
    const ResourceInput* in = input.clusters.Find(name);
    if (cached != nullptr && cached->result->eds) {
      RemoveUser(next.assignment_users, cached->result->eds_service_name, name);
    }
    if (in == nullptr) {
      if (cached != nullptr) cluster_names_changed = true;
      next.clusters.erase(name);
      next.cluster_missing.erase(name);
      snap->clusters.erase(name);
      return absl::OkStatus();
    }
    if (cached == nullptr) cluster_names_changed = true;
    std::shared_ptr<const Cache::ClusterEntry> reused;
    const bool same_cluster = cached != nullptr && SameResource(cached->cluster, in->resource) &&
                              SameSecrets(cached->secrets, secrets);
    if (same_cluster) {
      const Cluster& c = *cached->result;
      const ResourceInput* assignment = c.eds ? input.endpoints.Find(c.eds_service_name) : nullptr;
      if (SameResource(cached->assignment,
                       assignment == nullptr ? nullptr : assignment->resource)) {
        reused = cached;
      }
    }
    if (reused == nullptr) {
      auto entry = std::make_shared<Cache::ClusterEntry>();
      entry->cluster = in->resource;
      ++decoded;
      absl::StatusOr<Cluster> c;
      if (same_cluster) {
        // Only its assignment changed (an instance moved): the cluster as translated, with the
        // new endpoints; the Cluster resource is not decoded again.
        c = *cached->result;
        c->priorities.clear();
        entry->secrets = cached->secrets;
        entry->missing_secrets = cached->missing_secrets;
      } else {
        cluster::Cluster proto;
        absl::Status s = UnpackResource(*in, name, &cluster::Cluster::name, &proto);
        if (!s.ok()) return ResourceError("Cluster", name, *in, s);
        ti::SecretDeps deps;
        c = ti::TranslateCluster(proto, &secrets, &deps);
        if (!c.ok()) return ResourceError("Cluster", name, *in, c.status());
        entry->secrets = std::move(deps.used);
        entry->missing_secrets = std::move(deps.missing);
      }
      if (c->eds) {
        if (const ResourceInput* cla_in = input.endpoints.Find(c->eds_service_name)) {
          endpoint::ClusterLoadAssignment cla;
          absl::Status cs = UnpackResource(*cla_in, c->eds_service_name,
                                           &endpoint::ClusterLoadAssignment::cluster_name, &cla);
          if (!cs.ok()) {
            return ResourceError("ClusterLoadAssignment", c->eds_service_name, *cla_in, cs);
          }
          absl::StatusOr<std::vector<PriorityLevel>> levels =
              ti::TranslateEndpoints(cla, "", c->transport_socket_matches);
          if (!levels.ok()) {
            return ResourceError("ClusterLoadAssignment", c->eds_service_name, *cla_in,
                                 levels.status());
          }
          c->priorities = std::move(*levels);
          entry->assignment = cla_in->resource;
        } else {
          entry->missing.push_back(absl::StrCat("ClusterLoadAssignment \"", c->eds_service_name,
                                                "\" of Cluster \"", name, "\""));
        }
      }
      for (const std::string& secret : entry->missing_secrets) {
        entry->missing.push_back(
            absl::StrCat("Secret \"", secret, "\" referenced by Cluster \"", name, "\""));
      }
      entry->result = std::make_shared<const Cluster>(std::move(*c));
      reused = std::move(entry);
    }
    if (reused->result->eds) {
      AddUser(next.assignment_users, reused->result->eds_service_name, name);
    }
    if (reused->missing.empty()) {
      next.cluster_missing.erase(name);
    } else {
      SetIfChanged(next.cluster_missing, name, Names(reused, &reused->missing));
    }
    SetIfChanged(snap->clusters, name, reused->result);
    SetIfChanged(next.clusters, name, std::move(reused));
    return absl::OkStatus();
  };
  std::vector<std::string> also;  // the users of changed assignments; every cluster for a secret
  if (secrets_changed) {          // (removed clusters are in the diff below)
    for (const auto& [name, in] : input.clusters) also.push_back(name);
  }
  ResourceInputs::ForEachDifference(
      before.endpoints, input.endpoints,
      [&](const std::string& name, const ResourceInput*, const ResourceInput*) {
        if (const Names* users = next.assignment_users.Find(name)) {
          also.insert(also.end(), (*users)->begin(), (*users)->end());
        }
      });
  ResourceInputs::ForEachDifference(
      before.clusters, input.clusters,
      [&](const std::string& name, const ResourceInput*, const ResourceInput*) {
        if (failed.ok()) failed = update_cluster(name);
      });
  if (!failed.ok()) return failed;
  for (const std::string& name : also) {
    if (absl::Status s = update_cluster(name); !s.ok()) return s;
  }

  // Listeners are few: each is looked at, and translated again when it or a secret it uses
  // changed.
  next.listeners.clear();
  for (const auto& [name, in] : input.listeners) {
    Cache::ListenerEntry entry;
    auto cached = cache_->listeners.find(name);
    bool translated = false;
    if (cached != cache_->listeners.end() && SameResource(cached->second.listener, in.resource) &&
        SameSecrets(cached->second.result->deps.used, secrets)) {
      entry = cached->second;
    } else {
      ++decoded;
      translated = true;
      listener::Listener proto;
      absl::Status s = UnpackResource(in, name, &listener::Listener::name, &proto);
      if (!s.ok()) return ResourceError("Listener", name, in, s);
      absl::StatusOr<ti::TranslatedListener> l = ti::TranslateListener(proto, &secrets);
      if (!l.ok()) return ResourceError("Listener", name, in, l.status());
      entry.listener = in.resource;
      entry.result = std::make_shared<const ti::TranslatedListener>(std::move(*l));
    }
    if (translated || cluster_names_changed || extension_config_names_changed) {
      entry.missing = ListenerMissing(name, *entry.result, *snap);
    }
    snap->listeners.emplace(name,
                            std::shared_ptr<const Listener>(entry.result, &entry.result->listener));
    next.listeners.emplace(name, std::move(entry));
  }

  // What is not there yet: the clusters' (in name order; normally none), then the listeners'.
  for (const auto* entry : next.cluster_missing.Sorted()) {
    snap->missing.insert(snap->missing.end(), entry->second->begin(), entry->second->end());
  }
  for (const auto& [name, entry] : next.listeners) {
    snap->missing.insert(snap->missing.end(), entry.missing.begin(), entry.missing.end());
  }
  snap->complete = snap->missing.empty();

  next.input = input;
  next.snapshot = snap;
  next.last_decoded = decoded;
  *cache_ = std::move(next);
  return SnapshotPtr(std::move(snap));
}

absl::StatusOr<SnapshotPtr> Translate(const TranslateInput& input, uint64_t version) {
  Translator translator;
  return translator.Translate(input, version);
}

}  // namespace meshgw::gateway::config
