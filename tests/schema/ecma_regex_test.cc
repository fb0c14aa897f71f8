// Tests for EcmaRegex: the ECMA-262 `u`-mode semantics it promises, the cases of the
// JSON-Schema-Test-Suite that exercise regular expressions, the PCRE2 syntax it must refuse, its
// match budget and its thread safety. Expected answers are what V8 (Node 20) gives for
// `new RegExp(pattern, "u").test(subject)`, except where a test says it pins a known gap.

#include "ecma_regex.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace capconf::schema::internal {
namespace {

using Match = EcmaRegex::Match;

std::unique_ptr<const EcmaRegex> MustCompile(std::string_view pattern) {
  auto regex = EcmaRegex::Compile(pattern);
  EXPECT_TRUE(regex.ok()) << pattern << ": " << regex.status().ToString();
  return regex.ok() ? std::move(regex).value() : nullptr;
}

// Whether `pattern` matches somewhere in `subject`; fails the test if it does not compile or
// runs out of budget.
bool Matches(std::string_view pattern, std::string_view subject) {
  const auto regex = MustCompile(pattern);
  if (regex == nullptr) return false;
  const Match m = regex->Search(subject);
  EXPECT_NE(m, Match::kLimitExceeded) << pattern;
  return m == Match::kYes;
}

// The message of the error Compile gives, or "" if it compiles.
std::string CompileError(std::string_view pattern) {
  auto regex = EcmaRegex::Compile(pattern);
  if (regex.ok()) return "";
  EXPECT_EQ(regex.status().code(), StatusCode::kInvalidArgument) << pattern;
  return regex.status().message();
}

struct Case {
  const char* pattern;
  const char* subject;
  bool matches;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << "/" << c.pattern << "/u on \"" << c.subject << "\"";
}

// --- JSON-Schema-Test-Suite (draft2020-12), hand-copied -------------------------------------

// Every string instance of a `pattern` test and every property name of a `patternProperties`
// test in optional/ecmascript-regex.json, optional/non-bmp-regex.json, pattern.json and
// patternProperties.json, with whether the pattern matches it.
constexpr Case kSuiteCases[] = {
    // ecmascript-regex.json: ECMA 262 regex $ does not match trailing newline
    {"^abc$", "abc\\n", false},
    {"^abc$", "abc", true},
    // ecmascript-regex.json: ECMA 262 regex converts \t to horizontal tab
    {"^\\t$", "\\t", false},
    {"^\\t$", "\t", true},
    // ecmascript-regex.json: ECMA 262 regex escapes control codes with \c and upper letter
    {"^\\cC$", "\\cC", false},
    {"^\\cC$", "\x03", true},
    // ecmascript-regex.json: ECMA 262 regex escapes control codes with \c and lower letter
    {"^\\cc$", "\\cc", false},
    {"^\\cc$", "\x03", true},
    // ecmascript-regex.json: ECMA 262 \d matches ascii digits only
    {"^\\d$", "0", true},
    {"^\\d$", "\u07C0", false},
    // ecmascript-regex.json: ECMA 262 \D matches everything but ascii digits
    {"^\\D$", "0", false},
    {"^\\D$", "\u07C0", true},
    // ecmascript-regex.json: ECMA 262 \w matches ascii letters only
    {"^\\w$", "a", true},
    {"^\\w$", "\u00E9", false},
    // ecmascript-regex.json: ECMA 262 \W matches everything but ascii letters
    {"^\\W$", "a", false},
    {"^\\W$", "\u00E9", true},
    // ecmascript-regex.json: ECMA 262 \s matches whitespace
    {"^\\s$", " ", true},
    {"^\\s$", "\t", true},
    {"^\\s$", "\x0b", true},
    {"^\\s$", "\x0c", true},
    {"^\\s$", "\u00A0", true},
    {"^\\s$", "\uFEFF", true},
    {"^\\s$", "\n", true},
    {"^\\s$", "\u2029", true},
    {"^\\s$", "\u2003", true},
    {"^\\s$", "\x01", false},
    {"^\\s$", "\u2013", false},
    // ecmascript-regex.json: ECMA 262 \S matches everything but whitespace
    {"^\\S$", " ", false},
    {"^\\S$", "\t", false},
    {"^\\S$", "\x0b", false},
    {"^\\S$", "\x0c", false},
    {"^\\S$", "\u00A0", false},
    {"^\\S$", "\uFEFF", false},
    {"^\\S$", "\n", false},
    {"^\\S$", "\u2029", false},
    {"^\\S$", "\u2003", false},
    {"^\\S$", "\x01", true},
    {"^\\S$", "\u2013", true},
    // ecmascript-regex.json: patterns always use unicode semantics with pattern
    {"\\p{Letter}cole",
     "Les hivers de mon enfance etaient des saisons longues, longues. Nous vivions en trois lieux: "
     "l'ecole, l'eglise et la patinoire; mais la vraie vie etait sur la patinoire.",
     true},
    {"\\p{Letter}cole",
     "Les hivers de mon enfance \u00E9taient des saisons longues, longues. Nous vivions en trois "
     "lieux: l'\u00E9cole, l'\u00E9glise et la patinoire; mais la vraie vie \u00E9tait sur la "
     "patinoire.",
     true},
    {"\\p{Letter}cole",
     "LES HIVERS DE MON ENFANCE \u00C9TAIENT DES SAISONS LONGUES, LONGUES. NOUS VIVIONS EN TROIS "
     "LIEUX: L'\u00C9COLE, L'\u00C9GLISE ET LA PATINOIRE; MAIS LA VRAIE VIE \u00C9TAIT SUR LA "
     "PATINOIRE.",
     false},
    // ecmascript-regex.json: \w in patterns matches [A-Za-z0-9_], not unicode letters
    {"\\wcole",
     "Les hivers de mon enfance etaient des saisons longues, longues. Nous vivions en trois lieux: "
     "l'ecole, l'eglise et la patinoire; mais la vraie vie etait sur la patinoire.",
     true},
    {"\\wcole",
     "Les hivers de mon enfance \u00E9taient des saisons longues, longues. Nous vivions en trois "
     "lieux: l'\u00E9cole, l'\u00E9glise et la patinoire; mais la vraie vie \u00E9tait sur la "
     "patinoire.",
     false},
    {"\\wcole",
     "LES HIVERS DE MON ENFANCE \u00C9TAIENT DES SAISONS LONGUES, LONGUES. NOUS VIVIONS EN TROIS "
     "LIEUX: L'\u00C9COLE, L'\u00C9GLISE ET LA PATINOIRE; MAIS LA VRAIE VIE \u00C9TAIT SUR LA "
     "PATINOIRE.",
     false},
    // ecmascript-regex.json: pattern with ASCII ranges
    {"[a-z]cole",
     "Les hivers de mon enfance \u00E9taient des saisons longues, longues. Nous vivions en trois "
     "lieux: l'\u00E9cole, l'\u00E9glise et la patinoire; mais la vraie vie \u00E9tait sur la "
     "patinoire.",
     false},
    {"[a-z]cole",
     "Les hivers de mon enfance etaient des saisons longues, longues. Nous vivions en trois lieux: "
     "l'ecole, l'eglise et la patinoire; mais la vraie vie etait sur la patinoire.",
     true},
    // ecmascript-regex.json: \d in pattern matches [0-9], not unicode digits
    {"^\\d+$", "42", true},
    {"^\\d+$", "-%#", false},
    {"^\\d+$", "\u09EA\u09E8", false},
    // ecmascript-regex.json: pattern with non-ASCII digits
    {"^\\p{digit}+$", "42", true},
    {"^\\p{digit}+$", "-%#", false},
    {"^\\p{digit}+$", "\u09EA\u09E8", true},
    // ecmascript-regex.json: patterns always use unicode semantics with patternProperties
    {"\\p{Letter}cole", "l'ecole", true},
    {"\\p{Letter}cole", "l'\u00E9cole", true},
    {"\\p{Letter}cole", "L'\u00C9COLE", false},
    // ecmascript-regex.json: \w in patternProperties matches [A-Za-z0-9_], not unicode letters
    {"\\wcole", "l'ecole", true},
    {"\\wcole", "l'\u00E9cole", false},
    {"\\wcole", "L'\u00C9COLE", false},
    // ecmascript-regex.json: patternProperties with ASCII ranges
    {"[a-z]cole", "l'\u00E9cole", false},
    {"[a-z]cole", "l'ecole", true},
    // ecmascript-regex.json: \d in patternProperties matches [0-9], not unicode digits
    {"^\\d+$", "42", true},
    {"^\\d+$", "-%#", false},
    {"^\\d+$", "\u09EA\u09E8", false},
    // ecmascript-regex.json: patternProperties with non-ASCII digits
    {"^\\p{digit}+$", "42", true},
    {"^\\p{digit}+$", "-%#", false},
    {"^\\p{digit}+$", "\u09EA\u09E8", true},
    // non-bmp-regex.json: Proper UTF-16 surrogate pair handling: pattern
    {"^\U0001F432*$", "", true},
    {"^\U0001F432*$", "\U0001F432", true},
    {"^\U0001F432*$", "\U0001F432\U0001F432", true},
    {"^\U0001F432*$", "\U0001F409", false},
    {"^\U0001F432*$", "\U0001F409\U0001F409", false},
    {"^\U0001F432*$", "D", false},
    {"^\U0001F432*$", "DD", false},
    // non-bmp-regex.json: Proper UTF-16 surrogate pair handling: patternProperties
    {"^\U0001F432*$", "", true},
    {"^\U0001F432*$", "\U0001F432", true},
    {"^\U0001F432*$", "\U0001F432\U0001F432", true},
    // pattern.json: pattern validation
    {"^a*$", "aaa", true},
    {"^a*$", "abc", false},
    // pattern.json: pattern is not anchored
    {"a+", "xxaayy", true},
    // pattern.json: pattern with Unicode property escape requires unicode mode
    {"^\\p{Letter}+$", "Hello", true},
    {"^\\p{Letter}+$", "\u03C0", true},
    {"^\\p{Letter}+$", "123", false},
    // patternProperties.json: patternProperties validates properties matching a regex
    {"f.*o", "foo", true},
    {"f.*o", "foooooo", true},
    {"f.*o", "fooooo", true},
    // patternProperties.json: multiple simultaneous patternProperties are validated
    {"a*", "a", true},
    {"a*", "aaaa", true},
    {"a*", "aaa", true},
    {"aaa*", "a", false},
    {"aaa*", "aaaa", true},
    {"aaa*", "aaa", true},
    // patternProperties.json: regexes are not anchored by default and are case sensitive
    {"[0-9]{2,}", "answer 1", false},
    {"[0-9]{2,}", "a31b", true},
    {"[0-9]{2,}", "a_x_3", false},
    {"[0-9]{2,}", "a_X_3", false},
    {"X_", "answer 1", false},
    {"X_", "a31b", false},
    {"X_", "a_x_3", false},
    {"X_", "a_X_3", true},
    // patternProperties.json: patternProperties with boolean schemas
    {"f.*", "foo", true},
    {"f.*", "bar", false},
    {"f.*", "foobar", true},
    {"b.*", "foo", false},
    {"b.*", "bar", true},
    {"b.*", "foobar", true},
    // patternProperties.json: patternProperties with null valued instance properties
    {"^.*bar$", "foobar", true},
    // patternProperties.json: patternProperties with Unicode property escape
    {"^\\p{Letter}+$", "\u03C0", true},
    {"^\\p{Letter}+$", "123", false},
};

class SuiteTest : public testing::TestWithParam<Case> {};

TEST_P(SuiteTest, MatchesLikeV8) {
  const Case& c = GetParam();
  EXPECT_EQ(Matches(c.pattern, c.subject), c.matches);
}

INSTANTIATE_TEST_SUITE_P(JsonSchemaTestSuite, SuiteTest, testing::ValuesIn(kSuiteCases));

// optional/format/ecmascript-regex.json: which strings are valid ECMA-262 regular expressions.
TEST(EcmaRegexTest, SuiteFormatRegexValidity) {
  for (const char* invalid :
       {"\\a", "(?P<name>x)", "(?P<n>a)(?P=n)", "(?#comment)a", "(?i)abc", "(?ims)abc"}) {
    EXPECT_NE(CompileError(invalid), "") << invalid;
  }
  for (const char* valid : {"(?<name>x)", "(?<n>a)\\k<n>", "[]", "[^]", "\\cA"}) {
    EXPECT_EQ(CompileError(valid), "") << valid;
  }
  // Known gap: the suite (and V8) accept variable-length lookbehind; PCRE2 10.42 cannot run it.
  EXPECT_NE(CompileError("(?<=a+)b").find("variable-length lookbehind at offset 0"),
            std::string::npos);
}

// --- Anchors and the dot ---------------------------------------------------------------------

TEST(EcmaRegexTest, DollarMatchesOnlyAtTheVeryEnd) {
  EXPECT_TRUE(Matches("^abc$", "abc"));
  EXPECT_FALSE(Matches("^abc$", "abc\n"));  // PCRE2's default $ would match here
  EXPECT_FALSE(Matches("abc$", "abc\ndef"));
  EXPECT_TRUE(Matches("c$", "abc"));
}

TEST(EcmaRegexTest, CaretMatchesOnlyAtTheStart) {
  EXPECT_TRUE(Matches("^b", "b\na"));
  EXPECT_FALSE(Matches("^b", "a\nb"));
  EXPECT_FALSE(Matches("^b", "ab"));
}

TEST(EcmaRegexTest, DotExcludesExactlyTheLineTerminators) {
  for (const char* terminator : {"\n", "\r", "\u2028", "\u2029"}) {
    EXPECT_FALSE(Matches("^.$", terminator)) << terminator;
  }
  for (const char* other : {"a", " ", "\t", "\x0b", "\x0c", "\u0085", "\u00E9", "\U0001F600"}) {
    EXPECT_TRUE(Matches("^.$", other)) << other;
  }
  EXPECT_TRUE(Matches("^..$", "\U0001F600\U0001F600"));  // one code point each, not two units
}

// --- Character class escapes -------------------------------------------------------------------

TEST(EcmaRegexTest, DigitAndWordAreAsciiOnly) {
  EXPECT_TRUE(Matches("^\\d+$", "0123456789"));
  EXPECT_FALSE(Matches("\\d", "\u0663"));  // ARABIC-INDIC DIGIT THREE
  EXPECT_FALSE(Matches("\\d", "\uFF11"));  // FULLWIDTH DIGIT ONE
  EXPECT_TRUE(Matches("^\\w+$", "azAZ09_"));
  EXPECT_FALSE(Matches("\\w", "\u00E9"));
  EXPECT_FALSE(Matches("\\w", "\u212A"));  // KELVIN SIGN (Unicode case-folds to k)
  EXPECT_TRUE(Matches("^\\D$", "\u0663"));
  EXPECT_TRUE(Matches("^\\W$", "\u00E9"));
  EXPECT_FALSE(Matches("\\W", "a_1"));
}

TEST(EcmaRegexTest, WordBoundariesAreAscii) {
  EXPECT_TRUE(Matches("\\bx", "\u00E9x"));  // é is not a word character, so this is a boundary
  EXPECT_FALSE(Matches("\\bx", "ax"));
  EXPECT_TRUE(Matches("x\\b", "x\u00E9"));
  EXPECT_TRUE(Matches("\\Bx", "ax"));
  EXPECT_FALSE(Matches("\\Bx", "\u00E9x"));
  EXPECT_TRUE(Matches("^\\B$", ""));
  EXPECT_FALSE(Matches("\\b", ""));
}

TEST(EcmaRegexTest, SpaceIsEcmaWhiteSpaceAndLineTerminators) {
  for (const char* space :
       {"\t", "\n", "\x0b", "\x0c", "\r", " ", "\u00A0", "\u1680", "\u2000", "\u2005", "\u200A",
        "\u2028", "\u2029", "\u202F", "\u205F", "\u3000", "\uFEFF"}) {
    EXPECT_TRUE(Matches("^\\s$", space)) << space;
    EXPECT_FALSE(Matches("\\S", space)) << space;
  }
  // NEL, MONGOLIAN VOWEL SEPARATOR (no longer Zs), ZERO WIDTH SPACE: not ECMA white space.
  for (const char* other : {"\u0085", "\u180E", "\u200B", "\x1c", "a"}) {
    EXPECT_FALSE(Matches("\\s", other)) << other;
    EXPECT_TRUE(Matches("^\\S$", other)) << other;
  }
}

TEST(EcmaRegexTest, ClassEscapesAndTheirComplementsInsideClasses) {
  EXPECT_TRUE(Matches("^[\\d\\s]+$", "1 2\u3000"));
  EXPECT_TRUE(Matches("^[\\S]$", "\u00E9"));
  EXPECT_FALSE(Matches("[\\S]", " \u00A0"));
  EXPECT_TRUE(Matches("^[\\W\\d]$", "5"));
  EXPECT_TRUE(Matches("^[\\W\\d]$", "\u00E9"));
  EXPECT_FALSE(Matches("[\\W\\d]", "a"));
  EXPECT_FALSE(Matches("[^\\W\\d]", "5"));
  EXPECT_TRUE(Matches("^[^\\W\\d]$", "_"));
  EXPECT_TRUE(Matches("^[^\\D]$", "7"));
  EXPECT_FALSE(Matches("[^\\s\\S]", "a \n"));
  EXPECT_TRUE(Matches("^[\\s\\S]$", "\n"));
}

TEST(EcmaRegexTest, EmptyAndFullClasses) {
  EXPECT_FALSE(Matches("[]", "abc"));
  EXPECT_FALSE(Matches("a[]", "a"));
  EXPECT_TRUE(Matches("a[]*b", "ab"));
  EXPECT_TRUE(Matches("^[^]$", "\n"));
  EXPECT_TRUE(Matches("^[^]$", "\U0010FFFF"));
  EXPECT_FALSE(Matches("[^]", ""));
}

TEST(EcmaRegexTest, ClassRanges) {
  EXPECT_TRUE(Matches("^[a-c]+$", "abc"));
  EXPECT_TRUE(Matches("^[--a]$", "0"));  // '-' to 'a'
  EXPECT_TRUE(Matches("^[a-]$", "-"));
  EXPECT_TRUE(Matches("^[-a]$", "-"));
  EXPECT_TRUE(Matches("^[a-b-c]$", "-"));
  EXPECT_TRUE(Matches("^[\\u{1F600}-\\u{1F64F}]$", "\U0001F610"));
  EXPECT_TRUE(Matches("^[\\uD83D\\uDE00-\\uD83D\\uDE4F]$", "\U0001F610"));
  EXPECT_NE(CompileError("[z-a]"), "");
  EXPECT_NE(CompileError("[a--]"), "");
  EXPECT_NE(CompileError("[\\d-z]"), "");  // a class escape cannot end a range in `u` mode
  EXPECT_NE(CompileError("[a-\\w]"), "");
}

// --- Escapes -------------------------------------------------------------------------------------

TEST(EcmaRegexTest, CharacterEscapes) {
  EXPECT_TRUE(Matches("^\\u00e9$", "\u00E9"));
  EXPECT_TRUE(Matches("^\\u{1F600}$", "\U0001F600"));
  EXPECT_TRUE(Matches("^\\u{0000000041}$", "A"));
  EXPECT_TRUE(Matches("^\\uD83D\\uDE00$", "\U0001F600"));  // a surrogate pair is one code point
  EXPECT_TRUE(Matches("^\\uD83D\\uDE00{2}$", "\U0001F600\U0001F600"));
  EXPECT_TRUE(Matches("^\\x41\\x7a$", "Az"));
  EXPECT_TRUE(Matches("^\\cJ\\cj$", "\n\n"));
  EXPECT_TRUE(Matches(std::string_view("^\\0$", 4), std::string_view("\0", 1)));
  EXPECT_TRUE(Matches("^\\f\\n\\r\\t\\v$", "\x0c\n\r\t\x0b"));
  EXPECT_TRUE(Matches("^\\/$", "/"));
  EXPECT_TRUE(Matches("^[\\-]$", "-"));
  EXPECT_TRUE(Matches("^[\\b]$", "\b"));
  EXPECT_TRUE(Matches("^\\^\\$\\\\\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|$", "^$\\.*+?()[]{}|"));
}

TEST(EcmaRegexTest, InvalidEscapesInUnicodeMode) {
  for (const char* pattern :
       {"\\a",   "\\-",         "\\ ",           "\\_",    "\\=",     "\\:",   "\\#",   "\\e",
        "\\u{}", "\\u{110000}", "\\u004",        "\\x4",   "\\x{41}", "\\c",   "\\c1",  "[\\c1]",
        "\\00",  "\\01",        "\\1",           "(a)\\2", "(a)\\10", "[\\1]", "[\\B]", "[\\k]",
        "\\k",   "\\k<a>",      "(?<a>x)\\k<b>", "\\",     "[\\"}) {
    EXPECT_NE(CompileError(pattern), "") << pattern;
  }
}

TEST(EcmaRegexTest, LoneSurrogatesNeverMatchUtf8) {
  // Valid ECMA; a UTF-8 subject cannot contain a lone surrogate.
  EXPECT_FALSE(Matches("\\uD83D", "\U0001F600"));
  EXPECT_FALSE(Matches("\\u{D83D}\\u{DE00}", "\U0001F600"));  // two lone surrogates, not a pair
  EXPECT_FALSE(Matches("[\\uD800-\\uDFFF]", "\U0001F600"));
  EXPECT_TRUE(Matches("^[^\\uD800]$", "a"));
  EXPECT_TRUE(Matches("^[\\u0000-\\uFFFF]$", "\uFFFD"));
}

// --- Unicode properties --------------------------------------------------------------------------

TEST(EcmaRegexTest, UnicodeProperties) {
  EXPECT_TRUE(Matches("^\\p{L}+$", "h\u00E9\u03C0"));
  EXPECT_TRUE(Matches("^\\p{Letter}$", "\u00E9"));
  EXPECT_TRUE(Matches("^\\p{gc=Lu}$", "\u00C9"));
  EXPECT_TRUE(Matches("^\\p{General_Category=Decimal_Number}$", "\u0663"));
  EXPECT_TRUE(Matches("^\\P{Lu}$", "a"));
  EXPECT_TRUE(Matches("^\\p{LC}$", "a"));
  EXPECT_TRUE(Matches("^\\p{Script=Greek}$", "\u03C0"));
  EXPECT_TRUE(Matches("^\\p{sc=Grek}$", "\u03C0"));
  EXPECT_FALSE(Matches("\\p{sc=Grek}", "p"));
  EXPECT_TRUE(Matches("^\\p{scx=Deva}$", "\u0964"));  // DEVANAGARI DANDA is Common, used by Deva
  EXPECT_FALSE(Matches("\\p{sc=Deva}", "\u0964"));
  EXPECT_TRUE(Matches("^\\p{Script_Extensions=Latin}$", "a"));
  EXPECT_TRUE(Matches("^\\p{sc=Qaai}$", "\u0300"));  // alias of Inherited
  EXPECT_TRUE(Matches("^\\p{Any}$", "\n"));
  EXPECT_FALSE(Matches("\\P{Any}", "a"));
  EXPECT_TRUE(Matches("^\\p{Assigned}$", "a"));
  EXPECT_FALSE(Matches("\\p{Assigned}", "\U000E0080"));  // unassigned
  EXPECT_TRUE(Matches("^\\P{Assigned}$", "\U000E0080"));
  EXPECT_TRUE(Matches("^[^\\p{Assigned}]$", "\U000E0080"));
  EXPECT_TRUE(Matches("^\\p{ASCII}+$", "\x01~"));
  EXPECT_TRUE(Matches("^\\p{Alpha}$", "\u00E9"));
  EXPECT_TRUE(Matches("^\\p{Emoji_Presentation}$", "\U0001F600"));
  EXPECT_TRUE(Matches("^\\p{Hex}+$", "09afAF\uFF21"));
  EXPECT_TRUE(Matches("^\\p{space}$", "\u0085"));  // White_Space, unlike \s
  EXPECT_TRUE(Matches("^[\\p{N}\\p{P}]+$", "1.\u0663!"));
  EXPECT_TRUE(Matches("^[^\\P{Lu}]$", "A"));
}

TEST(EcmaRegexTest, UnicodePropertyNamesAreExact) {
  // ECMA-262 property names are case-sensitive and limited to its tables; PCRE2's loose
  // matching must not leak through.
  for (const char* pattern : {"\\p{letter}",
                              "\\p{l}",
                              "\\p{L&}",
                              "\\p{Latin}",
                              "\\p{IsGreek}",
                              "\\p{InBasicLatin}",
                              "\\p{Bidi_Class=L}",
                              "\\p{bc=L}",
                              "\\p{sc=greek}",
                              "\\p{sc=Hrkt}",
                              "\\p{Script=Lu}",
                              "\\p{gc=Greek}",
                              "\\p{Xan}",
                              "\\p{Xwd}",
                              "\\p{RGI_Emoji}",
                              "\\p{ L}",
                              "\\p{L",
                              "\\p",
                              "\\pL",
                              "\\p{}",
                              "\\p{sc=}",
                              "\\p{=L}",
                              "\\p{gc=L=L}",
                              "[\\p{L}-z]"}) {
    EXPECT_NE(CompileError(pattern), "") << pattern;
  }
}

TEST(EcmaRegexTest, PropertiesPcre2LacksAreReportedAsUnsupported) {
  EXPECT_NE(CompileError("\\p{CWKCF}").find("not supported"), std::string::npos);
  // Unicode 15 script; PCRE2 10.42's tables are Unicode 14.
  EXPECT_NE(CompileError("\\p{sc=Kawi}").find("not supported"), std::string::npos);
}

// --- Groups and backreferences -----------------------------------------------------------------

TEST(EcmaRegexTest, NamedGroupsAndBackreferences) {
  EXPECT_TRUE(Matches("^(?<year>\\d{4})-\\k<year>$", "2024-2024"));
  EXPECT_FALSE(Matches("^(?<year>\\d{4})-\\k<year>$", "2024-2025"));
  EXPECT_TRUE(Matches("^(a)(b)\\2\\1$", "abba"));
  EXPECT_TRUE(Matches("^(?<$\u00E9_1>x)\\k<$\u00E9_1>$", "xx"));  // non-ASCII and $ in names
  EXPECT_TRUE(Matches("^(?<\\u0061>x)\\k<a>$", "xx"));            // escapes in names
  EXPECT_TRUE(Matches("^(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\\10$", "abcdefghijj"));
  EXPECT_NE(CompileError("(?<a>x)(?<a>y)"), "");
  EXPECT_NE(CompileError("(?<a>x)|(?<a>y)"), "");
  EXPECT_NE(CompileError("(?<1a>x)"), "");
  EXPECT_NE(CompileError("(?<a-b>x)"), "");
  EXPECT_NE(CompileError("(?<>x)"), "");
}

TEST(EcmaRegexTest, BackreferencesToUnsetGroupsMatchEmpty) {
  EXPECT_TRUE(Matches("^\\k<a>(?<a>x)$", "x"));  // forward reference
  EXPECT_TRUE(Matches("^(?:(a)|b)\\1$", "b"));
  EXPECT_TRUE(Matches("^(a\\1)$", "a"));  // a group referring to itself
  EXPECT_TRUE(Matches("^(?:(a)|b)\\1+?$", "b"));
  EXPECT_TRUE(Matches("^(\\1+?){2}$", ""));    // PCRE2 10.42 JIT gets this wrong with
                                               // PCRE2_MATCH_UNSET_BACKREF
  EXPECT_TRUE(Matches("^(?!(a))\\1b$", "b"));  // captures of a failed negative lookahead
}

TEST(EcmaRegexTest, Lookarounds) {
  EXPECT_TRUE(Matches("^(?=.*\\d)(?=.*[a-z]).{6,}$", "abc123"));
  EXPECT_FALSE(Matches("^(?=.*\\d)(?=.*[a-z]).{6,}$", "abcdef"));
  EXPECT_TRUE(Matches("^(?!admin$)\\w+$", "administrator"));
  EXPECT_FALSE(Matches("^(?!admin$)\\w+$", "admin"));
  EXPECT_TRUE(Matches("(?<=\\$)\\d+", "$42"));
  EXPECT_FALSE(Matches("(?<=\\$)\\d+", "\u20AC42"));
  EXPECT_TRUE(Matches("(?<!\\$)\\b\\d+", "\u20AC42"));
  EXPECT_TRUE(Matches("(?<=ab|c)d", "abd"));  // alternatives of different fixed lengths
  EXPECT_TRUE(Matches("(?<=\U0001F600)x", "\U0001F600x"));
  // PCRE2 10.42 computes a wrong first code unit for this without PCRE2_NO_START_OPTIMIZE.
  EXPECT_TRUE(Matches("(?=b)a*b", "b"));
  EXPECT_TRUE(Matches("((?=b)(?:a?)*)b", "b"));
}

TEST(EcmaRegexTest, LookbehindLimits) {
  EXPECT_NE(CompileError("x(?<=a+)b").find("variable-length lookbehind at offset 1"),
            std::string::npos);
  EXPECT_NE(CompileError("(?<=a)(?<!b|cd?)").find("at offset 6"), std::string::npos);
  EXPECT_NE(CompileError("(a)(?<=\\1)").find("backreference inside a lookbehind"),
            std::string::npos);
  EXPECT_NE(CompileError("(?<=a)*"), "");  // `u` mode: assertions take no quantifier
  EXPECT_NE(CompileError("(?=a)+"), "");
}

TEST(EcmaRegexTest, InvalidGroups) {
  for (const char* pattern :
       {"(",      "(a",    "a)",     "(?",      "(?:",   "(?<",       "(?<a",
        "(?<a>",  "(?x)",  "(?i:a)", "(?-i:a)", "(?>a)", "(?|a)",     "(?P<n>a)",
        "(?P=n)", "(?#c)", "(?R)",   "(?1)",    "(?&n)", "(?(1)a|b)", "(?C1)"}) {
    EXPECT_NE(CompileError(pattern), "") << pattern;
  }
}

// --- Quantifiers ---------------------------------------------------------------------------------

TEST(EcmaRegexTest, Quantifiers) {
  EXPECT_TRUE(Matches("^a{2}$", "aa"));
  EXPECT_FALSE(Matches("^a{2}$", "aaa"));
  EXPECT_TRUE(Matches("^a{2,}$", "aaaa"));
  EXPECT_TRUE(Matches("^a{1,3}$", "aaa"));
  EXPECT_FALSE(Matches("^a{1,3}$", "aaaa"));
  EXPECT_TRUE(Matches("^a{0}$", ""));
  EXPECT_TRUE(Matches("^a{1,3}?b$", "aab"));
  EXPECT_TRUE(Matches("^a*?b$", "aab"));
  EXPECT_TRUE(Matches("^a+?$", "aa"));
  EXPECT_TRUE(Matches("^a??b$", "b"));
  EXPECT_TRUE(Matches("^(?:ab){2}$", "abab"));
  EXPECT_TRUE(Matches("^\U0001F600{3}$", "\U0001F600\U0001F600\U0001F600"));
  EXPECT_TRUE(Matches("^a{65535}$", std::string(65535, 'a')));
}

TEST(EcmaRegexTest, BracesAndBracketsThatAreNotSyntaxAreErrors) {
  for (const char* pattern : {"{",
                              "a{",
                              "a{1",
                              "a{,5}",
                              "a{ 2}",
                              "a{1,2",
                              "x{1}{2}",
                              "}",
                              "a}",
                              "]",
                              "a]",
                              "*",
                              "+a",
                              "?",
                              "a**",
                              "a|*",
                              "^*",
                              "$+",
                              "\\b*",
                              "x{2,1}",
                              "a{65536}",
                              "a{1,65536}",
                              "a{99999999999999999999}"}) {
    EXPECT_NE(CompileError(pattern), "") << pattern;
  }
}

// --- PCRE2-only syntax -----------------------------------------------------------------------

TEST(EcmaRegexTest, Pcre2OnlySyntaxIsRejected) {
  for (const char* pattern : {"\\A",      "\\Z",         "\\z",         "\\G",
                              "\\h",      "\\H",         "\\V",         "\\R",
                              "\\X",      "\\C",         "\\N",         "\\K",
                              "\\Qa\\E",  "\\E",         "\\g1",        "\\g{1}",
                              "\\o{101}", "\\101",       "\\e",         "\\l",
                              "\\U",      "a++",         "a*+",         "a?+",
                              "a{2}+",    "(?>a)",       "(?i)a",       "(?s).",
                              "(?m)^",    "(?x)a b",     "(*UTF)a",     "(*LIMIT_MATCH=1)a",
                              "(*FAIL)",  "(*ACCEPT)",   "[[:alpha:]]", "[[=a=]]",
                              "[[.a.]]",  "(?#comment)", "\\p{Xan}",    "\\pL"}) {
    EXPECT_NE(CompileError(pattern), "") << pattern;
  }
}

TEST(EcmaRegexTest, Pcre2MetacharactersStayLiteral) {
  // Characters that mean something to PCRE2 (with or without options) but not to ECMA.
  EXPECT_TRUE(Matches("^a#b$", "a#b"));
  EXPECT_TRUE(Matches("^a b$", "a b"));
  EXPECT_FALSE(Matches("^a b$", "ab"));
  EXPECT_TRUE(Matches("^#.*$", "# comment"));
  EXPECT_TRUE(Matches("^[[:alpha:]$", ":"));  // a class of [ : a l p h, then $
  EXPECT_FALSE(Matches("^[[:alpha:]$", "b"));
  EXPECT_TRUE(Matches("^\\(\\*UTF\\)$", "(*UTF)"));
  EXPECT_TRUE(Matches("^<>&'\"%@!=:;,~`$", "<>&'\"%@!=:;,~`"));
  EXPECT_TRUE(Matches("^\\/\\/$", "//"));
  const auto regex = MustCompile("a#b c");
  ASSERT_NE(regex, nullptr);
  EXPECT_EQ(regex->pattern(), "a#b c");
  EXPECT_EQ(regex->pcre2_pattern(), "a\\#b\\x{20}c");
}

// --- UTF-8 -------------------------------------------------------------------------------------

TEST(EcmaRegexTest, InvalidUtf8SubjectDoesNotMatch) {
  const auto regex = MustCompile(".*");
  ASSERT_NE(regex, nullptr);
  for (const char* bad :
       {"\xff", "a\x80", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82"}) {
    EXPECT_EQ(regex->Search(bad), Match::kNo);
  }
  EXPECT_EQ(regex->Search("\xe2\x82\xac"), Match::kYes);
}

TEST(EcmaRegexTest, InvalidUtf8PatternIsAnError) {
  EXPECT_EQ(CompileError("ab\xff"), "pattern is not valid UTF-8 at offset 2");
}

TEST(EcmaRegexTest, EmptySubjectAndPattern) {
  EXPECT_EQ(MustCompile("^$")->Search(std::string_view()), Match::kYes);
  EXPECT_EQ(MustCompile("")->Search("anything"), Match::kYes);
  EXPECT_EQ(MustCompile("a|")->Search(""), Match::kYes);
}

// --- Errors and limits -------------------------------------------------------------------------

TEST(EcmaRegexTest, ErrorsSayWhatAndWhere) {
  EXPECT_EQ(CompileError("abc(def"), "unterminated group at offset 3");
  EXPECT_EQ(CompileError("ab[cd"), "unterminated character class at offset 2");
  EXPECT_EQ(CompileError("ab)"), "unmatched ')' at offset 2");
  EXPECT_EQ(CompileError("a**"), "nothing to repeat at offset 2");
  EXPECT_EQ(CompileError("\u00E9\\a"), "invalid escape '\\a' at offset 2");  // bytes
}

TEST(EcmaRegexTest, PatternLengthLimit) {
  EcmaRegex::Limits limits;
  limits.max_pattern_bytes = 8;
  EXPECT_TRUE(EcmaRegex::Compile("12345678", limits).ok());
  const auto too_long = EcmaRegex::Compile("123456789", limits);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.status().code(), StatusCode::kInvalidArgument);
}

TEST(EcmaRegexTest, DeepNestingIsRefusedNotACrash) {
  EXPECT_NE(CompileError(std::string(5000, '(') + std::string(5000, ')')), "");
  EXPECT_EQ(CompileError(std::string(100, '(') + "a" + std::string(100, ')')), "");
}

TEST(EcmaRegexTest, CatastrophicBacktrackingHitsTheLimitQuickly) {
  const auto regex = MustCompile("^(a+)+$");
  ASSERT_NE(regex, nullptr);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(regex->Search("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"), Match::kLimitExceeded);
  // A safety check, not a benchmark: without the limit this takes minutes.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(regex->Search("aaaa"), Match::kYes);
}

TEST(EcmaRegexTest, MatchLimitIsConfigurable) {
  EcmaRegex::Limits tight;
  tight.match_limit = 10;
  auto regex = EcmaRegex::Compile("^(?:a|b)*\\d", tight);
  ASSERT_TRUE(regex.ok());
  EXPECT_EQ((*regex)->Search(std::string(1000, 'a')), Match::kLimitExceeded);
  EXPECT_EQ(MustCompile("^(?:a|b)*\\d")->Search(std::string(1000, 'a')), Match::kNo);
}

// --- Threads -----------------------------------------------------------------------------------

TEST(EcmaRegexTest, SearchFromEightThreadsAtOnce) {
  struct Probe {
    std::unique_ptr<const EcmaRegex> regex;
    std::string subject;
    Match expected;
  };
  std::vector<Probe> probes;
  probes.push_back({MustCompile("^[a-z][a-z0-9_-]{0,62}$"), "my-service_1", Match::kYes});
  probes.push_back({MustCompile("^[a-z][a-z0-9_-]{0,62}$"), "My-service", Match::kNo});
  probes.push_back({MustCompile("^(?<y>\\d{4})-\\k<y>$"), "2024-2024", Match::kYes});
  probes.push_back({MustCompile("\\p{Script=Greek}"), "abc \u03C0", Match::kYes});
  probes.push_back({MustCompile("(?<=\\$)\\d+"), "cost: $42", Match::kYes});
  EcmaRegex::Limits tight;
  tight.match_limit = 10'000;
  auto hostile = EcmaRegex::Compile("^(a+)+$", tight);
  ASSERT_TRUE(hostile.ok());
  probes.push_back(
      {std::move(hostile).value(), "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", Match::kLimitExceeded});
  for (const Probe& p : probes) ASSERT_NE(p.regex, nullptr);

  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const Probe& p = probes[static_cast<std::size_t>(i + t) % probes.size()];
        if (p.regex->Search(p.subject) != p.expected) wrong.fetch_add(1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

// --- CheckLegacySyntax: `new RegExp(pattern)` without flags (ajv-formats' `regex`) -------------

struct LegacyCase {
  const char* pattern;
  bool valid;
};

// Whether `new RegExp(pattern)` succeeds in Node 20.20 (V8 11.3), as Node answered for each;
// grouped by the rule of ECMA-262's grammar (with Annex B) that decides it.
constexpr LegacyCase kLegacyCases[] = {
    // Realistic patterns
    {"^\\d{3}\\-\\d{4}$", true},
    {"^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}$", true},
    {"^(\\d{4})-(\\d{2})-(\\d{2})$", true},
    {"^https?:\\/\\/[^\\s/$.?#].[^\\s]*$", true},
    {"(?=.*\\d)(?=.*[a-z]).{8,}", true},
    {"^#?([a-f0-9]{6}|[a-f0-9]{3})$", true},
    {"\\/\\*[\\s\\S]*?\\*\\/", true},
    {"^(?:[01]\\d|2[0-3]):[0-5]\\d$", true},
    {"[\\w.\\-]+", true},
    {"^\\$\\{(\\w+)\\}$", true},
    {"", true},
    {"^$", true},
    {"a|b|", true},
    {"(?:)", true},
    // Identity escapes of any character but c (and k once there are named groups)
    {"\\a", true},
    {"\\-", true},
    {"\\_", true},
    {"\\e", true},
    {"\\q", true},
    {"\\ ", true},
    {"\\/", true},
    {"\\\"", true},
    {"\\\u00E9", true},
    {"\\\U0001F600", true},
    {"\\Z", true},
    {"a\\\\Z", true},
    {"\\p{L}", true},
    {"\\P{Lu}", true},
    {"\\p", true},
    {"\\M", true},
    {"\\i", true},
    // Lone braces and brackets are literals
    {"{", true},
    {"}", true},
    {"]", true},
    {"a{", true},
    {"a{1", true},
    {"a{1,", true},
    {"a{1,2", true},
    {"a{,2}", true},
    {"a{,}", true},
    {"x{a}", true},
    {"{}", true},
    {"{{0}", true},
    {"}{", true},
    {"a]", true},
    {"[]]", true},
    {"{,5}*", true},
    {"a{*", true},
    {"^{", true},
    // Quantifiers
    {"a*", true},
    {"a+?", true},
    {"a??", true},
    {"a{2}", true},
    {"a{2,}", true},
    {"a{2,3}?", true},
    {"a{0}", true},
    {"a{2,2}", true},
    {"a{2147483648}", true},
    {"a{99999999999,2147483647}", true},
    {"a{2,1}", false},
    {"a{99999999999,2147483646}", false},
    {"a{2147483647,2147483646}", false},
    {"a{2}{,3}", true},
    {"a{2}{", true},
    // Nothing to repeat
    {"*", false},
    {"+", false},
    {"?", false},
    {"*?", false},
    {"a**", false},
    {"a*+", false},
    {"a++", false},
    {"a*??", false},
    {"a{2}*", false},
    {"a{2}{3}", false},
    {"{2}", false},
    {"{1,}", false},
    {"{1,2}", false},
    {"(*)", false},
    {"(+a)", false},
    {"(?:?)", false},
    {"(|{2})", false},
    {"a|*", false},
    {"a|?", false},
    {"(?=*)", false},
    // Assertions
    {"^*", false},
    {"$+", false},
    {"\\b*", false},
    {"\\B{2}", false},
    {"^?", false},
    {"^{", true},
    {"$a", true},
    {"a^", true},
    {"\\b\\B^$", true},
    // Lookarounds: a lookahead may take a quantifier, a lookbehind may not
    {"(?=a)*", true},
    {"(?!a)+", true},
    {"(?=a)??", true},
    {"(?!a){1,2}?", true},
    {"(?=a){2}{3}", false},
    {"(?<=a)*", false},
    {"(?<!a)+", false},
    {"(?<=a)?", false},
    {"(?<=a){2}", false},
    {"(?<=a){", true},
    {"(?<=(?=a)*)", true},
    {"(?=(?<=a)+)", false},
    {"(?<=a)b", true},
    {"(?<!a|bc)d", true},
    // Groups
    {"(", false},
    {")", false},
    {"(a", false},
    {"a)", false},
    {"((a)", false},
    {"(a))", false},
    {"()", true},
    {"()+", true},
    {"(?:a)*", true},
    {"(?:", false},
    {"(?", false},
    {"(?x)", false},
    {"(?i:a)", false},
    {"(?i)a", false},
    {"(?#comment)", false},
    {"(?P<n>a)", false},
    {"(?>a)", false},
    {"(?|a)", false},
    {"(?-i:a)", false},
    {"(?<=", false},
    {"(?<!a", false},
    // Character classes
    {"[", false},
    {"[a", false},
    {"[^", false},
    {"[]", true},
    {"[^]", true},
    {"[a-z]", true},
    {"[z-a]", false},
    {"[b-a]", false},
    {"[a-a]", true},
    {"[-a]", true},
    {"[a-]", true},
    {"[--]", true},
    {"[a--]", false},
    {"[\\-a]", true},
    {"[a-\\-]", false},
    {"[\\--a]", true},
    {"[\\]]", true},
    {"[[]", true},
    {"[[]]", true},
    {"[^-^]", true},
    {"[(]", true},
    {"[\\", false},
    {"[a-\\", false},
    // Class escapes as range ends are unions (Annex B)
    {"[\\d-z]", true},
    {"[z-\\d]", true},
    {"[\\w-\\d]", true},
    {"[a-\\w]", true},
    {"[\\s--]", true},
    {"[\\W-\\S]", true},
    {"[\\D-]", true},
    {"[.-\\w]", true},
    // Class range values: escapes are decoded, non-BMP characters are two code units
    {"[\\b-\\n]", true},
    {"[\\n-\\b]", false},
    {"[\\t-\\r]", true},
    {"[\\0-\\x00]", true},
    {"[\\x41-\\x5a]", true},
    {"[\\x5a-\\x41]", false},
    {"[\\x4-5]", true},
    {"[\\x5-4]", false},
    {"[\\u0041-\\u005A]", true},
    {"[\\u005A-\\u0041]", false},
    {"[\\u12-3]", true},
    {"[\\u{41}-\\u{5a}]", false},
    {"[\U0001F600-\U0001F602]", false},
    {"[\U0001F600]", true},
    {"[\\uD83D\\uDE00-\\uD83D\\uDE02]", false},
    {"[\u00E9-\u00FC]", true},
    {"[\u00FC-\u00E9]", false},
    {"[\\p{L}-a]", false},
    {"[\\B-a]", true},
    {"[a-\\B]", false},
    // \c: a control letter, or a literal backslash
    {"\\cA", true},
    {"\\cz", true},
    {"\\c", true},
    {"\\c1", true},
    {"\\c*", true},
    {"a\\c", true},
    {"[\\c]", true},
    {"[\\cA-\\ca]", true},
    {"[\\c1-\\x10]", false},
    {"[\\c1-\\x11]", true},
    {"[\\c_-\\c1]", false},
    {"[\\c-a]", false},
    {"[\\c-\\c]", false},
    {"[\\c_]", true},
    // Hex and Unicode escapes without the u flag
    {"\\x41", true},
    {"\\x4", true},
    {"\\xg", true},
    {"\\u0041", true},
    {"\\u004", true},
    {"\\u{41}", true},
    {"\\u{41}{2}", false},
    {"\\u{4A}", true},
    {"\\u{1F600}", true},
    {"\\uD83D", true},
    {"\\uDE00", true},
    // Decimal and octal escapes
    {"\\0", true},
    {"\\00", true},
    {"\\1", true},
    {"\\8", true},
    {"\\9", true},
    {"\\12", true},
    {"\\1(a)", true},
    {"(a)\\1", true},
    {"(a)\\2", true},
    {"\\377", true},
    {"\\400", true},
    {"[\\1-\\0]", false},
    {"[\\8-\\0]", false},
    {"[\\08]", true},
    {"[\\377-\\400]", false},
    {"[\\0-\\377]", true},
    {"[\\7-\\10]", true},
    {"[\\10-\\7]", false},
    // \k without named groups is a literal k
    {"\\k", true},
    {"\\k<a>", true},
    {"\\k<a", true},
    {"[\\k]", true},
    {"a\\k<1>", true},
    // Named groups
    {"(?<a>x)\\k<a>", true},
    {"\\k<a>(?<a>x)", true},
    {"(?<a>x)\\k", false},
    {"(?<a>x)\\k<b>", false},
    {"\\k<b>(?<a>x)", false},
    {"(?<a>)\\k<a", false},
    {"(?<a>)[\\k]", false},
    {"[\\k](?<a>)", false},
    {"(?<a>x)(?<a>y)", false},
    {"(?<a>x)|(?<a>y)", false},
    {"(?<a>x)(?<b>y)", true},
    {"(?<1>x)", false},
    {"(?<>x)", false},
    {"(?<a", false},
    {"(?<a>", false},
    {"(?<a-b>x)", false},
    {"(?<$_>x)", true},
    {"(?<a1>x)", true},
    {"(?<\u00E9>x)", true},
    {"(?<\U0001D49C>x)", true},
    {"(?<\U0001F600>x)", false},
    {"(?<a\u200D>x)", true},
    {"(?<\u200Da>x)", false},
    {"(?<\\u0061>x)\\k<a>", true},
    {"(?<a>x)(?<\\u0061>y)", false},
    {"(?<\\u{61}>x)", true},
    {"(?<\\u{1D49C}>x)", true},
    {"(?<\\uD835\\uDC9C>x)", true},
    {"(?<\\uD835>x)", false},
    {"(?<a\\uDC9C>x)", false},
    {"(?<\\u{D835}\\u{DC9C}>x)", false},
    {"(?<a\\u{}>x)", false},
    {"(?<a\\u{110000}>x)", false},
    {"(?<a\\x61>x)", false},
    {"(?<a\\>x)", false},
    {"(?<\U0001E4D0>x)", true},
    {"(?<a\u30FB>x)", true},
    // Line terminators and other characters
    {"\n", true},
    {"a\nb", true},
    {"[\n-\r]", true},
    {"\u2028", true},
    {"\t*", true},
    {"[\r-\n]", false},
    // The escape at the end
    {"\\", false},
    {"a\\", false},
    {"(a\\)", false},
    {"[a\\]", false},
};

TEST(LegacySyntaxTest, AgreesWithNode) {
  for (const LegacyCase& c : kLegacyCases) {
    const Status status = EcmaRegex::CheckLegacySyntax(c.pattern);
    EXPECT_EQ(status.ok(), c.valid) << "/" << c.pattern << "/: " << status.ToString();
    if (!status.ok()) {
      EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << c.pattern;
    }
  }
}

// The two grammars disagree both ways: Annex B's identity escapes and lone braces are not `u`
// syntax, and without `u` a non-BMP character is two code units, so a range between two of
// them runs from a trailing surrogate down to a leading one.
TEST(LegacySyntaxTest, DiffersFromUnicodeModeBothWays) {
  for (const char* pattern : {"\\a", "{", "a{,2}", "(?=a)*", "[\\d-z]", "\\8", "\\c"}) {
    EXPECT_TRUE(EcmaRegex::CheckLegacySyntax(pattern).ok()) << pattern;
    EXPECT_NE(CompileError(pattern), "") << pattern;
  }
  for (const char* pattern : {"[\U0001F600-\U0001F602]", "\\u{41}{2}"}) {
    EXPECT_FALSE(EcmaRegex::CheckLegacySyntax(pattern).ok()) << pattern;
    EXPECT_EQ(CompileError(pattern), "") << pattern;
  }
}

TEST(LegacySyntaxTest, NulIsAnOrdinaryCharacter) {
  EXPECT_TRUE(EcmaRegex::CheckLegacySyntax(std::string("a\0*", 3)).ok());
  EXPECT_TRUE(EcmaRegex::CheckLegacySyntax(std::string("[\0-a]", 5)).ok());
  EXPECT_FALSE(EcmaRegex::CheckLegacySyntax(std::string("[a-\0]", 5)).ok());
}

TEST(LegacySyntaxTest, InvalidUtf8IsAnError) {
  for (const char* pattern : {"ab\xff", "a\xc3", "\xed\xa0\x80", "\xc0\xaf", "\xf4\x90\x80\x80"}) {
    const Status status = EcmaRegex::CheckLegacySyntax(pattern);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << pattern;
    EXPECT_NE(status.message().find("not valid UTF-8"), std::string::npos) << pattern;
  }
  EXPECT_EQ(EcmaRegex::CheckLegacySyntax("ab\xff").message(),
            "pattern is not valid UTF-8 at offset 2");
}

TEST(LegacySyntaxTest, ErrorsSayWhatAndWhere) {
  const auto error = [](std::string_view pattern) {
    return EcmaRegex::CheckLegacySyntax(pattern).message();
  };
  EXPECT_EQ(error("abc(def"), "unterminated group at offset 3");
  EXPECT_EQ(error("ab[cd"), "unterminated character class at offset 2");
  EXPECT_EQ(error("ab)"), "unmatched ')' at offset 2");
  EXPECT_EQ(error("a**"), "nothing to repeat at offset 2");
  EXPECT_EQ(error("(?<=a)*"), "a lookbehind cannot take a quantifier at offset 6");
  EXPECT_EQ(error("a{2,1}"), "numbers out of order in {} quantifier at offset 1");
  EXPECT_EQ(error("(?x)"), "invalid group at offset 0");
  EXPECT_EQ(error("ab\\"), "\\ at end of pattern at offset 2");
  EXPECT_EQ(error("(?<a>x)(?<a>y)"), "duplicate capture group name at offset 7");
  EXPECT_EQ(error("(?<a>x)\\k<b>"), "reference to an unknown group name at offset 7");
  EXPECT_EQ(error("(?<a>x)\\k"), "invalid named reference at offset 7");
  // Offsets are in bytes, and half a surrogate pair is reported at its character.
  EXPECT_EQ(error("\u00E9[b-a]"), "range out of order in character class at offset 3");
  EXPECT_EQ(error("[\U0001F600-\U0001F602]"), "range out of order in character class at offset 1");
  EXPECT_EQ(error("\U0001F600)"), "unmatched ')' at offset 4");
}

// V8 allows 32767 capture groups, named or not, and no more.
TEST(LegacySyntaxTest, CaptureGroupLimitIsV8s) {
  std::string groups;
  for (int i = 0; i < 32767; ++i) groups += "()";
  EXPECT_TRUE(EcmaRegex::CheckLegacySyntax(groups).ok());
  EXPECT_TRUE(EcmaRegex::CheckLegacySyntax(groups + "(?:)").ok());
  EXPECT_FALSE(EcmaRegex::CheckLegacySyntax(groups + "()").ok());
  EXPECT_FALSE(EcmaRegex::CheckLegacySyntax(groups + "(?<a>)").ok());
  std::string named;
  for (int i = 0; i < 32768; ++i) named += "(?<n" + std::to_string(i) + ">)";
  EXPECT_FALSE(EcmaRegex::CheckLegacySyntax(named).ok());
}

// V8 parses nesting of any depth; so does the checker, without recursion.
TEST(LegacySyntaxTest, DeepNestingIsNotRecursion) {
  constexpr std::size_t kDepth = 200'000;
  std::string open;
  for (std::size_t i = 0; i < kDepth; ++i) open += "(?:";
  EXPECT_TRUE(EcmaRegex::CheckLegacySyntax(open + std::string(kDepth, ')')).ok());
  EXPECT_FALSE(EcmaRegex::CheckLegacySyntax(open + std::string(kDepth - 1, ')')).ok());
  std::string lookaheads;
  std::string lookbehinds;
  for (std::size_t i = 0; i < 100'000; ++i) {
    lookaheads += "(?=";
    lookbehinds += "(?<=";
  }
  std::string quantified;
  for (std::size_t i = 0; i < 100'000; ++i) quantified += ")*";
  EXPECT_TRUE(EcmaRegex::CheckLegacySyntax(lookaheads + quantified).ok());
  EXPECT_FALSE(EcmaRegex::CheckLegacySyntax(lookbehinds + quantified).ok());
  EXPECT_TRUE(EcmaRegex::CheckLegacySyntax(std::string(kDepth, '[') + "]").ok());
  EXPECT_TRUE(EcmaRegex::CheckLegacySyntax(std::string(kDepth, '{')).ok());
  EXPECT_FALSE(EcmaRegex::CheckLegacySyntax(std::string(kDepth + 1, '\\')).ok());
}

// Every name character is checked with Unicode 17 data, as Node 20.20's ICU 78 has it, not only
// the Unicode 14 tables of PCRE2 10.42.
TEST(LegacySyntaxTest, GroupNamesUseCurrentUnicode) {
  // U+1E4D0 NAG MUNDARI LETTER O (Unicode 15) starts a name; U+30FB KATAKANA MIDDLE DOT
  // (ID_Continue since 15.1) continues one; U+00B7 MIDDLE DOT continues but cannot start.
  EXPECT_TRUE(EcmaRegex::CheckLegacySyntax("(?<\U0001E4D0>x)").ok());
  EXPECT_TRUE(EcmaRegex::CheckLegacySyntax("(?<a\u30FB>x)").ok());
  EXPECT_FALSE(EcmaRegex::CheckLegacySyntax("(?<\u30FB>x)").ok());
  EXPECT_TRUE(EcmaRegex::CheckLegacySyntax("(?<a\u00B7>x)").ok());
  EXPECT_FALSE(EcmaRegex::CheckLegacySyntax("(?<\u00B7>x)").ok());
  EXPECT_EQ(CompileError("(?<\U0001E4D0>x)"), "");  // `u` mode reads names the same way
}

}  // namespace
}  // namespace capconf::schema::internal
