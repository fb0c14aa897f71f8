#pragma once
// A Logger that keeps its lines, for tests that check the access log. The server writes a
// request's line after the response has been written, so a client can see the response
// first: wait for lines with WaitForLines rather than reading at once.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "capconf/http/access_log.h"

namespace capconf::http::testing {

class CapturingLogger final : public Logger {
 public:
  void Write(std::string_view line) override {
    {
      std::lock_guard lock(mutex_);
      lines_.emplace_back(line);
    }
    changed_.notify_all();
  }

  std::vector<std::string> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }

  // True once at least `count` lines arrived; false after `timeout`.
  bool WaitForLines(std::size_t count,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return lines_.size() >= count; });
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> lines_;
};

}  // namespace capconf::http::testing
