#include "robots.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>

namespace capconf::crawl {
namespace {

struct Check {
  std::string_view path;
  bool allowed;
};

void ExpectVerdicts(const RobotsRules& rules, std::initializer_list<Check> checks) {
  for (const Check& check : checks) {
    EXPECT_EQ(rules.IsAllowed(check.path), check.allowed) << check.path;
  }
}

TEST(ProductTokenTest, IsTheLeadingNameLowerCased) {
  EXPECT_EQ(ProductToken("capconf"), "capconf");
  EXPECT_EQ(ProductToken("CapConf/1.2 (+https://example.com/bot)"), "capconf");
  EXPECT_EQ(ProductToken("  my_bot-2"), "my_bot-");
  EXPECT_EQ(ProductToken("Googlebot-Image/1.0"), "googlebot-image");
  EXPECT_EQ(ProductToken("/1.0"), "");
}

TEST(NormalisePercentEncodingTest, FollowsRfc9309) {
  // The examples of RFC 9309 section 2.2.2.
  EXPECT_EQ(NormalisePercentEncoding("/foo/bar?baz=quz"), "/foo/bar?baz=quz");
  EXPECT_EQ(NormalisePercentEncoding("/foo/bar/\xE3\x83\x84"), "/foo/bar/%E3%83%84");
  EXPECT_EQ(NormalisePercentEncoding("/foo/bar/%E3%83%84"), "/foo/bar/%E3%83%84");
  EXPECT_EQ(NormalisePercentEncoding("/foo/bar/%62%61%7A"), "/foo/bar/baz");
  // Reserved characters stay encoded (in upper case); a stray '%' stays as it is.
  EXPECT_EQ(NormalisePercentEncoding("/a%2fb%3F%7e"), "/a%2Fb%3F~");
  EXPECT_EQ(NormalisePercentEncoding("/100%"), "/100%");
  EXPECT_EQ(NormalisePercentEncoding("/a b"), "/a%20b");
}

TEST(PatternMatchesTest, PrefixesWildcardsAndEndAnchors) {
  struct Case {
    std::string_view pattern;
    std::string_view path;
    bool matches;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"/", "/anything", true},
           {"/fish", "/fish", true},
           {"/fish", "/fish.html", true},
           {"/fish", "/fishheads/yummy.html", true},
           {"/fish", "/Fish.asp", false},
           {"/fish", "/catfish", false},
           {"/fish/", "/fish", false},
           {"/fish*", "/fish.php?id=anything", true},
           {"/*.php", "/folder/filename.php", true},
           {"/*.php", "/filename.php?parameters", true},
           {"/*.php", "/windows.PHP", false},
           {"/*.php$", "/filename.php", true},
           {"/*.php$", "/filename.php?parameters", false},
           {"/*.php$", "/filename.php5", false},
           {"/fish*.php", "/fish.php", true},
           {"/fish*.php", "/fishheads/catfish.php?parameters", true},
           {"/fish*.php", "/Fish.PHP", false},
           {"/$", "/", true},
           {"/$", "/a", false},
           {"/a$", "/a", true},
           {"*", "/x", true},
           {"/*", "/", true},
           {"/a**b", "/ab", true},
           {"/a*b*c$", "/abcbc", true},
           {"/a*b*c$", "/abcb", false},
           {"/a*bc$", "/abc", true},
           {"/a*$", "/a", true},
           {"/a*b$", "/ab/b", true},
       }) {
    EXPECT_EQ(PatternMatches(c.pattern, c.path), c.matches) << c.pattern << " vs " << c.path;
  }
}

TEST(RobotsRulesTest, AllowAllAndDisallowAll) {
  ExpectVerdicts(RobotsRules::AllowAll(), {{"/", true}, {"/private", true}});
  ExpectVerdicts(RobotsRules::DisallowAll(),
                 {{"/", false}, {"/private", false}, {"/robots.txt", true}});
}

TEST(RobotsRulesTest, LongestMatchWinsAndAllowWinsATie) {
  RobotsRules rules = RobotsRules::Parse(
      "User-agent: *\n"
      "Disallow: /docs/\n"
      "Allow: /docs/public/\n"
      "Disallow: /docs/public/secret\n"
      "Allow: /tie\n"
      "Disallow: /tie\n"
      "Disallow: /page\n"
      "Allow: /page$\n",
      "capconf");
  ExpectVerdicts(rules, {{"/", true},
                         {"/docs", true},
                         {"/docs/", false},
                         {"/docs/internal", false},
                         {"/docs/public/", true},
                         {"/docs/public/a.html", true},
                         {"/docs/public/secret.html", false},
                         {"/tie", true},
                         {"/page", true},
                         {"/page2", false},
                         {"/robots.txt", true}});
}

