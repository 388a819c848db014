// The control component's own config file, `control.hcl`: which datacenter it serves, where its
// state and its config entries live, which source feeds it, where it listens and who may talk to
// it. Decoded with hcl/decode; every error is "file:line:col: field: problem".
//
//   datacenter      = "gcp-dc2"
//   cluster_id      = "aaaaaaaa-2222-3333-4444-555555555555"  # trust domain <cluster_id>.consul
//   data_dir        = "data"       # CA root, peerings (relative to this file's folder)
//   config_dir      = "consul.d"   # config entries and service definitions (source = "file")
//   source          = "file"       # or "consul" (Consul's HTTP API, CONSUL_HTTP_* env)
//   grpc_address    = "127.0.0.1:8510"  # ADS, control API, gRPC health (plaintext)
//   peering_address = "127.0.0.1:8503"  # the peering service (TLS)
//   gateway_tokens {
//     token = "dc2-gateway-secret"           # or token_file = "gateway.token"
//     nodes = ["mesh-gateway-dc2"]           # node IDs (gateway service IDs); "*" any
//   }
//   control_tokens = ["cli-secret"]          # none: the control API is open (loopback only)
//   leaf_cert_ttl  = "72h"                   # leaves of the embedded CA, rotated at about half
//   consul {                                 # source = "consul" only; CONSUL_* env applies
//     address = "127.0.0.1:8500"             # else CONSUL_HTTP_ADDR
//     wait = "5m"                            # blocking query wait
//     peering_poll_interval = "5s"
//   }
//
//   absl::StatusOr<ControlConfig> c = LoadControlConfig("configs/control/dc2.hcl");
//   c->config_dir == "/abs/configs/control/consul.d"
//
// Thread-safety: plain values and pure functions.
#ifndef MESHGW_CONTROL_AGENT_CONTROL_CONFIG_H_
#define MESHGW_CONTROL_AGENT_CONTROL_CONFIG_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace meshgw::control {

enum class SourceKind { kFile, kConsul };

struct GatewayToken {
  std::string token;
  // Gateway node IDs (the mesh gateways' service IDs) this token may open a stream for; "*" is
  // any node.
  std::vector<std::string> nodes;
  std::string origin;  // "control.hcl:12:1", for log lines
};

struct ControlConfig {
  std::string datacenter;
  std::string partition = "default";
  std::string cluster_id;  // required with source = "file"
  std::string data_dir;    // absolute after loading; "" keeps state in memory only
  std::string config_dir;  // absolute after loading
  SourceKind source = SourceKind::kFile;
  std::string grpc_address = "127.0.0.1:8510";
  std::string peering_address = "127.0.0.1:8503";
  std::vector<GatewayToken> gateway_tokens;  // empty: any gateway may connect
  std::vector<std::string> control_tokens;   // empty: the control API is open
  std::string log_level = "info";
  // source = "consul": overrides of CONSUL_HTTP_ADDR and the source's timings.
  std::string consul_address;
  absl::Duration consul_wait = absl::Minutes(5);
  absl::Duration consul_peering_poll_interval = absl::Seconds(5);
  absl::Duration poll_interval = absl::Seconds(1);  // the file source's change check
  // Validity of the leaves the embedded CA issues (Consul's LeafCertTTL); each is re-issued after
  // about half of it.
  absl::Duration leaf_cert_ttl = absl::Hours(72);

  // TrustDomain() == cluster_id + ".consul".
  std::string TrustDomain() const { return cluster_id + ".consul"; }
};

// ParseControlConfig reads the text of a control config. Relative `data_dir` and `config_dir` are
// resolved against `base_dir`; `token_file` too. Errors: InvalidArgument listing every problem,
// one "file:line:col: field: problem" per line.
absl::StatusOr<ControlConfig> ParseControlConfig(std::string_view filename, std::string text,
                                                 std::string_view base_dir);

// LoadControlConfig reads `path` and parses it (base_dir: the file's folder).
absl::StatusOr<ControlConfig> LoadControlConfig(const std::string& path);

// IsLoopbackAddress("127.0.0.1:8510") == true; "[::1]:1", "localhost:1" too.
bool IsLoopbackAddress(std::string_view host_port);

// SplitHostPort("127.0.0.1:8510") -> {"127.0.0.1", 8510}; "[::1]:80" -> {"::1", 80}.
absl::StatusOr<std::pair<std::string, int>> SplitHostPort(std::string_view host_port);

}  // namespace meshgw::control

#endif  // MESHGW_CONTROL_AGENT_CONTROL_CONFIG_H_
