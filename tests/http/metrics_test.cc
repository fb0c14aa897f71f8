#include "capconf/http/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace capconf::http {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

bool Contains(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(MetricsTest, CountsByRouteMethodAndStatus) {
  Metrics metrics;
  metrics.RecordRequest("/a/{id}", "GET", 200, microseconds(40));
  metrics.RecordRequest("/a/{id}", "GET", 200, milliseconds(3));
  metrics.RecordRequest("/a/{id}", "GET", 404, std::chrono::seconds(20));
  metrics.RecordRequest("", "BREW", 404, microseconds(10));
  const std::string text = metrics.Render();
  EXPECT_TRUE(Contains(text, "# TYPE capconf_http_requests_total counter"));
  EXPECT_TRUE(Contains(
      text, R"(capconf_http_requests_total{route="/a/{id}",method="GET",status="200"} 2)"));
  EXPECT_TRUE(Contains(
      text, R"(capconf_http_requests_total{route="/a/{id}",method="GET",status="404"} 1)"));
  EXPECT_TRUE(Contains(
      text, R"(capconf_http_requests_total{route="unmatched",method="OTHER",status="404"} 1)"));
  EXPECT_TRUE(Contains(text, "# TYPE capconf_http_request_duration_seconds histogram"));
  const std::string base =
      R"(capconf_http_request_duration_seconds_bucket{route="/a/{id}",method="GET",le=")";
  EXPECT_TRUE(Contains(text, base + R"(5e-05"} 1)"));
  EXPECT_TRUE(Contains(text, base + R"(0.0025"} 1)"));
  EXPECT_TRUE(Contains(text, base + R"(0.005"} 2)"));
  EXPECT_TRUE(Contains(text, base + R"(10"} 2)"));
  EXPECT_TRUE(Contains(text, base + R"(+Inf"} 3)"));
  EXPECT_TRUE(Contains(
      text, R"(capconf_http_request_duration_seconds_count{route="/a/{id}",method="GET"} 3)"));
  EXPECT_TRUE(Contains(
      text, R"(capconf_http_request_duration_seconds_sum{route="/a/{id}",method="GET"} 20.00304)"));
  EXPECT_TRUE(Contains(text, "capconf_http_in_flight_requests 0"));
}

TEST(MetricsTest, InFlightGauge) {
  Metrics metrics;
  {
    Metrics::InFlight a(metrics);
    Metrics::InFlight b(metrics);
    EXPECT_EQ(metrics.in_flight(), 2);
    EXPECT_TRUE(Contains(metrics.Render(), "capconf_http_in_flight_requests 2"));
  }
  EXPECT_EQ(metrics.in_flight(), 0);
}

TEST(MetricsTest, EscapesLabelValues) {
  Metrics metrics;
  metrics.RecordRequest("/a\"b\\c\n", "GET", 200, microseconds(1));
  EXPECT_NE(metrics.Render().find(R"(route="/a\"b\\c\n")"), std::string::npos);
}

TEST(MetricsTest, MethodLabelIsBounded) {
  EXPECT_EQ(Metrics::MethodLabel("GET"), "GET");
  EXPECT_EQ(Metrics::MethodLabel("PATCH"), "PATCH");
  EXPECT_EQ(Metrics::MethodLabel("get"), "OTHER");
  EXPECT_EQ(Metrics::MethodLabel("XYZZY"), "OTHER");
}

TEST(MetricsTest, ConcurrentRecordingLosesNothing) {
  Metrics metrics;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&metrics, t] {
      for (int i = 0; i < 1000; ++i) {
        metrics.RecordRequest(t % 2 ? "/odd" : "/even", "GET", 200, microseconds(100));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const std::string text = metrics.Render();
  EXPECT_TRUE(Contains(
      text, R"(capconf_http_requests_total{route="/even",method="GET",status="200"} 4000)"));
  EXPECT_TRUE(Contains(
      text, R"(capconf_http_requests_total{route="/odd",method="GET",status="200"} 4000)"));
  EXPECT_TRUE(Contains(
      text, R"(capconf_http_request_duration_seconds_count{route="/odd",method="GET"} 4000)"));
}

}  // namespace
}  // namespace capconf::http
