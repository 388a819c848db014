// /config_dump's JSON (proxy/config_dump.h): the ECDS configurations received, and the RBAC of a
// chain that takes its configuration over ECDS, present or missing.
#include "gateway/proxy/config_dump.h"

#include <memory>
#include <nlohmann/json.hpp>

#include "gtest/gtest.h"

namespace meshgw::gateway::proxy {
namespace {

config::RbacFilter AllowAdmin() {
  config::RbacFilter rbac;
  rbac.action = config::RbacFilter::Action::kAllow;
  config::RbacPolicy policy;
  policy.name = "admin";
  policy.permissions.emplace_back();  // any
  policy.principals.emplace_back();   // any
  rbac.policies.push_back(std::move(policy));
  return rbac;
}

config::TcpProxyFilter Proxy(const std::string& cluster) {
  config::TcpProxyFilter proxy;
  proxy.cluster = cluster;
  return proxy;
}

TEST(ConfigDump, ShowsExtensionConfigsAndWhereChainsTakeThem) {
  config::Snapshot snap;
  config::RbacFilter received = AllowAdmin();
  received.config_name = "intentions~api";
  snap.extension_configs["intentions~api"] = std::make_shared<const config::RbacFilter>(received);

  config::Listener mesh;
  mesh.name = "mesh";
  config::FilterChain api;
  api.name = "api";
  api.filters.push_back(received);
  api.filters.push_back(Proxy("api"));
  config::FilterChain db;
  db.name = "db";
  config::RbacFilter missing;
  missing.config_name = "intentions~db";
  missing.config_missing = true;
  db.filters.push_back(missing);
  db.filters.push_back(Proxy("db"));
  config::FilterChain inline_chain;
  inline_chain.name = "web";
  inline_chain.filters.push_back(AllowAdmin());
  inline_chain.filters.push_back(Proxy("web"));
  mesh.chains = {api, db, inline_chain};
  snap.listeners.emplace("mesh", std::make_shared<const config::Listener>(mesh));

  nlohmann::json j = nlohmann::json::parse(ConfigDumpJson(snap));
  ASSERT_EQ(j["extension_configs"].size(), 1u);
  EXPECT_EQ(j["extension_configs"][0]["name"], "intentions~api");
  EXPECT_EQ(j["extension_configs"][0]["rbac"]["action"], "ALLOW");
  EXPECT_EQ(j["extension_configs"][0]["rbac"]["policies"][0]["name"], "admin");

  const nlohmann::json& chains = j["listeners"][0]["filter_chains"];
  EXPECT_EQ(chains[0]["filters"][0]["rbac"]["config_discovery"],
            (nlohmann::json{{"name", "intentions~api"}, {"missing", false}}));
  EXPECT_EQ(chains[0]["filters"][0]["rbac"]["policies"][0]["name"], "admin");
  EXPECT_EQ(chains[1]["filters"][0]["rbac"]["config_discovery"],
            (nlohmann::json{{"name", "intentions~db"}, {"missing", true}}));
  EXPECT_TRUE(chains[1]["filters"][0]["rbac"]["policies"].empty());
  EXPECT_FALSE(chains[2]["filters"][0]["rbac"].contains("config_discovery"));
}

}  // namespace
}  // namespace meshgw::gateway::proxy
