// HCL's JSON syntax (`*.hcl.json`): the same configuration model as the native syntax, written as
// JSON, as HashiCorp's `json` package defines it.
//
// A file is one JSON object (or an array of objects, merged in order) whose properties keep their
// order and may repeat. Whether a property is an attribute or a block is decided by the schema
// the body is read with (`SyntaxBody::Content`, `hcl/decode/content.h`): each block label adds
// one level of nested object, and the innermost value is an object (one block) or an array of
// objects (several). A property named "//" in a body is a comment. In expressions, numbers are
// exact, strings are templates in the native template syntax when evaluated with a context
// (`"${a + b}"` is a number) and literal without one, arrays are tuples and objects are objects
// whose keys are templates too.
//
// The scanner keeps line, column (grapheme clusters inside strings; a tab counts two) and byte of
// every token, and the diagnostics and their positions are the official parser's.
//
//   JsonParseResult r = ParseJson(R"({"port": 8443, "service": {"web": {"tags": ["a"]}}})",
//                                 "gw.hcl.json");
//   BodySchema schema{.attributes = {{"port"}}, .blocks = {{"service", {"name"}}}};
//   BodyContent c = r.file->body->Content(schema, &r.diags);   // c.blocks[0].labels == {"web"}
//
// A parsed `JsonFile` is immutable and may be shared between threads; the bodies and expressions
// obtained from it point into it, so keep it alive while they are used.
#ifndef MESHGW_HCL_JSONSYNTAX_JSONSYNTAX_H_
#define MESHGW_HCL_JSONSYNTAX_JSONSYNTAX_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hcl/decode/content.h"
#include "hcl/diagnostic.h"
#include "hcl/source.h"

namespace meshgw::hcl {

// One JSON value with its source ranges (the JSON syntax's AST).
struct JsonNode {
  enum class Kind { kObject, kArray, kString, kNumber, kBool, kNull, kInvalid };
  struct Property {
    std::string name;
    std::unique_ptr<JsonNode> value;
    Range name_range;  // the quoted name
  };

  Kind kind = Kind::kInvalid;
  Range range;        // the whole value
  Range open_range;   // object/array: the opening brace or bracket; else == range
  Range close_range;  // object: the closing brace
  std::string text;   // kString: the decoded string; kNumber: the number as written
  bool boolean = false;
  std::vector<Property> properties;                 // kObject, in source order
  std::vector<std::unique_ptr<JsonNode>> elements;  // kArray

  // Where diagnostics about this value as a whole start (the brace, bracket or token).
  const Range& StartRange() const { return open_range; }
};

struct JsonFile {
  std::string_view filename;  // interned
  std::string bytes;
  std::unique_ptr<JsonNode> root;  // an object or array; an empty object after a root error
  std::shared_ptr<const SyntaxBody> body;
};

struct JsonParseResult {
  std::unique_ptr<JsonFile> file;  // never null
  Diagnostics diags;
};

// ParseJson parses a whole `.hcl.json` file. A root that is not an object or an array is an
// error ("Root value must be object") and gives an empty body.
JsonParseResult ParseJson(std::string src, std::string_view filename, Pos start = Pos{});

// ParseJsonExpression parses `src` as one JSON value used as an expression. `*node` receives the
// tree the expression points into (keep it alive).
std::shared_ptr<const SyntaxExpr> ParseJsonExpression(std::string_view src,
                                                      std::string_view filename,
                                                      std::unique_ptr<JsonNode>* node,
                                                      Diagnostics* diags, Pos start = Pos{});

// JsonBody and JsonExpr wrap a node of a parsed file (which must outlive them).
std::shared_ptr<const SyntaxBody> JsonBody(const JsonNode& node);
std::shared_ptr<const SyntaxExpr> JsonExpr(const JsonNode& node);

}  // namespace meshgw::hcl

#endif  // MESHGW_HCL_JSONSYNTAX_JSONSYNTAX_H_
