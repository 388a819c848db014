// Decoding of Consul's HTTP API JSON into the model, with samples shaped as Consul returns them
// (written for these tests from the documented shapes, reference/consul.md §2.4–2.8).
#include "control/source/consul_json.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meshgw::control {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ConsulJson, ConfigEntriesInCamelCaseWithReadOnlyFields) {
  absl::StatusOr<std::vector<ConfigEntry>> mesh =
      DecodeConfigEntryList("/v1/config/mesh", ConfigEntryKind::kMesh, R"([
        {"Kind": "mesh", "Name": "mesh",
         "TLS": {"Incoming": {"TLSMinVersion": "TLSv1_2", "CipherSuites": null}},
         "Peering": {"PeerThroughMeshGateways": true},
         "Meta": {"owner": "${team}"},
         "CreateIndex": 12, "ModifyIndex": 14, "Hash": 998877}])");
  ASSERT_TRUE(mesh.ok()) << mesh.status();
  ASSERT_EQ(mesh->size(), 1u);
  const Mesh& m = std::get<Mesh>((*mesh)[0]);
  EXPECT_TRUE(m.peering.peer_through_mesh_gateways);
  ASSERT_TRUE(m.tls.has_value() && m.tls->incoming.has_value());
  EXPECT_EQ(m.tls->incoming->tls_min_version, "TLSv1_2");
  EXPECT_EQ(m.meta.at("owner"), "${team}");  // a template marker stays literal
  EXPECT_EQ(m.origin, "/v1/config/mesh/mesh");

  absl::StatusOr<std::vector<ConfigEntry>> intentions = DecodeConfigEntryList(
      "/v1/config/service-intentions", ConfigEntryKind::kServiceIntentions, R"([
        {"Kind": "service-intentions", "Name": "public-api",
         "Sources": [
           {"Name": "front-service", "Peer": "gcp-dc1-default", "Action": "allow",
            "Precedence": 9, "Type": "consul",
            "LegacyID": "", "LegacyCreateTime": null, "LegacyUpdateTime": null},
           {"Name": "web", "Permissions": [
              {"Action": "allow", "HTTP": {"PathPrefix": "/v1", "Methods": ["GET"]}}],
            "Precedence": 9, "Type": "consul"}],
         "CreateIndex": 30, "ModifyIndex": 31},
        {"Kind": "service-intentions", "Name": "private-api",
         "Sources": [{"Name": "*", "Action": "deny", "Precedence": 8, "Type": "consul"}],
         "CreateIndex": 32, "ModifyIndex": 32}])");
  ASSERT_TRUE(intentions.ok()) << intentions.status();
  ASSERT_EQ(intentions->size(), 2u);
  const ServiceIntentions& pub = std::get<ServiceIntentions>((*intentions)[0]);
  ASSERT_EQ(pub.sources.size(), 2u);
  EXPECT_EQ(pub.sources[0].peer, "gcp-dc1-default");
  EXPECT_EQ(pub.sources[0].action, IntentionAction::kAllow);
  ASSERT_EQ(pub.sources[1].permissions.size(), 1u);
  EXPECT_EQ(pub.sources[1].permissions[0].http->path_prefix, "/v1");

  absl::StatusOr<std::vector<ConfigEntry>> exported =
      DecodeConfigEntryList("/v1/config/exported-services", ConfigEntryKind::kExportedServices, R"([
        {"Kind": "exported-services", "Name": "default",
         "Services": [{"Name": "public-api", "Namespace": "default",
                       "Consumers": [{"Peer": "gcp-dc1-default"}]}],
         "CreateIndex": 40, "ModifyIndex": 40}])");
  ASSERT_TRUE(exported.ok()) << exported.status();
  EXPECT_EQ(std::get<ExportedServices>((*exported)[0]).services[0].consumers[0].peer,
            "gcp-dc1-default");

  absl::StatusOr<std::vector<ConfigEntry>> proxy =
      DecodeConfigEntryList("/v1/config/proxy-defaults", ConfigEntryKind::kProxyDefaults, R"([
        {"Kind": "proxy-defaults", "Name": "global",
         "Config": {"protocol": "http", "local_connect_timeout_ms": 1000},
         "MeshGateway": {"Mode": "local"}, "Expose": {}, "TransparentProxy": {},
         "CreateIndex": 8, "ModifyIndex": 8}])");
  ASSERT_TRUE(proxy.ok()) << proxy.status();
  const ProxyDefaults& pd = std::get<ProxyDefaults>((*proxy)[0]);
  EXPECT_EQ(pd.Protocol(), "http");
  EXPECT_EQ(pd.mesh_gateway.mode, "local");
  EXPECT_EQ(pd.config.at("local_connect_timeout_ms"), 1000);

  absl::StatusOr<std::vector<ConfigEntry>> sameness =
      DecodeConfigEntryList("/v1/config/sameness-group", ConfigEntryKind::kSamenessGroup, R"([
        {"Kind": "sameness-group", "Name": "api-services", "DefaultForFailover": true,
         "IncludeLocal": true, "Members": [{"Partition": "default"}, {"Peer": "gcp-dc2-default"}],
         "CreateIndex": 50, "ModifyIndex": 50}])");
  ASSERT_TRUE(sameness.ok()) << sameness.status();
  const SamenessGroup& sg = std::get<SamenessGroup>((*sameness)[0]);
  EXPECT_TRUE(sg.default_for_failover);
  ASSERT_EQ(sg.members.size(), 2u);
  EXPECT_EQ(sg.members[1].peer, "gcp-dc2-default");

  absl::StatusOr<std::vector<ConfigEntry>> resolver =
      DecodeConfigEntryList("/v1/config/service-resolver", ConfigEntryKind::kServiceResolver, R"([
        {"Kind": "service-resolver", "Name": "public-api", "ConnectTimeout": "15s",
         "Failover": {"*": {"Targets": [{"Peer": "gcp-dc2-default"}]}},
         "CreateIndex": 60, "ModifyIndex": 60}])");
  ASSERT_TRUE(resolver.ok()) << resolver.status();
  const ServiceResolver& sr = std::get<ServiceResolver>((*resolver)[0]);
  EXPECT_EQ(sr.connect_timeout, absl::Seconds(15));
  EXPECT_EQ(sr.failover.at("*").targets[0].peer, "gcp-dc2-default");

  absl::StatusOr<std::vector<ConfigEntry>> defaults =
      DecodeConfigEntryList("/v1/config/service-defaults", ConfigEntryKind::kServiceDefaults, R"([
        {"Kind": "service-defaults", "Name": "private-api", "Protocol": "tcp",
         "MeshGateway": {}, "Expose": {}, "CreateIndex": 70, "ModifyIndex": 70}])");
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(std::get<ServiceDefaults>((*defaults)[0]).protocol, "tcp");
  EXPECT_EQ(std::get<ServiceDefaults>((*defaults)[0]).max_inbound_connections, 0);

  absl::StatusOr<std::vector<ConfigEntry>> limited =
      DecodeConfigEntryList("/v1/config/service-defaults", ConfigEntryKind::kServiceDefaults, R"([
        {"Kind": "service-defaults", "Name": "public-api", "Protocol": "http",
         "MaxInboundConnections": 250, "LocalConnectTimeoutMs": 2000,
         "MeshGateway": {}, "Expose": {}, "CreateIndex": 71, "ModifyIndex": 72}])");
  ASSERT_TRUE(limited.ok()) << limited.status();
  EXPECT_EQ(std::get<ServiceDefaults>((*limited)[0]).max_inbound_connections, 250);
  EXPECT_EQ(std::get<ServiceDefaults>((*limited)[0]).local_connect_timeout_ms, 2000);
  absl::StatusOr<std::vector<ConfigEntry>> negative =
      DecodeConfigEntryList("/v1/config/service-defaults", ConfigEntryKind::kServiceDefaults,
                            R"([{"Kind": "service-defaults", "Name": "public-api",
                                 "MaxInboundConnections": -1}])");
  ASSERT_FALSE(negative.ok());
  EXPECT_THAT(negative.status().message(), HasSubstr("/v1/config/service-defaults/public-api"));
  EXPECT_THAT(negative.status().message(), HasSubstr("MaxInboundConnections"));

  absl::StatusOr<std::vector<ConfigEntry>> none =
      DecodeConfigEntryList("/v1/config/mesh", ConfigEntryKind::kMesh, "null");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(ConsulJson, ConfigEntryErrorsNameTheEndpointAndTheField) {
  absl::StatusOr<std::vector<ConfigEntry>> bad =
      DecodeConfigEntryList("/v1/config/service-intentions", ConfigEntryKind::kServiceIntentions,
                            R"([{"Kind": "service-intentions", "Name": "db",
           "Sources": [{"Name": "web", "Peer": "*", "Action": "allow"}]}])");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("/v1/config/service-intentions/db"));
  EXPECT_THAT(bad.status().message(), HasSubstr("Sources[0].Peer"));

  absl::StatusOr<std::vector<ConfigEntry>> wrong_type =
      DecodeConfigEntryList("/v1/config/mesh", ConfigEntryKind::kMesh,
                            R"([{"Kind": "mesh", "Name": "mesh",
                                 "Peering": {"PeerThroughMeshGateways": "yes please"}}])");
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_THAT(wrong_type.status().message(), HasSubstr("/v1/config/mesh/mesh"));
  EXPECT_THAT(wrong_type.status().message(), HasSubstr("PeerThroughMeshGateways"));

  absl::StatusOr<std::vector<ConfigEntry>> wrong_kind = DecodeConfigEntryList(
      "/v1/config/mesh", ConfigEntryKind::kMesh, R"([{"Kind": "proxy-defaults", "Name": "x"}])");
  ASSERT_FALSE(wrong_kind.ok());
  EXPECT_THAT(wrong_kind.status().message(), HasSubstr("Kind: expected \"mesh\""));

  absl::StatusOr<std::vector<ConfigEntry>> not_json =
      DecodeConfigEntryList("/v1/config/mesh", ConfigEntryKind::kMesh, "[{");
  ASSERT_FALSE(not_json.ok());
  EXPECT_THAT(not_json.status().message(), HasSubstr("/v1/config/mesh: the response is not"));
}

