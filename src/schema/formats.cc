#include "formats.h"

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstring>
#include <optional>
#include <string_view>
#include <system_error>

#include "ecma_regex.h"

// Each scanner below accepts exactly the language of the ajv-formats (or rjsf) regular
// expression named above it. Comments record where that language differs from what the
// format's RFC would suggest: those quirks are deliberate, because the page has them.

namespace capconf::schema::internal {
namespace {

constexpr std::size_t kNpos = std::string_view::npos;

// ---------------------------------------------------------------------------------------------
// Characters. ajv-formats' regexes (all but `url`) have no `u` flag, and under JavaScript's
// non-unicode `i` flag no non-ASCII character matches an ASCII letter, so byte tests suffice
// for every ASCII class.

constexpr bool IsDigit(char c) { return c >= '0' && c <= '9'; }
constexpr bool IsAlpha(char c) {
  const auto folded = static_cast<unsigned char>(c) | 0x20u;
  return folded >= 'a' && folded <= 'z';
}
constexpr bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }
constexpr bool IsHex(char c) {
  const auto folded = static_cast<unsigned char>(c) | 0x20u;
  return IsDigit(c) || (folded >= 'a' && folded <= 'f');
}
// Whether `c` is one of `set`'s characters (never NUL).
constexpr bool IsOneOf(char c, std::string_view set) {
  return set.find(c) != std::string_view::npos;
}

// A byte class tested with one load, for the classes that scanners test byte by byte.
struct ByteSet {
  bool members[256] = {};
  constexpr bool operator()(char c) const { return members[static_cast<unsigned char>(c)]; }
};

template <typename Pred>
constexpr ByteSet MakeByteSet(Pred is_member) {
  ByteSet set;
  for (int c = 0; c < 256; ++c) set.members[c] = is_member(static_cast<char>(c));
  return set;
}

// Case-insensitive match of an ASCII letter `lower`.
constexpr bool IsLetter(char c, char lower) {
  return (static_cast<unsigned char>(c) | 0x20u) == static_cast<unsigned char>(lower);
}

// A code point decoded from UTF-8. Ill-formed bytes decode one at a time as U+FFFD, which every
// check treats like any other non-ASCII character; encoded surrogates (WTF-8) decode as
// themselves, as a lone surrogate in a JavaScript string would read.
struct CodePoint {
  char32_t value;
  std::size_t size;
};

constexpr char32_t kReplacement = 0xFFFD;

// DecodeAt's slow path, kept out of line so the ASCII test inlines into every loop.
CodePoint DecodeMultibyte(std::string_view s, std::size_t i) {
  const auto lead = static_cast<unsigned char>(s[i]);
  std::size_t trail;
  char32_t value;
  char32_t min;
  if ((lead & 0xE0) == 0xC0) {
    trail = 1;
    value = lead & 0x1Fu;
    min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    trail = 2;
    value = lead & 0x0Fu;
    min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    trail = 3;
    value = lead & 0x07u;
    min = 0x10000;
  } else {
    return {kReplacement, 1};
  }
  if (s.size() - i <= trail) return {kReplacement, 1};
  for (std::size_t k = 1; k <= trail; ++k) {
    const auto byte = static_cast<unsigned char>(s[i + k]);
    if ((byte & 0xC0) != 0x80) return {kReplacement, 1};
    value = (value << 6) | (byte & 0x3Fu);
  }
  if (value < min || value > 0x10FFFF) return {kReplacement, 1};
  return {value, trail + 1};
}

inline CodePoint DecodeAt(std::string_view s, std::size_t i) {
  const auto lead = static_cast<unsigned char>(s[i]);
  if (lead < 0x80) return {lead, 1};
  return DecodeMultibyte(s, i);
}

// JavaScript's \s: WhiteSpace (Zs and the ASCII/BOM extras) and LineTerminator.
constexpr bool IsJsSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000 || c == 0xFEFF;
}

// Whether `s` holds a character JavaScript's `.` refuses outside dotAll mode.
bool HasJsLineTerminator(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\n' || c == '\r') return true;
    // U+2028 and U+2029 are E2 80 A8 and E2 80 A9; E2 is never a trailing byte.
    if (c == '\xE2' && i + 2 < s.size() && s[i + 1] == '\x80' &&
        (s[i + 2] == '\xA8' || s[i + 2] == '\xA9')) {
      return true;
    }
  }
  return false;
}

// The value of `count` ASCII digits at `pos`, or -1 when any is missing or not a digit.
int ReadDigits(std::string_view s, std::size_t pos, std::size_t count) {
  if (pos > s.size() || s.size() - pos < count) return -1;
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (!IsDigit(s[i])) return -1;
    value = value * 10 + (s[i] - '0');
  }
  return value;
}

std::size_t SkipDigits(std::string_view s, std::size_t i) {
  while (i < s.size() && IsDigit(s[i])) ++i;
  return i;
}

// From `i`, skips characters that satisfy `is_member` and %XX escapes; returns where it stopped
// (at the first other character, or at a '%' without two hex digits).
template <typename Pred>
std::size_t SkipEncoded(std::string_view s, std::size_t i, const Pred& is_member) {
  while (i < s.size()) {
    if (is_member(s[i])) {
      ++i;
    } else if (s[i] == '%' && s.size() - i > 2 && IsHex(s[i + 1]) && IsHex(s[i + 2])) {
      i += 3;
    } else {
      break;
    }
  }
  return i;
}

// ---------------------------------------------------------------------------------------------
// date, time, date-time, iso-time, iso-date-time

