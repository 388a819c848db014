// meshgw-fake-service: configuration from the environment, and real HTTP over loopback sockets
// (a service calling its upstreams, nested answers, failures recorded, timeouts bounded).
#include "demo/fake_service/fake_service.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "boost/asio/io_context.hpp"
#include "boost/asio/post.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace meshgw::demo {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

absl::StatusOr<FakeServiceConfig> FromMap(const std::map<std::string, std::string>& env) {
  return FakeServiceConfig::FromEnv([&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

TEST(ParseUpstreamUri, HostPortAndPath) {
  absl::StatusOr<UpstreamUri> u = ParseUpstreamUri("http://127.0.1.2:9191/api/x?y=1");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(*u, (UpstreamUri{"http://127.0.1.2:9191/api/x?y=1", "127.0.1.2", 9191, "/api/x?y=1"}));
  u = ParseUpstreamUri("http://public-api.virtual.consul");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(
      *u, (UpstreamUri{"http://public-api.virtual.consul", "public-api.virtual.consul", 80, "/"}));
  u = ParseUpstreamUri("http://[::1]:8080");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 8080);
}

TEST(ParseUpstreamUri, Rejected) {
  EXPECT_THAT(ParseUpstreamUri("grpc://a:1").status().message(), HasSubstr("only http://"));
  EXPECT_THAT(ParseUpstreamUri("http://").status().message(), HasSubstr("no host"));
  EXPECT_THAT(ParseUpstreamUri("http://a:99999").status().message(), HasSubstr("99999"));
  EXPECT_THAT(ParseUpstreamUri("http://a:0").status().message(), HasSubstr("port 0"));
  EXPECT_THAT(ParseUpstreamUri("http://a:x/").status().message(), HasSubstr("\"x\""));
}

TEST(FakeServiceConfig, DefaultsLikeFakeService) {
  absl::StatusOr<FakeServiceConfig> c = FromMap({});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->name, "Service");
  EXPECT_EQ(c->message, "Hello World");
  EXPECT_EQ(c->listen_host, "0.0.0.0");
  EXPECT_EQ(c->listen_port, 9090);
  EXPECT_TRUE(c->upstreams.empty());
  EXPECT_EQ(c->timeout, absl::Seconds(30));
}

TEST(FakeServiceConfig, AllVariables) {
  absl::StatusOr<FakeServiceConfig> c =
      FromMap({{"NAME", "Public_API@gcp-dc2"},
               {"MESSAGE", "Hello"},
               {"LISTEN_ADDR", "127.0.2.20:9090"},
               {"UPSTREAM_URIS", "http://127.0.1.2:9191, http://127.0.1.2:9192/x"},
               {"TIMEOUT", "1500ms"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->name, "Public_API@gcp-dc2");
  EXPECT_EQ(c->listen_host, "127.0.2.20");
  ASSERT_EQ(c->upstreams.size(), 2u);
  EXPECT_EQ(c->upstreams[1].target, "/x");
  EXPECT_EQ(c->timeout, absl::Milliseconds(1500));
}

TEST(FakeServiceConfig, ErrorsNameTheVariable) {
  EXPECT_THAT(FromMap({{"LISTEN_ADDR", "9090"}}).status().message(), HasSubstr("LISTEN_ADDR"));
  EXPECT_THAT(FromMap({{"UPSTREAM_URIS", "http://a:1,ftp://b"}}).status().message(),
              HasSubstr("UPSTREAM_URIS[1] \"ftp://b\""));
  EXPECT_THAT(FromMap({{"TIMEOUT", "soon"}}).status().message(), HasSubstr("TIMEOUT \"soon\""));
  EXPECT_THAT(FromMap({{"TIMEOUT", "-1s"}}).status().message(), HasSubstr("TIMEOUT"));
}

// Runs services on one io_context in a background thread; stops them on that thread.
class Services {
 public:
  ~Services() { StopAll(); }

  FakeService& Add(std::map<std::string, std::string> env) {
    if (!env.count("LISTEN_ADDR")) env["LISTEN_ADDR"] = "127.0.0.1:0";
    absl::StatusOr<FakeServiceConfig> c = FromMap(env);
    EXPECT_TRUE(c.ok()) << c.status();
    services_.push_back(std::make_unique<FakeService>(io_, *c));
    absl::Status s = services_.back()->Start();
    EXPECT_TRUE(s.ok()) << s;
    return *services_.back();
  }
  void Run() {
    thread_ = std::thread([this] { io_.run(); });
  }
  void StopAll() {
    if (!thread_.joinable()) return;
    boost::asio::post(io_, [this] {
      for (auto& s : services_) s->Stop();
    });
    thread_.join();  // every socket is closed, so the context runs out of work
  }

 private:
  boost::asio::io_context io_;
  std::vector<std::unique_ptr<FakeService>> services_;
  std::thread thread_;
};

struct HttpAnswer {
  int status = 0;
  std::string body;
};

// A blocking HTTP/1.1 GET with a 10 s receive timeout (so a broken server fails the test, not
// hangs it).
HttpAnswer Get(uint16_t port, const std::string& path) {
  HttpAnswer out;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return out;
  }
  std::string req = absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  (void)!write(fd, req.data(), req.size());
  std::string raw;
  char buf[4096];
  for (int i = 0; i < 10000; ++i) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    raw.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  if (raw.rfind("HTTP/1.1 ", 0) == 0) out.status = std::atoi(raw.c_str() + 9);
  size_t split = raw.find("\r\n\r\n");
  if (split != std::string::npos) out.body = raw.substr(split + 4);
  return out;
}

// A port with nothing listening: bound then closed.
uint16_t ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

TEST(FakeService, AnswersJsonWithItsUpstreamsNested) {
  Services s;
  FakeService& leaf = s.Add({{"NAME", "leaf"}, {"MESSAGE", "from leaf"}});
  FakeService& mid =
      s.Add({{"NAME", "Public_API@gcp-dc2"},
             {"MESSAGE", "Hello World from Public API"},
             {"UPSTREAM_URIS", absl::StrCat("http://127.0.0.1:", leaf.port(), "/deep")}});
  std::string mid_uri = absl::StrCat("http://127.0.0.1:", mid.port());
  FakeService& front = s.Add({{"NAME", "web"}, {"MESSAGE", "front"}, {"UPSTREAM_URIS", mid_uri}});
  s.Run();

  HttpAnswer a = Get(front.port(), "/hello");
  ASSERT_EQ(a.status, 200) << a.body;
  Json j = Json::parse(a.body);
  EXPECT_EQ(j["name"], "web");
  EXPECT_EQ(j["uri"], "/hello");
  EXPECT_EQ(j["type"], "HTTP");
  EXPECT_EQ(j["body"], "front");
  EXPECT_EQ(j["code"], 200);
  EXPECT_EQ(j["ip_addresses"][0], "127.0.0.1");
  EXPECT_TRUE(j["start_time"].is_string());
  EXPECT_TRUE(j["end_time"].is_string());
  EXPECT_TRUE(j["duration"].is_string());
  const Json& up = j["upstream_calls"][mid_uri];
  EXPECT_EQ(up["name"], "Public_API@gcp-dc2");
  EXPECT_EQ(up["body"], "Hello World from Public API");
  EXPECT_EQ(up["code"], 200);
  EXPECT_EQ(up["uri"], mid_uri);
  const Json& deep = up["upstream_calls"][absl::StrCat("http://127.0.0.1:", leaf.port(), "/deep")];
  EXPECT_EQ(deep["name"], "leaf");
  EXPECT_EQ(deep["uri"], absl::StrCat("http://127.0.0.1:", leaf.port(), "/deep"));
  EXPECT_FALSE(j.contains("error"));
}

TEST(FakeService, HealthIsPlainOk) {
  Services s;
  FakeService& svc = s.Add({{"NAME", "x"}});
  s.Run();
  HttpAnswer a = Get(svc.port(), "/health");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, "OK");
}

TEST(FakeService, RefusedUpstreamIsRecordedAndFailsTheCaller) {
  Services s;
  FakeService& ok = s.Add({{"NAME", "ok"}});
  std::string ok_uri = absl::StrCat("http://127.0.0.1:", ok.port());
  std::string dead_uri = absl::StrCat("http://127.0.0.1:", ClosedPort());
  FakeService& front =
      s.Add({{"NAME", "web"}, {"UPSTREAM_URIS", absl::StrCat(ok_uri, ",", dead_uri)}});
  s.Run();
  HttpAnswer a = Get(front.port(), "/");
  EXPECT_EQ(a.status, 500);
  Json j = Json::parse(a.body);
  EXPECT_EQ(j["code"], 500);
  EXPECT_EQ(j["upstream_calls"][ok_uri]["code"], 200);
  const Json& dead = j["upstream_calls"][dead_uri];
  EXPECT_EQ(dead["code"], -1);
  EXPECT_THAT(dead["error"].get<std::string>(), HasSubstr("refused"));
}

TEST(FakeService, FailingUpstreamPropagates) {
  Services s;
  std::string dead_uri = absl::StrCat("http://127.0.0.1:", ClosedPort());
  FakeService& mid = s.Add({{"NAME", "mid"}, {"UPSTREAM_URIS", dead_uri}});
  std::string mid_uri = absl::StrCat("http://127.0.0.1:", mid.port());
  FakeService& front = s.Add({{"NAME", "front"}, {"UPSTREAM_URIS", mid_uri}});
  s.Run();
  HttpAnswer a = Get(front.port(), "/");
  EXPECT_EQ(a.status, 500);
  Json j = Json::parse(a.body);
  EXPECT_EQ(j["upstream_calls"][mid_uri]["code"], 500);
  EXPECT_EQ(j["upstream_calls"][mid_uri]["name"], "mid");
  EXPECT_THAT(j["upstream_calls"][mid_uri]["error"].get<std::string>(), HasSubstr("500"));
}

TEST(FakeService, SilentUpstreamTimesOut) {
  // Accepts (the kernel completes the handshake) but never answers.
  int silent = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ASSERT_EQ(bind(silent, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(silent, 8), 0);
  socklen_t len = sizeof addr;
  getsockname(silent, reinterpret_cast<sockaddr*>(&addr), &len);
  std::string uri = absl::StrCat("http://127.0.0.1:", ntohs(addr.sin_port));

  Services s;
  FakeService& front = s.Add({{"NAME", "front"}, {"UPSTREAM_URIS", uri}, {"TIMEOUT", "300ms"}});
  s.Run();
  auto start = std::chrono::steady_clock::now();
  HttpAnswer a = Get(front.port(), "/");
  auto took = std::chrono::steady_clock::now() - start;
  close(silent);
  EXPECT_EQ(a.status, 500);
  Json j = Json::parse(a.body);
  EXPECT_THAT(j["upstream_calls"][uri]["error"].get<std::string>(), HasSubstr("timed out"));
  EXPECT_LT(took, std::chrono::seconds(3));
  EXPECT_GE(took, std::chrono::milliseconds(250));
}

TEST(FakeService, BusyAddressNamesIt) {
  boost::asio::io_context io;
  absl::StatusOr<FakeServiceConfig> c = FromMap({{"LISTEN_ADDR", "127.0.0.1:0"}});
  ASSERT_TRUE(c.ok());
  FakeService first(io, *c);
  ASSERT_TRUE(first.Start().ok());
  c->listen_port = first.port();
  FakeService second(io, *c);
  absl::Status s = second.Start();
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr(absl::StrCat("127.0.0.1:", first.port())));
  EXPECT_THAT(s.message(), HasSubstr("in use"));
}

}  // namespace
}  // namespace meshgw::demo
