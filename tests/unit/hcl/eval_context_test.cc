// EvalContext: lookup through parents, the undefined-variable hook, Nomad-style partial
// evaluation, evaluation without a context, and the `file` function's base directory.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "hcl/eval/eval.h"
#include "hcl/syntax/parser.h"

namespace meshgw::hcl {
namespace {

struct Result {
  Value value;
  Diagnostics diags;
};

Result Eval(const std::string& src, const EvalContext* ctx) {
  Result r;
  ExprPtr e = ParseExpression(src, "t.hcl", Pos{}, &r.diags);
  EXPECT_FALSE(r.diags.HasErrors()) << r.diags.ToString();
  if (e == nullptr) return r;
  r.value = Evaluate(*e, ctx, &r.diags);
  return r;
}

std::string Json(const Value& v) {
  absl::StatusOr<std::string> j = v.ToJson();
  return j.ok() ? *j : absl::StrCat("<", j.status().message(), ">");
}

TEST(EvalContextTest, NoContextFoldsConstantsOnly) {
  Result r = Eval("1 + 2 * 3", nullptr);
  EXPECT_EQ(Json(r.value), "7");
  r = Eval("x", nullptr);
  ASSERT_EQ(r.diags.size(), 1u);
  EXPECT_EQ(r.diags[0].summary, "Variables not allowed");
  EXPECT_EQ(r.diags[0].detail, "Variables may not be used here.");
  r = Eval("upper(\"a\")", nullptr);
  ASSERT_EQ(r.diags.size(), 1u);
  EXPECT_EQ(r.diags[0].summary, "Function calls not allowed");
  EXPECT_EQ(r.diags[0].subject.start.column, 1);
  EXPECT_EQ(r.diags[0].subject.end.column, 11);
}

TEST(EvalContextTest, ParentLookupAndShadowing) {
  EvalContext root;
  root.variables["a"] = Value::Number(1);
  root.variables["b"] = Value::Number(2);
  root.functions = StandardFunctions(".");
  EvalContext child = root.Child();
  child.variables["b"] = Value::Number(20);
  EXPECT_EQ(Json(Eval("a + b", &child).value), "21");
  EXPECT_EQ(Json(Eval("upper(\"x\")", &child).value), "\"X\"");
  Result r = Eval("c", &child);
  ASSERT_EQ(r.diags.size(), 1u);
  EXPECT_EQ(r.diags[0].summary, "Unknown variable");
  EXPECT_EQ(r.diags[0].detail, "There is no variable named \"c\". Did you mean \"a\"?");
}

TEST(EvalContextTest, UndefinedVariableHook) {
  EvalContext ctx;
  ctx.variables["known"] = Value::String("k");
  ctx.undefined_variable = [](const Traversal& t, const Range&) -> std::optional<Value> {
    if (t[0].name == "magic") return Value::Number(42);
    return std::nullopt;
  };
  EXPECT_EQ(Json(Eval("magic", &ctx).value), "42");
  EXPECT_EQ(Json(Eval("magic.whatever[3]", &ctx).value), "42");
  Result r = Eval("other", &ctx);
  ASSERT_EQ(r.diags.size(), 1u);
  EXPECT_EQ(r.diags[0].summary, "Unknown variable");
}

TEST(EvalContextTest, PartialForNomadKeepsOtherRootsAsSource) {
  ParseResult pr = ParseConfig(R"(
a = "${NOMAD_TASK_DIR}/gateway.hcl"
b = "${var.datacenter}"
c = "${attr.kernel.name}"
d = "--name=${var.datacenter}-gw ${ meta.rack[0] }"
e = local.port + 1
f = node.datacenter
g = var.missing
h = [for x in ["a", "b"] : "${x}-${NOMAD_ALLOC_ID}"]
)",
                               "job.nomad.hcl");
  ASSERT_FALSE(pr.diags.HasErrors()) << pr.diags.ToString();
  EvalContext ctx =
      EvalContext::PartialForNomad(Value::Object({{"datacenter", Value::String("dc2")}}),
                                   Value::Object({{"port", Value::Number(8442)}}), *pr.file);
  auto attr = [&](const char* name) {
    const Attribute* a = pr.file->body->FindAttribute(name);
    EXPECT_NE(a, nullptr) << name;
    Result r;
    r.value = Evaluate(*a->expr, &ctx, &r.diags);
    return r;
  };
  EXPECT_EQ(Json(attr("a").value), R"("${NOMAD_TASK_DIR}/gateway.hcl")");
  EXPECT_EQ(Json(attr("b").value), R"("dc2")");
  EXPECT_EQ(Json(attr("c").value), R"("${attr.kernel.name}")");
  EXPECT_EQ(Json(attr("d").value), R"("--name=dc2-gw ${meta.rack[0]}")");
  EXPECT_EQ(Json(attr("e").value), "8443");
  EXPECT_EQ(Json(attr("f").value), R"("${node.datacenter}")");
  EXPECT_EQ(Json(attr("h").value), R"(["a-${NOMAD_ALLOC_ID}","b-${NOMAD_ALLOC_ID}"])");
  Result g = attr("g");
  ASSERT_EQ(g.diags.size(), 1u);
  EXPECT_EQ(g.diags[0].summary, "Unsupported attribute");
  EXPECT_EQ(g.diags[0].detail, "This object does not have an attribute named \"missing\".");
}

TEST(EvalContextTest, FileReadsRelativeToBaseDir) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "meshgw_eval_file_test";
  std::filesystem::create_directories(dir);
  { std::ofstream(dir / "cert.pem") << "PEM\n"; }
  EvalContext ctx;
  ctx.functions = StandardFunctions(dir.string());
  EXPECT_EQ(Json(Eval("file(\"cert.pem\")", &ctx).value), R"("PEM\n")");
  EXPECT_EQ(Json(Eval(absl::StrCat("file(\"", (dir / "cert.pem").string(), "\")"), &ctx).value),
            R"("PEM\n")");
  Result r = Eval("file(\"missing.pem\")", &ctx);
  ASSERT_EQ(r.diags.size(), 1u);
  EXPECT_EQ(r.diags[0].summary, "Error in function call");
  EXPECT_NE(
      r.diags[0].detail.find(absl::StrCat("no file exists at ", (dir / "missing.pem").string())),
      std::string::npos)
      << r.diags[0].detail;
  std::filesystem::remove_all(dir);
}

