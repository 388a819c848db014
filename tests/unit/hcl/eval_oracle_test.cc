// Evaluation of expressions parsed from source, compared line for line with what the official
// implementation (hclsyntax.ParseExpression + Expr.Value, HCL v2.14.1 / cty 1.12.1) gives for
// the same input in the same context. Expected outputs were produced by a Go program calling the
// official packages; each is "=> <value JSON> : <type JSON>", "UNKNOWN <type JSON>" for an
// unknown result, "PARTIAL <type JSON>" for a known one holding unknowns,
// and one "DIAG summary | detail | subject" line per diagnostic.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "hcl/eval/eval.h"
#include "hcl/syntax/parser.h"

namespace meshgw::hcl {
namespace {

// Go's hcl.Range.String().
std::string GoRange(const Range& r) {
  if (r.start.line == r.end.line) {
    return absl::StrFormat("%s:%d,%d-%d", r.filename, r.start.line, r.start.column, r.end.column);
  }
  return absl::StrFormat("%s:%d,%d-%d,%d", r.filename, r.start.line, r.start.column, r.end.line,
                         r.end.column);
}

// The context of the Go program: `var` with a few values and the standard functions.
EvalContext OracleContext() {
  EvalContext ctx;
  ctx.variables["var"] = Value::Object({
      {"dc", Value::String("dc1")},
      {"n", Value::Number(3)},
      {"list", Value::List(Type::String(), {Value::String("a"), Value::String("b")})},
      {"map", Value::Map(Type::String(), {{"k", Value::String("v")}})},
      {"objs", Value::Tuple({Value::Object({{"a", Value::Number(1)}}),
                             Value::Object({{"a", Value::Number(2)}})})},
      {"unk", Value::Unknown(Type::String())},
      {"nul", Value::Null(Type::String())},
  });
  ctx.functions = StandardFunctions(".");
  ctx.functions.erase("file");
  return ctx;
}

// A case is an expression on one line; "ML " marks an expression and "TPL " a bare template
// whose "\\n" stand for newlines; "NIL " evaluates without a context (Expr.Value(nil)).
std::string EvalToText(const std::string& line) {
  std::string src = line;
  bool tpl = false;
  bool nil_ctx = false;
  if (src.rfind("NIL ", 0) == 0) {
    nil_ctx = true;
    src = src.substr(4);
  }
  if (src.rfind("ML ", 0) == 0 || src.rfind("TPL ", 0) == 0) {
    tpl = src[0] == 'T';
    src = absl::StrReplaceAll(src.substr(tpl ? 4 : 3), {{"\\n", "\n"}});
  }
  Diagnostics pdiags;
  ExprPtr expr = tpl ? ParseTemplate(src, "t.hcl", Pos{}, &pdiags)
                     : ParseExpression(src, "t.hcl", Pos{}, &pdiags);
  if (pdiags.HasErrors() || expr == nullptr) return absl::StrCat("PARSE ", pdiags.ToString());
  EvalContext ctx = OracleContext();
  Diagnostics diags;
  Value v = Evaluate(*expr, nil_ctx ? nullptr : &ctx, &diags);
  std::vector<std::string> lines;
  for (const Diagnostic& d : diags) {
    lines.push_back(absl::StrCat("DIAG ", d.summary, " | ", d.detail, " | ", GoRange(d.subject)));
  }
  if (!v.is_known()) {
    lines.push_back(absl::StrCat("UNKNOWN ", v.type().ToJson()));
  } else if (!v.IsWhollyKnown()) {
    lines.push_back(absl::StrCat("PARTIAL ", v.type().ToJson()));
  } else {
    absl::StatusOr<std::string> j = v.ToJson();
    std::string line = absl::StrCat("=> ", j.ok() ? *j : "", " : ", v.type().ToJson());
    if (!j.ok()) absl::StrAppend(&line, " ", j.status().message());
    lines.push_back(std::move(line));
  }
  return absl::StrJoin(lines, "\n");
}

struct Case {
  const char* src;
  const char* want;
};

const Case kCases[] =
    {
        {R"hcl(1.5e3)hcl", R"hcl(=> 1500 : "number")hcl"},
        {R"hcl("héllo")hcl", R"hcl(=> "héllo" : "string")hcl"},
        {R"hcl("a${1+1}b")hcl", R"hcl(=> "a2b" : "string")hcl"},
        {R"hcl("${true}")hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl("${var.list}")hcl", R"hcl(=> ["a","b"] : ["list","string"])hcl"},
        {R"hcl("x${var.list}")hcl",
         R"hcl(DIAG Invalid template interpolation value | Cannot include the given value in a string template: string required. | t.hcl:1,5-13
=> "x" : "string")hcl"},
        {R"hcl("x${null}")hcl",
         R"hcl(DIAG Invalid template interpolation value | The expression result is null. Cannot include a null value in a string template. | t.hcl:1,5-9
=> "x" : "string")hcl"},
        {R"hcl("x${var.unk}")hcl", R"hcl(UNKNOWN "string")hcl"},
        {R"hcl("%{for x in var.list}${x},%{endfor}")hcl", R"hcl(=> "a,b," : "string")hcl"},
        {R"hcl("%{for i, x in var.list}${i}${x}%{endfor}")hcl", R"hcl(=> "0a1b" : "string")hcl"},
        {R"hcl("%{if var.n > 2}big%{else}small%{endif}")hcl", R"hcl(=> "big" : "string")hcl"},
        {R"hcl("%{if var.n}big%{endif}")hcl",
         R"hcl(DIAG Incorrect condition type | The condition expression must be of type bool. | t.hcl:1,7-12
UNKNOWN "string")hcl"},
        {R"hcl(var.dc)hcl", R"hcl(=> "dc1" : "string")hcl"},
        {R"hcl(var.list[1])hcl", R"hcl(=> "b" : "string")hcl"},
        {R"hcl(var.list[2])hcl",
         R"hcl(DIAG Invalid index | The given key does not identify an element in this collection value: the given index is greater than or equal to the length of the collection. | t.hcl:1,9-12
UNKNOWN "dynamic")hcl"},
        {R"hcl(var.list[-1])hcl",
         R"hcl(DIAG Invalid index | The given key does not identify an element in this collection value: a negative number is not a valid index for a sequence. | t.hcl:1,9-13
UNKNOWN "dynamic")hcl"},
        {R"hcl(var.list["x"])hcl",
         R"hcl(DIAG Invalid index | The given key does not identify an element in this collection value: a number is required. | t.hcl:1,9-14
UNKNOWN "dynamic")hcl"},
        {R"hcl(var.list[1.5])hcl",
         R"hcl(DIAG Invalid index | The given key does not identify an element in this collection value: indexing a sequence requires a whole number, but the given index has a fractional part. | t.hcl:1,9-14
UNKNOWN "dynamic")hcl"},
        {R"hcl(var.list[3])hcl",
         R"hcl(DIAG Invalid index | The given key does not identify an element in this collection value. | t.hcl:1,9-12
UNKNOWN "dynamic")hcl"},
        {R"hcl(var.map.k)hcl", R"hcl(=> "v" : "string")hcl"},
        {R"hcl(var.map.nope)hcl",
         R"hcl(DIAG Missing map element | This map does not have an element with the key "nope". | t.hcl:1,8-13
UNKNOWN "dynamic")hcl"},
        {R"hcl(var.map["k"])hcl", R"hcl(=> "v" : "string")hcl"},
        {R"hcl(var.map[1])hcl",
         R"hcl(DIAG Invalid index | The given key does not identify an element in this collection value. | t.hcl:1,8-11
UNKNOWN "dynamic")hcl"},
        {R"hcl(var.nope)hcl",
         R"hcl(DIAG Unsupported attribute | This object does not have an attribute named "nope". | t.hcl:1,4-9
UNKNOWN "dynamic")hcl"},
        {R"hcl(var.dc.x)hcl",
         R"hcl(DIAG Unsupported attribute | Can't access attributes on a primitive-typed value (string). | t.hcl:1,7-9
UNKNOWN "dynamic")hcl"},
        {R"hcl(vars.dc)hcl",
         R"hcl(DIAG Unknown variable | There is no variable named "vars". Did you mean "var"? | t.hcl:1,1-5
UNKNOWN "dynamic")hcl"},
        {R"hcl(nope)hcl",
         R"hcl(DIAG Unknown variable | There is no variable named "nope". | t.hcl:1,1-5
UNKNOWN "dynamic")hcl"},
        {R"hcl(var.objs.0.a)hcl", R"hcl(=> 1 : "number")hcl"},
        {R"hcl(var.objs[1].a)hcl", R"hcl(=> 2 : "number")hcl"},
        {R"hcl(var.objs[5])hcl",
         R"hcl(DIAG Invalid index | The given key does not identify an element in this collection value. | t.hcl:1,9-12
UNKNOWN "dynamic")hcl"},
        {R"hcl(var.list.a)hcl",
         R"hcl(DIAG Unsupported attribute | This value does not have any attributes. | t.hcl:1,9-11
UNKNOWN "dynamic")hcl"},
        {R"hcl(var.nul.x)hcl",
         R"hcl(DIAG Attempt to get attribute from null value | This value is null, so it does not have any attributes. | t.hcl:1,8-10
UNKNOWN "dynamic")hcl"},
        {R"hcl(var.nul[0])hcl",
         R"hcl(DIAG Attempt to index null value | This value is null, so it does not have any indices. | t.hcl:1,8-11
UNKNOWN "dynamic")hcl"},
        {R"hcl([1,2][2])hcl",
         R"hcl(DIAG Invalid index | The given key does not identify an element in this collection value: the given index is greater than or equal to the length of the collection. | t.hcl:1,6-9
UNKNOWN "dynamic")hcl"},
        {R"hcl([1,2][3])hcl",
         R"hcl(DIAG Invalid index | The given key does not identify an element in this collection value. | t.hcl:1,6-9
UNKNOWN "dynamic")hcl"},
        {R"hcl([][0])hcl",
         R"hcl(DIAG Invalid index | The given key does not identify an element in this collection value: the collection has no elements. | t.hcl:1,3-6
UNKNOWN "dynamic")hcl"},
        {R"hcl({a=1}[0])hcl",
         R"hcl(DIAG Invalid index | The given key does not identify an element in this collection value. An object only supports looking up attributes by name, not by numeric index. | t.hcl:1,6-9
UNKNOWN "dynamic")hcl"},
        {R"hcl({a=1}["b"])hcl",
         R"hcl(DIAG Invalid index | The given key does not identify an element in this collection value. | t.hcl:1,6-11
UNKNOWN "dynamic")hcl"},
        {R"hcl({a=1}["a"])hcl", R"hcl(=> 1 : "number")hcl"},
        {R"hcl("abc"[0])hcl",
         R"hcl(DIAG Invalid index | This value does not have any indices. | t.hcl:1,6-9
UNKNOWN "dynamic")hcl"},
        {R"hcl(var.list[null])hcl",
         R"hcl(DIAG Invalid index | Can't use a null value as an indexing key. | t.hcl:1,9-15
UNKNOWN "dynamic")hcl"},
        {R"hcl(var.objs.*.a)hcl", R"hcl(=> [1,2] : ["tuple",["number","number"]])hcl"},
        {R"hcl(var.objs[*].a)hcl", R"hcl(=> [1,2] : ["tuple",["number","number"]])hcl"},
        {R"hcl(var.dc[*])hcl", R"hcl(=> ["dc1"] : ["tuple",["string"]])hcl"},
        {R"hcl(var.nul[*])hcl", R"hcl(=> [] : ["tuple",[]])hcl"},
        {R"hcl(var.list[*])hcl", R"hcl(=> ["a","b"] : ["list","string"])hcl"},
        {R"hcl([{a=1},{a=2}][*].a)hcl", R"hcl(=> [1,2] : ["tuple",["number","number"]])hcl"},
        {R"hcl([{a=1},{b=2}][*].a)hcl",
         R"hcl(DIAG Unsupported attribute | This object does not have an attribute named "a". | t.hcl:1,17-19
UNKNOWN ["tuple",["number","dynamic"]])hcl"},
        {R"hcl(upper("abc"))hcl", R"hcl(=> "ABC" : "string")hcl"},
        {R"hcl(lower("ÀB"))hcl", R"hcl(=> "àb" : "string")hcl"},
        {R"hcl(uper("x"))hcl",
         R"hcl(DIAG Call to unknown function | There is no function named "uper". Did you mean "upper"? | t.hcl:1,1-5
UNKNOWN "dynamic")hcl"},
        {R"hcl(nosuchfunction("x"))hcl",
         R"hcl(DIAG Call to unknown function | There is no function named "nosuchfunction". | t.hcl:1,1-15
UNKNOWN "dynamic")hcl"},
        {R"hcl(upper())hcl",
         R"hcl(DIAG Not enough function arguments | Function "upper" expects 1 argument(s). Missing value for "str". | t.hcl:1,7-8
UNKNOWN "dynamic")hcl"},
        {R"hcl(upper("a","b"))hcl",
         R"hcl(DIAG Too many function arguments | Function "upper" expects only 1 argument(s). | t.hcl:1,12-13
UNKNOWN "dynamic")hcl"},
        {R"hcl(upper([1]))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "str" parameter: string required. | t.hcl:1,7-8
UNKNOWN "dynamic")hcl"},
        {R"hcl(upper(null))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "str" parameter: argument must not be null. | t.hcl:1,7-11
UNKNOWN "dynamic")hcl"},
        {R"hcl(upper(var.unk))hcl", R"hcl(UNKNOWN "string")hcl"},
        {R"hcl(format("%s-%03d", "a", 7))hcl", R"hcl(=> "a-007" : "string")hcl"},
        {R"hcl(format("%5.2f|%-4d|%q|%t|%v|%%", 3.14159, 42, "x", true, [1]))hcl",
         R"hcl(=> " 3.14|42  |\"x\"|true|[1]|%" : "string")hcl"},
        {R"hcl(format("%d", 1.5))hcl",
         R"hcl(DIAG Error in function call | Call to function "format" failed: unsupported value for "%d" at 0: an integer is required. | t.hcl:1,1-8
UNKNOWN "dynamic")hcl"},
        {R"hcl(format("%s"))hcl",
         R"hcl(DIAG Error in function call | Call to function "format" failed: not enough arguments for "%s" at 0: need index 1 but have 0 total. | t.hcl:1,1-8
UNKNOWN "dynamic")hcl"},
        {R"hcl(format("x", 1))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "args" parameter: too many arguments; no verbs in format string. | t.hcl:1,13-14
UNKNOWN "dynamic")hcl"},
        {R"hcl(format("%s %s", 1))hcl",
         R"hcl(DIAG Error in function call | Call to function "format" failed: not enough arguments for "%s" at 3: need index 2 but have 1 total. | t.hcl:1,1-8
UNKNOWN "dynamic")hcl"},
        {R"hcl(format("%v", 1234567))hcl", R"hcl(=> "1.234567e+06" : "string")hcl"},
        {R"hcl(format("%v %v", 0.5, "s"))hcl", R"hcl(=> "0.5 s" : "string")hcl"},
        {R"hcl(format("%e", 1234.5))hcl", R"hcl(=> "1.234500e+03" : "string")hcl"},
        {R"hcl(format("%g", 0.0001))hcl", R"hcl(=> "0.0001" : "string")hcl"},
        {R"hcl(format("%.3g|%10.4f|%-8s|%+d|%08.3f", 3.14159, 2.5, "ab", 5, -1.5))hcl",
         R"hcl(=> "3.14|    2.5000|ab      |+5|-001.500" : "string")hcl"},
        {R"hcl(format("%x %X %o %b %#x", 255, 255, 8, 5, 255))hcl",
         R"hcl(=> "ff FF 10 101 0xff" : "string")hcl"},
        {R"hcl(format("%z", 1))hcl",
         R"hcl(DIAG Error in function call | Call to function "format" failed: unsupported format verb 'z' in "%z" at offset 0. | t.hcl:1,1-8
UNKNOWN "dynamic")hcl"},
        {R"hcl(format("abc%", 1))hcl",
         R"hcl(DIAG Error in function call | Call to function "format" failed: invalid format string starting at offset 4. | t.hcl:1,1-8
UNKNOWN "dynamic")hcl"},
        {R"hcl(format("%[2]s %[1]s", "a", "b"))hcl", R"hcl(=> "b a" : "string")hcl"},
        {R"hcl(format("%s", null))hcl",
         R"hcl(DIAG Error in function call | Call to function "format" failed: unsupported value for "%s" at 0: null value cannot be formatted. | t.hcl:1,1-8
UNKNOWN "dynamic")hcl"},
        {R"hcl(format("%v", null))hcl", R"hcl(=> "null" : "string")hcl"},
        {R"hcl(format("%.2s|%5s|%-5s|", "héllo", "ab", "cd"))hcl",
         R"hcl(=> "hé|   ab|cd   |" : "string")hcl"},
        {R"hcl(format("%s", [1]))hcl",
         R"hcl(DIAG Error in function call | Call to function "format" failed: unsupported value for "%s" at 0: string required. | t.hcl:1,1-8
UNKNOWN "dynamic")hcl"},
        {R"hcl(format("%d", "12"))hcl", R"hcl(=> "12" : "string")hcl"},
        {R"hcl(join(",", ["a","b"]))hcl", R"hcl(=> "a,b" : "string")hcl"},
        {R"hcl(join(",", ["a"], ["b","c"]))hcl", R"hcl(=> "a,b,c" : "string")hcl"},
        {R"hcl(join(","))hcl",
         R"hcl(DIAG Error in function call | Call to function "join" failed: at least one list is required. | t.hcl:1,1-6
UNKNOWN "dynamic")hcl"},
        {R"hcl(join(",", ["a", null]))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "lists" parameter: element 1 is null; cannot concatenate null values. | t.hcl:1,11-12
UNKNOWN "dynamic")hcl"},
        {R"hcl(split(",", "a,b,,c"))hcl", R"hcl(=> ["a","b","","c"] : ["list","string"])hcl"},
        {R"hcl(split("", "abc"))hcl", R"hcl(=> ["a","b","c"] : ["list","string"])hcl"},
        {R"hcl(split(",", ""))hcl", R"hcl(=> [""] : ["list","string"])hcl"},
        {R"hcl(concat([1],[2,"x"]))hcl",
         R"hcl(=> [1,2,"x"] : ["tuple",["number","number","string"]])hcl"},
        {R"hcl(concat(var.list, ["c"]))hcl",
         R"hcl(=> ["a","b","c"] : ["tuple",["string","string","string"]])hcl"},
        {R"hcl(concat(1))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "seqs" parameter: all arguments must be lists or tuples; got number. | t.hcl:1,8-9
UNKNOWN "dynamic")hcl"},
        {R"hcl(concat())hcl",
         R"hcl(DIAG Error in function call | Call to function "concat" failed: at least one argument is required. | t.hcl:1,1-8
UNKNOWN "dynamic")hcl"},
        {R"hcl(length(var.list))hcl", R"hcl(=> 2 : "number")hcl"},
        {R"hcl(length("abc"))hcl",
         R"hcl(DIAG Error in function call | Call to function "length" failed: collection must be a list, a map or a tuple. | t.hcl:1,1-8
UNKNOWN "dynamic")hcl"},
        {R"hcl(length({a=1}))hcl",
         R"hcl(DIAG Error in function call | Call to function "length" failed: collection must be a list, a map or a tuple. | t.hcl:1,1-8
UNKNOWN "dynamic")hcl"},
        {R"hcl(length(var.map))hcl", R"hcl(=> 1 : "number")hcl"},
        {R"hcl(length([1,2,3]))hcl", R"hcl(=> 3 : "number")hcl"},
        {R"hcl(lookup(var.map, "k", "d"))hcl", R"hcl(=> "v" : "string")hcl"},
        {R"hcl(lookup(var.map, "z", "d"))hcl", R"hcl(=> "d" : "string")hcl"},
        {R"hcl(lookup({a=1}, "b", 2))hcl", R"hcl(=> 2 : "number")hcl"},
        {R"hcl(lookup({a=1}, "a", 2))hcl", R"hcl(=> 1 : "number")hcl"},
        {R"hcl(lookup("x", "a", 1))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "inputMap" parameter: lookup() requires a map as the first argument. | t.hcl:1,9-10
UNKNOWN "dynamic")hcl"},
        {R"hcl(lookup(var.map, "k", []))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "default" parameter: the default value must have the same type as the map elements. | t.hcl:1,22-23
UNKNOWN "dynamic")hcl"},
        {R"hcl(lookup(var.map, "k"))hcl",
         R"hcl(DIAG Not enough function arguments | Function "lookup" expects 3 argument(s). Missing value for "default". | t.hcl:1,20-21
UNKNOWN "dynamic")hcl"},
        {R"hcl(merge({a=1},{b=2}))hcl",
         R"hcl(=> {"a":1,"b":2} : ["object",{"a":"number","b":"number"}])hcl"},
        {R"hcl(merge(var.map, {x="y"}))hcl",
         R"hcl(=> {"k":"v","x":"y"} : ["object",{"k":"string","x":"string"}])hcl"},
        {R"hcl(merge(var.map, var.map))hcl", R"hcl(=> {"k":"v"} : ["map","string"])hcl"},
        {R"hcl(merge(1))hcl",
         R"hcl(DIAG Error in function call | Call to function "merge" failed: arguments must be maps or objects, got "number". | t.hcl:1,1-7
UNKNOWN "dynamic")hcl"},
        {R"hcl(merge())hcl", R"hcl(=> {} : ["object",{}])hcl"},
        {R"hcl(merge({a=1}, null))hcl", R"hcl(=> {"a":1} : ["object",{"a":"number"}])hcl"},
        {R"hcl(coalesce(null, "", "a"))hcl", R"hcl(=> "" : "string")hcl"},
        {R"hcl(coalesce(null, 1, "x"))hcl", R"hcl(=> "1" : "string")hcl"},
        {R"hcl(coalesce(null))hcl",
         R"hcl(DIAG Error in function call | Call to function "coalesce" failed: no non-null arguments. | t.hcl:1,1-10
UNKNOWN "dynamic")hcl"},
        {R"hcl(coalesce(1, true))hcl",
         R"hcl(DIAG Error in function call | Call to function "coalesce" failed: all arguments must have the same type. | t.hcl:1,1-10
UNKNOWN "dynamic")hcl"},
        {R"hcl(coalesce())hcl",
         R"hcl(DIAG Error in function call | Call to function "coalesce" failed: all arguments must have the same type. | t.hcl:1,1-10
UNKNOWN "dynamic")hcl"},
        {R"hcl(min(3, 1.5, 2))hcl", R"hcl(=> 1.5 : "number")hcl"},
        {R"hcl(max(3, 1.5, 2))hcl", R"hcl(=> 3 : "number")hcl"},
        {R"hcl(max())hcl",
         R"hcl(DIAG Error in function call | Call to function "max" failed: must pass at least one number. | t.hcl:1,1-5
UNKNOWN "dynamic")hcl"},
        {R"hcl(max(1, "5"))hcl", R"hcl(=> 5 : "number")hcl"},
        {R"hcl(max(1, "x"))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "numbers" parameter: a number is required. | t.hcl:1,9-10
UNKNOWN "dynamic")hcl"},
        {R"hcl(tostring(true))hcl", R"hcl(=> "true" : "string")hcl"},
        {R"hcl(tostring([1]))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "v" parameter: cannot convert tuple to string. | t.hcl:1,10-11
UNKNOWN "dynamic")hcl"},
        {R"hcl(tostring(null))hcl", R"hcl(=> null : "dynamic")hcl"},
        {R"hcl(tonumber("12.5"))hcl", R"hcl(=> 12.5 : "number")hcl"},
        {R"hcl(tonumber("x"))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "v" parameter: cannot convert "x" to number; given string must be a decimal representation of a number. | t.hcl:1,11-12
UNKNOWN "dynamic")hcl"},
        {R"hcl(tobool("yes"))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "v" parameter: cannot convert "yes" to bool; only the strings "true" or "false" are allowed. | t.hcl:1,9-12
UNKNOWN "dynamic")hcl"},
        {R"hcl(tobool("true"))hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl(tobool(1))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "v" parameter: cannot convert number to bool. | t.hcl:1,8-9
UNKNOWN "dynamic")hcl"},
        {R"hcl(jsonencode({a=[1,"x",true,null]}))hcl",
         R"hcl(=> "{\"a\":[1,\"x\",true,null]}" : "string")hcl"},
        {R"hcl(jsonencode("<&>"))hcl", R"hcl(=> "\"\\u003c\\u0026\\u003e\"" : "string")hcl"},
        {R"hcl(jsonencode(null))hcl", R"hcl(=> "null" : "string")hcl"},
        {R"hcl(jsonencode(1/3))hcl",
         R"hcl(=> "0.33333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333335" : "string")hcl"},
        {R"hcl(jsondecode("{\"a\":[1,2.5,\"x\"],\"b\":null}"))hcl",
         R"hcl(=> {"a":[1,2.5,"x"],"b":null} : ["object",{"a":["tuple",["number","number","string"]],"b":"dynamic"}])hcl"},
        {R"hcl(jsondecode("123456789012345678901234567890.5"))hcl",
         R"hcl(=> 123456789012345678901234567890.5 : "number")hcl"},
        {R"hcl(jsondecode("{"))hcl",
         R"hcl(DIAG Error in function call | Call to function "jsondecode" failed: EOF. | t.hcl:1,1-12
UNKNOWN "dynamic")hcl"},
        {R"hcl(abs(-3.5))hcl", R"hcl(=> 3.5 : "number")hcl"},
        {R"hcl(ceil(1.2))hcl", R"hcl(=> 2 : "number")hcl"},
        {R"hcl(floor(-1.2))hcl", R"hcl(=> -2 : "number")hcl"},
        {R"hcl(ceil(5))hcl", R"hcl(=> 5 : "number")hcl"},
        {R"hcl(keys({b=1,a=2}))hcl", R"hcl(=> ["a","b"] : ["tuple",["string","string"]])hcl"},
        {R"hcl(keys(var.map))hcl", R"hcl(=> ["k"] : ["list","string"])hcl"},
        {R"hcl(keys([1]))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "inputMap" parameter: must have map or object type. | t.hcl:1,6-7
UNKNOWN "dynamic")hcl"},
        {R"hcl(values({b=1,a="x"}))hcl", R"hcl(=> ["x",1] : ["tuple",["string","number"]])hcl"},
        {R"hcl(values(var.map))hcl", R"hcl(=> ["v"] : ["list","string"])hcl"},
        {R"hcl(values([1]))hcl",
         R"hcl(DIAG Error in function call | Call to function "values" failed: values() requires a map as the first argument. | t.hcl:1,1-8
UNKNOWN "dynamic")hcl"},
        {R"hcl(contains(["a","b"], "b"))hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl(contains([1,2], "1"))hcl", R"hcl(=> false : "bool")hcl"},
        {R"hcl(contains("ab", "a"))hcl",
         R"hcl(DIAG Error in function call | Call to function "contains" failed: argument must be list, tuple, or set. | t.hcl:1,1-10
UNKNOWN "dynamic")hcl"},
        {R"hcl(trimspace("  x y \n"))hcl", R"hcl(=> "x y" : "string")hcl"},
        {R"hcl(replace("a-b-c", "-", "+"))hcl", R"hcl(=> "a+b+c" : "string")hcl"},
        {R"hcl(substr("hello", 1, 3))hcl", R"hcl(=> "ell" : "string")hcl"},
        {R"hcl(substr("hello", -3, -1))hcl", R"hcl(=> "llo" : "string")hcl"},
        {R"hcl(substr("hello", 0, 0))hcl", R"hcl(=> "" : "string")hcl"},
        {R"hcl(substr("hello", 10, 2))hcl", R"hcl(=> "" : "string")hcl"},
        {R"hcl(element(["a","b","c"], 4))hcl", R"hcl(=> "b" : "string")hcl"},
        {R"hcl(element([], 0))hcl",
         R"hcl(DIAG Error in function call | Call to function "element" failed: cannot use element function with an empty list. | t.hcl:1,1-9
UNKNOWN "dynamic")hcl"},
        {R"hcl(element(["a"], -1))hcl",
         R"hcl(DIAG Error in function call | Call to function "element" failed: cannot use element function with a negative index. | t.hcl:1,1-9
UNKNOWN "dynamic")hcl"},
        {R"hcl(element("a", 0))hcl",
         R"hcl(DIAG Error in function call | Call to function "element" failed: cannot read elements from string. | t.hcl:1,1-9
UNKNOWN "dynamic")hcl"},
        {R"hcl(flatten([[1,[2]],[3],4]))hcl",
         R"hcl(=> [1,2,3,4] : ["tuple",["number","number","number","number"]])hcl"},
        {R"hcl(flatten("x"))hcl",
         R"hcl(DIAG Error in function call | Call to function "flatten" failed: can only flatten lists, sets and tuples. | t.hcl:1,1-9
UNKNOWN "dynamic")hcl"},
        {R"hcl(distinct(["a","b","a"]))hcl", R"hcl(=> ["a","b"] : ["list","string"])hcl"},
        {R"hcl(distinct([1,"1"]))hcl", R"hcl(=> ["1"] : ["list","string"])hcl"},
        {R"hcl(range(3))hcl", R"hcl(=> [0,1,2] : ["list","number"])hcl"},
        {R"hcl(range(1,4))hcl", R"hcl(=> [1,2,3] : ["list","number"])hcl"},
        {R"hcl(range(5,1,-2))hcl", R"hcl(=> [5,3] : ["list","number"])hcl"},
        {R"hcl(range(0,1,0))hcl",
         R"hcl(DIAG Error in function call | Call to function "range" failed: more than 1024 values were generated; either decrease the difference between start and end or use a smaller step. | t.hcl:1,1-7
UNKNOWN "dynamic")hcl"},
        {R"hcl(range(3,1,1))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "params" parameter: end must be greater than start when step is positive. | t.hcl:1,9-10
UNKNOWN "dynamic")hcl"},
        {R"hcl(range(-3))hcl", R"hcl(=> [0,-1,-2] : ["list","number"])hcl"},
        {R"hcl(range(0, 1, 0.25))hcl", R"hcl(=> [0,0.25,0.5,0.75] : ["list","number"])hcl"},
        {R"hcl(upper(var.list...))hcl",
         R"hcl(DIAG Too many function arguments | Function "upper" expects only 1 argument(s). | t.hcl:1,7-15
UNKNOWN "dynamic")hcl"},
        {R"hcl(format("%s %s", var.list...))hcl", R"hcl(=> "a b" : "string")hcl"},
        {R"hcl(upper(1...))hcl",
         R"hcl(DIAG Invalid expanding argument value | The expanding argument (indicated by ...) must be of a tuple, list, or set type. | t.hcl:1,7-8
UNKNOWN "dynamic")hcl"},
        {R"hcl(upper(null...))hcl",
         R"hcl(DIAG Invalid expanding argument value | The expanding argument (indicated by ...) must not be null. | t.hcl:1,7-11
UNKNOWN "dynamic")hcl"},
        {R"hcl(true ? 1 : 2)hcl", R"hcl(=> 1 : "number")hcl"},
        {R"hcl(false ? 1 : "x")hcl", R"hcl(=> "x" : "string")hcl"},
        {R"hcl(var.n > 2 ? "a" : 1)hcl", R"hcl(=> "a" : "string")hcl"},
        {R"hcl(true ? [1] : {})hcl",
         R"hcl(DIAG Inconsistent conditional result types | The true and false result expressions must have consistent types. The 'true' value is tuple, but the 'false' value is object. | t.hcl:1,8-16
UNKNOWN "dynamic")hcl"},
        {R"hcl(true ? {a=1} : {b=2})hcl", R"hcl(=> {"a":1} : ["map","number"])hcl"},
        {R"hcl(true ? {a=1} : {a="x"})hcl", R"hcl(=> {"a":"1"} : ["object",{"a":"string"}])hcl"},
        {R"hcl(null ? 1 : 2)hcl",
         R"hcl(DIAG Null condition | The condition value is null. Conditions must either be true or false. | t.hcl:1,1-5
UNKNOWN "number")hcl"},
        {R"hcl("x" ? 1 : 2)hcl",
         R"hcl(DIAG Incorrect condition type | The condition expression must be of type bool. | t.hcl:1,1-4
UNKNOWN "number")hcl"},
        {R"hcl("true" ? 1 : 2)hcl", R"hcl(=> 1 : "number")hcl"},
        {R"hcl(true ? null : 1)hcl", R"hcl(=> null : "number")hcl"},
        {R"hcl(false ? null : 1)hcl", R"hcl(=> 1 : "number")hcl"},
        {R"hcl(var.unk == "" ? 1 : 2)hcl", R"hcl(UNKNOWN "number")hcl"},
        {R"hcl(true ? [1] : [1,2])hcl", R"hcl(=> [1] : ["list","number"])hcl"},
        {R"hcl(true ? 1 : true)hcl",
         R"hcl(DIAG Inconsistent conditional result types | The true and false result expressions must have consistent types. The 'true' value is number, but the 'false' value is bool. | t.hcl:1,8-16
UNKNOWN "dynamic")hcl"},
        {R"hcl(false ? nope : 2)hcl", R"hcl(=> 2 : "number")hcl"},
        {R"hcl(true ? nope : 2)hcl",
         R"hcl(DIAG Unknown variable | There is no variable named "nope". | t.hcl:1,8-12
UNKNOWN "dynamic")hcl"},
        {R"hcl(1 + 2 * 3 - 4 / 2 % 3)hcl", R"hcl(=> 5 : "number")hcl"},
        {R"hcl("1" + 1)hcl", R"hcl(=> 2 : "number")hcl"},
        {R"hcl("a" + 1)hcl",
         R"hcl(DIAG Invalid operand | Unsuitable value for left operand: a number is required. | t.hcl:1,1-4
UNKNOWN "number")hcl"},
        {R"hcl(true + 1)hcl",
         R"hcl(DIAG Invalid operand | Unsuitable value for left operand: number required. | t.hcl:1,1-5
UNKNOWN "number")hcl"},
        {R"hcl(1 == 1.0)hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl("1" == 1)hcl", R"hcl(=> false : "bool")hcl"},
        {R"hcl([1] == [1])hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl({a=1} != {a=1})hcl", R"hcl(=> false : "bool")hcl"},
        {R"hcl(null == null)hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl(var.nul == null)hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl(1 < "2")hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl(1 >= 2)hcl", R"hcl(=> false : "bool")hcl"},
        {R"hcl(true && "false")hcl", R"hcl(=> false : "bool")hcl"},
        {R"hcl(true || null)hcl",
         R"hcl(DIAG Operation failed | Error during operation: argument must not be null. | t.hcl:1,1-13
UNKNOWN "bool")hcl"},
        {R"hcl(!true)hcl", R"hcl(=> false : "bool")hcl"},
        {R"hcl(!"x")hcl",
         R"hcl(DIAG Invalid operand | Unsuitable value for unary operand: a bool is required. | t.hcl:1,2-5
UNKNOWN "bool")hcl"},
        {R"hcl(-"5")hcl", R"hcl(=> -5 : "number")hcl"},
        {R"hcl(-true)hcl",
         R"hcl(DIAG Invalid operand | Unsuitable value for unary operand: number required. | t.hcl:1,2-6
UNKNOWN "number")hcl"},
        {R"hcl(-null)hcl",
         R"hcl(DIAG Operation failed | Error during operation: argument must not be null. | t.hcl:1,1-6
UNKNOWN "number")hcl"},
        {R"hcl(1 / 0)hcl", R"hcl(=>  : "number" cannot serialize infinity as JSON)hcl"},
        {R"hcl(0 / 0)hcl",
         R"hcl(DIAG Operation failed | Error during operation: can't divide zero by zero or infinity by infinity. | t.hcl:1,1-6
UNKNOWN "number")hcl"},
        {R"hcl(-1 / 0)hcl", R"hcl(=>  : "number" cannot serialize infinity as JSON)hcl"},
        {R"hcl(5 % 0)hcl", R"hcl(=> 5 : "number")hcl"},
        {R"hcl(7 % 3)hcl", R"hcl(=> 1 : "number")hcl"},
        {R"hcl(-7 % 3)hcl", R"hcl(=> -1 : "number")hcl"},
        {R"hcl(0.1 + 0.2)hcl", R"hcl(=> 0.3 : "number")hcl"},
        {R"hcl(null + 1)hcl",
         R"hcl(DIAG Operation failed | Error during operation: argument must not be null. | t.hcl:1,1-9
UNKNOWN "number")hcl"},
        {R"hcl(var.unk == "x")hcl", R"hcl(UNKNOWN "bool")hcl"},
        {R"hcl(var.unk + 1)hcl", R"hcl(UNKNOWN "number")hcl"},
        {R"hcl(nope + 1)hcl",
         R"hcl(DIAG Unknown variable | There is no variable named "nope". | t.hcl:1,1-5
UNKNOWN "number")hcl"},
        {R"hcl([1, "a", true, null])hcl",
         R"hcl(=> [1,"a",true,null] : ["tuple",["number","string","bool","dynamic"]])hcl"},
        {R"hcl({a = 1, "b" = 2, (var.dc) = 3, 4 = 5})hcl",
         R"hcl(=> {"4":5,"a":1,"b":2,"dc1":3} : ["object",{"4":"number","a":"number","b":"number","dc1":"number"}])hcl"},
        {R"hcl({a = 1, a = 2})hcl", R"hcl(=> {"a":2} : ["object",{"a":"number"}])hcl"},
        {R"hcl({a.b = 1})hcl",
         R"hcl(DIAG Ambiguous attribute key | If this expression is intended to be a reference, wrap it in parentheses. If it's instead intended as a literal name containing periods, wrap it in quotes to create a string literal. | t.hcl:1,2-5
UNKNOWN "dynamic")hcl"},
        {R"hcl({(null) = 1})hcl",
         R"hcl(DIAG Null value as key | Can't use a null value as a key. | t.hcl:1,11-12
UNKNOWN "dynamic")hcl"},
        {R"hcl({([]) = 1})hcl",
         R"hcl(DIAG Incorrect key type | Can't use this value as a key: string required. | t.hcl:1,2-6
UNKNOWN "dynamic")hcl"},
        {R"hcl({true = 1, null = 2})hcl",
         R"hcl(=> {"null":2,"true":1} : ["object",{"null":"number","true":"number"}])hcl"},
        {R"hcl({(var.unk) = 1})hcl", R"hcl(UNKNOWN "dynamic")hcl"},
        {R"hcl({a = nope})hcl",
         R"hcl(DIAG Unknown variable | There is no variable named "nope". | t.hcl:1,6-10
PARTIAL ["object",{"a":"dynamic"}])hcl"},
        {R"hcl([for i, v in var.list : "${i}=${v}"])hcl",
         R"hcl(=> ["0=a","1=b"] : ["tuple",["string","string"]])hcl"},
        {R"hcl({for k, v in var.map : k => upper(v)})hcl",
         R"hcl(=> {"k":"V"} : ["object",{"k":"string"}])hcl"},
        {R"hcl({for v in ["a","b","a"] : v => v...})hcl",
         R"hcl(=> {"a":["a","a"],"b":["b"]} : ["object",{"a":["tuple",["string","string"]],"b":["tuple",["string"]]}])hcl"},
        {R"hcl({for v in ["a","b","a"] : v => 1})hcl",
         R"hcl(DIAG Duplicate object key | Two different items produced the key "a" in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key. | t.hcl:1,27-28
=> {"a":1,"b":1} : ["object",{"a":"number","b":"number"}])hcl"},
        {R"hcl([for v in [1,2,3] : v if v > 1])hcl",
         R"hcl(=> [2,3] : ["tuple",["number","number"]])hcl"},
        {R"hcl([for v in [1,2,3] : v if v])hcl",
         R"hcl(DIAG Invalid 'for' condition | The 'if' clause value is invalid: bool required. | t.hcl:1,26-27
UNKNOWN "dynamic")hcl"},
        {R"hcl([for v in null : v])hcl",
         R"hcl(DIAG Iteration over null value | A null value cannot be used as the collection in a 'for' expression. | t.hcl:1,11-15
UNKNOWN "dynamic")hcl"},
        {R"hcl([for v in 1 : v])hcl",
         R"hcl(DIAG Iteration over non-iterable value | A value of type number cannot be used as the collection in a 'for' expression. | t.hcl:1,11-12
UNKNOWN "dynamic")hcl"},
        {R"hcl({for k, v in {a=1} : v => k})hcl",
         R"hcl(=> {"1":"a"} : ["object",{"1":"string"}])hcl"},
        {R"hcl([for v in [1] : v if null])hcl",
         R"hcl(DIAG Condition is null | The value of the 'if' clause must not be null. | t.hcl:1,22-26
UNKNOWN "dynamic")hcl"},
        {R"hcl([for v in [1] : v if "x"])hcl",
         R"hcl(DIAG Invalid 'for' condition | The 'if' clause value is invalid: a bool is required. | t.hcl:1,22-25
UNKNOWN "dynamic")hcl"},
        {R"hcl({for v in [1] : v => null})hcl",
         R"hcl(=> {"1":null} : ["object",{"1":"dynamic"}])hcl"},
        {R"hcl({for v in [1, 2] : v => v if v > 1})hcl",
         R"hcl(=> {"2":2} : ["object",{"2":"number"}])hcl"},
        {R"hcl({for v in [null] : v => 1})hcl",
         R"hcl(DIAG Invalid object key | Key expression in 'for' expression must not produce a null value. | t.hcl:1,20-21
UNKNOWN "dynamic")hcl"},
        {R"hcl({for v in [[]] : v => 1})hcl",
         R"hcl(DIAG Invalid object key | The key expression produced an invalid result: string required. | t.hcl:1,18-19
UNKNOWN "dynamic")hcl"},
        {R"hcl([for k, v in {b=1, a=2} : k])hcl",
         R"hcl(=> ["a","b"] : ["tuple",["string","string"]])hcl"},
        {R"hcl([for v in var.list : w])hcl",
         R"hcl(DIAG Unknown variable | There is no variable named "w". Did you mean "v"? | t.hcl:1,22-23
DIAG Unknown variable | There is no variable named "w". Did you mean "v"? | t.hcl:1,22-23
PARTIAL ["tuple",["dynamic","dynamic"]])hcl"},
        {R"hcl((1 + 2) * 3)hcl", R"hcl(=> 9 : "number")hcl"},
        {R"hcl(-(-3))hcl", R"hcl(=> 3 : "number")hcl"},
        {R"hcl("${"a"}${1}${true}")hcl", R"hcl(=> "a1true" : "string")hcl"},
        {R"hcl("a\u0301")hcl", R"hcl(=> "á" : "string")hcl"},
        {R"hcl(jsondecode("{"))hcl",
         R"hcl(DIAG Error in function call | Call to function "jsondecode" failed: EOF. | t.hcl:1,1-12
UNKNOWN "dynamic")hcl"},
        {R"hcl(jsondecode(""))hcl",
         R"hcl(DIAG Error in function call | Call to function "jsondecode" failed: EOF. | t.hcl:1,1-12
UNKNOWN "dynamic")hcl"},
        {R"hcl(jsondecode("[1,"))hcl",
         R"hcl(DIAG Error in function call | Call to function "jsondecode" failed: EOF. | t.hcl:1,1-12
UNKNOWN "dynamic")hcl"},
        {R"hcl(jsondecode("{\"a\":}"))hcl",
         R"hcl(DIAG Error in function call | Call to function "jsondecode" failed: invalid character '}' looking for beginning of value. | t.hcl:1,1-12
UNKNOWN "dynamic")hcl"},
        {R"hcl(jsondecode("x"))hcl",
         R"hcl(DIAG Error in function call | Call to function "jsondecode" failed: invalid character 'x' looking for beginning of value. | t.hcl:1,1-12
UNKNOWN "dynamic")hcl"},
        {R"hcl(jsondecode("1 2"))hcl",
         R"hcl(DIAG Error in function call | Call to function "jsondecode" failed: extraneous data after JSON object. | t.hcl:1,1-12
UNKNOWN "dynamic")hcl"},
        {R"hcl(jsondecode("[1 2]"))hcl",
         R"hcl(DIAG Error in function call | Call to function "jsondecode" failed: invalid character '2' after array element. | t.hcl:1,1-12
UNKNOWN "dynamic")hcl"},
        {R"hcl(jsondecode("{\"a\" 1}"))hcl",
         R"hcl(DIAG Error in function call | Call to function "jsondecode" failed: invalid character '1' after object key. | t.hcl:1,1-12
UNKNOWN "dynamic")hcl"},
        {R"hcl(jsondecode("\"abc"))hcl",
         R"hcl(DIAG Error in function call | Call to function "jsondecode" failed: unexpected EOF. | t.hcl:1,1-12
UNKNOWN "dynamic")hcl"},
        {R"hcl(jsondecode("{\"a\":1,\"a\":2}"))hcl",
         R"hcl(=> {"a":2} : ["object",{"a":"number"}])hcl"},
        {R"hcl(jsondecode("["))hcl",
         R"hcl(DIAG Error in function call | Call to function "jsondecode" failed: EOF. | t.hcl:1,1-12
UNKNOWN "dynamic")hcl"},
        {R"hcl(jsondecode("tru"))hcl",
         R"hcl(DIAG Error in function call | Call to function "jsondecode" failed: unexpected EOF. | t.hcl:1,1-12
UNKNOWN "dynamic")hcl"},
        {R"hcl(2 + 3.5)hcl", R"hcl(=> 5.5 : "number")hcl"},
        {R"hcl(3.14159265358979323846264338327950288419716939937510582097494459 + 1)hcl",
         R"hcl(=> 4.14159265358979323846264338327950288419716939937510582097494459 : "number")hcl"},
        {R"hcl(3.5 - 2)hcl", R"hcl(=> 1.5 : "number")hcl"},
        {R"hcl(2 * 4.5)hcl", R"hcl(=> 9 : "number")hcl"},
        {R"hcl(1 / 10)hcl", R"hcl(=> 0.1 : "number")hcl"},
        {R"hcl(11 % 5)hcl", R"hcl(=> 1 : "number")hcl"},
        {R"hcl(11 % 5.1)hcl",
         R"hcl(=> 0.80000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000024 : "number")hcl"},
        {R"hcl(true && false || !false)hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl("a" != "b")hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl(1 <= 1)hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl(12345678901234567890 * 98765432109876543210)hcl",
         R"hcl(=> 1219326311370217952237463801111263526900 : "number")hcl"},
        {R"hcl(1e100 / 3)hcl",
         R"hcl(=> 3333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333.3333333333333333333333333333333333333333333333333333334 : "number")hcl"},
        {R"hcl(length(var.list) / 3)hcl",
         R"hcl(=> 0.6666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666667 : "number")hcl"},
        {R"hcl(var.n * 0.1)hcl", R"hcl(=> 0.3 : "number")hcl"},
        {R"hcl(0.1 * 3)hcl", R"hcl(=> 0.3 : "number")hcl"},
        {R"hcl(1.0)hcl", R"hcl(=> 1 : "number")hcl"},
        {R"hcl(007)hcl", R"hcl(=> 7 : "number")hcl"},
        {R"hcl(1.5e-3)hcl", R"hcl(=> 0.0015 : "number")hcl"},
        {R"hcl(-0)hcl", R"hcl(=> -0 : "number")hcl"},
        {R"hcl("${var.n}")hcl", R"hcl(=> 3 : "number")hcl"},
        {R"hcl("${1.50}")hcl", R"hcl(=> 1.5 : "number")hcl"},
        {R"hcl("${0.1 + 0.2}")hcl", R"hcl(=> 0.3 : "number")hcl"},
        {R"hcl("%{ if true ~}  hi  %{~ endif }")hcl", R"hcl(=> "hi" : "string")hcl"},
        {R"hcl("x  ${~ "y" ~}  z")hcl", R"hcl(=> "xyz" : "string")hcl"},
        {R"hcl("%{for k, v in {a=1,b=2}}${k}=${v};%{endfor}")hcl",
         R"hcl(=> "a=1;b=2;" : "string")hcl"},
        {R"hcl("%{for v in []}x%{endfor}")hcl", R"hcl(=> "" : "string")hcl"},
        {R"hcl("%{for v in [null]}${v}%{endfor}")hcl",
         R"hcl(DIAG Invalid template interpolation value | The expression result is null. Cannot include a null value in a string template. | t.hcl:1,22-23
=> "" : "string")hcl"},
        {R"hcl("%{for v in [[]]}${v}%{endfor}")hcl",
         R"hcl(DIAG Invalid template interpolation value | Cannot include the given value in a string template: string required. | t.hcl:1,20-21
=> "" : "string")hcl"},
        {R"hcl("%{for v in 5}x%{endfor}")hcl",
         R"hcl(DIAG Iteration over non-iterable value | A value of type number cannot be used as the collection in a 'for' expression. | t.hcl:1,13-14
UNKNOWN "string")hcl"},
        {R"hcl("%{if null}x%{endif}")hcl",
         R"hcl(DIAG Null condition | The condition value is null. Conditions must either be true or false. | t.hcl:1,7-11
UNKNOWN "string")hcl"},
        {R"hcl("%{if "x"}x%{endif}")hcl",
         R"hcl(DIAG Incorrect condition type | The condition expression must be of type bool. | t.hcl:1,7-10
UNKNOWN "string")hcl"},
        {R"hcl("${[1]}")hcl", R"hcl(=> [1] : ["tuple",["number"]])hcl"},
        {R"hcl("a${"b"}c${1}${true}")hcl", R"hcl(=> "abc1true" : "string")hcl"},
        {R"hcl({a = {b = [1, {c = "d"}]}}.a.b[1].c)hcl", R"hcl(=> "d" : "string")hcl"},
        {R"hcl([[1, 2], [3]][0][1])hcl", R"hcl(=> 2 : "number")hcl"},
        {R"hcl(var.objs[0]["a"])hcl", R"hcl(=> 1 : "number")hcl"},
        {R"hcl(var.objs[0].b)hcl",
         R"hcl(DIAG Unsupported attribute | This object does not have an attribute named "b". | t.hcl:1,12-14
UNKNOWN "dynamic")hcl"},
        {R"hcl(var.list[0][0])hcl",
         R"hcl(DIAG Invalid index | This value does not have any indices. | t.hcl:1,12-15
UNKNOWN "dynamic")hcl"},
        {R"hcl(var.map.k.x)hcl",
         R"hcl(DIAG Unsupported attribute | Can't access attributes on a primitive-typed value (string). | t.hcl:1,10-12
UNKNOWN "dynamic")hcl"},
        {R"hcl([1,2,3][*])hcl", R"hcl(=> [1,2,3] : ["tuple",["number","number","number"]])hcl"},
        {R"hcl([[1,2],[3]][*][0])hcl", R"hcl(=> [1,3] : ["tuple",["number","number"]])hcl"},
        {R"hcl([{a={b=1}},{a={b=2}}][*].a.b)hcl",
         R"hcl(=> [1,2] : ["tuple",["number","number"]])hcl"},
        {R"hcl([{a=[1,2]}][*].a[1])hcl", R"hcl(=> [2] : ["tuple",["number"]])hcl"},
        {R"hcl(var.objs[*])hcl",
         R"hcl(=> [{"a":1},{"a":2}] : ["tuple",[["object",{"a":"number"}],["object",{"a":"number"}]]])hcl"},
        {R"hcl({a=1}[*])hcl", R"hcl(=> [{"a":1}] : ["tuple",[["object",{"a":"number"}]]])hcl"},
        {R"hcl({a=1}[*].a)hcl", R"hcl(=> [1] : ["tuple",["number"]])hcl"},
        {R"hcl("x"[*])hcl", R"hcl(=> ["x"] : ["tuple",["string"]])hcl"},
        {R"hcl(tolist)hcl",
         R"hcl(DIAG Unknown variable | There is no variable named "tolist". | t.hcl:1,1-7
UNKNOWN "dynamic")hcl"},
        {R"hcl(join("-", [1, 2]))hcl", R"hcl(=> "1-2" : "string")hcl"},
        {R"hcl(join("-", [true]))hcl", R"hcl(=> "true" : "string")hcl"},
        {R"hcl(join("-", [[1]]))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "lists" parameter: element 0: string required. | t.hcl:1,11-12
UNKNOWN "dynamic")hcl"},
        {R"hcl(join("-", "x"))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "lists" parameter: list of string required. | t.hcl:1,12-13
UNKNOWN "dynamic")hcl"},
        {R"hcl(length(tolist))hcl",
         R"hcl(DIAG Unknown variable | There is no variable named "tolist". | t.hcl:1,8-14
UNKNOWN "dynamic")hcl"},
        {R"hcl(upper("ǆ"))hcl", R"hcl(=> "Ǆ" : "string")hcl"},
        {R"hcl(lower("ÉCOLE"))hcl", R"hcl(=> "école" : "string")hcl"},
        {R"hcl(format("%s and %s", "a", "b"))hcl", R"hcl(=> "a and b" : "string")hcl"},
        {R"hcl(format("%-5s|", "ab"))hcl", R"hcl(=> "ab   |" : "string")hcl"},
        {R"hcl(format("%05d", -42))hcl", R"hcl(=> "-0042" : "string")hcl"},
        {R"hcl(format("%+.1f", 2.25))hcl", R"hcl(=> "+2.2" : "string")hcl"},
        {R"hcl(format("%.0f %.0f %.0f", 0.5, 1.5, 2.5))hcl", R"hcl(=> "0 2 2" : "string")hcl"},
        {R"hcl(format("%.2e", 123456))hcl", R"hcl(=> "1.23e+05" : "string")hcl"},
        {R"hcl(format("%g %g %g", 100000, 1000000, 1e-5))hcl",
         R"hcl(=> "100000 1e+06 1e-05" : "string")hcl"},
        {R"hcl(format("%G", 1e21))hcl", R"hcl(=> "1E+21" : "string")hcl"},
        {R"hcl(format("%v", true))hcl", R"hcl(=> "true" : "string")hcl"},
        {R"hcl(format("%v", {a=1}))hcl", R"hcl(=> "{\"a\":1}" : "string")hcl"},
        {R"hcl(format("%#v", "x"))hcl", R"hcl(=> "\"x\"" : "string")hcl"},
        {R"hcl(format("%t", "true"))hcl", R"hcl(=> "true" : "string")hcl"},
        {R"hcl(format("%t", "x"))hcl",
         R"hcl(DIAG Error in function call | Call to function "format" failed: unsupported value for "%t" at 0: a bool is required. | t.hcl:1,1-8
UNKNOWN "dynamic")hcl"},
        {R"hcl(format("%d", "x"))hcl",
         R"hcl(DIAG Error in function call | Call to function "format" failed: unsupported value for "%d" at 0: a number is required. | t.hcl:1,1-8
UNKNOWN "dynamic")hcl"},
        {R"hcl(format("%s", {a=1}))hcl",
         R"hcl(DIAG Error in function call | Call to function "format" failed: unsupported value for "%s" at 0: string required. | t.hcl:1,1-8
UNKNOWN "dynamic")hcl"},
        {R"hcl(format("%[3]s", "a", "b"))hcl",
         R"hcl(DIAG Error in function call | Call to function "format" failed: not enough arguments for "%[3]s" at 0: need index 3 but have 2 total. | t.hcl:1,1-8
UNKNOWN "dynamic")hcl"},
        {R"hcl(format("%[0]s", "a"))hcl",
         R"hcl(DIAG Error in function call | Call to function "format" failed: unrecognized format character '0' at offset 2. | t.hcl:1,1-8
UNKNOWN "dynamic")hcl"},
        {R"hcl(format("%[x]s", "a"))hcl",
         R"hcl(DIAG Error in function call | Call to function "format" failed: unrecognized format character 'x' at offset 2. | t.hcl:1,1-8
UNKNOWN "dynamic")hcl"},
        {R"hcl(format("%.s|", "abc"))hcl", R"hcl(=> "abc|" : "string")hcl"},
        {R"hcl(format("%8.3f|%-8.2f|", 3.14159, 2.5))hcl",
         R"hcl(=> "   3.142|2.50    |" : "string")hcl"},
        {R"hcl(format("%x", 1.5))hcl",
         R"hcl(DIAG Error in function call | Call to function "format" failed: unsupported value for "%x" at 0: an integer is required. | t.hcl:1,1-8
UNKNOWN "dynamic")hcl"},
        {R"hcl(format("%c", 65))hcl",
         R"hcl(DIAG Error in function call | Call to function "format" failed: unsupported format verb 'c' in "%c" at offset 0. | t.hcl:1,1-8
UNKNOWN "dynamic")hcl"},
        {R"hcl(format("%s %% %s", "a", "b"))hcl", R"hcl(=> "a % b" : "string")hcl"},
        {R"hcl(format("%d%%", 50))hcl", R"hcl(=> "50%" : "string")hcl"},
        {R"hcl(format("%5t|", true))hcl", R"hcl(=> "true|" : "string")hcl"},
        {R"hcl(format("%q", "a\"b\n"))hcl", R"hcl(=> "\"a\\\"b\\n\"" : "string")hcl"},
        {R"hcl(format("%v", 0.1))hcl", R"hcl(=> "0.1" : "string")hcl"},
        {R"hcl(format("%v", 1e21))hcl", R"hcl(=> "1e+21" : "string")hcl"},
        {R"hcl(format("%v", 123456789))hcl", R"hcl(=> "1.23456789e+08" : "string")hcl"},
        {R"hcl(split("::", "a::b::c"))hcl", R"hcl(=> ["a","b","c"] : ["list","string"])hcl"},
        {R"hcl(concat([], []))hcl", R"hcl(=> [] : ["tuple",[]])hcl"},
        {R"hcl(concat(["a"], [1]))hcl", R"hcl(=> ["a",1] : ["tuple",["string","number"]])hcl"},
        {R"hcl(concat([1], [2]))hcl", R"hcl(=> [1,2] : ["tuple",["number","number"]])hcl"},
        {R"hcl(merge({a=1}, {a="x"}))hcl", R"hcl(=> {"a":"x"} : ["object",{"a":"string"}])hcl"},
        {R"hcl(merge({a={x=1}}, {b=2}))hcl",
         R"hcl(=> {"a":{"x":1},"b":2} : ["object",{"a":["object",{"x":"number"}],"b":"number"}])hcl"},
        {R"hcl(merge(var.map, {}))hcl", R"hcl(=> {"k":"v"} : ["object",{"k":"string"}])hcl"},
        {R"hcl(coalesce("", null))hcl", R"hcl(=> "" : "string")hcl"},
        {R"hcl(coalesce(var.nul, "z"))hcl", R"hcl(=> "z" : "string")hcl"},
        {R"hcl(min(5))hcl", R"hcl(=> 5 : "number")hcl"},
        {R"hcl(max(-1, -5))hcl", R"hcl(=> -1 : "number")hcl"},
        {R"hcl(min(1e1000, 2))hcl", R"hcl(=> 2 : "number")hcl"},
        {R"hcl(contains(var.list, "a"))hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl(contains([], 1))hcl", R"hcl(=> false : "bool")hcl"},
        {R"hcl(contains([1, "x"], "x"))hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl(keys({}))hcl", R"hcl(=> [] : ["tuple",[]])hcl"},
        {R"hcl(values({}))hcl", R"hcl(=> [] : ["tuple",[]])hcl"},
        {R"hcl(distinct([]))hcl", R"hcl(=> [] : ["list","dynamic"])hcl"},
        {R"hcl(distinct([[1], [1], [2]]))hcl",
         R"hcl(=> [[1],[2]] : ["list",["tuple",["number"]]])hcl"},
        {R"hcl(flatten([]))hcl", R"hcl(=> [] : ["tuple",[]])hcl"},
        {R"hcl(flatten([[], [[]]]))hcl", R"hcl(=> [] : ["tuple",[]])hcl"},
        {R"hcl(flatten([null, [1]]))hcl", R"hcl(=> [null,1] : ["tuple",["dynamic","number"]])hcl"},
        {R"hcl(element(var.list, 3))hcl", R"hcl(=> "b" : "string")hcl"},
        {R"hcl(element([1, "a"], 1))hcl", R"hcl(=> "a" : "string")hcl"},
        {R"hcl(element(var.list, 1.5))hcl",
         R"hcl(DIAG Error in function call | Call to function "element" failed: invalid index: value must be a whole number, between -9223372036854775808 and 9223372036854775807. | t.hcl:1,1-9
UNKNOWN "dynamic")hcl"},
        {R"hcl(substr("héllo wörld", 1, 4))hcl", R"hcl(=> "éllo" : "string")hcl"},
        {R"hcl(substr("abc", 1, -1))hcl", R"hcl(=> "bc" : "string")hcl"},
        {R"hcl(substr("abc", -5, 2))hcl", R"hcl(=> "ab" : "string")hcl"},
        {R"hcl(trimspace("\t\n x \u00a0"))hcl", R"hcl(=> "x" : "string")hcl"},
        {R"hcl(replace("aaa", "a", "bb"))hcl", R"hcl(=> "bbbbbb" : "string")hcl"},
        {R"hcl(replace("abc", "", "-"))hcl", R"hcl(=> "-a-b-c-" : "string")hcl"},
        {R"hcl(range(1, 2, 0.3))hcl",
         R"hcl(=> [1,1.3,1.5999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999,1.8999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999998] : ["list","number"])hcl"},
        {R"hcl(range(0))hcl", R"hcl(=> [] : ["list","number"])hcl"},
        {R"hcl(range(2, 2))hcl", R"hcl(=> [] : ["list","number"])hcl"},
        {R"hcl(range(1.5))hcl", R"hcl(=> [0,1] : ["list","number"])hcl"},
        {R"hcl(tostring(1.5))hcl", R"hcl(=> "1.5" : "string")hcl"},
        {R"hcl(tostring("x"))hcl", R"hcl(=> "x" : "string")hcl"},
        {R"hcl(tonumber(true))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "v" parameter: cannot convert bool to number. | t.hcl:1,10-14
UNKNOWN "dynamic")hcl"},
        {R"hcl(tonumber(null))hcl", R"hcl(=> null : "dynamic")hcl"},
        {R"hcl(tonumber("1e3"))hcl", R"hcl(=> 1000 : "number")hcl"},
        {R"hcl(tobool(null))hcl", R"hcl(=> null : "dynamic")hcl"},
        {R"hcl(tobool("false"))hcl", R"hcl(=> false : "bool")hcl"},
        {R"hcl(jsonencode([1, [2, {a="<b>"}], "é", 1.5, -0]))hcl",
         R"hcl(=> "[1,[2,{\"a\":\"\\u003cb\\u003e\"}],\"é\",1.5,-0]" : "string")hcl"},
        {R"hcl(jsonencode(var.map))hcl", R"hcl(=> "{\"k\":\"v\"}" : "string")hcl"},
        {R"hcl(jsonencode(var.unk))hcl", R"hcl(UNKNOWN "string")hcl"},
        {R"hcl(jsondecode("[]"))hcl", R"hcl(=> [] : ["tuple",[]])hcl"},
        {R"hcl(jsondecode("{}"))hcl", R"hcl(=> {} : ["object",{}])hcl"},
        {R"hcl(jsondecode("\"\\u00e9\""))hcl", R"hcl(=> "é" : "string")hcl"},
        {R"hcl(jsondecode("true"))hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl(jsondecode("null"))hcl", R"hcl(=> null : "dynamic")hcl"},
        {R"hcl(jsondecode("1e2"))hcl", R"hcl(=> 100 : "number")hcl"},
        {R"hcl(jsondecode("-0.5"))hcl", R"hcl(=> -0.5 : "number")hcl"},
        {R"hcl(abs(-0))hcl", R"hcl(=> 0 : "number")hcl"},
        {R"hcl(abs(5))hcl", R"hcl(=> 5 : "number")hcl"},
        {R"hcl(ceil(-1.5))hcl", R"hcl(=> -1 : "number")hcl"},
        {R"hcl(floor(1e30))hcl", R"hcl(=> 1000000000000000000000000000000 : "number")hcl"},
        {R"hcl(ceil(1.0000000000000000000000001))hcl", R"hcl(=> 2 : "number")hcl"},
        {R"hcl(lookup({a="x"}, "a", null))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "default" parameter: argument must not be null. | t.hcl:1,22-26
UNKNOWN "dynamic")hcl"},
        {R"hcl(lookup(var.map, "k", 1))hcl", R"hcl(=> "v" : "string")hcl"},
        {R"hcl(lookup(null, "a", 1))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "inputMap" parameter: argument must not be null. | t.hcl:1,8-12
UNKNOWN "dynamic")hcl"},
        {R"hcl(lookup({a=1}, null, 1))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "key" parameter: argument must not be null. | t.hcl:1,15-19
UNKNOWN "dynamic")hcl"},
        {R"hcl(upper(var.nul))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "str" parameter: argument must not be null. | t.hcl:1,7-14
UNKNOWN "dynamic")hcl"},
        {R"hcl(length(var.nul))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "collection" parameter: argument must not be null. | t.hcl:1,8-15
UNKNOWN "dynamic")hcl"},
        {R"hcl(length(null))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "collection" parameter: argument must not be null. | t.hcl:1,8-12
UNKNOWN "dynamic")hcl"},
        {R"hcl(length(var.unk))hcl",
         R"hcl(DIAG Error in function call | Call to function "length" failed: collection must be a list, a map or a tuple. | t.hcl:1,1-8
UNKNOWN "dynamic")hcl"},
        {R"hcl([for x in var.list : x if x != "a"])hcl",
         R"hcl(=> ["b"] : ["tuple",["string"]])hcl"},
        {R"hcl([for x in var.unk : x])hcl",
         R"hcl(DIAG Iteration over non-iterable value | A value of type string cannot be used as the collection in a 'for' expression. | t.hcl:1,11-18
UNKNOWN "dynamic")hcl"},
        {R"hcl([for i, x in ["a", "b"] : i])hcl",
         R"hcl(=> [0,1] : ["tuple",["number","number"]])hcl"},
        {R"hcl({for i, x in ["a", "b"] : x => i})hcl",
         R"hcl(=> {"a":0,"b":1} : ["object",{"a":"number","b":"number"}])hcl"},
        {R"hcl({for i, x in ["a", "b"] : i => x})hcl",
         R"hcl(=> {"0":"a","1":"b"} : ["object",{"0":"string","1":"string"}])hcl"},
        {R"hcl({for x in [1, 2] : "k" => x...})hcl",
         R"hcl(=> {"k":[1,2]} : ["object",{"k":["tuple",["number","number"]]}])hcl"},
        {R"hcl({for x in [1, 2] : x => x if x > 5})hcl", R"hcl(=> {} : ["object",{}])hcl"},
        {R"hcl([for x in {b=2, a=1} : x])hcl", R"hcl(=> [1,2] : ["tuple",["number","number"]])hcl"},
        {R"hcl({for k, v in var.map : k => v if v == var.unk})hcl", R"hcl(UNKNOWN "dynamic")hcl"},
        {R"hcl([for x in [1, 2] : y])hcl",
         R"hcl(DIAG Unknown variable | There is no variable named "y". Did you mean "x"? | t.hcl:1,20-21
DIAG Unknown variable | There is no variable named "y". Did you mean "x"? | t.hcl:1,20-21
PARTIAL ["tuple",["dynamic","dynamic"]])hcl"},
        {R"hcl([for x in [1, 2] : x if y])hcl",
         R"hcl(DIAG Unknown variable | There is no variable named "y". Did you mean "x"? | t.hcl:1,25-26
UNKNOWN "dynamic")hcl"},
        {R"hcl(true ? var.unk : "x")hcl", R"hcl(UNKNOWN "string")hcl"},
        {R"hcl(false ? var.unk : "x")hcl", R"hcl(=> "x" : "string")hcl"},
        {R"hcl(var.unk ? 1 : 2)hcl", R"hcl(UNKNOWN "number")hcl"},
        {R"hcl(var.unk == var.unk)hcl", R"hcl(UNKNOWN "bool")hcl"},
        {R"hcl(1 == var.unk)hcl", R"hcl(=> false : "bool")hcl"},
        {R"hcl(null == var.unk)hcl", R"hcl(UNKNOWN "bool")hcl"},
        {R"hcl([var.unk] == [var.unk])hcl", R"hcl(UNKNOWN "bool")hcl"},
        {R"hcl(var.unk != "x")hcl", R"hcl(UNKNOWN "bool")hcl"},
        {R"hcl(true ? var.list : ["x"])hcl", R"hcl(=> ["a","b"] : ["list","string"])hcl"},
        {R"hcl(true ? var.list : [1])hcl", R"hcl(=> ["a","b"] : ["list","string"])hcl"},
        {R"hcl(true ? [] : ["x"])hcl", R"hcl(=> [] : ["list","string"])hcl"},
        {R"hcl(false ? {} : {a=1})hcl", R"hcl(=> {"a":1} : ["map","number"])hcl"},
        {R"hcl(true ? var.map : {})hcl", R"hcl(=> {"k":"v"} : ["map","string"])hcl"},
        {R"hcl(true ? {a=1} : {a=1, b=2})hcl", R"hcl(=> {"a":1} : ["map","number"])hcl"},
        {R"hcl(true ? [1, "a"] : [1, 2])hcl",
         R"hcl(=> [1,"a"] : ["tuple",["number","string"]])hcl"},
        {R"hcl(true ? 1 : [1])hcl",
         R"hcl(DIAG Inconsistent conditional result types | The true and false result expressions must have consistent types. The 'true' value is number, but the 'false' value is tuple. | t.hcl:1,8-15
UNKNOWN "dynamic")hcl"},
        {R"hcl(true ? 1 : {})hcl",
         R"hcl(DIAG Inconsistent conditional result types | The true and false result expressions must have consistent types. The 'true' value is number, but the 'false' value is object. | t.hcl:1,8-14
UNKNOWN "dynamic")hcl"},
        {R"hcl(false ? "x" : false)hcl", R"hcl(=> "false" : "string")hcl"},
        {R"hcl(1 + (2 * (3 - 1)))hcl", R"hcl(=> 5 : "number")hcl"},
        {R"hcl(!!true)hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl(--5)hcl", R"hcl(=> 5 : "number")hcl"},
        {R"hcl(-var.n)hcl", R"hcl(=> -3 : "number")hcl"},
        {R"hcl(!var.unk)hcl", R"hcl(UNKNOWN "bool")hcl"},
        {R"hcl(1 < null)hcl",
         R"hcl(DIAG Operation failed | Error during operation: argument must not be null. | t.hcl:1,1-9
UNKNOWN "bool")hcl"},
        {R"hcl("a" < "b")hcl",
         R"hcl(DIAG Invalid operand | Unsuitable value for left operand: a number is required. | t.hcl:1,1-4
DIAG Invalid operand | Unsuitable value for right operand: a number is required. | t.hcl:1,7-10
UNKNOWN "bool")hcl"},
        {R"hcl([1] == [1, 2])hcl", R"hcl(=> false : "bool")hcl"},
        {R"hcl({a=1} == {a=1, b=2})hcl", R"hcl(=> false : "bool")hcl"},
        {R"hcl({} == {})hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl([] == [])hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl(tolist == 1)hcl",
         R"hcl(DIAG Unknown variable | There is no variable named "tolist". | t.hcl:1,1-7
UNKNOWN "bool")hcl"},
        {R"hcl({a = 1, b = a})hcl",
         R"hcl(DIAG Unknown variable | There is no variable named "a". Did you mean "var"? | t.hcl:1,13-14
PARTIAL ["object",{"a":"number","b":"dynamic"}])hcl"},
        {R"hcl({"a b" = 1})hcl", R"hcl(=> {"a b":1} : ["object",{"a b":"number"}])hcl"},
        {R"hcl({"${var.dc}" = 1})hcl", R"hcl(=> {"dc1":1} : ["object",{"dc1":"number"}])hcl"},
        {R"hcl({var.dc = 1})hcl",
         R"hcl(DIAG Ambiguous attribute key | If this expression is intended to be a reference, wrap it in parentheses. If it's instead intended as a literal name containing periods, wrap it in quotes to create a string literal. | t.hcl:1,2-8
UNKNOWN "dynamic")hcl"},
        {R"hcl({(var.dc) = 1})hcl", R"hcl(=> {"dc1":1} : ["object",{"dc1":"number"}])hcl"},
        {R"hcl({1.5 = 1})hcl", R"hcl(=> {"1.5":1} : ["object",{"1.5":"number"}])hcl"},
        {R"hcl({true = 1}["true"])hcl", R"hcl(=> 1 : "number")hcl"},
        {R"hcl({a = 1, A = 2})hcl",
         R"hcl(=> {"A":2,"a":1} : ["object",{"A":"number","a":"number"}])hcl"},
        {R"hcl({(1 + 1) = "two"})hcl", R"hcl(=> {"2":"two"} : ["object",{"2":"string"}])hcl"},
        {R"hcl({(true) = 1})hcl", R"hcl(=> {"true":1} : ["object",{"true":"number"}])hcl"},
        {R"hcl({(var.list) = 1})hcl",
         R"hcl(DIAG Incorrect key type | Can't use this value as a key: string required. | t.hcl:1,2-12
UNKNOWN "dynamic")hcl"},
        {R"hcl({(var.nope) = 1})hcl",
         R"hcl(DIAG Unsupported attribute | This object does not have an attribute named "nope". | t.hcl:1,6-11
UNKNOWN "dynamic")hcl"},
        {R"hcl(var.objs[0][*])hcl",
         R"hcl(=> [{"a":1}] : ["tuple",[["object",{"a":"number"}]]])hcl"},
        {R"hcl(length(var.unk))hcl",
         R"hcl(DIAG Error in function call | Call to function "length" failed: collection must be a list, a map or a tuple. | t.hcl:1,1-8
UNKNOWN "dynamic")hcl"},
        {R"hcl(keys(var.unk))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "inputMap" parameter: must have map or object type. | t.hcl:1,6-13
UNKNOWN "dynamic")hcl"},
        {R"hcl(values(var.unk))hcl",
         R"hcl(DIAG Error in function call | Call to function "values" failed: values() requires a map as the first argument. | t.hcl:1,1-8
UNKNOWN "dynamic")hcl"},
        {R"hcl(lookup(var.unk, "a", 1))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "inputMap" parameter: lookup() requires a map as the first argument. | t.hcl:1,8-15
UNKNOWN "dynamic")hcl"},
        {R"hcl(lookup(var.map, var.unk, "x"))hcl", R"hcl(UNKNOWN "string")hcl"},
        {R"hcl(element(var.unk, 0))hcl",
         R"hcl(DIAG Error in function call | Call to function "element" failed: cannot read elements from string. | t.hcl:1,1-9
UNKNOWN "dynamic")hcl"},
        {R"hcl(element(var.list, var.unk))hcl", R"hcl(UNKNOWN "string")hcl"},
        {R"hcl(concat(var.unk))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "seqs" parameter: all arguments must be lists or tuples; got string. | t.hcl:1,8-15
UNKNOWN "dynamic")hcl"},
        {R"hcl(concat(var.list, var.unk))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "seqs" parameter: all arguments must be lists or tuples; got string. | t.hcl:1,18-25
UNKNOWN "dynamic")hcl"},
        {R"hcl(coalesce(var.unk, 1))hcl", R"hcl(UNKNOWN "string")hcl"},
        {R"hcl(coalesce(var.unk, []))hcl",
         R"hcl(DIAG Error in function call | Call to function "coalesce" failed: all arguments must have the same type. | t.hcl:1,1-10
UNKNOWN "dynamic")hcl"},
        {R"hcl(merge(var.unk))hcl",
         R"hcl(DIAG Error in function call | Call to function "merge" failed: arguments must be maps or objects, got "string". | t.hcl:1,1-7
UNKNOWN "dynamic")hcl"},
        {R"hcl(merge({a=1}, var.unk))hcl",
         R"hcl(DIAG Error in function call | Call to function "merge" failed: arguments must be maps or objects, got "string". | t.hcl:1,1-7
UNKNOWN "dynamic")hcl"},
        {R"hcl(upper(var.unk))hcl", R"hcl(UNKNOWN "string")hcl"},
        {R"hcl(format(var.unk, 1))hcl", R"hcl(UNKNOWN "string")hcl"},
        {R"hcl(format("%s", var.unk))hcl", R"hcl(UNKNOWN "string")hcl"},
        {R"hcl(join(",", [var.unk]))hcl", R"hcl(UNKNOWN "string")hcl"},
        {R"hcl("%{for v in var.unk}x%{endfor}")hcl",
         R"hcl(DIAG Iteration over non-iterable value | A value of type string cannot be used as the collection in a 'for' expression. | t.hcl:1,13-20
UNKNOWN "string")hcl"},
        {R"hcl([for v in [var.unk] : v])hcl", R"hcl(PARTIAL ["tuple",["string"]])hcl"},
        {R"hcl({for v in ["a"] : var.unk => v})hcl", R"hcl(UNKNOWN "dynamic")hcl"},
        {R"hcl(var.list[var.unk])hcl", R"hcl(UNKNOWN "string")hcl"},
        {R"hcl(var.map[var.unk])hcl", R"hcl(UNKNOWN "string")hcl"},
        {R"hcl({a=1}[var.unk])hcl", R"hcl(UNKNOWN "dynamic")hcl"},
        {R"hcl(var.unk[0])hcl",
         R"hcl(DIAG Invalid index | This value does not have any indices. | t.hcl:1,8-11
UNKNOWN "dynamic")hcl"},
        {R"hcl(var.unk.x)hcl",
         R"hcl(DIAG Unsupported attribute | Can't access attributes on a primitive-typed value (string). | t.hcl:1,8-10
UNKNOWN "dynamic")hcl"},
        {R"hcl(format("%[0]s", "a"))hcl",
         R"hcl(DIAG Error in function call | Call to function "format" failed: unrecognized format character '0' at offset 2. | t.hcl:1,1-8
UNKNOWN "dynamic")hcl"},
        {R"hcl(format("%[1", "a"))hcl",
         R"hcl(DIAG Error in function call | Call to function "format" failed: invalid format string starting at offset 3. | t.hcl:1,1-8
UNKNOWN "dynamic")hcl"},
        {R"hcl(!false)hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl(!true)hcl", R"hcl(=> false : "bool")hcl"},
        {R"hcl("1" != 1)hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl("1" == 1)hcl", R"hcl(=> false : "bool")hcl"},
        {R"hcl("a" != "a")hcl", R"hcl(=> false : "bool")hcl"},
        {R"hcl("a" != "b")hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl("a" == "a")hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl("a" == "b")hcl", R"hcl(=> false : "bool")hcl"},
        {R"hcl("true" != true)hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl("true" == true)hcl", R"hcl(=> false : "bool")hcl"},
        {R"hcl(1 / 10)hcl", R"hcl(=> 0.1 : "number")hcl"},
        {R"hcl(1 < 1)hcl", R"hcl(=> false : "bool")hcl"},
        {R"hcl(1 < 2)hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl(1 <= 1)hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl(1 <= 2)hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl(1 > 1)hcl", R"hcl(=> false : "bool")hcl"},
        {R"hcl(1 > 2)hcl", R"hcl(=> false : "bool")hcl"},
        {R"hcl(1 >= 1)hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl(1 >= 2)hcl", R"hcl(=> false : "bool")hcl"},
        {R"hcl(11 % 5)hcl", R"hcl(=> 1 : "number")hcl"},
        {R"hcl(11 % 5.1)hcl",
         R"hcl(=> 0.80000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000024 : "number")hcl"},
        {R"hcl(2 * 4.5)hcl", R"hcl(=> 9 : "number")hcl"},
        {R"hcl(2 + 3.5)hcl", R"hcl(=> 5.5 : "number")hcl"},
        {R"hcl(2 - 3.5)hcl", R"hcl(=> -1.5 : "number")hcl"},
        {R"hcl(2 < 1)hcl", R"hcl(=> false : "bool")hcl"},
        {R"hcl(2 <= 1)hcl", R"hcl(=> false : "bool")hcl"},
        {R"hcl(2 > 1)hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl(2 >= 1)hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl(3.14159265358979323846264338327950288419716939937510582097494459 + 1)hcl",
         R"hcl(=> 4.14159265358979323846264338327950288419716939937510582097494459 : "number")hcl"},
        {R"hcl(3.5 - 2)hcl", R"hcl(=> 1.5 : "number")hcl"},
        {R"hcl(false && false)hcl", R"hcl(=> false : "bool")hcl"},
        {R"hcl(false && true)hcl", R"hcl(=> false : "bool")hcl"},
        {R"hcl(false ? "a" : "b")hcl", R"hcl(=> "b" : "string")hcl"},
        {R"hcl(false || false)hcl", R"hcl(=> false : "bool")hcl"},
        {R"hcl(false || true)hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl(true && false)hcl", R"hcl(=> false : "bool")hcl"},
        {R"hcl(true && true)hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl(true ? "a" : "b")hcl", R"hcl(=> "a" : "string")hcl"},
        {R"hcl(true || false)hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl(true || true)hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl(5)hcl", R"hcl(=> 5 : "number")hcl"},
        {R"hcl(3.2)hcl", R"hcl(=> 3.2 : "number")hcl"},
        {R"hcl(3.14159265358979323846264338327950288419716939937510582097494459)hcl",
         R"hcl(=> 3.14159265358979323846264338327950288419716939937510582097494459 : "number")hcl"},
        {R"hcl("hello")hcl", R"hcl(=> "hello" : "string")hcl"},
        {R"hcl("ЖЖ")hcl", R"hcl(=> "ЖЖ" : "string")hcl"},
        {R"hcl("👩‍👩‍👧‍👦")hcl",
         R"hcl(=> "👩‍👩‍👧‍👦" : "string")hcl"},
        {R"hcl("años")hcl", R"hcl(=> "años" : "string")hcl"},
        {R"hcl(true)hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl(false)hcl", R"hcl(=> false : "bool")hcl"},
        {R"hcl(null)hcl", R"hcl(=> null : "dynamic")hcl"},
        {R"hcl(ML <<EOT\nhello ${var.dc}\n  x\nEOT\n)hcl",
         R"hcl(=> "hello dc1\n  x\n" : "string")hcl"},
        {R"hcl(ML <<-EOT\n    a\n      b ${upper(var.dc)}\n    EOT\n)hcl",
         R"hcl(=> "a\n  b DC1\n" : "string")hcl"},
        {R"hcl(ML <<EOT\n%{ for x in var.list ~}\n- ${x}\n%{ endfor ~}\nEOT\n)hcl",
         R"hcl(=> "- a\n- b\n" : "string")hcl"},
        {R"hcl(ML <<EOT\n\n$${literal} %%{literal}\nEOT\n)hcl",
         R"hcl(=> "\n${literal} %{literal}\n" : "string")hcl"},
        {R"hcl(ML [\n  1,\n  2,\n])hcl", R"hcl(=> [1,2] : ["tuple",["number","number"]])hcl"},
        {R"hcl(ML {\n  a = 1\n  b = "x"\n})hcl",
         R"hcl(=> {"a":1,"b":"x"} : ["object",{"a":"number","b":"string"}])hcl"},
        {R"hcl(ML {\n  a = 1\n  a = 2\n})hcl", R"hcl(=> {"a":2} : ["object",{"a":"number"}])hcl"},
        {R"hcl(ML upper(\n  "x"\n))hcl", R"hcl(=> "X" : "string")hcl"},
        {R"hcl(ML (var.n >\n 2))hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl(TPL a %{ if true ~}\n  yes\n%{~ endif } b)hcl",
         R"hcl(=> "a   yes b" : "string")hcl"},
        {R"hcl(TPL %{ for i, x in var.list }${i}:${x}\n%{ endfor })hcl",
         R"hcl(=> "0:a\n1:b\n" : "string")hcl"},
        {R"hcl(TPL ${var.dc})hcl", R"hcl(=> "dc1" : "string")hcl"},
        {R"hcl(TPL x${var.nope})hcl",
         R"hcl(DIAG Unsupported attribute | This object does not have an attribute named "nope". | t.hcl:1,7-12
UNKNOWN "string")hcl"},
        {R"hcl(TPL %{ if var.n > 5 }big%{ else }small%{ endif })hcl",
         R"hcl(=> "small" : "string")hcl"},
        {R"hcl(TPL %{ for x in var.map }${x}%{ endfor })hcl", R"hcl(=> "v" : "string")hcl"},
        {R"hcl(TPL plain text $5 100%)hcl", R"hcl(=> "plain text $5 100%" : "string")hcl"},
        {R"hcl([var.unk])hcl", R"hcl(PARTIAL ["tuple",["string"]])hcl"},
        {R"hcl({a = var.unk})hcl", R"hcl(PARTIAL ["object",{"a":"string"}])hcl"},
        {R"hcl(var.unk[*])hcl", R"hcl(UNKNOWN "dynamic")hcl"},
        {R"hcl([var.unk][*])hcl", R"hcl(PARTIAL ["tuple",["string"]])hcl"},
        {R"hcl(var.list[*])hcl", R"hcl(=> ["a","b"] : ["list","string"])hcl"},
        {R"hcl([for x in [var.unk] : x])hcl", R"hcl(PARTIAL ["tuple",["string"]])hcl"},
        {R"hcl(var.unk == null)hcl", R"hcl(UNKNOWN "bool")hcl"},
        {R"hcl(upper(var.unk))hcl", R"hcl(UNKNOWN "string")hcl"},
        {R"hcl(length(var.unk))hcl",
         R"hcl(DIAG Error in function call | Call to function "length" failed: collection must be a list, a map or a tuple. | t.hcl:1,1-8
UNKNOWN "dynamic")hcl"},
        {R"hcl(tostring(var.unk))hcl", R"hcl(UNKNOWN "string")hcl"},
        {R"hcl(var.unk ? [1] : [2])hcl", R"hcl(UNKNOWN ["tuple",["number"]])hcl"},
        {R"hcl(var.unk ? [1] : ["x", 2])hcl", R"hcl(UNKNOWN ["list","string"])hcl"},
        {R"hcl(true ? var.unk : 1)hcl", R"hcl(UNKNOWN "string")hcl"},
        {R"hcl("${var.unk}")hcl", R"hcl(UNKNOWN "string")hcl"},
        {R"hcl("%{if var.unk}a%{endif}")hcl", R"hcl(UNKNOWN "string")hcl"},
        {R"hcl(var.nul.*)hcl", R"hcl(=> [] : ["tuple",[]])hcl"},
        {R"hcl(concat(var.list, [var.unk]))hcl",
         R"hcl(PARTIAL ["tuple",["string","string","string"]])hcl"},
        {R"hcl(tonumber("inf"))hcl", R"hcl(=>  : "number" cannot serialize infinity as JSON)hcl"},
        {R"hcl(tonumber("+5"))hcl", R"hcl(=> 5 : "number")hcl"},
        {R"hcl(tonumber(".5"))hcl", R"hcl(=> 0.5 : "number")hcl"},
        {R"hcl(tonumber("5."))hcl", R"hcl(=> 5 : "number")hcl"},
        {R"hcl(tonumber(" 5"))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "v" parameter: cannot convert " 5" to number; given string must be a decimal representation of a number. | t.hcl:1,11-13
UNKNOWN "dynamic")hcl"},
        {R"hcl(tonumber("0x10"))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "v" parameter: cannot convert "0x10" to number; given string must be a decimal representation of a number. | t.hcl:1,11-15
UNKNOWN "dynamic")hcl"},
        {R"hcl(tonumber("1e"))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "v" parameter: cannot convert "1e" to number; given string must be a decimal representation of a number. | t.hcl:1,11-13
UNKNOWN "dynamic")hcl"},
        {R"hcl(tonumber("-Inf"))hcl", R"hcl(=>  : "number" cannot serialize infinity as JSON)hcl"},
        {R"hcl(tonumber("1E+2"))hcl", R"hcl(=> 100 : "number")hcl"},
        {R"hcl(tonumber("00.10"))hcl", R"hcl(=> 0.1 : "number")hcl"},
        {R"hcl(tonumber("1_0"))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "v" parameter: cannot convert "1_0" to number; given string must be a decimal representation of a number. | t.hcl:1,11-14
UNKNOWN "dynamic")hcl"},
        {R"hcl("5" + 1)hcl", R"hcl(=> 6 : "number")hcl"},
        {R"hcl(".5" * 2)hcl", R"hcl(=> 1 : "number")hcl"},
        {R"hcl(tonumber("INF"))hcl",
         R"hcl(DIAG Invalid function argument | Invalid value for "v" parameter: cannot convert "INF" to number; given string must be a decimal representation of a number. | t.hcl:1,11-14
UNKNOWN "dynamic")hcl"},
        {R"hcl(NIL 1 + 2)hcl", R"hcl(=> 3 : "number")hcl"},
        {R"hcl(NIL x)hcl",
         R"hcl(DIAG Variables not allowed | Variables may not be used here. | t.hcl:1,1-2
UNKNOWN "dynamic")hcl"},
        {R"hcl(NIL x.y[0])hcl",
         R"hcl(DIAG Variables not allowed | Variables may not be used here. | t.hcl:1,1-2
UNKNOWN "dynamic")hcl"},
        {R"hcl(NIL upper("a"))hcl",
         R"hcl(DIAG Function calls not allowed | Functions may not be called here. | t.hcl:1,1-11
UNKNOWN "dynamic")hcl"},
        {R"hcl(NIL [for x in [1,2] : x * 2])hcl",
         R"hcl(=> [2,4] : ["tuple",["number","number"]])hcl"},
        {R"hcl(NIL [for x in [1,2] : y])hcl",
         R"hcl(DIAG Unknown variable | There is no variable named "y". Did you mean "x"? | t.hcl:1,19-20
DIAG Unknown variable | There is no variable named "y". Did you mean "x"? | t.hcl:1,19-20
PARTIAL ["tuple",["dynamic","dynamic"]])hcl"},
        {R"hcl(NIL [{a=1}][*].a)hcl", R"hcl(=> [1] : ["tuple",["number"]])hcl"},
        {R"hcl(NIL {for k, v in {a=1} : k => v})hcl",
         R"hcl(=> {"a":1} : ["object",{"a":"number"}])hcl"},
        {R"hcl(NIL "${true}")hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl(NIL true ? 1 : "x")hcl", R"hcl(=> "1" : "string")hcl"},
        {R"hcl(NIL "%{for x in [1,2]}${x}%{endfor}")hcl", R"hcl(=> "12" : "string")hcl"},
        {R"hcl(NIL [1][0])hcl", R"hcl(=> 1 : "number")hcl"},
        {R"hcl(NIL {a = 1}.a)hcl", R"hcl(=> 1 : "number")hcl"},
        {R"hcl(NIL -1.5)hcl", R"hcl(=> -1.5 : "number")hcl"},
        {R"hcl(NIL "a" == "a")hcl", R"hcl(=> true : "bool")hcl"},
        {R"hcl(NIL [1, [2, "x"]])hcl",
         R"hcl(=> [1,[2,"x"]] : ["tuple",["number",["tuple",["number","string"]]]])hcl"},
        {R"hcl(NIL null)hcl", R"hcl(=> null : "dynamic")hcl"},
};

TEST(EvalOracleTest, MatchesOfficialImplementation) {
  for (const Case& c : kCases) {
    EXPECT_EQ(EvalToText(c.src), c.want) << "source: " << c.src;
  }
}

}  // namespace
}  // namespace meshgw::hcl
