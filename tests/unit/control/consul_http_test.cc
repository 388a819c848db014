// ConsulHttpConfig: the CONSUL_* environment conventions (reference/consul.md §2.8).
#include "control/source/consul_http.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include "control/source/consul_source.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meshgw::control {
namespace {

using ::testing::HasSubstr;
using Scheme = ConsulHttpConfig::Scheme;

absl::StatusOr<ConsulHttpConfig> FromMap(const std::map<std::string, std::string>& env) {
  return ConsulHttpConfig::FromEnvironment(
      [&](std::string_view name) -> std::optional<std::string> {
        auto it = env.find(std::string(name));
        if (it == env.end()) return std::nullopt;
        return it->second;
      });
}

TEST(ConsulHttpConfig, Defaults) {
  absl::StatusOr<ConsulHttpConfig> c = FromMap({});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->scheme, Scheme::kHttp);
  EXPECT_EQ(c->host, "127.0.0.1");
  EXPECT_EQ(c->port, 8500);
  EXPECT_TRUE(c->tls_verify);
  EXPECT_EQ(c->token, "");
  EXPECT_EQ(c->BaseUrl(), "http://127.0.0.1:8500");
}

TEST(ConsulHttpConfig, AddressForms) {
  auto c = FromMap({{"CONSUL_HTTP_ADDR", "consul.service:8501"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->scheme, Scheme::kHttp);
  EXPECT_EQ(c->host, "consul.service");
  EXPECT_EQ(c->port, 8501);

  c = FromMap({{"CONSUL_HTTP_ADDR", "https://10.0.0.5:8501/consul/"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->scheme, Scheme::kHttps);
  EXPECT_EQ(c->port, 8501);
  EXPECT_EQ(c->path_prefix, "/consul");
  EXPECT_EQ(c->BaseUrl(), "https://10.0.0.5:8501/consul");

  c = FromMap({{"CONSUL_HTTP_ADDR", "https://consul.example"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->port, 443);

  c = FromMap({{"CONSUL_HTTP_ADDR", "unix:///run/consul/http.sock"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->scheme, Scheme::kUnix);
  EXPECT_EQ(c->unix_path, "/run/consul/http.sock");

  c = FromMap({{"CONSUL_HTTP_ADDR", "[::1]:8500"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->BaseUrl(), "http://[::1]:8500");

  // CONSUL_HTTP_SSL upgrades a bare address.
  c = FromMap({{"CONSUL_HTTP_ADDR", "127.0.0.1:8501"}, {"CONSUL_HTTP_SSL", "true"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->scheme, Scheme::kHttps);
  EXPECT_EQ(c->port, 8501);
}

TEST(ConsulHttpConfig, BadValuesNameTheVariable) {
  auto c = FromMap({{"CONSUL_HTTP_ADDR", "127.0.0.1:http"}});
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("CONSUL_HTTP_ADDR"));
  EXPECT_THAT(c.status().message(), HasSubstr("port \"http\""));

  c = FromMap({{"CONSUL_HTTP_ADDR", "ftp://x:1"}});
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("unsupported scheme"));

  c = FromMap({{"CONSUL_HTTP_ADDR", "unix://"}});
  ASSERT_FALSE(c.ok());

  c = FromMap({{"CONSUL_HTTP_SSL_VERIFY", "maybe"}});
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("CONSUL_HTTP_SSL_VERIFY: \"maybe\" is not a bool"));

  c = FromMap({{"CONSUL_HTTP_SSL", "yes"}});
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("CONSUL_HTTP_SSL:"));

  c = FromMap({{"CONSUL_CLIENT_CERT", "/tmp/c.pem"}});
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("CONSUL_CLIENT_KEY"));

  c = FromMap({{"CONSUL_HTTP_TOKEN_FILE", "/nonexistent/token"}});
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("CONSUL_HTTP_TOKEN_FILE"));

  c = FromMap({{"CONSUL_HTTP_SSL", "1"}, {"CONSUL_CACERT", "/nonexistent/ca.pem"}});
  ASSERT_TRUE(c.ok()) << c.status();
  absl::StatusOr<std::shared_ptr<ConsulTlsContext>> tls = MakeConsulTlsContext(*c);
  ASSERT_FALSE(tls.ok());
  EXPECT_THAT(tls.status().message(), HasSubstr("CONSUL_CACERT: /nonexistent/ca.pem"));
}

TEST(ConsulHttpConfig, TokenFileWinsOverToken) {
  char path[] = "/tmp/consul-token-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "from-file\n", 10), 10);
  close(fd);
  auto c = FromMap({{"CONSUL_HTTP_TOKEN", "from-env"}, {"CONSUL_HTTP_TOKEN_FILE", path}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->token, "from-file");
  c = FromMap({{"CONSUL_HTTP_TOKEN", "from-env"}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->token, "from-env");
  std::remove(path);
}

TEST(ConsulHttpConfig, TlsSettings) {
  auto c = FromMap({{"CONSUL_HTTP_ADDR", "https://127.0.0.1:8501"},
                    {"CONSUL_HTTP_SSL_VERIFY", "false"},
                    {"CONSUL_CACERT", "/etc/consul/ca.pem"},
                    {"CONSUL_CLIENT_CERT", "/etc/consul/c.pem"},
                    {"CONSUL_CLIENT_KEY", "/etc/consul/k.pem"},
                    {"CONSUL_TLS_SERVER_NAME", "server.dc1.consul"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->tls_verify);
  EXPECT_EQ(c->ca_file, "/etc/consul/ca.pem");
  EXPECT_EQ(c->client_cert_file, "/etc/consul/c.pem");
  EXPECT_EQ(c->client_key_file, "/etc/consul/k.pem");
  EXPECT_EQ(c->tls_server_name, "server.dc1.consul");
}

TEST(ConsulHttp, EscapePathSegment) {
  EXPECT_EQ(EscapePathSegment("public-api"), "public-api");
  EXPECT_EQ(EscapePathSegment("a b/c?d"), "a%20b%2Fc%3Fd");
}

TEST(ConsulHttp, ConnectionRefusedIsUnavailableAndNamesTheUrl) {
  ConsulHttpConfig c;
  c.port = 1;  // nothing listens on port 1 of loopback
  absl::StatusOr<ConsulHttpResponse> r =
      ConsulHttpRequest(c, "GET", "/v1/catalog/services", "", absl::Seconds(5));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("GET http://127.0.0.1:1/v1/catalog/services"));
}

TEST(ConsulAcl, PermissionNames) {
  EXPECT_THAT(ConsulAclPermissionFor("/v1/peerings"), HasSubstr("peering:read"));
  EXPECT_THAT(ConsulAclPermissionFor("/v1/peerings"), HasSubstr("operator:read"));
  EXPECT_EQ(ConsulAclPermissionFor("/v1/config/mesh"), "mesh:read");
  EXPECT_THAT(ConsulAclPermissionFor("/v1/config/service-intentions"),
              HasSubstr("intentions:read"));
  EXPECT_THAT(ConsulAclPermissionFor("/v1/health/connect/web?peer=dc2"),
              HasSubstr("service:read on \"web\""));
  EXPECT_THAT(ConsulAclPermissionFor("/v1/agent/connect/ca/leaf/web"),
              HasSubstr("service:write on \"web\""));
}

}  // namespace
}  // namespace meshgw::control
