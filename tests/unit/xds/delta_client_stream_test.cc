#include "xds/internal/delta_client_stream.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.pb.h"
#include "tests/unit/xds/test_resources.h"
#include "xds/validate.h"

namespace meshgw::xds::internal {
namespace {

using envoy::service::discovery::v3::DeltaDiscoveryResponse;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

DeltaDiscoveryResponse Response(absl::string_view type, const std::vector<ResourcePtr>& resources,
                                std::vector<std::string> removed = {},
                                const std::string& nonce = "n1") {
  DeltaDiscoveryResponse response;
  response.set_type_url(std::string(type));
  response.set_nonce(nonce);
  for (const ResourcePtr& r : resources) {
    auto* entry = response.add_resources();
    entry->set_name(r->name);
    entry->set_version(r->version);
    *entry->mutable_resource() = r->body;
  }
  for (auto& name : removed) response.add_removed_resources(name);
  return response;
}

class DeltaClientStreamTest : public ::testing::Test {
 protected:
  DeltaClientStreamOptions Options() {
    DeltaClientStreamOptions options;
    options.node.set_id("gw-1");
    options.subscriptions = {{std::string(kClusterType), {}},
                             {std::string(kEndpointType), {}},
                             {std::string(kListenerType), {}}};
    options.validate = MeshGatewayValidator();
    options.on_update = [this](const ClientUpdate& update) {
      updates_.push_back(std::string(update.type_url));
      return update_status_;
    };
    options.stats = &stats_;
    return options;
  }
  std::vector<std::string> updates_;
  absl::Status update_status_;
  ClientStats stats_;
};

TEST_F(DeltaClientStreamTest, FirstRequestsInOrderWithNodeOnce) {
  DeltaClientStream stream(Options());
  auto requests = stream.StartStream();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].type_url(), kClusterType);
  EXPECT_EQ(requests[0].node().id(), "gw-1");
  EXPECT_EQ(requests[1].type_url(), kEndpointType);
  EXPECT_FALSE(requests[1].has_node());
  EXPECT_EQ(requests[2].type_url(), kListenerType);
  EXPECT_EQ(requests[0].resource_names_subscribe_size(), 0);  // wildcard
  EXPECT_TRUE(requests[0].initial_resource_versions().empty());
}

TEST_F(DeltaClientStreamTest, AcksValidAndKeepsThemAcrossReconnect) {
  DeltaClientStream stream(Options());
  stream.StartStream();
  auto a = *MakeResource(testing::EdsCluster("a"));
  auto b = *MakeResource(testing::EdsCluster("b"));
  auto ack = stream.OnResponse(Response(kClusterType, {a, b}));
  EXPECT_FALSE(ack.has_error_detail());
  EXPECT_EQ(ack.response_nonce(), "n1");
  EXPECT_EQ(ack.type_url(), kClusterType);
  EXPECT_EQ(stream.Resources(kClusterType).size(), 2u);
  EXPECT_THAT(updates_, ElementsAre(std::string(kClusterType)));

  ack = stream.OnResponse(Response(kClusterType, {}, {"a"}, "n2"));
  EXPECT_FALSE(ack.has_error_detail());
  EXPECT_EQ(stream.Resources(kClusterType).size(), 1u);

  stream.OnStreamEnd();
  EXPECT_EQ(stream.Resources(kClusterType).size(), 1u);  // the last good set survives
  auto requests = stream.StartStream();
  ASSERT_EQ(requests[0].initial_resource_versions().size(), 1u);
  EXPECT_EQ(requests[0].initial_resource_versions().at("b"), b->version);
}

TEST_F(DeltaClientStreamTest, NackNamesResourceAndField) {
  DeltaClientStream stream(Options());
  stream.StartStream();
  auto listener = testing::SniListener("public:0.0.0.0:8443", {"web"});
  auto* filter = listener.mutable_filter_chains(0)->mutable_filters(0);
  filter->set_name("envoy.filters.network.http_connection_manager");
  filter->mutable_typed_config()->set_type_url(
      "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3."
      "HttpConnectionManager");
  auto good = *MakeResource(testing::SniListener("other:0.0.0.0:9443", {"web"}));
  auto bad = *MakeResource(listener);
  auto nack = stream.OnResponse(Response(kListenerType, {good, bad}));
  ASSERT_TRUE(nack.has_error_detail());
  EXPECT_EQ(nack.response_nonce(), "n1");
  EXPECT_THAT(nack.error_detail().message(), HasSubstr("Listener \"public:0.0.0.0:8443\""));
  EXPECT_THAT(nack.error_detail().message(), HasSubstr("filter_chains[0].filters[0]"));
  EXPECT_THAT(nack.error_detail().message(),
              HasSubstr("envoy.filters.network.http_connection_manager"));
  // Nothing of the response was applied.
  EXPECT_TRUE(stream.Resources(kListenerType).empty());
  EXPECT_TRUE(updates_.empty());
  EXPECT_EQ(stats_.nacks.load(), 1u);
}

TEST_F(DeltaClientStreamTest, DuplicatesAndWrongTypesAreNacked) {
  DeltaClientStream stream(Options());
  stream.StartStream();
  auto a = *MakeResource(testing::EdsCluster("a"));
  auto nack = stream.OnResponse(Response(kClusterType, {a, a}));
  ASSERT_TRUE(nack.has_error_detail());
  EXPECT_THAT(nack.error_detail().message(), HasSubstr("named twice"));
  nack = stream.OnResponse(Response(kEndpointType, {a}));
  ASSERT_TRUE(nack.has_error_detail());
  EXPECT_THAT(nack.error_detail().message(), HasSubstr("resource of type"));
  nack = stream.OnResponse(Response(kSecretType, {}));
  ASSERT_TRUE(nack.has_error_detail());
  EXPECT_THAT(nack.error_detail().message(), HasSubstr("did not subscribe"));
}

TEST_F(DeltaClientStreamTest, UpdateHandlerErrorRollsBack) {
  DeltaClientStream stream(Options());
  stream.StartStream();
  auto a = *MakeResource(testing::EdsCluster("a"));
  stream.OnResponse(Response(kClusterType, {a}));
  update_status_ = absl::FailedPreconditionError("cluster a: cannot apply");
  auto a2 = *MakeResource(testing::EdsCluster("a", 9));
  auto b = *MakeResource(testing::EdsCluster("b"));
  auto nack = stream.OnResponse(Response(kClusterType, {a2, b}, {}, "n2"));
  ASSERT_TRUE(nack.has_error_detail());
  EXPECT_THAT(nack.error_detail().message(), HasSubstr("cannot apply"));
  ASSERT_EQ(stream.Resources(kClusterType).size(), 1u);
  EXPECT_EQ(stream.Resources(kClusterType).at("a")->version, a->version);
}

}  // namespace
}  // namespace meshgw::xds::internal
