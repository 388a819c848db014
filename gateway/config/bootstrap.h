// The gateway's bootstrap file (`meshgw -config gateway.hcl`): who the gateway is, where its xDS
// server, admin and metrics endpoints are, its limits and timeouts, logging, and an optional
// `static` section of listeners, clusters and secrets for running without a control component.
//
//   absl::StatusOr<config::Bootstrap> b = config::LoadBootstrap("/etc/meshgw/gateway.hcl");
//   if (!b.ok()) { LOG(error) << b.status(); return 1; }    // "gateway.hcl:14:21:
//   tcp_proxy.cluster:
//                                                           //  cluster \"x\" is not declared"
//   absl::StatusOr<config::SnapshotPtr> snap = config::Translate(b->static_resources, 1);
//
// The file is HCL, decoded with hcl/decode (unknown names get "Did you mean"); every error is
// "file:line:col: message", pointing at the attribute at fault. The `static` section is turned
// into the same xDS protos the control component would send and goes through the same
// translation (translate.h), so static and xDS configuration cannot drift apart; its resources'
// origin is the position of their block, which leads any error Translate finds later. Relative
// file names (certificates, token_file) resolve against the bootstrap file's folder. The example
// with every option: configs/gateway/static-example.hcl.
//
// Thread-safety: the functions are reentrant; a Bootstrap is plain data.
#ifndef MESHGW_GATEWAY_CONFIG_BOOTSTRAP_H_
#define MESHGW_GATEWAY_CONFIG_BOOTSTRAP_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gateway/config/snapshot.h"
#include "gateway/config/translate.h"

namespace meshgw::gateway::config {

struct Bootstrap {
  struct Node {
    std::string id;  // required
    std::string cluster = "mesh-gateway";
    std::string datacenter;
  };
  struct XdsTls {
    std::string ca_file;    // absolute paths once loaded
    std::string cert_file;  // with key_file: a client certificate
    std::string key_file;
    std::string server_name;  // SNI and name to verify; default: the address's host
  };
  struct Xds {
    std::string address;     // "host:port" (a DNS name is fine: gRPC resolves it)
    std::string token;       // sent as x-consul-token; from token_file when that is set
    std::string token_file;  // absolute path once loaded
    std::optional<XdsTls> tls;
  };
  struct Limits {
    uint32_t max_connections = 10000;
    uint32_t max_hello_size = 16384;
    uint32_t buffer_size = 65536;
  };
  struct Timeouts {
    absl::Duration hello = absl::Seconds(5);
    absl::Duration connect = absl::Seconds(5);
    absl::Duration idle = absl::Hours(1);
    absl::Duration drain = absl::Seconds(30);
  };
  struct Log {
    std::string level = "info";  // debug | info | warn | error
    bool json = false;
    std::string access_log = "stderr";  // stderr | stdout | off | an absolute path
  };

  std::string path;  // the file it was read from
  Node node;
  std::optional<Xds> xds;
  SocketAddress admin;    // default 127.0.0.1:19000
  SocketAddress metrics;  // default 0.0.0.0:9102
  uint32_t workers = 0;   // 0: one per core
  Limits limits;
  Timeouts timeouts;
  Log log;
  // The `static` section as xDS resources (version "static", origin "file:line:col" of each
  // block), ready for Translate. Empty without a static section.
  TranslateInput static_resources;
};

struct BootstrapOptions {
  // false: no file is read, neither *_file attributes nor HCL's file functions (each use is an
  // error); for checking untrusted text, as the fuzzer does.
  bool read_files = true;
};

// LoadBootstrap reads and parses the file at `path` (errors name it; relative names inside resolve
// against its folder). The static section is translated once to report its errors now.
absl::StatusOr<Bootstrap> LoadBootstrap(absl::string_view path);

// ParseBootstrap parses `text` as if read from `filename` (whose folder relative names resolve
// against).
absl::StatusOr<Bootstrap> ParseBootstrap(absl::string_view text, absl::string_view filename,
                                         const BootstrapOptions& options = {});

}  // namespace meshgw::gateway::config

#endif  // MESHGW_GATEWAY_CONFIG_BOOTSTRAP_H_
