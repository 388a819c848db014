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
#include <iterator>
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
// ECDS: a filter's configuration apart from its listener (a terminated chain's intentions), so
// that changing it does not resend the listener.
inline constexpr absl::string_view kExtensionConfigType =
    "type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig";

// The resource types a mesh gateway uses, in make-before-break order: clusters, then their
// endpoints, then secrets and filter configurations, then the listeners that refer to them all.
inline constexpr std::array<absl::string_view, 5> kResourceTypes = {
    kClusterType, kEndpointType, kSecretType, kExtensionConfigType, kListenerType};

// ShortTypeName(kClusterType) == "Cluster"; the text after the last '.'.
absl::string_view ShortTypeName(absl::string_view type_url);

// One encoded resource. `body.type_url()` is the resource's type URL. Its payload (the packed
// message's bytes) is `body.value()`, or, for a resource built with a shared payload,
// `body.value()` then `*shared_payload` then `payload_tail`: the mesh listener of every gateway
// of a datacenter carries the same megabytes of filter chains, held once. Read the payload with
// PayloadSize(), AppendPayload(), Payload() or UnpackTo(), which see both forms.
//
// On the wire, in every DeltaDiscoveryResponse (field `resources`, tag included), it is
// `wire_head`, then the payload, then `wire_tail`: encoded once and shared by all streams.
struct Resource {
  std::string name;
  std::string version;
  google::protobuf::Any body;
  std::shared_ptr<const std::string> shared_payload;  // null: the payload is body.value()
  std::string payload_tail;
  std::string wire_head;
  std::string wire_tail;

  size_t PayloadSize() const {
    return body.value().size() +
           (shared_payload != nullptr ? shared_payload->size() + payload_tail.size() : 0);
  }
  void AppendPayload(std::string* out) const {
    out->append(body.value());
    if (shared_payload != nullptr) {
      out->append(*shared_payload);
      out->append(payload_tail);
    }
  }
  std::string Payload() const;
  // Parses the payload into `message` if the type URL is the message's (as Any::UnpackTo).
  bool UnpackTo(google::protobuf::Message* message) const;
  // The resource as one google.protobuf.Any (a copy of the payload when it is shared).
  google::protobuf::Any Packed() const;

  size_t WireSize() const { return wire_head.size() + PayloadSize() + wire_tail.size(); }
  void AppendWire(std::string* out) const {
    out->append(wire_head);
    AppendPayload(out);
    out->append(wire_tail);
  }
};
using ResourcePtr = std::shared_ptr<const Resource>;

// Name → resource, ordered by name (responses and logs come out in a stable order).
using ResourceMap = absl::btree_map<std::string, ResourcePtr, std::less<>>;

// ContentVersion(bytes) is the version of a resource whose deterministic encoding is `bytes`: 15
// lowercase hex digits of a 64-bit FNV-1a hash (15 so it fits in std::string's inline buffer).
std::string ContentVersion(absl::string_view bytes);

// ResourceName(message) is the xDS name of a Cluster (name), ClusterLoadAssignment (cluster_name),
// Listener (name), Secret (name) or TypedExtensionConfig (name). InvalidArgument for another type.
absl::StatusOr<std::string> ResourceName(const google::protobuf::Message& message);

// How the google.protobuf.Any payloads nested in a message to encode were themselves encoded.
enum class NestedAnys {
  // By anyone (Any::PackFrom's encoding puts map entries in any order): each is decoded and
  // encoded again deterministically, on a copy of the message.
  kAsTheyCome,
  // Every one by PackNormalized: they are copied as they are. Decoding and encoding them again
  // was a quarter of the control's translation time for a 10,000-service gateway.
  kNormalized,
};

// PackNormalized(payload) packs `payload` with the encoding SerializeNormalized gives it.
google::protobuf::Any PackNormalized(const google::protobuf::Message& payload);

// MakeResource(message) packs `message` with its name and content version. The encoding is
// deterministic, including inside nested google.protobuf.Any payloads (map order), so equal content
// has an equal version however it was built. InvalidArgument for a type without a name (see
// ResourceName) or an empty name. `nested` may say that the nested payloads are normalized already.
absl::StatusOr<ResourcePtr> MakeResource(const google::protobuf::Message& message,
                                         NestedAnys nested = NestedAnys::kAsTheyCome);

// MakeResource(name, body) versions an already packed resource by its content.
ResourcePtr MakeResource(std::string name, google::protobuf::Any body);

// MakeResource(name, body, version) takes the version from the caller, who must derive it from
// the content (equal content, equal version): for a large resource assembled from parts whose
// versions are already known, instead of hashing every byte again.
ResourcePtr MakeResource(std::string name, google::protobuf::Any body, std::string version);

// MakeResource(name, head, shared, tail, version): a resource whose payload is head.value(), then
// *shared, then tail, where `shared` is held once for all the resources made with it. The
// version, as above, comes from the caller and must follow the whole content.
ResourcePtr MakeResource(std::string name, google::protobuf::Any head,
                         std::shared_ptr<const std::string> shared, std::string tail,
                         std::string version);

// SerializeNormalized(message) is the deterministic encoding MakeResource versions: map fields
// in key order, nested google.protobuf.Any payloads re-encoded the same way. For building a
// resource body from parts encoded separately.
std::string SerializeNormalized(const google::protobuf::Message& message,
                                NestedAnys nested = NestedAnys::kAsTheyCome);