constexpr bool IsLeapYear(int year) {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

// /^(\d\d\d\d)-(\d\d)-(\d\d)$/ with a real month and a day that month has.
bool CheckDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  const int year = ReadDigits(s, 0, 4);
  const int month = ReadDigits(s, 5, 2);
  const int day = ReadDigits(s, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDaysInMonth[] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return day <= (month == 2 && IsLeapYear(year) ? 29 : kDaysInMonth[month]);
}

// A time split up by the shape both releases share:
// /^(\d\d):(\d\d):(\d\d(?:\.\d+)?)(z|([+-])(\d\d)(?::?(\d\d))?)?$/i
struct TimeParts {
  int hour = 0;
  int minute = 0;
  int second = 0;
  std::string_view seconds;  // "ss" or "ss.fff": 3.x reads the fraction as part of a number
  bool has_zone = false;
  int zone_sign = 1;
  int zone_hour = 0;
  int zone_minute = 0;
};

std::optional<TimeParts> ParseTime(std::string_view s) {
  TimeParts t;
  if (s.size() < 8 || s[2] != ':' || s[5] != ':') return std::nullopt;
  t.hour = ReadDigits(s, 0, 2);
  t.minute = ReadDigits(s, 3, 2);
  t.second = ReadDigits(s, 6, 2);
  if (t.hour < 0 || t.minute < 0 || t.second < 0) return std::nullopt;
  std::size_t i = 8;
  if (i < s.size() && s[i] == '.') {
    const std::size_t end = SkipDigits(s, i + 1);
    if (end == i + 1) return std::nullopt;
    i = end;
  }
  t.seconds = s.substr(6, i - 6);
  if (i == s.size()) return t;
  t.has_zone = true;
  if (IsLetter(s[i], 'z')) return i + 1 == s.size() ? std::optional(t) : std::nullopt;
  if (s[i] != '+' && s[i] != '-') return std::nullopt;
  t.zone_sign = s[i] == '-' ? -1 : 1;
  t.zone_hour = ReadDigits(s, i + 1, 2);
  if (t.zone_hour < 0) return std::nullopt;
  i += 3;
  if (i == s.size()) return t;
  if (s[i] == ':') ++i;
  t.zone_minute = ReadDigits(s, i, 2);
  if (t.zone_minute < 0 || i + 2 != s.size()) return std::nullopt;
  return t;
}

// 2.1.1 `time`: the zone is optional and its digits unchecked; 23:59:60 is the one leap second,
// whatever the zone. (2.1.1 means `date-time` to require a zone, but its test compares the
// regex group with "", which an absent group never equals, so a missing zone passes there too.)
bool CheckTimeV2(std::string_view s) {
  const std::optional<TimeParts> t = ParseTime(s);
  if (!t) return false;
  return (t->hour <= 23 && t->minute <= 59 && t->second <= 59) ||
         (t->hour == 23 && t->minute == 59 && t->second == 60);
}

// 3.x: zone at most 23:59, required unless `iso-`; a second of 60 (fractions included) only
// where the time is 23:59 in UTC. The leap-second arithmetic runs on whatever hour and minute
// were written, so e.g. "24:59:30+01:00" passes there, as in ajv-formats.
bool CheckTimeV3(std::string_view s, bool zone_required) {
  const std::optional<TimeParts> t = ParseTime(s);
  if (!t) return false;
  if (t->zone_hour > 23 || t->zone_minute > 59 || (zone_required && !t->has_zone)) return false;
  // JavaScript's unary + on "ss.fff": a correctly rounded double, as from_chars gives.
  double second = 0;
  const auto [end, error] =
      std::from_chars(t->seconds.data(), t->seconds.data() + t->seconds.size(), second);
  if (error != std::errc() || end != t->seconds.data() + t->seconds.size()) return false;
  if (t->hour <= 23 && t->minute <= 59 && second < 60) return true;
  const int utc_minute = t->minute - t->zone_minute * t->zone_sign;
  const int utc_hour = t->hour - t->zone_hour * t->zone_sign - (utc_minute < 0 ? 1 : 0);
  return (utc_hour == 23 || utc_hour == -1) && (utc_minute == 59 || utc_minute == -1) &&
         second < 61;
}

// `str.split(/t|\s/i)` must give exactly two parts: a date and a time. Any JavaScript white
// space separates, U+3000 included.
template <typename TimeCheck>
bool CheckDateTime(std::string_view s, TimeCheck check_time) {
  std::size_t separator = kNpos;
  std::size_t separator_size = 0;
  for (std::size_t i = 0; i < s.size();) {
    const CodePoint cp = DecodeAt(s, i);
    if (cp.value == 't' || cp.value == 'T' || IsJsSpace(cp.value)) {
      if (separator != kNpos) return false;
      separator = i;
      separator_size = cp.size;
    }
    i += cp.size;
  }
  if (separator == kNpos) return false;
  return CheckDate(s.substr(0, separator)) && check_time(s.substr(separator + separator_size));
}

bool CheckTime2(std::string_view s) { return CheckTimeV2(s); }
bool CheckDateTime2(std::string_view s) { return CheckDateTime(s, CheckTimeV2); }
bool CheckTime3(std::string_view s) { return CheckTimeV3(s, true); }
bool CheckDateTime3(std::string_view s) {
  return CheckDateTime(s, [](std::string_view t) { return CheckTimeV3(t, true); });
}
bool CheckIsoTime3(std::string_view s) { return CheckTimeV3(s, false); }
bool CheckIsoDateTime3(std::string_view s) {
  return CheckDateTime(s, [](std::string_view t) { return CheckTimeV3(t, false); });
}

// ---------------------------------------------------------------------------------------------
// duration: /^P(?!$)((\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?|(\d+W)?)$/
// Case-sensitive; weeks only on their own; "T" must be followed by a component.

// Consumes "<digits><designator>" components whose designators appear in `order`, each at most
// once and in that order. False on a digit run not followed by a permitted designator.
bool SkipDurationComponents(std::string_view s, std::size_t& i, std::string_view order) {
  std::size_t next = 0;
  while (i < s.size() && IsDigit(s[i])) {
    const std::size_t end = SkipDigits(s, i);
    if (end == s.size()) return false;
    const std::size_t at = order.find(s[end], next);
    if (at == kNpos) return false;
    next = at + 1;
    i = end + 1;
  }
  return true;
}

bool CheckDuration(std::string_view s) {
  if (s.size() < 2 || s[0] != 'P') return false;
  std::size_t i = 1;
  const std::size_t digits_end = SkipDigits(s, i);
  if (digits_end > i && digits_end < s.size() && s[digits_end] == 'W') {
    return digits_end + 1 == s.size();
  }
  if (!SkipDurationComponents(s, i, "YMD")) return false;
  if (i < s.size() && s[i] == 'T') {
    ++i;
    if (i == s.size() || !IsDigit(s[i])) return false;
    if (!SkipDurationComponents(s, i, "HMS")) return false;
  }
  return i == s.size();
}

// ---------------------------------------------------------------------------------------------
// IPv4 and IPv6 (used by `ipv4`, `ipv6`, and the IP literals of `uri` and `uri-reference`).

enum class Octets {
  kLeadingZerosAllowed,  // (?:25[0-5]|2[0-4]\d|[01]?\d\d?): 1-3 digits up to 255, "007" too
  kNoLeadingZeros,       // (?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)
};

bool IsOctet(std::string_view s, Octets rule) {
  if (s.empty() || s.size() > 3) return false;
  int value = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    value = value * 10 + (c - '0');
  }
  if (rule == Octets::kNoLeadingZeros && s.size() > 1 && s[0] == '0') return false;
  return value <= 255;
}

