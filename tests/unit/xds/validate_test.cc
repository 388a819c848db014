#include "xds/validate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "envoy/config/core/v3/core.pb.h"
#include "envoy/extensions/filters/network/rbac/v3/rbac.pb.h"
#include "envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.pb.h"
#include "tests/unit/xds/test_resources.h"

namespace meshgw::xds {
namespace {

using ::testing::HasSubstr;

absl::Status Check(const google::protobuf::Message& message) {
  ResourcePtr resource = *MakeResource(message);
  return ValidateMeshGatewayResource(resource->body.type_url(), resource->name, resource->body);
}

TEST(ValidateTest, MeshGatewayShapesPass) {
  EXPECT_TRUE(Check(testing::EdsCluster("web")).ok());
  EXPECT_TRUE(Check(testing::Endpoints("web", 3)).ok());
  EXPECT_TRUE(Check(testing::SniListener("default:0.0.0.0:8443", {"a", "*.dc2.internal.td"})).ok());
  EXPECT_TRUE(Check(testing::RootsSecret("roots", "pem")).ok());
}

TEST(ValidateTest, UnsupportedFilterIsNamed) {
  auto listener = testing::SniListener("l", {"a"});
  auto* filter = listener.mutable_filter_chains(0)->mutable_filters(0);
  filter->set_name("envoy.filters.network.redis_proxy");
  filter->mutable_typed_config()->set_type_url("type.googleapis.com/envoy.RedisProxy");
  absl::Status s = Check(listener);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("filter_chains[0].filters[0]: unsupported network filter "
                                     "\"envoy.filters.network.redis_proxy\""));
}

TEST(ValidateTest, FieldPaths) {
  auto cluster = testing::EdsCluster("web");
  cluster.set_type(envoy::config::cluster::v3::Cluster::ORIGINAL_DST);
  EXPECT_THAT(Check(cluster).message(), HasSubstr("type: ORIGINAL_DST is not supported"));

  auto cla = testing::Endpoints("web", 2);
  cla.mutable_endpoints(0)->mutable_lb_endpoints(1)->mutable_endpoint()->clear_address();
  EXPECT_THAT(Check(cla).message(),
              HasSubstr("endpoints[0].lb_endpoints[1].endpoint.address: no socket_address"));

  auto listener = testing::SniListener("l", {"*w.example.com"});
  EXPECT_THAT(Check(listener).message(),
              HasSubstr("filter_chains[0].filter_chain_match.server_names[0]"));

  envoy::extensions::filters::network::rbac::v3::RBAC rbac;
  rbac.set_stat_prefix("x");
  auto& policy = (*rbac.mutable_rules()->mutable_policies())["allow-web"];
  policy.add_permissions()->set_any(true);
  policy.add_principals()
      ->mutable_authenticated()
      ->mutable_principal_name()
      ->mutable_safe_regex()
      ->set_regex("spiffe://(unclosed");
  auto with_rbac = testing::SniListener("l", {"a"});
  auto* chain = with_rbac.mutable_filter_chains(0);
  auto tcp = chain->filters(0);
  chain->clear_filters();
  auto* f = chain->add_filters();
  f->set_name("envoy.filters.network.rbac");
  f->mutable_typed_config()->PackFrom(rbac);
  *chain->add_filters() = tcp;
  EXPECT_THAT(Check(with_rbac).message(),
              HasSubstr("filter_chains[0].filters[0].typed_config.rules.policies[\"allow-web\"]"
                        ".principals[0].authenticated.principal_name.safe_regex.regex"));

  envoy::extensions::transport_sockets::tls::v3::Secret empty;
  empty.set_name("s");
  EXPECT_THAT(Check(empty).message(), HasSubstr("no tls_certificate or validation_context"));
}

// ---- ECDS: filters with config_discovery and TypedExtensionConfig resources -------------------

constexpr char kRbacType[] = "type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC";

envoy::extensions::filters::network::rbac::v3::RBAC AllowWeb(const std::string& regex) {
  envoy::extensions::filters::network::rbac::v3::RBAC rbac;
  rbac.set_stat_prefix("api");
  auto& policy = (*rbac.mutable_rules()->mutable_policies())["web"];
  policy.add_permissions()->set_any(true);
  policy.add_principals()
      ->mutable_authenticated()
      ->mutable_principal_name()
      ->mutable_safe_regex()
      ->set_regex(regex);
  return rbac;
}

// SniListener's first chain with the filter `intentions~a` over ECDS before its tcp_proxy.
envoy::config::listener::v3::Listener DiscoveredListener() {
  auto listener = testing::SniListener("l", {"a"});
  auto* chain = listener.mutable_filter_chains(0);
  auto tcp = chain->filters(0);
  chain->clear_filters();
  auto* f = chain->add_filters();
  f->set_name("intentions~a");
  auto* source = f->mutable_config_discovery();
  source->mutable_config_source()->mutable_ads();
  source->mutable_config_source()->set_resource_api_version(envoy::config::core::v3::V3);
  source->add_type_urls(kRbacType);
  *chain->add_filters() = tcp;
  return listener;
}

envoy::config::core::v3::ExtensionConfigSource* SourceOf(
    envoy::config::listener::v3::Listener& listener) {
  return listener.mutable_filter_chains(0)->mutable_filters(0)->mutable_config_discovery();
}

TEST(ValidateTest, DiscoveredFilter) {
  EXPECT_TRUE(Check(DiscoveredListener()).ok());
  auto with_default = DiscoveredListener();
  SourceOf(with_default)->mutable_default_config()->PackFrom(AllowWeb("^spiffe://td/svc/web$"));
  EXPECT_TRUE(Check(with_default).ok());

  auto no_name = DiscoveredListener();
  no_name.mutable_filter_chains(0)->mutable_filters(0)->clear_name();
  EXPECT_EQ(Check(no_name).message(),
            "filter_chains[0].filters[0].name: empty (it names the extension configuration)");

  auto not_ads = DiscoveredListener();
  SourceOf(not_ads)->mutable_config_source()->clear_ads();
  EXPECT_EQ(Check(not_ads).message(),
            "filter_chains[0].filters[0].config_discovery.config_source: only ads (the "
            "aggregated stream) is supported");

  auto no_types = DiscoveredListener();
  SourceOf(no_types)->clear_type_urls();
  EXPECT_EQ(Check(no_types).message(),
            "filter_chains[0].filters[0].config_discovery.type_urls: empty");

  auto other_type = DiscoveredListener();
  SourceOf(other_type)
      ->add_type_urls("type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy");
  EXPECT_EQ(Check(other_type).message(),
            "filter_chains[0].filters[0].config_discovery.type_urls[1]: "
            "\"type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy\": only "
            "the network RBAC filter is supported over ECDS");

  auto bad_default = DiscoveredListener();
  SourceOf(bad_default)->mutable_default_config()->PackFrom(AllowWeb("spiffe://(unclosed"));
  EXPECT_THAT(Check(bad_default).message(),
              HasSubstr("filter_chains[0].filters[0].config_discovery.default_config.rules"
                        ".policies[\"web\"].principals[0].authenticated.principal_name.safe_regex"
                        ".regex"));

  auto wrong_default = DiscoveredListener();
  SourceOf(wrong_default)
      ->mutable_default_config()
      ->PackFrom(envoy::extensions::filters::network::tcp_proxy::v3::TcpProxy());
  EXPECT_EQ(Check(wrong_default).message(),
            "filter_chains[0].filters[0].config_discovery.default_config: type "
            "\"type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy\" is "
            "not among type_urls");

  // Discovered, it still is not the chain's last filter.
  auto last = DiscoveredListener();
  last.mutable_filter_chains(0)->mutable_filters()->RemoveLast();
  EXPECT_EQ(Check(last).message(),
            "filter_chains[0].filters[0]: the last filter of a chain must be "
            "envoy.filters.network.tcp_proxy, not \"intentions~a\"");
}

// A validator from MeshGatewayValidator() remembers the regexes it compiled and reuses its
// decoding buffer: the same verdicts as the stateless function, call after call, with every
// invalid regex still refused with its field path; and two validators decide independently.
TEST(ValidateTest, ValidatorWithMemoryGivesTheSameVerdicts) {
  ResourceValidator first = MeshGatewayValidator();
  ResourceValidator second = MeshGatewayValidator();
  auto validate = [](const ResourceValidator& validator, const std::string& regex) {
    envoy::config::core::v3::TypedExtensionConfig config;
    config.set_name("intentions~a");
    config.mutable_typed_config()->PackFrom(AllowWeb(regex));
    ResourcePtr resource = *MakeResource(config);
    return validator(resource->body.type_url(), resource->name, resource->body);
  };
  const std::string field =
      "typed_config.rules.policies[\"web\"].principals[0].authenticated.principal_name"
      ".safe_regex.regex: invalid RE2 regex: ";
  for (int round = 0; round < 2; ++round) {
    for (const ResourceValidator* validator : {&first, &second}) {
      EXPECT_TRUE(validate(*validator, "^spiffe://td/ns/default/dc/[^/]+/svc/web$").ok());
      absl::Status bad = validate(*validator, "spiffe://(unclosed");
      EXPECT_THAT(bad.message(), HasSubstr(field));
      EXPECT_EQ(bad.message(),
                validate(ValidateMeshGatewayResource, "spiffe://(unclosed").message());
    }
  }
  // Large resources (a listener of many chains) decode past the kept buffer.
  envoy::config::listener::v3::Listener listener = testing::SniListener("l", {"a"});
  for (int i = 0; i < 3000; ++i) {
    *listener.add_filter_chains() = listener.filter_chains(0);
  }
  ResourcePtr packed = *MakeResource(listener);
  EXPECT_TRUE(first(kListenerType, "l", packed->body).ok());
  EXPECT_TRUE(Check(testing::RootsSecret("roots", "pem")).ok());
  EXPECT_TRUE(
      first(kSecretType, "roots", MakeResource(testing::RootsSecret("roots", "pem")).value()->body)
          .ok());
}

TEST(ValidateTest, ExtensionConfig) {
  envoy::config::core::v3::TypedExtensionConfig config;
  config.set_name("intentions~a");
  config.mutable_typed_config()->PackFrom(AllowWeb("^spiffe://td/svc/web$"));
  EXPECT_TRUE(Check(config).ok());
  google::protobuf::Any packed;
  packed.PackFrom(config);
  EXPECT_EQ(ValidateMeshGatewayResource(kExtensionConfigType, "other", packed).message(),
            "name: \"intentions~a\" differs from the resource name");

  auto bad_regex = config;
  bad_regex.mutable_typed_config()->PackFrom(AllowWeb("spiffe://(unclosed"));
  EXPECT_THAT(Check(bad_regex).message(),
              HasSubstr("typed_config.rules.policies[\"web\"].principals[0].authenticated"
                        ".principal_name.safe_regex.regex"));

  auto log = config;
  auto rbac = AllowWeb("x");
  rbac.mutable_rules()->set_action(envoy::config::rbac::v3::RBAC::LOG);
  log.mutable_typed_config()->PackFrom(rbac);
  EXPECT_EQ(Check(log).message(), "typed_config.rules.action: LOG is not supported");

  auto not_rbac = config;
  not_rbac.mutable_typed_config()->PackFrom(
      envoy::extensions::filters::network::tcp_proxy::v3::TcpProxy());
  EXPECT_EQ(Check(not_rbac).message(),
            "typed_config: unsupported extension "
            "\"type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy\" (only "
            "the network RBAC filter)");

  auto empty = config;
  empty.clear_typed_config();
  EXPECT_EQ(Check(empty).message(), "typed_config: missing");
}

}  // namespace
}  // namespace meshgw::xds
