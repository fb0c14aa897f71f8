#include "capconf/crawl/crawler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "capconf/outbound/url_guard.h"
#include "test_http_server.h"

namespace capconf::crawl {
namespace {

using capconf::testing::MakeReply;
using capconf::testing::ReceivedRequest;
using capconf::testing::Reply;
using capconf::testing::TestHttpServer;
using outbound::GuardedClient;
using outbound::GuardOptions;

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

Reply Html(std::string_view body) {
  return MakeReply(200, body, {{"Content-Type", "text/html; charset=utf-8"}});
}

Reply Typed(std::string_view content_type, std::string_view body) {
  return MakeReply(200, body, {{"Content-Type", std::string(content_type)}});
}

// The guard as production wires it, but letting loopback through to the fake sites.
GuardOptions LoopbackOptions() {
  GuardOptions options;
  options.address_policy.allow_loopback = true;
  return options;
}

Reply Redirect(std::string location) {
  return MakeReply(302, "", {{"Location", std::move(location)}});
}

// A site on loopback whose pages a test sets up by request target ("/a?x=1"); everything else
// is a 404, robots.txt included unless set.
class Site {
 public:
  Site() : server_([this](const ReceivedRequest& request) { return Handle(request); }) {}

  void Set(const std::string& target, Reply reply) {
    std::lock_guard lock(mutex_);
    routes_[target] = std::move(reply);
  }
  std::string Url(std::string_view path) const { return server_.Url(path); }
  int port() const { return server_.port(); }
  const TestHttpServer& server() const { return server_; }

  // Request targets in arrival order, robots.txt left out.
  std::vector<std::string> Requested() const {
    std::vector<std::string> targets;
    for (const ReceivedRequest& request : server_.requests()) {
      if (request.target != "/robots.txt") targets.push_back(request.target);
    }
    return targets;
  }
  int CountRequests(std::string_view target) const {
    const std::vector<ReceivedRequest> requests = server_.requests();
    return static_cast<int>(std::count_if(requests.begin(), requests.end(),
                                          [&](const auto& r) { return r.target == target; }));
  }
  bool WasRequested(std::string_view target) const { return CountRequests(target) > 0; }

 private:
  Reply Handle(const ReceivedRequest& request) {
    std::lock_guard lock(mutex_);
    auto it = routes_.find(request.target);
    return it == routes_.end() ? MakeReply(404, "not here", {{"Content-Type", "text/plain"}})
                               : it->second;
  }

  std::mutex mutex_;
  std::map<std::string, Reply> routes_;
  TestHttpServer server_;  // last: stops before the routes go
};

class CrawlerTest : public ::testing::Test {
 protected:
  Result<CrawlResult> Crawl(std::string_view path, int depth, CrawlLimits limits = {}) {
    return MakeCrawler(client_, std::move(limits))->Crawl(site_.Url(path), depth);
  }

  // The pages' URLs relative to `site` ("/a"), in the order kept; others in full.
  static std::vector<std::string> PathsOn(const Site& site, const CrawlResult& result) {
    std::vector<std::string> paths;
    const std::string origin = site.Url("");
    for (const Page& page : result.pages) {
      paths.push_back(page.url.starts_with(origin) ? page.url.substr(origin.size()) : page.url);
    }
    return paths;
  }
  std::vector<std::string> Paths(const CrawlResult& result) const { return PathsOn(site_, result); }

  static bool AnySkipped(const CrawlResult& result, std::string_view part) {
    return std::any_of(result.skipped.begin(), result.skipped.end(),
                       [&](const std::string& reason) { return Contains(reason, part); });
  }

