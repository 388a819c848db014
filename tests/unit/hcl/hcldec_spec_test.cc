// The hcldec spec language and decoding: every expected value and diagnostic below is what
// HashiCorp's cmd/hcldec v2.14.1 prints for the same spec and input.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "hcl/hcldec/output.h"
#include "hcl/hcldec/spec.h"
#include "hcl/hcldec/spec_file.h"
#include "hcl/jsonsyntax/jsonsyntax.h"
#include "hcl/syntax/parser.h"

namespace meshgw::hcl::hcldec {
namespace {

std::string Pos3(const Pos& p) { return absl::StrCat(p.line, ":", p.column, "(", p.byte, ")"); }

std::vector<std::string> Diags(const Diagnostics& diags) {
  std::vector<std::string> out;
  for (const Diagnostic& d : diags) {
    std::string where = d.subject.filename.empty()
                            ? "-"
                            : absl::StrCat(Pos3(d.subject.start), "-", Pos3(d.subject.end));
    out.push_back(absl::StrCat(d.summary, " | ", d.detail, " | ", where));
  }
  return out;
}

constexpr char kSpec[] = R"(variables {
  greeting = "hi"
}
object {
  attr "name" {
    type     = string
    required = true
  }
  attr "port" { type = number }
  attr "tags" { type = list(string) }
  attr "missing" { type = map(number) }
  attr "obj" { type = object({ a = number, b = list(bool) }) }
  attr "tup" { type = tuple([string, number]) }
  block_list "svc" {
    min_items = 1
    object {
      attr "port" { type = number }
    }
  }
  block_set "tag" {
    attr {
      name = "v"
      type = string
    }
  }
  block_map "ports" {
    labels = ["kind", "name"]
    object {
      attr "static" { type = number }
    }
  }
  block "opt" {
    object {}
  }
  default "mode" {
    attr {
      name = "mode"
      type = string
    }
    literal { value = "host" }
  }
  literal "lit" { value = upper("x") }
  transform "up" {
    result = upper(nested)
    attr {
      name = "greet"
      type = string
    }
  }
  array "arr" {
    attr { name = "port" }
    literal { value = 3 }
  }
}
)";

constexpr char kNativeInput[] = R"(name = "gw-${greeting}"
port = "8443"
tags = ["a", 1, true]
obj = { a = "1", b = [true] }
tup = ["x", "2"]
greet = "hello <&>"
svc { port = 1 }
svc { port = "2" }
tag { v = "b" }
tag { v = "a" }
ports "mesh" "in" { static = 8443 }
ports "mesh" "out" { static = 1 }
ports "admin" "x" { }
)";

constexpr char kJsonInput[] = R"({
  "name": "gw-${greeting}",
  "port": "8443",
  "tags": ["a", 1, true],
  "obj": {"a": "1", "b": [true]},
  "tup": ["x", "2"],
  "greet": "hello <&>",
  "svc": [{"port": 1}, {"port": "2"}],
  "tag": [{"v": "b"}, {"v": "a"}],
  "ports": {"mesh": {"in": {"static": 8443}, "out": {"static": 1}}, "admin": {"x": {}}},
  "//": "comment"
}
)";

constexpr char kStripped[] =
    R"({"arr":["8443",3],"lit":"X","mode":"host","name":"gw-hi","obj":{"a":1,"b":[true]},)"
    R"("port":8443,"ports":{"admin":{"x":{}},"mesh":{"in":{"static":8443},"out":{"static":1}}},)"
    R"("svc":[{"port":1},{"port":2}],"tag":["a","b"],"tags":["a","1","true"],"tup":["x",2],)"
    R"("up":"HELLO \u003c\u0026\u003e"})";

