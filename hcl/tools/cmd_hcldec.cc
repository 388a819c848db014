// `meshgw-hcl hcldec`: decode an HCL file (native or JSON syntax) with an hcldec spec and print
// the value as JSON, like HashiCorp's cmd/hcldec (which the hclspecsuite conformance harness
// drives).
//
//   meshgw-hcl hcldec --spec=FILE [--diags=json] [--with-type] [--keep-nulls] [--var-refs]
//                     [-V VARS]... [-o OUT] [FILE]...
//
// VARS is a JSON object (`{"name": "value"}`), a file of attributes (`.json` for JSON syntax), or
// `name=value` (a string). Several FILEs are merged into one body; without FILE the input is read
// from stdin. Exit 0 on success, 1 when
// the spec or the input has errors (diagnostics on stderr), 2 on bad usage.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "hcl/decode/content.h"
#include "hcl/eval/eval.h"
#include "hcl/hcldec/output.h"
#include "hcl/hcldec/spec.h"
#include "hcl/hcldec/spec_file.h"
#include "hcl/jsonsyntax/jsonsyntax.h"
#include "hcl/syntax/parser.h"
#include "hcl/tools/commands.h"

namespace meshgw::hcl::tools {
namespace {

constexpr char kUsage[] =
    "usage: meshgw-hcl hcldec --spec=FILE [--diags=json] [--with-type] [--keep-nulls] "
    "[--var-refs] [-V VARS]... [-o OUT] [FILE]...\n";

struct Options {
  std::string spec;
  bool diags_json = false;
  bool with_type = false;
  bool keep_nulls = false;
  bool var_refs = false;
  std::vector<std::string> vars;
  std::string out;
  std::vector<std::string> files;
};

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

// Parses flags the way pflag does for the ones hcldec has: `--x=v`, `--x v`, `-x v`.
bool ParseArgs(const Args& args, Options* o, std::string* error) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string_view long_name, std::string_view short_name,
                     std::string* dst) -> int {
      std::string prefix = std::string(long_name) + "=";
      if (absl::StartsWith(a, prefix)) {
        *dst = a.substr(prefix.size());
        return 1;
      }
      if (a == long_name || (!short_name.empty() && a == short_name)) {
        if (i + 1 >= args.size()) {
          *error = absl::StrCat("flag needs an argument: ", a);
          return -1;
        }
        *dst = args[++i];
        return 1;
      }
      return 0;
    };
    std::string v;
    int r;
    if ((r = value("--spec", "-s", &o->spec)) != 0) {
      if (r < 0) return false;
    } else if ((r = value("--diags", "", &v)) != 0) {
      if (r < 0) return false;
      if (v != "json" && !v.empty()) {
        *error =
            absl::StrCat("Invalid diagnostics format \"", v, "\": only \"json\" is supported.");
        return false;
      }
      o->diags_json = v == "json";
    } else if ((r = value("--vars", "-V", &v)) != 0) {
      if (r < 0) return false;
      o->vars.push_back(v);
    } else if ((r = value("--out", "-o", &o->out)) != 0) {
      if (r < 0) return false;
    } else if (a == "--with-type") {
      o->with_type = true;
    } else if (a == "--keep-nulls") {
      o->keep_nulls = true;
    } else if (a == "--var-refs") {
      o->var_refs = true;
    } else if (a.size() > 1 && a[0] == '-') {
      *error = absl::StrCat("unknown flag: ", a);
      return false;
    } else {
      o->files.push_back(a);
    }
  }
  if (o->spec.empty()) {
    *error = "the --spec=... argument is required";
    return false;
  }
  return true;
}

// A parsed input of either syntax; keeps the tree its body points into alive.
struct Input {
  std::unique_ptr<File> native;
  std::unique_ptr<JsonFile> json;
  std::shared_ptr<const SyntaxBody> body;
};

Input ParseInput(std::string src, const std::string& filename, bool json, Diagnostics* diags) {
  Input in;
  if (json) {
    JsonParseResult r = ParseJson(std::move(src), filename);
    diags->Append(r.diags);
    in.json = std::move(r.file);
    in.body = in.json->body;
  } else {
    ParseResult r = ParseConfig(std::move(src), filename);
    diags->Append(r.diags);
    in.native = std::move(r.file);
    in.body = NativeBody(*in.native->body);
  }
  return in;
}