bool IsIpv4(std::string_view s, Octets rule) {
  for (int part = 0; part < 4; ++part) {
    const std::size_t dot = part < 3 ? s.find('.') : s.size();
    if (dot == kNpos || !IsOctet(s.substr(0, dot), rule)) return false;
    s.remove_prefix(part < 3 ? dot + 1 : dot);
  }
  return true;
}

// Both of ajv-formats' IPv6 regexes (the `ipv6` format's and RFC 3986's inside `uri`) accept
// the textbook language: 1-4 hex digits per group; without "::" eight groups, or six and an
// IPv4 tail; with one "::" at most seven, an IPv4 tail counting two. No zone index.
bool IsIpv6(std::string_view s, Octets ipv4_rule) {
  const std::size_t n = s.size();
  std::size_t i = 0;
  int groups = 0;
  bool compressed = false;
  if (s.starts_with("::")) {
    compressed = true;
    i = 2;
  }
  while (i < n) {
    std::size_t end = i;
    while (end < n && IsHex(s[end])) ++end;
    if (end < n && s[end] == '.') {
      // An IPv4 tail ends the address.
      if (!IsIpv4(s.substr(i), ipv4_rule)) return false;
      groups += 2;
      break;
    }
    if (end == i || end - i > 4) return false;
    ++groups;
    i = end;
    if (i == n) break;
    if (s[i] != ':') return false;
    ++i;
    if (i < n && s[i] == ':') {
      if (compressed) return false;
      compressed = true;
      ++i;
    } else if (i == n) {
      return false;  // a single trailing ':'
    }
  }
  return compressed ? groups <= 7 : groups == 8;
}

bool CheckIpv4V2(std::string_view s) { return IsIpv4(s, Octets::kLeadingZerosAllowed); }
bool CheckIpv4V3(std::string_view s) { return IsIpv4(s, Octets::kNoLeadingZeros); }
bool CheckIpv6(std::string_view s) { return !s.empty() && IsIpv6(s, Octets::kNoLeadingZeros); }

// ---------------------------------------------------------------------------------------------
// uri and uri-reference: RFC 3986's grammar as ajv-formats writes it (jmrware's regex), ASCII
// only, case-insensitive. Its quirks: "scheme:/host" (one slash) may carry an authority, a path
// may hold ':' anywhere, and `uri-reference` allows '"' in hosts, paths, queries and fragments
// but not in userinfo or IPvFuture. With backtracking the regex reduces to the tests below.