  Site site_;
  GuardedClient client_{LoopbackOptions()};
};

// A chain / -> /a -> /b -> /c, with / also linking /a2 (so the second level has two pages).
void SetUpChain(Site& site) {
  site.Set("/", Html("<a href=\"/a\">a</a> <a href=\"/a2\">a2</a>"));
  site.Set("/a", Html("<a href=\"/b\">b</a>"));
  site.Set("/a2", Html("<p>leaf</p>"));
  site.Set("/b", Html("<a href=\"/c\">c</a>"));
  site.Set("/c", Html("<p>deep</p>"));
}

TEST_F(CrawlerTest, DepthOneIsTheStartPageOnly) {
  SetUpChain(site_);
  Result<CrawlResult> result = Crawl("/", 1);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Paths(*result), (std::vector<std::string>{"/"}));
  EXPECT_EQ(site_.Requested(), (std::vector<std::string>{"/"}));
  EXPECT_EQ(result->pages[0].content_type, "text/html; charset=utf-8");
  EXPECT_TRUE(Contains(result->pages[0].body, "href=\"/a\""));
  EXPECT_TRUE(result->skipped.empty());
}

TEST_F(CrawlerTest, DepthTwoAddsTheLinkedPages) {
  SetUpChain(site_);
  Result<CrawlResult> result = Crawl("/", 2);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Paths(*result), (std::vector<std::string>{"/", "/a", "/a2"}));
  EXPECT_FALSE(site_.WasRequested("/b"));
}

TEST_F(CrawlerTest, DepthThreeGoesOneLevelFurtherBreadthFirst) {
  SetUpChain(site_);
  Result<CrawlResult> result = Crawl("/", 3);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Paths(*result), (std::vector<std::string>{"/", "/a", "/a2", "/b"}));
  EXPECT_EQ(site_.Requested(), (std::vector<std::string>{"/", "/a", "/a2", "/b"}));
}

TEST_F(CrawlerTest, FollowsOnlyLinksToTheSameSchemeHostAndPort) {
  Site other;
  other.Set("/x", Html("other site"));
  const std::string port = std::to_string(site_.port());
  site_.Set("/", Html("<a href=\"" + other.Url("/x") + "\">other port</a>" +
                      "<a href=\"http://localhost:" + port + "/by-name\">other host</a>" +
                      "<a href=\"https://127.0.0.1:" + port + "/tls\">other scheme</a>" +
                      "<a href=\"http://127.0.0.1:" + port + "/same\">same, absolute</a>"));
  site_.Set("/same", Html("same"));
  Result<CrawlResult> result = Crawl("/", 3);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Paths(*result), (std::vector<std::string>{"/", "/same"}));
  EXPECT_EQ(other.server().connections(), 0);
  EXPECT_EQ(site_.Requested(), (std::vector<std::string>{"/", "/same"}));
  EXPECT_TRUE(result->skipped.empty());  // other sites' links are not worth a line
}

TEST_F(CrawlerTest, FetchesEachUrlOnceThroughCyclesAndFragments) {
  site_.Set("/", Html("<a href=\"/a\"><a href=\"/a#part\"><a href=\"./a#other\"><a href=\"#top\">"
                      "<a href=\"/\"><a href=\"/b\">"));
  site_.Set("/a", Html("<a href=\"/\"><a href=\"/b#x\"><a href=\"/a\">"));
  site_.Set("/b", Html("<a href=\"/a\"><a href=\"/\"><a href=\"/b\">"));
  Result<CrawlResult> result = Crawl("/#start", 6);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Paths(*result), (std::vector<std::string>{"/", "/a", "/b"}));
  EXPECT_EQ(site_.Requested(), (std::vector<std::string>{"/", "/a", "/b"}));
  EXPECT_EQ(site_.CountRequests("/robots.txt"), 1);
}

TEST_F(CrawlerTest, KeepsQueriesApart) {
  site_.Set("/", Html("<a href=\"/p?id=1\"><a href=\"/p?id=2\"><a href=\"/p?id=1#x\">"));
  site_.Set("/p?id=1", Html("one"));
  site_.Set("/p?id=2", Html("two"));
  Result<CrawlResult> result = Crawl("/", 2);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Paths(*result), (std::vector<std::string>{"/", "/p?id=1", "/p?id=2"}));
}

