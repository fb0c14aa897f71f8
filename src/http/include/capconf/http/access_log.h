#pragma once
// The access log: one JSON line per response the Server sends, to a Logger sink.
//
// A line holds exactly these members, in this order:
//   {"time":"2025-01-02T03:04:05.678Z","request_id":"…","remote":"127.0.0.1","method":"GET",
//    "path":"/api/v1/x","route":"/api/v1/{id}","status":200,"bytes":123,"duration_us":456,
//    "user":"u_1"}
// `user` only when the handler set Request::log_user; `path` is the path as sent, without the
// query. Never headers, bodies, cookies or query strings: they may carry secrets.
// `bytes` counts the response body; `duration_us` runs from the request's first byte to the
// last byte of its response handed to the kernel.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace capconf::http {

// Where log lines go. Write may be called from many threads at once; implementations must be
// thread-safe and should not block for long (the calling thread is a worker).
class Logger {
 public:
  virtual ~Logger() = default;
  // One line, without its trailing newline.
  virtual void Write(std::string_view line) = 0;
};

// Writes each line and its newline to stderr with one write(2), so lines from many threads do
// not interleave. Write errors are ignored.
std::shared_ptr<Logger> MakeStderrLogger();

struct AccessLogEntry {
  std::chrono::system_clock::time_point time;
  std::string_view request_id;
  std::string_view remote;
  std::string_view method;
  std::string_view path;
  std::string_view route;
  int status = 0;
  std::uint64_t bytes = 0;
  std::chrono::microseconds duration{0};
  std::string_view user;  // omitted when empty
};

std::string FormatAccessLogLine(const AccessLogEntry& entry);

// A line for a server-side failure (a handler that threw, a failed accept):
// {"time":…,"level":"error","request_id":…,"message":…}; request_id omitted when empty.
std::string FormatErrorLogLine(std::chrono::system_clock::time_point time,
                               std::string_view request_id, std::string_view message);

// RFC 3339 in UTC with milliseconds: "2025-01-02T03:04:05.678Z".
std::string FormatRfc3339(std::chrono::system_clock::time_point time);

}  // namespace capconf::http
