// Consul agent service definitions (`service { ... }` in an agent's config directory) and the
// local settings of the datacenter the control component serves.
//
// A service definition registers a workload, its sidecar and its upstreams, or a gateway
// (`kind = "mesh-gateway"` with `lan`/`wan` tagged addresses, which peers dial):
//
//   ServiceDefinition gw{.id = "mesh-gateway-1", .name = "mesh-gateway",
//                        .kind = "mesh-gateway", .address = "127.0.1.10", .port = 8443};
//   gw.tagged_addresses["wan"] = ServiceAddress{"127.0.1.10", 8443};
//   gw.WanAddress() -> {"127.0.1.10", 8443}
//
// Field names follow Consul's agent configuration (snake_case there; CamelCase also accepted by
// the file source). Thread-safety: plain values.
#ifndef MESHGW_CONTROL_MODEL_SERVICE_H_
#define MESHGW_CONTROL_MODEL_SERVICE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "control/model/config_entry.h"
#include "nlohmann/json.hpp"

namespace meshgw::control {

struct ServiceAddress {
  std::string address;
  int port = 0;

  friend bool operator==(const ServiceAddress&, const ServiceAddress&) = default;
};

// An upstream of a sidecar proxy: a local listener (`local_bind_port`) for a destination service,
// possibly imported from a peer (`destination_peer`).
struct ServiceUpstream {
  std::string destination_name;
  std::string destination_namespace;
  std::string destination_partition;
  std::string destination_peer;
  std::string destination_type;  // "", "service", "prepared_query"
  std::string datacenter;
  std::string local_bind_address;
  int local_bind_port = 0;
  MeshGatewayConfig mesh_gateway;
  nlohmann::json config = nlohmann::json::object();  // opaque

  friend bool operator==(const ServiceUpstream&, const ServiceUpstream&) = default;
};

struct ServiceProxy {
  std::vector<ServiceUpstream> upstreams;
  nlohmann::json config = nlohmann::json::object();  // opaque (gateway options, protocol...)
  MeshGatewayConfig mesh_gateway;
  std::string destination_service_name;  // kind connect-proxy
  std::string local_service_address;
  int local_service_port = 0;
  std::string mode;

  friend bool operator==(const ServiceProxy&, const ServiceProxy&) = default;
};

struct SidecarService {
  int port = 0;  // 0: chosen by the agent
  ServiceProxy proxy;

  friend bool operator==(const SidecarService&, const SidecarService&) = default;
};

struct ServiceConnect {
  bool native = false;
  std::optional<SidecarService> sidecar_service;

  friend bool operator==(const ServiceConnect&, const ServiceConnect&) = default;
};

struct ServiceWeights {
  int passing = 1;
  int warning = 1;

  friend bool operator==(const ServiceWeights&, const ServiceWeights&) = default;
};

struct ServiceDefinition {
  std::string id;  // "" means the name (Consul's default)
  std::string name;
  // "" (a typical service), "connect-proxy", "mesh-gateway", "terminating-gateway",
  // "ingress-gateway", "api-gateway".
  std::string kind;
  std::vector<std::string> tags;
  std::string address;
  int port = 0;
  std::map<std::string, ServiceAddress> tagged_addresses;  // "lan", "wan", "lan_ipv4", ...
  std::map<std::string, std::string> meta;
  std::optional<ServiceProxy> proxy;  // gateways and connect-proxy registrations
  std::optional<ServiceConnect> connect;
  std::optional<ServiceWeights> weights;
  // Health checks as written (`check { ... }` and `checks = [...]`, in that order); opaque:
  // the control component reports health from its sources, it does not run checks.
  std::vector<nlohmann::json> checks;
  bool enable_tag_override = false;
  std::string ns;
  std::string partition;
  std::string origin;  // where it was read, as a config entry's origin

  // The ID Consul registers it under: `id`, or `name` when `id` is empty.
  const std::string& EffectiveId() const { return id.empty() ? name : id; }
  // The address peers should dial: tagged "wan", else "wan_ipv4", else LanAddress().
  ServiceAddress WanAddress() const;
  // Tagged "lan", else "lan_ipv4", else {address, port}.
  ServiceAddress LanAddress() const;

  friend bool operator==(const ServiceDefinition&, const ServiceDefinition&) = default;
};

// What the control component knows about its own place: a datacenter of one trust domain.
struct LocalSettings {
  std::string datacenter;  // "gcp-dc1"
  std::string partition = "default";
  // The CA's cluster ID (a UUID); the trust domain is "<cluster_id>.consul".
  std::string cluster_id;

  // TrustDomain() == cluster_id + ".consul" ("" when cluster_id is empty).
  std::string TrustDomain() const { return cluster_id.empty() ? "" : cluster_id + ".consul"; }

  friend bool operator==(const LocalSettings&, const LocalSettings&) = default;
};

}  // namespace meshgw::control

#endif  // MESHGW_CONTROL_MODEL_SERVICE_H_