constexpr char kWithType[] =
    R"({"value":{"arr":["8443",3],"lit":"X","missing":null,"mode":"host","name":"gw-hi",)"
    R"("obj":{"a":1,"b":[true]},"opt":null,"port":8443,"ports":{"admin":{"x":{"static":null}},)"
    R"("mesh":{"in":{"static":8443},"out":{"static":1}}},"svc":[{"port":1},{"port":2}],)"
    R"("tag":["a","b"],"tags":["a","1","true"],"tup":["x",2],"up":"HELLO \u003c\u0026\u003e"},)"
    R"("type":["object",{"arr":["tuple",["string","number"]],"lit":"string",)"
    R"("missing":["map","number"],"mode":"string","name":"string",)"
    R"("obj":["object",{"a":"number","b":["list","bool"]}],"opt":["object",{}],"port":"number",)"
    R"("ports":["map",["map",["object",{"static":"number"}]]],)"
    R"("svc":["list",["object",{"port":"number"}]],"tag":["set","string"],)"
    R"("tags":["list","string"],"tup":["tuple",["string","number"]],"up":"string"}]})";

struct Loaded {
  SpecFile spec;
  EvalContext ctx;
};

// Loads kSpec (or `spec_src`) and returns it with the variables context hcldec builds.
std::unique_ptr<Loaded> Load(const std::string& spec_src, Diagnostics* diags) {
  auto l = std::make_unique<Loaded>();
  l->spec = LoadSpecFile(spec_src, "a.hcldec", diags);
  l->ctx.variables = l->spec.variables;
  return l;
}

std::string DecodeNative(const Loaded& l, const std::string& src, Diagnostics* diags,
                         ValueJsonOptions opts) {
  ParseResult r = ParseConfig(src, "a.hcl");
  diags->Append(r.diags);
  Value v = Decode(*NativeBody(*r.file->body), *l.spec.root,
                   l.ctx.variables.empty() ? nullptr : &l.ctx, diags);
  if (diags->HasErrors()) return "";
  absl::StatusOr<std::string> j = ValueJson(v, opts);
  return j.ok() ? *j : std::string(j.status().message());
}

TEST(HcldecSpec, NativeInputMatchesUpstream) {
  Diagnostics diags;
  auto l = Load(kSpec, &diags);
  ASSERT_TRUE(diags.empty()) << diags.ToString();
  EXPECT_EQ(DecodeNative(*l, kNativeInput, &diags, {}), kStripped);
  ASSERT_TRUE(diags.empty()) << diags.ToString();
  EXPECT_EQ(DecodeNative(*l, kNativeInput, &diags, {true, true}), kWithType);
}

TEST(HcldecSpec, JsonInputMatchesUpstream) {
  Diagnostics diags;
  auto l = Load(kSpec, &diags);
  JsonParseResult r = ParseJson(kJsonInput, "a.hcl.json");
  ASSERT_TRUE(r.diags.empty());
  Value v = Decode(*r.file->body, *l->spec.root, &l->ctx, &diags);
  ASSERT_TRUE(diags.empty()) << diags.ToString();
  EXPECT_EQ(*ValueJson(v, {}), kStripped);
  EXPECT_EQ(*ValueJson(v, {true, true}), kWithType);
}

TEST(HcldecSpec, DecodeDiagnostics) {
  Diagnostics diags;
  auto l = Load(kSpec, &diags);
  DecodeNative(*l,
               "port = \"abc\"\nnmae = \"x\"\nopt {}\nopt {}\nports \"a\" \"b\" {}\n"
               "ports \"a\" \"b\" {}\n",
               &diags, {});
  // Upstream reports the same set (its order of object members varies from run to run).
  EXPECT_EQ(
      Diags(diags),
      (std::vector<std::string>{
          "Missing required argument | The argument \"name\" is required, but no definition was "
          "found. | 1:1(0)-1:1(0)",
          "Unsupported argument | An argument named \"nmae\" is not expected here. Did you mean "
          "\"name\"? | 2:1(13)-2:5(17)",
          "Duplicate opt block | Only one block of type \"opt\" is allowed. Previous definition "
          "was at a.hcl:3,1-4. | 4:1(31)-4:4(34)",
          "Incorrect attribute value type | Inappropriate value for attribute \"port\": a number "
          "is required. | 1:8(7)-1:13(12)",
          "Duplicate ports block | A block for ports \"a\" \"b\" was already defined. The ports "
          "labels must be unique. | 6:1(55)-6:14(68)",
          "Insufficient svc blocks | At least 1 \"svc\" blocks are required. | 1:1(0)-1:1(0)",
          "Invalid function argument | Invalid value for \"str\" parameter: argument must not be "
          "null. | 44:20(835)-44:26(841)"}));
}

