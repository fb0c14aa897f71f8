#pragma once
// HTTP requests and responses as plain values, and the helpers handlers build responses with:
// JSON bodies, RFC 9457 problem details, cookies, and the one mapping from capconf::StatusCode to
// an HTTP status. Nothing here touches a socket: the Server converts to and from the wire, so a
// handler is a function from Request to Response that tests can call directly.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "capconf/common/status.h"

namespace capconf::http {

// ASCII case-insensitive equality, as header field names compare.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Header fields in arrival (or insertion) order. Names compare case-insensitively; a message
// carries a handful of fields, so a linear search beats a map. Not thread-safe (a value type).
class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  // The first value of `name`, or nullptr when there is none.
  const std::string* Find(std::string_view name) const;
  // The first value of `name`, or "" when there is none.
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Find(name) != nullptr; }
  // Every value of `name`, in order.
  std::vector<std::string_view> GetAll(std::string_view name) const;
  // Replaces all fields called `name` by one field with `value`.
  void Set(std::string_view name, std::string_view value);
  // Appends a field even when one of that name exists (Set-Cookie needs one field per cookie).
  void Add(std::string_view name, std::string_view value);
  void Remove(std::string_view name);

  std::vector<Field>::const_iterator begin() const { return fields_.begin(); }
  std::vector<Field>::const_iterator end() const { return fields_.end(); }
  std::size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }

 private:
  std::vector<Field> fields_;
};

// Cookie name → value from a `Cookie` request header ("a=1; b=2"). Values keep their encoding
// (surrounding double quotes are removed); pieces without '=' are skipped; for a repeated name
// the first one wins (browsers send the most specific path first).
std::map<std::string, std::string, std::less<>> ParseCookies(std::string_view cookie_header);

// Decodes %XX escapes (and '+' as a space when `plus_is_space`, as in query strings).
// nullopt when an escape is malformed, or the result holds a NUL byte or is not valid UTF-8:
// everything a Request exposes decoded is UTF-8 text that can go into JSON as is.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// One request as the handler sees it. The Server fills everything but `path_params` and
// `route` (the Router's) and `log_user` (the handler's). Invariants for requests built by the
// Server: `target` and `path` are printable ASCII, `path` starts with '/', and every escape
// in `path` and the query is well formed.
struct Request {
  std::string method;  // as sent: "GET" (method names are case-sensitive)
  std::string target;  // the request-target as sent: "/a/b%20c?x=1"
  std::string path;    // `target` without the query, NOT percent-decoded: "/a/b%20c"
  // The query's parameters in order, decoded ('+' is a space); "?a&b=" gives {a,""},{b,""}.
  std::vector<std::pair<std::string, std::string>> query;
  Headers headers;
  std::string body;
  std::string remote_address;  // the peer's IP address: "127.0.0.1", "::1"
  // The incoming X-Request-Id when it is 1-64 characters of [A-Za-z0-9._-], else a generated
  // one; echoed in the response's X-Request-Id header, the access log and problem documents.
  std::string request_id;
  // Filled by the Router: the `{name}` segments of the matched pattern, percent-decoded.
  std::map<std::string, std::string, std::less<>> path_params;
  // Filled by the Router: the matched route's name (its pattern), "" when nothing matched.
  // The access log and the metrics label requests with it.
  std::string route;
  // Set by handlers or middleware (authentication) to name the caller in the access log.
  std::string log_user;

  // The first value of query parameter `name`; nullopt when absent.
  std::optional<std::string_view> QueryParam(std::string_view name) const;
  // The path parameter `name`; "" when the route has no such parameter.
  std::string_view PathParam(std::string_view name) const;
  // The cookies of every Cookie header (see ParseCookies).
  std::map<std::string, std::string, std::less<>> Cookies() const;
};

enum class SameSite { kLax, kStrict };

// A cookie to set. Defaults are the safe ones: HttpOnly, Secure, SameSite=Lax, Path=/.
struct SetCookie {
  std::string name;   // an RFC 7230 token
  std::string value;  // RFC 6265 cookie-octets (no spaces, quotes, commas, semicolons, '\')
  std::string path = "/";
  // nullopt: a session cookie; zero deletes the cookie in the browser.
  std::optional<std::chrono::seconds> max_age;
  bool http_only = true;
  bool secure = true;  // off only for plain-HTTP development servers
  SameSite same_site = SameSite::kLax;
};

// "name=value; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=Lax".
// InvalidArgument when the name is not a token, the value has characters outside cookie-octets,
// or the path has control characters or ';'.
Result<std::string> FormatSetCookie(const SetCookie& cookie);

// One response as a handler returns it; the Server adds the common headers (see server.h).
struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  // Written as the Content-Type header when not empty (and then wins over a header set by hand).
  std::string content_type;
  // Set by Problem(): the problem document, without `instance` and `request_id`, which
  // CompleteProblem adds from the request before it serialises the document into `body`.
  std::optional<boost::json::object> problem;

  // Appends a Set-Cookie header. Errors: those of FormatSetCookie (nothing is added).
  Status AddCookie(const SetCookie& cookie);
};

// `value` serialised with capconf::json::Serialize, as application/json.
Response JsonResponse(int status, const boost::json::value& value);

// A body of another type (and, with an empty body, a bare status such as 204).
Response TextResponse(int status, std::string body = {},
                      std::string content_type = "text/plain; charset=utf-8");

inline constexpr std::string_view kProblemTypeBase = "https://capconf.dev/problems/";

// An RFC 9457 problem (application/problem+json): {type: kProblemTypeBase + type_suffix, title,
// status, detail, ...extra}. Members of `extra` named like a standard member are ignored.
// `instance` (the request path) and `request_id` are added by CompleteProblem, which the Server
// runs on every response; handlers' unit tests may call it themselves.
Response Problem(int status, std::string_view type_suffix, std::string_view title,
                 std::string_view detail, boost::json::object extra = {});

// If `response` holds a problem, adds `instance` and `request_id` from `request` (unless the
// handler set them) and serialises it into `body`. Otherwise does nothing.
void CompleteProblem(Response& response, const Request& request);

// The HTTP status for a capconf status code; the only place that maps them:
// InvalidArgument 400, Unauthenticated 401, PermissionDenied 403, NotFound 404,
// AlreadyExists/FailedPrecondition/Aborted 409, ResourceExhausted 413, Unavailable 503,
// DeadlineExceeded 504, Internal/DataLoss/Ok(misuse) 500.
int HttpStatusFor(StatusCode code);

// A problem for a failed Status: the mapped HTTP status, type suffix from the code
// ("not-found"), the Status message as detail. For 5xx the detail is generic: internal
// messages may name hosts or tables and are for the logs, not for clients.
Response ProblemFromStatus(const Status& status);

}  // namespace capconf::http
