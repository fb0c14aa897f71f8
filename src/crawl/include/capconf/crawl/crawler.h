#pragma once
// Fetches the pages of a knowledge-base URL source ({"type": "url", "url", "crawl_depth"}) so
// they can be uploaded to Ragflow as documents (issue 6). Every request goes through the
// outbound guard (outbound::Client): the buyer chose the URL.
//
// What is fetched: the start page, then links found in HTML pages, breadth first, up to
// `depth` levels (depth 1 = the start page only), on the same site only, each URL once
// (fragments dropped), and only what the site's robots.txt allows for our user agent. Limits on
// pages and bytes keep one source bounded.
//
// The site (scheme, host and port) is the start page's after its redirects: when the start URL
// redirects to another site (http://example.com/docs -> https://www.example.com/docs), that
// site is the one crawled, and links back to the first are not followed. Redirects of later
// pages to another site are skipped.
//
// robots.txt is read as RFC 9309 says: a 4xx means no rules, a 5xx (or 429) or no answer means
// nothing may be fetched. The start URL's site's robots.txt is read before the start page is
// requested; when the start page lands on another site, that site's robots.txt is read too and
// is the one that applies from then on, to the start page's final URL first. Pages are kept
// when they answer 2xx from the site (after redirects) with a document type: HTML and XHTML,
// which are also searched for <a> and <area> links, and any other type but images, audio,
// video, fonts, archives and application/octet-stream (and none: a page without a Content-Type
// is skipped). max_total_bytes counts every body read, kept or not.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "capconf/common/status.h"
#include "capconf/outbound/client.h"

namespace capconf::crawl {

struct CrawlLimits {
  int max_pages = 50;
  std::size_t max_page_bytes = 2 * 1024 * 1024;
  std::size_t max_total_bytes = 20 * 1024 * 1024;
  std::string user_agent = "capconf";  // the name robots.txt rules are matched against
  // Page requests made, kept or not (robots.txt aside): bounds a site whose links lead mostly
  // to what is skipped (404s, images, disallowed redirects).
  int max_requests = 200;
};

struct Page {
  std::string url;           // the URL that answered (after redirects)
  std::string content_type;  // as sent, e.g. "text/html; charset=utf-8"
  std::string body;
};

struct CrawlResult {
  std::vector<Page> pages;  // in the order fetched; the start page first
  // Pages skipped and why, in plain words ("https://x/private: disallowed by robots.txt",
  // "https://x/big.pdf: larger than 2097152 bytes"), for the sync status. URLs are shown
  // without their query. At most 100 such lines, then "and N more skipped"; why the crawl
  // stopped early (a limit) is always said. Links to other sites are not listed.
  std::vector<std::string> skipped;
};

class Crawler {
 public:
  virtual ~Crawler() = default;
  // The pages of one source. A Status only when the start page itself cannot be had (refused
  // by the guard, unreachable, not 2xx, disallowed by robots.txt, its final URL disallowed by
  // the robots.txt of the site it redirected to: kPermissionDenied); its message says why in
  // plain words. kUnavailable/kDeadlineExceeded are worth retrying, the rest are not. When
  // either robots.txt cannot be had, that is the start page's Status (the client's code, or
  // kUnavailable for a 5xx). A start page that answers but is not kept (too big, not a
  // document) gives no pages and a line in `skipped`.
  virtual Result<CrawlResult> Crawl(std::string_view start_url, int depth) const = 0;
};

// The crawler over an outbound client (in production, a GuardedClient), which must outlive it.
// Crawl is InvalidArgument for a start URL that is not http(s), a depth below 1, or limits
// below 1 page or request.
std::unique_ptr<Crawler> MakeCrawler(const outbound::Client& client, CrawlLimits limits = {});

}  // namespace capconf::crawl
