// Resources as the xDS server serves them and the client keeps them.
//
// A Resource is one named, encoded xDS resource (a Cluster, ClusterLoadAssignment, Listener or
// Secret packed in a google.protobuf.Any) with its version, a hash of its content: the same
// content always has the same version, across processes and restarts, so a client reconnecting with
// `initial_resource_versions` is not sent what it already has.
//
// A ResourceSnapshot is the complete configuration of one gateway (node): every resource, by type
// and name. It is immutable once shared; build it, then hand it to a SnapshotCache as a
// shared_ptr<const ResourceSnapshot>.
//
//   ResourceSnapshot snapshot;
//   envoy::config::cluster::v3::Cluster cluster;
//   cluster.set_name("web.default.dc1.internal.example.consul");
//   if (absl::Status s = snapshot.Add(cluster); !s.ok()) return s;
//   cache.SetSnapshot("gateway-1", std::make_shared<ResourceSnapshot>(std::move(snapshot)));
//
// Thread safety: Resource and a const ResourceSnapshot are safe to read from many threads.
#ifndef MESHGW_XDS_RESOURCE_H_
#define MESHGW_XDS_RESOURCE_H_

#include <google/protobuf/any.pb.h>
#include <google/protobuf/message.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/btree_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace meshgw::xds {

inline constexpr absl::string_view kClusterType =
    "type.googleapis.com/envoy.config.cluster.v3.Cluster";
inline constexpr absl::string_view kEndpointType =
    "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
inline constexpr absl::string_view kListenerType =
    "type.googleapis.com/envoy.config.listener.v3.Listener";
inline constexpr absl::string_view kSecretType =
    "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";

// The resource types a mesh gateway uses, in make-before-break order: clusters, then their
// endpoints, then secrets, then the listeners that refer to all of them.
inline constexpr std::array<absl::string_view, 4> kResourceTypes = {kClusterType, kEndpointType,
                                                                    kSecretType, kListenerType};

// ShortTypeName(kClusterType) == "Cluster"; the text after the last '.'.
absl::string_view ShortTypeName(absl::string_view type_url);

// One encoded resource. `body.type_url()` is the resource's type URL. `wire_entry` is the resource
// as it goes into every DeltaDiscoveryResponse (field `resources`, tag included), encoded once and
// shared by all streams.
struct Resource {
  std::string name;
  std::string version;
  google::protobuf::Any body;
  std::string wire_entry;
};
using ResourcePtr = std::shared_ptr<const Resource>;

// Name → resource, ordered by name (responses and logs come out in a stable order).
using ResourceMap = absl::btree_map<std::string, ResourcePtr, std::less<>>;

// ContentVersion(bytes) is the version of a resource whose deterministic encoding is `bytes`: 15
// lowercase hex digits of a 64-bit FNV-1a hash (15 so it fits in std::string's inline buffer).
std::string ContentVersion(absl::string_view bytes);

// ResourceName(message) is the xDS name of a Cluster (name), ClusterLoadAssignment (cluster_name),
// Listener (name) or Secret (name). InvalidArgument for another type.
absl::StatusOr<std::string> ResourceName(const google::protobuf::Message& message);

// MakeResource(message) packs `message` with its name and content version. The encoding is
// deterministic, including inside nested google.protobuf.Any payloads (map order), so equal content
// has an equal version however it was built. InvalidArgument for a type without a name (see
// ResourceName) or an empty name.
absl::StatusOr<ResourcePtr> MakeResource(const google::protobuf::Message& message);

// MakeResource(name, body) versions an already packed resource by its content.
ResourcePtr MakeResource(std::string name, google::protobuf::Any body);

class ResourceSnapshot {
 public:
  ResourceSnapshot() = default;
  ResourceSnapshot(const ResourceSnapshot&) = default;
  ResourceSnapshot& operator=(const ResourceSnapshot&) = default;
  ResourceSnapshot(ResourceSnapshot&&) = default;
  ResourceSnapshot& operator=(ResourceSnapshot&&) = default;

  // Add(message) adds a Cluster, ClusterLoadAssignment, Listener or Secret. InvalidArgument for
  // another type, an empty name or a name already in the snapshot for that type.
  absl::Status Add(const google::protobuf::Message& message);

  // Add(resource) adds a resource under `resource->body.type_url()`; replaces one of the same name.
  void Add(ResourcePtr resource);

  // Remove(type_url, name) drops a resource; true if it was there.
  bool Remove(absl::string_view type_url, absl::string_view name);

  // Resources(type_url) are the resources of one type; an empty map for a type not present.
  const ResourceMap& Resources(absl::string_view type_url) const;

  // Find(type_url, name) is the resource or nullptr.
  const Resource* Find(absl::string_view type_url, absl::string_view name) const;

  // size() counts resources of every type.
  size_t size() const;

  // Version() summarises every resource's type, name and version (for system_version_info and
  // logs): equal content, equal version. Kept up to date by Add and Remove; O(1).
  std::string Version() const;

 private:
  void Account(const Resource& resource);  // XORs the resource in or out of content_hash_

  absl::btree_map<std::string, ResourceMap, std::less<>> by_type_;
  uint64_t content_hash_ = 0;
};

}  // namespace meshgw::xds

#endif  // MESHGW_XDS_RESOURCE_H_
