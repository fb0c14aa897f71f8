#include "shared_state.h"

namespace capconf::http {

SharedState::SharedState(ServerOptions options, Router router)
    : options_(std::move(options)),
      router_(std::move(router)),
      log_(options_.access_log ? options_.access_log : MakeStderrLogger()),
      dispatcher_(router_, metrics_, options_.readiness, stopping_, *log_) {}

void SharedState::StartWaitingPool(unsigned threads) {
  waiting_pool_.emplace(threads == 0 ? 32 : threads);
}

void SharedState::JoinWaitingPool() {
  if (waiting_pool_) waiting_pool_->join();
}

void SharedState::Register(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(mutex_);
  sessions_.emplace(session.get(), session);
}

void SharedState::Unregister(const Session* session) {
  std::lock_guard lock(mutex_);
  sessions_.erase(session);
  if (sessions_.empty()) sessions_changed_.notify_all();
}

std::vector<std::shared_ptr<Session>> SharedState::Sessions() const {
  std::vector<std::shared_ptr<Session>> out;
  std::lock_guard lock(mutex_);
  out.reserve(sessions_.size());
  for (const auto& [key, weak] : sessions_) {
    if (auto session = weak.lock()) out.push_back(std::move(session));
  }
  return out;
}

bool SharedState::WaitForNoSessions(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return sessions_changed_.wait_until(lock, deadline, [&] { return sessions_.empty(); });
}

void SharedState::RecordCompletion(const Request& request, int status, std::uint64_t bytes,
                                   std::chrono::nanoseconds duration) {
  metrics_.RecordRequest(request.route, request.method, status, duration);
  AccessLogEntry entry;
  entry.time = std::chrono::system_clock::now();
  entry.request_id = request.request_id;
  entry.remote = request.remote_address;
  entry.method = request.method;
  entry.path = request.path;
  entry.route = request.route;
  entry.status = status;
  entry.bytes = bytes;
  entry.duration = std::chrono::duration_cast<std::chrono::microseconds>(duration);
  entry.user = request.log_user;
  log_->Write(FormatAccessLogLine(entry));
}

void SharedState::LogError(std::string_view message) {
  log_->Write(FormatErrorLogLine(std::chrono::system_clock::now(), "", message));
}

}  // namespace capconf::http