constexpr bool IsUnreserved(char c) {
  return IsAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
constexpr bool IsSubDelim(char c) { return IsOneOf(c, "!$&'()*+,;="); }
constexpr bool IsUserinfoChar(char c) { return IsUnreserved(c) || IsSubDelim(c) || c == ':'; }

constexpr ByteSet kUserinfoChars = MakeByteSet(IsUserinfoChar);

struct UriChars {
  ByteSet reg_name;
  ByteSet path_or_slash;      // pchar / "/"
  ByteSet query_or_fragment;  // pchar / "/" / "?"
};

// `uri-reference` admits '"' in reg-names, paths, queries and fragments; `uri` nowhere.
constexpr UriChars MakeUriChars(bool quote) {
  auto reg_name = [quote](char c) {
    return IsUnreserved(c) || IsSubDelim(c) || (quote && c == '"');
  };
  auto pchar = [reg_name](char c) { return reg_name(c) || c == ':' || c == '@'; };
  return {MakeByteSet(reg_name), MakeByteSet([pchar](char c) { return pchar(c) || c == '/'; }),
          MakeByteSet([pchar](char c) { return pchar(c) || c == '/' || c == '?'; })};
}

constexpr UriChars kUriChars = MakeUriChars(false);
constexpr UriChars kUriReferenceChars = MakeUriChars(true);

// IPv6address or IPvFuture ("v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )).
bool IsIpLiteral(std::string_view s) {
  if (!s.empty() && IsLetter(s[0], 'v')) {
    const std::size_t dot = s.find('.');
    if (dot == kNpos || dot == 1) return false;
    for (std::size_t i = 1; i < dot; ++i) {
      if (!IsHex(s[i])) return false;
    }
    if (dot + 1 == s.size()) return false;
    for (std::size_t i = dot + 1; i < s.size(); ++i) {
      if (!kUserinfoChars(s[i])) return false;
    }
    return true;
  }
  return IsIpv6(s, Octets::kLeadingZerosAllowed);
}

// [userinfo "@"] host [":" *DIGIT] *("/" *pchar), the part after "/" or "//".
bool IsAuthorityAndPath(std::string_view s, const UriChars& chars) {
  std::size_t i = SkipEncoded(s, 0, kUserinfoChars);
  // Only a run of userinfo characters ending in '@' can be userinfo; when there is one, the
  // regex has no other way to place that '@' (a host cannot hold it and no '/' precedes it).
  i = i < s.size() && s[i] == '@' ? i + 1 : 0;
  if (i < s.size() && s[i] == '[') {
    const std::size_t close = s.find(']', i);
    if (close == kNpos || !IsIpLiteral(s.substr(i + 1, close - i - 1))) return false;
    i = close + 1;
  } else {
    // The regex's dotted-quad alternative is a subset of reg-name, so reg-name decides.
    i = SkipEncoded(s, i, chars.reg_name);
  }
  if (i < s.size() && s[i] == ':') i = SkipDigits(s, i + 1);
  if (i == s.size()) return true;
  return s[i] == '/' && SkipEncoded(s, i, chars.path_or_slash) == s.size();
}

// The hier-part: "/"/"//" authority path-abempty | path-absolute | path-rootless. Any non-empty
// run of pchars and slashes is one of these (e.g. "//x" as "/" + an empty host + "/x"), so the
// authority parse only matters for IP literals.
bool IsHierPart(std::string_view h, const UriChars& chars) {
  if (h.empty()) return false;
  if (SkipEncoded(h, 0, chars.path_or_slash) == h.size()) return true;
  if (h[0] != '/') return false;
  return IsAuthorityAndPath(h.substr(1), chars) ||
         (h.size() > 1 && h[1] == '/' && IsAuthorityAndPath(h.substr(2), chars));
}

// The length of a leading "scheme:" ([a-z][a-z0-9+\-.]*:), or 0 when there is none.
std::size_t SchemeLength(std::string_view s) {
  if (s.empty() || !IsAlpha(s[0])) return 0;
  std::size_t i = 1;
  while (i < s.size() && (IsAlnum(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')) ++i;
  return i < s.size() && s[i] == ':' ? i + 1 : 0;
}

bool CheckUriLike(std::string_view s, bool reference) {
  const UriChars& chars = reference ? kUriReferenceChars : kUriChars;
  // No part before the query or fragment may hold '?' or '#', so the first one ends it.
  // memchr scans many bytes at a time; URIs here are mostly hier-part.
  const void* q = std::memchr(s.data(), '?', s.size());
  const void* h = std::memchr(s.data(), '#', q ? static_cast<const char*>(q) - s.data() : s.size());
  const char* stop = h   ? static_cast<const char*>(h)
                     : q ? static_cast<const char*>(q)
                         : s.data() + s.size();
  std::size_t hier_end = static_cast<std::size_t>(stop - s.data());
  std::size_t i = hier_end;
  if (i < s.size() && s[i] == '?') {
    i = SkipEncoded(s, i + 1, chars.query_or_fragment);
  }
  if (i < s.size()) {
    if (s[i] != '#') return false;
    i = SkipEncoded(s, i + 1, chars.query_or_fragment);
    if (i != s.size()) return false;
  }
  const std::string_view hier = s.substr(0, hier_end);
  const std::size_t scheme = SchemeLength(hier);
  if (!reference) return scheme > 0 && IsHierPart(hier.substr(scheme), chars);
  // The scheme and hier-part are both optional in a reference, and a scheme is itself made of
  // pchars, so only "scheme:" followed by an IP literal needs the scheme split off.
  return hier.empty() || IsHierPart(hier, chars) ||
         (scheme > 0 && IsHierPart(hier.substr(scheme), chars));
}

// `uri` also demands a '/' or ':' (NOT_URI_FRAGMENT), which its required scheme already has.
bool CheckUri(std::string_view s) { return CheckUriLike(s, false); }
bool CheckUriReference(std::string_view s) { return CheckUriLike(s, true); }

// ---------------------------------------------------------------------------------------------
// uri-template (RFC 6570 level 4 syntax, no semantics), /i, UTF-16 code units:
// literals are anything but controls, space, "'<>%\^`{|} (or a %XX escape); expressions are
// "{" [operator] varspec *("," varspec) "}" with varspec = 1*(ALNUM / "_" / %XX)
// [":" 1-9 followed by up to three digits | "*"].

constexpr ByteSet kTemplateLiteralChars = MakeByteSet([](char c) {
  // Every byte of a non-ASCII character is a literal too.
  return static_cast<unsigned char>(c) > 0x20 && !IsOneOf(c, "\"'<>%\\^`{|}");
});

// Parses an expression starting at its '{'; returns the index past its '}', or kNpos.
std::size_t SkipTemplateExpression(std::string_view s, std::size_t i) {
  ++i;
  if (i < s.size() && IsOneOf(s[i], "+#./;?&=,!@|")) ++i;
  while (true) {
    const std::size_t name_end = SkipEncoded(s, i, [](char c) { return IsAlnum(c) || c == '_'; });
    if (name_end == i) return kNpos;
    i = name_end;
    if (i < s.size() && s[i] == ':') {
      ++i;
      if (i == s.size() || s[i] < '1' || s[i] > '9') return kNpos;
      const std::size_t end = SkipDigits(s, i);
      if (end - i > 4) return kNpos;
      i = end;
    } else if (i < s.size() && s[i] == '*') {
      ++i;
    }
    if (i == s.size()) return kNpos;
    if (s[i] == '}') return i + 1;
    if (s[i] != ',') return kNpos;
    ++i;
  }
}

bool CheckUriTemplate(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '{') {
      i = SkipTemplateExpression(s, i);
      if (i == kNpos) return false;
    } else {
      const std::size_t end = SkipEncoded(s, i, kTemplateLiteralChars);
      if (end == i) return false;
      i = end;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// url (deprecated in ajv-formats; dperini's regex), the one regex with the `u` flag, so it reads
// code points and folds case by Unicode rules (U+017F LONG S matches 's' in "https"):
//   ^(?:https?|ftp)://(?:\S+(?::\S*)?@)?(?:PUBLIC_IPV4|DOMAIN)(?::\d{2,5})?(?:/[^\s]*)?$
// DOMAIN is dash-separated runs of [a-z0-9\u00a1-\uffff] per label, at least two labels, the
// last of 2+ letters or non-ASCII BMP characters. Private and loopback IPv4 ranges are refused.

constexpr bool IsUrlHostChar(char32_t c) {
  return (c < 0x80 && (IsAlnum(static_cast<char>(c)) || c == '-' || c == '.')) ||
         (c >= 0xA1 && c <= 0xFFFF);
}

constexpr bool IsUrlLabelChar(char32_t c) {
  return (c < 0x80 && IsAlnum(static_cast<char>(c))) || (c >= 0xA1 && c <= 0xFFFF);
}

constexpr bool IsUrlTldChar(char32_t c) {
  return (c < 0x80 && IsAlpha(static_cast<char>(c))) || (c >= 0xA1 && c <= 0xFFFF);
}

// (?:[L]+-)*[L]+ : no leading, trailing or doubled '-'.
bool IsUrlLabel(std::string_view s) {
  bool after_char = false;
  for (std::size_t i = 0; i < s.size();) {
    const CodePoint cp = DecodeAt(s, i);
    if (cp.value == '-') {
      if (!after_char) return false;
      after_char = false;
    } else if (IsUrlLabelChar(cp.value)) {
      after_char = true;
    } else {
      return false;
    }
    i += cp.size;
  }
  return after_char;
}

bool IsUrlTld(std::string_view s) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < s.size();) {
    const CodePoint cp = DecodeAt(s, i);
    if (!IsUrlTldChar(cp.value)) return false;
    ++count;
    i += cp.size;
  }
  return count >= 2;
}

bool IsUrlDomain(std::string_view host) {
  const std::size_t last_dot = host.rfind('.');
  if (last_dot == kNpos || !IsUrlTld(host.substr(last_dot + 1))) return false;
  std::string_view labels = host.substr(0, last_dot);
  while (true) {
    const std::size_t dot = labels.find('.');
    if (!IsUrlLabel(labels.substr(0, dot))) return false;
    if (dot == kNpos) return true;
    labels.remove_prefix(dot + 1);
  }
}

// The dotted quad of the url regex: first octet 1-223, middle ones 0-255 (two-digit forms like
// "05" allowed), last 1-254, minus the (?!...) lookaheads for 10/8, 127/8, 169.254/16,
// 192.168/16 and 172.16/12.
bool IsUrlPublicIpv4(std::string_view host) {
  std::string_view octets[4];
  for (int k = 0; k < 4; ++k) {
    const std::size_t dot = k < 3 ? host.find('.') : host.size();
    if (dot == kNpos) return false;
    octets[k] = host.substr(0, dot);
    if (octets[k].empty() || octets[k].size() > 3) return false;
    for (char c : octets[k]) {
      if (!IsDigit(c)) return false;
    }
    host.remove_prefix(k < 3 ? dot + 1 : dot);
  }
  auto value = [](std::string_view o) {
    int v = 0;
    for (char c : o) v = v * 10 + (c - '0');
    return v;
  };
  const auto leading_zero = [](std::string_view o) { return o.size() > 1 && o[0] == '0'; };
  if (leading_zero(octets[0]) || value(octets[0]) < 1 || value(octets[0]) > 223) return false;
  for (int k = 1; k <= 2; ++k) {
    if (octets[k].size() == 3 && (octets[k][0] == '0' || value(octets[k]) > 255)) return false;
  }
  if (leading_zero(octets[3]) || value(octets[3]) < 1 || value(octets[3]) > 254) return false;
  const std::string_view a = octets[0];
  const std::string_view b = octets[1];
  if (a == "10" || a == "127") return false;
  if ((a == "169" && b == "254") || (a == "192" && b == "168")) return false;
  if (a == "172" && b.size() == 2 &&
      ((b[0] == '1' && b[1] >= '6') || b[0] == '2' || (b[0] == '3' && b[1] <= '1'))) {
    return false;
  }
  return true;
}

// host (:port)? (/path)? from `start`, where `path_floor` is the smallest index a path may start
// at (its [^\s]* must not reach white space). The host runs to the first character that cannot
// be in one, which must start the port, start the path or end the string. Hosts may hold white
// space from U+00A1 up (U+3000, U+2028, ...): the regex's range includes it.
bool IsUrlHostPortPath(std::string_view s, std::size_t start, std::size_t path_floor) {
  std::size_t i = start;
  while (i < s.size()) {
    const CodePoint cp = DecodeAt(s, i);
    if (!IsUrlHostChar(cp.value)) break;
    i += cp.size;
  }
  const std::string_view host = s.substr(start, i - start);
  if (!IsUrlPublicIpv4(host) && !IsUrlDomain(host)) return false;
  if (i < s.size() && s[i] == ':') {
    const std::size_t end = SkipDigits(s, i + 1);
    if (end - i - 1 < 2 || end - i - 1 > 5) return false;
    i = end;
  }
  return i == s.size() || (s[i] == '/' && i >= path_floor);
}

bool CheckUrl(std::string_view s) {
  std::size_t i = 0;
  if (s.size() >= 3 && IsLetter(s[0], 'f') && IsLetter(s[1], 't') && IsLetter(s[2], 'p')) {
    i = 3;
  } else if (s.size() >= 4 && IsLetter(s[0], 'h') && IsLetter(s[1], 't') && IsLetter(s[2], 't') &&
             IsLetter(s[3], 'p')) {
    i = 4;
    if (i < s.size() && IsLetter(s[i], 's')) {
      i += 1;
    } else if (s.substr(i).starts_with("\xC5\xBF")) {  // U+017F folds to 's'
      i += 2;
    }
  } else {
    return false;
  }
  if (!s.substr(i).starts_with("://")) return false;
  const std::string_view rest = s.substr(i + 3);
  // Userinfo (\S+...@) must end before the first white space, a path ([^\s]*) start after the
  // last.
  std::size_t first_space = rest.size();
  std::size_t after_last_space = 0;
  for (std::size_t k = 0; k < rest.size();) {
    const CodePoint cp = DecodeAt(rest, k);
    k += cp.size;
    if (IsJsSpace(cp.value)) {
      first_space = std::min(first_space, k - cp.size);
      after_last_space = k;
    }
  }
  if (IsUrlHostPortPath(rest, 0, after_last_space)) return true;
  // The userinfo may end at any '@' after its first character. Each try scans a host that
  // stops before the next '@', so all tries together stay linear.
  for (std::size_t at = rest.find('@', 1); at < first_space; at = rest.find('@', at + 1)) {
    if (IsUrlHostPortPath(rest, at + 1, after_last_space)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// email: /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*
//         @(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i
// A dot-atom local part; two or more domain labels, no length limits, no trailing dot.

constexpr ByteSet kEmailAtomChars =
    MakeByteSet([](char c) { return IsAlnum(c) || IsOneOf(c, "!#$%&'*+/=?^_`{|}~-"); });

// [a-z0-9](?:[a-z0-9-]*[a-z0-9])? with a length cap (0 for none).
bool IsDnsLabel(std::string_view s, std::size_t max_size) {
  if (s.empty() || (max_size != 0 && s.size() > max_size)) return false;
  if (!IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsAlnum(c) && c != '-') return false;
  }
  return true;
}

bool CheckEmail(std::string_view s) {
  const std::size_t at = s.find('@');
  if (at == kNpos) return false;
  std::string_view local = s.substr(0, at);
  while (true) {
    const std::size_t dot = local.find('.');
    const std::string_view atom = local.substr(0, dot);
    if (atom.empty()) return false;
    for (char c : atom) {
      if (!kEmailAtomChars(c)) return false;
    }
    if (dot == kNpos) break;
    local.remove_prefix(dot + 1);
  }
  std::string_view domain = s.substr(at + 1);
  int labels = 0;
  while (true) {
    const std::size_t dot = domain.find('.');
    if (!IsDnsLabel(domain.substr(0, dot), 0)) return false;
    ++labels;
    if (dot == kNpos) break;
    domain.remove_prefix(dot + 1);
  }
  return labels >= 2;
}

// ---------------------------------------------------------------------------------------------
// hostname: /^(?=.{1,253}\.?$)LABEL(?:\.LABEL)*\.?$/i with 1-63 character labels: at most 253
// characters, or 254 when the last is the optional trailing dot.

bool CheckHostname(std::string_view s) {
  if (s.empty() || (s.size() > 253 && !(s.size() == 254 && s.back() == '.'))) return false;
  if (s.back() == '.') s.remove_suffix(1);
  while (true) {
    const std::size_t dot = s.find('.');
    if (!IsDnsLabel(s.substr(0, dot), 63)) return false;
    if (dot == kNpos) return true;
    s.remove_prefix(dot + 1);
  }
}

// ---------------------------------------------------------------------------------------------
// regex: ajv-formats refuses /[^\\]\\Z/ (a "\Z" after any character but a backslash: Python's
// anchor, which JavaScript reads as a literal 'Z') and otherwise asks whether `new RegExp(str)`
// compiles. That call has no flags, so the grammar is Annex B's lenient one (`\a`, a lone `{`,
// `[\d-z]` and `(?=a)*` are fine), not the `u` grammar `pattern` is compiled with; a syntax
// check answers it without compiling anything. The byte test suffices for /[^\\]/: the byte
// before the backslash is either a whole ASCII character or the last byte of a longer one.

bool CheckRegex(std::string_view s) {
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '\\' && s[i + 1] == 'Z' && s[i - 1] != '\\') return false;
  }
  return EcmaRegex::CheckLegacySyntax(s).ok();
}

// ---------------------------------------------------------------------------------------------
// uuid: /^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i (any version digits).

bool CheckUuid(std::string_view s) {
  static constexpr std::string_view kPrefix = "urn:uuid:";
  if (s.size() == 36 + kPrefix.size()) {
    for (std::size_t i = 0; i < kPrefix.size(); ++i) {
      if (IsAlpha(kPrefix[i]) ? !IsLetter(s[i], kPrefix[i]) : s[i] != kPrefix[i]) return false;
    }
    s.remove_prefix(kPrefix.size());
  }
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsHex(s[i])) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// JSON pointers.

// /^(?:\/(?:[^~/]|~0|~1)*)*$/: empty, or '/'-led with every '~' escaping 0 or 1.
bool CheckJsonPointer(std::string_view s) {
  if (!s.empty() && s[0] != '/') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '~' && (i + 1 == s.size() || (s[i + 1] != '0' && s[i + 1] != '1'))) {
      return false;
    }
  }
  return true;
}

// /^#(?:\/(?:[a-z0-9_\-.!$&'()*+,;:=@]|%[0-9a-f]{2}|~0|~1)*)*$/i
constexpr ByteSet kFragmentPointerChars =
    MakeByteSet([](char c) { return IsAlnum(c) || IsOneOf(c, "/_-.!$&'()*+,;:=@"); });

bool CheckJsonPointerUriFragment(std::string_view s) {
  if (s.empty() || s[0] != '#') return false;
  if (s.size() > 1 && s[1] != '/') return false;
  std::size_t i = 1;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '~') {
      if (i + 1 == s.size() || (s[i + 1] != '0' && s[i + 1] != '1')) return false;
      i += 2;
      continue;
    }
    const std::size_t end = SkipEncoded(s, i, kFragmentPointerChars);
    if (end == i) return false;
    i = end;
  }
  return true;
}

