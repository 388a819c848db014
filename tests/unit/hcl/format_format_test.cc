// Tests of hcl/format: each expected output below was produced by HashiCorp's hclfmt (2.14.1) on
// the same input; tests/conformance/hclfmt.sh checks whole files against hclfmt itself.
#include "hcl/format/format.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace meshgw::hcl {
namespace {

struct Case {
  const char* name;
  const char* input;
  const char* want;
};

class FormatTest : public testing::TestWithParam<Case> {};

TEST_P(FormatTest, MatchesHclfmt) { EXPECT_EQ(Format(GetParam().input), GetParam().want); }

INSTANTIATE_TEST_SUITE_P(
    Hclfmt, FormatTest,
    testing::Values(
        Case{"AlignsEquals", "a=1\nbb = [1,2]\n", "a  = 1\nbb = [1, 2]\n"},
        Case{"MinusNegationOrSubtraction", "x = -1\ny = 5 - -1\nz = a-b\n",
             "x = -1\ny = 5 - -1\nz = a-b\n"},
        Case{"CallsAndEllipsis", "f = foo ( 1 , xs ... )\n", "f = foo(1, xs...)\n"},
        Case{"BlockIndentAndBraces", "b {\nc = { }\nd = {a=1}\n}\n",
             "b {\n  c = {}\n  d = { a = 1 }\n}\n"},
        Case{"AlignsCommentsPerRun", "a = 1 # c\nbbb = 2 // d\n\nc = 3\n",
             "a   = 1 # c\nbbb = 2 // d\n\nc = 3\n"},
        Case{"InterpolationsTight", "s = \"${ a }\"\n", "s = \"${a}\"\n"},
        Case{"Directives", "t = \"%{ if x }y%{ endif }\"\n", "t = \"%{if x}y%{endif}\"\n"},
        Case{"InKeyword", "a = [for x in [foo]: x]\n", "a = [for x in [foo] : x]\n"},
        Case{"KeepsSpacesBeforeEof", "a = 1   ", "a = 1   "},
        Case{"MultiLineCollections", "o = {\na=1\nbb = [\n1,\n]\n}\n",
             "o = {\n  a = 1\n  bb = [\n    1,\n  ]\n}\n"},
        Case{"HeredocBodyUntouched", "x = <<EOT\n  body ${ a }\nEOT\n",
             "x = <<EOT\n  body ${a}\nEOT\n"},
        Case{"ObjectInInterpolation", "k = \"${ {a = 1} }\"\n", "k = \"${ { a = 1 } }\"\n"},
        Case{"ColumnsAreGraphemes", "caf\xC3\xA9 = 1\nb = 2 # x\n\xC3\xA9\xC3\xA9 = [1] # y\n",
             "caf\xC3\xA9 = 1\nb    = 2   # x\n\xC3\xA9\xC3\xA9   = [1] # y\n"},
        Case{"BangAndIndexes", "a = !b\nc = a[0] [1]\n", "a = !b\nc = a[0][1]\n"},
        Case{"UnbalancedLineDedents", "x = <<EOT\n  hi\n    EOT\nb {\nc=[1,\n2]}\n",
             "x = <<EOT\n  hi\n    EOT\nb {\n  c = [1,\n2] }\n"},
        Case{"CrLf", "a = \"x\"\r\nb {\r\n  c = 1 # x\r\n}\r\n",
             "a = \"x\"\r\nb {\r\n  c = 1 # x\r\n}\r\n"},
        Case{"TabsAreWhitespace", "a\t=\t1\n", "a = 1\n"},
        Case{"BomDropped",
             "\xEF\xBB\xBF"
             "a = 1\n",
             "a = 1\n"},
        Case{"Empty", "", ""}),
    [](const testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Formatting is a fixed point: formatting formatted text changes nothing.
TEST(FormatFiles, IdempotentOnMisformattedCorpus) {
  std::filesystem::path dir = std::filesystem::path(MESHGW_SOURCE_DIR) / "tests/testdata/hcl/fmt";
  int n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".hcl") continue;
    ++n;
    std::string once = Format(ReadFile(entry.path()));
    EXPECT_EQ(Format(once), once) << entry.path();
    EXPECT_NE(once, ReadFile(entry.path())) << entry.path() << " is meant to be misformatted";
  }
  EXPECT_GE(n, 15);
}

}  // namespace
}  // namespace meshgw::hcl