constexpr char kHealthSample[] = R"([
  {"Node": {"ID": "40e4a748-2192-161a-0510-9bf59fe950b5", "Node": "dc1-node-1",
            "Address": "127.0.1.5", "Datacenter": "gcp-dc1",
            "TaggedAddresses": {"lan": "127.0.1.5", "wan": "127.0.1.5"},
            "Meta": {"consul-network-segment": ""}, "CreateIndex": 5, "ModifyIndex": 5},
   "Service": {"Kind": "mesh-gateway", "ID": "mesh-gateway-1", "Service": "mesh-gateway",
               "Tags": [], "Address": "127.0.1.2",
               "TaggedAddresses": {"lan": {"address": "127.0.1.2", "port": 8443},
                                   "wan": {"Address": "127.0.1.2", "Port": 8443}},
               "Meta": null, "Port": 8443, "Weights": {"Passing": 1, "Warning": 1},
               "EnableTagOverride": false,
               "Proxy": {"Mode": "", "MeshGateway": {}, "Expose": {},
                         "Config": {"envoy_gateway_no_default_bind": true}},
               "Connect": {}, "PeerName": "", "CreateIndex": 9, "ModifyIndex": 9},
   "Checks": [
     {"Node": "dc1-node-1", "CheckID": "serfHealth", "Name": "Serf Health Status",
      "Status": "passing", "ServiceID": "", "ServiceName": ""},
     {"Node": "dc1-node-1", "CheckID": "service:mesh-gateway-1", "Name": "gateway ready",
      "Status": "warning", "ServiceID": "mesh-gateway-1", "ServiceName": "mesh-gateway"}]},
  {"Node": {"Node": "dc1-node-2", "Address": "127.0.1.6", "Datacenter": "gcp-dc1"},
   "Service": {"Kind": "connect-proxy", "ID": "front-service-sidecar-proxy",
               "Service": "front-service-sidecar-proxy", "Address": "", "Port": 21000,
               "Proxy": {"DestinationServiceName": "front-service",
                         "DestinationServiceID": "front-service",
                         "Upstreams": [{"DestinationType": "service",
                                        "DestinationName": "public-api",
                                        "DestinationPeer": "gcp-dc2-default",
                                        "LocalBindAddress": "127.0.1.2",
                                        "LocalBindPort": 9191,
                                        "MeshGateway": {"Mode": "local"}}]}},
   "Checks": [{"CheckID": "c", "Name": "c", "Status": "critical"}]}
])";

