// ConsulSource against the Consul API double (tests/consul_double/consul_double.py), started as a
// subprocess on 127.0.0.1 with a random port: initial sync, blocking queries waking on a change,
// index resets, ACL 403s, 500/429 retries, a restart of the double, peerings with imported
// services, and HTTPS with a client certificate.
#include "control/source/consul_source.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace meshgw::control {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

constexpr char kTrustDomain[] = "11111111-2222-3333-4444-555555555555.consul";
constexpr char kPeerTrustDomain[] = "22222222-3333-4444-5555-666666666666.consul";

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Certificates for the HTTPS tests and a root PEM for /v1/connect/ca/roots, made once with the
// openssl command.
struct TestCerts {
  fs::path dir;
  std::string ca_pem;
  bool ok = false;
};

const TestCerts& Certs() {
  static TestCerts* certs = [] {
    auto* c = new TestCerts;
    c->dir = fs::temp_directory_path() / ("consul-source-test-" + std::to_string(getpid()));
    fs::create_directories(c->dir);
    std::string d = c->dir.string();
    std::string script =
        "set -e; cd '" + d +
        "'; "
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
        "  -keyout ca.key -out ca.pem -days 2 -subj /CN=test-consul-ca 2>/dev/null; "
        "printf 'subjectAltName=IP:127.0.0.1,DNS:consul.test\\n' > server.ext; "
        "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
        "  -keyout server.key -out server.csr -subj /CN=server.dc1.consul 2>/dev/null; "
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
        "  -out server.pem -days 2 -extfile server.ext 2>/dev/null; "
        "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
        "  -keyout client.key -out client.csr -subj /CN=meshgw-control 2>/dev/null; "
        "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
        "  -out client.pem -days 2 2>/dev/null";
    c->ok = std::system(script.c_str()) == 0;
    c->ca_pem = ReadFile(c->dir / "ca.pem");
    // Removed when the process exits (the doubles that read them are gone by then).
    std::atexit([] {
      std::error_code ignored;
      fs::remove_all(certs->dir, ignored);
    });
    return c;
  }();
  return *certs;
}

// The double as a child process.
class ConsulDouble {
 public:
  ~ConsulDouble() {
    Kill();
    std::error_code ignored;  // nothing to do if it is already gone
    if (!scenario_path_.empty()) fs::remove(scenario_path_, ignored);
  }

  // Start runs the double with `scenario` (written to a file) on `port` (0: any).
  void Start(const json& scenario, int port = 0, std::vector<std::string> extra = {}) {
    scenario_path_ =
        fs::temp_directory_path() / ("consul-double-" + std::to_string(getpid()) + "-" +
                                     std::to_string(reinterpret_cast<uintptr_t>(this)) + ".json");
    std::ofstream(scenario_path_) << scenario.dump();
    int out[2];
    ASSERT_EQ(pipe(out), 0);
    std::vector<std::string> args = {
        "python3",    MESHGW_SOURCE_DIR "/tests/consul_double/consul_double.py",
        "--port",     std::to_string(port),
        "--scenario", scenario_path_.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      dup2(out[1], 1);
      close(out[0]);
      close(out[1]);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execvp("python3", argv.data());
      _exit(127);
    }
    close(out[1]);
    // First line: "consul-double listening on http://127.0.0.1:PORT".
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      pollfd p{out[0], POLLIN, 0};
      if (poll(&p, 1, 200) <= 0) continue;
      char buf[256];
      ssize_t n = read(out[0], buf, sizeof(buf));
      if (n <= 0) break;
      line.append(buf, static_cast<size_t>(n));
    }
    close(out[0]);
    ASSERT_NE(line.find("listening on"), std::string::npos) << "the double did not start: " << line;
    if (line.find("unix://") != std::string::npos) return;
    size_t colon = line.rfind(':');
    port_ = std::stoi(line.substr(colon + 1));
  }

  void Kill() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

  int port() const { return port_; }

  ConsulHttpConfig Config() const {
    ConsulHttpConfig c;
    c.port = port_;
    return c;
  }

  // An admin call; the body of the answer.
  std::string Admin(const std::string& method, const std::string& target,
                    const std::string& body = "") {
    absl::StatusOr<ConsulHttpResponse> r = ConsulHttpRequest(
        admin_config_.value_or(Config()), method, target, body, absl::Seconds(10));
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return "";
    EXPECT_EQ(r->status, 200) << target << ": " << r->body;
    return r->body;
  }
  void Patch(const json& partial) { Admin("PATCH", "/_double/state", partial.dump()); }
  json Requests() { return json::parse(Admin("GET", "/_double/requests")); }

  std::optional<ConsulHttpConfig> admin_config_;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  fs::path scenario_path_;
};

json Intentions(const std::string& source) {
  return json::array({{{"Kind", "service-intentions"},
                       {"Name", "front-service"},
                       {"Sources", json::array({{{"Name", source},
                                                 {"Peer", "gcp-dc2-default"},
                                                 {"Action", "allow"},
                                                 {"Precedence", 9},
                                                 {"Type", "consul"}}})}}});
}

