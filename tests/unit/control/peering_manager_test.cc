// Tests of control/peering/peering_manager.h on loopback with real gRPC and real TLS: two fake
// datacenters, each with its own EmbeddedCa, Model, PeeringManager and TLS peering port, peer
// the way two Consul clusters do. Every wait is bounded by a deadline.
#include "control/peering/peering_manager.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "control/ca/embedded_ca.h"
#include "control/model/model.h"
#include "control/peering/peering_token.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "meshgw/control/v1/peering.grpc.pb.h"
#include "nlohmann/json.hpp"

namespace meshgw::control {
namespace {

namespace fs = std::filesystem;
namespace v1 = ::meshgw::control::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kDc1Id[] = "11111111-1111-1111-1111-111111111111";
constexpr char kDc2Id[] = "22222222-2222-2222-2222-222222222222";
constexpr char kDc3Id[] = "33333333-3333-3333-3333-333333333333";
const std::string kTd1 = std::string(kDc1Id) + ".consul";
const std::string kTd2 = std::string(kDc2Id) + ".consul";

// A port free on 127.0.0.1 right now (the kernel's choice, released at once).
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof(a);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "peering_test.XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data()) != nullptr ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// WaitFor(pred, 10s): polls every 20 ms; true once pred holds, false at the deadline.
bool WaitFor(const std::function<bool()>& pred, absl::Duration timeout = absl::Seconds(15)) {
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (pred()) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return pred();
}

// A TCP relay standing in for the local mesh gateway's peering-server passthrough: it forwards
// bytes both ways to `target` and keeps the first bytes each client sent (the TLS ClientHello,
// whose SNI is plain text).
class PassthroughRelay {
 public:
  explicit PassthroughRelay(int target_port) : target_port_(target_port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
        ::listen(listen_fd_, 16) == 0 &&
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
      port_ = ntohs(a.sin_port);
    }
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }
  ~PassthroughRelay() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    acceptor_.join();
    {
      absl::MutexLock l(&mu_);
      for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (std::thread& t : pumps_) t.join();
    for (int fd : fds_) ::close(fd);
  }
  int port() const { return port_; }
  int connections() {
    absl::MutexLock l(&mu_);
    return connections_;
  }
  std::string first_bytes() {
    absl::MutexLock l(&mu_);
    return first_bytes_;
  }

 private:
  void AcceptLoop() {
    while (true) {
      int client = ::accept(listen_fd_, nullptr, nullptr);
      if (client < 0) return;
      int upstream = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in t{};
      t.sin_family = AF_INET;
      t.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      t.sin_port = htons(static_cast<uint16_t>(target_port_));
      if (::connect(upstream, reinterpret_cast<sockaddr*>(&t), sizeof(t)) != 0) {
        ::close(client);
        ::close(upstream);
        continue;
      }
      absl::MutexLock l(&mu_);
      ++connections_;
      fds_.push_back(client);
      fds_.push_back(upstream);
      pumps_.emplace_back([this, client, upstream] { Pump(client, upstream, true); });
      pumps_.emplace_back([this, client, upstream] { Pump(upstream, client, false); });
    }
  }
  void Pump(int from, int to, bool record) {
    char buf[16384];
    bool first = true;
    while (true) {
      ssize_t n = ::read(from, buf, sizeof(buf));
      if (n <= 0) break;
      if (record && first) {
        absl::MutexLock l(&mu_);
        first_bytes_.append(buf, static_cast<size_t>(n));
      }
      first = false;
      if (::write(to, buf, static_cast<size_t>(n)) != n) break;
    }
    ::shutdown(to, SHUT_WR);
  }

