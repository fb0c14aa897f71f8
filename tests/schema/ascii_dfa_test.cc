#include "ascii_dfa.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "ecma_regex.h"

namespace capconf::schema::internal {
namespace {

// Every verdict of the automaton must be EcmaRegex's (PCRE2's) on the same subject.
void ExpectAgreesWithEcmaRegex(const std::string& pattern, const std::string& alphabet) {
  auto dfa = AsciiDfa::TryCompile(pattern);
  ASSERT_NE(dfa, nullptr) << pattern;
  auto re = EcmaRegex::Compile(pattern);
  ASSERT_TRUE(re.ok()) << pattern;
  std::mt19937 rng(12345);
  std::vector<std::string> subjects = {"", "\n", "é", "😀", alphabet};
  for (int i = 0; i < 3000; ++i) {
    std::string s;
    std::size_t n = rng() % 14;
    for (std::size_t k = 0; k < n; ++k) s += alphabet[rng() % alphabet.size()];
    if (rng() % 10 == 0) s += "\n";
    if (rng() % 10 == 0) s.insert(0, "é");
    subjects.push_back(s);
  }
  for (const auto& s : subjects) {
    bool expected = (*re)->Search(s) == EcmaRegex::Match::kYes;
    ASSERT_EQ(dfa->Search(s), expected) << "pattern " << pattern << " subject [" << s << "]";
  }
}

TEST(AsciiDfaTest, AgreesWithEcmaRegexOnTheSpecsPatterns) {
  ExpectAgreesWithEcmaRegex("^#[0-9A-Fa-f]{6}$", "#0aF9gG");
  ExpectAgreesWithEcmaRegex("^[a-zA-Z0-9][a-zA-Z0-9-_.]*\\.[a-zA-Z]{2,}$", "a.b-_1Z.");
  ExpectAgreesWithEcmaRegex("^(?:[0-9]{1,3}\\.){3}[0-9]{1,3}(?:/[0-9]{1,2})?$", "0129./");
  ExpectAgreesWithEcmaRegex("^[a-zA-Z0-9-]+/[a-zA-Z0-9-_.]+$", "a-/._9");
}

TEST(AsciiDfaTest, AgreesOnUnanchoredAlternationAndQuantifiers) {
  ExpectAgreesWithEcmaRegex("abc", "abcx");
  ExpectAgreesWithEcmaRegex("a|bc", "abcx");
  ExpectAgreesWithEcmaRegex("^a*$", "ab");
  ExpectAgreesWithEcmaRegex("^(ab|a)+b?$", "ab");
  ExpectAgreesWithEcmaRegex("^a{2}b{0,3}c{1,}$", "abc");
  ExpectAgreesWithEcmaRegex("^(?:x|yz)*?q$", "xyzq");
  ExpectAgreesWithEcmaRegex("^\\d+\\w*$", "1a_ -");
  ExpectAgreesWithEcmaRegex("^[\\d\\-x]+$", "1-xy");
  ExpectAgreesWithEcmaRegex("\\$\\^\\.\\(", "$^.(a");
  ExpectAgreesWithEcmaRegex("^$", "a");
  ExpectAgreesWithEcmaRegex("a$", "ab\n");
  ExpectAgreesWithEcmaRegex("^\\t\\n?x", "\t\nx");
}

TEST(AsciiDfaTest, LeavesEverythingElseToEcmaRegex) {
  for (const char* pattern : {"^.$", "[^a]", "\\s", "\\p{L}", "(?=a)", "(a)\\1", "é", "\\bx",
                              "^a|b$", "\\u0041", "(?<n>a)", "a{100}", "\\S", "\\D", "[\\s]"}) {
    EXPECT_EQ(AsciiDfa::TryCompile(pattern), nullptr) << pattern;
  }
}

TEST(AsciiDfaTest, StaysSmallForBoundedRepetition) {
  auto dfa = AsciiDfa::TryCompile("^(?:[0-9]{1,3}\\.){3}[0-9]{1,3}(?:/[0-9]{1,2})?$");
  ASSERT_NE(dfa, nullptr);
  EXPECT_LT(dfa->state_count(), 64u);
}

}  // namespace
}  // namespace capconf::schema::internal
