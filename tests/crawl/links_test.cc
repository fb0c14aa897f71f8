#include "links.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace capconf::crawl {
namespace {

std::string Resolved(std::string_view base, std::string_view reference) {
  std::optional<HttpUrl> url = ResolveReference(base, reference);
  return url ? url->ToString() : "(none)";
}

std::vector<std::string> Links(std::string_view html, std::string_view page_url) {
  std::vector<std::string> out;
  for (const HttpUrl& url : ExtractLinks(html, page_url)) out.push_back(url.ToString());
  return out;
}

// --- URLs --------------------------------------------------------------------------------------

TEST(ParseHttpUrlTest, NormalisesSchemeHostAndPortAndDropsTheFragment) {
  Result<HttpUrl> url = ParseHttpUrl("HTTP://Example.COM/a/b?x=1#frag");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(url->scheme, "http");
  EXPECT_EQ(url->host, "example.com");
  EXPECT_EQ(url->port, 80);
  EXPECT_EQ(url->path, "/a/b");
  EXPECT_EQ(url->query, "x=1");
  EXPECT_EQ(url->Origin(), "http://example.com:80");
  EXPECT_EQ(url->Key(), "http://example.com:80/a/b?x=1");
  EXPECT_EQ(url->PathAndQuery(), "/a/b?x=1");
  EXPECT_EQ(url->ToString(), "http://example.com/a/b?x=1");
  EXPECT_EQ(url->ForDisplay(), "http://example.com/a/b");

  Result<HttpUrl> bare = ParseHttpUrl("https://example.com:8443");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->path, "/");
  EXPECT_EQ(bare->query, std::nullopt);
  EXPECT_EQ(bare->ToString(), "https://example.com:8443/");
  EXPECT_EQ(ParseHttpUrl("https://example.com:443/")->Key(),
            ParseHttpUrl("https://EXAMPLE.com/")->Key());

  Result<HttpUrl> v6 = ParseHttpUrl("http://[::1]:8080/x");
  ASSERT_TRUE(v6.ok()) << v6.status().ToString();
  EXPECT_EQ(v6->ToString(), "http://[::1]:8080/x");
}

TEST(ParseHttpUrlTest, RefusesWhatIsNotAnAbsoluteHttpUrl) {
  for (std::string_view url :
       {"ftp://example.com/", "javascript:alert(1)", "/relative", "example.com/x",
        "http://user:pw@example.com/", "http://", "mailto:someone@example.com"}) {
    Result<HttpUrl> parsed = ParseHttpUrl(url);
    EXPECT_FALSE(parsed.ok()) << url;
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << url;
    }
  }
}

TEST(RemoveDotSegmentsTest, FollowsRfc3986) {
  EXPECT_EQ(RemoveDotSegments("/a/b/c/./../../g"), "/a/g");
  EXPECT_EQ(RemoveDotSegments("mid/content=5/../6"), "mid/6");
  EXPECT_EQ(RemoveDotSegments("/../a"), "/a");
  EXPECT_EQ(RemoveDotSegments("/a/.."), "/");
  EXPECT_EQ(RemoveDotSegments("/a/b/."), "/a/b/");
  EXPECT_EQ(RemoveDotSegments("/a/..b/.c"), "/a/..b/.c");
}