json BaseScenario() {
  const std::string& pem = Certs().ca_pem;
  json services = json::array();
  services.push_back({{"Node", "dc1-server-1"},
                      {"NodeAddress", "127.0.1.1"},
                      {"Service",
                       {{"ID", "consul"},
                        {"Service", "consul"},
                        {"Port", 8300},
                        {"Meta", {{"grpc_tls_port", "8503"}, {"grpc_port", "-1"}}}}}});
  services.push_back(
      {{"Node", "dc1-node-1"},
       {"NodeAddress", "127.0.1.2"},
       {"Service",
        {{"ID", "mesh-gateway-1"},
         {"Service", "mesh-gateway"},
         {"Kind", "mesh-gateway"},
         {"Port", 8443},
         {"Address", "127.0.1.2"},
         {"TaggedAddresses",
          {{"lan", {{"Address", "127.0.1.2"}, {"Port", 8443}}},
           {"wan", {{"Address", "127.0.1.2"}, {"Port", 8443}}}}}}},
       {"Checks", json::array({{{"Name", "gateway ready"}, {"Status", "passing"}}})}});
  services.push_back(
      {{"Node", "dc1-node-2"},
       {"NodeAddress", "127.0.1.20"},
       {"Service", {{"ID", "front-service-1"}, {"Service", "front-service"}, {"Port", 9090}}}});
  services.push_back({{"Node", "dc1-node-2"},
                      {"NodeAddress", "127.0.1.20"},
                      {"Service",
                       {{"ID", "front-service-1-sidecar-proxy"},
                        {"Service", "front-service-sidecar-proxy"},
                        {"Kind", "connect-proxy"},
                        {"Port", 21000},
                        {"Proxy",
                         {{"DestinationServiceName", "front-service"},
                          {"DestinationServiceID", "front-service-1"},
                          {"Upstreams", json::array({{{"DestinationType", "service"},
                                                      {"DestinationName", "public-api"},
                                                      {"DestinationPeer", "gcp-dc2-default"},
                                                      {"LocalBindAddress", "127.0.1.2"},
                                                      {"LocalBindPort", 9191}}})}}}}}});
  json config = {
      {"mesh", json::array({{{"Kind", "mesh"},
                             {"Name", "mesh"},
                             {"Peering", {{"PeerThroughMeshGateways", true}}}}})},
      {"proxy-defaults", json::array({{{"Kind", "proxy-defaults"},
                                       {"Name", "global"},
                                       {"Config", {{"protocol", "http"}}},
                                       {"MeshGateway", {{"Mode", "local"}}},
                                       {"Expose", json::object()}}})},
      {"exported-services",
       json::array(
           {{{"Kind", "exported-services"},
             {"Name", "default"},
             {"Services",
              json::array({{{"Name", "front-service"},
                            {"Consumers", json::array({{{"Peer", "gcp-dc2-default"}}})}}})}}})},
      {"service-intentions", Intentions("public-api")},
  };
  json imported = {
      {"gcp-dc2-default",
       {{"public-api",
         json::array({{{"Node", "dc2-gw-node"},
                       {"Address", "127.0.2.2"},
                       {"Port", 8443},
                       {"SNI", json::array({std::string("public-api.default.default.gcp-dc1-"
                                                        "default.external.") +
                                            kPeerTrustDomain})},
                       {"SpiffeID", json::array({std::string("spiffe://") + kPeerTrustDomain +
                                                     "/ns/default/dc/gcp-dc2/svc/public-api",
                                                 std::string("spiffe://") + kPeerTrustDomain +
                                                     "/gateway/mesh/dc/gcp-dc2"})},
                       {"Protocol", "http"},
                       {"Status", "passing"}}})}}}};
  return {
      {"datacenter", "gcp-dc1"},
      {"config", config},
      {"services", services},
      {"roots",
       {{"TrustDomain", kTrustDomain},
        {"Roots", json::array({{{"ID", "root-1"}, {"RootCert", pem}, {"Active", true}}})}}},
      {"peerings",
       json::array({{{"Name", "gcp-dc2-default"},
                     {"State", "ACTIVE"},
                     {"PeerServerName", std::string("server.gcp-dc2.peering.") + kPeerTrustDomain},
                     {"PeerServerAddresses", json::array({"127.0.2.2:8443"})},
                     {"PeerCAPems", json::array({pem})},
                     {"Remote", {{"Partition", "default"}, {"Datacenter", "gcp-dc2"}}}}})},
      {"imported", imported},
  };
}

// Collects published states; waits on a condition, no sleeping.
class Recorder {
 public:
  void Push(const ConsulState& s) {
    absl::MutexLock lock(&mu_);
    states_.push_back(s);
    last_at_ = std::chrono::steady_clock::now();
  }
  std::optional<ConsulState> WaitFor(const std::function<bool(const ConsulState&)>& pred,
                                     absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto ready = [&]() { return !states_.empty() && pred(states_.back()); };
    if (!mu_.AwaitWithTimeout(absl::Condition(&ready), timeout)) return std::nullopt;
    return states_.back();
  }
  std::chrono::steady_clock::time_point last_at() {
    absl::MutexLock lock(&mu_);
    return last_at_;
  }
  size_t count() {
    absl::MutexLock lock(&mu_);
    return states_.size();
  }