TEST_F(CrawlerTest, ResolvesRelativeLinksBaseHrefAndEntities) {
  site_.Set("/dir/index.html", Html("<a href=\"sibling.html\">"
                                    "<a href='../up.html'>"
                                    "<a href=q?a=1&amp;b=2>"));
  site_.Set("/dir/sibling.html", Html("s"));
  site_.Set("/up.html", Html("u"));
  site_.Set("/dir/q?a=1&b=2", Html("q"));
  site_.Set("/based/index.html",
            Html("<head><base href=\"/docs/v2/\"></head><a href=\"guide.html\">"));
  site_.Set("/docs/v2/guide.html", Html("g"));

  Result<CrawlResult> result = Crawl("/dir/index.html", 2);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Paths(*result), (std::vector<std::string>{"/dir/index.html", "/dir/sibling.html",
                                                      "/up.html", "/dir/q?a=1&b=2"}));

  Result<CrawlResult> based = Crawl("/based/index.html", 2);
  ASSERT_TRUE(based.ok()) << based.status().ToString();
  EXPECT_EQ(Paths(*based), (std::vector<std::string>{"/based/index.html", "/docs/v2/guide.html"}));
  EXPECT_FALSE(site_.WasRequested("/based/guide.html"));
}

// --- robots.txt --------------------------------------------------------------------------------

TEST_F(CrawlerTest, StartPageDisallowedByRobotsIsPermissionDenied) {
  site_.Set("/robots.txt", Typed("text/plain", "User-agent: *\nDisallow: /private\n"));
  site_.Set("/private/start", Html("secret"));
  Result<CrawlResult> result = Crawl("/private/start", 2);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(result.status().message(),
            site_.Url("/private/start") + " is disallowed by robots.txt");
  EXPECT_TRUE(site_.Requested().empty());
}

TEST_F(CrawlerTest, DisallowedPagesAreSkippedAndNeverRequested) {
  site_.Set("/robots.txt", Typed("text/plain",
                                 "User-agent: *\n"
                                 "Disallow: /docs/\n"
                                 "Allow: /docs/public/\n"
                                 "Disallow: /*.pdf$\n"));
  site_.Set("/", Html("<a href=\"/docs/secret\"><a href=\"/docs/public/a\">"
                      "<a href=\"/file.pdf\"><a href=\"/file.pdf?v=2\">"));
  site_.Set("/docs/public/a", Html("public"));
  site_.Set("/file.pdf?v=2", Typed("application/pdf", "%PDF-1.4"));
  Result<CrawlResult> result = Crawl("/", 2);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Paths(*result), (std::vector<std::string>{"/", "/docs/public/a", "/file.pdf?v=2"}));
  EXPECT_EQ(result->skipped,
            (std::vector<std::string>{site_.Url("/docs/secret") + ": disallowed by robots.txt",
                                      site_.Url("/file.pdf") + ": disallowed by robots.txt"}));
  EXPECT_FALSE(site_.WasRequested("/docs/secret"));
  EXPECT_FALSE(site_.WasRequested("/file.pdf"));
}

TEST_F(CrawlerTest, RobotsGroupOfOurUserAgentAppliesAndTheUserAgentIsSent) {
  site_.Set("/robots.txt", Typed("text/plain",
                                 "User-agent: *\nDisallow: /not-for-anyone\n\n"
                                 "User-agent: ExampleCrawler\nDisallow: /not-for-us\n"));
  site_.Set("/", Html("<a href=\"/not-for-anyone\"><a href=\"/not-for-us\">"));
  site_.Set("/not-for-anyone", Html("x"));
  Result<CrawlResult> result =
      Crawl("/", 2, CrawlLimits{.user_agent = "ExampleCrawler/3.1 (+https://example.com)"});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Paths(*result), (std::vector<std::string>{"/", "/not-for-anyone"}));
  EXPECT_FALSE(site_.WasRequested("/not-for-us"));
  const std::vector<ReceivedRequest> requests = site_.server().requests();
  ASSERT_EQ(requests.size(), 3u);  // robots.txt, /, /not-for-anyone
  for (const ReceivedRequest& request : requests) {
    EXPECT_EQ(request.Header("user-agent"), "ExampleCrawler/3.1 (+https://example.com)")
        << request.target;
  }
}

