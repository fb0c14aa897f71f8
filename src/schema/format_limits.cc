#include "format_limits.h"

#include <string>

namespace capconf::schema::internal {
namespace {

std::optional<int> CompareStrings(std::string_view a, std::string_view b) {
  int c = a.compare(b);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

// compareDate: plain string order of two non-empty strings (2.1.1 does not validate them).
std::optional<int> CompareDate(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return std::nullopt;
  return CompareStrings(a, b);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The part of a time that 2.1.1 compares: hh mm ss and the fraction, from a string matching
// /^(\d\d):(\d\d):(\d\d)(\.\d+)?(z|[+-]\d\d(?::?\d\d)?)?$/i; the zone is ignored.
std::optional<std::string> TimeKey(std::string_view t) {
  if (t.size() < 8 || !IsDigit(t[0]) || !IsDigit(t[1]) || t[2] != ':' || !IsDigit(t[3]) ||
      !IsDigit(t[4]) || t[5] != ':' || !IsDigit(t[6]) || !IsDigit(t[7]))
    return std::nullopt;
  std::string key;
  key.append(t.substr(0, 2)).append(t.substr(3, 2)).append(t.substr(6, 2));
  std::size_t i = 8;
  if (i < t.size() && t[i] == '.') {
    std::size_t start = i++;
    while (i < t.size() && IsDigit(t[i])) ++i;
    if (i == start + 1) return std::nullopt;
    key.append(t.substr(start, i - start));
  }
  if (i == t.size()) return key;
  if (t[i] == 'z' || t[i] == 'Z') return i + 1 == t.size() ? std::optional(key) : std::nullopt;
  if (t[i] != '+' && t[i] != '-') return std::nullopt;
  ++i;
  if (i + 2 > t.size() || !IsDigit(t[i]) || !IsDigit(t[i + 1])) return std::nullopt;
  i += 2;
  if (i == t.size()) return key;
  if (t[i] == ':') ++i;
  if (i + 2 == t.size() && IsDigit(t[i]) && IsDigit(t[i + 1])) return key;
  return std::nullopt;
}

std::optional<int> CompareTime(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return std::nullopt;
  auto ka = TimeKey(a);
  auto kb = TimeKey(b);
  if (!ka || !kb) return std::nullopt;
  return CompareStrings(*ka, *kb);
}

// Splits a date-time as `s.split(/t|\s/i)` does and keeps the first two parts.
void SplitDateTime(std::string_view s, std::string_view& date,
                   std::optional<std::string_view>& time) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t width = 0;
    if (c == 't' || c == 'T' || c == ' ' || (c >= '\t' && c <= '\r'))
      width = 1;
    else if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xA0)
      width = 2;
    else if (c == 0xE3 && s.substr(i, 3) == "\xE3\x80\x80")
      width = 3;
    else if (c == 0xEF && s.substr(i, 3) == "\xEF\xBB\xBF")
      width = 3;
    else if (c == 0xE2 && i + 2 < s.size()) {
      unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
      unsigned char c2 = static_cast<unsigned char>(s[i + 2]);
      if ((c1 == 0x80 && (c2 <= 0x8A || c2 == 0xA8 || c2 == 0xA9 || c2 == 0xAF)) ||
          (c1 == 0x81 && c2 == 0x9F))
        width = 3;
    }
    if (width == 0) continue;
    date = s.substr(0, i);
    std::string_view rest = s.substr(i + width);
    // The second part ends at the next separator, as split would cut it.
    std::size_t end = 0;
    while (end < rest.size()) {
      unsigned char r = static_cast<unsigned char>(rest[end]);
      if (r == 't' || r == 'T' || r == ' ' || (r >= '\t' && r <= '\r')) break;
      ++end;
    }
    time = rest.substr(0, end);
    return;
  }
  date = s;
  time.reset();
}

std::optional<int> CompareDateTime(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return std::nullopt;
  std::string_view da, db;
  std::optional<std::string_view> ta, tb;
  SplitDateTime(a, da, ta);
  SplitDateTime(b, db, tb);
  auto res = CompareDate(da, db);
  if (!res) return std::nullopt;
  if (*res != 0) return res;
  if (!ta || !tb) return std::nullopt;
  return CompareTime(*ta, *tb);
}

}  // namespace

FormatCompare FindFormatCompare(std::string_view format) {
  if (format == "date") return &CompareDate;
  if (format == "time") return &CompareTime;
  if (format == "date-time") return &CompareDateTime;
  return nullptr;
}

}  // namespace capconf::schema::internal
