#include "capconf/outbound/url_guard.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <thread>
#include <vector>

#include "test_http_server.h"

namespace capconf::outbound {
namespace {

using capconf::testing::MakeReply;
using capconf::testing::ReceivedRequest;
using capconf::testing::Reply;
using capconf::testing::TestHttpServer;

bool Contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// --- CheckUrl: what a URL spells, before any lookup ----------------------------------------

TEST(CheckUrlTest, AcceptsHttpAndHttpsUrls) {
  Result<CheckedUrl> url = CheckUrl("HTTPS://Example.COM/a/b?token=secret#frag", AddressPolicy{});
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(url->scheme, "https");
  EXPECT_EQ(url->host, "example.com");
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->ForDisplay(), "https://Example.COM/a/b");  // no query: it may carry tokens

  EXPECT_TRUE(CheckUrl("http://example.com./", AddressPolicy{}).ok());
  EXPECT_TRUE(CheckUrl("http://8.8.8.8:8080/x", AddressPolicy{}).ok());
  Result<CheckedUrl> v6 = CheckUrl("https://[2606:4700:4700::1111]/", AddressPolicy{});
  ASSERT_TRUE(v6.ok()) << v6.status().ToString();
  EXPECT_EQ(v6->host, "2606:4700:4700::1111");
  EXPECT_TRUE(CheckUrl("https://my-site.atlassian.net/wiki", AddressPolicy{}).ok());
}

TEST(CheckUrlTest, RefusesOtherSchemesAndCredentials) {
  struct Case {
    std::string_view url;
    std::string_view message;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"ftp://example.com/", "refused: scheme ftp is not allowed"},
           {"file:///etc/passwd", "refused: scheme file is not allowed"},
           {"gopher://example.com/", "refused: scheme gopher is not allowed"},
           {"javascript:alert(1)", "refused: scheme javascript is not allowed"},
           {"dict://example.com/", "refused: scheme dict is not allowed"},
           {"http://user:pass@example.com/", "user:password@ are not allowed"},
           {"http://user@example.com/", "user:password@ are not allowed"},
           {"http://127.0.0.1:80@example.com/", "user:password@ are not allowed"},
           {"example.com/path", "not an absolute URL"},
           {"/relative", "not an absolute URL"},
           {"http:/example.com/", "malformed URL"},
           {"http://exa mple.com/", "space, control character or backslash"},
           {"http://example.com\\@evil.com/", "backslash"},
           {"http://example.com:99999/", "malformed URL"},
           {"http:///path", "malformed URL"},
       }) {
    Result<CheckedUrl> url = CheckUrl(c.url, AddressPolicy{});
    ASSERT_FALSE(url.ok()) << c.url;
    EXPECT_EQ(url.status().code(), StatusCode::kInvalidArgument) << c.url;
    EXPECT_TRUE(Contains(url.status().message(), c.message))
        << c.url << ": " << url.status().message();
  }
}

TEST(CheckUrlTest, RefusesNonCanonicalNumericHostsEvenWithLoopbackAllowed) {
  // Each of these means 127.0.0.1 (or nonsense) to a resolver; none is how a person writes it.
  for (std::string_view url :
       {"http://2130706433/", "http://0x7f.1/", "http://0x7F000001/", "http://017700000001/",
        "http://127.1/", "http://0177.0.0.1/", "http://127.0.0.01/", "http://1.2.3.4.5/",
        "http://999.1.1.1/", "http://134744072/", "http://example.0x10/"}) {
    Result<CheckedUrl> checked = CheckUrl(url, AddressPolicy{.allow_loopback = true});
    ASSERT_FALSE(checked.ok()) << url;
    EXPECT_EQ(checked.status().code(), StatusCode::kInvalidArgument) << url;
    EXPECT_TRUE(Contains(checked.status().message(), "not a canonical IPv4 address"))
        << url << ": " << checked.status().message();
  }
  Result<CheckedUrl> encoded = CheckUrl("http://%31%32%37.0.0.1/", AddressPolicy{});
  ASSERT_FALSE(encoded.ok());
  EXPECT_TRUE(Contains(encoded.status().message(), "percent-encoded host"));
  Result<CheckedUrl> zone = CheckUrl("http://[fe80::1%25eth0]/", AddressPolicy{});
  ASSERT_FALSE(zone.ok());
  EXPECT_TRUE(Contains(zone.status().message(), "zone"));
}

