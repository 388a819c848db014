// Canonical formatting (see format.h). The algorithm is hclwrite's, reimplemented: every token
// gets a count of spaces before it, then three passes over the lines rewrite those counts
// (indentation, spacing between tokens, alignment of `=` and trailing comments). The token bytes
// are never changed, so only whitespace can differ from the input.
#include "hcl/format/format.h"

#include <algorithm>
#include <cstddef>
#include <vector>

#include "hcl/syntax/lexer.h"
#include "utf8proc.h"

namespace meshgw::hcl {
namespace {

struct FmtToken {
  TokenType type = TokenType::kNil;
  std::string_view bytes;
  int spaces_before = 0;
};

// The placeholder "token before the first one" of a line.
const FmtToken kNilToken{};

// A run of consecutive tokens [begin, end) in the token vector.
struct Cell {
  size_t begin = 0;
  size_t end = 0;
  size_t size() const { return end - begin; }
  bool empty() const { return begin == end; }
};

// One source line split into up to three cells whose first tokens get aligned: `lead` is
// everything up to the others, `assign` starts at an attribute's `=`, `comment` is a trailing
// single-line comment.
struct Line {
  Cell lead;
  Cell assign;
  Cell comment;
};

// Grapheme clusters in `s`: the official implementation measures columns in user-perceived
// characters, so alignment after "café" or an emoji matches it.
int GraphemeCount(std::string_view s) {
  int count = 0;
  utf8proc_int32_t prev = -1;
  utf8proc_int32_t state = 0;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(s.size());
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) {  // invalid UTF-8: each bad byte is its own cluster
      ++count;
      prev = -1;
      state = 0;
      ++p;
      --left;
      continue;
    }
    if (prev < 0 || utf8proc_grapheme_break_stateful(prev, cp, &state)) ++count;
    prev = cp;
    p += n;
    left -= n;
  }
  return count;
}

int Columns(const std::vector<FmtToken>& toks, Cell c) {
  int cols = 0;
  for (size_t i = c.begin; i < c.end; ++i)
    cols += toks[i].spaces_before + GraphemeCount(toks[i].bytes);
  return cols;
}

bool IsNewline(const FmtToken& t) {
  if (t.type == TokenType::kNewline) return true;
  // `#` and `//` comments carry the newline that ends them.
  return t.type == TokenType::kComment && !t.bytes.empty() && t.bytes.back() == '\n';
}

int BracketChange(const FmtToken& t) {
  switch (t.type) {
    case TokenType::kOBrace:
    case TokenType::kOBrack:
    case TokenType::kOParen:
    case TokenType::kTemplateControl:
    case TokenType::kTemplateInterp:
      return 1;
    case TokenType::kCBrace:
    case TokenType::kCBrack:
    case TokenType::kCParen:
    case TokenType::kTemplateSeqEnd:
      return -1;
    default:
      return 0;
  }
}

std::vector<Line> SplitLines(const std::vector<FmtToken>& toks) {
  std::vector<Line> lines;
  size_t line_start = 0;
  for (size_t i = 0; i < toks.size(); ++i) {
    if (toks[i].type == TokenType::kEOF) break;
    if (IsNewline(toks[i])) {
      lines.push_back(Line{Cell{line_start, i + 1}, {}, {}});
      line_start = i + 1;
    }
  }
  // The last line: whatever follows the last newline, without the EOF token.
  size_t end = toks.size();
  if (end > line_start && toks[end - 1].type == TokenType::kEOF) --end;
  lines.push_back(Line{Cell{line_start, std::max(line_start, end)}, {}, {}});

  for (Line& line : lines) {
    if (line.lead.empty()) continue;
    if (line.lead.size() > 1 && toks[line.lead.end - 1].type == TokenType::kComment) {
      line.comment = Cell{line.lead.end - 1, line.lead.end};
      line.lead.end -= 1;
    }
    for (size_t i = line.lead.begin + 1; i < line.lead.end; ++i) {
      if (toks[i].type != TokenType::kEqual) continue;
      // Only a whole expression on this line becomes the "assign" cell; an opening bracket left
      // open means a multi-line value, which is not aligned.
      int net = 0;
      for (size_t j = i; j < line.lead.end; ++j) net += BracketChange(toks[j]);
      if (net == 0) {
        line.assign = Cell{i, line.lead.end};
        line.lead.end = i;
      }
      break;
    }
  }
  return lines;
}

