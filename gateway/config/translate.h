// xDS resources (Listener, Cluster, ClusterLoadAssignment, Secret, TypedExtensionConfig of
// xds/proto) → config::Snapshot.
//
// The one translation every source of configuration goes through: the xDS stream hands its
// resource maps over as they are; the bootstrap file's `static` section is first turned into the
// same protos (bootstrap.h). Resources are checked, addresses parsed, SDS secrets and inline or
// file DataSources resolved, regexes compiled, defaults applied and each listener's SNI route
// table built, so the data path reads plain data. A network filter with config_discovery (ECDS)
// takes the configuration of the TypedExtensionConfig of its name (only the network RBAC filter
// is taken that way): the snapshot holds each configuration once, and the chain names it
// (Snapshot::RbacFor), so a changed configuration leaves the listeners as they are.
//
//   config::Translator translator;                      // keeps translated clusters between calls
//   config::TranslateInput in;
//   config::AddResources(client_clusters, "xds", &in.clusters);   // from xds::ResourceMap
//   ...
//   absl::StatusOr<config::SnapshotPtr> snap = translator.Translate(in, ++installed);
//   // error: `Listener "mesh": filter_chains[2].filters[0]: unsupported network filter "x" (...)`
//   // static resources lead with their origin: `gateway.hcl:12:3: Cluster "api": ...`
//
// What is merely absent (a cluster a chain names, the assignment of an EDS cluster, an SDS secret,
// an ECDS configuration without a default_config) is not an error: the snapshot is built with
// `complete = false` and `missing` says what is not there yet, since xDS resources arrive type by
// type. A chain whose RBAC configuration is absent denies every connection until it arrives.
//
// `ValidateResource` checks one resource alone with the very same code (xds/validate.h's checks
// plus what only translation finds: IP literals, regexes, readable files, duplicate routes); it is
// the validator to give the xDS client, so a resource the gateway cannot use is NACKed on its own
// instead of failing a whole snapshot later.
//
// Thread-safety: `Translate` and `ValidateResource` (free functions) are safe from any thread. A
// `Translator` keeps a cache and needs external synchronization (one per xDS client thread).
#ifndef MESHGW_GATEWAY_CONFIG_TRANSLATE_H_
#define MESHGW_GATEWAY_CONFIG_TRANSLATE_H_

#include <google/protobuf/any.pb.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gateway/config/snapshot.h"
#include "xds/resource.h"

namespace meshgw::gateway::config {

// One resource to translate, packed as it travels over xDS.
struct ResourceInput {
  std::shared_ptr<const google::protobuf::Any> resource;
  std::string version;  // the xDS version, or "static"
  // Where it comes from: "xds", or "gateway.hcl:12:3" where a static resource was declared. Errors
  // about a resource whose origin is not "xds" (or empty) start with it.
  std::string origin;

  bool operator==(const ResourceInput& other) const {
    return resource == other.resource && version == other.version && origin == other.origin;
  }
};

// The resources of one type, by name. A SharedMap: copying it is cheap, a change clones one shard,
// and a Translator finds what changed since its last input by comparing shards.
using ResourceInputs = SharedMap<ResourceInput>;

// The resources of one snapshot, by resource name (Listener.name, Cluster.name,
// ClusterLoadAssignment.cluster_name, Secret.name, TypedExtensionConfig.name).
struct TranslateInput {
  ResourceInputs listeners, clusters, endpoints, secrets;
  ResourceInputs extension_configs;  // ECDS
};

// ResourceInputOf(resource, origin) is one xDS resource as a translation input, sharing its
// packed body (no copy).
ResourceInput ResourceInputOf(const xds::ResourcePtr& resource, absl::string_view origin);

// AddResources adds every resource of an xds::ResourceMap (the xDS client's set of one type) to
// `*out`, sharing the packed resources (no copy).
void AddResources(const xds::ResourceMap& resources, absl::string_view origin, ResourceInputs* out);

// ValidateResource(type_url, name, resource) is OK when `resource` translates, else
// InvalidArgument "<field path>: <problem>" (the xDS client prefixes type and name), e.g.
// `filter_chains[0].filters[0].typed_config.rules.policies["web"].principals[0]
// .authenticated.principal_name.safe_regex.regex: invalid regex "(": missing )`.
absl::Status ValidateResource(absl::string_view type_url, absl::string_view name,
                              const google::protobuf::Any& resource);

// Translate builds a snapshot from `input`; `version` becomes Snapshot::version. Errors name the
// resource ("Listener \"mesh\": ...") and the field path, led by the origin of static resources.
absl::StatusOr<SnapshotPtr> Translate(const TranslateInput& input, uint64_t version);

// A Translate that reuses what it translated before: a cluster, listener or extension config
// whose resource (and whose assignment and secrets) did not change is not decoded again, so a
// change to one cluster among thousands costs one cluster, and a changed intention (extension
// config) costs that configuration. It does not even look at what did not change: it compares
// the input with its previous one shard by shard (ResourceInputs), and the snapshot it returns
// starts from the previous one's maps (shared shards) patched with the changes, so an update
// costs what it changes, not what the gateway holds. Only a changed secret re-translates every
// cluster. Resources should carry
// content versions (as xDS ones do); static ones are all "static" and are translated anew on each
// call when their Any changes (the cache compares the packed bytes' hash for those).
class Translator {
 public:
  Translator();
  ~Translator();
  Translator(const Translator&) = delete;
  Translator& operator=(const Translator&) = delete;

  absl::StatusOr<SnapshotPtr> Translate(const TranslateInput& input, uint64_t version);

  // How many resources the last Translate decoded rather than took from the cache (for tests and
  // the "apply time" metric's context).
  size_t last_decoded() const;

 private:
  struct Cache;
  std::unique_ptr<Cache> cache_;
};

}  // namespace meshgw::gateway::config

#endif  // MESHGW_GATEWAY_CONFIG_TRANSLATE_H_