TEST_F(CrawlerTest, MissingRobotsAllowsEverything) {
  site_.Set("/robots.txt", MakeReply(403, "forbidden"));
  site_.Set("/", Html("<a href=\"/a\">"));
  site_.Set("/a", Html("a"));
  Result<CrawlResult> result = Crawl("/", 2);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Paths(*result), (std::vector<std::string>{"/", "/a"}));
}

TEST_F(CrawlerTest, FailingRobotsDisallowsEverything) {
  site_.Set("/robots.txt", MakeReply(500, "oops"));
  site_.Set("/", Html("<a href=\"/a\">"));
  Result<CrawlResult> result = Crawl("/", 2);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(result.status().message(),
            site_.Url("/robots.txt") +
                " answered 500; until it can be read, nothing on the site may be crawled");
  EXPECT_TRUE(site_.Requested().empty());
}

// --- limits ------------------------------------------------------------------------------------

TEST_F(CrawlerTest, StopsAtMaxPages) {
  site_.Set("/", Html("<a href=\"/1\"><a href=\"/2\"><a href=\"/3\"><a href=\"/4\">"));
  for (const char* path : {"/1", "/2", "/3", "/4"}) site_.Set(path, Html("page"));
  Result<CrawlResult> result = Crawl("/", 2, CrawlLimits{.max_pages = 3});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Paths(*result), (std::vector<std::string>{"/", "/1", "/2"}));
  EXPECT_EQ(
      result->skipped,
      (std::vector<std::string>{"stopped at 3 pages (max_pages); 2 more links not followed"}));
  EXPECT_EQ(site_.Requested(), (std::vector<std::string>{"/", "/1", "/2"}));
}

TEST_F(CrawlerTest, SkipsPagesLargerThanMaxPageBytes) {
  site_.Set("/", Html("<a href=\"/big\"><a href=\"/small\">"));
  site_.Set("/big", Html(std::string(5000, 'x')));
  site_.Set("/small", Html("small"));
  Result<CrawlResult> result = Crawl("/", 2, CrawlLimits{.max_page_bytes = 1000});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Paths(*result), (std::vector<std::string>{"/", "/small"}));
  EXPECT_EQ(result->skipped,
            (std::vector<std::string>{site_.Url("/big") + ": larger than 1000 bytes"}));
}

TEST_F(CrawlerTest, PagesTheClientRefusesAsTooBigAreSkipped) {
  GuardOptions options = LoopbackOptions();
  options.max_response_bytes = 1000;
  GuardedClient small_client(options);
  site_.Set("/", Html("<a href=\"/big\"><a href=\"/small\">"));
  site_.Set("/big", Html(std::string(5000, 'x')));
  site_.Set("/small", Html("small"));
  Result<CrawlResult> result = MakeCrawler(small_client)->Crawl(site_.Url("/"), 2);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Paths(*result), (std::vector<std::string>{"/", "/small"}));
  EXPECT_EQ(result->skipped,
            (std::vector<std::string>{site_.Url("/big") + ": response larger than 1000 bytes"}));
}