void FormatIndent(std::vector<FmtToken>& toks, const std::vector<Line>& lines) {
  // Each line with a net increase of open brackets pushes one indent level remembering how many
  // it opened; closers pop levels by those counts, so unbalanced lines cannot drift the rest.
  std::vector<int> indents;
  for (const Line& line : lines) {
    if (line.lead.empty()) continue;
    FmtToken& first = toks[line.lead.begin];
    if (first.type == TokenType::kNewline) {
      first.spaces_before = 0;
      continue;
    }
    int net = 0;
    for (size_t i = line.lead.begin; i < line.lead.end; ++i) {
      net += BracketChange(toks[i]);
      if (toks[i].type == TokenType::kOHeredoc) break;
    }
    for (size_t i = line.assign.begin; i < line.assign.end; ++i) net += BracketChange(toks[i]);

    if (net > 0) {
      first.spaces_before = 2 * static_cast<int>(indents.size());
      indents.push_back(net);
      continue;
    }
    int closed = -net;
    while (closed > 0 && !indents.empty()) {
      if (closed > indents.back()) {
        closed -= indents.back();
        indents.pop_back();
      } else if (closed < indents.back()) {
        indents.back() -= closed;
        closed = 0;
      } else {
        indents.pop_back();
        closed = 0;
      }
    }
    first.spaces_before = 2 * static_cast<int>(indents.size());
  }
}

bool IsInKeyword(const FmtToken& t) { return t.type == TokenType::kIdent && t.bytes == "in"; }

// Whether `subject` is followed by a space when `before` precedes it and `after` follows.
bool SpaceAfter(const FmtToken& subject, const FmtToken& before, const FmtToken& after) {
  const TokenType s = subject.type;
  const TokenType a = after.type;
  if (a == TokenType::kNewline || a == TokenType::kNil) return false;
  if (s == TokenType::kIdent && a == TokenType::kOParen) return false;  // f(x)
  if (s == TokenType::kDot || a == TokenType::kDot) return false;       // a.b
  if (a == TokenType::kComma || a == TokenType::kEllipsis) return false;
  if (s == TokenType::kComma) return true;
  // Nothing is inserted inside template literals.
  if (s == TokenType::kQuotedLit || s == TokenType::kStringLit || s == TokenType::kOQuote ||
      s == TokenType::kOHeredoc || a == TokenType::kQuotedLit || a == TokenType::kStringLit ||
      a == TokenType::kCQuote || a == TokenType::kCHeredoc) {
    return false;
  }
  // `for x in [foo]`: `in` is a keyword there, not a reference being indexed.
  if (IsInKeyword(subject) && before.type == TokenType::kIdent) return true;
  if (a == TokenType::kOBrack &&
      (s == TokenType::kIdent || s == TokenType::kNumberLit || BracketChange(subject) < 0)) {
    return false;
  }
  if (s == TokenType::kBang) return false;
  if (s == TokenType::kMinus) {
    // Negation is written `-x`, subtraction `a - b`: a minus that cannot follow the end of an
    // expression is taken as a negation.
    switch (before.type) {
      case TokenType::kNil:
      case TokenType::kOParen:
      case TokenType::kOBrace:
      case TokenType::kOBrack:
      case TokenType::kEqual:
      case TokenType::kColon:
      case TokenType::kComma:
      case TokenType::kQuestion:
      case TokenType::kPlus:
      case TokenType::kStar:
      case TokenType::kSlash:
      case TokenType::kPercent:
      case TokenType::kMinus:
      case TokenType::kEqualOp:
      case TokenType::kNotEqual:
      case TokenType::kGreaterThan:
      case TokenType::kGreaterThanEq:
      case TokenType::kLessThan:
      case TokenType::kLessThanEq:
      case TokenType::kAnd:
      case TokenType::kOr:
      case TokenType::kBang:
        return false;
      default:
        return true;
    }
  }
  // Braces get spaces inside (`{ a = 1 }`), except an empty pair `{}`.
  if (s == TokenType::kOBrace || a == TokenType::kCBrace) {
    return !(s == TokenType::kOBrace && a == TokenType::kCBrace);
  }
  // `${ {a = 1} }`: keep an object constructor apart from the interpolation markers.
  if ((s == TokenType::kTemplateInterp || s == TokenType::kTemplateControl) &&
      a == TokenType::kOBrace) {
    return true;
  }
  if (s == TokenType::kCBrace && a == TokenType::kTemplateSeqEnd) return true;
  if (s == TokenType::kTemplateSeqEnd &&
      (a == TokenType::kTemplateInterp || a == TokenType::kTemplateControl)) {
    return false;
  }
  if (BracketChange(subject) > 0) return false;
  if (BracketChange(after) < 0) return false;
  return true;
}