  int target_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread acceptor_;
  absl::Mutex mu_;
  int connections_ ABSL_GUARDED_BY(mu_) = 0;
  std::string first_bytes_ ABSL_GUARDED_BY(mu_);
  std::vector<int> fds_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> pumps_;
};

struct ExportSpec {
  std::string service;
  std::string consumer_peer;
};

// The model of one fake datacenter: local settings, services with one instance each, a mesh
// gateway with a WAN address, exports, and the protocol from service-defaults.
Model BuildModel(const std::string& dc, const std::string& cluster_id,
                 const std::vector<ExportSpec>& exports, const std::string& gateway_wan,
                 bool peer_through_mesh_gateways = false, int gateway_lan_port = 8443) {
  LocalSettings local;
  local.datacenter = dc;
  local.cluster_id = cluster_id;
  Model::Builder b{Model(local)};
  ExportedServices es;
  es.name = "default";
  for (const ExportSpec& e : exports) {
    ExportedService s;
    s.name = e.service;
    ExportedConsumer c;
    c.peer = e.consumer_peer;
    s.consumers.push_back(c);
    es.services.push_back(s);
  }
  if (!exports.empty()) b.Put(es);
  ServiceDefaults http;
  http.name = "public-api";
  http.protocol = "http";
  b.Put(http);
  for (const char* svc : {"public-api", "private-api", "front-service"}) {
    ServiceDefinition d;
    d.name = svc;
    d.address = "127.0.0.1";
    d.port = 9090;
    b.PutService(d);
  }
  if (!gateway_wan.empty()) {
    ServiceDefinition gw;
    gw.id = "mesh-gateway-1";
    gw.name = "mesh-gateway";
    gw.kind = "mesh-gateway";
    gw.address = "127.0.0.1";
    gw.port = gateway_lan_port;
    gw.tagged_addresses["lan"] = ServiceAddress{"127.0.0.1", gateway_lan_port};
    gw.tagged_addresses["wan"] = ServiceAddress{gateway_wan, 8443};
    b.PutService(gw);
  }
  if (peer_through_mesh_gateways) {
    Mesh mesh;
    mesh.peering.peer_through_mesh_gateways = true;
    b.Put(mesh);
  }
  return std::move(b).Build();
}

// One fake datacenter: CA, model, manager and its TLS peering port.
class FakeDc {
 public:
  FakeDc(std::string dc, std::string cluster_id, std::string data_dir)
      : dc_(std::move(dc)), cluster_id_(std::move(cluster_id)), data_dir_(std::move(data_dir)) {
    CaOptions o;
    o.trust_domain = cluster_id_ + ".consul";
    o.datacenter = dc_;
    auto ca = EmbeddedCa::Create(o, absl::Now());
    EXPECT_TRUE(ca.ok()) << ca.status();
    if (ca.ok()) ca_ = *std::move(ca);
    port_ = FreePort();
  }
  ~FakeDc() { Stop(); }

  // Start(model): a manager on the data directory and a TLS server on the peering port.
  absl::Status Start(const Model& model) {
    model_ = model;
    PeeringManagerOptions o;
    o.data_dir = data_dir_;
    o.peering_address = address();
    o.heartbeat_interval = absl::Milliseconds(100);
    o.heartbeat_timeout = absl::Seconds(3);
    o.redial_base = absl::Milliseconds(100);
    o.redial_max = absl::Milliseconds(400);
    o.dial_timeout = absl::Seconds(2);
    o.establish_wait = absl::Seconds(3);
    auto m = PeeringManager::Create(o, model, {ca_->root().root_cert_pem});
    if (!m.ok()) return m.status();
    manager_ = *std::move(m);
    manager_->OnChange([this](PeeringSetPtr set) {
      changes_.fetch_add(1);
      absl::MutexLock l(&mu_);
      last_notified_ = std::move(set);
    });
    return StartServer();
  }

  absl::Status StartServer() {
    absl::StatusOr<IssuedCert> leaf = ca_->IssuePeeringServerLeaf(absl::Now());
    if (!leaf.ok()) return leaf.status();
    grpc::ServerBuilder b;
    int selected = 0;
    b.AddListeningPort(address(), PeeringServerCredentials(*leaf), &selected);
    b.RegisterService(manager_->service());
    server_ = b.BuildAndStart();
    if (server_ == nullptr || selected != port_) {
      return absl::UnavailableError("cannot listen on " + address());
    }
    return absl::OkStatus();
  }

  void StopServer() {
    if (server_ != nullptr) {
      server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
      server_->Wait();
      server_.reset();
    }
  }

  // Stop: the process goes away (server first, then the manager).
  void Stop() {
    StopServer();
    manager_.reset();
  }

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string td() const { return cluster_id_ + ".consul"; }
  const std::string& dc() const { return dc_; }
  EmbeddedCa& ca() { return *ca_; }
  PeeringManager& manager() { return *manager_; }
  const Model& model() const { return model_; }
  int changes() const { return changes_.load(); }
  PeeringSetPtr last_notified() {
    absl::MutexLock l(&mu_);
    return last_notified_;
  }

  // The peering named `name`, or nullopt.
  std::optional<Peering> Get(const std::string& name) const {
    PeeringSetPtr set = manager_->Peerings();
    auto it = set->find(name);
    if (it == set->end()) return std::nullopt;
    return it->second;
  }
  bool InState(const std::string& name, PeeringState s) const {
    std::optional<Peering> p = Get(name);
    return p.has_value() && p->state == s;
  }