TEST(CheckUrlTest, RefusesAddressLiteralsAndMetadataNames) {
  struct Case {
    std::string_view url;
    std::string_view message;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"http://127.0.0.1/", "refused: 127.0.0.1 is a loopback address"},
           {"http://10.0.0.1/", "refused: 10.0.0.1 is a private address"},
           {"http://10.0.0.1./", "refused: 10.0.0.1 is a private address"},
           {"http://169.254.169.254/latest/meta-data/",
            "refused: 169.254.169.254 is the cloud metadata address"},
           {"http://[::1]/", "refused: ::1 is a loopback address"},
           {"http://[::ffff:127.0.0.1]/", "refused: ::ffff:127.0.0.1 is an IPv4-mapped address"},
           {"http://[fe80::1]/", "refused: fe80::1 is a link-local address"},
           {"http://[fd00:ec2::254]/", "the cloud metadata address"},
           {"http://metadata.google.internal/computeMetadata/v1/",
            "refused: metadata.google.internal is a cloud metadata host"},
           {"http://METADATA.GOOGLE.INTERNAL./", "is a cloud metadata host"},
       }) {
    Result<CheckedUrl> url = CheckUrl(c.url, AddressPolicy{});
    ASSERT_FALSE(url.ok()) << c.url;
    EXPECT_EQ(url.status().code(), StatusCode::kPermissionDenied) << c.url;
    EXPECT_TRUE(Contains(url.status().message(), c.message))
        << c.url << ": " << url.status().message();
  }
  EXPECT_TRUE(CheckUrl("http://127.0.0.1/", AddressPolicy{.allow_loopback = true}).ok());
  EXPECT_TRUE(CheckUrl("http://[::1]/", AddressPolicy{.allow_loopback = true}).ok());
  EXPECT_FALSE(CheckUrl("http://[::ffff:127.0.0.1]/", AddressPolicy{.allow_loopback = true}).ok());
}

// --- GuardedClient over real loopback sockets ---------------------------------------------

// Routes of the fake server. None answers from the network: refused hops never get a packet.
Reply Route(const ReceivedRequest& request, int port) {
  const std::string& path = request.target;
  if (path == "/ok") return MakeReply(200, "hello", {{"Content-Type", "text/plain"}});
  if (path.starts_with("/echo")) {
    return MakeReply(
        200,
        "method=" + request.method + "\nauthorization=" + request.Header("authorization") +
            "\nx-api-key=" + request.Header("x-api-key") + "\naccept=" + request.Header("accept") +
            "\ncontent-type=" + request.Header("content-type") + "\nbody=" + request.body,
        {{"Content-Type", "text/plain"}});
  }
  auto redirect = [](int status, std::string location) {
    return MakeReply(status, "", {{"Location", std::move(location)}});
  };
  if (path == "/redirect-private") return redirect(302, "http://10.0.0.1/");
  if (path == "/redirect-metadata")
    return redirect(302, "http://169.254.169.254/latest/meta-data/");
  if (path == "/redirect-private-name") return redirect(302, "http://private.test/");
  if (path == "/redirect-ftp")
    return redirect(302, "ftp://127.0.0.1:" + std::to_string(port) + "/");
  if (path == "/redirect-file") return redirect(301, "file:///etc/passwd");
  if (path == "/redirect-numeric") {
    return redirect(302, "http://2130706433:" + std::to_string(port) + "/ok");
  }
  if (path == "/redirect-scheme-relative") return redirect(302, "//10.0.0.1/x");
  if (path == "/redirect-relative") return redirect(302, "ok");
  if (path == "/loop") return redirect(302, "/loop");
  if (path.starts_with("/chain/")) {
    const int n = std::stoi(path.substr(7));
    if (n == 0) return MakeReply(200, "end");
    return redirect(302, "/chain/" + std::to_string(n - 1));
  }
  if (path == "/see-other") return redirect(303, "/echo");
  if (path == "/moved") return redirect(301, "/echo");
  if (path == "/found") return redirect(302, "/echo");
  if (path == "/temporary") return redirect(307, "/echo");
  if (path == "/permanent") return redirect(308, "/echo");
  if (path == "/cross-origin") {
    return redirect(307, "http://other.test:" + std::to_string(port) + "/echo");
  }
  if (path == "/big") return MakeReply(200, std::string(1 << 20, 'x'));
  if (path == "/big-unsized") return MakeReply(200, std::string(1 << 20, 'x'), {}, false);
  if (path == "/exact") return MakeReply(200, std::string(1024, 'x'));
  if (path == "/many-headers") {
    std::vector<std::pair<std::string, std::string>> headers;
    for (int i = 0; i < 100; ++i)
      headers.emplace_back("X-H" + std::to_string(i), std::string(100, 'h'));
    return MakeReply(200, "", headers);
  }
  if (path == "/slow") return Reply{"", true};
  if (path == "/busy") return MakeReply(503, "busy", {{"Retry-After", "7"}});
  if (path == "/busy-date") {
    return MakeReply(503, "", {{"Retry-After", "Fri, 31 Dec 1999 23:59:59 GMT"}});
  }
  return MakeReply(404, "no route");
}