// /^(?:0|[1-9][0-9]*)(?:#|(?:\/(?:[^~/]|~0|~1)*)*)$/
bool CheckRelativeJsonPointer(std::string_view s) {
  const std::size_t digits = SkipDigits(s, 0);
  if (digits == 0 || (s[0] == '0' && digits > 1)) return false;
  const std::string_view rest = s.substr(digits);
  return rest == "#" || CheckJsonPointer(rest);
}

// ---------------------------------------------------------------------------------------------
// byte: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/gm. The `m` flag makes
// ^ and $ line anchors and `test` searches, so the string passes when ANY line is padded
// base64, an empty line included ("abc\n" passes through its empty last line, and so does
// anything holding "\r\n"). Lines end at \n, \r, U+2028 and U+2029.

constexpr bool IsBase64Char(char c) { return IsAlnum(c) || c == '+' || c == '/'; }

bool IsBase64Line(std::string_view s) {
  if (s.size() % 4 != 0) return false;
  std::size_t padding = 0;
  if (!s.empty() && s.back() == '=') padding = s[s.size() - 2] == '=' ? 2 : 1;
  for (std::size_t i = 0; i + padding < s.size(); ++i) {
    if (!IsBase64Char(s[i])) return false;
  }
  return true;
}

bool CheckByte(std::string_view s) {
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t terminator = 0;
    if (s[i] == '\n' || s[i] == '\r') {
      terminator = 1;
    } else if (s[i] == '\xE2' && i + 2 < s.size() && s[i + 1] == '\x80' &&
               (s[i + 2] == '\xA8' || s[i + 2] == '\xA9')) {
      terminator = 3;
    }
    if (terminator == 0) {
      ++i;
      continue;
    }
    if (IsBase64Line(s.substr(line_start, i - line_start))) return true;
    i += terminator;
    line_start = i;
  }
  return IsBase64Line(s.substr(line_start));
}

