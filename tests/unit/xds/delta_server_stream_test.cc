#include "xds/internal/delta_server_stream.h"

#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/xds/test_resources.h"

namespace meshgw::xds::internal {
namespace {

using envoy::service::discovery::v3::DeltaDiscoveryRequest;
using envoy::service::discovery::v3::DeltaDiscoveryResponse;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

using Protos = std::vector<DeltaDiscoveryResponse>;

// The responses as messages; checks on the way that the hand encoding (what the transport sends)
// decodes to the same message.
Protos ToProtos(const DeltaServerStream::Responses& responses) {
  Protos out;
  for (const OutgoingResponse& response : responses) {
    out.push_back(response.ToProto());
    DeltaDiscoveryResponse decoded;
    const std::string encoded = response.Encode();
    EXPECT_TRUE(decoded.ParseFromString(encoded));
    // In pieces, referencing every payload of 8 bytes or more, the bytes are the same.
    std::string joined;
    for (const WirePiece& piece : response.EncodePieces(8))
      joined.append(piece.bytes().data(), piece.bytes().size());
    EXPECT_EQ(joined, encoded);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(decoded, out.back()))
        << decoded.DebugString() << "\nvs\n"
        << out.back().DebugString();
  }
  return out;
}

std::vector<std::string> Names(const DeltaDiscoveryResponse& response) {
  std::vector<std::string> names;
  for (const auto& resource : response.resources()) names.push_back(resource.name());
  return names;
}

std::vector<std::string> Removed(const DeltaDiscoveryResponse& response) {
  return {response.removed_resources().begin(), response.removed_resources().end()};
}

class DeltaServerStreamTest : public ::testing::Test {
 protected:
  DeltaServerStreamTest() : stream_(Options()) {}

  DeltaServerStreamOptions Options() {
    DeltaServerStreamOptions options;
    options.log = [this](LogLevel level, absl::string_view line) {
      logs_.push_back(std::string(line));
    };
    options.stats = &stats_;
    options.peer = "ipv4:127.0.0.1:1234";
    return options;
  }

  Protos Send(const std::string& type, std::vector<std::string> subscribe = {},
              std::vector<std::string> unsubscribe = {}) {
    DeltaDiscoveryRequest request;
    if (first_) request.mutable_node()->set_id("gw-1");
    first_ = false;
    request.set_type_url(type);
    for (auto& name : subscribe) request.add_resource_names_subscribe(name);
    for (auto& name : unsubscribe) request.add_resource_names_unsubscribe(name);
    DeltaServerStream::Responses out;
    EXPECT_TRUE(stream_.OnRequest(request, &out).ok());
    return ToProtos(out);
  }

  Protos Ack(const DeltaDiscoveryResponse& response) {
    DeltaDiscoveryRequest request;
    request.set_type_url(response.type_url());
    request.set_response_nonce(response.nonce());
    DeltaServerStream::Responses out;
    EXPECT_TRUE(stream_.OnRequest(request, &out).ok());
    return ToProtos(out);
  }

  Protos Nack(const DeltaDiscoveryResponse& response, const std::string& error) {
    DeltaDiscoveryRequest request;
    request.set_type_url(response.type_url());
    request.set_response_nonce(response.nonce());
    request.mutable_error_detail()->set_code(3);
    request.mutable_error_detail()->set_message(error);
    DeltaServerStream::Responses out;
    EXPECT_TRUE(stream_.OnRequest(request, &out).ok());
    return ToProtos(out);
  }

  Protos SetSnapshot(std::shared_ptr<const ResourceSnapshot> snapshot) {
    SnapshotUpdate update;
    update.previous = current_;
    update.snapshot = snapshot;
    update.version = snapshot->Version();
    if (current_)
      update.delta = std::make_shared<SnapshotDelta>(DiffSnapshots(*current_, *snapshot));
    current_ = snapshot;
    DeltaServerStream::Responses out;
    stream_.OnSnapshot(update, &out);
    return ToProtos(out);
  }

