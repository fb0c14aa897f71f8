#pragma once
// What every connection of one Server shares: the options, the Router and Dispatcher, the
// metrics and the log, whether the server is stopping, and the set of live sessions (so a
// stop can close idle ones and wait for the rest).
//
// Thread-safety: all members may be called from any thread.

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "capconf/http/access_log.h"
#include "capconf/http/message.h"
#include "capconf/http/metrics.h"
#include "capconf/http/router.h"
#include "capconf/http/server.h"
#include "dispatcher.h"

namespace capconf::http {

class Session;

class SharedState {
 public:
  SharedState(ServerOptions options, Router router);

  const ServerOptions& options() const { return options_; }
  const Router& router() const { return router_; }
  Metrics& metrics() { return metrics_; }
  const Dispatcher& dispatcher() const { return dispatcher_; }

  // The pool that runs the handlers of waiting routes (ServerOptions::waiting_threads):
  // started with the server, joined by its Stop once no session is left, before the worker
  // threads stop (a waiting handler hands its response back to them).
  void StartWaitingPool(unsigned threads);
  boost::asio::thread_pool& waiting_pool() { return *waiting_pool_; }
  void JoinWaitingPool();

  bool stopping() const { return stopping_.load(); }
  void SetStopping() { stopping_.store(true); }

  void Register(const std::shared_ptr<Session>& session);
  void Unregister(const Session* session);
  // The live sessions (those not yet destroyed).
  std::vector<std::shared_ptr<Session>> Sessions() const;
  // Waits until no session is left or `deadline` passes; true when none is left.
  bool WaitForNoSessions(std::chrono::steady_clock::time_point deadline);

  // The access log line and the metrics for one response written (or attempted).
  void RecordCompletion(const Request& request, int status, std::uint64_t bytes,
                        std::chrono::nanoseconds duration);
  void LogError(std::string_view message);

 private:
  ServerOptions options_;
  Router router_;
  Metrics metrics_;
  std::shared_ptr<Logger> log_;
  std::atomic<bool> stopping_{false};
  Dispatcher dispatcher_;  // after what it refers to
  std::optional<boost::asio::thread_pool> waiting_pool_;

  mutable std::mutex mutex_;
  std::condition_variable sessions_changed_;
  std::unordered_map<const Session*, std::weak_ptr<Session>> sessions_;
};

}  // namespace capconf::http