// ---------------------------------------------------------------------------------------------
// color (@rjsf/validator-ajv8), case-sensitive:
//   ^(#?([0-9A-Fa-f]{3}){1,2}\b|aqua|black|...|yellow
//    |rgb\(\s*N\s*,\s*N\s*,\s*N\s*\)                       N: 0-255, no leading zeros
//    |rgb\(\s*P+\s*,\s*P+\s*,\s*P+\s*\))$                  P: \d?\d% or 100%, repeatable
// The \b's it holds never decide anything once the rest has matched. \s is JavaScript's.

// Skips JavaScript white space (code units: every such character is in the BMP).
std::size_t SkipJsSpace(std::string_view s, std::size_t i) {
  while (i < s.size()) {
    const CodePoint cp = DecodeAt(s, i);
    if (!IsJsSpace(cp.value)) break;
    i += cp.size;
  }
  return i;
}

// One rgb() component at `i`; returns the index past it, or kNpos.
std::size_t SkipColorComponent(std::string_view s, std::size_t i, bool percent) {
  if (!percent) {
    const std::size_t end = SkipDigits(s, i);
    const std::size_t size = end - i;
    if (size == 0 || size > 3 || (size > 1 && s[i] == '0')) return kNpos;
    return ReadDigits(s, i, size) <= 255 ? end : kNpos;
  }
  std::size_t tokens = 0;
  while (i < s.size() && IsDigit(s[i])) {
    const std::size_t end = SkipDigits(s, i);
    const std::string_view digits = s.substr(i, end - i);
    if (end == s.size() || s[end] != '%') return kNpos;
    if (digits.size() > 2 && digits != "100") return kNpos;
    i = end + 1;
    ++tokens;
  }
  return tokens > 0 ? i : kNpos;
}

