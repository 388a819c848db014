// Tests of the HCL scanner: token kinds, bytes and ranges as hclsyntax 2.14.1 produces them
// (every expectation here was checked against the official scanner).
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "hcl/syntax/lexer.h"

namespace meshgw::hcl {
namespace {

std::string P(const Pos& p) {
  return std::to_string(p.line) + ":" + std::to_string(p.column) + ":" + std::to_string(p.byte);
}

// One line per token: "TokenIdent a 1:1:0-1:2:1", with \n and \r spelled out.
std::vector<std::string> Dump(const std::vector<Token>& toks) {
  std::vector<std::string> out;
  for (const Token& t : toks) {
    std::string bytes;
    for (char c : t.bytes) {
      if (c == '\n') {
        bytes += "\\n";
      } else if (c == '\r') {
        bytes += "\\r";
      } else {
        bytes += c;
      }
    }
    out.push_back(std::string(TokenTypeName(t.type)) + " " + bytes + " " + P(t.range.start) + "-" +
                  P(t.range.end));
  }
  return out;
}

std::vector<std::string> Config(std::string_view src) { return Dump(LexConfig(src, "t", Pos{})); }
std::vector<std::string> Template(std::string_view src) {
  return Dump(LexTemplate(src, "t", Pos{}));
}

TEST(LexerTest, AttributeCommentAndBlock) {
  EXPECT_EQ(Config("a = 1 # c\r\nb \"x\" {\n}\n"),
            (std::vector<std::string>{
                "TokenIdent a 1:1:0-1:2:1",
                "TokenEqual = 1:3:2-1:4:3",
                "TokenNumberLit 1 1:5:4-1:6:5",
                "TokenComment # c\\r\\n 1:7:6-2:1:11",  // a line comment owns its newline
                "TokenIdent b 2:1:11-2:2:12",
                "TokenOQuote \" 2:3:13-2:4:14",
                "TokenQuotedLit x 2:4:14-2:5:15",
                "TokenCQuote \" 2:5:15-2:6:16",
                "TokenOBrace { 2:7:17-2:8:18",
                "TokenNewline \\n 2:8:18-3:1:19",
                "TokenCBrace } 3:1:19-3:2:20",
                "TokenNewline \\n 3:2:20-4:1:21",
                "TokenEOF  4:1:21-4:1:21",
            }));
}

TEST(LexerTest, ByteOrderMarkIsSkippedButCountsInBytes) {
  EXPECT_EQ(Config("\xEF\xBB\xBF"
                   "a = 1\n"),
            (std::vector<std::string>{
                "TokenIdent a 1:1:3-1:2:4",
                "TokenEqual = 1:3:5-1:4:6",
                "TokenNumberLit 1 1:5:7-1:6:8",
                "TokenNewline \\n 1:6:8-2:1:9",
                "TokenEOF  2:1:9-2:1:9",
            }));
}

TEST(LexerTest, StartPositionIsHonoured) {
  std::vector<Token> toks = LexExpression("x", "t", Pos{3, 7, 40});
  ASSERT_EQ(toks.size(), 2u);
  EXPECT_EQ(toks[0].range.start, (Pos{3, 7, 40}));
  EXPECT_EQ(toks[0].range.end, (Pos{3, 8, 41}));
  EXPECT_EQ(toks[0].range.filename, "t");
}

TEST(LexerTest, ColumnsCountGraphemeClusters) {
  // "é" precomposed is one column; "e" + U+0301 is also one column (one cluster).
  EXPECT_EQ(Config("x = \"\xC3\xA9${a}e\xCC\x81\"\n"),
            (std::vector<std::string>{
                "TokenIdent x 1:1:0-1:2:1",
                "TokenEqual = 1:3:2-1:4:3",
                "TokenOQuote \" 1:5:4-1:6:5",
                "TokenQuotedLit \xC3\xA9 1:6:5-1:7:7",
                "TokenTemplateInterp ${ 1:7:7-1:9:9",
                "TokenIdent a 1:9:9-1:10:10",
                "TokenTemplateSeqEnd } 1:10:10-1:11:11",
                "TokenQuotedLit e\xCC\x81 1:11:11-1:12:14",
                "TokenCQuote \" 1:12:14-1:13:15",
                "TokenNewline \\n 1:13:15-2:1:16",
                "TokenEOF  2:1:16-2:1:16",
            }));
  // A family emoji joined with ZWJ is a single column.
  std::vector<Token> toks =
      LexConfig("\"\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\" x", "t", Pos{});
  ASSERT_GE(toks.size(), 4u);
  EXPECT_EQ(toks[1].type, TokenType::kQuotedLit);
  EXPECT_EQ(toks[1].range.end.column, 3);
  EXPECT_EQ(toks[3].range.start, (Pos{1, 5, 14}));
}

TEST(LexerTest, TabsAreWhitespaceOfOneColumn) {
  std::vector<Token> toks = LexConfig("\ta\t=\t1", "t", Pos{});
  EXPECT_EQ(toks[0].range.start, (Pos{1, 2, 1}));
  EXPECT_EQ(toks[1].range.start, (Pos{1, 4, 3}));
  EXPECT_EQ(toks[2].range.start, (Pos{1, 6, 5}));
}

TEST(LexerTest, Operators) {
  std::vector<Token> toks =
      LexExpression("== != <= >= && || ... => = < > ! ? : . , + - * / % ~} ~", "t", Pos{});
  std::vector<TokenType> types;
  for (const Token& t : toks) types.push_back(t.type);
  EXPECT_EQ(types, (std::vector<TokenType>{
                       TokenType::kEqualOp,        TokenType::kNotEqual,    TokenType::kLessThanEq,
                       TokenType::kGreaterThanEq,  TokenType::kAnd,         TokenType::kOr,
                       TokenType::kEllipsis,       TokenType::kFatArrow,    TokenType::kEqual,
                       TokenType::kLessThan,       TokenType::kGreaterThan, TokenType::kBang,
                       TokenType::kQuestion,       TokenType::kColon,       TokenType::kDot,
                       TokenType::kComma,          TokenType::kPlus,        TokenType::kMinus,
                       TokenType::kStar,           TokenType::kSlash,       TokenType::kPercent,
                       TokenType::kTemplateSeqEnd, TokenType::kBitwiseNot,  TokenType::kEOF}));
}

TEST(LexerTest, NumbersAndIdentifiers) {
  EXPECT_EQ(Config("1.2.3 1.e5 1e+5 1e 1..2 a-b--c _x caf\xC3\xA9"),
            (std::vector<std::string>{
                "TokenNumberLit 1.2.3 1:1:0-1:6:5",
                "TokenNumberLit 1.e5 1:7:6-1:11:10",
                "TokenNumberLit 1e+5 1:12:11-1:16:15",
                "TokenNumberLit 1 1:17:16-1:18:17",
                "TokenIdent e 1:18:17-1:19:18",
                "TokenNumberLit 1..2 1:20:19-1:24:23",
                "TokenIdent a-b--c 1:25:24-1:31:30",
                "TokenIdent _x 1:32:31-1:34:33",
                "TokenIdent caf\xC3\xA9 1:35:34-1:39:39",
                "TokenEOF  1:39:39-1:39:39",
            }));
}

TEST(LexerTest, Comments) {
  EXPECT_EQ(Config("// x\n/* a\nb */ 1 # y"), (std::vector<std::string>{
                                                  "TokenComment // x\\n 1:1:0-2:1:5",
                                                  "TokenComment /* a\\nb */ 2:1:5-3:5:14",
                                                  "TokenNumberLit 1 3:6:15-3:7:16",
                                                  "TokenComment # y 3:8:17-3:11:20",
                                                  "TokenEOF  3:11:20-3:11:20",
                                              }));
  // An unterminated block comment is a slash and a star.
  EXPECT_EQ(Config("/* a"), (std::vector<std::string>{
                                "TokenSlash / 1:1:0-1:2:1",
                                "TokenStar * 1:2:1-1:3:2",
                                "TokenIdent a 1:4:3-1:5:4",
                                "TokenEOF  1:5:4-1:5:4",
                            }));
}

TEST(LexerTest, QuotedStringPieces) {
  // `$` and `%` split literals; `$${` and `%%{` are literal tokens of their own.
  EXPECT_EQ(Config("\"x$y$${z}%%{ %a\\\\n\""), (std::vector<std::string>{
                                                   "TokenOQuote \" 1:1:0-1:2:1",
                                                   "TokenQuotedLit x 1:2:1-1:3:2",
                                                   "TokenQuotedLit $ 1:3:2-1:4:3",
                                                   "TokenQuotedLit y 1:4:3-1:5:4",
                                                   "TokenQuotedLit $${ 1:5:4-1:8:7",
                                                   "TokenQuotedLit z} 1:8:7-1:10:9",
                                                   "TokenQuotedLit %%{ 1:10:9-1:13:12",
                                                   "TokenQuotedLit   1:13:12-1:14:13",
                                                   "TokenQuotedLit % 1:14:13-1:15:14",
                                                   "TokenQuotedLit a\\\\n 1:15:14-1:19:18",
                                                   "TokenCQuote \" 1:19:18-1:20:19",
                                                   "TokenEOF  1:20:19-1:20:19",
                                               }));
  // A newline inside quotes.
  EXPECT_EQ(Config("\"a\nb\""), (std::vector<std::string>{
                                    "TokenOQuote \" 1:1:0-1:2:1",
                                    "TokenQuotedLit a 1:2:1-1:3:2",
                                    "TokenQuotedNewline \\n 1:3:2-2:1:3",
                                    "TokenQuotedLit b 2:1:3-2:2:4",
                                    "TokenCQuote \" 2:2:4-2:3:5",
                                    "TokenEOF  2:3:5-2:3:5",
                                }));
}

TEST(LexerTest, NestedInterpolationUsesTheFullExpressionScanner) {
  EXPECT_EQ(Config("\"x${ {a=\"}\"} }y\""), (std::vector<std::string>{
                                                "TokenOQuote \" 1:1:0-1:2:1",
                                                "TokenQuotedLit x 1:2:1-1:3:2",
                                                "TokenTemplateInterp ${ 1:3:2-1:5:4",
                                                "TokenOBrace { 1:6:5-1:7:6",
                                                "TokenIdent a 1:7:6-1:8:7",
                                                "TokenEqual = 1:8:7-1:9:8",
                                                "TokenOQuote \" 1:9:8-1:10:9",
                                                "TokenQuotedLit } 1:10:9-1:11:10",
                                                "TokenCQuote \" 1:11:10-1:12:11",
                                                "TokenCBrace } 1:12:11-1:13:12",
                                                "TokenTemplateSeqEnd } 1:14:13-1:15:14",
                                                "TokenQuotedLit y 1:15:14-1:16:15",
                                                "TokenCQuote \" 1:16:15-1:17:16",
                                                "TokenEOF  1:17:16-1:17:16",
                                            }));
}

TEST(LexerTest, Heredoc) {
  EXPECT_EQ(Config("a = <<EOT\nfoo $\n${x}$%\n  EOT  \n"),
            (std::vector<std::string>{
                "TokenIdent a 1:1:0-1:2:1",
                "TokenEqual = 1:3:2-1:4:3",
                "TokenOHeredoc <<EOT\\n 1:5:4-2:1:10",
                "TokenStringLit foo  2:1:10-2:5:14",
                "TokenStringLit $ 2:5:14-2:6:15",
                "TokenStringLit \\n 2:6:15-3:1:16",
                "TokenTemplateInterp ${ 3:1:16-3:3:18",
                "TokenIdent x 3:3:18-3:4:19",
                "TokenTemplateSeqEnd } 3:4:19-3:5:20",
                "TokenStringLit $% 3:5:20-3:7:22",  // a sign and its byte before a newline
                "TokenStringLit \\n 3:7:22-4:1:23",
                "TokenCHeredoc   EOT   4:1:23-4:8:30",
                "TokenNewline \\n 4:8:30-5:1:31",
                "TokenEOF  5:1:31-5:1:31",
            }));
  // "$" and the byte after it are one token only before a CR or LF.
  EXPECT_EQ(Config("<<E\n$$\r\n$$x\nE\n"), (std::vector<std::string>{
                                               "TokenOHeredoc <<E\\n 1:1:0-2:1:4",
                                               "TokenStringLit $$ 2:1:4-2:3:6",
                                               "TokenStringLit \\r\\n 2:3:6-3:1:8",
                                               "TokenStringLit $ 3:1:8-3:2:9",
                                               "TokenStringLit $x 3:2:9-3:4:11",
                                               "TokenStringLit \\n 3:4:11-4:1:12",
                                               "TokenCHeredoc E 4:1:12-4:2:13",
                                               "TokenNewline \\n 4:2:13-5:1:14",
                                               "TokenEOF  5:1:14-5:1:14",
                                           }));
  // CRLF and a flush heredoc.
  EXPECT_EQ(Config("<<-E\r\nab\r\n E\r\n"), (std::vector<std::string>{
                                                "TokenOHeredoc <<-E\\r\\n 1:1:0-2:1:6",
                                                "TokenStringLit ab\\r\\n 2:1:6-3:1:10",
                                                "TokenCHeredoc  E 3:1:10-3:3:12",
                                                "TokenNewline \\r\\n 3:3:12-4:1:14",
                                                "TokenEOF  4:1:14-4:1:14",
                                            }));
  // Without a newline right after the marker it is no heredoc.
  EXPECT_EQ(Config("<<EOT"), (std::vector<std::string>{
                                 "TokenLessThan < 1:1:0-1:2:1",
                                 "TokenLessThan < 1:2:1-1:3:2",
                                 "TokenIdent EOT 1:3:2-1:6:5",
                                 "TokenEOF  1:6:5-1:6:5",
                             }));
}

TEST(LexerTest, BareTemplate) {
  EXPECT_EQ(Template("a = \"x${y}\"\n%{if z~}w"), (std::vector<std::string>{
                                                      "TokenStringLit a = \"x 1:1:0-1:7:6",
                                                      "TokenTemplateInterp ${ 1:7:6-1:9:8",
                                                      "TokenIdent y 1:9:8-1:10:9",
                                                      "TokenTemplateSeqEnd } 1:10:9-1:11:10",
                                                      "TokenStringLit \"\\n 1:11:10-2:1:12",
                                                      "TokenTemplateControl %{ 2:1:12-2:3:14",
                                                      "TokenIdent if 2:3:14-2:5:16",
                                                      "TokenIdent z 2:6:17-2:7:18",
                                                      "TokenTemplateSeqEnd ~} 2:7:18-2:9:20",
                                                      "TokenStringLit w 2:9:20-2:10:21",
                                                      "TokenEOF  2:10:21-2:10:21",
                                                  }));
  // A trailing `$` is literal text in a bare template.
  EXPECT_EQ(Template("a$"), (std::vector<std::string>{
                                "TokenStringLit a 1:1:0-1:2:1",
                                "TokenStringLit $ 1:2:1-1:3:2",
                                "TokenEOF  1:3:2-1:3:2",
                            }));
}

TEST(LexerTest, InvalidCharactersAndBytes) {
  std::vector<Token> toks = LexConfig("a\xFF = \xE2\x80\x9Cx\xE2\x80\x9D ; & @", "t", Pos{});
  Diagnostics diags;
  CheckInvalidTokens(toks, &diags);
  ASSERT_EQ(diags.size(), 6u);
  EXPECT_EQ(diags[0].summary, "Invalid character encoding");
  EXPECT_EQ(diags[0].subject.start, (Pos{1, 2, 1}));
  EXPECT_EQ(diags[1].summary, "Invalid character");
  EXPECT_EQ(diags[1].detail,
            "\"Curly quotes\" are not valid here. These can sometimes be inadvertently introduced "
            "when sharing code via documents or discussion forums. It might help to replace the "
            "character with a \"straight quote\".");
  EXPECT_EQ(diags[1].subject.start, (Pos{1, 6, 5}));
  EXPECT_EQ(diags[1].subject.end, (Pos{1, 7, 8}));
  EXPECT_EQ(diags[3].summary, "Invalid character");
  EXPECT_EQ(diags[3].subject.start, (Pos{1, 10, 13}));
  EXPECT_EQ(diags[4].summary, "Unsupported operator");
  EXPECT_EQ(diags[4].detail,
            "Bitwise operators are not supported. Did you mean boolean AND (\"&&\")?");
  EXPECT_EQ(diags[5].detail, "This character is not used within the language.");
}

TEST(LexerTest, ValidIdentifier) {
  EXPECT_TRUE(ValidIdentifier("foo"));
  EXPECT_TRUE(ValidIdentifier("foo-bar"));
  EXPECT_TRUE(ValidIdentifier("_x"));
  EXPECT_TRUE(ValidIdentifier("caf\xC3\xA9"));
  EXPECT_FALSE(ValidIdentifier("-foo"));
  EXPECT_FALSE(ValidIdentifier("1a"));
  EXPECT_FALSE(ValidIdentifier("a.b"));
  EXPECT_FALSE(ValidIdentifier(""));
  // Identifier classes are those of Unicode 9.0, like the official scanner's: U+08BD (Unicode
  // 9.0) is a letter there, U+0870 (Unicode 14.0) is not.
  EXPECT_TRUE(ValidIdentifier("a\xE0\xA2\xBD"));
  EXPECT_FALSE(ValidIdentifier("a\xE0\xA1\xB0"));
  std::vector<Token> toks = LexConfig("a\xE0\xA1\xB0", "t", Pos{});
  ASSERT_EQ(toks.size(), 3u);
  EXPECT_EQ(toks[0].bytes, "a");
  EXPECT_EQ(toks[1].type, TokenType::kInvalid);
}

}  // namespace
}  // namespace meshgw::hcl
