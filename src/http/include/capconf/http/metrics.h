#pragma once
// Request metrics in the Prometheus text format (version 0.0.4), served at /metrics:
//   capconf_http_requests_total{route,method,status}            counter
//   capconf_http_request_duration_seconds{route,method}         histogram, 50 µs to 10 s
//   capconf_http_in_flight_requests                             gauge
// `route` is the route name (the pattern, so cardinality stays bounded), "unmatched" when no
// route matched; `method` is one of the standard methods or "OTHER" (clients choose methods).
//
// Thread-safety: all members may be called concurrently. Recording takes an uncontended lock
// on one of several shards chosen by thread, so workers do not contend with each other; only
// Render visits every shard.

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace capconf::http {

class Metrics {
 public:
  // Upper bounds, in seconds, of the duration histogram's buckets (+Inf is implied).
  static constexpr std::array<double, 17> kDurationBuckets = {
      0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
      0.05,    0.1,    0.25,    0.5,    1,     2.5,    5,     10};

  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Counts one finished request; `route` "" is recorded as "unmatched".
  void RecordRequest(std::string_view route, std::string_view method, int status,
                     std::chrono::nanoseconds duration);

  // Counts a request as in flight while it lives.
  class InFlight {
   public:
    explicit InFlight(Metrics& metrics);
    ~InFlight();
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;

   private:
    Metrics& metrics_;
  };
  std::int64_t in_flight() const;

  // The exposition text, series sorted by labels.
  std::string Render() const;

  // The method label: the method itself for the standard ones, else "OTHER".
  static std::string_view MethodLabel(std::string_view method);

 private:
  struct Shard;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace capconf::http