 private:
  absl::Mutex mu_;
  std::vector<ConsulState> states_;
  std::chrono::steady_clock::time_point last_at_;
};

ConsulSourceOptions TestOptions(ConsulHttpConfig http, Recorder* recorder) {
  ConsulSourceOptions o;
  o.http = std::move(http);
  o.local.datacenter = "gcp-dc1";
  o.wait = absl::Seconds(20);
  o.peering_poll_interval = absl::Milliseconds(200);
  o.retry_base = absl::Milliseconds(50);
  o.retry_max = absl::Milliseconds(400);
  o.rate_limit_burst = 4;
  o.rate_limit_interval = absl::Milliseconds(100);
  o.initial_sync_timeout = absl::Seconds(3);
  o.on_change = [recorder](const ConsulState& s) { recorder->Push(s); };
  return o;
}

std::string FirstIntentionSource(const ConsulState& s) {
  auto si = s.model.Get<ServiceIntentions>("front-service");
  if (si == nullptr || si->sources.empty()) return "";
  return si->sources[0].name;
}

bool HasImportedPublicApi(const ConsulState& s) {
  auto it = s.peerings->find("gcp-dc2-default");
  return it != s.peerings->end() && it->second.FindImported("public-api") != nullptr;
}

// Bounded wait for something only observable by asking (errors); 20 ms steps.
bool Eventually(const std::function<bool()>& cond, absl::Duration timeout) {
  absl::Time end = absl::Now() + timeout;
  while (absl::Now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return cond();
}

bool AnyErrorContains(const ConsulSource& s, const std::string& text) {
  for (const std::string& e : s.Errors()) {
    if (e.find(text) != std::string::npos) return true;
  }
  return false;
}

class ConsulSourceTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(Certs().ok) << "openssl could not make test certificates"; }
};

TEST_F(ConsulSourceTest, InitialSyncIntoTheModel) {
  json scenario = BaseScenario();
  // As Consul CE without sameness groups: 400 for that kind, which means "none".
  scenario["unsupported_kinds"] = json::array({"sameness-group"});
  ConsulDouble consul;
  ASSERT_NO_FATAL_FAILURE(consul.Start(scenario));
  Recorder rec;
  ConsulSourceOptions options = TestOptions(consul.Config(), &rec);
  options.initial_sync_timeout = absl::Seconds(30);  // so the 10 s wait below proves "all answered"
  ConsulSource source(std::move(options));
  ASSERT_TRUE(source.Start().ok());
  std::optional<ConsulState> s =
      rec.WaitFor([](const ConsulState& s) { return HasImportedPublicApi(s); }, absl::Seconds(10));
  ASSERT_TRUE(s.has_value()) << "no complete state; errors: "
                             << testing::PrintToString(source.Errors());

  // Published once every watch had answered (long before the timeout), in one piece.
  EXPECT_EQ(rec.count(), 1u);

  // Config entries.
  EXPECT_TRUE(s->model.PeerThroughMeshGateways());
  EXPECT_EQ(s->model.ServiceProtocol("front-service"), "http");
  EXPECT_EQ(FirstIntentionSource(*s), "public-api");
  EXPECT_EQ(s->model.PeersExportedTo("front-service"), std::vector<std::string>{"gcp-dc2-default"});
  auto mesh = s->model.Get<Mesh>("mesh");
  ASSERT_NE(mesh, nullptr);
  EXPECT_EQ(mesh->origin, "/v1/config/mesh/mesh");

  // Services: the gateway with its tagged addresses, the sidecar folded into its service.
  auto gateways = s->model.MeshGateways();
  ASSERT_EQ(gateways.size(), 1u);
  EXPECT_EQ(gateways[0]->EffectiveId(), "mesh-gateway-1");
  EXPECT_EQ(gateways[0]->WanAddress(), (ServiceAddress{"127.0.1.2", 8443}));
  auto front = s->model.FindService("front-service-1");
  ASSERT_NE(front, nullptr);
  EXPECT_EQ(front->address, "127.0.1.20");
  ASSERT_TRUE(front->connect.has_value() && front->connect->sidecar_service.has_value());
  const auto& ups = front->connect->sidecar_service->proxy.upstreams;
  ASSERT_EQ(ups.size(), 1u);
  EXPECT_EQ(ups[0].destination_peer, "gcp-dc2-default");
  EXPECT_EQ(ups[0].local_bind_port, 9191);
  EXPECT_EQ(s->model.FindService("front-service-1-sidecar-proxy"), nullptr);
  EXPECT_EQ(s->server_addresses, (std::vector<ServiceAddress>{{"127.0.1.1", 8503}}));

  // CA roots and the trust domain; the local cluster id comes from it.
  EXPECT_EQ(s->trust_domain, kTrustDomain);
  ASSERT_EQ(s->root_pems.size(), 1u);
  EXPECT_EQ(s->root_pems[0], Certs().ca_pem);
  EXPECT_EQ(s->model.local().TrustDomain(), kTrustDomain);
  EXPECT_EQ(s->model.local().datacenter, "gcp-dc1");

  // The peering and what it imports.
  const Peering& p = s->peerings->at("gcp-dc2-default");
  EXPECT_EQ(p.state, PeeringState::kActive);
  EXPECT_EQ(p.peer_trust_domain, kPeerTrustDomain);
  EXPECT_EQ(p.peer_datacenter, "gcp-dc2");
  const ImportedService* api = p.FindImported("public-api");
  ASSERT_NE(api, nullptr);
  EXPECT_EQ(api->protocol, "http");
  EXPECT_EQ(api->sni, std::vector<std::string>{std::string("public-api.default.default.gcp-dc1-"
                                                           "default.external.") +
                                               kPeerTrustDomain});
  EXPECT_EQ(api->spiffe_ids.size(), 2u);
  EXPECT_EQ(api->gateways, (std::vector<ServiceAddress>{{"127.0.2.2", 8443}}));
  EXPECT_TRUE(source.Errors().empty()) << testing::PrintToString(source.Errors());

  // Never index 0, and the token-less requests were answered (ACLs off in this scenario).
  for (const json& r : consul.Requests()) {
    EXPECT_EQ(r["query"].get<std::string>().find("index=0"), std::string::npos) << r.dump();
  }

  // The service leaf through the agent endpoint.
  json leaf_json = json::object();
  leaf_json["CertPEM"] = Certs().ca_pem;
  leaf_json["PrivateKeyPEM"] = ReadFile(Certs().dir / "client.key");
  json leaves = json::object();
  leaves["front-service"] = leaf_json;
  json patch = json::object();
  patch["leaves"] = leaves;
  consul.Patch(patch);
  absl::StatusOr<IssuedCert> leaf = FetchServiceLeaf(consul.Config(), "front-service");
  ASSERT_TRUE(leaf.ok()) << leaf.status();
  EXPECT_EQ(leaf->spiffe_id,
            std::string("spiffe://") + kTrustDomain + "/ns/default/dc/gcp-dc1/svc/front-service");
}

