// The number, conversion, JSON and file functions of StandardFunctions (min, max, abs, ceil,
// floor, tostring, tonumber, tobool, jsonencode, jsondecode, file) with cty's stdlib results and
// messages, and Terraform's/Nomad's `file` errors. Stateless; thread-safe.
#include <utf8proc.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "hcl/eval/eval.h"
#include "hcl/eval/functions_internal.h"
#include "hcl/eval/internal.h"
#include "nlohmann/json.hpp"

namespace meshgw::hcl::eval_internal {
namespace {

// The message Go's encoding/json gives for the syntax error nlohmann reports in `input` at byte
// `position` (1-based) with the explanation `what`.
std::string GoJsonError(const std::string& input, size_t position, const std::string& what) {
  auto has = [&](const char* s) { return what.find(s) != std::string::npos; };
  if (has("unexpected end of input")) return "EOF";
  if (position > input.size()) return "unexpected EOF";
  if (has("expected end of input")) return "extraneous data after JSON object";
  std::string ch = position == 0 ? "?" : input.substr(position - 1, 1);
  std::string where = "looking for beginning of value";
  if (has("parsing object separator")) {
    where = "after object key";
  } else if (has("parsing object key")) {
    where = "looking for beginning of object key string";
  } else if (has("parsing object")) {
    where = "after object key:value pair";
  } else if (has("parsing array")) {
    where = "after array element";
  }
  return absl::StrCat("invalid character '", ch, "' ", where);
}

// JSON -> Value with cty's implied types (objects, tuples), keeping number literals exact.
class JsonToValue : public nlohmann::json_sax<nlohmann::json> {
 public:
  bool null() override { return Push(Value::Null(Type::Dynamic())); }
  bool boolean(bool b) override { return Push(Value::Bool(b)); }
  bool number_integer(number_integer_t v) override { return Push(Value::Number(v)); }
  bool number_unsigned(number_unsigned_t v) override {
    return Push(Value::Number(*Number::Parse(std::to_string(v))));
  }
  bool number_float(number_float_t, const string_t& s) override {
    absl::StatusOr<Number> n = Number::Parse(s);
    return Push(n.ok() ? Value::Number(*n) : Value::Number(Number::FromDouble(0)));
  }
  bool string(string_t& s) override {
    return Push(Value::String(eval_internal::NormalizeNfc(std::move(s))));
  }
  bool binary(binary_t&) override { return false; }
  bool start_object(std::size_t) override {
    stack_.push_back(Frame{true, {}, {}, {}});
    return true;
  }
  bool key(string_t& k) override {
    stack_.back().key = k;
    return true;
  }
  bool end_object() override {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    return Push(Value::Object(std::move(f.attrs)));
  }
  bool start_array(std::size_t) override {
    stack_.push_back(Frame{false, {}, {}, {}});
    return true;
  }
  bool end_array() override {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    return Push(Value::Tuple(std::move(f.elems)));
  }
  explicit JsonToValue(const std::string& input) : input_(input) {}

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    error_ = GoJsonError(input_, position, ex.what());
    return false;
  }

  Value result;
  const std::string& error() const { return error_; }

 private:
  struct Frame {
    bool object;
    std::string key;
    std::map<std::string, Value> attrs;
    std::vector<Value> elems;
  };
  bool Push(Value v) {
    if (stack_.empty()) {
      result = std::move(v);
    } else if (stack_.back().object) {
      stack_.back().attrs.insert_or_assign(stack_.back().key, std::move(v));
    } else {
      stack_.back().elems.push_back(std::move(v));
    }
    return true;
  }
  const std::string& input_;
  std::vector<Frame> stack_;
  std::string error_;
};

absl::StatusOr<Value> ConvertTo(const Value& v, const Type& want) {
  const Type& got = v.type();
  // cty gives a dynamic-typed argument (a bare `null`) back unconverted.
  if (got == want || got.kind() == Kind::kDynamic) return v;
  absl::StatusOr<Value> r = Convert(v, want);
  if (r.ok()) return r;
  bool str_in = got.kind() == Kind::kString;
  std::string what = v.is_null() || !str_in ? "string" : JsonQuote(v.AsString());
  if (str_in && want.kind() == Kind::kBool && !v.is_null()) {
    return FunctionArgError(
        0, absl::StrCat("cannot convert ", what,
                        " to bool; only the strings \"true\" or \"false\" are allowed"));
  }
  if (str_in && want.kind() == Kind::kNumber && !v.is_null()) {
    return FunctionArgError(
        0, absl::StrCat("cannot convert ", what,
                        " to number; given string must be a decimal representation of a number"));
  }
  return FunctionArgError(0, absl::StrCat("cannot convert ", got.FriendlyName(), " to ",
                                          want.FriendlyNameForConstraint()));
}

}  // namespace

