#include "xds/resource.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "envoy/extensions/filters/network/rbac/v3/rbac.pb.h"
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
