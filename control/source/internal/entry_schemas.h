// HCL decoding schemas of Consul's config entries and agent service definitions, into the model's
// structs (control/model/). Internal to control/source: sources decode through
// `DecodeConfigEntry` and `DecodeServiceFile`.
//
// Keys match in CamelCase or snake_case (`ConsulKeys`). Opaque maps (`Config`) decode to JSON;
// `Action` decodes to `IntentionAction` with an error naming the allowed values.
// Thread-safety: the schemas are built once and immutable; decoding is reentrant.
#ifndef MESHGW_CONTROL_SOURCE_INTERNAL_ENTRY_SCHEMAS_H_
#define MESHGW_CONTROL_SOURCE_INTERNAL_ENTRY_SCHEMAS_H_

#include <vector>

#include "control/model/config_entry.h"
#include "control/model/service.h"
#include "hcl/decode/content.h"
#include "hcl/diagnostic.h"

namespace meshgw::control::source_internal {

// DecodeConfigEntry decodes `body` (a whole file without its `Kind` attribute, which the caller
// read to choose `kind`) as an entry of `kind`; errors go to `diags`.
ConfigEntry DecodeConfigEntry(ConfigEntryKind kind, const hcl::SyntaxBody& body,
                              hcl::Diagnostics* diags);

// A file of agent service definitions: `service { ... }` blocks, or `services = [...]`.
struct ServiceFile {
  std::vector<ServiceDefinition> service;
  std::vector<ServiceDefinition> services;
};
ServiceFile DecodeServiceFile(const hcl::SyntaxBody& body, hcl::Diagnostics* diags);

}  // namespace meshgw::control::source_internal

#endif  // MESHGW_CONTROL_SOURCE_INTERNAL_ENTRY_SCHEMAS_H_
