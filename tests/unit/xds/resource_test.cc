#include "xds/resource.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/extensions/filters/network/rbac/v3/rbac.pb.h"
#include "envoy/service/discovery/v3/discovery.pb.h"
#include "tests/unit/xds/test_resources.h"
#include "xds/snapshot_cache.h"

namespace meshgw::xds {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ResourceTest, VersionIsAStableContentHash) {
  auto a = *MakeResource(testing::EdsCluster("web"));
  auto b = *MakeResource(testing::EdsCluster("web"));
  auto c = *MakeResource(testing::EdsCluster("web", 6));
  EXPECT_EQ(a->version, b->version);
  EXPECT_NE(a->version, c->version);
  EXPECT_EQ(a->version.size(), 15u);
  EXPECT_EQ(a->name, "web");
  EXPECT_EQ(a->body.type_url(), kClusterType);
  // Fixed across processes: FNV-1a of fixed bytes.
  EXPECT_EQ(ContentVersion(""), "cbf29ce48422232");
}

TEST(ResourceTest, VersionDoesNotDependOnMapOrderInsideAny) {
  // RBAC policies are a map inside a filter's typed_config (an Any): however the producer
  // packed it, equal content must have an equal version.
  auto make = [](const std::vector<std::string>& order) {
    envoy::extensions::filters::network::rbac::v3::RBAC rbac;
    rbac.set_stat_prefix("authz");
    for (const std::string& name : order) {
      (*rbac.mutable_rules()->mutable_policies())[name].add_permissions()->set_any(true);
    }
    auto listener = testing::SniListener("l", {"a"});
    auto* filter = listener.mutable_filter_chains(0)->add_filters();
    filter->set_name("envoy.filters.network.rbac");
    filter->mutable_typed_config()->PackFrom(rbac);
    return *MakeResource(listener);
  };
  std::vector<std::string> names;
  for (int i = 0; i < 40; ++i) names.push_back("policy-" + std::to_string(i));
  ResourcePtr forward = make(names);
  std::reverse(names.begin(), names.end());
  EXPECT_EQ(make(names)->version, forward->version);
}

TEST(ResourceTest, NamesByType) {
  EXPECT_EQ(*ResourceName(testing::Endpoints("web", 1)), "web");
  EXPECT_EQ(*ResourceName(testing::RootsSecret("roots", "x")), "roots");
  EXPECT_FALSE(ResourceName(envoy::config::core::v3::Node()).ok());
  EXPECT_FALSE(MakeResource(envoy::config::cluster::v3::Cluster()).ok());
  EXPECT_EQ(ShortTypeName(kEndpointType), "ClusterLoadAssignment");
}

