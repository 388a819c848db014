// Assembles a Snapshot from the translated parts, with the cache that makes a change to one
// resource among thousands cost one resource.
#include "gateway/config/translate.h"

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

struct Translator::Cache {
  struct ClusterEntry {
    AnyPtr cluster;
    AnyPtr assignment;  // null: none was used (STATIC, or EDS with the assignment missing)
    std::vector<std::pair<std::string, uint64_t>> secrets;
    std::vector<std::string> missing_secrets;
    std::shared_ptr<const Cluster> result;
  };
  struct ListenerEntry {
    AnyPtr listener;
    std::shared_ptr<const ti::TranslatedListener> result;
  };
  struct ExtensionConfigEntry {
    AnyPtr resource;
    std::shared_ptr<const ti::ResolvedExtensionConfig> result;
  };
  // Shared so that carrying an entry over to the next cache copies a pointer.
  std::map<std::string, std::shared_ptr<const ClusterEntry>, std::less<>> clusters;
  std::map<std::string, ListenerEntry, std::less<>> listeners;
  std::map<std::string, ExtensionConfigEntry, std::less<>> extension_configs;
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
                  std::map<std::string, ResourceInput>* out) {
  for (const auto& [name, resource] : resources) (*out)[name] = ResourceInputOf(resource, origin);
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

absl::StatusOr<SnapshotPtr> Translator::Translate(const TranslateInput& input, uint64_t version) {
  auto snap = std::make_shared<Snapshot>();
  snap->version = version;
  Cache next;
  size_t decoded = 0;

  // In key order ("Cluster/" < "ClusterLoadAssignment/" < "Listener/" < "Secret/" <
  // "TypedExtensionConfig/"), so that each insertion is at the end: 30,000 entries cost no tree
  // searches.
  auto& versions = snap->resource_versions;
  for (const auto& [name, in] : input.clusters) {
    versions.emplace_hint(versions.end(), absl::StrCat("Cluster/", name), in.version);
  }
  for (const auto& [name, in] : input.endpoints) {
    versions.emplace_hint(versions.end(), absl::StrCat("ClusterLoadAssignment/", name), in.version);
  }
  for (const auto& [name, in] : input.listeners) {
    versions.emplace_hint(versions.end(), absl::StrCat("Listener/", name), in.version);
  }
  for (const auto& [name, in] : input.secrets) {
    versions.emplace_hint(versions.end(), absl::StrCat("Secret/", name), in.version);
  }
  for (const auto& [name, in] : input.extension_configs) {
    versions.emplace_hint(versions.end(), absl::StrCat("TypedExtensionConfig/", name), in.version);
  }

  SecretTable secrets;
  for (const auto& [name, in] : input.secrets) {
    tls::Secret proto;
    absl::Status s = UnpackResource(in, name, &tls::Secret::name, &proto);
    if (!s.ok()) return ResourceError("Secret", name, in, s);
    absl::StatusOr<ti::ResolvedSecret> resolved = ti::TranslateSecret(proto);
    if (!resolved.ok()) return ResourceError("Secret", name, in, resolved.status());
    secrets.secrets_.emplace(name, std::move(*resolved));
    ++decoded;
  }

  // Extension configs are many (one per terminated service) and change one at a time: cached.
  for (const auto& [name, in] : input.extension_configs) {
    Cache::ExtensionConfigEntry entry;
    auto cached = cache_->extension_configs.find(name);
    if (cached != cache_->extension_configs.end() &&
        SameResource(cached->second.resource, in.resource)) {
      entry = cached->second;
    } else {
      ++decoded;
      core::TypedExtensionConfig proto;
      absl::Status s = UnpackResource(in, name, &core::TypedExtensionConfig::name, &proto);
      if (!s.ok()) return ResourceError("TypedExtensionConfig", name, in, s);
      absl::StatusOr<RbacFilter> rbac = ti::TranslateExtensionConfig(proto);
      if (!rbac.ok()) return ResourceError("TypedExtensionConfig", name, in, rbac.status());
      auto resolved = std::make_shared<ti::ResolvedExtensionConfig>();
      resolved->rbac = std::move(*rbac);
      resolved->rbac.config_name = name;
      // Never 0, which stands for "absent" in a listener's dependencies.
      resolved->content_hash = ti::Hash64(in.resource->value()) | 1;
      entry.resource = in.resource;
      entry.result = std::move(resolved);
    }
    snap->extension_configs.emplace_hint(
        snap->extension_configs.end(), name,
        std::shared_ptr<const RbacFilter>(entry.result, &entry.result->rbac));
    next.extension_configs.emplace_hint(next.extension_configs.end(), name, std::move(entry));
  }

  for (const auto& [name, in] : input.clusters) {
    auto found = input.endpoints.end();
    std::shared_ptr<const Cache::ClusterEntry> reused;
    auto cached = cache_->clusters.find(name);
    if (cached != cache_->clusters.end() && SameResource(cached->second->cluster, in.resource) &&
        SameSecrets(cached->second->secrets, secrets)) {
      const Cluster& c = *cached->second->result;
      found = c.eds ? input.endpoints.find(c.eds_service_name) : input.endpoints.end();
      AnyPtr assignment = found == input.endpoints.end() ? nullptr : found->second.resource;
      if (SameResource(cached->second->assignment, assignment)) reused = cached->second;
    }
    if (reused == nullptr) {
      Cache::ClusterEntry entry;
      entry.cluster = in.resource;
      ++decoded;
      cluster::Cluster proto;
      absl::Status s = UnpackResource(in, name, &cluster::Cluster::name, &proto);
      if (!s.ok()) return ResourceError("Cluster", name, in, s);
      ti::SecretDeps deps;
      absl::StatusOr<Cluster> c = ti::TranslateCluster(proto, &secrets, &deps);
      if (!c.ok()) return ResourceError("Cluster", name, in, c.status());
      if (c->eds) {
        found = input.endpoints.find(c->eds_service_name);
        if (found != input.endpoints.end()) {
          endpoint::ClusterLoadAssignment cla;
          const ResourceInput& cla_in = found->second;
          absl::Status cs = UnpackResource(cla_in, found->first,
                                           &endpoint::ClusterLoadAssignment::cluster_name, &cla);
          if (!cs.ok()) return ResourceError("ClusterLoadAssignment", found->first, cla_in, cs);
          absl::StatusOr<std::vector<PriorityLevel>> levels =
              ti::TranslateEndpoints(cla, "", c->transport_socket_matches);
          if (!levels.ok()) {
            return ResourceError("ClusterLoadAssignment", found->first, cla_in, levels.status());
          }
          c->priorities = std::move(*levels);
          entry.assignment = cla_in.resource;
        }
      }
      entry.secrets = std::move(deps.used);
      entry.missing_secrets = std::move(deps.missing);
      entry.result = std::make_shared<const Cluster>(std::move(*c));
      reused = std::make_shared<const Cache::ClusterEntry>(std::move(entry));
    }
    const Cache::ClusterEntry& entry = *reused;
    const Cluster& c = *entry.result;
    if (c.eds && entry.assignment == nullptr) {
      snap->complete = false;
      snap->missing.push_back(absl::StrCat("ClusterLoadAssignment \"", c.eds_service_name,
                                           "\" of Cluster \"", name, "\""));
    }
    for (const std::string& secret : entry.missing_secrets) {
      snap->complete = false;
      snap->missing.push_back(
          absl::StrCat("Secret \"", secret, "\" referenced by Cluster \"", name, "\""));
    }
    snap->clusters.emplace_hint(snap->clusters.end(), name, entry.result);
    next.clusters.emplace_hint(next.clusters.end(), name, std::move(reused));
  }

  for (const auto& [name, in] : input.listeners) {
    Cache::ListenerEntry entry;
    auto cached = cache_->listeners.find(name);
    if (cached != cache_->listeners.end() && SameResource(cached->second.listener, in.resource) &&
        SameSecrets(cached->second.result->deps.used, secrets)) {
      entry = cached->second;
    } else {
      ++decoded;
      listener::Listener proto;
      absl::Status s = UnpackResource(in, name, &listener::Listener::name, &proto);
      if (!s.ok()) return ResourceError("Listener", name, in, s);
      absl::StatusOr<ti::TranslatedListener> l = ti::TranslateListener(proto, &secrets);
      if (!l.ok()) return ResourceError("Listener", name, in, l.status());
      entry.listener = in.resource;
      entry.result = std::make_shared<const ti::TranslatedListener>(std::move(*l));
    }
    const Listener& l = entry.result->listener;
    for (const std::string& m : entry.result->missing) {
      snap->complete = false;
      snap->missing.push_back(absl::StrCat(m, " of Listener \"", name, "\""));
    }
    for (const auto& [config_name, chain] : entry.result->required_extension_configs) {
      if (snap->extension_configs.find(config_name) != snap->extension_configs.end()) continue;
      snap->complete = false;
      snap->missing.push_back(absl::StrCat("TypedExtensionConfig \"", config_name,
                                           "\" referenced by ", chain, " of Listener \"", name,
                                           "\""));
    }
    const std::string& listener_name = name;  // (clang 14 cannot capture a structured binding)
    auto check_cluster = [&](const FilterChain& chain) {
      if (chain.sni_cluster()) return;  // the cluster is named by each connection's SNI
      const std::string& cluster_name = chain.tcp_proxy().cluster;
      if (snap->clusters.find(cluster_name) != snap->clusters.end()) return;
      snap->complete = false;
      snap->missing.push_back(absl::StrCat("Cluster \"", cluster_name,
                                           "\" referenced by Listener \"", listener_name,
                                           "\" chain \"", chain.name, "\""));
    };
    for (const FilterChain& chain : l.chains) check_cluster(chain);
    if (l.default_chain) check_cluster(*l.default_chain);
    // The cached translation's listener itself (aliasing the entry that owns it), not a copy.
    snap->listeners.emplace(name, std::shared_ptr<const Listener>(entry.result, &l));
    next.listeners.emplace(name, std::move(entry));
  }

  next.last_decoded = decoded;
  *cache_ = std::move(next);
  return SnapshotPtr(std::move(snap));
}

absl::StatusOr<SnapshotPtr> Translate(const TranslateInput& input, uint64_t version) {
  Translator translator;
  return translator.Translate(input, version);
}

}  // namespace meshgw::gateway::config
