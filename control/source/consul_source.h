// The Consul source: mirrors a Consul datacenter over its HTTP API into the control model, with
// blocking queries, and tells its owner whenever what it mirrors changed.
//
//   ConsulSourceOptions options;
//   options.http = *ConsulHttpConfig::FromEnv();   // CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN, ...
//   options.local.datacenter = "gcp-dc1";
//   options.on_change = [&](const ConsulState& s) { translator.Update(...s.model...); };
//   ConsulSource source(std::move(options));
//   source.Start();          // returns at once; the first on_change follows the initial sync
//   ...
//   source.Stop();           // or the destructor
//
// What it watches (reference/consul.md §2.4–2.8), each with its own keep-alive connection:
//   /v1/config/<kind> for exported-services, service-intentions, sameness-group, service-resolver,
//       service-defaults, proxy-defaults, mesh                           (blocking) → model entries
//   /v1/catalog/services, then /v1/health/service/<name> for each service  (blocking) → model
//       services: one ServiceDefinition per instance (mesh gateways with their tagged addresses;
//       a connect-proxy folded into its destination's `connect.sidecar_service` when that
//       instance is on the same node); health in `checks`, see WorstCheckHealth
//   /v1/health/service/consul (part of the above) → `server_addresses`: the servers' gRPC TLS
//       ports (Meta grpc_tls_port, else 8503) for peering through mesh gateways
//   /v1/connect/ca/roots                                                 (blocking) → root_pems,
//       trust_domain, and the model's local cluster_id when the options leave it empty
//   /v1/peerings, polled every `peering_poll_interval` (Consul does not block on it) → peerings;
//       for each ACTIVE peering (and FAILING: Consul keeps the imported catalog while the stream
//       reconnects), /v1/catalog/services?peer=<peer> and for each of its services
//       /v1/health/connect/<svc>?peer=<peer> (blocking) → Peering::imported (SNI, SpiffeID,
//       Protocol from PeerMeta; the exporting gateways' addresses).
// Blocking-query rules: `index` from X-Consul-Index, `wait`; the index is reset (to 1, never 0)
// when it goes backwards; each watch is rate-limited by a token bucket (`rate_limit_burst`,
// one token per `rate_limit_interval`): a change is fetched at once while tokens last, and a
// churning endpoint is read at most once per interval. After a transport error (Consul restarted,
// another server behind the address) the next read is a plain read without `index`, so that
// data changed at an unchanged index is not missed.
//
// Errors: a 403 names the ACL permission the token lacks for that endpoint (e.g.
// "GET /v1/peerings: 403 Permission denied: the token needs peering:read (operator:read on
// Consul before 1.14)"); 429, 5xx and network errors are retried with jittered exponential
// backoff (`retry_base` to `retry_max`); a body that does not decode names the endpoint and the
// field. In every case the last good data of that endpoint stays in the state, and the error is
// logged and kept in Errors() until the endpoint answers well again. A 400 on /v1/config/<kind>
// (a kind this Consul lacks, e.g. sameness-group on Consul CE before 1.16) means no entries of
// that kind; it is asked again every `retry_max`.
//
// Scale: each watch holds one connection (HTTP/1.1 blocking queries cannot share one), one per
// catalog service plus one per imported service; Consul limits a client to 200 concurrent HTTP
// connections by default (limits.http_max_conns_per_client), which bounds the catalog this
// source can mirror to roughly 180 services unless that limit is raised.
//
// What Consul's HTTP API cannot give: the mesh gateway's own leaf certificate
// (spiffe://<td>/gateway/mesh/dc/<dc>): /v1/agent/connect/ca/leaf/<service> only issues service
// identities (agent_endpoint.go: "TODO(peering): expose way to get kind=mesh-gateway type cert"),
// and peers' trust bundles are only exchanged over Consul's private gRPC. With this source the
// gateway leaf is signed by the embedded CA (the agent's fallback), and peers' CA PEMs come
// from /v1/peerings (PeerCAPems). Service leaves for egress come from FetchServiceLeaf.
//
// Control config (`source = "consul"`), read by the agent into ConsulSourceOptions:
//   consul {
//     address     = "127.0.0.1:8500"   # else CONSUL_HTTP_ADDR; the other CONSUL_* variables apply
//     wait        = "5m"               # blocking query wait (Consul's maximum is 10m)
//     peering_poll_interval = "5s"
//   }
//
// Thread-safety: Start/Stop from one owner thread. on_change runs on the source's own thread,
// never concurrently with itself; it must not call Stop. Errors(), state() and the Test* hooks
// are safe from any thread.
#ifndef MESHGW_CONTROL_SOURCE_CONSUL_SOURCE_H_
#define MESHGW_CONTROL_SOURCE_CONSUL_SOURCE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "control/ca/embedded_ca.h"
#include "control/model/model.h"
#include "control/model/peering.h"
#include "control/source/consul_http.h"

namespace meshgw::control {

struct ConsulState {
  Model model;
  PeeringSetPtr peerings;  // never null once published
  std::vector<std::string> root_pems;
  std::string trust_domain;
  // The local Consul servers' peering (gRPC TLS) addresses, from the `consul` service.
  std::vector<ServiceAddress> server_addresses;
};

struct ConsulSourceOptions {
  ConsulHttpConfig http;
  LocalSettings local;  // datacenter, partition; cluster_id from the CA roots when empty
  std::function<void(const ConsulState&)> on_change;

  absl::Duration wait = absl::Minutes(5);  // blocking query `wait`
  absl::Duration peering_poll_interval = absl::Seconds(5);
  int rate_limit_burst = 4;
  absl::Duration rate_limit_interval = absl::Seconds(1);
  absl::Duration retry_base = absl::Milliseconds(500);
  absl::Duration retry_max = absl::Seconds(30);
  // The first on_change waits for every watch to answer once, or this long at most.
  absl::Duration initial_sync_timeout = absl::Seconds(10);
};

class ConsulSource {
 public:
  explicit ConsulSource(ConsulSourceOptions options);
  ~ConsulSource();  // Stop()
  ConsulSource(const ConsulSource&) = delete;
  ConsulSource& operator=(const ConsulSource&) = delete;

  // Start checks the TLS settings (an error names the variable) and starts the watches.
  absl::Status Start();
  // Stop cancels every request in flight and joins the source's thread.
  void Stop();

  // The last state published to on_change (nullopt before the first).
  std::optional<ConsulState> state() const;
  // The current problems, one per failing endpoint ("GET /v1/peerings: 403 ..."), sorted.
  std::vector<std::string> Errors() const;

  // Counters for tests: requests sent, and responses whose index went backwards.
  struct RequestStats {
    uint64_t requests = 0;
    uint64_t index_resets = 0;  // responses whose index went backwards
  };
  RequestStats TEST_Stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// FetchServiceLeaf asks the local agent for the leaf certificate of `service`
// (GET /v1/agent/connect/ca/leaf/<service>; ACL service:write on it). A 403 names that
// permission.
absl::StatusOr<IssuedCert> FetchServiceLeaf(const ConsulHttpConfig& config,
                                            std::string_view service,
                                            absl::Duration timeout = absl::Seconds(30));

// The ACL permission Consul requires to read `path` ("/v1/peerings" → "peering:read ..."), for
// messages.
std::string ConsulAclPermissionFor(std::string_view path);

}  // namespace meshgw::control

#endif  // MESHGW_CONTROL_SOURCE_CONSUL_SOURCE_H_
