#include "robots.h"

#include <algorithm>
#include <optional>
#include <utility>

namespace capconf::crawl {
namespace {

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string ToLower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), AsciiLower);
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool IsProductTokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986's unreserved characters: the ones whose encoding means nothing.
bool IsUnreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

struct Group {
  std::vector<std::string> agents;  // product tokens, lower-cased; "*" for the fallback
  std::vector<std::pair<bool, std::string>> rules;  // (allow, pattern as written)
};

// The lines of `text`, ended by LF, CR or CRLF.
std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' || text[i] == '\r') {
      lines.push_back(text.substr(start, i - start));
      if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      start = i + 1;
    }
  }
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

}  // namespace

std::string ProductToken(std::string_view user_agent) {
  user_agent = Trim(user_agent);
  std::size_t end = 0;
  while (end < user_agent.size() && IsProductTokenChar(user_agent[end])) ++end;
  return ToLower(user_agent.substr(0, end));
}

std::string NormalisePercentEncoding(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
        HexValue(text[i + 2]) >= 0) {
      const auto decoded =
          static_cast<unsigned char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      if (IsUnreserved(decoded)) {
        out += static_cast<char>(decoded);
      } else {
        out += '%';
        out += kHex[decoded >> 4];
        out += kHex[decoded & 0x0F];
      }
      i += 2;
    } else if (byte <= 0x20 || byte >= 0x7F) {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0F];
    } else {
      out += static_cast<char>(byte);
    }
  }
  return out;
}

bool PatternMatches(std::string_view pattern, std::string_view path) {
  const bool anchored = pattern.ends_with('$');
  if (anchored) pattern.remove_suffix(1);
  std::size_t star = pattern.find('*');
  if (star == std::string_view::npos) return anchored ? path == pattern : path.starts_with(pattern);

  // The first piece is anchored at the start of the path.
  if (!path.starts_with(pattern.substr(0, star))) return false;
  std::size_t pos = star;
  pattern.remove_prefix(star + 1);
  // Middle pieces: the leftmost occurrence of each leaves the most room for the rest.
  while ((star = pattern.find('*')) != std::string_view::npos) {
    const std::string_view piece = pattern.substr(0, star);
    pattern.remove_prefix(star + 1);
    if (piece.empty()) continue;
    const std::size_t found = path.find(piece, pos);
    if (found == std::string_view::npos) return false;
    pos = found + piece.size();
  }
  // The last piece: anywhere after `pos`, or, anchored, at the very end.
  if (anchored) return path.size() - pos >= pattern.size() && path.ends_with(pattern);
  return pattern.empty() || path.find(pattern, pos) != std::string_view::npos;
}

RobotsRules RobotsRules::Parse(std::string_view robots_txt, std::string_view user_agent) {
  if (robots_txt.size() > kMaxParsedBytes) {
    // Up to the last whole line within the limit.
    robots_txt = robots_txt.substr(0, kMaxParsedBytes);
    const std::size_t last_break = robots_txt.find_last_of("\r\n");
    robots_txt = robots_txt.substr(0, last_break == std::string_view::npos ? 0 : last_break);
  }
  if (robots_txt.starts_with("\xEF\xBB\xBF")) robots_txt.remove_prefix(3);

  std::vector<Group> groups;
  bool in_rules = false;  // a rule has been seen since the last User-agent line
  for (std::string_view line : Lines(robots_txt)) {
    line = Trim(line.substr(0, line.find('#')));
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string key = ToLower(Trim(line.substr(0, colon)));
    const std::string_view value = Trim(line.substr(colon + 1));
    if (key == "user-agent") {
      if (groups.empty() || in_rules) groups.emplace_back();
      in_rules = false;
      groups.back().agents.push_back(value == "*" ? std::string("*") : ProductToken(value));
    } else if (key == "allow" || key == "disallow") {
      // Rules before any User-agent line belong to no group.
      if (groups.empty()) continue;
      in_rules = true;
      // An empty value matches nothing; a pattern must start with '/' or '*'.
      if (value.empty() || (value.front() != '/' && value.front() != '*')) continue;
      groups.back().rules.emplace_back(key == "allow", std::string(value));
    }
    // Sitemap, Crawl-delay and anything else neither end a group nor add a rule.
  }

  const std::string token = ProductToken(user_agent);
  auto collect = [&groups](std::string_view agent) {
    std::vector<Rule> rules;
    for (const Group& group : groups) {
      if (std::find(group.agents.begin(), group.agents.end(), agent) == group.agents.end()) {
        continue;
      }
      for (const auto& [allow, pattern] : group.rules) {
        rules.push_back(Rule{allow, NormalisePercentEncoding(pattern)});
      }
    }
    return rules;
  };
  RobotsRules robots(false);
  bool named = false;
  if (!token.empty()) {
    for (const Group& group : groups) {
      named =
          named || std::find(group.agents.begin(), group.agents.end(), token) != group.agents.end();
    }
  }
  robots.rules_ = named ? collect(token) : collect("*");
  return robots;
}

bool RobotsRules::IsAllowed(std::string_view path_and_query) const {
  std::string path = NormalisePercentEncoding(path_and_query);
  // Built anew rather than insert(0, "/"), which g++ 12 -O2 misreads as an overlapping copy.
  if (path.empty() || path.front() != '/') path = std::string("/") + path;
  if (path == "/robots.txt") return true;
  if (disallow_all_) return false;
  const Rule* best = nullptr;
  for (const Rule& rule : rules_) {
    if (!PatternMatches(rule.pattern, path)) continue;
    if (best == nullptr || rule.pattern.size() > best->pattern.size() ||
        (rule.pattern.size() == best->pattern.size() && rule.allow && !best->allow)) {
      best = &rule;
    }
  }
  return best == nullptr || best->allow;
}

}  // namespace capconf::crawl
