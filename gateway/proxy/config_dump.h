// The admin pages that describe the installed configuration: /config_dump (the whole snapshot as
// JSON, private keys redacted) and /listeners.
//
//   std::string json = ConfigDumpJson(*snapshot);   // {"version":3,"complete":true,...}
//
// Private keys never appear: a certificate shows its name, its chain and "[redacted]" for the key.
//
// Thread-safety: pure functions over an immutable snapshot.
#ifndef MESHGW_GATEWAY_PROXY_CONFIG_DUMP_H_
#define MESHGW_GATEWAY_PROXY_CONFIG_DUMP_H_

#include <string>

#include "gateway/config/snapshot.h"

namespace meshgw::gateway::proxy {

std::string ConfigDumpJson(const config::Snapshot& snapshot);
// "mesh::0.0.0.0:8443\n" per listener (Envoy's /listeners text), or JSON with `json`.
std::string ListenersPage(const config::Snapshot& snapshot, bool json);

}  // namespace meshgw::gateway::proxy

#endif  // MESHGW_GATEWAY_PROXY_CONFIG_DUMP_H_