bool IsRgb(std::string_view s, bool percent) {
  std::size_t i = 4;  // past "rgb("
  for (int k = 0; k < 3; ++k) {
    i = SkipColorComponent(s, SkipJsSpace(s, i), percent);
    if (i == kNpos) return false;
    i = SkipJsSpace(s, i);
    if (i == s.size() || s[i] != (k < 2 ? ',' : ')')) return false;
    ++i;
  }
  return i == s.size();
}

bool CheckColor(std::string_view s) {
  static constexpr std::string_view kNames[] = {
      "aqua",  "black",  "blue",   "fuchsia", "gray",   "green", "lime",  "maroon", "navy",
      "olive", "orange", "purple", "red",     "silver", "teal",  "white", "yellow"};
  for (std::string_view name : kNames) {
    if (s == name) return true;
  }
  std::string_view hex = s;
  if (!hex.empty() && hex[0] == '#') hex.remove_prefix(1);
  if (hex.size() == 3 || hex.size() == 6) {
    bool all_hex = true;
    for (char c : hex) all_hex = all_hex && IsHex(c);
    if (all_hex) return true;
  }
  return s.starts_with("rgb(") && (IsRgb(s, false) || IsRgb(s, true));
}

// ---------------------------------------------------------------------------------------------
// data-url (@rjsf/validator-ajv8), case-sensitive:
//   /^data:([a-z]+\/[a-z0-9-+.]+)?;(?:name=(.*);)?base64,(.*)$/
// The payload is not checked as base64; `.` refuses line terminators anywhere after the ';'.

