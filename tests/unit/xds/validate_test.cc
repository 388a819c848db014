#include "xds/validate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "envoy/extensions/filters/network/rbac/v3/rbac.pb.h"
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

}  // namespace
}  // namespace meshgw::xds