TEST_F(CrawlerTest, StopsTheCrawlAtMaxTotalBytes) {
  site_.Set("/", Html("<a href=\"/1\"><a href=\"/2\"><a href=\"/3\">" + std::string(300, ' ')));
  for (const char* path : {"/1", "/2", "/3"}) site_.Set(path, Html(std::string(400, 'x')));
  // The start page (about 330 bytes) and /1 fit in 1000 bytes; /2 does not.
  Result<CrawlResult> result = Crawl("/", 2, CrawlLimits{.max_total_bytes = 1000});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Paths(*result), (std::vector<std::string>{"/", "/1"}));
  EXPECT_EQ(result->skipped,
            (std::vector<std::string>{site_.Url("/2") +
                                      ": not kept, and the crawl stopped there: more than 1000 "
                                      "bytes read in all (max_total_bytes)"}));
  EXPECT_FALSE(site_.WasRequested("/3"));
}

TEST_F(CrawlerTest, StopsAtMaxRequests) {
  site_.Set("/", Html("<a href=\"/gone1\"><a href=\"/gone2\"><a href=\"/gone3\"><a href=\"/ok\">"));
  site_.Set("/ok", Html("ok"));
  Result<CrawlResult> result = Crawl("/", 2, CrawlLimits{.max_requests = 3});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Paths(*result), (std::vector<std::string>{"/"}));
  EXPECT_EQ(result->skipped,
            (std::vector<std::string>{site_.Url("/gone1") + ": answered 404",
                                      site_.Url("/gone2") + ": answered 404",
                                      "stopped after 3 requests (max_requests); 2 more links not "
                                      "followed"}));
  EXPECT_FALSE(site_.WasRequested("/ok"));
}

TEST_F(CrawlerTest, CapsTheSkippedReasons) {
  site_.Set("/robots.txt", Typed("text/plain", "User-agent: *\nDisallow: /x/\n"));
  std::string links;
  for (int i = 0; i < 150; ++i) links += "<a href=\"/x/" + std::to_string(i) + "\">";
  site_.Set("/", Html(links));
  Result<CrawlResult> result = Crawl("/", 2);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->skipped.size(), 101u);
  EXPECT_EQ(result->skipped.front(), site_.Url("/x/0") + ": disallowed by robots.txt");
  EXPECT_EQ(result->skipped.back(), "and 50 more skipped");
}

// --- what is kept ------------------------------------------------------------------------------

TEST_F(CrawlerTest, KeepsDocumentsButSearchesOnlyHtml) {
  site_.Set("/", Html("<a href=\"/notes.txt\"><a href=\"/readme.md\"><a href=\"/paper.pdf\">"
                      "<a href=\"/page.xhtml\"><a href=\"/logo.png\"><a href=\"/song.mp3\">"
                      "<a href=\"/blob\"><a href=\"/untyped\">"));
  site_.Set("/notes.txt", Typed("text/plain", "<a href=\"/from-text\">not a link here</a>"));
  site_.Set("/readme.md", Typed("text/markdown", "[link](/from-markdown)"));
  site_.Set("/paper.pdf", Typed("application/pdf", "%PDF-1.4 <a href=\"/from-pdf\">"));
  site_.Set("/page.xhtml", Typed("Application/XHTML+XML", "<a href=\"/from-xhtml\">x</a>"));
  site_.Set("/from-xhtml", Html("found through xhtml"));
  site_.Set("/logo.png", Typed("image/png", "\x89PNG"));
  site_.Set("/song.mp3", Typed("audio/mpeg", "ID3"));
  site_.Set("/blob", Typed("application/octet-stream", "\x01\x02"));
  site_.Set("/untyped", MakeReply(200, "what am I"));
  Result<CrawlResult> result = Crawl("/", 3);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Paths(*result), (std::vector<std::string>{"/", "/notes.txt", "/readme.md", "/paper.pdf",
                                                      "/page.xhtml", "/from-xhtml"}));
  EXPECT_EQ(result->pages[3].content_type, "application/pdf");
  EXPECT_EQ(result->skipped,
            (std::vector<std::string>{
                site_.Url("/logo.png") + ": image/png is not a document",
                site_.Url("/song.mp3") + ": audio/mpeg is not a document",
                site_.Url("/blob") + ": application/octet-stream is not a document",
                site_.Url("/untyped") + ": no Content-Type, so not known to be a document"}));
  EXPECT_FALSE(site_.WasRequested("/from-text"));
  EXPECT_FALSE(site_.WasRequested("/from-markdown"));
  EXPECT_FALSE(site_.WasRequested("/from-pdf"));
}

