// Consul's write-time rules for config entries and service definitions, where they are cheap,
// and the normalisation Consul applies on write (computed intention precedence, fixed names).
//
// Errors name the field by its Consul path, so each source can say where it is: the file source
// turns "Sources[1].Peer" into file:line:col, the Consul source into the entry's URL.
//
//   ServiceIntentions si{.name = "db", .sources = {{.name = "web", .peer = "*",
//                                                   .action = IntentionAction::kAllow}}};
//   ValidateConfigEntry(si) ==
//     {{"Sources[0].Peer", "a peer cannot be a wildcard (\"*\"); name one peer"}}
//
// Rules checked (facts from reference/consul.md §2.7): required names; exported-services
// consumers set exactly one of Peer, Partition, SamenessGroup; an intention source sets at most
// one of Peer, Partition, SamenessGroup, no wildcard peer, exactly one of Action and Permissions,
// no duplicate source; L7 permissions have one path matcher at most and one header matcher per
// header; sameness-group members set exactly one of Partition and Peer; service-resolver
// failover uses targets or the legacy fields or a sameness group, and its keys are "*" or a
// declared subset; protocols, mesh gateway modes, TLS versions, access-log types and ports are
// from Consul's sets; proxy-defaults is named "global" and mesh "mesh".
// Thread-safety: pure functions.
#ifndef MESHGW_CONTROL_MODEL_VALIDATE_H_
#define MESHGW_CONTROL_MODEL_VALIDATE_H_

#include <string>
#include <vector>

#include "control/model/config_entry.h"
#include "control/model/service.h"

namespace meshgw::control {

struct ValidationError {
  // Consul field path from the entry's top: "Sources[1].Action", "Failover[\"*\"].Targets[0]";
  // "" for the entry as a whole.
  std::string path;
  std::string message;

  friend bool operator==(const ValidationError&, const ValidationError&) = default;
};

// NormalizeConfigEntry applies what Consul does on write: intention sources get their computed
// Precedence and Type "consul"; an unnamed mesh entry is named "mesh"; lower-case method names of
// L7 permissions become upper case.
void NormalizeConfigEntry(ConfigEntry* entry);

// ValidateConfigEntry lists every rule `entry` breaks (empty when valid).
std::vector<ValidationError> ValidateConfigEntry(const ConfigEntry& entry);

// ValidateServiceDefinition: name required, ports in 1..65535 (0 = unset where allowed), kind
// among Consul's service kinds, a mesh gateway needs a port, upstreams name their destination and
// local port.
std::vector<ValidationError> ValidateServiceDefinition(const ServiceDefinition& service);

}  // namespace meshgw::control

#endif  // MESHGW_CONTROL_MODEL_VALIDATE_H_