TEST_F(ConsulSourceTest, BlockingQueryWakesOnChangeWithoutPolling) {
  ConsulDouble consul;
  ASSERT_NO_FATAL_FAILURE(consul.Start(BaseScenario()));
  Recorder rec;
  ConsulSourceOptions options = TestOptions(consul.Config(), &rec);
  options.peering_poll_interval = absl::Seconds(30);  // keep the log to blocking queries
  ConsulSource source(std::move(options));
  ASSERT_TRUE(source.Start().ok());
  ASSERT_TRUE(rec.WaitFor(HasImportedPublicApi, absl::Seconds(10)).has_value());

  // Idle: every watch is parked in a blocking query; nothing is asked in the meantime.
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // the last watches re-park
  consul.Admin("DELETE", "/_double/requests");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  json idle = consul.Requests();
  EXPECT_TRUE(idle.empty()) << "requests while nothing changed: " << idle.dump();

  auto before = std::chrono::steady_clock::now();
  consul.Patch({{"config",
                 {{"service-intentions", Intentions("private-api")},
                  {"mesh", BaseScenario()["config"]["mesh"]},
                  {"proxy-defaults", BaseScenario()["config"]["proxy-defaults"]},
                  {"exported-services", BaseScenario()["config"]["exported-services"]}}}});
  std::optional<ConsulState> s =
      rec.WaitFor([](const ConsulState& s) { return FirstIntentionSource(s) == "private-api"; },
                  absl::Seconds(5));
  ASSERT_TRUE(s.has_value());
  auto took = rec.last_at() - before;
  EXPECT_LT(took, std::chrono::seconds(1))
      << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
  // Only the changed endpoint answered, and its next query blocks with the new index.
  json after = consul.Requests();
  int intentions = 0;
  for (const json& r : after) {
    if (r["path"] == "/v1/config/service-intentions") ++intentions;
  }
  EXPECT_GE(intentions, 1);
  EXPECT_LE(after.size(), 4u) << after.dump();
}

TEST_F(ConsulSourceTest, IndexResetWhenItGoesBackwards) {
  ConsulDouble consul;
  ASSERT_NO_FATAL_FAILURE(consul.Start(BaseScenario()));
  Recorder rec;
  ConsulSource source(TestOptions(consul.Config(), &rec));
  ASSERT_TRUE(source.Start().ok());
  ASSERT_TRUE(rec.WaitFor(HasImportedPublicApi, absl::Seconds(10)).has_value());
  consul.Admin("DELETE", "/_double/requests");

  // A snapshot restore: the index drops from ~100 to 3, and the state changes.
  consul.Admin("POST", "/_double/reset-index?to=3");
  consul.Patch({{"config",
                 {{"service-intentions", Intentions("restored")},
                  {"mesh", BaseScenario()["config"]["mesh"]},
                  {"proxy-defaults", BaseScenario()["config"]["proxy-defaults"]},
                  {"exported-services", BaseScenario()["config"]["exported-services"]}}}});
  std::optional<ConsulState> s = rec.WaitFor(
      [](const ConsulState& s) { return FirstIntentionSource(s) == "restored"; }, absl::Seconds(5));
  ASSERT_TRUE(s.has_value());
  EXPECT_GT(source.TEST_Stats().index_resets, 0u);

  // A later change is still seen: the watch blocks on the new, lower index.
  consul.Patch({{"config",
                 {{"service-intentions", Intentions("after-restore")},
                  {"mesh", BaseScenario()["config"]["mesh"]},
                  {"proxy-defaults", BaseScenario()["config"]["proxy-defaults"]},
                  {"exported-services", BaseScenario()["config"]["exported-services"]}}}});
  ASSERT_TRUE(
      rec.WaitFor([](const ConsulState& s) { return FirstIntentionSource(s) == "after-restore"; },
                  absl::Seconds(5))
          .has_value());
  bool saw_index_1 = false;
  for (const json& r : consul.Requests()) {
    std::string q = r["query"];
    EXPECT_EQ(q.find("index=0"), std::string::npos) << q;
    if (q.find("index=1&") != std::string::npos) saw_index_1 = true;
  }
  EXPECT_TRUE(saw_index_1) << "the reset re-reads with index=1";
}

