#pragma once
// A client of a running `capconf serve` as the API tests use it: a signed-in browser (session
// cookie and CSRF token) or a program with a bearer token; and running the CLI.

#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "test_client.h"

namespace capconf::testing {

inline constexpr const char* kDemoPassword = "capconf-demo-1234";

class Browser {
 public:
  explicit Browser(std::uint16_t port) : client_(port) {}

  // POST /api/v1/session; on 200 keeps the cookies and the CSRF token for later calls.
  http::testing::ClientResponse SignIn(const std::string& email,
                                       const std::string& password = kDemoPassword);
  // Sends `body` (unless null) as JSON, with the cookie or bearer token and, on anything but
  // GET, the CSRF token (unless `with_csrf` is false). A failed exchange is a test failure.
  http::testing::ClientResponse Call(std::string_view method, std::string_view path,
                                     const boost::json::value& body = nullptr,
                                     http::testing::HeaderList headers = {}, bool with_csrf = true);
  // Sends `body` as it is; Content-Type application/json unless `headers` name another.
  http::testing::ClientResponse Raw(std::string_view method, std::string_view path,
                                    std::string_view body, http::testing::HeaderList headers = {});
  // From now on a program: the bearer token, no cookie, no CSRF token.
  void UseBearer(std::string token);

 private:
  void AddCredentials(std::string_view method, http::testing::HeaderList& headers,
                      bool with_csrf) const;

  http::testing::TestClient client_;
  std::string cookie_, csrf_, bearer_;
};

// Runs a shell command; its standard output without the trailing newlines.
std::string RunCli(const std::string& command);

}  // namespace capconf::testing