void SpaceCell(std::vector<FmtToken>& toks, Cell c) {
  for (size_t i = c.begin; i + 1 < c.end; ++i) {
    const FmtToken& before = i > c.begin ? toks[i - 1] : kNilToken;
    toks[i + 1].spaces_before = SpaceAfter(toks[i], before, toks[i + 1]) ? 1 : 0;
  }
}

void FormatSpaces(std::vector<FmtToken>& toks, const std::vector<Line>& lines) {
  for (const Line& line : lines) {
    SpaceCell(toks, line.lead);
    if (!line.assign.empty()) toks[line.assign.begin].spaces_before = 1;
    SpaceCell(toks, line.assign);
  }
}

// Aligns the first token of one kind of cell across runs of consecutive lines that all have it.
template <typename HasCell, typename Width, typename First>
void AlignChains(std::vector<FmtToken>& toks, const std::vector<Line>& lines, HasCell has,
                 Width width, First first) {
  size_t chain_start = 0;
  bool in_chain = false;
  int max_columns = 0;
  auto close = [&](size_t end) {
    for (size_t i = chain_start; i < end; ++i) {
      toks[first(lines[i])].spaces_before = max_columns - width(lines[i]) + 1;
    }
    in_chain = false;
    max_columns = 0;
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!has(lines[i])) {
      if (in_chain) close(i);
      continue;
    }
    if (!in_chain) {
      in_chain = true;
      chain_start = i;
    }
    max_columns = std::max(max_columns, width(lines[i]));
  }
  if (in_chain) close(lines.size());
}

void FormatCells(std::vector<FmtToken>& toks, const std::vector<Line>& lines) {
  // The `=` cells first, since moving them moves the comments too.
  AlignChains(
      toks, lines, [](const Line& l) { return !l.assign.empty(); },
      [&](const Line& l) { return Columns(toks, l.lead); },
      [](const Line& l) { return l.assign.begin; });
  AlignChains(
      toks, lines, [](const Line& l) { return !l.comment.empty(); },
      [&](const Line& l) { return Columns(toks, l.lead) + Columns(toks, l.assign); },
      [](const Line& l) { return l.comment.begin; });
}

}  // namespace

std::string Format(std::string_view src) {
  std::vector<Token> lexed = LexConfig(src, "", Pos{});
  std::vector<FmtToken> toks;
  toks.reserve(lexed.size());
  int last_end = 0;
  for (const Token& t : lexed) {
    // Whatever lay between two tokens (spaces, tabs, a BOM) counts as that many spaces; the
    // passes below overwrite all of these except before EOF, as hclwrite does.
    toks.push_back(FmtToken{t.type, t.bytes, t.range.start.byte - last_end});
    last_end = t.range.end.byte;
  }

  std::vector<Line> lines = SplitLines(toks);
  FormatIndent(toks, lines);
  FormatSpaces(toks, lines);
  FormatCells(toks, lines);

  std::string out;
  out.reserve(src.size() + src.size() / 8);
  for (const FmtToken& t : toks) {
    if (t.spaces_before > 0) out.append(static_cast<size_t>(t.spaces_before), ' ');
    out.append(t.bytes);
  }
  return out;
}

}  // namespace meshgw::hcl