constexpr char kBlocksSpec[] = R"(object {
  block_list "x" {
    max_items = 5
    object {
      attr "v" { type = any }
    }
  }
  block_set "y" {
    attr {
      name = "v"
      type = any
    }
  }
  block "z" {
    required = true
    literal { value = 1 }
  }
}
)";

TEST(HcldecSpec, BlockTypesUnifyLikeCty) {
  Diagnostics diags;
  auto l = Load(kBlocksSpec, &diags);
  ASSERT_TRUE(diags.empty()) << diags.ToString();
  struct Case {
    std::string input;
    std::string want;
  } cases[] = {
      {"x {\n  v = {a = 1}\n}\nx {\n  v = {b = 1}\n}\nz {}\n",
       R"({"type":["object",{"x":["list",["object",{"v":["map","number"]}]],"y":["set","dynamic"],)"
       R"("z":"number"}],"value":{"x":[{"v":{"a":1}},{"v":{"b":1}}],"y":[],"z":1}})"},
      {"x {\n  v = 1\n}\nx {\n}\nz {}\n",
       R"({"type":["object",{"x":["list",["object",{"v":"number"}]],"y":["set","dynamic"],)"
       R"("z":"number"}],"value":{"x":[{"v":1},{}],"y":[],"z":1}})"},
      {"x {\n  v = [1, \"a\"]\n}\nx {\n  v = [\"b\"]\n}\nz {}\n",
       R"({"type":["object",{"x":["list",["object",{"v":["list","string"]}]],)"
       R"("y":["set","dynamic"],"z":"number"}],"value":{"x":[{"v":["1","a"]},{"v":["b"]}],)"
       R"("y":[],"z":1}})"},
      {"x {\n  v = \"1\"\n}\nx {\n  v = 1\n}\nz {}\n",
       R"({"type":["object",{"x":["list",["object",{"v":"string"}]],"y":["set","dynamic"],)"
       R"("z":"number"}],"value":{"x":[{"v":"1"},{"v":"1"}],"y":[],"z":1}})"},
  };
  for (const Case& c : cases) {
    Diagnostics d;
    EXPECT_EQ(DecodeNative(*l, c.input, &d, {true, false}), c.want) << c.input;
    EXPECT_TRUE(d.empty()) << d.ToString();
  }
}

TEST(HcldecSpec, BlockCountAndConsistencyErrors) {
  Diagnostics diags;
  auto l = Load(kBlocksSpec, &diags);
  Diagnostics d1;
  DecodeNative(*l, "x {\n  v = true\n}\nx {\n  v = 1\n}\n", &d1, {});
  EXPECT_EQ(Diags(d1), (std::vector<std::string>{
                           "Unconsistent argument types in x blocks | Corresponding attributes in "
                           "all blocks of this type must be the same. | 1:3(2)-1:3(2)",
                           "Missing z block | A block of type \"z\" is required here. | "
                           "1:1(0)-1:1(0)"}));
  Diagnostics d2;
  DecodeNative(*l, "y {\n  v = true\n}\ny {\n  v = 1\n}\nz {}\n", &d2, {});
  EXPECT_EQ(Diags(d2), (std::vector<std::string>{
                           "Unconsistent argument types in y blocks | Corresponding attributes in "
                           "all blocks of this type must be the same. | 2:7(10)-2:11(14)"}));
  Diagnostics d3;
  auto l1 = Load("block_list {\n  block_type = \"x\"\n  max_items = 1\n  object {}\n}\n", &d3);
  ASSERT_TRUE(d3.empty()) << d3.ToString();
  DecodeNative(*l1, "x {}\nx {}\n", &d3, {});
  EXPECT_EQ(Diags(d3), (std::vector<std::string>{"Too many x blocks | No more than 1 \"x\" blocks "
                                                 "are allowed | 2:3(7)-2:3(7)"}));
}