TEST(ConsulJson, HealthServiceInstances) {
  absl::StatusOr<std::vector<ConsulServiceInstance>> list =
      DecodeHealthServiceList("/v1/health/service/mesh-gateway", kHealthSample);
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 2u);
  const ConsulServiceInstance& gw = (*list)[0];
  EXPECT_EQ(gw.node, "dc1-node-1");
  EXPECT_EQ(gw.service.kind, "mesh-gateway");
  EXPECT_EQ(gw.service.EffectiveId(), "mesh-gateway-1");
  EXPECT_EQ(gw.service.WanAddress(), (ServiceAddress{"127.0.1.2", 8443}));
  EXPECT_EQ(gw.service.LanAddress(), (ServiceAddress{"127.0.1.2", 8443}));  // lower-case keys
  EXPECT_EQ(gw.health, InstanceHealth::kWarning);
  ASSERT_EQ(gw.service.checks.size(), 2u);
  EXPECT_EQ(gw.service.checks[1].at("Status"), "warning");
  ASSERT_TRUE(gw.service.proxy.has_value());
  EXPECT_EQ(gw.service.proxy->config.at("envoy_gateway_no_default_bind"), true);

  const ConsulServiceInstance& proxy = (*list)[1];
  EXPECT_EQ(proxy.service.address, "127.0.1.6");  // empty Service.Address: the node's
  EXPECT_EQ(proxy.health, InstanceHealth::kCritical);
  ASSERT_TRUE(proxy.service.proxy.has_value());
  ASSERT_EQ(proxy.service.proxy->upstreams.size(), 1u);
  const ServiceUpstream& up = proxy.service.proxy->upstreams[0];
  EXPECT_EQ(up.destination_peer, "gcp-dc2-default");
  EXPECT_EQ(up.local_bind_port, 9191);
  EXPECT_EQ(up.mesh_gateway.mode, "local");
}