TEST(ResourceSnapshotTest, AddFindRemove) {
  ResourceSnapshot snapshot;
  ASSERT_TRUE(snapshot.Add(testing::EdsCluster("web")).ok());
  absl::Status dup = snapshot.Add(testing::EdsCluster("web"));
  EXPECT_EQ(dup.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(dup.message(), HasSubstr("duplicate Cluster \"web\""));
  ASSERT_TRUE(snapshot.Add(testing::Endpoints("web", 2)).ok());
  EXPECT_EQ(snapshot.size(), 2u);
  EXPECT_NE(snapshot.Find(kEndpointType, "web"), nullptr);
  EXPECT_EQ(snapshot.Find(kListenerType, "web"), nullptr);
  const std::string v1 = snapshot.Version();
  EXPECT_TRUE(snapshot.Remove(kEndpointType, "web"));
  EXPECT_FALSE(snapshot.Remove(kEndpointType, "web"));
  EXPECT_NE(snapshot.Version(), v1);
}

TEST(SnapshotCacheTest, DiffListsAddedChangedRemoved) {
  ResourceSnapshot a;
  ASSERT_TRUE(a.Add(testing::EdsCluster("same")).ok());
  ASSERT_TRUE(a.Add(testing::EdsCluster("changed")).ok());
  ASSERT_TRUE(a.Add(testing::EdsCluster("gone")).ok());
  ResourceSnapshot b;
  ASSERT_TRUE(b.Add(testing::EdsCluster("same")).ok());
  ASSERT_TRUE(b.Add(testing::EdsCluster("changed", 9)).ok());
  ASSERT_TRUE(b.Add(testing::EdsCluster("new")).ok());
  SnapshotDelta delta = DiffSnapshots(a, b);
  ASSERT_EQ(delta.changed.size(), 1u);
  EXPECT_THAT(delta.changed.at(std::string(kClusterType)), ElementsAre("changed", "gone", "new"));
}

TEST(ResourceTest, WireEntryIsTheDeltaResponseEntry) {
  // Head + payload + tail parse as DeltaDiscoveryResponse.resources[0], as a client reads it.
  ResourcePtr r = *MakeResource(testing::EdsCluster("web"));
  std::string wire;
  r->AppendWire(&wire);
  EXPECT_EQ(wire.size(), r->WireSize());
  envoy::service::discovery::v3::DeltaDiscoveryResponse response;
  ASSERT_TRUE(response.ParseFromString(wire));
  ASSERT_EQ(response.resources_size(), 1);
  EXPECT_EQ(response.resources(0).name(), "web");
  EXPECT_EQ(response.resources(0).version(), r->version);
  EXPECT_EQ(response.resources(0).resource().type_url(), kClusterType);
  EXPECT_EQ(response.resources(0).resource().value(), r->body.value());
}

TEST(ResourceTest, SharedPayloadIsTheConcatenationAndHeldOnce) {
  // A listener split as the control component builds the mesh listener: its own fields, the
  // chains shared by every gateway, its own trailing fields.
  envoy::config::listener::v3::Listener whole;
  whole.set_name("default:10.0.0.1:8443");
  whole.add_filter_chains()->set_name("exported~web");
  whole.add_filter_chains()->set_name("catch-all");
  whole.set_stat_prefix("mesh_gateway");
  const std::string whole_bytes = SerializeNormalized(whole);
  envoy::config::listener::v3::Listener head, chains, tail;
  head.set_name(whole.name());
  *chains.mutable_filter_chains() = whole.filter_chains();
  tail.set_stat_prefix(whole.stat_prefix());
  google::protobuf::Any head_any;
  head_any.set_type_url(std::string(kListenerType));
  head_any.set_value(SerializeNormalized(head));
  auto shared = std::make_shared<const std::string>(SerializeNormalized(chains));
  ResourcePtr r = MakeResource(whole.name(), head_any, shared, SerializeNormalized(tail), "v1");
  ASSERT_EQ(head_any.value() + *shared + SerializeNormalized(tail), whole_bytes);
  EXPECT_EQ(r->shared_payload.get(), shared.get());
  EXPECT_EQ(r->PayloadSize(), whole_bytes.size());
  EXPECT_EQ(r->Payload(), whole_bytes);
  EXPECT_EQ(r->Packed().value(), whole_bytes);
  envoy::config::listener::v3::Listener decoded;
  ASSERT_TRUE(r->UnpackTo(&decoded));
  EXPECT_EQ(decoded.filter_chains_size(), 2);
  EXPECT_EQ(decoded.stat_prefix(), "mesh_gateway");
  envoy::config::cluster::v3::Cluster wrong_type;
  EXPECT_FALSE(r->UnpackTo(&wrong_type));
  // On the wire it is the entry of the plain resource with the whole payload.
  google::protobuf::Any whole_any;
  whole_any.set_type_url(std::string(kListenerType));
  whole_any.set_value(whole_bytes);
  ResourcePtr plain = MakeResource(whole.name(), whole_any, "v1");
  std::string a, b;
  r->AppendWire(&a);
  plain->AppendWire(&b);
  EXPECT_EQ(a, b);
  EXPECT_EQ(r->WireSize(), plain->WireSize());
}

TEST(ResourceSnapshotTest, LayeredOverABaseSharesItAndHidesByName) {
  ResourceSnapshot base;
  ASSERT_TRUE(base.Add(testing::EdsCluster("a")).ok());
  ASSERT_TRUE(base.Add(testing::EdsCluster("c")).ok());
  ASSERT_TRUE(base.Add(testing::EdsCluster("e")).ok());
  ResourceSnapshot layered = ResourceSnapshot::Over(base);
  EXPECT_EQ(layered.Version(), base.Version());
  // Shared, not copied: the same map object backs both.
  EXPECT_EQ(&layered.Resources(kClusterType).shared_layer(),
            &base.Resources(kClusterType).own_layer());
  layered.Add(*MakeResource(testing::EdsCluster("b")));
  layered.Add(*MakeResource(testing::EdsCluster("c", 9)));  // hides the base's "c"
  std::vector<std::string> names;
  for (const auto& [name, resource] : layered.Resources(kClusterType)) names.push_back(name);
  EXPECT_THAT(names, ElementsAre("a", "b", "c", "e"));
  EXPECT_EQ(layered.Resources(kClusterType).size(), 4u);
  EXPECT_EQ(layered.size(), 4u);
  EXPECT_EQ(layered.Find(kClusterType, "c")->version,
            (*MakeResource(testing::EdsCluster("c", 9)))->version);
  EXPECT_EQ(base.Find(kClusterType, "c")->version,
            (*MakeResource(testing::EdsCluster("c")))->version);  // the base is untouched
  auto it = layered.Resources(kClusterType).find("c");
  ASSERT_NE(it, layered.Resources(kClusterType).end());
  EXPECT_EQ(it->second->version, layered.Find(kClusterType, "c")->version);
  EXPECT_EQ((++it)->first, "e");
  EXPECT_FALSE(layered.Resources(kClusterType).contains("d"));
  EXPECT_EQ(layered.Add(testing::EdsCluster("a")).code(), absl::StatusCode::kInvalidArgument);

  // Equal content, equal version, however it was layered.
  ResourceSnapshot flat;
  for (const char* n : {"a", "b", "e"}) ASSERT_TRUE(flat.Add(testing::EdsCluster(n)).ok());
  ASSERT_TRUE(flat.Add(testing::EdsCluster("c", 9)).ok());
  EXPECT_EQ(layered.Version(), flat.Version());
  EXPECT_TRUE(DiffSnapshots(layered, flat).changed.empty());

  // Removing a base resource makes the type this snapshot's own; the base keeps it.
  EXPECT_TRUE(layered.Remove(kClusterType, "a"));
  EXPECT_FALSE(layered.Remove(kClusterType, "a"));
  EXPECT_EQ(layered.Find(kClusterType, "a"), nullptr);
  EXPECT_NE(base.Find(kClusterType, "a"), nullptr);
  EXPECT_EQ(layered.Resources(kClusterType).size(), 3u);
  ASSERT_TRUE(flat.Remove(kClusterType, "a"));
  EXPECT_EQ(layered.Version(), flat.Version());
}

TEST(SnapshotCacheTest, LayeredSnapshotsDiffByMergedContent) {
  ResourceSnapshot base1;
  ASSERT_TRUE(base1.Add(testing::EdsCluster("shared")).ok());
  ASSERT_TRUE(base1.Add(testing::EdsCluster("hidden")).ok());
  ResourceSnapshot base2 = base1;  // the next translation's base: one shared cluster changed
  base2.Add(*MakeResource(testing::EdsCluster("shared", 7)));
  ResourceSnapshot g1 = ResourceSnapshot::Over(base1);
  g1.Add(*MakeResource(testing::EdsCluster("hidden", 3)));  // the gateway's own "hidden"
  g1.Add(*MakeResource(testing::EdsCluster("own")));
  ResourceSnapshot g2 = ResourceSnapshot::Over(base2);
  g2.Add(*MakeResource(testing::EdsCluster("hidden", 3)));
  // "shared" changed in the base; "own" is gone; "hidden" is the same own resource in both.
  SnapshotDelta delta = DiffSnapshots(g1, g2);
  EXPECT_THAT(delta.changed.at(std::string(kClusterType)), ElementsAre("own", "shared"));

  // Through the cache (which reuses the shared layers' diff between gateways) the same.
  SnapshotCache cache;
  std::vector<std::vector<std::string>> seen;
  for (const char* node : {"gw-1", "gw-2"}) {
    cache.SetSnapshot(node, std::make_shared<const ResourceSnapshot>(g1));
    cache.Watch(node, [&](const SnapshotUpdate& u) {
      if (u.delta != nullptr) seen.push_back(u.delta->changed.at(std::string(kClusterType)));
    });
  }
  ResourceSnapshot g2b = ResourceSnapshot::Over(base2);  // gw-2 keeps its own "hidden" only
  g2b.Add(*MakeResource(testing::EdsCluster("hidden", 3)));
  g2b.Add(*MakeResource(testing::EdsCluster("own")));
  cache.SetSnapshot("gw-1", std::make_shared<const ResourceSnapshot>(g2));
  cache.SetSnapshot("gw-2", std::make_shared<const ResourceSnapshot>(g2b));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_THAT(seen[0], ElementsAre("own", "shared"));
  EXPECT_THAT(seen[1], ElementsAre("shared"));
}

TEST(SnapshotCacheTest, WatchersSeeCurrentAndChangesUntilCancelled) {
  SnapshotCache cache;
  auto first = testing::MeshSnapshot(2);
  cache.SetSnapshot("gw", first);
  std::vector<SnapshotUpdate> seen;
  auto id = cache.Watch("gw", [&](const SnapshotUpdate& u) { seen.push_back(u); });
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].snapshot, first);
  EXPECT_EQ(seen[0].previous, nullptr);
  auto second = testing::MeshSnapshot(3);
  cache.SetSnapshot("gw", second);
  cache.SetSnapshot("gw", second);  // same object: nothing
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].previous, first);
  ASSERT_NE(seen[1].delta, nullptr);
  EXPECT_EQ(seen[1].delta->changed.size(), 3u);  // cluster, endpoints, listener
  cache.SetSnapshot("other", second);
  EXPECT_EQ(seen.size(), 2u);
  cache.CancelWatch(id);
  cache.SetSnapshot("gw", first);
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_THAT(cache.NodeIds(), ElementsAre("gw", "other"));
  cache.ClearSnapshot("gw");
  EXPECT_EQ(cache.GetSnapshot("gw"), nullptr);
}

}  // namespace
}  // namespace meshgw::xds
