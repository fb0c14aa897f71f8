#include "capconf/http/metrics.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <map>
#include <mutex>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace capconf::http {
namespace {

constexpr std::size_t kShards = 16;
constexpr std::size_t kBuckets = Metrics::kDurationBuckets.size() + 1;  // and +Inf

struct KeyView {
  std::string_view route;
  std::string_view method;
  int status;
};

struct Key {
  std::string route;
  std::string method;
  int status;
  operator KeyView() const { return {route, method, status}; }  // NOLINT: for lookups
};

struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(const KeyView& k) const {
    const std::size_t h = std::hash<std::string_view>()(k.route);
    return (h * 31 + std::hash<std::string_view>()(k.method)) * 31 +
           static_cast<std::size_t>(k.status);
  }
  std::size_t operator()(const Key& k) const { return (*this)(KeyView(k)); }
};

struct KeyEqual {
  using is_transparent = void;
  static KeyView View(const KeyView& k) { return k; }
  static KeyView View(const Key& k) { return k; }
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    const KeyView x = View(a);
    const KeyView y = View(b);
    return x.status == y.status && x.route == y.route && x.method == y.method;
  }
};

struct Histogram {
  std::array<std::uint64_t, kBuckets> buckets{};  // not cumulative; the last is +Inf
  std::uint64_t count = 0;
  std::uint64_t sum_ns = 0;
};

std::string FormatDouble(double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

// Prometheus label values escape backslash, double quote and newline.
std::string EscapeLabel(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::size_t ThisThreadShard() {
  static std::atomic<std::size_t> next{0};
  thread_local const std::size_t index = next.fetch_add(1, std::memory_order_relaxed) % kShards;
  return index;
}

}  // namespace

struct Metrics::Shard {
  std::mutex mutex;
  std::unordered_map<Key, std::uint64_t, KeyHash, KeyEqual> counters;
  std::unordered_map<Key, Histogram, KeyHash, KeyEqual> histograms;  // status is 0
};

struct Metrics::Impl {
  std::array<Shard, kShards> shards;
  std::atomic<std::int64_t> in_flight{0};
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

std::string_view Metrics::MethodLabel(std::string_view method) {
  static constexpr std::string_view kKnown[] = {"GET",    "HEAD",    "POST",  "PUT",    "PATCH",
                                                "DELETE", "OPTIONS", "TRACE", "CONNECT"};
  for (std::string_view known : kKnown) {
    if (method == known) return known;
  }
  return "OTHER";
}

void Metrics::RecordRequest(std::string_view route, std::string_view method, int status,
                            std::chrono::nanoseconds duration) {
  if (route.empty()) route = "unmatched";
  method = MethodLabel(method);
  const double seconds = std::chrono::duration<double>(duration).count();
  const std::size_t bucket = static_cast<std::size_t>(
      std::lower_bound(kDurationBuckets.begin(), kDurationBuckets.end(), seconds) -
      kDurationBuckets.begin());
  const auto ns = static_cast<std::uint64_t>(std::max<std::int64_t>(0, duration.count()));

  Shard& shard = impl_->shards[ThisThreadShard()];
  std::lock_guard lock(shard.mutex);
  const KeyView counter_key{route, method, status};
  auto counter = shard.counters.find(counter_key);
  if (counter == shard.counters.end()) {
    counter = shard.counters.emplace(Key{std::string(route), std::string(method), status}, 0).first;
  }
  ++counter->second;
  const KeyView histogram_key{route, method, 0};
  auto histogram = shard.histograms.find(histogram_key);
  if (histogram == shard.histograms.end()) {
    histogram =
        shard.histograms.emplace(Key{std::string(route), std::string(method), 0}, Histogram{})
            .first;
  }
  ++histogram->second.buckets[bucket];
  ++histogram->second.count;
  histogram->second.sum_ns += ns;
}

Metrics::InFlight::InFlight(Metrics& metrics) : metrics_(metrics) {
  metrics_.impl_->in_flight.fetch_add(1, std::memory_order_relaxed);
}
Metrics::InFlight::~InFlight() {
  metrics_.impl_->in_flight.fetch_sub(1, std::memory_order_relaxed);
}

std::int64_t Metrics::in_flight() const { return impl_->in_flight.load(std::memory_order_relaxed); }

std::string Metrics::Render() const {
  using Labels = std::tuple<std::string, std::string, int>;
  std::map<Labels, std::uint64_t> counters;
  std::map<Labels, Histogram> histograms;
  for (Shard& shard : impl_->shards) {
    std::lock_guard lock(shard.mutex);
    for (const auto& [key, count] : shard.counters) {
      counters[Labels(key.route, key.method, key.status)] += count;
    }
    for (const auto& [key, h] : shard.histograms) {
      Histogram& total = histograms[Labels(key.route, key.method, 0)];
      for (std::size_t i = 0; i < kBuckets; ++i) total.buckets[i] += h.buckets[i];
      total.count += h.count;
      total.sum_ns += h.sum_ns;
    }
  }

  std::string out;
  out += "# HELP capconf_http_requests_total HTTP requests answered.\n";
  out += "# TYPE capconf_http_requests_total counter\n";
  for (const auto& [labels, count] : counters) {
    out += "capconf_http_requests_total{route=\"" + EscapeLabel(std::get<0>(labels)) +
           "\",method=\"" + EscapeLabel(std::get<1>(labels)) + "\",status=\"" +
           std::to_string(std::get<2>(labels)) + "\"} " + std::to_string(count) + "\n";
  }
  out +=
      "# HELP capconf_http_request_duration_seconds Time from a request's first byte to its "
      "response written.\n";
  out += "# TYPE capconf_http_request_duration_seconds histogram\n";
  for (const auto& [labels, h] : histograms) {
    const std::string base = "route=\"" + EscapeLabel(std::get<0>(labels)) + "\",method=\"" +
                             EscapeLabel(std::get<1>(labels)) + "\"";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      cumulative += h.buckets[i];
      const std::string le =
          i < kDurationBuckets.size() ? FormatDouble(kDurationBuckets[i]) : std::string("+Inf");
      out += "capconf_http_request_duration_seconds_bucket{" + base + ",le=\"" + le + "\"} " +
             std::to_string(cumulative) + "\n";
    }
    out += "capconf_http_request_duration_seconds_sum{" + base + "} " +
           FormatDouble(static_cast<double>(h.sum_ns) / 1e9) + "\n";
    out += "capconf_http_request_duration_seconds_count{" + base + "} " + std::to_string(h.count) +
           "\n";
  }
  out += "# HELP capconf_http_in_flight_requests Requests being handled or written.\n";
  out += "# TYPE capconf_http_in_flight_requests gauge\n";
  out += "capconf_http_in_flight_requests " + std::to_string(in_flight()) + "\n";
  return out;
}

}  // namespace capconf::http
