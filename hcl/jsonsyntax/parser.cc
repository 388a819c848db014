// Scanner and parser of HCL's JSON syntax: JSON text to `JsonNode`s with source ranges and the
// official parser's diagnostics. Stateless; thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "hcl/jsonsyntax/jsonsyntax.h"
#include "utf8proc.h"

namespace meshgw::hcl {
namespace {

enum class Tok {
  kBraceO,
  kBraceC,
  kBrackO,
  kBrackC,
  kComma,
  kColon,
  kEquals,
  kKeyword,
  kString,
  kNumber,
  kEOF,
  kInvalid
};

struct Token {
  Tok type;
  std::string_view bytes;
  Range range;
};

bool IsAlpha(char b) { return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z'); }

// Length in bytes of the grapheme cluster starting at s[0].
size_t GraphemeLength(std::string_view s) {
  utf8proc_int32_t cp = 0;
  auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  utf8proc_ssize_t n = utf8proc_iterate(p, static_cast<utf8proc_ssize_t>(s.size()), &cp);
  if (n <= 0) return 1;
  size_t i = static_cast<size_t>(n);
  utf8proc_int32_t state = 0;
  utf8proc_int32_t prev = cp;
  while (i < s.size()) {
    utf8proc_int32_t next = 0;
    utf8proc_ssize_t m =
        utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(s.size() - i), &next);
    if (m <= 0) break;
    if (utf8proc_grapheme_break_stateful(prev, next, &state)) break;
    prev = next;
    i += static_cast<size_t>(m);
  }
  return i;
}

class Scanner {
 public:
  Scanner(std::string_view buf, std::string_view filename, Pos start)
      : buf_(buf), filename_(filename), p_(start) {}

  std::vector<Token> Scan() {
    std::vector<Token> out;
    while (true) {
      SkipWhitespace();
      if (i_ >= buf_.size()) {
        out.push_back(Token{Tok::kEOF, {}, Range{filename_, p_, p_}});
        return out;
      }
      Pos start = p_;
      size_t from = i_;
      char first = buf_[i_];
      Tok single = Tok::kInvalid;
      switch (first) {
        case '{':
          single = Tok::kBraceO;
          break;
        case '}':
          single = Tok::kBraceC;
          break;
        case '[':
          single = Tok::kBrackO;
          break;
        case ']':
          single = Tok::kBrackC;
          break;
        case ',':
          single = Tok::kComma;
          break;
        case ':':
          single = Tok::kColon;
          break;
        case '=':
          single = Tok::kEquals;
          break;
        default:
          break;
      }
      if (single != Tok::kInvalid) {
        Advance(1);
        out.push_back(Token{single, buf_.substr(from, 1), Range{filename_, start, p_}});
      } else if (first == '"') {
        ScanString();
        out.push_back(
            Token{Tok::kString, buf_.substr(from, i_ - from), Range{filename_, start, p_}});
      } else if (first == '-' || first == '+' || first == '.' || (first >= '0' && first <= '9')) {
        while (i_ < buf_.size() &&
               std::string_view("-+.eE0123456789").find(buf_[i_]) != std::string_view::npos) {
          Advance(1);
        }
        out.push_back(
            Token{Tok::kNumber, buf_.substr(from, i_ - from), Range{filename_, start, p_}});
      } else if (IsAlpha(first)) {
        while (i_ < buf_.size() && (IsAlpha(buf_[i_]) || buf_[i_] == '_')) Advance(1);
        out.push_back(
            Token{Tok::kKeyword, buf_.substr(from, i_ - from), Range{filename_, start, p_}});
      } else {
        Pos end = p_;
        end.byte++;
        end.column++;
        out.push_back(Token{Tok::kInvalid, buf_.substr(from, 1), Range{filename_, start, end}});
        // The parser stops at an invalid token, so nothing after it matters.
        out.push_back(Token{Tok::kEOF, {}, Range{filename_, end, end}});
        return out;
      }
    }
  }