TEST_F(CrawlerTest, LaterPagesThatFailAreSkippedWithTheReason) {
  site_.Set("/", Html("<a href=\"/missing\"><a href=\"/broken\"><a href=\"/to-private\">"));
  site_.Set("/broken", MakeReply(503, "down"));
  site_.Set("/to-private", Redirect("http://10.0.0.1/internal"));
  Result<CrawlResult> result = Crawl("/", 2);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Paths(*result), (std::vector<std::string>{"/"}));
  ASSERT_EQ(result->skipped.size(), 3u);
  EXPECT_EQ(result->skipped[0], site_.Url("/missing") + ": answered 404");
  EXPECT_EQ(result->skipped[1], site_.Url("/broken") + ": answered 503");
  EXPECT_EQ(result->skipped[2],
            site_.Url("/to-private") +
                ": refused: redirect to http://10.0.0.1/internal: 10.0.0.1 is a private address");
}

// --- redirects ---------------------------------------------------------------------------------

TEST_F(CrawlerTest, RedirectsWithinTheSiteKeepTheFinalUrlOnce) {
  site_.Set("/", Html("<a href=\"/old\"><a href=\"/new\">"));
  site_.Set("/old", Redirect("/new"));
  site_.Set("/new", Html("new"));
  Result<CrawlResult> result = Crawl("/", 2);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Paths(*result), (std::vector<std::string>{"/", "/new"}));
  EXPECT_EQ(site_.CountRequests("/new"), 1);
  EXPECT_TRUE(result->skipped.empty());
}

TEST_F(CrawlerTest, RedirectsToAnotherSiteAreSkipped) {
  Site other;
  other.Set("/landing", Html("elsewhere <a href=\"/deeper\">"));
  site_.Set("/", Html("<a href=\"/moved\"><a href=\"/stays\">"));
  site_.Set("/moved", Redirect(other.Url("/landing")));
  site_.Set("/stays", Html("here"));
  Result<CrawlResult> result = Crawl("/", 3);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Paths(*result), (std::vector<std::string>{"/", "/stays"}));
  EXPECT_EQ(result->skipped, (std::vector<std::string>{site_.Url("/moved") + ": redirected to " +
                                                       other.Url("/landing") + ", another site"}));
  EXPECT_FALSE(other.WasRequested("/deeper"));
}

TEST_F(CrawlerTest, RedirectsIntoDisallowedPagesAreNotKept) {
  site_.Set("/robots.txt", Typed("text/plain", "User-agent: *\nDisallow: /private\n"));
  site_.Set("/", Html("<a href=\"/sneaky\">"));
  site_.Set("/sneaky", Redirect("/private/page"));
  site_.Set("/private/page", Html("secret"));
  Result<CrawlResult> result = Crawl("/", 2);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Paths(*result), (std::vector<std::string>{"/"}));
  EXPECT_EQ(result->skipped,
            (std::vector<std::string>{site_.Url("/sneaky") + ": redirected to " +
                                      site_.Url("/private/page") + ", disallowed by robots.txt"}));
}