// The values of a -V argument (upstream: attributes evaluated without a context).
void LoadVars(const std::string& spec, size_t index, std::map<std::string, Value>* vars,
              std::vector<Input>* keep, Diagnostics* diags) {
  Input in;
  if (spec.find_first_not_of(" \t\r\n") != std::string::npos &&
      spec[spec.find_first_not_of(" \t\r\n")] == '{') {
    in = ParseInput(spec, absl::StrCat("<vars argument ", index, ">"), true, diags);
  } else {
    std::string src;
    if (!ReadFile(spec, &src)) {
      size_t eq = spec.find('=');
      if (eq != std::string::npos && eq > 0) {
        (*vars)[spec.substr(0, eq)] = Value::String(spec.substr(eq + 1));
        return;
      }
      diags->AddError("Failed to read file",
                      absl::StrCat("The file ", QuoteName(spec), " could not be read."), Range{});
      return;
    }
    in = ParseInput(std::move(src), spec, absl::EndsWith(spec, ".json"), diags);
  }
  for (const ContentAttribute& a : in.body->JustAttributes(diags)) {
    (*vars)[a.name] = EvaluateExpr(*a.expr, nullptr, diags);
  }
  keep->push_back(std::move(in));
}

void WriteDiags(const Diagnostics& diags, bool json) {
  if (json) {
    std::string doc = hcldec::DiagnosticsJson(diags);
    std::fprintf(stderr, "%s\n", doc.c_str());
    return;
  }
  for (const Diagnostic& d : diags) {
    std::string line =
        d.subject.filename.empty()
            ? absl::StrCat(d.severity == Severity::kError ? "Error: " : "Warning: ", d.summary,
                           "; ", d.detail)
            : d.ToString();
    std::fprintf(stderr, "%s\n", line.c_str());
  }
}

int Emit(const Options& o, const std::string& text) {
  if (o.out.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
    return 0;
  }
  std::ofstream f(o.out, std::ios::binary | std::ios::trunc);
  if (!f) {
    std::fprintf(stderr, "Error: can't open %s for writing\n\n", o.out.c_str());
    return 1;
  }
  f << text << "\n";
  return 0;
}

}  // namespace

int RunHcldec(const Args& args) {
  Options o;
  std::string error;
  if (!ParseArgs(args, &o, &error)) {
    std::fprintf(stderr, "Error: %s\n\n%s", error.c_str(), kUsage);
    return 2;
  }

  Diagnostics diags;
  std::string spec_src;
  if (!ReadFile(o.spec, &spec_src)) {
    diags.AddError("Failed to read file",
                   absl::StrCat("The file ", QuoteName(o.spec), " could not be read."), Range{});
    WriteDiags(diags, o.diags_json);
    return 1;
  }
  hcldec::SpecFile spec = hcldec::LoadSpecFile(std::move(spec_src), o.spec, &diags);
  if (diags.HasErrors()) {
    WriteDiags(diags, o.diags_json);
    return 1;
  }

  EvalContext ctx;
  ctx.variables = spec.variables;
  std::vector<Input> var_inputs;
  for (size_t i = 0; i < o.vars.size(); ++i) {
    std::map<std::string, Value> vals;
    LoadVars(o.vars[i], i, &vals, &var_inputs, &diags);
    for (auto& [k, v] : vals) ctx.variables[k] = v;
  }
  // No variables and no functions: evaluate without a context, so that references are reported as
  // "not allowed" and JSON strings are literal, as upstream does.
  ctx.functions = spec.functions;
  const EvalContext* eval_ctx = ctx.variables.empty() && ctx.functions.empty() ? nullptr : &ctx;

  std::vector<Input> inputs;
  if (o.files.empty()) {
    std::stringstream ss;
    ss << std::cin.rdbuf();
    inputs.push_back(ParseInput(ss.str(), "<stdin>", false, &diags));
  }
  for (const std::string& f : o.files) {
    std::string src;
    if (!ReadFile(f, &src)) {
      diags.AddError("Failed to read file",
                     absl::StrCat("The file ", QuoteName(f), " could not be read."), Range{});
      continue;
    }
    inputs.push_back(ParseInput(std::move(src), f, absl::EndsWith(f, ".json"), &diags));
  }
  if (diags.HasErrors()) {
    WriteDiags(diags, o.diags_json);
    return 1;
  }
  std::shared_ptr<const SyntaxBody> body = inputs.front().body;
  if (inputs.size() > 1) {
    std::vector<std::shared_ptr<const SyntaxBody>> bodies;
    for (const Input& in : inputs) bodies.push_back(in.body);
    body = MergeBodies(std::move(bodies));
  }
  const SyntaxBody& input_body = *body;

  if (o.var_refs) {
    return Emit(o, hcldec::VarRefsJson(hcldec::Variables(input_body, *spec.root), eval_ctx));
  }

  Value val = hcldec::Decode(input_body, *spec.root, eval_ctx, &diags);
  if (diags.HasErrors()) {
    WriteDiags(diags, o.diags_json);
    return 1;
  }
  absl::StatusOr<std::string> out =
      hcldec::ValueJson(val, hcldec::ValueJsonOptions{o.with_type, o.keep_nulls});
  if (!out.ok()) {
    std::fprintf(stderr, "Error: %s\n\n", std::string(out.status().message()).c_str());
    return 1;
  }
  return Emit(o, *out);
}

}  // namespace meshgw::hcl::tools