 private:
  void Advance(size_t bytes) {
    i_ += bytes;
    p_.byte += static_cast<int>(bytes);
    p_.column++;
  }

  void SkipWhitespace() {
    for (; i_ < buf_.size(); ++i_) {
      switch (buf_[i_]) {
        case ' ':
          p_.byte++;
          p_.column++;
          break;
        case '\n':
          p_.byte++;
          p_.column = 1;
          p_.line++;
          break;
        case '\r':  // counted with the newline that follows it
          p_.byte++;
          break;
        case '\t':  // upstream counts a tab as two columns
          p_.byte++;
          p_.column += 2;
          break;
        default:
          return;
      }
    }
  }

  // Up to and including the closing quote; stops before a control character (the parser then
  // reports the string as invalid).
  void ScanString() {
    Advance(1);
    bool escaping = false;
    while (i_ < buf_.size()) {
      unsigned char b = static_cast<unsigned char>(buf_[i_]);
      if (b == '\\') {
        escaping = !escaping;
        Advance(1);
      } else if (b == '"') {
        Advance(1);
        if (!escaping) return;
        escaping = false;
      } else if (b < 32) {
        return;
      } else {
        Advance(GraphemeLength(buf_.substr(i_)));
        escaping = false;
      }
    }
  }

  std::string_view buf_;
  std::string_view filename_;
  Pos p_;
  size_t i_ = 0;
};

void AppendUtf8(std::string* out, uint32_t cp) {
  utf8proc_uint8_t buf[4];
  utf8proc_ssize_t n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), buf);
  out->append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes a JSON string token as Go's encoding/json does. On a syntax error returns false and
// sets `*err_offset` to Go's SyntaxError.Offset (one past the offending byte, or the length at
// a premature end).
bool DecodeJsonString(std::string_view tok, std::string* out, size_t* err_offset) {
  out->clear();
  size_t i = 1;
  while (true) {
    if (i >= tok.size()) {
      *err_offset = tok.size();
      return false;
    }
    unsigned char c = static_cast<unsigned char>(tok[i]);
    if (c == '"') {
      if (i + 1 != tok.size()) {
        *err_offset = i + 2;
        return false;
      }
      return true;
    }
    if (c < 0x20) {
      *err_offset = i + 1;
      return false;
    }
    if (c == '\\') {
      if (i + 1 >= tok.size()) {
        *err_offset = tok.size();
        return false;
      }
      char e = tok[i + 1];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out->push_back(e);
          i += 2;
          continue;
        case 'b':
          out->push_back('\b');
          i += 2;
          continue;
        case 'f':
          out->push_back('\f');
          i += 2;
          continue;
        case 'n':
          out->push_back('\n');
          i += 2;
          continue;
        case 'r':
          out->push_back('\r');
          i += 2;
          continue;
        case 't':
          out->push_back('\t');
          i += 2;
          continue;
        case 'u': {
          auto hex4 = [&](size_t at, uint32_t* v) -> bool {
            *v = 0;
            for (size_t k = 0; k < 4; ++k) {
              if (at + k >= tok.size()) {
                *err_offset = tok.size();
                return false;
              }
              int h = HexVal(tok[at + k]);
              if (h < 0) {
                *err_offset = at + k + 1;
                return false;
              }
              *v = *v * 16 + static_cast<uint32_t>(h);
            }
            return true;
          };
          uint32_t cp = 0;
          if (!hex4(i + 2, &cp)) return false;
          i += 6;
          if (cp >= 0xD800 && cp < 0xDC00) {
            uint32_t lo = 0;
            if (i + 1 < tok.size() && tok[i] == '\\' && tok[i + 1] == 'u') {
              if (!hex4(i + 2, &lo)) return false;
              if (lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
              } else {
                cp = 0xFFFD;  // the next escape is decoded on its own
              }
            } else {
              cp = 0xFFFD;
            }
          } else if (cp >= 0xDC00 && cp < 0xE000) {
            cp = 0xFFFD;
          }
          AppendUtf8(out, cp);
          continue;
        }
        default:
          *err_offset = i + 2;
          return false;
      }
    }
    // A UTF-8 sequence; invalid bytes become U+FFFD as in Go.
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(tok.data() + i),
                                          static_cast<utf8proc_ssize_t>(tok.size() - i), &cp);
    if (n <= 0) {
      AppendUtf8(out, 0xFFFD);
      i += 1;
    } else {
      out->append(tok.substr(i, static_cast<size_t>(n)));
      i += static_cast<size_t>(n);
    }
  }
}

// JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool ValidJsonNumber(std::string_view s) {
  size_t i = 0;
  auto digits = [&]() {
    size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > from;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, Diagnostics* diags) : toks_(std::move(tokens)), diags_(diags) {}

  const Token& Peek() const { return toks_[pos_]; }
  const Token& Read() {
    const Token& t = toks_[pos_];
    if (pos_ + 1 < toks_.size()) ++pos_;
    return t;
  }

  // parseValue: never null; an invalid node stands in after an error.
  std::unique_ptr<JsonNode> ParseValue() {
    Token tok = Peek();
    std::unique_ptr<JsonNode> n;
    switch (tok.type) {
      case Tok::kBraceO:
        n = ParseObject();
        break;
      case Tok::kBrackO:
        n = ParseArray();
        break;
      case Tok::kNumber:
        n = ParseNumber();
        break;
      case Tok::kString:
        n = ParseString();
        break;
      case Tok::kKeyword:
        n = ParseKeyword();
        break;
      case Tok::kBraceC:
        Error("Missing JSON value",
              "A JSON value must start with a brace, a bracket, a number, a string, or a keyword.",
              tok.range);
        break;
      case Tok::kBrackC:
        Error("Missing array element value",
              "A JSON value must start with a brace, a bracket, a number, a string, or a keyword.",
              tok.range);
        break;
      case Tok::kEOF:
        Error("Missing value", "The JSON data ends prematurely.", tok.range);
        break;
      default:
        Error("Invalid start of value",
              "A JSON value must start with a brace, a bracket, a number, a string, or a keyword.",
              tok.range);
        break;
    }
    if (n == nullptr) {
      n = std::make_unique<JsonNode>();
      n->kind = JsonNode::Kind::kInvalid;
      n->range = n->open_range = n->close_range = tok.range;
    }
    return n;
  }

 private:
  void Error(std::string summary, std::string detail, const Range& subject,
             std::optional<Range> context = std::nullopt) {
    diags_->Add(
        Diagnostic{Severity::kError, std::move(summary), std::move(detail), subject, context});
  }

  // Skips to what looks like the end of the current object/array after an error.
  void Recover(Token tok, Tok open_type, Tok close_type) {
    int open = 1;
    while (true) {
      if (tok.type == open_type) {
        open++;
      } else if (tok.type == close_type) {
        open--;
        if (open <= 1) return;
      } else if (tok.type == Tok::kEOF) {
        return;
      }
      tok = Read();
    }
  }

  // Returns null after an error (the caller substitutes an invalid node).
  std::unique_ptr<JsonNode> ParseObject() {
    Token open = Read();
    auto obj = std::make_unique<JsonNode>();
    obj->kind = JsonNode::Kind::kObject;
    while (true) {
      if (Peek().type == Tok::kBraceC) break;
      // ParseValue never fails outright (an invalid node stands in), so parsing goes on after
      // a bad value, as upstream does.
      std::unique_ptr<JsonNode> key = ParseValue();
      if (key->kind != JsonNode::Kind::kString) {
        Error("Invalid object property name", "A JSON object property name must be a string",
              key->StartRange());
        return nullptr;
      }
      Token colon = Read();
      if (colon.type != Tok::kColon) {
        Recover(colon, Tok::kBraceO, Tok::kBraceC);
        if (colon.type == Tok::kBraceC || colon.type == Tok::kComma) {
          Error("Missing object value",
                "A JSON object attribute must have a value, introduced by a colon.", colon.range);
        } else if (colon.type == Tok::kEquals) {
          Error("Missing property value colon",
                "JSON uses a colon as its name/value delimiter, not an equals sign.", colon.range);
        } else {
          Error("Missing property value colon",
                "A colon must appear between an object property's name and its value.",
                colon.range);
        }
        return nullptr;
      }
      std::unique_ptr<JsonNode> value = ParseValue();
      obj->properties.push_back(
          JsonNode::Property{std::move(key->text), std::move(value), key->range});

      switch (Peek().type) {
        case Tok::kComma: {
          Token comma = Read();
          if (Peek().type == Tok::kBraceC) {
            Error("Trailing comma in object",
                  "JSON does not permit a trailing comma after the final property in an object.",
                  comma.range);
            return nullptr;
          }
          continue;
        }
        case Tok::kEOF:
          Error("Unclosed object", "No closing brace was found for this JSON object.", open.range);
          return nullptr;
        case Tok::kBrackC:
          Read();
          Error("Mismatched braces", "A JSON object must be closed with a brace, not a bracket.",
                Peek().range);
          return nullptr;
        case Tok::kBraceC:
          break;
        default:
          Recover(Read(), Tok::kBraceO, Tok::kBraceC);
          Error("Missing attribute seperator comma",
                "A comma must appear between each property definition in an object.", Peek().range);
          return nullptr;
      }
      break;
    }
    Token close = Read();
    obj->range = Range::Between(open.range, close.range);
    obj->open_range = open.range;
    obj->close_range = close.range;
    return obj;
  }

  std::unique_ptr<JsonNode> ParseArray() {
    Token open = Read();
    auto arr = std::make_unique<JsonNode>();
    arr->kind = JsonNode::Kind::kArray;
    while (true) {
      if (Peek().type == Tok::kBrackC) break;
      std::unique_ptr<JsonNode> value = ParseValue();
      arr->elements.push_back(std::move(value));
      switch (Peek().type) {
        case Tok::kComma: {
          Token comma = Read();
          if (Peek().type == Tok::kBrackC) {
            Error("Trailing comma in array",
                  "JSON does not permit a trailing comma after the final value in an array.",
                  comma.range);
            return nullptr;
          }
          continue;
        }
        case Tok::kColon:
          Recover(Read(), Tok::kBrackO, Tok::kBrackC);
          Error("Invalid array value", "A colon is not used to introduce values in a JSON array.",
                Peek().range);
          return nullptr;
        case Tok::kEOF:
          Recover(Read(), Tok::kBrackO, Tok::kBrackC);
          Error("Unclosed object", "No closing bracket was found for this JSON array.", open.range);
          return nullptr;
        case Tok::kBraceC:
          Recover(Read(), Tok::kBrackO, Tok::kBrackC);
          Error("Mismatched brackets", "A JSON array must be closed with a bracket, not a brace.",
                Peek().range);
          return nullptr;
        case Tok::kBrackC:
          break;
        default:
          Recover(Read(), Tok::kBrackO, Tok::kBrackC);
          Error("Missing attribute seperator comma",
                "A comma must appear between each value in an array.", Peek().range);
          return nullptr;
      }
      break;
    }
    Token close = Read();
    arr->range = Range::Between(open.range, close.range);
    arr->open_range = open.range;
    arr->close_range = close.range;
    return arr;
  }

  std::unique_ptr<JsonNode> ParseNumber() {
    Token tok = Read();
    if (!ValidJsonNumber(tok.bytes)) {
      Error("Invalid JSON number", "There is a syntax error in the given JSON number.", tok.range);
      return nullptr;
    }
    auto n = std::make_unique<JsonNode>();
    n->kind = JsonNode::Kind::kNumber;
    n->text = std::string(tok.bytes);
    n->range = n->open_range = n->close_range = tok.range;
    return n;
  }

  std::unique_ptr<JsonNode> ParseString() {
    Token tok = Read();
    std::string value;
    size_t err_offset = 0;
    if (!DecodeJsonString(tok.bytes, &value, &err_offset)) {
      Range err = tok.range;
      err.start.byte += static_cast<int>(err_offset);
      err.start.column += static_cast<int>(err_offset);
      err.end = err.start;
      err.end.byte++;
      err.end.column++;
      std::optional<Range> context;
      if (!(err == tok.range)) context = tok.range;
      Error("Invalid JSON string", "There is a syntax error in the given JSON string.", err,
            context);
      return nullptr;
    }
    auto n = std::make_unique<JsonNode>();
    n->kind = JsonNode::Kind::kString;
    n->text = std::move(value);
    n->range = n->open_range = n->close_range = tok.range;
    return n;
  }

  std::unique_ptr<JsonNode> ParseKeyword() {
    Token tok = Read();
    auto n = std::make_unique<JsonNode>();
    n->range = n->open_range = n->close_range = tok.range;
    if (tok.bytes == "true" || tok.bytes == "false") {
      n->kind = JsonNode::Kind::kBool;
      n->boolean = tok.bytes == "true";
      return n;
    }
    if (tok.bytes == "null") {
      n->kind = JsonNode::Kind::kNull;
      return n;
    }
    if (tok.bytes == "undefined" || tok.bytes == "NaN" || tok.bytes == "Infinity") {
      Error("Invalid JSON keyword",
            absl::StrCat("The JavaScript identifier ", QuoteName(tok.bytes),
                         " cannot be used in JSON."),
            tok.range);
      return nullptr;
    }
    std::string dym = NameSuggestion(tok.bytes, {"false", "true", "null"});
    if (!dym.empty()) dym = absl::StrCat(" Did you mean ", QuoteName(dym), "?");
    Error("Invalid JSON keyword",
          absl::StrCat(QuoteName(tok.bytes), " is not a valid JSON keyword.", dym), tok.range);
    return nullptr;
  }

  std::vector<Token> toks_;
  size_t pos_ = 0;
  Diagnostics* diags_;
};