 private:
  std::string dc_, cluster_id_, data_dir_;
  std::unique_ptr<EmbeddedCa> ca_;
  int port_ = 0;
  Model model_;
  std::unique_ptr<PeeringManager> manager_;
  std::unique_ptr<grpc::Server> server_;
  std::atomic<int> changes_{0};
  absl::Mutex mu_;
  PeeringSetPtr last_notified_;
};

std::string StateOf(const FakeDc& dc, const std::string& name) {
  std::optional<Peering> p = dc.Get(name);
  if (!p.has_value()) return "(none)";
  return std::string(PeeringStateName(p->state)) + " " + p->last_error;
}

class PeeringManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dc1_ = std::make_unique<FakeDc>("gcp-dc1", kDc1Id, dir_.path() + "/dc1");
    dc2_ = std::make_unique<FakeDc>("gcp-dc2", kDc2Id, dir_.path() + "/dc2");
    // DC1 exports front-service to DC2; DC2 exports public-api to DC1 (its name for DC1).
    ASSERT_TRUE(dc1_->Start(BuildModel("gcp-dc1", kDc1Id, {{"front-service", "gcp-dc2-default"}},
                                       "127.0.1.2"))
                    .ok());
    ASSERT_TRUE(
        dc2_->Start(BuildModel("gcp-dc2", kDc2Id, {{"public-api", "gcp-dc1-default"}}, "127.0.2.2"))
            .ok());
  }

  // DC1 generates a token for DC2, DC2 establishes it; both end ACTIVE.
  void Peer() {
    absl::StatusOr<std::string> token = dc1_->manager().GenerateToken("gcp-dc2-default", {});
    ASSERT_TRUE(token.ok()) << token.status();
    EXPECT_TRUE(dc1_->InState("gcp-dc2-default", PeeringState::kPending));
    absl::Status s = dc2_->manager().Establish("gcp-dc1-default", *token);
    ASSERT_TRUE(s.ok()) << s;
    ASSERT_TRUE(WaitFor([&] {
      return dc1_->InState("gcp-dc2-default", PeeringState::kActive) &&
             dc2_->InState("gcp-dc1-default", PeeringState::kActive);
    })) << StateOf(*dc1_, "gcp-dc2-default")
        << " / " << StateOf(*dc2_, "gcp-dc1-default");
    token_ = *token;
  }

  TempDir dir_;
  std::unique_ptr<FakeDc> dc1_, dc2_;
  std::string token_;
};

TEST_F(PeeringManagerTest, TokenCarriesTheAcceptorsRootsAddressAndServerName) {
  absl::StatusOr<std::string> token = dc1_->manager().GenerateToken("gcp-dc2-default", {});
  ASSERT_TRUE(token.ok()) << token.status();
  absl::StatusOr<PeeringToken> t = PeeringTokenCodec::Decode(*token);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_THAT(t->ca, ElementsAre(dc1_->ca().root().root_cert_pem));
  EXPECT_THAT(t->server_addresses, ElementsAre(dc1_->address()));
  EXPECT_TRUE(t->manual_server_addresses.empty());
  EXPECT_EQ(t->server_name, "server.gcp-dc1.peering." + kTd1);
  EXPECT_EQ(t->remote.datacenter, "gcp-dc1");
  EXPECT_EQ(t->remote.partition, "default");
  std::optional<Peering> p = dc1_->Get("gcp-dc2-default");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(t->peer_id, p->id);
  EXPECT_EQ(p->state, PeeringState::kPending);
  EXPECT_EQ(t->establishment_secret.size(), 36u);

  // Again: same peering ID, a new secret.
  absl::StatusOr<std::string> again = dc1_->manager().GenerateToken("gcp-dc2-default", {});
  ASSERT_TRUE(again.ok());
  absl::StatusOr<PeeringToken> t2 = PeeringTokenCodec::Decode(*again);
  ASSERT_TRUE(t2.ok());
  EXPECT_EQ(t2->peer_id, t->peer_id);
  EXPECT_NE(t2->establishment_secret, t->establishment_secret);

  // Server external addresses become ManualServerAddresses.
  absl::StatusOr<std::string> manual =
      dc1_->manager().GenerateToken("other-peer", {"34.1.2.3:8443"});
  ASSERT_TRUE(manual.ok());
  absl::StatusOr<PeeringToken> t3 = PeeringTokenCodec::Decode(*manual);
  ASSERT_TRUE(t3.ok());
  EXPECT_THAT(t3->manual_server_addresses, ElementsAre("34.1.2.3:8443"));
  EXPECT_THAT(t3->server_addresses, ElementsAre("34.1.2.3:8443"));

  EXPECT_EQ(dc1_->manager().GenerateToken("bad_name", {}).status().message(),
            "peer name \"bad_name\" is not a valid DNS hostname label (letters, digits and '-', "
            "at most 63, not starting or ending with '-')");
}

