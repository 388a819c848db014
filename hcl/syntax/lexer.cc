// The HCL native-syntax scanner: a hand-written equivalent of hclsyntax's Ragel machine.
//
// The official scanner is a longest-match Ragel scanner with four sub-machines (main, quoted
// string, heredoc, bare template) called through a stack. This file keeps the same structure: a
// stack of modes, the brace depth at which an interpolation returns, and the stack of open
// heredocs. Some token boundaries look odd (a heredoc "$x" before a newline is one token, "$"
// otherwise); they follow the official scanner exactly because the formatter and the parser's
// literal splitting depend on them.
//
// One known difference: the official identifier tables, compiled to byte ranges, accept a few
// malformed UTF-8 sequences inside identifiers (a lead byte followed by an ASCII byte, say);
// here every malformed byte is a BadUTF8 token. Both report "Invalid character encoding", but
// possibly at a different byte. Valid UTF-8 is scanned identically.
#include "hcl/syntax/lexer.h"

#include <utf8proc.h>

#include <string>

#include "hcl/syntax/internal/string_lit.h"
#include "hcl/syntax/internal/unicode.h"

namespace meshgw::hcl {
namespace {

using internal::DecodeLooseUtf8;
using internal::IsIdContinue;
using internal::IsIdStart;
using internal::TrimGoSpace;

enum class Mode : uint8_t { kMain, kString, kHeredoc, kBare };

struct OpenHeredoc {
  std::string_view marker;
  bool start_of_line;
};

bool IsAsciiIdStart(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsAsciiIdContinue(unsigned char c) {
  return IsAsciiIdStart(c) || (c >= '0' && c <= '9') || c == '-';
}
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }

class Scanner {
 public:
  Scanner(std::string_view src, std::string_view filename, Pos start, Mode mode)
      : filename_(InternFilename(filename)) {
    if (src.size() >= 3 && src.substr(0, 3) == "\xEF\xBB\xBF") {
      src.remove_prefix(3);
      start.byte += 3;
    }
    data_ = src;
    pos_ = start;
    start_byte_ = start.byte;
    modes_.push_back(mode);
    template_mode_ = mode == Mode::kBare;
    tokens_.reserve(data_.size() / 4 + 8);  // about 4 bytes a token in real files
  }

  std::vector<Token> Run() {
    size_t n = data_.size();
    while (p_ < n) {
      bool ok = true;
      switch (modes_.back()) {
        case Mode::kMain:
          ScanMain();
          break;
        case Mode::kString:
          ScanString();
          break;
        case Mode::kHeredoc:
          ok = ScanTemplateText(/*heredoc=*/true);
          break;
        case Mode::kBare:
          ok = ScanTemplateText(/*heredoc=*/false);
          break;
      }
      if (!ok) {
        // The official scanner stops in a non-final state: the rest of the input becomes one
        // token (literal text at the top of a bare template, invalid anywhere else).
        bool bare_top = template_mode_ && modes_.size() == 1;
        Emit(bare_top ? TokenType::kStringLit : TokenType::kInvalid, p_, n);
        break;
      }
    }
    Emit(TokenType::kEOF, n, n);
    return std::move(tokens_);
  }

 private:
  unsigned char At(size_t i) const { return i < data_.size() ? data_[i] : 0; }
  bool Has(size_t i) const { return i < data_.size(); }

  void Emit(TokenType type, size_t ts, size_t te) {
    Pos start = pos_;
    // Only spaces and tabs are skipped between tokens, so the byte distance is the column distance.
    start.column += static_cast<int>(ts) + start_byte_ - pos_.byte;
    start.byte = static_cast<int>(ts) + start_byte_;
    Pos end = EndPos(start, data_.substr(ts, te - ts));
    pos_ = end;
    tokens_.push_back(Token{type, data_.substr(ts, te - ts), Range{filename_, start, end}});
    p_ = te;
  }

  // The position after `text`. Most tokens are ASCII: there every byte is a column of its own,
  // except the CR of a CR LF pair; anything else goes through grapheme segmentation.
  static Pos EndPos(Pos pos, std::string_view text) {
    Pos end = pos;
    end.byte += static_cast<int>(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
      unsigned char c = text[i];
      if (c >= 0x80) return internal::AdvancePos(pos, text);
      if (c == '\n') {
        ++end.line;
        end.column = 1;
      } else if (c != '\r' || i + 1 >= text.size() || text[i + 1] != '\n') {
        ++end.column;
      }
    }
    return end;
  }