TEST(ConsulJson, HealthErrorsNameTheField) {
  absl::StatusOr<std::vector<ConsulServiceInstance>> bad = DecodeHealthServiceList(
      "/v1/health/service/web",
      R"([{"Node": {"Node": "n"}, "Service": {"ID": "w", "Service": "web", "Port": "x"}}])");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "/v1/health/service/web: [0].Service.Port: expected a number, got \"x\"");

  absl::StatusOr<std::vector<ConsulServiceInstance>> status =
      DecodeHealthServiceList("/v1/health/service/web", R"([{"Service": {"Service": "web"},
                                      "Checks": [{"Status": "green"}]}])");
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.status().message(), HasSubstr("[0].Checks[0].Status"));

  absl::StatusOr<std::vector<ConsulServiceInstance>> not_list =
      DecodeHealthServiceList("/v1/health/service/web", R"({"web": 1})");
  ASSERT_FALSE(not_list.ok());
  EXPECT_THAT(not_list.status().message(), HasSubstr("expected a list"));
}

TEST(ConsulJson, ImportedServiceFromReplicatedProxies) {
  constexpr char kImported[] = R"([
    {"Node": {"Node": "dc2-gw-node", "Address": "127.0.2.2", "PeerName": "gcp-dc2-default"},
     "Service": {"Kind": "connect-proxy", "ID": "public-api-sidecar-proxy-instance-0",
                 "Service": "public-api-sidecar-proxy", "Address": "127.0.2.2", "Port": 8443,
                 "TaggedAddresses": {"wan": {"Address": "34.1.2.3", "Port": 443}},
                 "Proxy": {"DestinationServiceName": "public-api"},
                 "Connect": {"PeerMeta": {
                   "SNI": ["public-api.default.default.gcp-dc1-default.external.2222.consul"],
                   "SpiffeID": ["spiffe://2222.consul/ns/default/dc/gcp-dc2/svc/public-api",
                                "spiffe://2222.consul/gateway/mesh/dc/gcp-dc2"],
                   "Protocol": "http"}},
                 "PeerName": "gcp-dc2-default"},
     "Checks": [{"CheckID": "x:overall-check", "Name": "overall-check", "Status": "passing"}]},
    {"Node": {"Node": "dc2-gw-node-2", "Address": "127.0.2.3"},
     "Service": {"Kind": "connect-proxy", "ID": "public-api-sidecar-proxy-instance-1",
                 "Service": "public-api-sidecar-proxy", "Address": "127.0.2.3", "Port": 8443,
                 "Connect": {"PeerMeta": {"SNI": ["ignored"], "Protocol": "http"}},
                 "PeerName": "gcp-dc2-default"},
     "Checks": [{"CheckID": "y:overall-check", "Name": "overall-check", "Status": "critical"}]}
  ])";
  absl::StatusOr<std::vector<ConsulServiceInstance>> list =
      DecodeHealthServiceList("/v1/health/connect/public-api?peer=gcp-dc2-default", kImported);
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ((*list)[0].peer_name, "gcp-dc2-default");
  std::optional<ImportedService> svc = ImportedServiceFromInstances("public-api", *list);
  ASSERT_TRUE(svc.has_value());
  EXPECT_EQ(svc->name, "public-api");
  EXPECT_EQ(svc->protocol, "http");
  EXPECT_THAT(svc->sni,
              ElementsAre("public-api.default.default.gcp-dc1-default.external.2222.consul"));
  EXPECT_EQ(svc->spiffe_ids.size(), 2u);
  // Only the healthy gateway, at its WAN address.
  EXPECT_THAT(svc->gateways, ElementsAre(ServiceAddress{"34.1.2.3", 443}));
  EXPECT_EQ(svc->health, InstanceHealth::kPassing);

  EXPECT_FALSE(ImportedServiceFromInstances("public-api", {}).has_value());
}