TEST_F(PeeringManagerTest, PeerThroughMeshGatewaysPutsTheGatewaysInTheToken) {
  TempDir d;
  FakeDc gw_dc("gcp-dc1", kDc1Id, d.path() + "/a");
  ASSERT_TRUE(gw_dc.Start(BuildModel("gcp-dc1", kDc1Id, {}, "127.0.1.2", true)).ok());
  absl::StatusOr<std::string> token = gw_dc.manager().GenerateToken("gcp-dc2-default", {});
  ASSERT_TRUE(token.ok()) << token.status();
  absl::StatusOr<PeeringToken> t = PeeringTokenCodec::Decode(*token);
  ASSERT_TRUE(t.ok());
  EXPECT_THAT(t->server_addresses, ElementsAre("127.0.1.2:8443"));

  FakeDc no_gw("gcp-dc3", kDc3Id, d.path() + "/b");
  ASSERT_TRUE(no_gw.Start(BuildModel("gcp-dc3", kDc3Id, {}, "", true)).ok());
  absl::StatusOr<std::string> refused = no_gw.manager().GenerateToken("x", {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(),
            "servers are configured to PeerThroughMeshGateways, but no mesh gateway instances "
            "are registered");
}

TEST_F(PeeringManagerTest, PeersDirectlyAndExchangesExportsBothWays) {
  int changes_before = dc1_->changes();
  Peer();
  std::optional<Peering> a = dc1_->Get("gcp-dc2-default");  // the acceptor's view of DC2
  std::optional<Peering> d = dc2_->Get("gcp-dc1-default");  // the dialer's view of DC1
  ASSERT_TRUE(a.has_value() && d.has_value());

  // Each knows the other's identity: trust domain, roots, datacenter, IDs, server name.
  EXPECT_EQ(a->peer_trust_domain, kTd2);
  EXPECT_THAT(a->peer_ca_pems, ElementsAre(dc2_->ca().root().root_cert_pem));
  EXPECT_EQ(a->peer_datacenter, "gcp-dc2");
  EXPECT_EQ(a->peer_id, d->id);
  EXPECT_EQ(a->peer_server_name, "server.gcp-dc2.peering." + kTd2);
  EXPECT_THAT(a->peer_server_addresses, ElementsAre(dc2_->address()));
  EXPECT_EQ(d->peer_trust_domain, kTd1);
  EXPECT_THAT(d->peer_ca_pems, ElementsAre(dc1_->ca().root().root_cert_pem));
  EXPECT_EQ(d->peer_datacenter, "gcp-dc1");
  EXPECT_EQ(d->peer_id, a->id);
  EXPECT_EQ(d->peer_server_name, "server.gcp-dc1.peering." + kTd1);
  EXPECT_THAT(d->peer_server_addresses, ElementsAre(dc1_->address()));

  // DC1 imports DC2's public-api with DC2's SNI for it (DC2's name for DC1, DC2's td).
  ASSERT_EQ(a->imported.size(), 1u);
  const ImportedService& pub = a->imported[0];
  EXPECT_EQ(pub.name, "public-api");
  EXPECT_EQ(pub.ns, "default");
  EXPECT_EQ(pub.partition, "default");
  EXPECT_EQ(pub.protocol, "http");
  EXPECT_THAT(pub.sni, ElementsAre("public-api.default.default.gcp-dc1-default.external." + kTd2));
  EXPECT_THAT(pub.spiffe_ids,
              ElementsAre("spiffe://" + kTd2 + "/ns/default/dc/gcp-dc2/svc/public-api",
                          "spiffe://" + kTd2 + "/gateway/mesh/dc/gcp-dc2"));
  EXPECT_THAT(pub.gateways, ElementsAre(ServiceAddress{"127.0.2.2", 8443}));
  EXPECT_EQ(pub.health, InstanceHealth::kPassing);
  EXPECT_THAT(a->exported, ElementsAre("front-service"));

  // DC2 imports DC1's front-service (tcp).
  ASSERT_EQ(d->imported.size(), 1u);
  EXPECT_EQ(d->imported[0].name, "front-service");
  EXPECT_EQ(d->imported[0].protocol, "tcp");
  EXPECT_THAT(d->imported[0].sni,
              ElementsAre("front-service.default.default.gcp-dc2-default.external." + kTd1));
  EXPECT_THAT(d->imported[0].spiffe_ids,
              ElementsAre("spiffe://" + kTd1 + "/ns/default/dc/gcp-dc1/svc/front-service",
                          "spiffe://" + kTd1 + "/gateway/mesh/dc/gcp-dc1"));
  EXPECT_THAT(d->imported[0].gateways, ElementsAre(ServiceAddress{"127.0.1.2", 8443}));
  EXPECT_THAT(d->exported, ElementsAre("public-api"));

  // Heartbeats flow both ways, and OnChange saw the ACTIVE peering.
  EXPECT_TRUE(WaitFor([&] {
    std::optional<Peering> x = dc1_->Get("gcp-dc2-default");
    std::optional<Peering> y = dc2_->Get("gcp-dc1-default");
    return x && y && x->last_heartbeat != absl::InfinitePast() &&
           y->last_heartbeat != absl::InfinitePast() && x->last_send != absl::InfinitePast();
  }));
  EXPECT_GT(dc1_->changes(), changes_before);
  PeeringSetPtr notified = dc1_->last_notified();
  ASSERT_NE(notified, nullptr);
  ASSERT_TRUE(notified->contains("gcp-dc2-default"));
  EXPECT_EQ(notified->at("gcp-dc2-default").state, PeeringState::kActive);
  EXPECT_EQ(notified->at("gcp-dc2-default").imported.size(), 1u);

  // Heartbeats alone do not notify.
  int settled = dc1_->changes();
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ(dc1_->changes(), settled);
}

TEST_F(PeeringManagerTest, WrongAndReplayedSecretsAreRefusedWithoutRetry) {
  Peer();
  // A third datacenter replays the used token.
  TempDir d;
  FakeDc dc3("gcp-dc3", kDc3Id, d.path() + "/dc3");
  ASSERT_TRUE(dc3.Start(BuildModel("gcp-dc3", kDc3Id, {}, "127.0.3.2")).ok());
  absl::Status replay = dc3.manager().Establish("gcp-dc1-default", token_);
  EXPECT_EQ(replay.code(), absl::StatusCode::kPermissionDenied) << replay;
  EXPECT_THAT(std::string(replay.message()), HasSubstr("the establishment secret is not valid"));
  std::optional<Peering> p = dc3.Get("gcp-dc1-default");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->state, PeeringState::kFailing);
  EXPECT_THAT(p->last_error, HasSubstr("not valid"));

  // A forged secret on a fresh token is refused as well, and a new token replaces the old.
  absl::StatusOr<std::string> fresh = dc1_->manager().GenerateToken("gcp-dc3-default", {});
  ASSERT_TRUE(fresh.ok());
  absl::StatusOr<PeeringToken> t = PeeringTokenCodec::Decode(*fresh);
  ASSERT_TRUE(t.ok());
  PeeringToken forged = *t;
  forged.establishment_secret = "00000000-0000-4000-8000-000000000000";
  absl::Status s = dc3.manager().Establish("gcp-dc1-default", PeeringTokenCodec::Encode(forged));
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
  absl::StatusOr<std::string> newer = dc1_->manager().GenerateToken("gcp-dc3-default", {});
  ASSERT_TRUE(newer.ok());
  s = dc3.manager().Establish("gcp-dc1-default", *fresh);  // replaced by `newer`
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
  // Not retried: the acceptor's record of DC3 is still waiting.
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_TRUE(dc1_->InState("gcp-dc3-default", PeeringState::kPending));
  s = dc3.manager().Establish("gcp-dc1-default", *newer);
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_TRUE(WaitFor([&] { return dc3.InState("gcp-dc1-default", PeeringState::kActive); }))
      << StateOf(dc3, "gcp-dc1-default");

  // A malformed token never reaches the network.
  EXPECT_EQ(dc3.manager().Establish("x", "abc").code(), absl::StatusCode::kInvalidArgument);
  dc3.Stop();
}