TEST(RobotsRulesTest, WildcardsAndQueries) {
  RobotsRules rules = RobotsRules::Parse(
      "user-agent: *\n"
      "disallow: /*.pdf$\n"
      "disallow: /*?session=\n"
      "disallow: /search\n",
      "capconf");
  ExpectVerdicts(rules, {{"/a/b.pdf", false},
                         {"/a/b.pdf?download=1", true},
                         {"/a/b.pdfx", true},
                         {"/list?session=1", false},
                         {"/list?page=2&session=1", true},
                         {"/list?page=2", true},
                         {"/search?q=x", false},
                         {"/searching", false}});
}

TEST(RobotsRulesTest, PicksTheGroupOfOurProductTokenElseStar) {
  constexpr std::string_view kRobots =
      "User-agent: *\n"
      "Disallow: /for-everyone\n"
      "\n"
      "User-agent: CapConf/1.0\n"
      "User-agent: otherbot\n"
      "Disallow: /for-us\n"
      "\n"
      "User-agent: thirdbot\n"
      "Disallow: /\n"
      "\n"
      "User-agent: capconf\n"
      "Allow: /for-us/but-this\n";
  // Our groups (both of them, merged); the * group does not apply to us.
  ExpectVerdicts(
      RobotsRules::Parse(kRobots, "capconf/2.0 (+https://example.com)"),
      {{"/for-everyone", true}, {"/for-us", false}, {"/for-us/but-this", true}, {"/other", true}});
  ExpectVerdicts(RobotsRules::Parse(kRobots, "OtherBot"),
                 {{"/for-us", false}, {"/for-us/but-this", false}, {"/for-everyone", true}});
  // No group of its own: the * group.
  ExpectVerdicts(RobotsRules::Parse(kRobots, "somebot"),
                 {{"/for-everyone", false}, {"/for-us", true}});
  // A token that only starts like ours is another crawler.
  ExpectVerdicts(RobotsRules::Parse("User-agent: capconf-extra\nDisallow: /\n", "capconf"),
                 {{"/x", true}});
}

TEST(RobotsRulesTest, NoMatchingGroupAllowsEverything) {
  ExpectVerdicts(RobotsRules::Parse("User-agent: otherbot\nDisallow: /\n", "capconf"),
                 {{"/", true}, {"/x", true}});
  ExpectVerdicts(RobotsRules::Parse("", "capconf"), {{"/", true}});
  ExpectVerdicts(RobotsRules::Parse("<html>not a robots.txt</html>", "capconf"), {{"/", true}});
}

TEST(RobotsRulesTest, ReadsTheSyntaxLeniently) {
  RobotsRules rules = RobotsRules::Parse(
      "\xEF\xBB\xBF"                     // a byte order mark
      "Disallow: /before-any-group\r\n"  // belongs to no group
      "# a comment\r\n"
      "USER-AGENT : * # trailing comment\r"
      "  Disallow:   /spaced   \r\n"
      "Sitemap: https://example.com/sitemap.xml\n"  // does not end the group
      "Crawl-delay: 10\n"
      "Disallow: /after-sitemap\n"
      "Disallow:\n"           // empty: matches nothing
      "Disallow: relative\n"  // not a path: ignored
      "Disallow /no-colon\n"  // not a rule
      "Allow: /spaced/ok # why\n",
      "capconf");
  ExpectVerdicts(rules, {{"/before-any-group", true},
                         {"/spaced", false},
                         {"/spaced/ok", true},
                         {"/after-sitemap", false},
                         {"/relative", true},
                         {"/no-colon", true},
                         {"/", true}});
}

TEST(RobotsRulesTest, AUserAgentLineAfterRulesStartsANewGroup) {
  RobotsRules rules = RobotsRules::Parse(
      "User-agent: capconf\n"
      "Disallow: /one\n"
      "User-agent: otherbot\n"
      "Disallow: /two\n",
      "capconf");
  ExpectVerdicts(rules, {{"/one", false}, {"/two", true}});
}

TEST(RobotsRulesTest, ComparesPercentEncodingNormalised) {
  RobotsRules rules = RobotsRules::Parse(
      "User-agent: *\n"
      "Disallow: /foo/bar/%62%61%7A\n"
      "Disallow: /caf\xC3\xA9\n"
      "Disallow: /a%2fb\n"
      "Disallow: /x%2Fy\n",
      "capconf");
  ExpectVerdicts(rules, {{"/foo/bar/baz", false},
                         {"/foo/bar/%62az", false},
                         {"/caf%C3%A9", false},
                         {"/caf%c3%a9/menu", false},
                         {"/a%2Fb", false},
                         {"/a/b", true},  // an encoded '/' is not a '/'
                         {"/x%2fy", false}});
}

TEST(RobotsRulesTest, ReadsOnlyTheFirst500KiB) {
  std::string robots = "User-agent: *\nDisallow: /early\n";
  while (robots.size() < RobotsRules::kMaxParsedBytes) robots += "# padding padding padding\n";
  robots += "Disallow: /late\n";
  ExpectVerdicts(RobotsRules::Parse(robots, "capconf"), {{"/early", false}, {"/late", true}});
}

}  // namespace
}  // namespace capconf::crawl
