#pragma once
// The one way out to a buyer-supplied URL (issue 6): http and https only, no user:password@,
// every address checked when the socket is opened, redirects followed here hop by hop and each
// hop checked like the first, and limits on time and size.
//
// Checks happen twice, for different reasons. CheckUrl refuses, before any lookup, what a URL
// spells: another scheme, credentials, an IP literal in a refused range, a numeric host in a
// form other than dotted-quad ("2130706433", "0x7f.1", "127.1": resolvers read them as IPv4,
// people do not), a metadata host name. Then, for every address libcurl is about to connect to
// (after DNS, for every hop), the address policy decides in libcurl's open-socket callback; a
// refused address gets no socket, so not one packet is sent to it, and a name that resolves
// differently between a check and the connect (DNS rebinding) cannot slip through.
//
// Proxies from the environment (http_proxy, ...) are ignored: through a proxy the connect-time
// check would see the proxy's address instead of the target's.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "capconf/common/status.h"
#include "capconf/outbound/address_policy.h"
#include "capconf/outbound/client.h"

namespace capconf::outbound {

struct GuardOptions {
  AddressPolicy address_policy;
  std::chrono::milliseconds connect_timeout{5000};
  // For the whole call, redirects included.
  std::chrono::milliseconds total_timeout{30000};
  // Body bytes of any one response (decoded as received; no Accept-Encoding is sent).
  std::size_t max_response_bytes = 10 * 1024 * 1024;
  // Bytes of one response's header section.
  std::size_t max_header_bytes = 64 * 1024;
  // Redirects followed before giving up; 0 (or less) returns the first 3xx as the response.
  int max_redirects = 5;
  std::string user_agent = "capconf";
  // Test-only: "host:port:address" entries handed to CURLOPT_RESOLVE, so a test can make a name
  // resolve to an address it chooses without DNS. The address is still checked at connect time.
  std::vector<std::string> test_resolve;
};

// A URL that passed CheckUrl.
struct CheckedUrl {
  std::string url;     // as libcurl normalised it; what is requested
  std::string scheme;  // "http" or "https"
  std::string host;    // as written (IPv6 without brackets), lower-cased
  int port = 0;        // explicit or the scheme's default

  // scheme://host:port/path without query or fragment, for messages and logs (queries may carry
  // tokens).
  std::string ForDisplay() const;
};

// The parse-time checks described above. InvalidArgument for a malformed URL, another scheme,
// user:password@, or a non-canonical numeric host; PermissionDenied for a refused IP literal or
// metadata host name. Useful on its own to validate a URL when a buyer saves it.
Result<CheckedUrl> CheckUrl(std::string_view url, const AddressPolicy& policy);

// GET/POST/PUT/PATCH/DELETE of http(s) URLs through libcurl, under GuardOptions.
//
// Redirects (301, 302, 303, 307, 308 with a Location) are followed here, never by libcurl: each
// Location is resolved against the current URL and goes through CheckUrl and the connect-time
// check again. As browsers do: 303, and 301/302 after a POST, continue as a GET without a body
// (or Content-Type); 301/302 after PUT, PATCH or DELETE, and 307/308 after any method, keep
// method and body. When a hop changes origin (scheme, host or port), only Accept,
// Accept-Language, User-Agent and Content-Type are carried over, so credentials set by the caller
// (Authorization, x-api-key, Cookie) never reach a host the caller did not name.
//
// Failures (Send's Status), each with a message in plain words:
//   InvalidArgument    bad URL, scheme or request header ("refused: scheme ftp is not allowed")
//   PermissionDenied   refused address or host, at the first hop or a redirect
//                      ("refused: 10.0.0.1 is a private address",
//                       "refused: redirect to http://10.0.0.1/: 10.0.0.1 is a private address")
//   ResourceExhausted  "response larger than N bytes", headers too large, too many redirects
//   DeadlineExceeded   "timed out after N ms", "connect to HOST timed out after N ms"
//   Unavailable        DNS failure, connection refused or reset, TLS failure
//
// Thread-safe: Send may be called from many threads at once; each call uses its own libcurl
// handle per hop and shares nothing. The constructor initialises libcurl globally once per
// process (curl_global_init under std::call_once); it is never cleaned up.
class GuardedClient final : public Client {
 public:
  explicit GuardedClient(GuardOptions options = {});

  Result<Response> Send(const Request& request) const override;

  Result<Response> Get(std::string url) const {
    return Send(Request{Method::kGet, std::move(url), {}, {}});
  }

  const GuardOptions& options() const { return options_; }

 private:
  GuardOptions options_;
};

}  // namespace capconf::outbound