TEST_F(ConsulSourceTest, ForbiddenNamesTheAclPermissionAndKeepsTheLastState) {
  json scenario = BaseScenario();
  // The token may read everything but the peerings.
  scenario["acl"] = {{"tokens",
                      {{"mirror-token", json::array({"/v1/config/", "/v1/catalog/", "/v1/health/",
                                                     "/v1/connect/"})}}}};
  ConsulDouble consul;
  ASSERT_NO_FATAL_FAILURE(consul.Start(scenario));
  Recorder rec;
  ConsulHttpConfig http = consul.Config();
  http.token = "mirror-token";
  ConsulSource source(TestOptions(http, &rec));
  ASSERT_TRUE(source.Start().ok());

  // Published after the initial-sync timeout, without peerings, and the error says why.
  std::optional<ConsulState> s =
      rec.WaitFor([](const ConsulState& s) { return FirstIntentionSource(s) == "public-api"; },
                  absl::Seconds(10));
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->peerings->empty());
  EXPECT_TRUE(AnyErrorContains(source, "GET /v1/peerings: 403 Permission denied"))
      << testing::PrintToString(source.Errors());
  EXPECT_TRUE(AnyErrorContains(source, "peering:read"));

  // Intentions become unreadable: the last good ones stay.
  scenario["acl"]["tokens"]["mirror-token"] =
      json::array({"/v1/config/mesh", "/v1/config/proxy-defaults", "/v1/config/exported",
                   "/v1/config/sameness", "/v1/config/service-resolver",
                   "/v1/config/service-defaults", "/v1/catalog/", "/v1/health/", "/v1/connect/"});
  consul.Patch({{"acl", scenario["acl"]}});
  // The query parked before the change still answers (Consul checks ACLs on entry) ...
  consul.Patch({{"config",
                 {{"service-intentions", Intentions("second")},
                  {"mesh", scenario["config"]["mesh"]},
                  {"proxy-defaults", scenario["config"]["proxy-defaults"]},
                  {"exported-services", scenario["config"]["exported-services"]}}}});
  ASSERT_TRUE(rec.WaitFor([](const ConsulState& s) { return FirstIntentionSource(s) == "second"; },
                          absl::Seconds(5))
                  .has_value());
  // ... the next one is refused.
  ASSERT_TRUE(Eventually(
      [&] {
        return AnyErrorContains(source,
                                "GET /v1/config/service-intentions: 403 Permission denied: the "
                                "token needs intentions:read");
      },
      absl::Seconds(5)))
      << testing::PrintToString(source.Errors());
  consul.Patch({{"config",
                 {{"service-intentions", Intentions("third")},
                  {"mesh", scenario["config"]["mesh"]},
                  {"proxy-defaults", scenario["config"]["proxy-defaults"]},
                  {"exported-services", scenario["config"]["exported-services"]}}}});
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  ASSERT_TRUE(source.state().has_value());
  EXPECT_EQ(FirstIntentionSource(*source.state()), "second");
  EXPECT_TRUE(source.state()->model.PeerThroughMeshGateways());

  // Permission back: the retry picks up the current entries and the error clears.
  scenario["acl"]["tokens"]["mirror-token"] = json::array({"*"});
  consul.Patch({{"acl", scenario["acl"]}});
  ASSERT_TRUE(rec.WaitFor([](const ConsulState& s) { return FirstIntentionSource(s) == "third"; },
                          absl::Seconds(5))
                  .has_value());
  EXPECT_TRUE(Eventually([&] { return source.Errors().empty(); }, absl::Seconds(5)))
      << testing::PrintToString(source.Errors());
}