bool CheckDataUrl(std::string_view s) {
  if (!s.starts_with("data:")) return false;
  std::size_t i = 5;
  if (i < s.size() && s[i] != ';') {
    const std::size_t type_start = i;
    while (i < s.size() && s[i] >= 'a' && s[i] <= 'z') ++i;
    if (i == type_start || i == s.size() || s[i] != '/') return false;
    const std::size_t subtype_start = ++i;
    while (i < s.size() && ((s[i] >= 'a' && s[i] <= 'z') || IsDigit(s[i]) || s[i] == '-' ||
                            s[i] == '+' || s[i] == '.')) {
      ++i;
    }
    if (i == subtype_start) return false;
  }
  if (i == s.size() || s[i] != ';') return false;
  const std::string_view rest = s.substr(i + 1);
  if (HasJsLineTerminator(rest)) return false;
  if (rest.starts_with("base64,")) return true;
  // name=(.*); then base64, : the name may itself hold ";base64,", any occurrence will do.
  return rest.starts_with("name=") && rest.find(";base64,", 5) != kNpos;
}

bool AcceptAll(std::string_view) { return true; }

// ---------------------------------------------------------------------------------------------

struct FormatEntry {
  std::string_view name;
  FormatCheck v2;  // nullptr: not a string format in ajv-formats 2.1.1
  FormatCheck v3;
};

// int32, int64, float and double are absent: ajv-formats declares them `type: "number"`, and
// ajv applies such a format to numbers only, so every string passes them.
constexpr FormatEntry kFormats[] = {
    {"date", CheckDate, CheckDate},
    {"time", CheckTime2, CheckTime3},
    {"date-time", CheckDateTime2, CheckDateTime3},
    {"iso-time", nullptr, CheckIsoTime3},
    {"iso-date-time", nullptr, CheckIsoDateTime3},
    {"duration", CheckDuration, CheckDuration},
    {"uri", CheckUri, CheckUri},
    {"uri-reference", CheckUriReference, CheckUriReference},
    {"uri-template", CheckUriTemplate, CheckUriTemplate},
    {"url", CheckUrl, CheckUrl},
    {"email", CheckEmail, CheckEmail},
    {"hostname", CheckHostname, CheckHostname},
    {"ipv4", CheckIpv4V2, CheckIpv4V3},
    {"ipv6", CheckIpv6, CheckIpv6},
    {"regex", CheckRegex, CheckRegex},
    {"uuid", CheckUuid, CheckUuid},
    {"json-pointer", CheckJsonPointer, CheckJsonPointer},
    {"json-pointer-uri-fragment", CheckJsonPointerUriFragment, CheckJsonPointerUriFragment},
    {"relative-json-pointer", CheckRelativeJsonPointer, CheckRelativeJsonPointer},
    {"byte", CheckByte, CheckByte},
    {"password", AcceptAll, AcceptAll},
    {"binary", AcceptAll, AcceptAll},
    // @rjsf/validator-ajv8's own, added on top of either release.
    {"color", CheckColor, CheckColor},
    {"data-url", CheckDataUrl, CheckDataUrl},
};

}  // namespace

FormatCheck FindFormat(std::string_view name) {
  return FindFormat(name, FormatRules::kAjvFormats2);
}

FormatCheck FindFormat(std::string_view name, FormatRules rules) {
  for (const FormatEntry& entry : kFormats) {
    if (entry.name == name) return rules == FormatRules::kAjvFormats2 ? entry.v2 : entry.v3;
  }
  return nullptr;
}

}  // namespace capconf::schema::internal