// http://example.com/docs -> https://www.example.com/docs: two loopback ports are two sites.
TEST_F(CrawlerTest, StartPageRedirectedToAnotherSiteCrawlsThatSite) {
  Site other;
  site_.Set("/docs", Redirect(other.Url("/docs")));  // the chain ends on `other`: /docs -> /docs/
  site_.Set("/back", Html("the first site"));
  site_.Set("/docs/a", Html("the first site"));
  other.Set("/docs", Redirect("/docs/"));
  other.Set("/docs/", Html("<a href=\"a\"><a href=\"a2\"><a href=\"./\"><a href=\"" +
                           site_.Url("/back") + "\">"));
  other.Set("/docs/a", Html("<a href=\"b\"><a href=\"" + site_.Url("/docs/a") + "\">"));
  other.Set("/docs/a2", Html("leaf"));
  other.Set("/docs/b", Html("<a href=\"c\">"));
  other.Set("/docs/c", Html("too deep"));
  Result<CrawlResult> result = Crawl("/docs", 3);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  // The start page is level 1 where it lands; the redirect costs no level.
  EXPECT_EQ(PathsOn(other, *result),
            (std::vector<std::string>{"/docs/", "/docs/a", "/docs/a2", "/docs/b"}));
  EXPECT_EQ(other.Requested(),
            (std::vector<std::string>{"/docs", "/docs/", "/docs/a", "/docs/a2", "/docs/b"}));
  EXPECT_EQ(site_.Requested(), (std::vector<std::string>{"/docs"}));  // no link back followed
  EXPECT_EQ(site_.CountRequests("/robots.txt"), 1);
  EXPECT_EQ(other.CountRequests("/robots.txt"), 1);
  EXPECT_TRUE(result->skipped.empty());
}

TEST_F(CrawlerTest, StartPageRedirectedToAnotherSiteFollowsThatSitesRobots) {
  Site other;
  // Each robots.txt disallows what the other allows: only the final site's must count.
  site_.Set("/robots.txt", Typed("text/plain", "User-agent: *\nDisallow: /docs/public\n"));
  other.Set("/robots.txt", Typed("text/plain", "User-agent: *\nDisallow: /docs/secret\n"));
  site_.Set("/docs", Redirect(other.Url("/docs")));
  other.Set("/docs", Html("<a href=\"/docs/public\"><a href=\"/docs/secret\">"));
  other.Set("/docs/public", Html("public"));
  other.Set("/docs/secret", Html("secret"));
  Result<CrawlResult> result = Crawl("/docs", 2);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(PathsOn(other, *result), (std::vector<std::string>{"/docs", "/docs/public"}));
  EXPECT_EQ(result->skipped,
            (std::vector<std::string>{other.Url("/docs/secret") + ": disallowed by robots.txt"}));
  EXPECT_FALSE(other.WasRequested("/docs/secret"));
}

TEST_F(CrawlerTest, StartPageRedirectedIntoAnotherSitesDisallowedPageIsPermissionDenied) {
  Site other;
  other.Set("/robots.txt", Typed("text/plain", "User-agent: *\nDisallow: /private\n"));
  other.Set("/private/docs", Html("<a href=\"/private/more\">"));
  site_.Set("/docs", Redirect(other.Url("/private/docs")));
  Result<CrawlResult> result = Crawl("/docs", 2);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(result.status().message(), site_.Url("/docs") + ": redirected to " +
                                           other.Url("/private/docs") +
                                           ", disallowed by robots.txt");
  EXPECT_EQ(other.CountRequests("/robots.txt"), 1);
  EXPECT_FALSE(other.WasRequested("/private/more"));
}

TEST_F(CrawlerTest, StartPageRedirectedToASiteWhoseRobotsFailsIsUnavailable) {
  Site other;
  other.Set("/robots.txt", MakeReply(503, "down"));
  other.Set("/docs", Html("<a href=\"/more\">"));
  site_.Set("/docs", Redirect(other.Url("/docs")));
  Result<CrawlResult> result = Crawl("/docs", 2);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(result.status().message(),
            other.Url("/robots.txt") +
                " answered 503; until it can be read, nothing on the site may be crawled");
  EXPECT_FALSE(other.WasRequested("/more"));
}