  std::vector<std::string> logs_;
  ServerStats stats_;
  DeltaServerStream stream_;
  bool first_ = true;
  std::shared_ptr<const ResourceSnapshot> current_;
};

TEST(OutgoingResponseTest, LargePayloadsAreSentFromTheResourceNotCopied) {
  ResourcePtr small = *MakeResource(testing::EdsCluster("small"));
  ResourcePtr large = *MakeResource(testing::EdsCluster(std::string(4096, 'x')));
  google::protobuf::Any head;
  head.set_type_url(std::string(kClusterType));
  auto chains = std::make_shared<const std::string>(large->body.value());
  ResourcePtr shared = MakeResource("shared", head, chains, "", "v1");
  OutgoingResponse response;
  response.type_url = std::string(kClusterType);
  response.nonce = "7";
  response.resources = {small, large, shared};
  std::vector<WirePiece> pieces = response.EncodePieces(1024);
  std::vector<const std::string*> referenced;
  std::string joined;
  for (const WirePiece& piece : pieces) {
    if (piece.shared != nullptr) referenced.push_back(piece.shared.get());
    joined.append(piece.bytes().data(), piece.bytes().size());
  }
  // The small resource is copied; the large one is referenced where it is, the shared payload
  // by its shared string.
  EXPECT_THAT(referenced, ElementsAre(&large->body.value(), chains.get()));
  EXPECT_EQ(joined, response.Encode());
  DeltaDiscoveryResponse decoded;
  ASSERT_TRUE(decoded.ParseFromString(joined));
  ASSERT_EQ(decoded.resources_size(), 3);
  EXPECT_EQ(decoded.resources(2).resource().value(), *chains);
}

TEST_F(DeltaServerStreamTest, FirstRequestNeedsTypeAndNode) {
  DeltaDiscoveryRequest request;
  request.set_type_url(std::string(kClusterType));
  DeltaServerStream::Responses out;
  absl::Status status = stream_.OnRequest(request, &out);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("node.id"));
  request.mutable_node()->set_id("gw");
  request.clear_type_url();
  EXPECT_EQ(stream_.OnRequest(request, &out).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(DeltaServerStreamTest, WildcardGetsEverythingThenOnlyChanges) {
  auto snapshot = testing::MeshSnapshot(3);
  EXPECT_THAT(SetSnapshot(snapshot), IsEmpty());  // nothing subscribed yet
  auto out = Send(std::string(kClusterType));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type_url(), kClusterType);
  EXPECT_EQ(out[0].resources_size(), 3);
  EXPECT_FALSE(out[0].nonce().empty());
  EXPECT_EQ(out[0].resources(0).version(),
            snapshot->Find(kClusterType, out[0].resources(0).name())->version);
  EXPECT_THAT(Ack(out[0]), IsEmpty());
  EXPECT_EQ(stats_.acks.load(), 1u);

  // The same content again: nothing is sent.
  EXPECT_THAT(SetSnapshot(testing::MeshSnapshot(3)), IsEmpty());

  // One cluster changes: only it is sent.
  auto next = std::make_shared<ResourceSnapshot>(*testing::MeshSnapshot(3));
  const std::string changed = "svc-1.default.dc1.internal.test.consul";
  next->Add(*MakeResource(testing::EdsCluster(changed, 9)));
  out = SetSnapshot(next);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_THAT(Names(out[0]), ElementsAre(changed));
  EXPECT_THAT(Removed(out[0]), IsEmpty());
}

TEST_F(DeltaServerStreamTest, MakeBeforeBreakOrder) {
  SetSnapshot(testing::MeshSnapshot(2));
  // Subscribe listeners first: order must still be secrets → clusters → endpoints → listeners.
  auto out = Send(std::string(kListenerType));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type_url(), kListenerType);  // nothing else subscribed yet
  Ack(out[0]);
  out = Send(std::string(kClusterType));
  ASSERT_EQ(out.size(), 1u);
  Ack(out[0]);
  out = Send(std::string(kEndpointType));
  ASSERT_EQ(out.size(), 1u);
  Ack(out[0]);
  out = Send(std::string(kSecretType));
  ASSERT_EQ(out.size(), 1u);
  Ack(out[0]);