TEST(ConsulJson, CatalogServices) {
  auto services = DecodeCatalogServices(
      "/v1/catalog/services", R"({"consul": [], "web": ["v1", "primary"], "mesh-gateway": null})");
  ASSERT_TRUE(services.ok()) << services.status();
  EXPECT_EQ(services->size(), 3u);
  EXPECT_THAT(services->at("web"), ElementsAre("v1", "primary"));
  auto bad = DecodeCatalogServices("/v1/catalog/services", R"({"web": [1]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("/v1/catalog/services: web[0]"));
}

TEST(ConsulJson, Peerings) {
  constexpr char kPeerings[] = R"([
    {"ID": "462c45e8-018e-f19d-85eb-1fc1bcc2ef12", "Name": "gcp-dc2-default",
     "Partition": "default", "State": "ACTIVE", "PeerID": "e83a315c-027e-bcb1-7c0c-a46650904a05",
     "PeerCAPems": ["-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"],
     "PeerServerName": "server.gcp-dc2.peering.2222.consul",
     "PeerServerAddresses": ["127.0.2.2:8443"],
     "StreamStatus": {"ImportedServices": ["public-api"], "ExportedServices": ["b", "a"],
                      "LastHeartbeat": "2026-12-07T08:00:00Z",
                      "LastReceive": "2026-12-07T08:00:01.5Z", "LastSend": null},
     "CreateIndex": 89, "ModifyIndex": 104,
     "Remote": {"Partition": "default", "Datacenter": "gcp-dc2"}},
    {"ID": "x", "Name": "pending-one", "State": "PENDING", "CreateIndex": 1, "ModifyIndex": 1},
    {"ID": "y", "Name": "odd", "State": "INITIAL"}
  ])";
  absl::StatusOr<PeeringSet> set = DecodePeeringList("/v1/peerings", kPeerings);
  ASSERT_TRUE(set.ok()) << set.status();
  ASSERT_EQ(set->size(), 3u);
  const Peering& p = set->at("gcp-dc2-default");
  EXPECT_EQ(p.state, PeeringState::kActive);
  EXPECT_EQ(p.peer_trust_domain, "2222.consul");
  EXPECT_EQ(p.peer_datacenter, "gcp-dc2");
  EXPECT_THAT(p.peer_server_addresses, ElementsAre("127.0.2.2:8443"));
  EXPECT_THAT(p.exported, ElementsAre("a", "b"));
  EXPECT_EQ(p.last_heartbeat, absl::FromUnixSeconds(1796630400));
  EXPECT_EQ(p.last_receive, absl::FromUnixMillis(1796630401500));
  EXPECT_EQ(p.last_send, absl::InfinitePast());
  EXPECT_EQ(p.modify_index, 104u);
  EXPECT_EQ(set->at("pending-one").state, PeeringState::kPending);
  EXPECT_EQ(set->at("odd").state, PeeringState::kUndefined);  // unknown states are opaque

  auto bad = DecodePeeringList(
      "/v1/peerings", R"([{"Name": "p", "StreamStatus": {"LastHeartbeat": "yesterday"}}])");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(),
              HasSubstr("/v1/peerings: [0].StreamStatus.LastHeartbeat: \"yesterday\""));
}

