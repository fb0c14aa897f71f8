#include "capconf/http/access_log.h"

#include <unistd.h>

#include <boost/json/object.hpp>
#include <cerrno>
#include <ctime>

#include "capconf/common/time_format.h"
#include "capconf/json/serialize.h"

namespace capconf::http {
namespace {

class StderrLogger final : public Logger {
 public:
  void Write(std::string_view line) override {
    std::string out;
    out.reserve(line.size() + 1);
    out.append(line);
    out.push_back('\n');
    // One write(2) per line: concurrent lines do not interleave (for pipes, up to PIPE_BUF;
    // for files opened with O_APPEND, whole writes).
    std::string_view rest = out;
    while (!rest.empty()) {
      const ssize_t n = ::write(STDERR_FILENO, rest.data(), rest.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      rest.remove_prefix(static_cast<std::size_t>(n));
    }
  }
};

}  // namespace

std::shared_ptr<Logger> MakeStderrLogger() { return std::make_shared<StderrLogger>(); }

std::string FormatRfc3339(std::chrono::system_clock::time_point time) {
  return FormatUtcMillis(
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count());
}

std::string FormatAccessLogLine(const AccessLogEntry& entry) {
  boost::json::object line;
  line["time"] = FormatRfc3339(entry.time);
  line["request_id"] = entry.request_id;
  line["remote"] = entry.remote;
  line["method"] = entry.method;
  line["path"] = entry.path;
  line["route"] = entry.route;
  line["status"] = entry.status;
  line["bytes"] = entry.bytes;
  line["duration_us"] = entry.duration.count();
  if (!entry.user.empty()) line["user"] = entry.user;
  return json::Serialize(line);
}

std::string FormatErrorLogLine(std::chrono::system_clock::time_point time,
                               std::string_view request_id, std::string_view message) {
  boost::json::object line;
  line["time"] = FormatRfc3339(time);
  line["level"] = "error";
  if (!request_id.empty()) line["request_id"] = request_id;
  line["message"] = message;
  return json::Serialize(line);
}

}  // namespace capconf::http