TEST_F(PeeringManagerTest, TheAcceptorsCertificateMustCarryTheServerName) {
  absl::StatusOr<std::string> token = dc1_->manager().GenerateToken("gcp-dc2-default", {});
  ASSERT_TRUE(token.ok());
  absl::StatusOr<PeeringToken> t = PeeringTokenCodec::Decode(*token);
  ASSERT_TRUE(t.ok());
  PeeringToken wrong_name = *t;
  wrong_name.server_name = "server.gcp-dc9.peering." + kTd1;
  absl::Status s =
      dc2_->manager().Establish("gcp-dc1-default", PeeringTokenCodec::Encode(wrong_name));
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded) << s;
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("(TLS server name server.gcp-dc9.peering." + kTd1 + ")"));
  EXPECT_TRUE(dc2_->InState("gcp-dc1-default", PeeringState::kEstablishing))
      << StateOf(*dc2_, "gcp-dc1-default");
  // The secret was never handed over: the acceptor still waits and the real token works.
  EXPECT_TRUE(dc1_->InState("gcp-dc2-default", PeeringState::kPending));

  PeeringToken wrong_ca = *t;
  wrong_ca.ca = {dc2_->ca().root().root_cert_pem};
  s = dc2_->manager().Establish("gcp-dc1-default", PeeringTokenCodec::Encode(wrong_ca));
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(dc1_->InState("gcp-dc2-default", PeeringState::kPending));

  s = dc2_->manager().Establish("gcp-dc1-default", *token);
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_TRUE(WaitFor([&] { return dc2_->InState("gcp-dc1-default", PeeringState::kActive); }));
}

TEST_F(PeeringManagerTest, ChangedExportIsResent) {
  Peer();
  Model more = BuildModel("gcp-dc2", kDc2Id,
                          {{"public-api", "gcp-dc1-default"}, {"private-api", "gcp-dc1-default"}},
                          "127.0.2.2");
  dc2_->manager().UpdateLocal(more, {dc2_->ca().root().root_cert_pem});
  ASSERT_TRUE(WaitFor([&] {
    std::optional<Peering> p = dc1_->Get("gcp-dc2-default");
    return p && p->imported.size() == 2;
  }));
  std::optional<Peering> p = dc1_->Get("gcp-dc2-default");
  EXPECT_EQ(p->imported[0].name, "private-api");
  EXPECT_EQ(p->imported[0].protocol, "tcp");
  EXPECT_THAT(p->imported[0].sni,
              ElementsAre("private-api.default.default.gcp-dc1-default.external." + kTd2));
  EXPECT_EQ(p->imported[1].name, "public-api");
  EXPECT_THAT(dc2_->Get("gcp-dc1-default")->exported, ElementsAre("private-api", "public-api"));

  // A moved gateway is resent too; unexporting removes the import.
  Model moved = BuildModel("gcp-dc2", kDc2Id, {{"private-api", "gcp-dc1-default"}}, "127.0.2.9");
  dc2_->manager().UpdateLocal(moved, {dc2_->ca().root().root_cert_pem});
  ASSERT_TRUE(WaitFor([&] {
    std::optional<Peering> q = dc1_->Get("gcp-dc2-default");
    return q && q->imported.size() == 1 &&
           q->imported[0].gateways == std::vector<ServiceAddress>{{"127.0.2.9", 8443}};
  })) << dc1_->Get("gcp-dc2-default")->imported.size();
  EXPECT_EQ(dc1_->Get("gcp-dc2-default")->imported[0].name, "private-api");
}