// RFC 3986 section 5.4, with fragments dropped and what is not a new http(s) page left out.
TEST(ResolveReferenceTest, Rfc3986Examples) {
  constexpr std::string_view kBase = "http://a/b/c/d;p?q";
  struct Case {
    std::string_view reference;
    std::string_view expected;
  };
  for (const Case& c : std::initializer_list<Case>{
           // 5.4.1 Normal examples
           {"g:h", "(none)"},
           {"g", "http://a/b/c/g"},
           {"./g", "http://a/b/c/g"},
           {"g/", "http://a/b/c/g/"},
           {"/g", "http://a/g"},
           {"//g", "http://g/"},
           {"?y", "http://a/b/c/d;p?y"},
           {"g?y", "http://a/b/c/g?y"},
           {"#s", "(none)"},
           {"g#s", "http://a/b/c/g"},
           {"g?y#s", "http://a/b/c/g?y"},
           {";x", "http://a/b/c/;x"},
           {"g;x", "http://a/b/c/g;x"},
           {"g;x?y#s", "http://a/b/c/g;x?y"},
           {"", "(none)"},
           {".", "http://a/b/c/"},
           {"./", "http://a/b/c/"},
           {"..", "http://a/b/"},
           {"../", "http://a/b/"},
           {"../g", "http://a/b/g"},
           {"../..", "http://a/"},
           {"../../", "http://a/"},
           {"../../g", "http://a/g"},
           // 5.4.2 Abnormal examples
           {"../../../g", "http://a/g"},
           {"../../../../g", "http://a/g"},
           {"/./g", "http://a/g"},
           {"/../g", "http://a/g"},
           {"g.", "http://a/b/c/g."},
           {".g", "http://a/b/c/.g"},
           {"g..", "http://a/b/c/g.."},
           {"..g", "http://a/b/c/..g"},
           {"./../g", "http://a/b/g"},
           {"./g/.", "http://a/b/c/g/"},
           {"g/./h", "http://a/b/c/g/h"},
           {"g/../h", "http://a/b/c/h"},
           {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
           {"g;x=1/../y", "http://a/b/c/y"},
           {"g?y/./x", "http://a/b/c/g?y/./x"},
           {"g?y/../x", "http://a/b/c/g?y/../x"},
           {"g#s/./x", "http://a/b/c/g"},
           {"g#s/../x", "http://a/b/c/g"},
           {"http:g", "http://a/b/c/g"},  // the non-strict reading, as browsers do
       }) {
    EXPECT_EQ(Resolved(kBase, c.reference), c.expected) << "reference: " << c.reference;
  }
}

TEST(ResolveReferenceTest, IgnoresOtherSchemes) {
  for (std::string_view reference :
       {"javascript:alert(1)", "JavaScript:void(0)", " javascript:x", "mailto:a@example.com",
        "data:text/html,<a>", "tel:+123", "ftp://example.com/x", "file:///etc/passwd",
        "java\nscript:x"}) {
    EXPECT_EQ(Resolved("https://example.com/a", reference), "(none)") << reference;
  }
}

TEST(ResolveReferenceTest, CleansReferencesLikeABrowser) {
  constexpr std::string_view kBase = "https://example.com/dir/page";
  EXPECT_EQ(Resolved(kBase, "  other \n"), "https://example.com/dir/other");
  EXPECT_EQ(Resolved(kBase, "/a\tb\nc"), "https://example.com/abc");
  EXPECT_EQ(Resolved(kBase, "/with space"), "https://example.com/with%20space");
  EXPECT_EQ(Resolved(kBase, "/caf\xC3\xA9"), "https://example.com/caf%C3%A9");
  EXPECT_EQ(Resolved(kBase, "\\\\other.example\\x"), "https://other.example/x");
  EXPECT_EQ(Resolved(kBase, "/x?a=\\b"), "https://example.com/x?a=%5Cb");
  EXPECT_EQ(Resolved(kBase, "//Other.Example:8080/p"), "https://other.example:8080/p");
  EXPECT_EQ(Resolved(kBase, "HTTP://EXAMPLE.COM:80/p#top"), "http://example.com/p");
  EXPECT_EQ(Resolved(kBase, "//user:pw@example.com/"), "(none)");
  EXPECT_EQ(Resolved(kBase, "https:other"), "https://example.com/dir/other");
  EXPECT_EQ(Resolved("http://example.com/", "https:other"), "(none)");
}

// --- Character references ---------------------------------------------------------------------

TEST(DecodeCharacterReferencesTest, DecodesWhatHtmlAttributesDecode) {
  struct Case {
    std::string_view text;
    std::string_view expected;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"/a?x=1&amp;y=2", "/a?x=1&y=2"},
           {"&#47;docs&#x2F;a&#X2f;", "/docs/a/"},
           {"&#47", "/"},
           {"&lt;&gt;&quot;&apos;", "<>\"'"},
           {"&nbsp;", "\xC2\xA0"},
           {"&sol;&quest;&num;&equals;", "/?#="},
           {"&amp x", "& x"},  // a legacy name, no ';', not followed by a letter or '='
           {"&amp", "&"},
           {"?a=1&amp=2", "?a=1&amp=2"},    // followed by '=': left as written
           {"?a=1&copy=2", "?a=1&copy=2"},  // ditto
           {"?a=1&ampx", "?a=1&ampx"},      // followed by a letter: left as written
           {"&unknown;", "&unknown;"},
           {"&;", "&;"},
           {"&#;", "&#;"},
           {"&#x;", "&#x;"},
           {"&#0;", "\xEF\xBF\xBD"},
           {"&#xD800;", "\xEF\xBF\xBD"},
           {"&#x110000;", "\xEF\xBF\xBD"},
           {"&#99999999999999999999;", "\xEF\xBF\xBD"},
           {"&#x1F600;", "\xF0\x9F\x98\x80"},
           {"a & b", "a & b"},
       }) {
    EXPECT_EQ(DecodeCharacterReferences(c.text), c.expected) << c.text;
  }
}

// --- The HTML scanner --------------------------------------------------------------------------

