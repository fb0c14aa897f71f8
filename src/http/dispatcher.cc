#include "dispatcher.h"

#include <algorithm>
#include <boost/json/object.hpp>
#include <cctype>
#include <exception>
#include <random>

namespace capconf::http {
namespace {

bool IsTokenChar(unsigned char c) {
  return std::isalnum(c) ||
         std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool IsValidFieldName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return IsTokenChar(static_cast<unsigned char>(c));
  });
}

// Field values may hold any byte but CR, LF and NUL (and other controls but tab).
bool IsValidFieldValue(std::string_view value) {
  return std::all_of(value.begin(), value.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 ? u != 0x7F : u == '\t';
  });
}

bool IsJsonContentType(std::string_view type) {
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  if (EqualsIgnoreCase(type, "application/json")) return true;
  return type.size() > 5 && type.starts_with("application/") &&
         EqualsIgnoreCase(type.substr(type.size() - 5), "+json");
}

Response MethodNotAllowed(const Request& request) {
  Response response = Problem(405, "method-not-allowed", "Method not allowed",
                              "The resource does not support " + request.method + ".");
  response.headers.Set("Allow", "GET, HEAD");
  return response;
}

}  // namespace

bool IsAcceptableRequestId(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

std::string GenerateRequestId() {
  thread_local std::mt19937_64 generator(
      (static_cast<std::uint64_t>(std::random_device()()) << 32) ^ std::random_device()());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (int half = 0; half < 2; ++half) {
    std::uint64_t bits = generator();
    for (int i = 0; i < 16; ++i, bits >>= 4) id[half * 16 + i] = kHex[bits & 0xF];
  }
  return id;
}

void AssignRequestId(Request& request) {
  const std::string* incoming = request.headers.Find("X-Request-Id");
  request.request_id =
      incoming && IsAcceptableRequestId(*incoming) ? *incoming : GenerateRequestId();
}

Dispatcher::Dispatcher(const Router& router, const Metrics& metrics,
                       std::function<bool()> readiness, const std::atomic<bool>& stopping,
                       Logger& log)
    : router_(router),
      metrics_(metrics),
      readiness_(std::move(readiness)),
      stopping_(stopping),
      log_(log) {}

Response Dispatcher::Dispatch(Request& request) const {
  AssignRequestId(request);
  Response response;
  if (!Builtin(request, response)) {
    try {
      response = router_.Handle(request);
    } catch (const std::exception& e) {
      LogError(request, std::string("handler threw: ") + e.what());
      response = ProblemFromStatus(InternalError(""));
    } catch (...) {
      LogError(request, "handler threw a non-exception");
      response = ProblemFromStatus(InternalError(""));
    }
  }
  Finalize(response, request);
  return response;
}

bool Dispatcher::Builtin(Request& request, Response& response) const {
  const std::string& path = request.path;
  if (path != "/healthz" && path != "/readyz" && path != "/metrics") return false;
  request.route = path;
  request.path_params.clear();
  if (request.method != "GET" && request.method != "HEAD") {
    response = MethodNotAllowed(request);
    return true;
  }
  if (path == "/healthz") {
    response = JsonResponse(200, boost::json::object{{"status", "ok"}});
  } else if (path == "/readyz") {
    bool ready = false;
    if (!stopping_.load()) {
      try {
        ready = !readiness_ || readiness_();
      } catch (const std::exception& e) {
        LogError(request, std::string("readiness check threw: ") + e.what());
      } catch (...) {
        LogError(request, "readiness check threw");
      }
    }
    if (stopping_.load()) {
      response = Problem(503, "shutting-down", "Shutting down",
                         "The server is stopping and takes no new work.");
    } else if (!ready) {
      response = Problem(503, "not-ready", "Not ready",
                         "The server cannot serve requests yet (its dependencies are not ready).");
    } else {
      response = JsonResponse(200, boost::json::object{{"status", "ready"}});
    }
  } else {
    response.status = 200;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = metrics_.Render();
    response.headers.Set("Cache-Control", "no-store");
  }
  return true;
}

void Dispatcher::Finalize(Response& response, const Request& request) const {
  // 1xx are interim responses: a handler's answer is always final.
  bool valid = response.status >= 200 && response.status <= 599;
  for (const auto& [name, value] : response.headers) {
    valid = valid && IsValidFieldName(name) && IsValidFieldValue(value);
  }
  valid = valid && IsValidFieldValue(response.content_type);
  if (!valid) {
    LogError(request, "handler returned status " + std::to_string(response.status) +
                          " or a header that cannot be sent");
    response = ProblemFromStatus(InternalError(""));
  }
  CompleteProblem(response, request);
  if (!response.content_type.empty()) response.headers.Set("Content-Type", response.content_type);
  response.headers.Set("X-Request-Id", request.request_id);
  response.headers.Set("X-Content-Type-Options", "nosniff");
  if (IsJsonContentType(response.headers.Get("Content-Type")) &&
      !response.headers.Has("Cache-Control")) {
    response.headers.Set("Cache-Control", "no-store");
  }
}

void Dispatcher::LogError(const Request& request, std::string_view message) const {
  log_.Write(FormatErrorLogLine(std::chrono::system_clock::now(), request.request_id, message));
}

}  // namespace capconf::http