TEST_F(PeeringManagerTest, AcceptorDownTurnsFailingThenActiveAfterRestart) {
  Peer();
  dc1_->Stop();  // the acceptor's process goes away (its peerings persist)
  ASSERT_TRUE(WaitFor([&] { return dc2_->InState("gcp-dc1-default", PeeringState::kFailing); }))
      << StateOf(*dc2_, "gcp-dc1-default");
  EXPECT_FALSE(dc2_->Get("gcp-dc1-default")->last_error.empty());
  // What was imported keeps serving while the stream is down.
  EXPECT_EQ(dc2_->Get("gcp-dc1-default")->imported.size(), 1u);

  // A new acceptor process on the same data directory and port: the dialer's redial uses the
  // stream secret, no new token.
  ASSERT_TRUE(dc1_->Start(BuildModel("gcp-dc1", kDc1Id, {{"front-service", "gcp-dc2-default"}},
                                     "127.0.1.2"))
                  .ok());
  EXPECT_TRUE(dc1_->Get("gcp-dc2-default").has_value());
  ASSERT_TRUE(WaitFor([&] {
    return dc1_->InState("gcp-dc2-default", PeeringState::kActive) &&
           dc2_->InState("gcp-dc1-default", PeeringState::kActive);
  })) << StateOf(*dc1_, "gcp-dc2-default")
      << " / " << StateOf(*dc2_, "gcp-dc1-default");
  EXPECT_EQ(dc1_->Get("gcp-dc2-default")->imported.size(), 1u);
}

TEST_F(PeeringManagerTest, DialerRestartResumesFromItsDataDirectory) {
  Peer();
  std::string id = dc2_->Get("gcp-dc1-default")->id;
  dc2_->Stop();
  ASSERT_TRUE(WaitFor([&] { return dc1_->InState("gcp-dc2-default", PeeringState::kFailing); }))
      << StateOf(*dc1_, "gcp-dc2-default");
  ASSERT_TRUE(
      dc2_->Start(BuildModel("gcp-dc2", kDc2Id, {{"public-api", "gcp-dc1-default"}}, "127.0.2.2"))
          .ok());
  EXPECT_EQ(dc2_->Get("gcp-dc1-default")->id, id);
  ASSERT_TRUE(WaitFor([&] {
    return dc1_->InState("gcp-dc2-default", PeeringState::kActive) &&
           dc2_->InState("gcp-dc1-default", PeeringState::kActive);
  })) << StateOf(*dc1_, "gcp-dc2-default")
      << " / " << StateOf(*dc2_, "gcp-dc1-default");
}

TEST_F(PeeringManagerTest, DeleteOnTheDialerTerminatesTheAcceptor) {
  Peer();
  ASSERT_TRUE(dc2_->manager().Delete("gcp-dc1-default").ok());
  EXPECT_FALSE(dc2_->Get("gcp-dc1-default").has_value());
  ASSERT_TRUE(WaitFor([&] { return dc1_->InState("gcp-dc2-default", PeeringState::kTerminated); }))
      << StateOf(*dc1_, "gcp-dc2-default");
  EXPECT_TRUE(dc1_->Get("gcp-dc2-default")->imported.empty());
  EXPECT_EQ(dc2_->manager().Delete("gcp-dc1-default").code(), absl::StatusCode::kNotFound);
}

TEST_F(PeeringManagerTest, DeleteOnTheAcceptorTerminatesTheDialerWhichStopsRedialing) {
  Peer();
  ASSERT_TRUE(dc1_->manager().Delete("gcp-dc2-default").ok());
  EXPECT_FALSE(dc1_->Get("gcp-dc2-default").has_value());
  ASSERT_TRUE(WaitFor([&] { return dc2_->InState("gcp-dc1-default", PeeringState::kTerminated); }))
      << StateOf(*dc2_, "gcp-dc1-default");
  EXPECT_TRUE(dc2_->Get("gcp-dc1-default")->imported.empty());
  absl::SleepFor(absl::Milliseconds(600));  // longer than the redial backoff
  EXPECT_TRUE(dc2_->InState("gcp-dc1-default", PeeringState::kTerminated));
  // The deletion persisted: a restarted acceptor does not bring it back.
  dc1_->Stop();
  ASSERT_TRUE(dc1_->Start(BuildModel("gcp-dc1", kDc1Id, {}, "127.0.1.2")).ok());
  EXPECT_FALSE(dc1_->Get("gcp-dc2-default").has_value());
}

