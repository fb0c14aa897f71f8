#include "wire.h"

#include <algorithm>
#include <chrono>
#include <ctime>

namespace capconf::http {
namespace bhttp = boost::beast::http;
namespace {

bool HasNoContent(int status) { return status < 200 || status == 204 || status == 304; }

std::string HttpDate(std::chrono::system_clock::time_point now) {
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buffer;
}

bool IsServerOwnedField(std::string_view name) {
  for (std::string_view owned :
       {"Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "Date"}) {
    if (EqualsIgnoreCase(name, owned)) return true;
  }
  return false;
}

}  // namespace

Status FillRequest(WireRequest& message, Request& out) {
  out.method = std::string(message.method_string());
  out.target = std::string(message.target());
  for (const auto& field : message) {
    out.headers.Add(std::string_view(field.name_string().data(), field.name_string().size()),
                    std::string_view(field.value().data(), field.value().size()));
  }
  out.body = std::move(message.body());

  const std::string_view target = out.target;
  const bool printable = std::all_of(target.begin(), target.end(), [](char c) {
    return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7F;
  });
  if (target.empty() || target.front() != '/' || !printable ||
      target.find('#') != std::string_view::npos) {
    out.target.clear();
    return InvalidArgumentError("The request-target must be an absolute path of printable ASCII.");
  }
  const std::size_t question = target.find('?');
  out.path = std::string(target.substr(0, question));
  if (!PercentDecode(out.path, /*plus_is_space=*/false)) {
    return InvalidArgumentError("The path has a malformed %-escape or does not decode to UTF-8.");
  }
  if (question != std::string_view::npos) {
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
      const std::size_t amp = query.find('&');
      const std::string_view pair = query.substr(0, amp);
      query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
      if (pair.empty()) continue;
      const std::size_t eq = pair.find('=');
      std::optional<std::string> name = PercentDecode(pair.substr(0, eq), true);
      std::optional<std::string> value =
          eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1), true);
      if (!name || !value) {
        out.query.clear();
        return InvalidArgumentError(
            "The query has a malformed %-escape or does not decode to UTF-8.");
      }
      out.query.emplace_back(std::move(*name), std::move(*value));
    }
  }
  if (message.version() >= 11 && message.find(bhttp::field::host) == message.end()) {
    return InvalidArgumentError("An HTTP/1.1 request must have a Host header.");
  }
  return Status::Ok();
}

std::uint64_t BodyBytesSent(const Response& response, bool head_request) {
  return head_request || HasNoContent(response.status) ? 0 : response.body.size();
}

WireResponse ToWireResponse(Response&& response, unsigned version, bool head_request,
                            bool keep_alive) {
  WireResponse wire;
  wire.version(version);
  wire.result(static_cast<unsigned>(response.status));
  for (const auto& [name, value] : response.headers) {
    if (!IsServerOwnedField(name)) wire.insert(name, value);
  }
  wire.set(bhttp::field::date, HttpDate(std::chrono::system_clock::now()));
  if (HasNoContent(response.status)) {
    // No body and no Content-Length.
  } else if (head_request) {
    wire.content_length(response.body.size());
  } else {
    wire.body() = std::move(response.body);
    wire.prepare_payload();
  }
  wire.keep_alive(keep_alive);
  return wire;
}

}  // namespace capconf::http