  // Length of an identifier starting at i (0 if none).
  size_t IdentLength(size_t i) const {
    size_t j = i;
    unsigned char c = At(j);
    if (c < 0x80) {
      if (!Has(j) || !IsAsciiIdStart(c)) return 0;
      ++j;
    } else {
      int32_t cp;
      int len = DecodeLooseUtf8(data_, j, &cp);
      if (len <= 0 || !IsIdStart(cp)) return 0;
      j += len;
    }
    while (Has(j)) {
      c = At(j);
      if (c < 0x80) {
        if (!IsAsciiIdContinue(c)) break;
        ++j;
        continue;
      }
      int32_t cp;
      int len = DecodeLooseUtf8(data_, j, &cp);
      if (len <= 0 || !IsIdContinue(cp)) break;
      j += len;
    }
    return j - i;
  }

  size_t NumberEnd(size_t i) const {
    size_t j = i + 1, good = i + 1;
    while (Has(j)) {
      unsigned char c = At(j);
      if (IsDigit(c)) {
        good = ++j;
      } else if (c == '.') {
        ++j;
      } else if ((c == 'e' || c == 'E') && IsDigit(At(j + 1)) && Has(j + 1)) {
        good = j += 2;
      } else if ((c == 'e' || c == 'E') && (At(j + 1) == '+' || At(j + 1) == '-') &&
                 IsDigit(At(j + 2)) && Has(j + 2)) {
        good = j += 3;
      } else {
        break;
      }
    }
    return good;
  }

  void BeginSequence(TokenType type, size_t len) {
    if (At(p_ + len) == '~' && Has(p_ + len)) ++len;
    Emit(type, p_, p_ + len);
    ++braces_;
    ret_braces_.push_back(braces_);
    if (!heredocs_.empty()) heredocs_.back().start_of_line = false;
    modes_.push_back(Mode::kMain);
  }

  void CloseSequence(size_t len, bool tilde) {
    if (!ret_braces_.empty() && ret_braces_.back() == braces_) {
      Emit(TokenType::kTemplateSeqEnd, p_, p_ + len);
      --braces_;
      ret_braces_.pop_back();
      modes_.pop_back();
    } else {
      // A `~}` closing an ordinary brace is still a sequence end, so the parser can complain.
      Emit(tilde ? TokenType::kTemplateSeqEnd : TokenType::kCBrace, p_, p_ + len);
      --braces_;
    }
  }