TEST_F(ConsulSourceTest, ServerErrorsAndRateLimitsAreRetried) {
  ConsulDouble consul;
  ASSERT_NO_FATAL_FAILURE(consul.Start(BaseScenario()));
  // Before the first sync: the mesh entry fails three times with 500, the catalog twice with 429.
  consul.Admin("POST", "/_double/fail?status=500&count=3&path=/v1/config/mesh");
  consul.Admin("POST", "/_double/fail?status=429&count=2&path=/v1/catalog/services");
  Recorder rec;
  ConsulSource source(TestOptions(consul.Config(), &rec));
  ASSERT_TRUE(source.Start().ok());
  std::optional<ConsulState> s = rec.WaitFor(
      [](const ConsulState& s) {
        return s.model.PeerThroughMeshGateways() && s.model.MeshGateways().size() == 1 &&
               HasImportedPublicApi(s);
      },
      absl::Seconds(10));
  ASSERT_TRUE(s.has_value()) << testing::PrintToString(source.Errors());
  int mesh500 = 0, catalog429 = 0;
  for (const json& r : consul.Requests()) {
    if (r["path"] == "/v1/config/mesh" && r["status"] == 500) ++mesh500;
    // The failure rule matches the peer's catalog too (same path, with ?peer=).
    if (r["path"] == "/v1/catalog/services" && r["status"] == 429) ++catalog429;
  }
  EXPECT_EQ(mesh500, 3);
  EXPECT_EQ(catalog429, 2);
  EXPECT_TRUE(Eventually([&] { return source.Errors().empty(); }, absl::Seconds(3)));

  // After the sync: failures while a change is pending; the last good state serves meanwhile.
  consul.Admin("POST", "/_double/fail?status=503&count=2&path=/v1/config/service-intentions");
  consul.Patch({{"config",
                 {{"service-intentions", Intentions("one")},
                  {"mesh", BaseScenario()["config"]["mesh"]},
                  {"proxy-defaults", BaseScenario()["config"]["proxy-defaults"]},
                  {"exported-services", BaseScenario()["config"]["exported-services"]}}}});
  // The blocking query already waiting when the rule was added is exempt from it and may carry
  // "one"; the two failures then come before "two". (Patching twice at once would let that
  // query carry "two" and leave the failures for after the check.)
  ASSERT_TRUE(rec.WaitFor([](const ConsulState& s) { return FirstIntentionSource(s) == "one"; },
                          absl::Seconds(5))
                  .has_value());
  consul.Patch({{"config",
                 {{"service-intentions", Intentions("two")},
                  {"mesh", BaseScenario()["config"]["mesh"]},
                  {"proxy-defaults", BaseScenario()["config"]["proxy-defaults"]},
                  {"exported-services", BaseScenario()["config"]["exported-services"]}}}});
  ASSERT_TRUE(rec.WaitFor([](const ConsulState& s) { return FirstIntentionSource(s) == "two"; },
                          absl::Seconds(5))
                  .has_value());
  int intentions503 = 0;
  for (const json& r : consul.Requests()) {
    if (r["path"] == "/v1/config/service-intentions" && r["status"] == 503) ++intentions503;
  }
  EXPECT_EQ(intentions503, 2);
}

TEST_F(ConsulSourceTest, ChurnIsRateLimitedByTheTokenBucket) {
  ConsulDouble consul;
  ASSERT_NO_FATAL_FAILURE(consul.Start(BaseScenario()));
  Recorder rec;
  ConsulSourceOptions options = TestOptions(consul.Config(), &rec);
  options.rate_limit_burst = 2;
  options.rate_limit_interval = absl::Milliseconds(500);
  ConsulSource source(std::move(options));
  ASSERT_TRUE(source.Start().ok());
  ASSERT_TRUE(rec.WaitFor(HasImportedPublicApi, absl::Seconds(10)).has_value());
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));  // the bucket refills
  consul.Admin("DELETE", "/_double/requests");

  // Twelve changes, 100 ms apart: 1.2 s of churn.
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 12; ++i) {
    consul.Patch({{"config",
                   {{"service-intentions", Intentions("churn-" + std::to_string(i))},
                    {"mesh", BaseScenario()["config"]["mesh"]},
                    {"proxy-defaults", BaseScenario()["config"]["proxy-defaults"]},
                    {"exported-services", BaseScenario()["config"]["exported-services"]}}}});
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(
      rec.WaitFor([](const ConsulState& s) { return FirstIntentionSource(s) == "churn-11"; },
                  absl::Seconds(5))
          .has_value());
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int reads = 0;
  for (const json& r : consul.Requests()) {
    if (r["path"] == "/v1/config/service-intentions") ++reads;
  }
  // At most the burst plus one token per 500 ms (and the read parked at the end), where an
  // unlimited watch would have read once per change (12+).
  int allowed = 2 + static_cast<int>(seconds / 0.5) + 1;
  EXPECT_LE(reads, allowed) << "in " << seconds << " s";
  EXPECT_LT(reads, 12);
}