TEST(EvalContextTest, FunctionArgErrorPointsAtArgument) {
  EvalContext ctx;
  Function f;
  f.params = {{"a", Type::Number()}, {"b", Type::String()}};
  f.impl = [](const std::vector<Value>&) -> absl::StatusOr<Value> {
    return FunctionArgError(1, "must be shorter");
  };
  ctx.functions["check"] = f;
  Result r = Eval("check(1, \"long\")", &ctx);
  ASSERT_EQ(r.diags.size(), 1u);
  EXPECT_EQ(r.diags[0].summary, "Invalid function argument");
  EXPECT_EQ(r.diags[0].detail, "Invalid value for \"b\" parameter: must be shorter.");
  EXPECT_EQ(r.diags[0].subject.start.column, 11);
  EXPECT_EQ(r.diags[0].subject.end.column, 15);
  f.impl = [](const std::vector<Value>&) -> absl::StatusOr<Value> {
    return absl::InvalidArgumentError("boom");
  };
  ctx.functions["check"] = f;
  r = Eval("check(1, \"x\")", &ctx);
  ASSERT_EQ(r.diags.size(), 1u);
  EXPECT_EQ(r.diags[0].summary, "Error in function call");
  EXPECT_EQ(r.diags[0].detail, "Call to function \"check\" failed: boom.");
}

}  // namespace
}  // namespace meshgw::hcl