TEST_F(CrawlerTest, AfterTheStartPageMovedLaterRedirectsToAnotherSiteAreStillSkipped) {
  Site other;
  Site third;
  site_.Set("/", Redirect(other.Url("/")));
  site_.Set("/returned", Html("<a href=\"/first-site-only\">"));
  other.Set("/", Html("<a href=\"/home\"><a href=\"/away\"><a href=\"/stays\">"));
  other.Set("/home", Redirect(site_.Url("/returned")));
  other.Set("/away", Redirect(third.Url("/landing")));
  other.Set("/stays", Html("here"));
  third.Set("/landing", Html("<a href=\"/deeper\">"));
  Result<CrawlResult> result = Crawl("/", 3);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(PathsOn(other, *result), (std::vector<std::string>{"/", "/stays"}));
  EXPECT_EQ(
      result->skipped,
      (std::vector<std::string>{
          other.Url("/home") + ": redirected to " + site_.Url("/returned") + ", another site",
          other.Url("/away") + ": redirected to " + third.Url("/landing") + ", another site"}));
  EXPECT_FALSE(site_.WasRequested("/first-site-only"));
  EXPECT_FALSE(third.WasRequested("/deeper"));
}

// --- the start page ----------------------------------------------------------------------------

TEST_F(CrawlerTest, StartPageNotFoundOrFailingIsAStatus) {
  Result<CrawlResult> missing = Crawl("/nothing", 2);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), site_.Url("/nothing") + ": answered 404");

  site_.Set("/down", MakeReply(503, "maintenance"));
  Result<CrawlResult> down = Crawl("/down", 2);
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(down.status().message(), site_.Url("/down") + ": answered 503");
}

TEST_F(CrawlerTest, RefusedAddressIsPermissionDeniedAndNothingIsSent) {
  site_.Set("/", Html("hello"));
  GuardedClient production_client;  // loopback is refused, as for any buyer-supplied URL
  Result<CrawlResult> result = MakeCrawler(production_client)->Crawl(site_.Url("/"), 2);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(Contains(result.status().message(), "127.0.0.1 is a loopback address"))
      << result.status().message();
  EXPECT_EQ(site_.server().connections(), 0);
}

TEST_F(CrawlerTest, UnreachableStartPageIsUnavailable) {
  int port = 0;
  {
    TestHttpServer gone([](const ReceivedRequest&) { return MakeReply(200, "x"); });
    port = gone.port();
  }
  Result<CrawlResult> result =
      MakeCrawler(client_)->Crawl("http://127.0.0.1:" + std::to_string(port) + "/", 2);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable) << result.status().ToString();
}

TEST_F(CrawlerTest, RefusesBadArguments) {
  Result<CrawlResult> depth = Crawl("/", 0);
  ASSERT_FALSE(depth.ok());
  EXPECT_EQ(depth.status().code(), StatusCode::kInvalidArgument);

  for (std::string_view url : {"ftp://example.com/", "not a url", "/relative"}) {
    Result<CrawlResult> result = MakeCrawler(client_)->Crawl(url, 1);
    ASSERT_FALSE(result.ok()) << url;
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << url;
  }
  Result<CrawlResult> no_pages = Crawl("/", 1, CrawlLimits{.max_pages = 0});
  ASSERT_FALSE(no_pages.ok());
  EXPECT_EQ(no_pages.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(site_.server().connections(), 0);
}

// --- threads -----------------------------------------------------------------------------------

TEST_F(CrawlerTest, OneCrawlerCrawlsOnSeveralThreadsAtOnce) {
  SetUpChain(site_);
  std::unique_ptr<Crawler> crawler = MakeCrawler(client_);
  constexpr int kThreads = 4;
  std::vector<Result<CrawlResult>> results(kThreads, Status(StatusCode::kInternal, "not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] { results[i] = crawler->Crawl(site_.Url("/"), 3); });
  }
  for (std::thread& thread : threads) thread.join();
  for (const Result<CrawlResult>& result : results) {
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(Paths(*result), (std::vector<std::string>{"/", "/a", "/a2", "/b"}));
  }
}

}  // namespace
}  // namespace capconf::crawl