  void ScanMain() {
    size_t i = p_;
    unsigned char c = At(i);
    auto one = [&](TokenType t) { Emit(t, i, i + 1); };
    auto two = [&](TokenType t) { Emit(t, i, i + 2); };
    switch (c) {
      case ' ':
      case '\t': {
        size_t j = i + 1;
        while (Has(j) && (At(j) == ' ' || At(j) == '\t')) ++j;
        p_ = j;
        return;
      }
      case '\n':
        return one(TokenType::kNewline);
      case '\r':
        if (At(i + 1) == '\n') return two(TokenType::kNewline);
        return one(TokenType::kInvalid);
      case '#':
        return Emit(TokenType::kComment, i, LineCommentEnd(i + 1));
      case '/':
        if (At(i + 1) == '/') return Emit(TokenType::kComment, i, LineCommentEnd(i + 2));
        if (At(i + 1) == '*') {
          size_t close = data_.find("*/", i + 2);
          if (close != std::string_view::npos) return Emit(TokenType::kComment, i, close + 2);
        }
        return one(TokenType::kSlash);
      case '=':
        if (At(i + 1) == '=') return two(TokenType::kEqualOp);
        if (At(i + 1) == '>') return two(TokenType::kFatArrow);
        return one(TokenType::kEqual);
      case '!':
        if (At(i + 1) == '=') return two(TokenType::kNotEqual);
        return one(TokenType::kBang);
      case '>':
        if (At(i + 1) == '=') return two(TokenType::kGreaterThanEq);
        return one(TokenType::kGreaterThan);
      case '<':
        if (At(i + 1) == '<' && TryHeredocOpen()) return;
        if (At(i + 1) == '=') return two(TokenType::kLessThanEq);
        return one(TokenType::kLessThan);
      case '&':
        if (At(i + 1) == '&') return two(TokenType::kAnd);
        return one(TokenType::kBitwiseAnd);
      case '|':
        if (At(i + 1) == '|') return two(TokenType::kOr);
        return one(TokenType::kBitwiseOr);
      case '.':
        if (At(i + 1) == '.' && At(i + 2) == '.') return Emit(TokenType::kEllipsis, i, i + 3);
        return one(TokenType::kDot);
      case '~':
        if (At(i + 1) == '}') return CloseSequence(2, /*tilde=*/true);
        return one(TokenType::kBitwiseNot);
      case '{':
        one(TokenType::kOBrace);
        ++braces_;
        return;
      case '}':
        return CloseSequence(1, /*tilde=*/false);
      case '"':
        one(TokenType::kOQuote);
        modes_.push_back(Mode::kString);
        return;
      case '[':
        return one(TokenType::kOBrack);
      case ']':
        return one(TokenType::kCBrack);
      case '(':
        return one(TokenType::kOParen);
      case ')':
        return one(TokenType::kCParen);
      case ',':
        return one(TokenType::kComma);
      case '*':
        return one(TokenType::kStar);
      case '%':
        return one(TokenType::kPercent);
      case '+':
        return one(TokenType::kPlus);
      case '-':
        return one(TokenType::kMinus);
      case '?':
        return one(TokenType::kQuestion);
      case ':':
        return one(TokenType::kColon);
      case '^':
        return one(TokenType::kBitwiseXor);
      case ';':
        return one(TokenType::kSemicolon);
      case '`':
        return one(TokenType::kBacktick);
      case '\'':
        return one(TokenType::kApostrophe);
      default:
        break;
    }
    if (IsDigit(c)) return Emit(TokenType::kNumberLit, i, NumberEnd(i));
    if (size_t len = IdentLength(i)) return Emit(TokenType::kIdent, i, i + len);
    if (c < 0x80) return one(TokenType::kInvalid);
    int32_t cp;
    int len = DecodeLooseUtf8(data_, i, &cp);
    if (len <= 0) return one(TokenType::kBadUTF8);
    Emit(TokenType::kInvalid, i, i + len);
  }

  size_t LineCommentEnd(size_t j) const {
    size_t nl = data_.find('\n', j);
    return nl == std::string_view::npos ? data_.size() : nl + 1;
  }

  // `<<` ('-')? Ident Newline starts a heredoc; anything else is two less-than signs.
  bool TryHeredocOpen() {
    size_t j = p_ + 2;
    bool flush = At(j) == '-' && Has(j);
    if (flush) ++j;
    size_t id = IdentLength(j);
    if (id == 0) return false;
    size_t marker_start = j;
    j += id;
    size_t marker_end = j;
    if (At(j) == '\r' && At(j + 1) == '\n') {
      j += 2;
    } else if (At(j) == '\n' && Has(j)) {
      j += 1;
    } else {
      return false;
    }
    Emit(TokenType::kOHeredoc, p_, j);
    heredocs_.push_back(OpenHeredoc{data_.substr(marker_start, marker_end - marker_start), true});
    modes_.push_back(Mode::kHeredoc);
    return true;
  }

  void ScanString() {
    size_t i = p_;
    unsigned char c = At(i);
    if ((c == '$' || c == '%') && At(i + 1) == '{') {
      return BeginSequence(c == '$' ? TokenType::kTemplateInterp : TokenType::kTemplateControl, 2);
    }
    if (c == '"') {
      Emit(TokenType::kCQuote, i, i + 1);
      modes_.pop_back();
      return;
    }
    if (c == '$' || c == '%') {
      if (!Has(i + 1)) return Emit(TokenType::kInvalid, i, i + 1);
      return Emit(TokenType::kQuotedLit, i, i + EscapedSequenceLength(i));
    }
    if (c == '\r' || c == '\n') {
      size_t j = i + 1;
      while (Has(j) && (At(j) == '\r' || At(j) == '\n')) ++j;
      return Emit(TokenType::kQuotedNewline, i, j);
    }
    size_t j = i;
    while (Has(j)) {
      unsigned char d = At(j);
      if (d == '$' || d == '%' || d == '"' || d == '\r' || d == '\n') break;
      size_t k = j;
      if (d == '\\') {
        if (!Has(j + 1) || At(j + 1) == '\r' || At(j + 1) == '\n') break;
        k = j + 1;
      }
      int len = CharLength(k);
      if (len <= 0) break;
      j = k + len;
    }
    if (j > i) return Emit(TokenType::kQuotedLit, i, j);
    if (c == '\\') return Emit(TokenType::kInvalid, i, i + 1);
    Emit(TokenType::kBadUTF8, i, i + 1);
  }