class GuardedClientTest : public ::testing::Test {
 protected:
  GuardedClientTest()
      : server_([this](const ReceivedRequest& request) { return Route(request, port_); }) {
    port_ = server_.port();
  }

  // The guard as tests use it with fakes: loopback allowed, short limits.
  GuardOptions LoopbackOptions() const {
    GuardOptions options;
    options.address_policy.allow_loopback = true;
    options.connect_timeout = std::chrono::milliseconds(2000);
    options.total_timeout = std::chrono::milliseconds(10000);
    options.test_resolve = {"other.test:" + std::to_string(port_) + ":127.0.0.1",
                            "loopback.test:" + std::to_string(port_) + ":127.0.0.1",
                            "private.test:80:10.0.0.1"};
    return options;
  }

  std::string Url(std::string_view path) const { return server_.Url(path); }
  std::string Port() const { return std::to_string(port_); }

  std::atomic<int> port_{0};
  TestHttpServer server_;
};

TEST_F(GuardedClientTest, FetchesFromLoopbackWhenAllowed) {
  GuardedClient client(LoopbackOptions());
  Result<Response> response = client.Get(Url("/ok"));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello");
  EXPECT_EQ(response->ContentType(), "text/plain");
  EXPECT_EQ(response->Header("CONTENT-LENGTH"), "5");
  EXPECT_EQ(response->final_url, Url("/ok"));
  EXPECT_EQ(response->redirects, 0);
  EXPECT_EQ(server_.connections(), 1);
}

