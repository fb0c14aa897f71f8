#pragma once
// The outbound HTTP seam: what the crawler, the Notion/Confluence readers and (later) webhooks
// call to reach a buyer-supplied URL. Production wires GuardedClient (url_guard.h); tests of
// those callers use a fake Client.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "capconf/common/status.h"

namespace capconf::outbound {

enum class Method { kGet, kPost, kPut, kPatch, kDelete };

std::string_view MethodName(Method method);

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Request {
  Method method = Method::kGet;
  std::string url;
  // Sent as given ("Authorization", "Bearer ..."), in order. Host, Content-Length,
  // Transfer-Encoding and Connection are the client's to set and are refused here.
  HeaderList headers;
  // Sent for POST, PUT and PATCH (and DELETE when not empty), labelled only by a Content-Type
  // in `headers` (none is made up).
  std::string body;
};

struct Response {
  int status = 0;
  // The final response's headers, names lower-cased, values trimmed, in arrival order.
  HeaderList headers;
  std::string body;
  // The URL that answered, after redirects.
  std::string final_url;
  int redirects = 0;

  // The first header called `name` (any case), if any.
  std::optional<std::string> Header(std::string_view name) const;
  std::optional<std::string> ContentType() const { return Header("content-type"); }
  std::optional<std::string> Location() const { return Header("location"); }
  // Retry-After as delta-seconds ("Retry-After: 7" is 7). nullopt when absent or given as an
  // HTTP-date, which Header("retry-after") still returns for callers that own a clock.
  std::optional<long long> RetryAfterSeconds() const;
};

// A client for buyer-supplied URLs. Any HTTP status is a Response, not an error; a Status is
// returned only when no final response was obtained (refused, unreachable, too big, too slow).
class Client {
 public:
  virtual ~Client() = default;
  virtual Result<Response> Send(const Request& request) const = 0;
};

}  // namespace capconf::outbound
