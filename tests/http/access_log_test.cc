#include "capconf/http/access_log.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace capconf::http {
namespace {

using std::chrono::system_clock;

system_clock::time_point At(std::int64_t unix_ms) {
  return system_clock::time_point(std::chrono::milliseconds(unix_ms));
}

TEST(AccessLogTest, FormatsRfc3339InUtcWithMilliseconds) {
  EXPECT_EQ(FormatRfc3339(At(1735787045678)), "2025-01-02T03:04:05.678Z");
  EXPECT_EQ(FormatRfc3339(At(0)), "1970-01-01T00:00:00.000Z");
}

TEST(AccessLogTest, WritesExactlyTheDocumentedMembersInOrder) {
  AccessLogEntry entry;
  entry.time = At(1735787045678);
  entry.request_id = "r1";
  entry.remote = "127.0.0.1";
  entry.method = "GET";
  entry.path = "/api/v1/subscriptions/7";
  entry.route = "/api/v1/subscriptions/{id}";
  entry.status = 200;
  entry.bytes = 12;
  entry.duration = std::chrono::microseconds(345);
  EXPECT_EQ(
      FormatAccessLogLine(entry),
      R"({"time":"2025-01-02T03:04:05.678Z","request_id":"r1","remote":"127.0.0.1",)"
      R"("method":"GET","path":"/api/v1/subscriptions/7","route":"/api/v1/subscriptions/{id}",)"
      R"("status":200,"bytes":12,"duration_us":345})");
  entry.user = "u_1";
  const boost::json::value line = boost::json::parse(FormatAccessLogLine(entry));
  EXPECT_EQ(line.at("user"), "u_1");
  EXPECT_EQ(line.as_object().size(), 10u);
}

TEST(AccessLogTest, ErrorLines) {
  const boost::json::value line =
      boost::json::parse(FormatErrorLogLine(At(0), "r9", "handler threw: boom"));
  EXPECT_EQ(line.at("level"), "error");
  EXPECT_EQ(line.at("request_id"), "r9");
  EXPECT_EQ(line.at("message"), "handler threw: boom");
  EXPECT_FALSE(
      boost::json::parse(FormatErrorLogLine(At(0), "", "x")).as_object().contains("request_id"));
}

}  // namespace
}  // namespace capconf::http