TEST(ConsulJson, CaRootsActiveFirst) {
  constexpr char kRoots[] = R"({
    "ActiveRootID": "b2", "TrustDomain": "11111111-2222-3333-4444-555555555555.consul",
    "Roots": [
      {"ID": "a1", "Name": "old", "RootCert": "-----BEGIN CERTIFICATE-----\nOLD\n-----END CERTIFICATE-----\n",
       "Active": false, "CreateIndex": 1, "ModifyIndex": 1},
      {"ID": "b2", "Name": "new", "RootCert": "-----BEGIN CERTIFICATE-----\nNEW\n-----END CERTIFICATE-----\n",
       "IntermediateCerts": null, "Active": true, "CreateIndex": 2, "ModifyIndex": 2}]})";
  absl::StatusOr<ConsulCaRoots> roots = DecodeCaRoots("/v1/connect/ca/roots", kRoots);
  ASSERT_TRUE(roots.ok()) << roots.status();
  EXPECT_EQ(roots->trust_domain, "11111111-2222-3333-4444-555555555555.consul");
  ASSERT_EQ(roots->root_pems.size(), 2u);
  EXPECT_THAT(roots->root_pems[0], HasSubstr("NEW"));
  EXPECT_THAT(roots->root_pems[1], HasSubstr("OLD"));

  auto bad = DecodeCaRoots("/v1/connect/ca/roots",
                           R"({"TrustDomain": "x.consul", "Roots": [{"RootCert": "nope"}]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("Roots[0].RootCert: not a PEM certificate"));
}

TEST(ConsulJson, LeafCertificate) {
  constexpr char kLeaf[] = R"({
    "SerialNumber": "3a:0f", "CertPEM": "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n",
    "PrivateKeyPEM": "-----BEGIN EC PRIVATE KEY-----\nY\n-----END EC PRIVATE KEY-----\n",
    "Service": "front-service",
    "ServiceURI": "spiffe://1111.consul/ns/default/dc/gcp-dc1/svc/front-service",
    "ValidAfter": "2026-12-07T00:00:00Z", "ValidBefore": "2026-12-10T00:00:00Z",
    "CreateIndex": 5, "ModifyIndex": 5})";
  absl::StatusOr<IssuedCert> leaf =
      DecodeLeafCert("/v1/agent/connect/ca/leaf/front-service", kLeaf);
  ASSERT_TRUE(leaf.ok()) << leaf.status();
  EXPECT_EQ(leaf->spiffe_id, "spiffe://1111.consul/ns/default/dc/gcp-dc1/svc/front-service");
  EXPECT_EQ(leaf->valid_before - leaf->valid_after, absl::Hours(72));
  EXPECT_EQ(leaf->rotate_after - leaf->valid_after, absl::Hours(36));
  auto bad = DecodeLeafCert("/v1/agent/connect/ca/leaf/x", R"({"CertPEM": 5})");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("/v1/agent/connect/ca/leaf/x: CertPEM"));
}

TEST(ConsulJson, WorstCheckHealth) {
  EXPECT_EQ(WorstCheckHealth({}), InstanceHealth::kPassing);
  EXPECT_EQ(WorstCheckHealth(
                {{{"Status", "passing"}}, {{"Status", "critical"}}, {{"Status", "warning"}}}),
            InstanceHealth::kCritical);
  EXPECT_EQ(WorstCheckHealth({{{"Status", "critical"}}, {{"Status", "maintenance"}}}),
            InstanceHealth::kMaintenance);
}

}  // namespace
}  // namespace meshgw::control
