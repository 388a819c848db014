#include "xds/internal/regex_syntax.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <random>
#include <string>

namespace meshgw::xds::internal {
namespace {

bool Re2Accepts(const std::string& pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  return RE2(pattern, options).ok();
}

// The patterns control/translate writes for intention sources (QuoteRegex escapes everything but
// letters, digits, _ and -), and Consul's own shapes: all plain, so never compiled to validate.
TEST(RegexSyntaxTest, ConsulPrincipalPatternsArePlain) {
  for (const std::string pattern : {
           "^spiffe://11111111-2222-3333-4444-555555555555\\.consul/ns/default/dc/[^/]+/svc/web$",
           "^spiffe://td\\.consul/ap/part\\-1/ns/[^/]+/dc/[^/]+/svc/[^/]+$",
           "^spiffe://peer\\.td/ns/default/dc/[^/]+/svc/svc_00042$",
           "spiffe://td/ns/default/dc/dc1/svc/.*",
           "",
       }) {
    EXPECT_TRUE(IsPlainRe2Pattern(pattern)) << pattern;
    EXPECT_TRUE(Re2Accepts(pattern)) << pattern;
  }
}

// Shapes left to RE2: whether valid or not, the fast path does not decide them.
TEST(RegexSyntaxTest, OtherShapesAreLeftToRe2) {
  for (const std::string pattern : {
           "spiffe://(unclosed",
           "(a)",
           "a|b",
           "a**",
           "a+?",
           "a{2}",
           "[a-z]",
           "[]",
           "[^]",
           "[a",
           "\\d",
           "\\1",
           "\\",
           "x\\",
           "^*",
           "$+",
           "*a",
           "\xc3\xa9",
           "a\tb",
           "[[:alpha:]]",
       }) {
    EXPECT_FALSE(IsPlainRe2Pattern(pattern)) << pattern;
  }
  // The costliest plain patterns RE2 can get (negated classes and dots, which expand to every
  // UTF-8 sequence, each repeated) at the length limit still compile: the limit keeps plain
  // patterns far from RE2's "pattern too large".
  for (const std::string unit : {"[^/]+", ".*", "[^.a]?", "\\.+"}) {
    std::string worst;
    while (worst.size() + unit.size() <= kMaxPlainPatternBytes) worst += unit;
    ASSERT_TRUE(IsPlainRe2Pattern(worst)) << unit;
    EXPECT_TRUE(Re2Accepts(worst)) << unit;
  }
  EXPECT_TRUE(IsPlainRe2Pattern(std::string(kMaxPlainPatternBytes, 'a')));
  EXPECT_FALSE(IsPlainRe2Pattern(std::string(kMaxPlainPatternBytes + 1, 'a')));
}

// The property itself, with RE2 as the oracle: every pattern the fast path calls plain compiles.
// Exhaustive over printable ASCII up to two characters, then generated patterns drawn mostly from
// the characters that matter (operators, brackets, escapes) so that many are plain and many not.
TEST(RegexSyntaxTest, EveryPlainPatternCompiles) {
  int plain = 0;
  int checked = 0;
  auto check = [&](const std::string& pattern) {
    ++checked;
    if (!IsPlainRe2Pattern(pattern)) return;
    ++plain;
    EXPECT_TRUE(Re2Accepts(pattern)) << "\"" << pattern << "\" is called plain but RE2 refuses it";
  };
  for (int a = 0x20; a < 0x7f; ++a) {
    check(std::string(1, static_cast<char>(a)));
    for (int b = 0x20; b < 0x7f; ++b) {
      check(std::string{static_cast<char>(a), static_cast<char>(b)});
    }
  }
  const std::string interesting = "^$.*+?\\[]()|{}-/:a0_ ,";
  std::mt19937 rng(20261207);  // fixed: a failure reproduces
  std::uniform_int_distribution<int> length(1, 24);
  std::uniform_int_distribution<int> printable(0x20, 0x7e);
  std::uniform_int_distribution<int> pick(0, static_cast<int>(interesting.size()) - 1);
  std::uniform_int_distribution<int> coin(0, 3);
  for (int i = 0; i < 200000; ++i) {
    std::string pattern;
    const int n = length(rng);
    for (int k = 0; k < n; ++k) {
      pattern.push_back(coin(rng) == 0 ? static_cast<char>(printable(rng))
                                       : interesting[pick(rng)]);
    }
    check(pattern);
  }
  // Not vacuous: a good share of the candidates took the fast path.
  EXPECT_GT(plain, 10000) << plain << " plain of " << checked;
}

}  // namespace
}  // namespace meshgw::xds::internal