  // Byte length of the (loosely) valid UTF-8 character at i, or 0 for a broken byte.
  int CharLength(size_t i) const {
    if (At(i) < 0x80) return 1;
    int32_t cp;
    int len = DecodeLooseUtf8(data_, i, &cp);
    return len > 0 ? len : 0;
  }

  // At a `$` or `%` not starting a sequence: `$${` (`%%{`) with an optional `~` is one literal
  // token, anything else leaves the sign alone.
  size_t EscapedSequenceLength(size_t i) const {
    unsigned char c = At(i);
    if (At(i + 1) == c && At(i + 2) == '{' && Has(i + 2)) {
      return At(i + 3) == '~' && Has(i + 3) ? 4 : 3;
    }
    return 1;
  }

  bool AtEndOfLine(size_t j) const {
    return (At(j) == '\n' && Has(j)) || (At(j) == '\r' && At(j + 1) == '\n');
  }
  size_t EndOfLineLength(size_t j) const { return At(j) == '\r' ? 2 : 1; }

  // Heredoc body or bare template text. Returns false where the official scanner gives up.
  bool ScanTemplateText(bool heredoc) {
    size_t i = p_;
    unsigned char c = At(i);
    if ((c == '$' || c == '%') && At(i + 1) == '{') {
      BeginSequence(c == '$' ? TokenType::kTemplateInterp : TokenType::kTemplateControl, 2);
      return true;
    }
    size_t j;
    if (c == '$' || c == '%') {
      if (!Has(i + 1)) return false;
      size_t len = EscapedSequenceLength(i);
      if (len == 1) {
        // The sign and the byte after it form one token only when a line end (or just a CR)
        // follows them.
        if (Has(i + 2) && (At(i + 2) == '\n' || At(i + 2) == '\r')) len = 2;
        Emit(TokenType::kStringLit, i, i + len);
        if (heredoc) heredocs_.back().start_of_line = false;
        return true;
      }
      j = i + len;
    } else {
      j = i;
      while (Has(j)) {
        unsigned char d = At(j);
        if (d == '$' || d == '%' || d == '\r' || d == '\n') break;
        int len = CharLength(j);
        if (len <= 0) break;
        j += len;
      }
    }
    if (AtEndOfLine(j)) {
      size_t te = j + EndOfLineLength(j);
      if (heredoc) return HeredocLineEnd(i, j, te);
      Emit(TokenType::kStringLit, i, te);
      return true;
    }
    if (j == i) {
      if (c == '\r') return false;  // a carriage return without a line feed
      Emit(TokenType::kBadUTF8, i, i + 1);
      return true;
    }
    Emit(TokenType::kStringLit, i, j);
    if (heredoc) heredocs_.back().start_of_line = false;
    return true;
  }

  // A heredoc line [ts, te) ending with a newline that starts at nl: maybe the closing marker.
  bool HeredocLineEnd(size_t ts, size_t nl, size_t te) {
    OpenHeredoc& doc = heredocs_.back();
    if (doc.start_of_line && TrimGoSpace(data_.substr(ts, te - ts)) == doc.marker) {
      Emit(TokenType::kCHeredoc, ts, nl);
      Emit(TokenType::kNewline, nl, te);
      heredocs_.pop_back();
      modes_.pop_back();
      return true;
    }
    doc.start_of_line = true;
    Emit(TokenType::kStringLit, ts, te);
    return true;
  }