// ContentHash(bytes, seed) is the 64-bit FNV-1a hash behind ContentVersion, chainable;
// VersionOfHash(hash) its 15-hex-digit form.
uint64_t ContentHash(absl::string_view bytes, uint64_t seed = 14695981039346656037ull);
std::string VersionOfHash(uint64_t hash);

// ResourceView: the resources of one type in a snapshot, in name order. A snapshot may be made
// of two layers per type (see ResourceSnapshot::Over): a map shared with other snapshots and this
// snapshot's own map, whose entries hide the shared ones of the same name; the view merges them.
// It is a pair of pointers, valid as long as the snapshot it came from.
class ResourceView {
 public:
  using value_type = ResourceMap::value_type;

  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = ResourceMap::value_type;
    using difference_type = std::ptrdiff_t;
    using pointer = const value_type*;
    using reference = const value_type&;

    const_iterator() = default;
    reference operator*() const { return OwnFirst() ? *own_ : *shared_; }
    pointer operator->() const { return &**this; }
    const_iterator& operator++();
    const_iterator operator++(int) {
      const_iterator before = *this;
      ++*this;
      return before;
    }
    friend bool operator==(const const_iterator& a, const const_iterator& b) {
      return a.shared_ == b.shared_ && a.own_ == b.own_;
    }
    friend bool operator!=(const const_iterator& a, const const_iterator& b) { return !(a == b); }

   private:
    friend class ResourceView;
    const_iterator(ResourceMap::const_iterator shared, ResourceMap::const_iterator shared_end,
                   ResourceMap::const_iterator own, ResourceMap::const_iterator own_end)
        : shared_(shared), shared_end_(shared_end), own_(own), own_end_(own_end) {}
    // Whether the current entry comes from the own layer (it does when both have the name).
    bool OwnFirst() const {
      return shared_ == shared_end_ || (own_ != own_end_ && own_->first <= shared_->first);
    }

    ResourceMap::const_iterator shared_, shared_end_, own_, own_end_;
  };

  ResourceView(const ResourceMap* shared, const ResourceMap* own) : shared_(shared), own_(own) {}

  const_iterator begin() const;
  const_iterator end() const;
  const_iterator find(absl::string_view name) const;
  bool contains(absl::string_view name) const { return find(name) != end(); }
  size_t size() const;
  bool empty() const { return shared_->empty() && own_->empty(); }
  // ToMap() copies the resources into one map (as a client holds them).
  ResourceMap ToMap() const { return ResourceMap(begin(), end()); }

  // The layers (never null; an empty map when absent), for diffing two views layer by layer.
  const ResourceMap& shared_layer() const { return *shared_; }
  const ResourceMap& own_layer() const { return *own_; }

 private:
  const ResourceMap* shared_;
  const ResourceMap* own_;
};

// The configuration of one node. Resources of one type are held in maps shared between snapshots
// until one of them changes its map (copy on write): copying a snapshot costs O(types), and
// DiffSnapshots skips a map both snapshots share without walking it. Over(base) starts a snapshot
// whose additions go to a layer of its own on top of `base`'s maps, so many snapshots that differ
// in a few resources (one gateway's listeners and egress) share the many they have in common
// without copying them.
class ResourceSnapshot {
 public:
  ResourceSnapshot() = default;
  ResourceSnapshot(const ResourceSnapshot&) = default;
  ResourceSnapshot& operator=(const ResourceSnapshot&) = default;
  ResourceSnapshot(ResourceSnapshot&&) = default;
  ResourceSnapshot& operator=(ResourceSnapshot&&) = default;

  // Over(base): a snapshot with base's resources, whose own additions are layered on top. `base`
  // should itself not be layered (its layers are then merged into one map per type, a copy).
  static ResourceSnapshot Over(const ResourceSnapshot& base);

  // Add(message) adds a Cluster, ClusterLoadAssignment, Listener or Secret. InvalidArgument for
  // another type, an empty name or a name already in the snapshot for that type.
  absl::Status Add(const google::protobuf::Message& message);

  // Add(resource) adds a resource under `resource->body.type_url()`; replaces one of the same name.
  void Add(ResourcePtr resource);

  // Remove(type_url, name) drops a resource; true if it was there.
  bool Remove(absl::string_view type_url, absl::string_view name);

  // Resources(type_url) are the resources of one type; empty for a type not present.
  ResourceView Resources(absl::string_view type_url) const;

  // Find(type_url, name) is the resource or nullptr.
  const Resource* Find(absl::string_view type_url, absl::string_view name) const;

  // size() counts resources of every type.
  size_t size() const;

  // Version() summarises every resource's type, name and version (for system_version_info and
  // logs): equal content, equal version. Kept up to date by Add and Remove; O(1).
  std::string Version() const;

 private:
  struct Layers {
    std::shared_ptr<const ResourceMap> shared;  // read-only here; may be null
    std::shared_ptr<ResourceMap> own;           // copied before a write when shared; may be null
    uint64_t type_hash = 0;                     // ContentHash(type URL), where Account starts
  };

  // Account(layers, resource) XORs the resource in or out of content_hash_.
  void Account(const Layers& layers, const Resource& resource);
  Layers& TypeLayers(absl::string_view type_url);  // the type's entry, made if missing
  static ResourceMap& Own(Layers& layers);         // this snapshot's own copy of the type's map

  absl::btree_map<std::string, Layers, std::less<>> by_type_;
  uint64_t content_hash_ = 0;
};

}  // namespace meshgw::xds

#endif  // MESHGW_XDS_RESOURCE_H_
