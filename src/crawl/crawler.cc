#include "capconf/crawl/crawler.h"

#include <algorithm>
#include <deque>
#include <iterator>
#include <optional>
#include <unordered_set>
#include <utility>

#include "links.h"
#include "robots.h"

namespace capconf::crawl {
namespace {

// Skip reasons kept before they are only counted: the sync status is for people to read.
constexpr std::size_t kMaxSkippedReasons = 100;
// How much of an unparseable start URL a message repeats.
constexpr std::size_t kMaxShownBytes = 200;

std::string ToLower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

// "text/html" for "Text/HTML; charset=utf-8".
std::string MediaType(const std::optional<std::string>& content_type) {
  if (!content_type) return "";
  std::string_view type(*content_type);
  type = type.substr(0, type.find(';'));
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  return ToLower(type);
}

bool IsHtml(std::string_view media_type) {
  return media_type == "text/html" || media_type == "application/xhtml+xml";
}

// Media that a knowledge base cannot read as a document. Everything else (text/*, PDF, office
// formats, JSON, ...) is kept for the uploader to judge.
bool IsNotADocument(std::string_view media_type) {
  static constexpr std::string_view kBinary[] = {
      "application/octet-stream",     "application/zip",         "application/gzip",
      "application/x-gzip",           "application/x-tar",       "application/x-7z-compressed",
      "application/x-rar-compressed", "application/vnd.rar",     "application/wasm",
      "application/x-msdownload",     "application/x-executable"};
  for (std::string_view prefix : {"image/", "audio/", "video/", "font/"}) {
    if (media_type.starts_with(prefix)) return true;
  }
  return std::find(std::begin(kBinary), std::end(kBinary), media_type) != std::end(kBinary);
}

// The skip reasons, capped; what goes past the cap is counted in a last line.
class SkipList {
 public:
  explicit SkipList(std::vector<std::string>& out) : out_(out) {}

  void Add(std::string reason) {
    if (out_.size() < kMaxSkippedReasons) {
      out_.push_back(std::move(reason));
    } else {
      ++dropped_;
    }
  }
  // For why the crawl stopped, which must be said whatever the cap.
  void AddAlways(std::string reason) { out_.push_back(std::move(reason)); }

  void Finish() {
    if (dropped_ > 0) out_.push_back("and " + std::to_string(dropped_) + " more skipped");
  }

 private:
  std::vector<std::string>& out_;
  std::size_t dropped_ = 0;
};

std::string WithoutQuery(std::string_view url) {
  std::string shown(url.substr(0, std::min({url.find('?'), url.find('#'), kMaxShownBytes})));
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return shown;
}

// Why the start page cannot be had when it answers `status` (not 2xx).
Status StartPageAnswered(const std::string& shown, int status) {
  std::string message = shown + ": answered " + std::to_string(status);
  // Overloaded or failing now, maybe not later.
  if (status >= 500 || status == 429 || status == 408) return UnavailableError(std::move(message));
  return NotFoundError(std::move(message));
}

struct Robots {
  RobotsRules rules;
  // Why nothing is allowed, when robots.txt could not be had (RFC 9309: 5xx or no answer).
  std::optional<Status> unreachable;
};

class CrawlerImpl final : public Crawler {
 public:
  CrawlerImpl(const outbound::Client& client, CrawlLimits limits)
      : client_(client), limits_(std::move(limits)) {}

  Result<CrawlResult> Crawl(std::string_view start_url, int depth) const override;

 private:
  Result<outbound::Response> Get(const HttpUrl& url) const {
    return client_.Send(outbound::Request{
        outbound::Method::kGet, url.ToString(), {{"User-Agent", limits_.user_agent}}, {}});
  }

  // robots.txt of the site `page` is on.
  Robots FetchRobots(const HttpUrl& page) const;