  // A new service: its cluster, endpoints and the listener route change together.
  auto next = testing::MeshSnapshot(3);
  out = SetSnapshot(next);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].type_url(), kClusterType);
  EXPECT_EQ(out[1].type_url(), kEndpointType);
  // The listener waits for both acknowledgements.
  EXPECT_THAT(Ack(out[0]), IsEmpty());
  auto after = Ack(out[1]);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].type_url(), kListenerType);
  Ack(after[0]);

  // Remove service 0: the listener goes first, the cluster and endpoints only after its ACK.
  auto smaller = std::make_shared<ResourceSnapshot>(*next);
  const std::string gone = "svc-0.default.dc1.internal.test.consul";
  smaller->Remove(kClusterType, gone);
  smaller->Remove(kEndpointType, gone);
  smaller->Add(*MakeResource(testing::SniListener(
      "default:0.0.0.0:8443",
      {"svc-1.default.dc1.internal.test.consul", "svc-2.default.dc1.internal.test.consul"})));
  out = SetSnapshot(smaller);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type_url(), kListenerType);
  after = Ack(out[0]);
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].type_url(), kClusterType);
  EXPECT_THAT(Removed(after[0]), ElementsAre(gone));
  EXPECT_EQ(after[0].resources_size(), 0);
  EXPECT_EQ(after[1].type_url(), kEndpointType);
  EXPECT_THAT(Removed(after[1]), ElementsAre(gone));
  Ack(after[0]);
  Ack(after[1]);
  EXPECT_FALSE(stream_.ClientVersions(kClusterType)->contains(gone));
  EXPECT_EQ(stream_.unacknowledged(), 0u);
}

TEST_F(DeltaServerStreamTest, SecretsGoBeforeTheClustersThatNameThem) {
  SetSnapshot(testing::MeshSnapshot(2));
  for (absl::string_view type : {kSecretType, kClusterType, kEndpointType, kListenerType}) {
    auto out = Send(std::string(type));
    ASSERT_EQ(out.size(), 1u);
    Ack(out[0]);
  }

  // A new service with a new certificate: the secret goes alone; its cluster and endpoints only
  // after the secret's ACK, the listener after theirs.
  auto next = testing::MeshSnapshot(3);
  next->Add(*MakeResource(testing::RootsSecret("roots-2", "-----BEGIN CERTIFICATE-----\nMIIC\n")));
  auto out = SetSnapshot(next);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type_url(), kSecretType);
  EXPECT_THAT(Names(out[0]), ElementsAre("roots-2"));
  auto after = Ack(out[0]);
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].type_url(), kClusterType);
  EXPECT_EQ(after[1].type_url(), kEndpointType);
  EXPECT_THAT(Ack(after[0]), IsEmpty());
  auto last = Ack(after[1]);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].type_url(), kListenerType);
  Ack(last[0]);

  // The secret removed with the service: it goes only after the listener and cluster removals.
  out = SetSnapshot(testing::MeshSnapshot(2));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type_url(), kListenerType);
  after = Ack(out[0]);
  ASSERT_EQ(after.size(), 3u);
  EXPECT_EQ(after[0].type_url(), kSecretType);
  EXPECT_THAT(Removed(after[0]), ElementsAre("roots-2"));
  EXPECT_EQ(after[1].type_url(), kClusterType);
  EXPECT_EQ(after[2].type_url(), kEndpointType);
}

TEST_F(DeltaServerStreamTest, NackIsLoggedCountedAndNotResent) {
  auto snapshot = testing::MeshSnapshot(2);
  SetSnapshot(snapshot);
  auto out = Send(std::string(kClusterType));
  Ack(out[0]);
  const std::string name = "svc-0.default.dc1.internal.test.consul";
  auto bad = std::make_shared<ResourceSnapshot>(*snapshot);
  bad->Add(*MakeResource(testing::EdsCluster(name, 7)));
  out = SetSnapshot(bad);
  ASSERT_EQ(out.size(), 1u);
  const std::string good_version = stream_.ClientVersions(kClusterType)->at(name);
  EXPECT_THAT(Nack(out[0], "Cluster \"svc-0\": connect_timeout: too long"), IsEmpty());
  EXPECT_EQ(stats_.nacks.load(), 1u);
  ASSERT_FALSE(logs_.empty());
  EXPECT_THAT(logs_.back(), HasSubstr("NACK from node \"gw-1\""));
  EXPECT_THAT(logs_.back(), HasSubstr("Cluster [" + name + "]"));
  EXPECT_THAT(logs_.back(), HasSubstr("connect_timeout: too long"));
  // The client keeps its last good version.
  EXPECT_EQ(stream_.ClientVersions(kClusterType)->at(name), good_version);
  // A request of the type does not bring the rejected version back.
  EXPECT_THAT(Send(std::string(kClusterType)), IsEmpty());
  // Another change still flows.
  auto fixed = std::make_shared<ResourceSnapshot>(*bad);
  fixed->Add(*MakeResource(testing::EdsCluster(name, 3)));
  out = SetSnapshot(fixed);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_THAT(Names(out[0]), ElementsAre(name));
  Ack(out[0]);
  EXPECT_EQ(stream_.ClientVersions(kClusterType)->at(name),
            fixed->Find(kClusterType, name)->version);
}