TEST_F(PeeringManagerTest, PersistedFileIsPrivateAndCorruptionIsReported) {
  Peer();
  const std::string file = dir_.path() + "/dc1/peerings.json";
  ASSERT_TRUE(fs::exists(file));
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  dc1_->Stop();
  {
    std::ofstream out(file, std::ios::trunc);
    out << "{\"peerings\": [{\"name\": \"x\", \"id\": 5}]}";
  }
  PeeringManagerOptions o;
  o.data_dir = dir_.path() + "/dc1";
  auto m = PeeringManager::Create(o, dc1_->model(), {});
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(std::string(m.status().message()), HasSubstr(file + ": peerings[0]: "));
}

TEST_F(PeeringManagerTest, PeerThroughMeshGatewaysDialsTheLocalGatewayWithTheServerNameAsSni) {
  // DC2 with PeerThroughMeshGateways dials its own mesh gateway's LAN address; the "gateway" is a
  // passthrough relay to DC1's peering port. TLS is checked end to end against the token's
  // server name and CA, and the server name travels as SNI for the gateways to route on.
  dc2_->Stop();
  int dc1_port = std::stoi(dc1_->address().substr(dc1_->address().rfind(':') + 1));
  PassthroughRelay gateway(dc1_port);
  ASSERT_NE(gateway.port(), 0);
  TempDir d;
  FakeDc ptmg("gcp-dc2", kDc2Id, d.path() + "/dc2");
  ASSERT_TRUE(
      ptmg.Start(BuildModel("gcp-dc2", kDc2Id, {{"public-api", "gcp-dc1-default"}}, "127.0.2.2",
                            /*peer_through_mesh_gateways=*/true, gateway.port()))
          .ok());
  // The token names an address nobody listens on: only the local gateway route can work.
  absl::StatusOr<std::string> token =
      dc1_->manager().GenerateToken("gcp-dc2-default", {"127.0.0.1:1"});
  ASSERT_TRUE(token.ok());
  absl::StatusOr<PeeringToken> t = PeeringTokenCodec::Decode(*token);
  ASSERT_TRUE(t.ok());
  PeeringToken via_gateway = *t;
  via_gateway.manual_server_addresses.clear();  // as Consul's gateway-address token
  absl::Status s =
      ptmg.manager().Establish("gcp-dc1-default", PeeringTokenCodec::Encode(via_gateway));
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_TRUE(WaitFor([&] { return ptmg.InState("gcp-dc1-default", PeeringState::kActive); }))
      << StateOf(ptmg, "gcp-dc1-default");
  EXPECT_GE(gateway.connections(), 1);
  EXPECT_THAT(gateway.first_bytes(), HasSubstr("server.gcp-dc1.peering." + kTd1));
  // The dialer then learns the acceptor's current server addresses from the stream (its
  // gateway's outbound chain follows them), replacing the token's.
  EXPECT_THAT(ptmg.Get("gcp-dc1-default")->peer_server_addresses, ElementsAre(dc1_->address()));
  // And tells the acceptor its own gateways (PeerThroughMeshGateways) as the return path.
  ASSERT_TRUE(WaitFor([&] {
    std::optional<Peering> p = dc1_->Get("gcp-dc2-default");
    return p && p->peer_server_addresses == std::vector<std::string>{"127.0.2.2:8443"};
  }));
  ptmg.Stop();
}

// A raw client of the peering service on DC1's port, with DC1's CA and server name.
std::unique_ptr<v1::PeeringStream::Stub> RawStub(FakeDc& dc) {
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = dc.ca().root().root_cert_pem;
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("server." + dc.dc() + ".peering." + dc.td());
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return v1::PeeringStream::NewStub(
      grpc::CreateCustomChannel(dc.address(), grpc::SslCredentials(tls), args));
}

