#pragma once
// robots.txt as RFC 9309 reads it. Private to the crawl module (tests include it directly).
//
// Groups start with one or more User-agent lines; the group for a crawler is every group whose
// product token equals the crawler's (case-insensitively; all such groups merged), or else every
// "*" group, or else none (everything allowed). Within it the rule with the longest pattern that
// matches the URL's path and query wins, Allow winning a tie; "*" matches any run of bytes and a
// final "$" the end of the URL. Patterns and URLs are compared after percent-encoding is
// normalised: %XX of an unreserved character decoded, other %XX upper-cased, and bytes outside
// printable ASCII encoded. /robots.txt itself is always allowed. Only the first 500 KiB of a
// file are read (the least RFC 9309 lets a crawler read).
//
// Thread-safe: an immutable value once built.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace capconf::crawl {

class RobotsRules {
 public:
  static constexpr std::size_t kMaxParsedBytes = 500 * 1024;

  // No robots.txt (4xx): everything is allowed.
  static RobotsRules AllowAll() { return RobotsRules(false); }
  // robots.txt unreachable (5xx, no answer): nothing is allowed.
  static RobotsRules DisallowAll() { return RobotsRules(true); }
  // The rules in `robots_txt` for the crawler whose User-Agent is `user_agent` (its product
  // token, the leading letters, '-' and '_', is what groups are matched on). Never fails:
  // lines that do not parse are ignored.
  static RobotsRules Parse(std::string_view robots_txt, std::string_view user_agent);

  // Whether the URL with this path (and "?query", if any), as sent, may be fetched.
  bool IsAllowed(std::string_view path_and_query) const;

 private:
  struct Rule {
    bool allow = false;
    std::string pattern;  // normalised; '*' and a final '$' are special
  };

  explicit RobotsRules(bool disallow_all) : disallow_all_(disallow_all) {}

  bool disallow_all_ = false;
  std::vector<Rule> rules_;
};

// "capconf" for "capconf/1.2 (+https://example.com/bot)"; lower-cased.
std::string ProductToken(std::string_view user_agent);

// The percent-encoding normalisation described above.
std::string NormalisePercentEncoding(std::string_view text);

// Whether `pattern` (normalised) matches `path` (normalised) from its start: '*' matches any
// run of bytes, a final '$' only the end of `path`. Linear in practice: each '*'-separated piece
// is found with the leftmost search, which is enough for a match anchored only at the start.
bool PatternMatches(std::string_view pattern, std::string_view path);

}  // namespace capconf::crawl
