// The hcldec decoding specification: a tree of `Spec`s that says how to turn an HCL body into one
// value, as HashiCorp's `hcldec` package does (object, tuple/array, attr, literal, block,
// block_list, block_set, block_map, block_attrs, default, transform).
//
// `ImpliedSchema` derives the body schema a spec reads; `Decode` reads a body (native or JSON
// syntax, `hcl/decode/content.h`) and returns the value with the official diagnostics
// ("Duplicate a block", "Missing a block", "Insufficient a blocks", "Incorrect attribute value
// type", ...); `Variables` lists the variables the body's expressions refer to.
//
//   auto spec = Spec::Attr("name", Type::String(), /*required=*/true);
//   Diagnostics diags;
//   Value v = Decode(*body, *spec, &ctx, &diags);   // a string, or null when absent
//
// Specs are immutable once built and may be shared between threads.
#ifndef MESHGW_HCL_HCLDEC_SPEC_H_
#define MESHGW_HCL_HCLDEC_SPEC_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hcl/decode/content.h"
#include "hcl/diagnostic.h"
#include "hcl/eval/eval.h"
#include "hcl/syntax/ast.h"
#include "hcl/value/value.h"

namespace meshgw::hcl::hcldec {

struct Spec;
using SpecPtr = std::shared_ptr<const Spec>;

struct Spec {
  enum class Kind {
    kObject,      // object: `object` children by name
    kTuple,       // tuple: `elements` in order (the spec language's `array`)
    kAttr,        // one attribute `name` of type `type`
    kLiteral,     // always `literal`
    kBlock,       // at most one block `name`, decoded with `nested`
    kBlockList,   // blocks `name` as a list
    kBlockSet,    // blocks `name` as a set
    kBlockMap,    // blocks `name` as nested maps keyed by `labels`
    kBlockAttrs,  // one block `name` whose attributes make a map of `type`
    kDefault,     // `primary`, or `fallback` when primary gives null
    kTransform,   // `transform` evaluated with `nested` bound to the wrapped spec's value
  };

  Kind kind = Kind::kLiteral;
  std::map<std::string, SpecPtr> object;
  std::vector<SpecPtr> elements;
  std::string name;  // attribute name or block type
  Type type;         // attr type, block_attrs element type
  bool required = false;
  Value literal;
  SpecPtr nested;  // block specs, transform (the wrapped spec)
  int min_items = 0;
  int max_items = 0;                // 0: no limit
  std::vector<std::string> labels;  // block_map
  SpecPtr primary;
  SpecPtr fallback;
  // transform: the `result` expression (it outlives the spec: the spec file stays loaded), and
  // the context it is evaluated in (spec functions); `nested` is added as a variable.
  std::shared_ptr<const SyntaxExpr> transform;
  std::shared_ptr<const EvalContext> transform_ctx;

  static SpecPtr Object(std::map<std::string, SpecPtr> children);
  static SpecPtr Tuple(std::vector<SpecPtr> elements);
  static SpecPtr Attr(std::string name, Type type, bool required);
  static SpecPtr Literal(Value v);
  static SpecPtr Block(std::string type_name, SpecPtr nested, bool required);
  static SpecPtr BlockList(std::string type_name, SpecPtr nested, int min_items, int max_items);
  static SpecPtr BlockSet(std::string type_name, SpecPtr nested, int min_items, int max_items);
  static SpecPtr BlockMap(std::string type_name, std::vector<std::string> labels, SpecPtr nested);
  static SpecPtr BlockAttrs(std::string type_name, Type element_type, bool required);
  static SpecPtr Default(SpecPtr primary, SpecPtr fallback);
};

// ImpliedSchema: the attributes and block types `spec` reads from one body.
BodySchema ImpliedSchema(const Spec& spec);

// ImpliedType: the type Decode's result has (may contain `dynamic`).
Type ImpliedType(const Spec& spec);

// Decode reads `body` with `spec` (the body's content is checked against the implied schema, so
// anything unexpected is an error). `ctx` may be null.
Value Decode(const SyntaxBody& body, const Spec& spec, const EvalContext* ctx, Diagnostics* diags);

// Variables lists every variable reference in the expressions `spec` would evaluate.
std::vector<Traversal> Variables(const SyntaxBody& body, const Spec& spec);

}  // namespace meshgw::hcl::hcldec

#endif  // MESHGW_HCL_HCLDEC_SPEC_H_