  std::string_view data_;
  std::string_view filename_;
  Pos pos_;
  int start_byte_ = 0;
  size_t p_ = 0;
  bool template_mode_ = false;
  std::vector<Mode> modes_;
  int braces_ = 0;
  std::vector<int> ret_braces_;
  std::vector<OpenHeredoc> heredocs_;
  std::vector<Token> tokens_;
};

}  // namespace

std::string_view TokenTypeName(TokenType type) {
  switch (type) {
    case TokenType::kOBrace:
      return "TokenOBrace";
    case TokenType::kCBrace:
      return "TokenCBrace";
    case TokenType::kOBrack:
      return "TokenOBrack";
    case TokenType::kCBrack:
      return "TokenCBrack";
    case TokenType::kOParen:
      return "TokenOParen";
    case TokenType::kCParen:
      return "TokenCParen";
    case TokenType::kOQuote:
      return "TokenOQuote";
    case TokenType::kCQuote:
      return "TokenCQuote";
    case TokenType::kOHeredoc:
      return "TokenOHeredoc";
    case TokenType::kCHeredoc:
      return "TokenCHeredoc";
    case TokenType::kStar:
      return "TokenStar";
    case TokenType::kSlash:
      return "TokenSlash";
    case TokenType::kPlus:
      return "TokenPlus";
    case TokenType::kMinus:
      return "TokenMinus";
    case TokenType::kPercent:
      return "TokenPercent";
    case TokenType::kEqual:
      return "TokenEqual";
    case TokenType::kEqualOp:
      return "TokenEqualOp";
    case TokenType::kNotEqual:
      return "TokenNotEqual";
    case TokenType::kLessThan:
      return "TokenLessThan";
    case TokenType::kLessThanEq:
      return "TokenLessThanEq";
    case TokenType::kGreaterThan:
      return "TokenGreaterThan";
    case TokenType::kGreaterThanEq:
      return "TokenGreaterThanEq";
    case TokenType::kAnd:
      return "TokenAnd";
    case TokenType::kOr:
      return "TokenOr";
    case TokenType::kBang:
      return "TokenBang";
    case TokenType::kDot:
      return "TokenDot";
    case TokenType::kComma:
      return "TokenComma";
    case TokenType::kEllipsis:
      return "TokenEllipsis";
    case TokenType::kFatArrow:
      return "TokenFatArrow";
    case TokenType::kQuestion:
      return "TokenQuestion";
    case TokenType::kColon:
      return "TokenColon";
    case TokenType::kTemplateInterp:
      return "TokenTemplateInterp";
    case TokenType::kTemplateControl:
      return "TokenTemplateControl";
    case TokenType::kTemplateSeqEnd:
      return "TokenTemplateSeqEnd";
    case TokenType::kQuotedLit:
      return "TokenQuotedLit";
    case TokenType::kStringLit:
      return "TokenStringLit";
    case TokenType::kNumberLit:
      return "TokenNumberLit";
    case TokenType::kIdent:
      return "TokenIdent";
    case TokenType::kComment:
      return "TokenComment";
    case TokenType::kNewline:
      return "TokenNewline";
    case TokenType::kEOF:
      return "TokenEOF";
    case TokenType::kBitwiseAnd:
      return "TokenBitwiseAnd";
    case TokenType::kBitwiseOr:
      return "TokenBitwiseOr";
    case TokenType::kBitwiseNot:
      return "TokenBitwiseNot";
    case TokenType::kBitwiseXor:
      return "TokenBitwiseXor";
    case TokenType::kStarStar:
      return "TokenStarStar";
    case TokenType::kApostrophe:
      return "TokenApostrophe";
    case TokenType::kBacktick:
      return "TokenBacktick";
    case TokenType::kSemicolon:
      return "TokenSemicolon";
    case TokenType::kTabs:
      return "TokenTabs";
    case TokenType::kInvalid:
      return "TokenInvalid";
    case TokenType::kBadUTF8:
      return "TokenBadUTF8";
    case TokenType::kQuotedNewline:
      return "TokenQuotedNewline";
    case TokenType::kNil:
      return "TokenNil";
  }
  return "TokenNil";
}

std::vector<Token> LexConfig(std::string_view src, std::string_view filename, Pos start) {
  return Scanner(src, filename, start, Mode::kMain).Run();
}

std::vector<Token> LexExpression(std::string_view src, std::string_view filename, Pos start) {
  return Scanner(src, filename, start, Mode::kMain).Run();
}

std::vector<Token> LexTemplate(std::string_view src, std::string_view filename, Pos start) {
  return Scanner(src, filename, start, Mode::kBare).Run();
}

bool ValidIdentifier(std::string_view s) {
  if (s.empty()) return false;
  size_t i = 0;
  int32_t cp;
  int len = DecodeLooseUtf8(s, i, &cp);
  if (len <= 0 || !(cp == '_' || IsIdStart(cp))) return false;
  for (i += len; i < s.size(); i += len) {
    len = DecodeLooseUtf8(s, i, &cp);
    if (len <= 0 || !(cp == '-' || IsIdContinue(cp))) return false;
  }
  return true;
}

void CheckInvalidTokens(const std::vector<Token>& tokens, Diagnostics* diags) {
  int told_bitwise = 0, told_backtick = 0, told_apostrophe = 0, told_semicolon = 0;
  int told_exponent = 0, told_tabs = 0, told_bad_utf8 = 0;
  for (const Token& tok : tokens) {
    switch (tok.type) {
      case TokenType::kBitwiseAnd:
      case TokenType::kBitwiseOr:
      case TokenType::kBitwiseXor:
      case TokenType::kBitwiseNot:
        if (told_bitwise < 4) {
          std::string_view suggestion;
          if (tok.type == TokenType::kBitwiseAnd) {
            suggestion = " Did you mean boolean AND (\"&&\")?";
          } else if (tok.type == TokenType::kBitwiseOr) {
            suggestion = " Did you mean boolean OR (\"||\")?";
          } else if (tok.type == TokenType::kBitwiseNot) {
            suggestion = " Did you mean boolean NOT (\"!\")?";
          }
          diags->AddError("Unsupported operator",
                          std::string("Bitwise operators are not supported.").append(suggestion),
                          tok.range);
          ++told_bitwise;
        }
        break;
      case TokenType::kStarStar:
        if (told_exponent < 1) {
          diags->AddError("Unsupported operator",
                          "\"**\" is not a supported operator. Exponentiation is not supported "
                          "as an operator.",
                          tok.range);
          ++told_exponent;
        }
        break;
      case TokenType::kBacktick:
        // Only every other one, so a `quoted` word is reported once.
        if (told_backtick % 2 == 0) {
          diags->AddError("Invalid character",
                          "The \"`\" character is not valid. To create a multi-line string, use "
                          "the \"heredoc\" syntax, like \"<<EOT\".",
                          tok.range);
        }
        if (told_backtick <= 2) ++told_backtick;
        break;
      case TokenType::kApostrophe:
        if (told_apostrophe % 2 == 0) {
          diags->AddError("Invalid character",
                          "Single quotes are not valid. Use double quotes (\") to enclose "
                          "strings.",
                          tok.range);
        }
        if (told_apostrophe <= 2) ++told_apostrophe;
        break;
      case TokenType::kSemicolon:
        if (told_semicolon < 1) {
          diags->AddError("Invalid character",
                          "The \";\" character is not valid. Use newlines to separate arguments "
                          "and blocks, and commas to separate items in collection values.",
                          tok.range);
          ++told_semicolon;
        }
        break;
      case TokenType::kTabs:
        if (told_tabs < 1) {
          diags->AddError("Invalid character",
                          "Tab characters may not be used. The recommended indentation style is "
                          "two spaces per indent.",
                          tok.range);
          ++told_tabs;
        }
        break;
      case TokenType::kBadUTF8:
        if (told_bad_utf8 < 1) {
          diags->AddError("Invalid character encoding",
                          "All input files must be UTF-8 encoded. Ensure that UTF-8 encoding is "
                          "selected in your editor.",
                          tok.range);
          ++told_bad_utf8;
        }
        break;
      case TokenType::kQuotedNewline:
        diags->AddError("Invalid multi-line string",
                        "Quoted strings may not be split over multiple lines. To produce a "
                        "multi-line string, either use the \\n escape to represent a newline "
                        "character or use the \"heredoc\" multi-line template syntax.",
                        tok.range);
        break;
      case TokenType::kInvalid:
        if (tok.bytes == "\xE2\x80\x9C" || tok.bytes == "\xE2\x80\x9D") {
          diags->AddError("Invalid character",
                          "\"Curly quotes\" are not valid here. These can sometimes be "
                          "inadvertently introduced when sharing code via documents or discussion "
                          "forums. It might help to replace the character with a \"straight "
                          "quote\".",
                          tok.range);
        } else {
          diags->AddError("Invalid character", "This character is not used within the language.",
                          tok.range);
        }
        break;
      default:
        break;
    }
  }
}

}  // namespace meshgw::hcl
