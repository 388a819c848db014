// Syntax-tree helpers of the file source (internal to control/source).
//
// - `InlineOpaqueBlocks` lets opaque maps be written as blocks, as Consul's HCL decoder allows
//   (`Config { protocol = "http" }`, `meta { ... }`, `tagged_addresses { lan { ... } }`): such a
//   block becomes the attribute holding the equivalent object, so the schema decoder sees one
//   form. Source ranges are kept, so errors still point into the file.
// - `LocateFieldPath` turns a model validation path ("Sources[1].Peer", "Failover[\"*\"]") into
//   the range of what it names, walking attributes, blocks, tuples and objects; it stops at the
//   deepest part it finds, so a path always gives a useful position.
// Thread-safety: plain functions over trees the caller owns.
#ifndef MESHGW_CONTROL_SOURCE_INTERNAL_SYNTAX_TREE_H_
#define MESHGW_CONTROL_SOURCE_INTERNAL_SYNTAX_TREE_H_

#include <optional>
#include <string>
#include <string_view>

#include "hcl/source.h"
#include "hcl/syntax/ast.h"

namespace meshgw::control::source_internal {

// SameConsulName("PeerThroughMeshGateways", "peer_through_mesh_gateways") == true: names are
// compared without case and without underscores.
bool SameConsulName(std::string_view a, std::string_view b);

// InlineOpaqueBlocks rewrites, anywhere in `body`, unlabeled blocks named Config, Meta or
// TaggedAddresses (any case style) into attributes whose value is an object built from the
// block's attributes and nested blocks.
void InlineOpaqueBlocks(hcl::Body* body);

// NormalizeAcronymKeys renames keys that Consul's decoder would match case-insensitively but
// whose CamelCase has an acronym (`JsonFormat`, `TlsMinVersion`, `Id`) to the declared CamelCase
// (`JSONFormat`, `TLSMinVersion`, `ID`), in attribute names, block types and object keys, except
// inside opaque maps (Config, Meta).
void NormalizeAcronymKeys(hcl::Body* body);

// SingleCheckAsList turns a service definition's `check = {...}` (or `check { ... }`, once
// inlined) into `checks = [{...}]`, Consul's two spellings of health checks, so the schema has
// one field. Does nothing when the body also has `checks` (the decoder then reports `check`).
void SingleCheckAsList(hcl::Body* service_body);

// The text of an object key written as an identifier or a literal string; nullopt otherwise.
std::optional<std::string> ObjectKeyText(const hcl::Expr& key);

// Where a path like "Sources[1].Peer" points inside `body` (or inside the value `expr`).
// `fallback` is returned when not even the first step is found.
hcl::Range LocateFieldPath(const hcl::Body& body, std::string_view path,
                           const hcl::Range& fallback);
hcl::Range LocateFieldPath(const hcl::Expr& expr, std::string_view path);

}  // namespace meshgw::control::source_internal

#endif  // MESHGW_CONTROL_SOURCE_INTERNAL_SYNTAX_TREE_H_
