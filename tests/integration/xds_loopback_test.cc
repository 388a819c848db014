// The xDS server and client over real gRPC on 127.0.0.1: full push, deltas, NACK, token checks,
// stream limit, reconnect with initial_resource_versions, health checking and reflection.
#include <gmock/gmock.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "tests/unit/xds/test_resources.h"
#include "xds/client.h"
#include "xds/server.h"
#include "xds/validate.h"

namespace meshgw::xds {
namespace {

using ::testing::HasSubstr;

// Collects log lines from server or client threads.
class LogCapture {
 public:
  LogSink sink() {
    return [this](LogLevel, absl::string_view line) {
      absl::MutexLock lock(&mu_);
      lines_.emplace_back(line);
    };
  }
  bool Contains(absl::string_view a, absl::string_view b = "") {
    absl::MutexLock lock(&mu_);
    for (const std::string& line : lines_) {
      if (line.find(std::string(a)) != std::string::npos &&
          line.find(std::string(b)) != std::string::npos) {
        return true;
      }
    }
    return false;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> lines_;
};

bool WaitFor(const std::function<bool()>& done, absl::Duration timeout = absl::Seconds(10)) {
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return done();
}

std::vector<Subscription> AllTypes() {
  std::vector<Subscription> subscriptions;
  for (absl::string_view type : kResourceTypes) subscriptions.push_back({std::string(type), {}});
  return subscriptions;
}

ClientOptions MakeClientOptions(int port, const std::string& node, const std::string& token,
                                LogCapture* log) {
  ClientOptions options;
  options.target = "127.0.0.1:" + std::to_string(port);
  options.token = token;
  options.node.set_id(node);
  options.subscriptions = AllTypes();
  options.validate = MeshGatewayValidator();
  options.log = log->sink();
  options.backoff_base = absl::Milliseconds(50);
  options.backoff_max = absl::Milliseconds(200);
  return options;
}

bool HasAll(const Client& client, const ResourceSnapshot& snapshot) {
  for (absl::string_view type : kResourceTypes) {
    ResourceMap have = client.Resources(type);
    const ResourceView want = snapshot.Resources(type);
    if (have.size() != want.size()) return false;
    for (const auto& [name, resource] : want) {
      auto it = have.find(name);
      if (it == have.end() || it->second->version != resource->version) return false;
    }
  }
  return true;
}

class XdsLoopbackTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options = {}) {
    if (options.address == "127.0.0.1:0" && port_ != 0) {
      options.address = "127.0.0.1:" + std::to_string(port_);
    }
    options.log = server_log_.sink();
    if (!options.authenticate) options.authenticate = TokenSet({"good-token"});
    auto server = Server::Start(&cache_, options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    port_ = server_->port();
  }