TEST(HcldecSpec, SpecFileErrors) {
  Diagnostics d1;
  Load(
      "object {\n  attr \"a\" { type = strin }\n  block_map \"b\" {\n    object {}\n  }\n"
      "  block_list \"c\" {\n    object {}\n  }\n  attr \"d\" {\n    type = string\n  }\n"
      "  nope {}\n}\n",
      &d1);
  EXPECT_EQ(Diags(d1),
            (std::vector<std::string>{
                "Unsupported block type | Blocks of type \"nope\" are not expected here. | "
                "12:3(147)-12:7(151)",
                "Unknown variable | There is no variable named \"strin\". Did you mean "
                "\"string\"? | 2:21(29)-2:26(34)",
                "Invalid type expression | A type is required, not dynamic. | -",
                "Missing required argument | The argument \"labels\" is required, but no "
                "definition was found. | 3:17(53)-3:17(53)"}));
  Diagnostics d4;
  Load(
      "object {\n  block_list \"c\" {\n    block_type = \"\"\n    object {}\n  }\n"
      "  attr \"d\" {\n    name = \"\"\n  }\n}\n",
      &d4);
  EXPECT_EQ(Diags(d4),
            (std::vector<std::string>{
                "Missing block_type in block_list spec | The block_type attribute is required, to "
                "specify the block type name that is expected in an input HCL file. | "
                "2:18(26)-2:18(26)",
                "Missing name in attribute spec | The name attribute is required, to specify the "
                "attribute name that is expected in an input HCL file. | 6:12(77)-6:12(77)"}));
  Diagnostics d2;
  Load("object {}\nobject {}\n", &d2);
  EXPECT_EQ(Diags(d2), (std::vector<std::string>{
                           "Extraneous spec block | A spec file must have exactly one root block "
                           "specifying how to map to a JSON value. | 2:1(10)-2:7(16)"}));
  Diagnostics d3;
  Load("variables {\n  a = 1\n}\n", &d3);
  EXPECT_EQ(Diags(d3), (std::vector<std::string>{
                           "Missing spec block | A spec file must have exactly one root block "
                           "specifying how to map to a JSON value. | 1:1(0)-1:1(0)"}));
}

constexpr char kFunctionsSpec[] = R"(function "twice" {
  params = [x]
  result = x * 2
}
function "join_all" {
  params = [sep]
  variadic_param = rest
  result = "${sep}${length(rest)}"
}
object {
  attr "a" { type = number }
  attr "b" { type = string }
}
)";

TEST(HcldecSpec, UserFunctions) {
  Diagnostics diags;
  auto l = Load(kFunctionsSpec, &diags);
  ASSERT_TRUE(diags.empty()) << diags.ToString();
  ASSERT_EQ(l->spec.functions.size(), 2u);
  l->ctx.functions = l->spec.functions;
  ParseResult r = ParseConfig("a = twice(21)\nb = join_all(\"-\", 1, 2, 3)\n", "f.hcl");
  Value v = Decode(*NativeBody(*r.file->body), *l->spec.root, &l->ctx, &diags);
  ASSERT_TRUE(diags.empty()) << diags.ToString();
  EXPECT_EQ(*ValueJson(v, {}), R"({"a":42,"b":"-3"})");

  ParseResult bad = ParseConfig("a = twice()\n", "f.hcl");
  Decode(*NativeBody(*bad.file->body), *l->spec.root, &l->ctx, &diags);
  EXPECT_EQ(Diags(diags), (std::vector<std::string>{
                              "Not enough function arguments | Function \"twice\" expects 1 "
                              "argument(s). Missing value for \"x\". | 1:11(10)-1:12(11)"}));

  Diagnostics d2;
  Load("function \"f\" {\n  params = [\"x\"]\n  result = 1\n}\nobject {}\n", &d2);
  EXPECT_EQ(Diags(d2), (std::vector<std::string>{"Invalid param element | Each parameter name "
                                                 "must be an identifier. | 2:13(27)-2:16(30)"}));
}

Type TypeFrom(const std::string& src, Diagnostics* diags) {
  ExprPtr e = ParseExpression(src, "t.hcl", Pos{}, diags);
  return EvalTypeExpr(e.get(), diags);
}