TEST_F(GuardedClientTest, RefusesTheSameUrlWithoutTheLoopbackSwitch) {
  GuardOptions options = LoopbackOptions();
  options.address_policy.allow_loopback = false;
  GuardedClient client(options);
  Result<Response> response = client.Get(Url("/ok"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(response.status().message(), "refused: 127.0.0.1 is a loopback address");
  EXPECT_EQ(server_.connections(), 0);
}

// Names are only known to be loopback once resolved: the open-socket callback refuses them, so
// this is the connect-time check at work (and what stops DNS rebinding).
TEST_F(GuardedClientTest, RefusesNamesResolvingToLoopbackAtConnectTime) {
  GuardOptions options = LoopbackOptions();
  options.address_policy.allow_loopback = false;
  GuardedClient client(options);
  for (const std::string& url :
       {"http://localhost:" + Port() + "/ok", "http://LocalHost:" + Port() + "/ok",
        "http://loopback.test:" + Port() + "/ok"}) {
    Result<Response> response = client.Get(url);
    ASSERT_FALSE(response.ok()) << url;
    EXPECT_EQ(response.status().code(), StatusCode::kPermissionDenied) << url;
    EXPECT_TRUE(Contains(response.status().message(), "is a loopback address"))
        << url << ": " << response.status().message();
  }
  EXPECT_EQ(server_.connections(), 0);

  // With the switch on, the same names reach the fake.
  GuardedClient allowed(LoopbackOptions());
  Result<Response> response = allowed.Get("http://loopback.test:" + Port() + "/ok");
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, "hello");
}

TEST_F(GuardedClientTest, RefusesNumericAndMappedFormsOfLoopback) {
  for (bool allow_loopback : {false, true}) {
    GuardOptions options = LoopbackOptions();
    options.address_policy.allow_loopback = allow_loopback;
    GuardedClient client(options);
    std::vector<std::string> urls = {
        "http://2130706433:" + Port() + "/ok",         "http://0x7f.1:" + Port() + "/ok",
        "http://017700000001:" + Port() + "/ok",       "http://127.1:" + Port() + "/ok",
        "http://[::ffff:127.0.0.1]:" + Port() + "/ok",
    };
    if (!allow_loopback) {
      urls.push_back("http://[::1]:" + Port() + "/ok");
      urls.push_back("http://localhost:" + Port() + "/ok");
    }
    for (const std::string& url : urls) {
      Result<Response> response = client.Get(url);
      ASSERT_FALSE(response.ok()) << url;
      EXPECT_TRUE(Contains(response.status().message(), "refused: "))
          << url << ": " << response.status().message();
    }
  }
  EXPECT_EQ(server_.connections(), 0);
}

TEST_F(GuardedClientTest, RefusesOtherSchemes) {
  GuardedClient client(LoopbackOptions());
  for (const std::string& url :
       {"ftp://127.0.0.1:" + Port() + "/", std::string("file:///etc/passwd"),
        "gopher://127.0.0.1:" + Port() + "/", "dict://127.0.0.1:" + Port(),
        "http://user:secret@127.0.0.1:" + Port() + "/ok"}) {
    Result<Response> response = client.Get(url);
    ASSERT_FALSE(response.ok()) << url;
    EXPECT_EQ(response.status().code(), StatusCode::kInvalidArgument) << url;
    EXPECT_FALSE(Contains(response.status().message(), "secret"));
  }
  EXPECT_EQ(server_.connections(), 0);
}

TEST_F(GuardedClientTest, RefusesRedirectToPrivateAddressAtTheHop) {
  GuardedClient client(LoopbackOptions());
  Result<Response> response = client.Get(Url("/redirect-private"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(response.status().message(),
            "refused: redirect to http://10.0.0.1/: 10.0.0.1 is a private address");
  EXPECT_EQ(server_.connections(), 1);  // the first hop only
}

TEST_F(GuardedClientTest, RefusesRedirectToMetadataAddress) {
  GuardedClient client(LoopbackOptions());
  Result<Response> response = client.Get(Url("/redirect-metadata"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(response.status().message(),
            "refused: redirect to http://169.254.169.254/latest/meta-data/: "
            "169.254.169.254 is the cloud metadata address");
}

// private.test resolves (through CURLOPT_RESOLVE, no DNS) to 10.0.0.1: nothing in the URL gives
// it away, so only the open-socket callback can refuse it, before a socket exists.
TEST_F(GuardedClientTest, RefusesNameOfPrivateAddressInTheOpenSocketCallback) {
  GuardOptions options = LoopbackOptions();
  // Should the check ever fail, the connect times out quickly (and the messages differ).
  options.connect_timeout = std::chrono::milliseconds(300);
  GuardedClient client(options);
  Result<Response> direct = client.Get("http://private.test/");
  ASSERT_FALSE(direct.ok());
  EXPECT_EQ(direct.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(direct.status().message(), "refused: 10.0.0.1 is a private address");

  Result<Response> hop = client.Get(Url("/redirect-private-name"));
  ASSERT_FALSE(hop.ok());
  EXPECT_EQ(hop.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(hop.status().message(),
            "refused: redirect to http://private.test/: 10.0.0.1 is a private address");
}

TEST_F(GuardedClientTest, RefusesRedirectToOtherSchemesAndNumericHosts) {
  GuardedClient client(LoopbackOptions());
  struct Case {
    std::string path;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {"/redirect-ftp",
            "refused: redirect to ftp://127.0.0.1:" + Port() + "/: scheme ftp is not allowed"},
           {"/redirect-file",
            "refused: redirect to file:///etc/passwd: scheme file is not allowed"},
           {"/redirect-numeric", "refused: redirect to http://2130706433:" + Port() +
                                     "/ok: 2130706433 is not a canonical IPv4 address"},
           {"/redirect-scheme-relative",
            "refused: redirect to http://10.0.0.1/x: 10.0.0.1 is a private address"},
       }) {
    Result<Response> response = client.Get(Url(c.path));
    ASSERT_FALSE(response.ok()) << c.path;
    EXPECT_EQ(response.status().code(), StatusCode::kPermissionDenied) << c.path;
    EXPECT_TRUE(Contains(response.status().message(), c.message))
        << c.path << ": " << response.status().message();
  }
}

TEST_F(GuardedClientTest, FollowsRedirectsHopByHop) {
  GuardedClient client(LoopbackOptions());
  Result<Response> response = client.Get(Url("/chain/3"));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "end");
  EXPECT_EQ(response->redirects, 3);
  EXPECT_EQ(response->final_url, Url("/chain/0"));
  EXPECT_EQ(server_.connections(), 4);

  Result<Response> relative = client.Get(Url("/redirect-relative"));
  ASSERT_TRUE(relative.ok()) << relative.status().ToString();
  EXPECT_EQ(relative->body, "hello");
  EXPECT_EQ(relative->final_url, Url("/ok"));
}

TEST_F(GuardedClientTest, StopsRedirectLoopsAtMaxRedirects) {
  GuardOptions options = LoopbackOptions();
  options.max_redirects = 3;
  GuardedClient client(options);
  Result<Response> response = client.Get(Url("/loop"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(Contains(response.status().message(), "more than 3 redirects"))
      << response.status().message();
  EXPECT_EQ(server_.requests().size(), 4u);  // the request and three redirects
}

TEST_F(GuardedClientTest, NoRedirectsAllowedReturnsTheRedirect) {
  GuardOptions options = LoopbackOptions();
  options.max_redirects = 0;
  GuardedClient client(options);
  Result<Response> response = client.Get(Url("/redirect-private"));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 302);
  EXPECT_EQ(response->Location(), "http://10.0.0.1/");
}

TEST_F(GuardedClientTest, CutsOversizedBodiesWithAnError) {
  GuardOptions options = LoopbackOptions();
  options.max_response_bytes = 1024;
  GuardedClient client(options);
  for (const char* path : {"/big", "/big-unsized"}) {
    Result<Response> response = client.Get(Url(path));
    ASSERT_FALSE(response.ok()) << path;
    EXPECT_EQ(response.status().code(), StatusCode::kResourceExhausted) << path;
    EXPECT_EQ(response.status().message(), "response larger than 1024 bytes") << path;
  }
  Result<Response> exact = client.Get(Url("/exact"));  // exactly the limit is fine
  ASSERT_TRUE(exact.ok()) << exact.status().ToString();
  EXPECT_EQ(exact->body.size(), 1024u);
}

TEST_F(GuardedClientTest, CutsOversizedHeadersWithAnError) {
  GuardOptions options = LoopbackOptions();
  options.max_header_bytes = 1024;
  GuardedClient client(options);
  Result<Response> response = client.Get(Url("/many-headers"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(response.status().message(), "response headers larger than 1024 bytes");
}

TEST_F(GuardedClientTest, SlowServerHitsTheTimeout) {
  GuardOptions options = LoopbackOptions();
  options.total_timeout = std::chrono::milliseconds(300);
  GuardedClient client(options);
  const auto start = std::chrono::steady_clock::now();
  Result<Response> response = client.Get(Url("/slow"));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(response.status().message(), "timed out after 300 ms");
  EXPECT_GE(elapsed, std::chrono::milliseconds(250));
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST_F(GuardedClientTest, ReportsRetryAfterOn503) {
  GuardedClient client(LoopbackOptions());
  Result<Response> response = client.Get(Url("/busy"));
  ASSERT_TRUE(response.ok()) << response.status().ToString();  // an HTTP status is data
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(response->RetryAfterSeconds(), 7);
  EXPECT_EQ(response->Header("Retry-After"), "7");

  Result<Response> dated = client.Get(Url("/busy-date"));
  ASSERT_TRUE(dated.ok()) << dated.status().ToString();
  EXPECT_EQ(dated->RetryAfterSeconds(), std::nullopt);
  EXPECT_EQ(dated->Header("retry-after"), "Fri, 31 Dec 1999 23:59:59 GMT");
}

TEST_F(GuardedClientTest, SendsMethodHeadersAndBody) {
  GuardedClient client(LoopbackOptions());
  for (Method method : {Method::kPost, Method::kPut, Method::kPatch, Method::kDelete}) {
    Request request;
    request.method = method;
    request.url = Url("/echo");
    request.headers = {{"Authorization", "Bearer tok"},
                       {"x-api-key", "key"},
                       {"Content-Type", "application/json"}};
    request.body = R"({"a":1})";
    Result<Response> response = client.Send(request);
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->body, "method=" + std::string(MethodName(method)) +
                                  "\nauthorization=Bearer tok\nx-api-key=key\naccept=*/*"
                                  "\ncontent-type=application/json\nbody={\"a\":1}");
  }
  // A body over 1 MiB goes without "Expect: 100-continue" (libcurl would add it, then wait up to
  // a second for the answer).
  const std::string large(1500000, 'b');
  Result<Response> response = client.Send(Request{Method::kPost, Url("/echo"), {}, large});
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_TRUE(response->body.ends_with("content-type=\nbody=" + large));  // not labelled a form
  EXPECT_EQ(server_.requests().back().Header("expect"), "");
}

TEST_F(GuardedClientTest, RedirectsChangeMethodAsBrowsersDo) {
  GuardedClient client(LoopbackOptions());
  auto post = [&](const char* path) {
    return client.Send(
        Request{Method::kPost, Url(path), {{"Content-Type", "application/json"}}, "{}"});
  };
  for (const char* path : {"/see-other", "/found"}) {
    Result<Response> response = post(path);
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_TRUE(response->body.starts_with("method=GET\n")) << path << ": " << response->body;
    EXPECT_TRUE(Contains(response->body, "content-type=\nbody=")) << path;
  }
  for (const char* path : {"/temporary", "/permanent"}) {
    Result<Response> response = post(path);
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_TRUE(response->body.starts_with("method=POST\n")) << path;
    EXPECT_TRUE(response->body.ends_with("content-type=application/json\nbody={}")) << path;
  }
}

TEST_F(GuardedClientTest, SendsPatchWithItsBody) {
  GuardedClient client(LoopbackOptions());
  EXPECT_EQ(MethodName(Method::kPatch), "PATCH");
  Result<Response> response = client.Send(
      Request{Method::kPatch, Url("/echo"), {{"Content-Type", "application/json"}}, R"({"v":2})"});
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_TRUE(response->body.starts_with("method=PATCH\n")) << response->body;
  EXPECT_TRUE(response->body.ends_with("content-type=application/json\nbody={\"v\":2}"))
      << response->body;
  const ReceivedRequest received = server_.requests().back();
  EXPECT_EQ(received.method, "PATCH");
  EXPECT_EQ(received.body, R"({"v":2})");
  EXPECT_EQ(received.Header("content-length"), "7");

  // An empty body is still sent as one (Content-Length: 0), unlabelled, as for PUT.
  Result<Response> empty = client.Send(Request{Method::kPatch, Url("/echo"), {}, ""});
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TRUE(empty->body.starts_with("method=PATCH\n")) << empty->body;
  EXPECT_TRUE(empty->body.ends_with("content-type=\nbody=")) << empty->body;
  EXPECT_EQ(server_.requests().back().Header("content-length"), "0");
}

// PATCH is not POST: only a 303 turns it into a GET. 301 and 302 keep it, as browsers do for
// every method but POST, and 307 and 308 keep any method.
TEST_F(GuardedClientTest, RedirectsKeepPatchExceptSeeOther) {
  GuardedClient client(LoopbackOptions());
  auto patch = [&](const char* path) {
    return client.Send(
        Request{Method::kPatch,
                Url(path),
                {{"Content-Type", "application/json"}, {"Authorization", "Bearer t"}},
                R"({"v":2})"});
  };
  for (const char* path : {"/temporary", "/permanent", "/moved", "/found"}) {
    Result<Response> response = patch(path);
    ASSERT_TRUE(response.ok()) << path << ": " << response.status().ToString();
    EXPECT_EQ(response->redirects, 1) << path;
    EXPECT_EQ(response->final_url, Url("/echo")) << path;
    EXPECT_EQ(response->body,
              "method=PATCH\nauthorization=Bearer t\nx-api-key=\naccept=*/*"
              "\ncontent-type=application/json\nbody={\"v\":2}")
        << path;
    EXPECT_EQ(server_.requests().back().method, "PATCH") << path;
  }
  Result<Response> see_other = patch("/see-other");
  ASSERT_TRUE(see_other.ok()) << see_other.status().ToString();
  EXPECT_TRUE(see_other->body.starts_with("method=GET\n")) << see_other->body;
  EXPECT_TRUE(see_other->body.ends_with("content-type=\nbody=")) << see_other->body;

  // PUT and DELETE behave the same way; POST is the one method 301/302 turn into a GET.
  for (Method method : {Method::kPut, Method::kDelete}) {
    Result<Response> response = client.Send(Request{method, Url("/moved"), {}, "x"});
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_TRUE(response->body.starts_with("method=" + std::string(MethodName(method)) + "\n"))
        << response->body;
    EXPECT_TRUE(response->body.ends_with("body=x")) << response->body;
  }
  Result<Response> post = client.Send(Request{Method::kPost, Url("/moved"), {}, "x"});
  ASSERT_TRUE(post.ok()) << post.status().ToString();
  EXPECT_TRUE(post->body.starts_with("method=GET\n")) << post->body;
}

TEST_F(GuardedClientTest, CrossOriginRedirectDropsCredentials) {
  GuardedClient client(LoopbackOptions());
  Request request{Method::kGet,
                  Url("/cross-origin"),
                  {{"Authorization", "Bearer tok"}, {"X-Api-Key", "key"}, {"Accept", "text/html"}},
                  ""};
  Result<Response> response = client.Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->final_url, "http://other.test:" + Port() + "/echo");
  EXPECT_TRUE(Contains(response->body, "authorization=\nx-api-key=\naccept=text/html"))
      << response->body;

  // The same origin keeps them.
  request.url = Url("/temporary");
  Result<Response> same = client.Send(request);
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_TRUE(Contains(same->body, "authorization=Bearer tok\nx-api-key=key")) << same->body;
}

TEST_F(GuardedClientTest, RefusesHeadersThatCouldSmuggleRequests) {
  GuardedClient client(LoopbackOptions());
  for (const auto& header : std::vector<std::pair<std::string, std::string>>{
           {"X-Test", "a\r\nInjected: b"},
           {"X-Test", "a\nb"},
           {"Bad Name", "x"},
           {"", "x"},
           {"Host", "example.com"},
           {"Content-Length", "5"},
           {"Transfer-Encoding", "chunked"},
       }) {
    Result<Response> response = client.Send(Request{Method::kGet, Url("/ok"), {header}, ""});
    ASSERT_FALSE(response.ok()) << header.first;
    EXPECT_EQ(response.status().code(), StatusCode::kInvalidArgument) << header.first;
  }
  EXPECT_EQ(server_.connections(), 0);
}

TEST_F(GuardedClientTest, ReportsConnectionRefusedAsUnavailable) {
  int closed_port = 0;
  {
    TestHttpServer gone([](const ReceivedRequest&) { return MakeReply(200); });
    closed_port = gone.port();
  }
  GuardedClient client(LoopbackOptions());
  Result<Response> response = client.Get("http://127.0.0.1:" + std::to_string(closed_port) + "/");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(Contains(response.status().message(), "could not connect"))
      << response.status().message();
}

// A proxy from the environment would put the proxy's address, not the target's, in front of
// the connect-time check; the guard must ignore it.
TEST_F(GuardedClientTest, IgnoresProxiesFromTheEnvironment) {
  setenv("http_proxy", "http://10.0.0.1:3128", 1);
  setenv("HTTPS_PROXY", "http://10.0.0.1:3128", 1);
  setenv("ALL_PROXY", "http://10.0.0.1:3128", 1);
  GuardedClient client(LoopbackOptions());
  Result<Response> response = client.Get(Url("/ok"));
  unsetenv("http_proxy");
  unsetenv("HTTPS_PROXY");
  unsetenv("ALL_PROXY");
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, "hello");
}

TEST_F(GuardedClientTest, ConcurrentCallsAreIndependent) {
  const GuardedClient client(LoopbackOptions());
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        Result<Response> response = client.Get(Url("/chain/1"));
        if (response.ok() && response->body == "end") ++ok;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 40);
}

}  // namespace
}  // namespace capconf::outbound