  SnapshotCache cache_;
  LogCapture server_log_;
  LogCapture client_log_;
  std::unique_ptr<Server> server_;
  int port_ = 0;
};

TEST_F(XdsLoopbackTest, PushDeltaNackAndReconnect) {
  auto snapshot = testing::MeshSnapshot(50);
  cache_.SetSnapshot("gw-1", snapshot);
  StartServer();
  Client client(MakeClientOptions(port_, "gw-1", "good-token", &client_log_));
  client.Start();
  ASSERT_TRUE(WaitFor([&] { return HasAll(client, *snapshot); }));
  EXPECT_TRUE(WaitFor([&] { return server_->stats().acks.load() == 4; }));
  EXPECT_EQ(server_->stats().resources_sent.load(), snapshot->size());
  EXPECT_TRUE(server_log_.Contains("stream of node \"gw-1\""));

  // One endpoint set changes: exactly one resource travels.
  auto changed = std::make_shared<ResourceSnapshot>(*snapshot);
  const std::string name = "svc-7.default.dc1.internal.test.consul";
  changed->Add(*MakeResource(testing::Endpoints(name, 3)));
  cache_.SetSnapshot("gw-1", changed);
  ASSERT_TRUE(WaitFor([&] { return HasAll(client, *changed); }));
  EXPECT_EQ(server_->stats().resources_sent.load(), snapshot->size() + 1);

  // An unsupported filter: NACKed, logged by the server with node and error; the client keeps
  // its last good listener, and later changes still flow.
  auto bad_listener = testing::SniListener("default:0.0.0.0:8443", {"x"});
  auto* filter = bad_listener.mutable_filter_chains(0)->mutable_filters(0);
  filter->set_name("envoy.filters.network.mongo_proxy");
  filter->mutable_typed_config()->set_type_url("type.googleapis.com/envoy.MongoProxy");
  auto bad = std::make_shared<ResourceSnapshot>(*changed);
  bad->Add(*MakeResource(bad_listener));
  cache_.SetSnapshot("gw-1", bad);
  ASSERT_TRUE(WaitFor([&] { return server_->stats().nacks.load() == 1; }));
  EXPECT_TRUE(server_log_.Contains("NACK from node \"gw-1\"", "envoy.filters.network.mongo_proxy"));
  EXPECT_EQ(client.Resources(kListenerType).at("default:0.0.0.0:8443")->version,
            changed->Find(kListenerType, "default:0.0.0.0:8443")->version);
  auto after = std::make_shared<ResourceSnapshot>(*changed);  // the good listener again
  after->Add(*MakeResource(testing::Endpoints(name, 4)));
  cache_.SetSnapshot("gw-1", after);
  ASSERT_TRUE(WaitFor([&] { return HasAll(client, *after); }));

  // The server goes away: the client keeps everything; a new server on the same port sends
  // nothing that did not change (the client sends initial_resource_versions).
  server_->Shutdown(absl::Milliseconds(100));
  server_.reset();
  ASSERT_TRUE(WaitFor([&] { return !client.stats().connected.load(); }));
  EXPECT_TRUE(HasAll(client, *after));
  StartServer();
  ASSERT_TRUE(WaitFor([&] { return server_->stats().requests.load() >= 4; }));
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(server_->stats().resources_sent.load(), 0u);
  auto last = std::make_shared<ResourceSnapshot>(*after);
  last->Add(*MakeResource(testing::EdsCluster(name, 2)));
  cache_.SetSnapshot("gw-1", last);
  ASSERT_TRUE(WaitFor([&] { return HasAll(client, *last); }));
  EXPECT_EQ(server_->stats().resources_sent.load(), 1u);
  EXPECT_TRUE(client.stats().connected.load());
  client.Stop();
}

TEST_F(XdsLoopbackTest, ReconnectsFollowTheBackoffOnTheClock) {
  // Nothing listens on the port: every attempt fails at once; the next one waits for the clock.
  StartServer();
  const int port = port_;
  server_->Shutdown(absl::Milliseconds(10));
  server_.reset();
  FakeClock clock;
  ClientOptions options = MakeClientOptions(port, "gw-1", "good-token", &client_log_);
  options.clock = &clock;
  options.backoff_base = absl::Milliseconds(500);
  options.backoff_max = absl::Seconds(30);
  Client client(std::move(options));
  client.Start();
  ASSERT_TRUE(WaitFor([&] { return client.stats().streams_started.load() == 1; }));
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(client.stats().streams_started.load(), 1u);  // waiting for 500 ms of fake time
  clock.Advance(absl::Milliseconds(499));
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(client.stats().streams_started.load(), 1u);
  clock.Advance(absl::Milliseconds(1));
  ASSERT_TRUE(WaitFor([&] { return client.stats().streams_started.load() == 2; }));
  // The second wait is in [500 ms, 1 s].
  clock.Advance(absl::Milliseconds(1000));
  ASSERT_TRUE(WaitFor([&] { return client.stats().streams_started.load() == 3; }));
  EXPECT_TRUE(client_log_.Contains("retrying in"));
  client.Stop();
}

// Opens a raw stream and returns how it ended.
grpc::Status OpenAndRead(int port, const std::string& token, const std::string& node) {
  auto channel =
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
  auto stub = envoy::service::discovery::v3::AggregatedDiscoveryService::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  if (!token.empty()) context.AddMetadata("x-consul-token", token);
  auto stream = stub->DeltaAggregatedResources(&context);
  envoy::service::discovery::v3::DeltaDiscoveryRequest request;
  request.mutable_node()->set_id(node);
  request.set_type_url(std::string(kClusterType));
  stream->Write(request);
  envoy::service::discovery::v3::DeltaDiscoveryResponse response;
  while (stream->Read(&response)) {
  }
  return stream->Finish();
}

TEST_F(XdsLoopbackTest, UnknownTokenIsDeniedAndLogged) {
  StartServer();
  grpc::Status status = OpenAndRead(port_, "wrong", "gw-intruder");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  status = OpenAndRead(port_, "", "gw-anonymous");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(server_log_.Contains("denied a stream of node \"gw-intruder\"", "unknown token"));
  EXPECT_TRUE(server_log_.Contains("denied a stream of node \"gw-anonymous\""));
  EXPECT_EQ(server_->stats().streams_denied.load(), 2u);
}

TEST_F(XdsLoopbackTest, StateOfTheWorldIsUnimplemented) {
  StartServer();
  auto channel =
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port_), grpc::InsecureChannelCredentials());
  auto stub = envoy::service::discovery::v3::AggregatedDiscoveryService::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  auto stream = stub->StreamAggregatedResources(&context);
  envoy::service::discovery::v3::DiscoveryRequest request;
  request.mutable_node()->set_id("gw-sotw");
  request.set_type_url(std::string(kClusterType));
  stream->Write(request);
  envoy::service::discovery::v3::DiscoveryResponse response;
  EXPECT_FALSE(stream->Read(&response));
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::UNIMPLEMENTED);
}