std::unique_ptr<JsonNode> ParseWhole(std::string_view src, std::string_view filename, Pos start,
                                     Diagnostics* diags) {
  Parser p(Scanner(src, filename, start).Scan(), diags);
  size_t before = diags->size();
  std::unique_ptr<JsonNode> node = p.ParseValue();
  if (diags->size() == before && p.Peek().type != Tok::kEOF) {
    diags->AddError("Extraneous data after value", "Extra characters appear after the JSON value.",
                    p.Peek().range);
  }
  return node;
}

}  // namespace

JsonParseResult ParseJson(std::string src, std::string_view filename, Pos start) {
  JsonParseResult r;
  r.file = std::make_unique<JsonFile>();
  r.file->filename = InternFilename(filename);
  r.file->bytes = std::move(src);
  std::unique_ptr<JsonNode> root = ParseWhole(r.file->bytes, r.file->filename, start, &r.diags);
  if (root->kind != JsonNode::Kind::kObject && root->kind != JsonNode::Kind::kArray) {
    r.diags.AddError("Root value must be object",
                     "The root value in a JSON-based configuration must be either a JSON object "
                     "or a JSON array of objects.",
                     root->StartRange());
    root = std::make_unique<JsonNode>();
    root->kind = JsonNode::Kind::kObject;
    Pos fake;
    Range fake_range{r.file->filename, fake, fake};
    root->range = root->open_range = fake_range;
    // Upstream leaves the close range zero (no file name): missing-item diagnostics point there.
    root->close_range = Range{};
  }
  r.file->root = std::move(root);
  r.file->body = JsonBody(*r.file->root);
  return r;
}

std::shared_ptr<const SyntaxExpr> ParseJsonExpression(std::string_view src,
                                                      std::string_view filename,
                                                      std::unique_ptr<JsonNode>* node,
                                                      Diagnostics* diags, Pos start) {
  *node = ParseWhole(src, InternFilename(filename), start, diags);
  return JsonExpr(**node);
}

}  // namespace meshgw::hcl