TEST_F(PeeringManagerTest, ASilentDialerIsCutOffAfterTheHeartbeatTimeout) {
  Peer();
  std::string acceptor_id = dc1_->Get("gcp-dc2-default")->id;
  dc2_->Stop();
  ASSERT_TRUE(WaitFor([&] { return dc1_->InState("gcp-dc2-default", PeeringState::kFailing); }));
  // The stream secret DC2 persisted.
  std::ifstream in(dir_.path() + "/dc2/peerings.json");
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  std::string secret = doc["peerings"][0]["stream_secret"].get<std::string>();
  ASSERT_EQ(secret.size(), 36u);

  auto stub = RawStub(*dc1_);
  {
    // A wrong stream secret is refused.
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    auto stream = stub->StreamResources(&ctx);
    v1::PeeringStreamMessage open;
    open.mutable_open()->set_peer_id(acceptor_id);
    open.mutable_open()->set_stream_secret("00000000-0000-4000-8000-000000000000");
    ASSERT_TRUE(stream->Write(open));
    v1::PeeringStreamMessage m;
    EXPECT_FALSE(stream->Read(&m));
    grpc::Status st = stream->Finish();
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(st.error_message(), "peering \"gcp-dc2-default\": the stream secret is not valid");
  }
  {
    // The right one: DC1 sends its state and heartbeats; this client never answers, so DC1 ends
    // the stream after its heartbeat timeout (3 s here) and reports why.
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(15));
    auto stream = stub->StreamResources(&ctx);
    v1::PeeringStreamMessage open;
    open.mutable_open()->set_peer_id(acceptor_id);
    open.mutable_open()->set_stream_secret(secret);
    ASSERT_TRUE(stream->Write(open));
    absl::Time start = absl::Now();
    int states = 0, heartbeats = 0;
    v1::PeeringStreamMessage m;
    while (stream->Read(&m)) {
      states += m.has_local_state();
      heartbeats += m.has_heartbeat();
      if (m.has_local_state()) {
        EXPECT_EQ(m.local_state().trust_bundle().trust_domain(), kTd1);
        ASSERT_EQ(m.local_state().exported_services_size(), 1);
        EXPECT_EQ(m.local_state().exported_services(0).sni(0),
                  "front-service.default.default.gcp-dc2-default.external." + kTd1);
      }
    }
    absl::Duration lasted = absl::Now() - start;
    stream->Finish();
    EXPECT_EQ(states, 1);
    EXPECT_GE(heartbeats, 5);  // every 100 ms
    EXPECT_GE(lasted, absl::Milliseconds(2900));
    EXPECT_LT(lasted, absl::Seconds(9));
  }
  // The handler records why once the stream is down (the client may see the end first).
  EXPECT_TRUE(WaitFor([&] {
    std::optional<Peering> p = dc1_->Get("gcp-dc2-default");
    return p && p->state == PeeringState::kFailing &&
           p->last_error.find("heartbeat timeout") != std::string::npos;
  })) << StateOf(*dc1_, "gcp-dc2-default");
}

TEST(PeeringManagerExports, FollowTheModelsRulesForWildcardsAndSamenessGroups) {
  // DC2 exports every service to the sameness group `api-services` (members: the peer
  // gcp-dc1-default and the local partition) and `ghost` (no instance) to gcp-dc3-default.
  LocalSettings local;
  local.datacenter = "gcp-dc2";
  local.cluster_id = kDc2Id;
  Model::Builder b{Model(local)};
  SamenessGroup group;
  group.name = "api-services";
  SamenessMember local_member;
  local_member.partition = "default";
  SamenessMember peer_member;
  peer_member.peer = "gcp-dc1-default";
  group.members = {local_member, peer_member};
  b.Put(group);
  ExportedServices es;
  es.name = "default";
  ExportedService all;
  all.name = "*";
  ExportedConsumer by_group;
  by_group.sameness_group = "api-services";
  all.consumers = {by_group};
  ExportedService ghost;
  ghost.name = "ghost";
  ExportedConsumer dc3;
  dc3.peer = "gcp-dc3-default";
  ghost.consumers = {dc3};
  es.services = {all, ghost};
  b.Put(es);
  for (const char* svc : {"public-api", "private-api"}) {
    ServiceDefinition d;
    d.name = svc;
    d.port = 9090;
    b.PutService(d);
  }
  ServiceDefinition gw;
  gw.id = "gw";
  gw.name = "mesh-gateway";
  gw.kind = "mesh-gateway";
  gw.address = "127.0.2.2";
  gw.port = 8443;
  b.PutService(gw);
  Model model = std::move(b).Build();

  PeeringManagerOptions o;
  o.peering_address = "127.0.0.1:1";
  auto m = PeeringManager::Create(o, model, {});
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_TRUE((*m)->GenerateToken("gcp-dc1-default", {}).ok());
  ASSERT_TRUE((*m)->GenerateToken("gcp-dc3-default", {}).ok());
  PeeringSetPtr set = (*m)->Peerings();
  // The same answer as Model::PeersExportedTo, service by service.
  for (std::string peer : {"gcp-dc1-default", "gcp-dc3-default"}) {
    std::vector<std::string> want;
    for (const char* svc : {"ghost", "mesh-gateway", "private-api", "public-api"}) {
      std::vector<std::string> peers = model.PeersExportedTo(svc);
      bool registered =
          !model.ServicesNamed(svc).empty() && model.ServicesNamed(svc)[0]->kind == "";
      bool listed = std::string(svc) == "ghost";
      if ((registered || listed) && std::find(peers.begin(), peers.end(), peer) != peers.end()) {
        want.push_back(svc);
      }
    }
    EXPECT_EQ(set->at(peer).exported, want) << peer;
  }
  // "*" covers the listed `ghost` too, as in Model::PeersExportedTo.
  EXPECT_THAT(set->at("gcp-dc1-default").exported,
              ElementsAre("ghost", "private-api", "public-api"));
  EXPECT_THAT(set->at("gcp-dc3-default").exported, ElementsAre("ghost"));
}

TEST(PeeringManagerCreate, RejectsAModelWithoutIdentity) {
  Model empty;
  auto m = PeeringManager::Create({}, empty, {});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(), "peering: the model has no local datacenter");
}

}  // namespace
}  // namespace meshgw::control