TEST_F(ConsulSourceTest, UndecodableAnswerNamesTheFieldAndKeepsTheLastState) {
  ConsulDouble consul;
  ASSERT_NO_FATAL_FAILURE(consul.Start(BaseScenario()));
  Recorder rec;
  ConsulSource source(TestOptions(consul.Config(), &rec));
  ASSERT_TRUE(source.Start().ok());
  ASSERT_TRUE(rec.WaitFor(HasImportedPublicApi, absl::Seconds(10)).has_value());

  consul.Patch(
      {{"raw",
        {{"/v1/config/mesh",
          R"([{"Kind": "mesh", "Name": "mesh", "Peering": {"PeerThroughMeshGateways": 7}}])"},
         {"/v1/health/service/mesh-gateway",
          R"([{"Node": {"Node": "n"}, "Service": {"Service": "mesh-gateway", "Port": "8443"}}])"}}}});
  ASSERT_TRUE(Eventually(
      [&] {
        return AnyErrorContains(source, "/v1/config/mesh/mesh") &&
               AnyErrorContains(source,
                                "/v1/health/service/mesh-gateway: [0].Service.Port: expected a "
                                "number, got \"8443\"");
      },
      absl::Seconds(5)))
      << testing::PrintToString(source.Errors());
  EXPECT_TRUE(AnyErrorContains(source, "PeerThroughMeshGateways"))
      << testing::PrintToString(source.Errors());
  // The last good mesh entry and gateway stay.
  ASSERT_TRUE(source.state().has_value());
  EXPECT_TRUE(source.state()->model.PeerThroughMeshGateways());
  EXPECT_EQ(source.state()->model.MeshGateways().size(), 1u);

  // Fixed: the retry reads it and the errors clear.
  consul.Patch({{"raw", json::object()}});
  EXPECT_TRUE(Eventually([&] { return source.Errors().empty(); }, absl::Seconds(5)))
      << testing::PrintToString(source.Errors());
}

TEST_F(ConsulSourceTest, SurvivesARestartOfConsul) {
  ConsulDouble consul;
  ASSERT_NO_FATAL_FAILURE(consul.Start(BaseScenario()));
  Recorder rec;
  ConsulSource source(TestOptions(consul.Config(), &rec));
  ASSERT_TRUE(source.Start().ok());
  ASSERT_TRUE(rec.WaitFor(HasImportedPublicApi, absl::Seconds(10)).has_value());
  // Move the index forward, so that the restarted double's (from 100 again) is lower.
  for (const char* who : {"a", "b", "c"}) {
    consul.Patch({{"config",
                   {{"service-intentions", Intentions(who)},
                    {"mesh", BaseScenario()["config"]["mesh"]},
                    {"proxy-defaults", BaseScenario()["config"]["proxy-defaults"]},
                    {"exported-services", BaseScenario()["config"]["exported-services"]}}}});
  }
  ASSERT_TRUE(rec.WaitFor([](const ConsulState& s) { return FirstIntentionSource(s) == "c"; },
                          absl::Seconds(5))
                  .has_value());
  int port = consul.port();
  consul.Kill();
  ASSERT_TRUE(Eventually([&] { return !source.Errors().empty(); }, absl::Seconds(5)));
  // While Consul is away the last state stays.
  EXPECT_EQ(FirstIntentionSource(*source.state()), "c");

  json restarted = BaseScenario();
  restarted["config"]["service-intentions"] = Intentions("after-restart");
  restarted["peerings"][0]["State"] = "FAILING";
  ConsulDouble again;
  ASSERT_NO_FATAL_FAILURE(again.Start(restarted, port));
  std::optional<ConsulState> s = rec.WaitFor(
      [](const ConsulState& s) {
        return FirstIntentionSource(s) == "after-restart" &&
               s.peerings->at("gcp-dc2-default").state == PeeringState::kFailing;
      },
      absl::Seconds(10));
  ASSERT_TRUE(s.has_value()) << testing::PrintToString(source.Errors());
  // A FAILING peering keeps its imports (the peer's gateways may still serve).
  EXPECT_NE(s->peerings->at("gcp-dc2-default").FindImported("public-api"), nullptr);
  EXPECT_GT(source.TEST_Stats().index_resets, 0u);
  EXPECT_TRUE(Eventually([&] { return source.Errors().empty(); }, absl::Seconds(5)))
      << testing::PrintToString(source.Errors());
}

TEST_F(ConsulSourceTest, PeeringsAndImportedServicesFollowChanges) {
  ConsulDouble consul;
  ASSERT_NO_FATAL_FAILURE(consul.Start(BaseScenario()));
  Recorder rec;
  ConsulSource source(TestOptions(consul.Config(), &rec));
  ASSERT_TRUE(source.Start().ok());
  ASSERT_TRUE(rec.WaitFor(HasImportedPublicApi, absl::Seconds(10)).has_value());

  // The peer exports one more service, through a second gateway; one gateway goes critical.
  json imported = BaseScenario()["imported"];
  json second = imported["gcp-dc2-default"]["public-api"][0];
  second["Address"] = "127.0.2.3";
  second["Status"] = "critical";
  imported["gcp-dc2-default"]["public-api"].push_back(second);
  json priv = imported["gcp-dc2-default"]["public-api"][0];
  priv["SNI"] = json::array(
      {std::string("private-api.default.default.gcp-dc1-default.external.") + kPeerTrustDomain});
  priv["Protocol"] = "tcp";
  imported["gcp-dc2-default"]["private-api"] = json::array({priv});
  consul.Patch({{"imported", imported}});
  std::optional<ConsulState> s = rec.WaitFor(
      [](const ConsulState& s) {
        auto it = s.peerings->find("gcp-dc2-default");
        return it != s.peerings->end() && it->second.FindImported("private-api") != nullptr;
      },
      absl::Seconds(5));
  ASSERT_TRUE(s.has_value());
  const Peering& p = s->peerings->at("gcp-dc2-default");
  EXPECT_EQ(p.FindImported("private-api")->protocol, "tcp");
  // The critical gateway is not used.
  EXPECT_EQ(p.FindImported("public-api")->gateways,
            (std::vector<ServiceAddress>{{"127.0.2.2", 8443}}));

  // The peer deleted its side: the record stays, TERMINATED, and imports nothing.
  json peerings = BaseScenario()["peerings"];
  peerings[0]["State"] = "TERMINATED";
  consul.Patch({{"peerings", peerings}});
  s = rec.WaitFor(
      [](const ConsulState& s) {
        auto it = s.peerings->find("gcp-dc2-default");
        return it != s.peerings->end() && it->second.state == PeeringState::kTerminated;
      },
      absl::Seconds(5));
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->peerings->at("gcp-dc2-default").imported.empty());

  // The peering is deleted on our side: its record goes.
  consul.Patch({{"peerings", json::array()}});
  ASSERT_TRUE(
      rec.WaitFor([](const ConsulState& s) { return s.peerings->empty(); }, absl::Seconds(5))
          .has_value());
}