void AddNumberAndEncodingFunctions(std::map<std::string, Function>* out,
                                   const std::string& base_dir) {
  std::map<std::string, Function>& fns = *out;
  const Type kStr = Type::String();
  const Type kNum = Type::Number();
  const Type kDyn = Type::Dynamic();

  auto minmax = [](bool want_min) {
    return [want_min](const Args& a) -> absl::StatusOr<Value> {
      if (a.empty()) return Err("must pass at least one number");
      const Value* best = &a[0];
      for (const Value& v : a) {
        int c = v.AsNumber().Compare(best->AsNumber());
        if (want_min ? c < 0 : c > 0) best = &v;
      }
      return *best;
    };
  };
  fns["min"] = Fn({}, P("numbers", kNum), minmax(true));
  fns["max"] = Fn({}, P("numbers", kNum), minmax(false));
  fns["abs"] = Fn({P("num", kNum)}, std::nullopt, [](const Args& a) -> absl::StatusOr<Value> {
    return Value::Number(a[0].AsNumber().Abs());
  });
  fns["ceil"] = Fn({P("num", kNum)}, std::nullopt, [](const Args& a) -> absl::StatusOr<Value> {
    return Value::Number(a[0].AsNumber().Ceil());
  });
  fns["floor"] = Fn({P("num", kNum)}, std::nullopt, [](const Args& a) -> absl::StatusOr<Value> {
    return Value::Number(a[0].AsNumber().Floor());
  });

  fns["tostring"] = Fn({P("v", kDyn, true)}, std::nullopt,
                       [](const Args& a) { return ConvertTo(a[0], Type::String()); });
  fns["tonumber"] = Fn({P("v", kDyn, true)}, std::nullopt,
                       [](const Args& a) { return ConvertTo(a[0], Type::Number()); });
  fns["tobool"] = Fn({P("v", kDyn, true)}, std::nullopt,
                     [](const Args& a) { return ConvertTo(a[0], Type::Bool()); });

  fns["jsonencode"] = Fn({P("val", kDyn, /*allow_null=*/true)}, std::nullopt,
                         [](const Args& a) -> absl::StatusOr<Value> {
                           if (!a[0].IsWhollyKnown()) return Value::Unknown(Type::String());
                           absl::StatusOr<std::string> j = a[0].ToJson();
                           if (!j.ok()) return j.status();
                           return Value::String(*std::move(j));
                         });
  fns["jsondecode"] =
      Fn({P("str", kStr)}, std::nullopt, [](const Args& a) -> absl::StatusOr<Value> {
        JsonToValue sax(a[0].AsString());
        bool ok = nlohmann::json::sax_parse(a[0].AsString(), &sax);
        if (!ok) return Err(sax.error());
        return sax.result;
      });

  fns["file"] =
      Fn({P("path", kStr)}, std::nullopt, [base_dir](const Args& a) -> absl::StatusOr<Value> {
        std::filesystem::path p(a[0].AsString());
        if (p.is_relative()) p = std::filesystem::path(base_dir) / p;
        std::string path = p.lexically_normal().string();
        std::error_code ec;
        if (!std::filesystem::exists(path, ec)) {
          return Err(
              absl::StrCat("no file exists at ", path,
                           "; this function works only with files that are distributed as part "
                           "of the configuration source code, so if this file will be created by "
                           "a resource in this configuration you must instead obtain this result "
                           "from an attribute of that resource"));
        }
        std::ifstream in(path, std::ios::binary);
        std::ostringstream ss;
        ss << in.rdbuf();
        if (!in.good() && !in.eof()) {
          return Err(absl::StrCat("failed to read ", path));
        }
        std::string data = ss.str();
        if (utf8proc_decompose(reinterpret_cast<const utf8proc_uint8_t*>(data.data()),
                               static_cast<utf8proc_ssize_t>(data.size()), nullptr, 0,
                               UTF8PROC_STABLE) < 0) {
          return Err(absl::StrCat("contents of ", path,
                                  " are not valid UTF-8; use the filebase64 function "
                                  "to obtain the Base64 encoded contents or the other "
                                  "file functions (e.g. filemd5, filesha256) to "
                                  "obtain file hashing results instead"));
        }
        return Value::String(eval_internal::NormalizeNfc(std::move(data)));
      });
  fns["min"].returns = Type::Number();
  fns["max"].returns = Type::Number();
  fns["abs"].returns = Type::Number();
  fns["ceil"].returns = Type::Number();
  fns["floor"].returns = Type::Number();
  fns["tonumber"].returns = Type::Number();
  fns["tostring"].returns = Type::String();
  fns["tobool"].returns = Type::Bool();
  fns["jsonencode"].returns = Type::String();
  fns["file"].returns = Type::String();
}

}  // namespace meshgw::hcl::eval_internal
