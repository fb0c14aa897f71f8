#pragma once
// URLs as the crawler compares them, and the links of an HTML page. Private to the crawl module
// (tests include it directly).
//
// No HTML library: a small scanner that knows just enough of the HTML tokenizer to find start
// tags and their attributes (quoted or not, character references decoded), and to step over
// comments and the raw text of <script>, <style>, <textarea> and the like, where a "<a href>"
// is text, not a link. Relative references are resolved as RFC 3986 section 5.2 says.
//
// Thread-safe: pure functions.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capconf/common/status.h"

namespace capconf::crawl {

// An absolute http or https URL, without user info or fragment.
struct HttpUrl {
  std::string scheme;  // "http" or "https"
  std::string host;    // lower-cased; IPv6 in brackets ("[::1]")
  int port = 0;        // explicit or the scheme's default
  std::string path;    // as written, percent-encoded, "/" at least
  std::optional<std::string> query;

  // "https://host:443": what "same site" compares.
  std::string Origin() const;
  // Origin + path + "?query": equal keys are the same page, fetched once.
  std::string Key() const;
  // path + "?query": what robots.txt rules are matched against.
  std::string PathAndQuery() const;
  // The URL to request: the default port left out.
  std::string ToString() const;
  // ToString() without the query (queries may carry tokens), for messages.
  std::string ForDisplay() const;
};

// Parses an absolute http(s) URL; its fragment, if any, is dropped. InvalidArgument for
// anything else (a relative reference, another scheme, user:password@, a malformed URL).
Result<HttpUrl> ParseHttpUrl(std::string_view url);

// `reference` (an href as written, character references already decoded) resolved against the
// absolute URL `base`, as RFC 3986 section 5.2 says, fragment dropped. Like browsers, it strips
// surrounding spaces and any tab or line break, reads '\' as '/', percent-encodes spaces,
// control and non-ASCII bytes, and reads "http:g" as relative when `base` is http. nullopt
// for what is not a link to another http(s) page: "" and "#frag" (this page), javascript:,
// mailto:, data:, tel: and every other scheme, and what does not parse.
std::optional<HttpUrl> ResolveReference(std::string_view base, std::string_view reference);

// RFC 3986 section 5.2.4.
std::string RemoveDotSegments(std::string_view path);

// HTML character references in an attribute value: "&amp;", "&#38;", "&#x26;", a few common
// names, and (as HTML does in attributes) a legacy name without ';' unless followed by an
// alphanumeric or '='. Unknown names stay as written.
std::string DecodeCharacterReferences(std::string_view text);

// What the scanner found: the href of the first <base href>, and the href of every <a> and
// <area> in document order, decoded.
struct HtmlLinks {
  std::optional<std::string> base_href;
  std::vector<std::string> hrefs;
};
HtmlLinks ScanHtml(std::string_view html);

// The distinct http(s) links of an HTML page fetched from `page_url`, resolved against its
// <base href> (when that is an http(s) URL) or else `page_url`, in document order.
std::vector<HttpUrl> ExtractLinks(std::string_view html, std::string_view page_url);

}  // namespace capconf::crawl