TEST_F(DeltaServerStreamTest, NackOfSeveralRetriesEachAlone) {
  SetSnapshot(testing::MeshSnapshot(3));
  auto out = Send(std::string(kClusterType));
  ASSERT_EQ(out[0].resources_size(), 3);
  auto retries = Nack(out[0], "one of them is bad");
  ASSERT_EQ(retries.size(), 3u);
  for (const auto& response : retries) EXPECT_EQ(response.resources_size(), 1);
  Ack(retries[0]);
  Nack(retries[1], "this one");
  Ack(retries[2]);
  EXPECT_EQ(stream_.ClientVersions(kClusterType)->size(), 2u);
  EXPECT_THAT(Send(std::string(kClusterType)), IsEmpty());
}

TEST_F(DeltaServerStreamTest, NamedSubscriptionsAndMissingResources) {
  SetSnapshot(testing::MeshSnapshot(3));
  const std::string a = "svc-0.default.dc1.internal.test.consul";
  auto out = Send(std::string(kEndpointType), {a, "nope"});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_THAT(Names(out[0]), ElementsAre(a));
  EXPECT_THAT(Removed(out[0]), ElementsAre("nope"));  // does not exist: said at once
  Ack(out[0]);
  // Subscribing again to what the client has: sent again.
  out = Send(std::string(kEndpointType), {a});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_THAT(Names(out[0]), ElementsAre(a));
  Ack(out[0]);
  // Unsubscribe: nothing sent, and changes to it are no longer pushed.
  EXPECT_THAT(Send(std::string(kEndpointType), {}, {a}), IsEmpty());
  auto next = std::make_shared<ResourceSnapshot>(*testing::MeshSnapshot(3));
  next->Add(*MakeResource(testing::Endpoints(a, 5)));
  EXPECT_THAT(SetSnapshot(next), IsEmpty());
}

TEST_F(DeltaServerStreamTest, InitialResourceVersionsSkipWhatTheClientHas) {
  auto snapshot = testing::MeshSnapshot(3);
  SetSnapshot(snapshot);
  DeltaDiscoveryRequest request;
  request.mutable_node()->set_id("gw-1");
  first_ = false;
  request.set_type_url(std::string(kClusterType));
  auto& versions = *request.mutable_initial_resource_versions();
  for (const auto& [name, resource] : snapshot->Resources(kClusterType)) {
    versions[name] = resource->version;
  }
  versions["svc-1.default.dc1.internal.test.consul"] = "stale";
  versions["deleted-meanwhile"] = "x";
  DeltaServerStream::Responses out;
  ASSERT_TRUE(stream_.OnRequest(request, &out).ok());
  Protos got = ToProtos(out);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_THAT(Names(got[0]), ElementsAre("svc-1.default.dc1.internal.test.consul"));
  EXPECT_THAT(Removed(got[0]), IsEmpty());
  // What the client has but is gone is removed after the updates are acknowledged.
  got = Ack(got[0]);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_THAT(Removed(got[0]), ElementsAre("deleted-meanwhile"));
}

TEST_F(DeltaServerStreamTest, LargePushesAreSplit) {
  DeltaServerStreamOptions options = Options();
  options.max_response_bytes = 4096;
  DeltaServerStream stream(options);
  auto snapshot = testing::MeshSnapshot(100);
  SnapshotUpdate update;
  update.snapshot = snapshot;
  DeltaServerStream::Responses out;
  stream.OnSnapshot(update, &out);
  DeltaDiscoveryRequest request;
  request.mutable_node()->set_id("gw");
  request.set_type_url(std::string(kClusterType));
  ASSERT_TRUE(stream.OnRequest(request, &out).ok());
  ASSERT_GT(out.size(), 1u);
  int total = 0;
  for (const auto& response : ToProtos(out)) {
    EXPECT_LE(response.ByteSizeLong(), 4096u + 1024u);
    total += response.resources_size();
  }
  EXPECT_EQ(total, 100);
}

TEST_F(DeltaServerStreamTest, UnsubscribeWildcard) {
  SetSnapshot(testing::MeshSnapshot(2));
  auto out = Send(std::string(kClusterType), {"*"});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].resources_size(), 2);
  Ack(out[0]);
  EXPECT_THAT(Send(std::string(kClusterType), {}, {"*"}), IsEmpty());
  EXPECT_TRUE(stream_.ClientVersions(kClusterType)->empty());
}

}  // namespace
}  // namespace meshgw::xds::internal