TEST(ScanHtmlTest, FindsHrefsOfAnchorsAndAreasInAnyQuoting) {
  HtmlLinks links = ScanHtml(
      "<html><body>"
      "<a href=\"/double\">d</a>"
      "<a href='/single'>s</a>"
      "<a href=/unquoted>u</a>"
      "<A HREF = \"/upper\">U</A>"
      "<a\nclass=\"x\"\thref=\"/after-other\" title='a > b'>o</a>"
      "<a title=\"href=/not-this\" href=\"/this\">t</a>"
      "<a href=\"/first\" href=\"/second\">dup</a>"
      "<area shape=rect href=\"/area\">"
      "<link rel=stylesheet href=\"/style.css\">"
      "<img src=\"/img.png\">"
      "<a name=\"no-href\">n</a>"
      "<a href=\"/q?a=1&amp;b=2\">q</a>"
      "<a href=/slash/>slash</a>"
      "</body></html>");
  EXPECT_EQ(links.base_href, std::nullopt);
  EXPECT_EQ(links.hrefs,
            (std::vector<std::string>{"/double", "/single", "/unquoted", "/upper", "/after-other",
                                      "/this", "/first", "/area", "/q?a=1&b=2", "/slash/"}));
}

TEST(ScanHtmlTest, SkipsCommentsScriptsAndOtherRawText) {
  HtmlLinks links = ScanHtml(
      "<!DOCTYPE html>"
      "<!-- <a href=\"/in-comment\"> -->"
      "<!--> <a href=\"/after-empty-comment\">"
      "<script>var s = '<a href=\"/in-script\">';</script>"
      "<SCRIPT type=x>document.write(\"</scriptx><a href='/still-script'>\")</SCRIPT >"
      "<style>a[href=\"/in-style\"] {}</style>"
      "<textarea><a href=\"/in-textarea\"></textarea>"
      "<title><a href=\"/in-title\"></title>"
      "<![CDATA[ x ]]>"
      "<?php echo 1 ?>"
      "</p class=\"<a href='/in-end-tag'>\">"
      "a < b and <3 <a href=\"/real\">"
      "<plaintext><a href=\"/after-plaintext\">");
  EXPECT_EQ(links.hrefs, (std::vector<std::string>{"/after-empty-comment", "/real"}));
}

TEST(ScanHtmlTest, KeepsTheFirstBaseHref) {
  HtmlLinks links =
      ScanHtml("<head><base target=_blank><base href=\"/one/\"><base href=\"/two/\"></head>");
  EXPECT_EQ(links.base_href, "/one/");
}

TEST(ScanHtmlTest, SurvivesTruncatedMarkup) {
  EXPECT_TRUE(ScanHtml("<a href=\"/unterminated").hrefs.size() == 1);
  EXPECT_TRUE(ScanHtml("<a href=").hrefs.size() == 1);
  EXPECT_TRUE(ScanHtml("<!-- never closed <a href=/x>").hrefs.empty());
  EXPECT_TRUE(ScanHtml("<script><a href=/x>").hrefs.empty());
  EXPECT_TRUE(ScanHtml("<").hrefs.empty());
  EXPECT_TRUE(ScanHtml("</").hrefs.empty());
  EXPECT_TRUE(ScanHtml("<a").hrefs.empty());
  EXPECT_TRUE(ScanHtml("").hrefs.empty());
}

// --- Links of a page ---------------------------------------------------------------------------

TEST(ExtractLinksTest, ResolvesAgainstThePageOrItsBase) {
  EXPECT_EQ(Links("<a href=\"b.html\"><a href=\"../up\"><a href=\"/root\">",
                  "https://example.com/dir/a.html"),
            (std::vector<std::string>{"https://example.com/dir/b.html", "https://example.com/up",
                                      "https://example.com/root"}));
  EXPECT_EQ(Links("<base href=\"/docs/v2/\"><a href=\"guide\"><a href=\"../v1/old\">",
                  "https://example.com/dir/a.html"),
            (std::vector<std::string>{"https://example.com/docs/v2/guide",
                                      "https://example.com/docs/v1/old"}));
  // A base after the links still applies: the document has one base URL.
  EXPECT_EQ(Links("<a href=\"x\"><base href=\"https://other.example/p/\">",
                  "https://example.com/dir/a.html"),
            (std::vector<std::string>{"https://other.example/p/x"}));
  // A javascript: base is ignored.
  EXPECT_EQ(Links("<base href=\"javascript:alert(1)\"><a href=\"x\">", "https://example.com/d/a"),
            (std::vector<std::string>{"https://example.com/d/x"}));
}

TEST(ExtractLinksTest, DropsFragmentsNonHttpSchemesAndDuplicates) {
  EXPECT_EQ(Links("<a href=\"#top\"><a href=\"\"><a href=\"javascript:void(0)\">"
                  "<a href=\"mailto:a@example.com\"><a href=\"data:text/plain,hi\">"
                  "<a href=\"/p#one\"><a href=\"/p#two\"><a href=\"/p\"><a href=\"./p\">"
                  "<a href=\"/p?x=1&amp;y=2\"><a href=\"/p?x=1&y=2#z\">",
                  "https://example.com/index.html"),
            (std::vector<std::string>{"https://example.com/p", "https://example.com/p?x=1&y=2"}));
}

}  // namespace
}  // namespace capconf::crawl