  const outbound::Client& client_;
  const CrawlLimits limits_;
};

Robots CrawlerImpl::FetchRobots(const HttpUrl& page) const {
  HttpUrl robots_url = page;
  robots_url.path = "/robots.txt";
  robots_url.query.reset();
  // Redirects (even to another host, which RFC 9309 allows) are followed by the client.
  Result<outbound::Response> response = Get(robots_url);
  if (!response.ok()) {
    // The start page is on the same host, so what kept robots.txt away (a refused address, a
    // timeout) is why the crawl cannot start.
    return {
        RobotsRules::DisallowAll(),
        Status(response.status().code(), page.ForDisplay() + ": " + response.status().message() +
                                             " (while fetching robots.txt)")};
  }
  const int status = response->status;
  if (status >= 200 && status < 300) {
    return {RobotsRules::Parse(response->body, limits_.user_agent), std::nullopt};
  }
  if (status >= 500 || status == 429) {
    // 429 is a server asking for less traffic, read like a 5xx (as the big crawlers do).
    return {RobotsRules::DisallowAll(),
            UnavailableError(robots_url.ForDisplay() + " answered " + std::to_string(status) +
                             "; until it can be read, nothing on the site may be crawled")};
  }
  // 4xx: there is no robots.txt, so nothing is disallowed. A 3xx the client did not follow
  // counts as unavailable too (RFC 9309, 2.3.1.2).
  return {RobotsRules::AllowAll(), std::nullopt};
}

Result<CrawlResult> CrawlerImpl::Crawl(std::string_view start_url, int depth) const {
  if (depth < 1) {
    return InvalidArgumentError("crawl depth must be at least 1, not " + std::to_string(depth));
  }
  if (limits_.max_pages < 1 || limits_.max_requests < 1) {
    return InvalidArgumentError("crawl limits must allow at least one page and one request");
  }
  Result<HttpUrl> parsed = ParseHttpUrl(start_url);
  if (!parsed.ok()) {
    return InvalidArgumentError(WithoutQuery(start_url) + ": " + parsed.status().message());
  }
  const HttpUrl start = std::move(parsed).value();
  // Both change once, when the start page redirects to another site: that site is crawled.
  std::string site = start.Origin();
  Robots robots = FetchRobots(start);
  if (!robots.rules.IsAllowed(start.PathAndQuery())) {
    if (robots.unreachable) return *robots.unreachable;
    return Status(StatusCode::kPermissionDenied,
                  start.ForDisplay() + " is disallowed by robots.txt");
  }

  struct Pending {
    HttpUrl url;
    int level;  // 1 for the start page
  };
  std::deque<Pending> queue;
  queue.push_back({start, 1});
  std::unordered_set<std::string> seen = {start.Key()};  // ever queued or answered
  std::unordered_set<std::string> answered_keys;         // answered, after redirects
  std::size_t total_bytes = 0;
  int requests = 0;
  bool is_start = true;

  CrawlResult result;
  SkipList skipped(result.skipped);
  while (!queue.empty()) {
    if (result.pages.size() >= static_cast<std::size_t>(limits_.max_pages)) {
      skipped.AddAlways("stopped at " + std::to_string(limits_.max_pages) + " pages (max_pages); " +
                        std::to_string(queue.size()) + " more links not followed");
      break;
    }
    if (requests >= limits_.max_requests) {
      skipped.AddAlways("stopped after " + std::to_string(limits_.max_requests) +
                        " requests (max_requests); " + std::to_string(queue.size()) +
                        " more links not followed");
      break;
    }
    const Pending item = std::move(queue.front());
    queue.pop_front();
    const bool start_page = std::exchange(is_start, false);
    const std::string shown = item.url.ForDisplay();
    // Already had under this URL, through a redirect from another.
    if (answered_keys.contains(item.url.Key())) continue;
    if (!start_page && !robots.rules.IsAllowed(item.url.PathAndQuery())) {
      skipped.Add(shown + ": disallowed by robots.txt");
      continue;
    }

    ++requests;
    Result<outbound::Response> fetched = Get(item.url);
    if (!fetched.ok()) {
      if (start_page) {
        return Status(fetched.status().code(), shown + ": " + fetched.status().message());
      }
      skipped.Add(shown + ": " + fetched.status().message());
      continue;
    }
    outbound::Response& response = *fetched;
    total_bytes += response.body.size();

    HttpUrl answered = item.url;
    if (Result<HttpUrl> final_url = ParseHttpUrl(response.final_url); final_url.ok()) {
      answered = std::move(final_url).value();
    }
    const bool redirected = answered.Key() != item.url.Key();
    if (start_page && answered.Origin() != site) {
      // http://example.com/docs -> https://www.example.com/docs is what buyers type: the site
      // is where the start page lives now, and its robots.txt is the one that governs it. The
      // page was fetched before that robots.txt could be known, but is only kept if allowed.
      site = answered.Origin();
      robots = FetchRobots(answered);
      if (!robots.rules.IsAllowed(answered.PathAndQuery())) {
        if (robots.unreachable) return *robots.unreachable;
        return Status(
            StatusCode::kPermissionDenied,
            shown + ": redirected to " + answered.ForDisplay() + ", disallowed by robots.txt");
      }
    }
    std::optional<std::string> problem;
    if (answered.Origin() != site) {
      problem = shown + ": redirected to " + answered.ForDisplay() + ", another site";
    } else if (redirected && answered_keys.contains(answered.Key())) {
      continue;  // a page already kept (or skipped) under the URL it redirects to
    } else if (redirected && !robots.rules.IsAllowed(answered.PathAndQuery())) {
      problem = shown + ": redirected to " + answered.ForDisplay() + ", disallowed by robots.txt";
    } else if (response.status < 200 || response.status > 299) {
      if (start_page) return StartPageAnswered(shown, response.status);
      problem = shown + ": answered " + std::to_string(response.status);
    }
    answered_keys.insert(answered.Key());
    seen.insert(answered.Key());

    if (total_bytes > limits_.max_total_bytes) {
      skipped.AddAlways(shown + ": not kept, and the crawl stopped there: more than " +
                        std::to_string(limits_.max_total_bytes) +
                        " bytes read in all (max_total_bytes)");
      break;
    }
    if (problem) {
      skipped.Add(std::move(*problem));
      continue;
    }
    if (response.body.size() > limits_.max_page_bytes) {
      skipped.Add(shown + ": larger than " + std::to_string(limits_.max_page_bytes) + " bytes");
      continue;
    }
    const std::optional<std::string> content_type = response.ContentType();
    const std::string media_type = MediaType(content_type);
    if (media_type.empty()) {
      skipped.Add(shown + ": no Content-Type, so not known to be a document");
      continue;
    }
    if (IsNotADocument(media_type)) {
      skipped.Add(shown + ": " + media_type + " is not a document");
      continue;
    }

    const std::string page_url = answered.ToString();
    if (IsHtml(media_type) && item.level < depth) {
      for (HttpUrl& link : ExtractLinks(response.body, page_url)) {
        // Links to other sites are not followed, and not worth a line in the status either.
        if (link.Origin() != site || !seen.insert(link.Key()).second) continue;
        queue.push_back({std::move(link), item.level + 1});
      }
    }
    result.pages.push_back(Page{page_url, *content_type, std::move(response.body)});
  }
  skipped.Finish();
  return result;
}

}  // namespace

std::unique_ptr<Crawler> MakeCrawler(const outbound::Client& client, CrawlLimits limits) {
  return std::make_unique<CrawlerImpl>(client, std::move(limits));
}

}  // namespace capconf::crawl