TEST_F(XdsLoopbackTest, StreamsOverTheLimitAreShed) {
  cache_.SetSnapshot("gw-1", testing::MeshSnapshot(2));
  ServerOptions options;
  options.max_streams = 1;
  StartServer(options);
  Client client(MakeClientOptions(port_, "gw-1", "good-token", &client_log_));
  client.Start();
  ASSERT_TRUE(WaitFor([&] { return client.stats().acks.load() == 4; }));
  grpc::Status status = OpenAndRead(port_, "good-token", "gw-2");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(status.error_message(), HasSubstr("too many xDS streams"));
  EXPECT_EQ(server_->stats().streams_shed.load(), 1u);
  client.Stop();
}

// One raw unary or server-streaming call with hand-encoded bytes, through a generic stub.
std::string RawCall(int port, const std::string& method, const std::string& request_bytes) {
  auto channel =
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  grpc::CompletionQueue cq;
  void* tag;
  bool ok;
  auto call = stub.PrepareCall(&context, method, &cq);
  call->StartCall(reinterpret_cast<void*>(1));
  cq.Next(&tag, &ok);
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1);
  call->Write(request, reinterpret_cast<void*>(2));
  cq.Next(&tag, &ok);
  call->WritesDone(reinterpret_cast<void*>(3));
  cq.Next(&tag, &ok);
  grpc::ByteBuffer response;
  call->Read(&response, reinterpret_cast<void*>(4));
  cq.Next(&tag, &ok);
  std::string out;
  if (ok) {
    std::vector<grpc::Slice> slices;
    (void)response.Dump(&slices);
    for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  while (cq.Next(&tag, &ok) && tag != reinterpret_cast<void*>(5)) {
  }
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return out;
}

TEST_F(XdsLoopbackTest, HealthAndReflectionAreServed) {
  StartServer();
  // HealthCheckRequest{} → HealthCheckResponse{status: SERVING (1)}.
  EXPECT_EQ(RawCall(port_, "/grpc.health.v1.Health/Check", ""), std::string("\x08\x01", 2));
  const std::string service = "envoy.service.discovery.v3.AggregatedDiscoveryService";
  const std::string named = std::string("\x0a") + static_cast<char>(service.size()) + service;
  EXPECT_EQ(RawCall(port_, "/grpc.health.v1.Health/Check", named), std::string("\x08\x01", 2));
  // ServerReflectionRequest{list_services: ""} lists the ADS service.
  std::string listed =
      RawCall(port_, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
              std::string("\x3a\x00", 2));
  EXPECT_THAT(listed, HasSubstr(service));
}

}  // namespace
}  // namespace meshgw::xds