TEST_F(ConsulSourceTest, OverAUnixSocket) {
  std::string path =
      (fs::temp_directory_path() / ("consul-double-" + std::to_string(getpid()) + ".sock"))
          .string();
  fs::remove(path);
  ConsulDouble consul;
  ASSERT_NO_FATAL_FAILURE(consul.Start(BaseScenario(), 0, {"--unix", path}));
  absl::StatusOr<ConsulHttpConfig> http =
      ConsulHttpConfig::FromEnvironment([&](std::string_view name) -> std::optional<std::string> {
        if (name == "CONSUL_HTTP_ADDR") return "unix://" + path;
        return std::nullopt;
      });
  ASSERT_TRUE(http.ok()) << http.status();
  consul.admin_config_ = *http;
  Recorder rec;
  ConsulSource source(TestOptions(*http, &rec));
  ASSERT_TRUE(source.Start().ok());
  ASSERT_TRUE(rec.WaitFor(HasImportedPublicApi, absl::Seconds(10)).has_value())
      << testing::PrintToString(source.Errors());
  consul.Patch({{"config",
                 {{"service-intentions", Intentions("over-unix")},
                  {"mesh", BaseScenario()["config"]["mesh"]},
                  {"proxy-defaults", BaseScenario()["config"]["proxy-defaults"]},
                  {"exported-services", BaseScenario()["config"]["exported-services"]}}}});
  EXPECT_TRUE(
      rec.WaitFor([](const ConsulState& s) { return FirstIntentionSource(s) == "over-unix"; },
                  absl::Seconds(5))
          .has_value());
  source.Stop();
  consul.Kill();
  fs::remove(path);
}

TEST_F(ConsulSourceTest, HttpsWithClientCertificate) {
  const TestCerts& certs = Certs();
  std::string d = certs.dir.string();
  ConsulDouble consul;
  ASSERT_NO_FATAL_FAILURE(consul.Start(BaseScenario(), 0,
                                       {"--tls-cert", d + "/server.pem", "--tls-key",
                                        d + "/server.key", "--tls-client-ca", d + "/ca.pem"}));
  ConsulHttpConfig http = consul.Config();
  http.scheme = ConsulHttpConfig::Scheme::kHttps;
  http.ca_file = d + "/ca.pem";
  http.client_cert_file = d + "/client.pem";
  http.client_key_file = d + "/client.key";
  http.tls_server_name = "consul.test";
  consul.admin_config_ = http;

  Recorder rec;
  ConsulSource source(TestOptions(http, &rec));
  ASSERT_TRUE(source.Start().ok());
  ASSERT_TRUE(rec.WaitFor(HasImportedPublicApi, absl::Seconds(10)).has_value())
      << testing::PrintToString(source.Errors());
  consul.Patch({{"config",
                 {{"service-intentions", Intentions("over-tls")},
                  {"mesh", BaseScenario()["config"]["mesh"]},
                  {"proxy-defaults", BaseScenario()["config"]["proxy-defaults"]},
                  {"exported-services", BaseScenario()["config"]["exported-services"]}}}});
  ASSERT_TRUE(
      rec.WaitFor([](const ConsulState& s) { return FirstIntentionSource(s) == "over-tls"; },
                  absl::Seconds(5))
          .has_value());

  // Verified by IP SAN too, without a server name.
  ConsulHttpConfig by_ip = http;
  by_ip.tls_server_name.clear();
  absl::StatusOr<ConsulHttpResponse> r =
      ConsulHttpRequest(by_ip, "GET", "/v1/catalog/services", "", absl::Seconds(5));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);

  // A server name the certificate does not hold fails verification.
  ConsulHttpConfig wrong_name = http;
  wrong_name.tls_server_name = "other.test";
  r = ConsulHttpRequest(wrong_name, "GET", "/v1/catalog/services", "", absl::Seconds(5));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("TLS handshake"));

  // Without the client certificate the double refuses the connection.
  ConsulHttpConfig no_client = http;
  no_client.client_cert_file.clear();
  no_client.client_key_file.clear();
  r = ConsulHttpRequest(no_client, "GET", "/v1/catalog/services", "", absl::Seconds(5));
  EXPECT_FALSE(r.ok() && r->status == 200);
}

}  // namespace
}  // namespace meshgw::control