TEST(HcldecTypeExpr, Types) {
  Diagnostics diags;
  EXPECT_EQ(TypeFrom("string", &diags), Type::String());
  EXPECT_EQ(TypeFrom("any", &diags), Type::Dynamic());
  EXPECT_EQ(TypeFrom("null", &diags), Type::Dynamic());
  EXPECT_EQ(TypeFrom("map(list(set(bool)))", &diags),
            Type::Map(Type::List(Type::Set(Type::Bool()))));
  EXPECT_EQ(TypeFrom("object({a = number, \"b c\" = tuple([string, any])})", &diags),
            Type::Object(
                {{"a", Type::Number()}, {"b c", Type::Tuple({Type::String(), Type::Dynamic()})}}));
  EXPECT_TRUE(diags.empty()) << diags.ToString();
  EXPECT_EQ(EvalTypeExpr(nullptr, &diags), Type::Dynamic());
}

TEST(HcldecTypeExpr, Errors) {
  auto errors = [](const std::string& src) {
    Diagnostics d;
    EXPECT_EQ(TypeFrom(src, &d), Type::Dynamic());
    return Diags(d);
  };
  const std::string kDynamic = "Invalid type expression | A type is required, not dynamic. | -";
  EXPECT_EQ(errors("lst(string)"),
            (std::vector<std::string>{"Call to unknown function | There is no function named "
                                      "\"lst\". Did you mean \"list\"? | 1:1(0)-1:4(3)",
                                      kDynamic}));
  EXPECT_EQ(errors("\"string\""),
            (std::vector<std::string>{"Invalid type expression | A type is required, not string. "
                                      "| -"}));
  EXPECT_EQ(errors("tuple([string], 1)"),
            (std::vector<std::string>{"Too many function arguments | Function \"tuple\" expects "
                                      "only 1 argument(s). | 1:17(16)-1:18(17)",
                                      kDynamic}));
  EXPECT_EQ(errors("map(1)"),
            (std::vector<std::string>{"Invalid function argument | Invalid value for "
                                      "\"element_type\" parameter: type required. | "
                                      "1:5(4)-1:6(5)",
                                      kDynamic}));
  EXPECT_EQ(errors("object({a=1})"),
            (std::vector<std::string>{"Invalid function argument | Invalid value for "
                                      "\"attribute_types\" parameter: element \"a\": type "
                                      "required. | 1:8(7)-1:13(12)",
                                      kDynamic}));
  EXPECT_EQ(errors("string.foo"),
            (std::vector<std::string>{"Unsupported attribute | This value does not have any "
                                      "attributes. | 1:7(6)-1:11(10)",
                                      kDynamic}));
}

TEST(HcldecVariables, ListsReferencesInSpecOrder) {
  Diagnostics diags;
  auto l = Load(R"(object {
  attr "a" { type = any }
  block_list "b" {
    attr {
      name = "c"
    }
  }
}
)",
                &diags);
  ParseResult r =
      ParseConfig("a = [x.y, z]\nb {\n  c = w[0]\n}\nb {\n  c = \"${v}\"\n}\n", "v.hcl");
  std::vector<Traversal> vars = Variables(*NativeBody(*r.file->body), *l->spec.root);
  std::vector<std::string> got;
  for (const Traversal& t : vars) {
    got.push_back(absl::StrCat(t.front().name, "@", Pos3(t.front().range.start)));
  }
  // Upstream lists the same references (its order of object members varies from run to run).
  EXPECT_EQ(got, (std::vector<std::string>{"x@1:6(5)", "z@1:11(10)", "w@3:7(23)", "v@6:10(43)"}));
}

// Block lists and sets unify their bodies' types with value.h's UnifyTypes.
TEST(HcldecUnify, FollowsCty) {
  EXPECT_EQ(UnifyTypes({Type::Number(), Type::String()}), Type::String());
  EXPECT_EQ(UnifyTypes({Type::Number(), Type::Bool()}), std::nullopt);
  EXPECT_EQ(
      UnifyTypes({Type::Object({{"a", Type::Number()}}), Type::Object({{"b", Type::String()}})}),
      Type::Map(Type::String()));
  EXPECT_EQ(
      UnifyTypes({Type::Tuple({Type::Number()}), Type::Tuple({Type::String(), Type::Bool()})}),
      Type::List(Type::String()));
  EXPECT_EQ(UnifyTypes({Type::List(Type::Number()), Type::Dynamic()}), Type::Dynamic());
  EXPECT_EQ(UnifyTypes({Type::Object({{"a", Type::Number()}}), Type::Tuple({})}), std::nullopt);
}

}  // namespace
}  // namespace meshgw::hcl::hcldec
