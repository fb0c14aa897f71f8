#pragma once
// Timestamps as the API, the access log and stored records show them: UTC, millisecond
// precision, RFC 3339 ("2026-11-27T13:59:15.042Z").

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>

namespace capconf {

inline std::string FormatUtcMillis(std::int64_t unix_millis) {
  std::int64_t seconds = unix_millis / 1000;
  std::int64_t millis = unix_millis % 1000;
  if (millis < 0) {  // before 1970: the division rounds towards zero
    millis += 1000;
    --seconds;
  }
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis));
  return buffer;
}

}  // namespace capconf
