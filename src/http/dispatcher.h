#pragma once
// The pure part of the server: a Request in, a complete Response out. Built-in routes, the
// Router (and its middleware), exceptions turned into 500 problems, and the headers every
// response carries. No sockets, no Beast: session.cc does the wire.
//
// Thread-safety: Dispatch and Finalize are const and run on any number of threads at once.

#include <atomic>
#include <functional>
#include <string>
#include <string_view>

#include "capconf/http/access_log.h"
#include "capconf/http/message.h"
#include "capconf/http/metrics.h"
#include "capconf/http/router.h"

namespace capconf::http {

// 1-64 characters of [A-Za-z0-9._-].
bool IsAcceptableRequestId(std::string_view id);
// 32 random hex digits (128 bits from a per-thread generator seeded by std::random_device).
std::string GenerateRequestId();
// Keeps an acceptable incoming X-Request-Id, else generates one.
void AssignRequestId(Request& request);

class Dispatcher {
 public:
  // All references must outlive the Dispatcher. `readiness` may be null (always ready).
  Dispatcher(const Router& router, const Metrics& metrics, std::function<bool()> readiness,
             const std::atomic<bool>& stopping, Logger& log);

  // Assigns the request id, answers the request and finalises the response.
  Response Dispatch(Request& request) const;

  // What every response gets, for responses made outside Dispatch too (errors found while
  // reading the request): the problem completed, Content-Type, X-Request-Id, nosniff,
  // Cache-Control for JSON. A response with an impossible status or a header name or value
  // that cannot go on the wire is replaced by a 500 problem (and an error line).
  void Finalize(Response& response, const Request& request) const;

 private:
  // The built-in routes; false when `request` is not for one of them.
  bool Builtin(Request& request, Response& response) const;
  void LogError(const Request& request, std::string_view message) const;

  const Router& router_;
  const Metrics& metrics_;
  std::function<bool()> readiness_;
  const std::atomic<bool>& stopping_;
  Logger& log_;
};

}  // namespace capconf::http
