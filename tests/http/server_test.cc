#include "capconf/http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <csignal>
#include <future>
#include <mutex>
#include <regex>
#include <thread>

#include "capturing_logger.h"
#include "test_client.h"

namespace capconf::http {
namespace {

using testing::CapturingLogger;
using testing::ClientResponse;
using testing::ConnectionRefused;
using testing::TestClient;

// Blocks the /slow handler until the test releases it.
struct Gate {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::once_flag once;

  void Release() {
    std::call_once(once, [this] { release.set_value(); });
  }
};

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options = ServerOptions(),
                   const std::function<void(Router&)>& customize = nullptr) {
    Router router;
    if (customize) customize(router);
    ASSERT_TRUE(router.Add("GET", "/interim", [](Request&) { return TextResponse(101); }).ok());
    ASSERT_TRUE(router
                    .Add("GET", "/hello",
                         [](Request&) {
                           return JsonResponse(200, boost::json::object{{"hello", "world"}});
                         })
                    .ok());
    ASSERT_TRUE(router
                    .Add("GET", "/api/v1/subscriptions/{id}/config",
                         [](Request& request) {
                           return JsonResponse(200,
                                               boost::json::object{{"id", request.PathParam("id")},
                                                                   {"route", request.route}});
                         })
                    .ok());
    ASSERT_TRUE(router
                    .Add("POST", "/echo",
                         [](Request& request) {
                           boost::json::object query;
                           for (const auto& [name, value] : request.query) query[name] = value;
                           return JsonResponse(
                               200, boost::json::object{{"body", request.body},
                                                        {"query", query},
                                                        {"remote", request.remote_address}});
                         })
                    .ok());
    ASSERT_TRUE(router
                    .Add("GET", "/user",
                         [](Request& request) {
                           request.log_user = "u_42";
                           return TextResponse(204);
                         })
                    .ok());
    ASSERT_TRUE(
        router
            .Add("GET", "/text", [](Request&) { return TextResponse(200, "plain", "text/plain"); })
            .ok());
    ASSERT_TRUE(router
                    .Add("GET", "/cached",
                         [](Request&) {
                           Response response = JsonResponse(200, boost::json::object{});
                           response.headers.Set("Cache-Control", "max-age=60");
                           return response;
                         })
                    .ok());
    ASSERT_TRUE(
        router.Add("GET", "/throw", [](Request&) -> Response { throw std::runtime_error("boom"); })
            .ok());
    ASSERT_TRUE(router
                    .Add("GET", "/bad-header",
                         [](Request&) {
                           Response response;
                           response.headers.Set("X-Evil", "a\r\nSet-Cookie: x=1");
                           return response;
                         })
                    .ok());
    ASSERT_TRUE(router
                    .Add("POST", "/secret",
                         [](Request& request) {
                           // Reads what the log must never show.
                           const bool ok =
                               request.headers.Get("Authorization") == "Bearer TOKEN_SECRET_1" &&
                               request.Cookies()["session"] == "COOKIE_SECRET_2" &&
                               request.body == "BODY_SECRET_3" &&
                               request.QueryParam("key") == "QUERY_SECRET_4";
                           request.log_user = "u_7";
                           return TextResponse(ok ? 200 : 400);
                         })
                    .ok());
    ASSERT_TRUE(router
                    .Add("GET", "/slow",
                         [this](Request&) {
                           gate_.entered.set_value();
                           gate_.released.wait();
                           return JsonResponse(200, boost::json::object{{"slow", true}});
                         })
                    .ok());

    // A handler that waits for others (as a save waits for its group commit): marked waiting,
    // so it runs on the waiting pool.
    ASSERT_TRUE(
        router
            .Add("GET", "/waiting",
                 [this](Request&) {
                   waiting_gate_.entered.set_value();
                   const bool released = waiting_gate_.released.wait_for(
                                             std::chrono::seconds(20)) == std::future_status::ready;
                   return JsonResponse(released ? 200 : 504, boost::json::object{{"waited", true}});
                 })
            .ok());
    ASSERT_TRUE(router.MarkWaiting("GET", "/waiting").ok());
    options.listen = "127.0.0.1:0";
    options.access_log = log_;
    if (options.threads == 0) options.threads = 4;
    server_ = std::make_unique<Server>(std::move(options), std::move(router));
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_NE(server_->port(), 0);
  }

  // A failed assertion must not leave a handler blocked: the server's destructor waits for it.
  void TearDown() override {
    gate_.Release();
    waiting_gate_.Release();
    server_.reset();
  }

  std::uint16_t port() const { return server_->port(); }

  // The access log lines (waiting for `count` of them), parsed.
  std::vector<boost::json::object> LogLines(std::size_t count) {
    EXPECT_TRUE(log_->WaitForLines(count));
    std::vector<boost::json::object> out;
    for (const std::string& line : log_->lines())
      out.push_back(boost::json::parse(line).as_object());
    return out;
  }

  std::shared_ptr<CapturingLogger> log_ = std::make_shared<CapturingLogger>();
  std::unique_ptr<Server> server_;
  Gate gate_;
  Gate waiting_gate_;
};

void ExpectProblem(const ClientResponse& response, int status, std::string_view suffix) {
  EXPECT_EQ(response.status, status);
  EXPECT_EQ(response.Header("Content-Type"), "application/problem+json");
  const boost::json::value body = response.Json();
  ASSERT_TRUE(body.is_object()) << response.body;
  EXPECT_EQ(body.at("type"),
            boost::json::value("https://capconf.dev/problems/" + std::string(suffix)));
  EXPECT_EQ(body.at("status"), status);
  EXPECT_TRUE(body.at("title").is_string());
  EXPECT_TRUE(body.at("detail").is_string());
  EXPECT_EQ(body.at("request_id"), boost::json::value(response.Header("X-Request-Id")));
}

TEST_F(ServerTest, RoutesWithPathParams) {
  StartServer();
  TestClient client(port());
  Result<ClientResponse> response = client.Request("GET", "/api/v1/subscriptions/sub%2D7/config");
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("Content-Type"), "application/json");
  EXPECT_EQ(response->Json().at("id"), "sub-7");
  EXPECT_EQ(response->Json().at("route"), "/api/v1/subscriptions/{id}/config");
}

TEST_F(ServerTest, DecodesQueryAndBody) {
  StartServer();
  TestClient client(port());
  Result<ClientResponse> response =
      client.Request("POST", "/echo?a=1&b=x+y&c=%C3%A9&flag", {}, "payload");
  ASSERT_TRUE(response.ok());
  const boost::json::value body = response->Json();
  EXPECT_EQ(body.at("body"), "payload");
  EXPECT_EQ(body.at("query"), boost::json::parse(R"({"a":"1","b":"x y","c":"é","flag":""})"));
  EXPECT_EQ(body.at("remote"), "127.0.0.1");
}

TEST_F(ServerTest, UnknownPathIs404Problem) {
  StartServer();
  TestClient client(port());
  Result<ClientResponse> response = client.Request("GET", "/nope?x=1");
  ASSERT_TRUE(response.ok());
  ExpectProblem(*response, 404, "not-found");
  EXPECT_EQ(response->Json().at("instance"), "/nope");
  EXPECT_EQ(response->Header("Cache-Control"), "no-store");
  EXPECT_EQ(response->Header("X-Content-Type-Options"), "nosniff");
  EXPECT_TRUE(response->keep_alive);  // a 404 does not cost the connection
}

TEST_F(ServerTest, WrongMethodIs405ProblemWithAllow) {
  StartServer();
  TestClient client(port());
  Result<ClientResponse> response = client.Request("DELETE", "/hello");
  ASSERT_TRUE(response.ok());
  ExpectProblem(*response, 405, "method-not-allowed");
  EXPECT_EQ(response->Header("Allow"), "GET, HEAD");
}

TEST_F(ServerTest, CommonHeaders) {
  StartServer();
  TestClient client(port());
  Result<ClientResponse> json = client.Request("GET", "/hello");
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(json->Header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(json->Header("Cache-Control"), "no-store");
  EXPECT_TRUE(json->HasHeader("Date"));
  EXPECT_FALSE(json->HasHeader("Server"));
  Result<ClientResponse> text = client.Request("GET", "/text");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->Header("X-Content-Type-Options"), "nosniff");
  EXPECT_FALSE(text->HasHeader("Cache-Control"));
  EXPECT_EQ(text->body, "plain");
  Result<ClientResponse> cached = client.Request("GET", "/cached");
  ASSERT_TRUE(cached.ok());
  EXPECT_EQ(cached->Header("Cache-Control"), "max-age=60");
}

TEST_F(ServerTest, HeadSendsHeadersOnly) {
  StartServer();
  TestClient client(port());
  Result<ClientResponse> get = client.Request("GET", "/hello");
  Result<ClientResponse> head = client.Request("HEAD", "/hello");
  ASSERT_TRUE(get.ok() && head.ok());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->body, "");
  EXPECT_EQ(head->Header("Content-Length"), std::to_string(get->body.size()));
  // The connection is still in step: another request works.
  Result<ClientResponse> again = client.Request("GET", "/hello");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->body, get->body);
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST_F(ServerTest, HandlerExceptionIs500ProblemAndErrorLine) {
  StartServer();
  TestClient client(port());
  Result<ClientResponse> response = client.Request("GET", "/throw");
  ASSERT_TRUE(response.ok());
  ExpectProblem(*response, 500, "internal");
  EXPECT_EQ(response->body.find("boom"), std::string::npos);
  const auto lines = LogLines(2);
  const auto error =
      std::find_if(lines.begin(), lines.end(), [](const auto& l) { return l.contains("level"); });
  ASSERT_NE(error, lines.end());
  EXPECT_EQ(error->at("message"), "handler threw: boom");
  EXPECT_EQ(error->at("request_id"), boost::json::value(response->Header("X-Request-Id")));
}

TEST_F(ServerTest, HeaderInjectionFromAHandlerIsRefused) {
  StartServer();
  TestClient client(port());
  Result<ClientResponse> response = client.Request("GET", "/bad-header");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 500);
  EXPECT_FALSE(response->HasHeader("X-Evil"));
  EXPECT_FALSE(response->HasHeader("Set-Cookie"));
}

TEST_F(ServerTest, InterimStatusFromAHandlerIsRefused) {
  StartServer();
  TestClient client(port());
  Result<ClientResponse> response = client.Request("GET", "/interim");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 500);
}

TEST_F(ServerTest, MiddlewareWrapsRoutesButNotBuiltins) {
  StartServer(ServerOptions(), [](Router& router) {
    router.Use([](Request& request, const Next& next) {
      if (request.headers.Get("Authorization") != "Bearer ok") {
        return Problem(401, "unauthenticated", "Unauthenticated", "A bearer token is required.");
      }
      request.log_user = "u_mw";
      return next(request);
    });
  });
  TestClient client(port());
  ExpectProblem(*client.Request("GET", "/hello"), 401, "unauthenticated");
  ExpectProblem(*client.Request("GET", "/nope"), 401, "unauthenticated");
  EXPECT_EQ(client.Request("GET", "/hello", {{"Authorization", "Bearer ok"}})->status, 200);
  for (const char* builtin : {"/healthz", "/readyz", "/metrics"}) {
    EXPECT_EQ(client.Request("GET", builtin)->status, 200) << builtin;
  }
  const auto lines = LogLines(6);
  EXPECT_EQ(lines[2].at("user"), "u_mw");
}

TEST_F(ServerTest, BodyOverLimitIs413) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  StartServer(options);
  {
    TestClient client(port());
    Result<ClientResponse> ok = client.Request("POST", "/echo", {}, std::string(1024, 'a'));
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(ok->status, 200);
  }
  {
    // Declared by Content-Length: refused after the header, while the body is still coming.
    TestClient client(port());
    Result<ClientResponse> response =
        client.Request("POST", "/echo", {}, std::string(2 * 1024 * 1024, 'a'));
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    ExpectProblem(*response, 413, "content-too-large");
    EXPECT_FALSE(response->keep_alive);
  }
  {
    // Chunked: refused once the chunks add up to more than the limit.
    TestClient client(port());
    std::string request = "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) request += "200\r\n" + std::string(512, 'b') + "\r\n";
    request += "0\r\n\r\n";
    ASSERT_TRUE(client.WriteRaw(request).ok());
    Result<ClientResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.ok());
    ExpectProblem(*response, 413, "content-too-large");
  }
  TestClient after(port());
  EXPECT_EQ(after.Request("GET", "/healthz")->status, 200);
}

TEST_F(ServerTest, HeadersOverLimitAre431) {
  ServerOptions options;
  options.max_header_bytes = 4096;
  StartServer(options);
  TestClient client(port());
  Result<ClientResponse> response =
      client.Request("GET", "/hello", {{"X-Big", std::string(8192, 'h')}});
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  ExpectProblem(*response, 431, "request-header-fields-too-large");
  EXPECT_FALSE(response->keep_alive);
  TestClient after(port());
  EXPECT_EQ(after.Request("GET", "/hello", {{"X-Fits", std::string(2048, 'h')}})->status, 200);
}

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  StartServer();
  TestClient client(port());
  Result<ClientResponse> first = client.Request("GET", "/hello");
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->keep_alive);
  EXPECT_TRUE(client.is_open());
  Result<ClientResponse> second = client.Request("GET", "/api/v1/subscriptions/2/config");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST_F(ServerTest, ConnectionCloseAndHttp10AreHonoured) {
  StartServer();
  TestClient client(port());
  Result<ClientResponse> closing = client.Request("GET", "/hello", {{"Connection", "close"}});
  ASSERT_TRUE(closing.ok());
  EXPECT_FALSE(closing->keep_alive);
  EXPECT_FALSE(client.is_open());

  TestClient old(port());
  ASSERT_TRUE(old.WriteRaw("GET /hello HTTP/1.0\r\n\r\n").ok());
  Result<std::string> raw = old.ReadUntilClosed();
  ASSERT_TRUE(raw.ok());
  EXPECT_TRUE(raw->starts_with("HTTP/1.0 200 OK\r\n")) << *raw;
  EXPECT_NE(raw->find("{\"hello\":\"world\"}"), std::string::npos);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  TestClient client(port());
  ASSERT_TRUE(client
                  .WriteRaw("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"
                            "GET /api/v1/subscriptions/9/config HTTP/1.1\r\nHost: t\r\n\r\n")
                  .ok());
  Result<ClientResponse> first = client.ReadResponse();
  Result<ClientResponse> second = client.ReadResponse();
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->Json().at("hello"), "world");
  EXPECT_EQ(second->Json().at("id"), "9");
}

TEST_F(ServerTest, ExpectContinueGetsAnInterimResponse) {
  StartServer();
  TestClient client(port());
  ASSERT_TRUE(client
                  .WriteRaw("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
                            "Expect: 100-continue\r\n\r\n")
                  .ok());
  Result<ClientResponse> interim = client.ReadResponse();
  ASSERT_TRUE(interim.ok());
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.WriteRaw("hello").ok());
  Result<ClientResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->Json().at("body"), "hello");
}

TEST_F(ServerTest, RequestIdIsEchoedOrGenerated) {
  StartServer();
  TestClient client(port());
  const std::string given = "Client.req-1_" + std::string(51, 'x');  // 64 characters
  Result<ClientResponse> echoed = client.Request("GET", "/hello", {{"X-Request-Id", given}});
  ASSERT_TRUE(echoed.ok());
  EXPECT_EQ(echoed->Header("X-Request-Id"), given);

  const std::regex generated("[0-9a-f]{32}");
  for (const std::string& bad : {std::string(65, 'x'), std::string("has space"),
                                 std::string("semi;colon"), std::string("")}) {
    Result<ClientResponse> response = client.Request("GET", "/nope", {{"X-Request-Id", bad}});
    ASSERT_TRUE(response.ok());
    const std::string id = response->Header("X-Request-Id");
    EXPECT_TRUE(std::regex_match(id, generated)) << bad << " -> " << id;
    EXPECT_EQ(response->Json().at("request_id"), boost::json::value(id));
  }
  Result<ClientResponse> a = client.Request("GET", "/hello");
  Result<ClientResponse> b = client.Request("GET", "/hello");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(std::regex_match(a->Header("X-Request-Id"), generated));
  EXPECT_NE(a->Header("X-Request-Id"), b->Header("X-Request-Id"));
}

TEST_F(ServerTest, AccessLogLineHasTheFieldsAndNoSecrets) {
  StartServer();
  TestClient client(port());
  Result<ClientResponse> response = client.Request("POST", "/secret?key=QUERY_SECRET_4",
                                                   {{"Authorization", "Bearer TOKEN_SECRET_1"},
                                                    {"Cookie", "session=COOKIE_SECRET_2"},
                                                    {"X-Request-Id", "log-test-1"}},
                                                   "BODY_SECRET_3");
  ASSERT_TRUE(response.ok());
  ASSERT_EQ(response->status, 200);  // the handler saw every secret
  ASSERT_TRUE(log_->WaitForLines(1));
  const std::string raw = log_->lines().at(0);
  for (const char* secret : {"TOKEN_SECRET_1", "COOKIE_SECRET_2", "BODY_SECRET_3", "QUERY_SECRET_4",
                             "key=", "Bearer", "session"}) {
    EXPECT_EQ(raw.find(secret), std::string::npos) << secret << " in " << raw;
  }
  const boost::json::object line = boost::json::parse(raw).as_object();
  std::vector<std::string> keys;
  for (const auto& member : line) keys.emplace_back(member.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"time", "request_id", "remote", "method", "path",
                                            "route", "status", "bytes", "duration_us", "user"}));
  EXPECT_TRUE(std::regex_match(std::string(line.at("time").as_string()),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  EXPECT_EQ(line.at("request_id"), "log-test-1");
  EXPECT_EQ(line.at("remote"), "127.0.0.1");
  EXPECT_EQ(line.at("method"), "POST");
  EXPECT_EQ(line.at("path"), "/secret");
  EXPECT_EQ(line.at("route"), "/secret");
  EXPECT_EQ(line.at("status"), 200);
  EXPECT_EQ(line.at("bytes"), 0);
  EXPECT_GE(line.at("duration_us").as_int64(), 0);
  EXPECT_EQ(line.at("user"), "u_7");
}

TEST_F(ServerTest, AccessLogLinePerRequest) {
  StartServer();
  TestClient client(port());
  ASSERT_TRUE(client.Request("GET", "/api/v1/subscriptions/5/config").ok());
  ASSERT_TRUE(client.Request("GET", "/nope").ok());
  ASSERT_TRUE(client.Request("GET", "/user").ok());
  const auto lines = LogLines(3);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].at("route"), "/api/v1/subscriptions/{id}/config");
  EXPECT_EQ(lines[0].at("path"), "/api/v1/subscriptions/5/config");
  EXPECT_EQ(lines[0].at("bytes").to_number<std::size_t>(),
            client.Request("GET", "/api/v1/subscriptions/5/config")->body.size());
  EXPECT_FALSE(lines[0].contains("user"));
  EXPECT_EQ(lines[1].at("route"), "");
  EXPECT_EQ(lines[1].at("status"), 404);
  EXPECT_EQ(lines[2].at("user"), "u_42");
  EXPECT_EQ(lines[2].at("status"), 204);
}

TEST_F(ServerTest, MetricsCountRequestsAndDurations) {
  StartServer();
  TestClient client(port());
  for (int i = 0; i < 3; ++i) ASSERT_EQ(client.Request("GET", "/hello")->status, 200);
  ASSERT_EQ(client.Request("GET", "/nope")->status, 404);
  ASSERT_EQ(client.Request("POST", "/hello")->status, 405);
  ASSERT_EQ(client.Request("BREW", "/hello")->status, 405);
  // On one connection each request is recorded before the next is read.
  Result<ClientResponse> metrics = client.Request("GET", "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->Header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = metrics->body;
  const auto has = [&](const std::string& line) {
    return text.find(line + "\n") != std::string::npos;
  };
  EXPECT_TRUE(has(R"(capconf_http_requests_total{route="/hello",method="GET",status="200"} 3)"))
      << text;
  EXPECT_TRUE(has(R"(capconf_http_requests_total{route="unmatched",method="GET",status="404"} 1)"));
  EXPECT_TRUE(has(R"(capconf_http_requests_total{route="/hello",method="POST",status="405"} 1)"));
  EXPECT_TRUE(has(R"(capconf_http_requests_total{route="/hello",method="OTHER",status="405"} 1)"));
  EXPECT_TRUE(has(
      R"(capconf_http_request_duration_seconds_bucket{route="/hello",method="GET",le="+Inf"} 3)"));
  EXPECT_TRUE(has(
      R"(capconf_http_request_duration_seconds_bucket{route="/hello",method="GET",le="10"} 3)"));
  EXPECT_TRUE(has(R"(capconf_http_request_duration_seconds_count{route="/hello",method="GET"} 3)"));
  EXPECT_TRUE(has("capconf_http_in_flight_requests 1"));  // the /metrics request itself
  // Buckets are cumulative.
  const std::regex bucket(
      R"re(capconf_http_request_duration_seconds_bucket\{route="/hello",method="GET",le="[^"]+"\} (\d+))re");
  long previous = 0;
  int buckets = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), bucket);
       it != std::sregex_iterator(); ++it) {
    const long count = std::stol((*it)[1]);
    EXPECT_GE(count, previous);
    previous = count;
    ++buckets;
  }
  EXPECT_EQ(buckets, 18);
}

TEST_F(ServerTest, HealthzAndReadyz) {
  std::atomic<bool> ready{false};
  ServerOptions options;
  options.readiness = [&ready] { return ready.load(); };
  StartServer(options);
  TestClient client(port());
  Result<ClientResponse> health = client.Request("GET", "/healthz");
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, R"({"status":"ok"})");
  ExpectProblem(*client.Request("GET", "/readyz"), 503, "not-ready");
  ready = true;
  Result<ClientResponse> readyz = client.Request("GET", "/readyz");
  EXPECT_EQ(readyz->status, 200);
  EXPECT_EQ(readyz->body, R"({"status":"ready"})");
  ExpectProblem(*client.Request("POST", "/healthz"), 405, "method-not-allowed");
}

TEST_F(ServerTest, GracefulStopFinishesInFlightRequestsAndRefusesNewConnections) {
  StartServer();
  // An idle keep-alive connection, which the stop closes.
  TestClient idle(port());
  ASSERT_EQ(idle.Request("GET", "/hello")->status, 200);
  // A request in flight: its handler blocks until released.
  auto slow = std::async(std::launch::async, [this] {
    TestClient client(port());
    return client.Request("GET", "/slow");
  });
  gate_.entered.get_future().wait();
  // A request whose header has begun to arrive (on a connection already accepted).
  TestClient probe(port());
  ASSERT_EQ(probe.Request("GET", "/readyz")->status, 200);
  ASSERT_TRUE(probe.WriteRaw("GET /readyz HTTP/1.1\r\nHost: t\r\n").ok());
  ASSERT_TRUE(probe.WriteRaw("X-Request-Id: probe\r\n").ok());

  server_->BeginStop();
  EXPECT_TRUE(server_->stopping());
  EXPECT_TRUE(ConnectionRefused(port()));
  Result<std::string> closed = idle.ReadUntilClosed();
  ASSERT_TRUE(closed.ok()) << closed.status().ToString();
  EXPECT_EQ(*closed, "");

  ASSERT_TRUE(probe.WriteRaw("\r\n").ok());
  Result<ClientResponse> readyz = probe.ReadResponse();
  ASSERT_TRUE(readyz.ok()) << readyz.status().ToString();
  ExpectProblem(*readyz, 503, "shutting-down");
  EXPECT_FALSE(readyz->keep_alive);

  std::thread stopper([this] { server_->Stop(); });
  gate_.Release();
  Result<ClientResponse> slow_response = slow.get();
  stopper.join();
  ASSERT_TRUE(slow_response.ok()) << slow_response.status().ToString();
  EXPECT_EQ(slow_response->status, 200);
  EXPECT_EQ(slow_response->Json().at("slow"), true);
  EXPECT_FALSE(slow_response->keep_alive);
  EXPECT_TRUE(ConnectionRefused(port()));
}

TEST_F(ServerTest, WaitingHandlersLeaveTheWorkerThreadsFree) {
  ServerOptions options;
  options.threads = 1;  // were the waiting handler on it, nothing else could be served
  options.waiting_threads = 2;
  StartServer(options);
  auto waiting = std::async(std::launch::async, [this] {
    TestClient client(port());
    return client.Request("GET", "/waiting", {{"X-Request-Id", "waiter"}});
  });
  ASSERT_EQ(waiting_gate_.entered.get_future().wait_for(std::chrono::seconds(10)),
            std::future_status::ready);
  // While it waits, the one worker thread answers other requests, on other connections.
  auto other = std::async(std::launch::async, [this] {
    TestClient client(port());
    return client.Request("GET", "/hello");
  });
  ASSERT_EQ(other.wait_for(std::chrono::seconds(10)), std::future_status::ready)
      << "a waiting handler held the worker thread";
  Result<ClientResponse> hello = other.get();
  ASSERT_TRUE(hello.ok()) << hello.status().ToString();
  EXPECT_EQ(hello->status, 200);
  // Released, its response is written like any other, with the headers and the log line.
  waiting_gate_.Release();
  Result<ClientResponse> waited = waiting.get();
  ASSERT_TRUE(waited.ok()) << waited.status().ToString();
  EXPECT_EQ(waited->status, 200);
  EXPECT_EQ(waited->Json().at("waited"), true);
  EXPECT_EQ(waited->Header("X-Request-Id"), "waiter");
  EXPECT_TRUE(waited->keep_alive);
  bool logged = false;
  for (const boost::json::object& line : LogLines(2)) {
    logged = logged || (line.at("request_id") == "waiter" && line.at("status") == 200);
  }
  EXPECT_TRUE(logged);
}

TEST_F(ServerTest, GracefulStopFinishesWaitingHandlers) {
  StartServer();
  auto waiting = std::async(std::launch::async, [this] {
    TestClient client(port());
    return client.Request("GET", "/waiting");
  });
  ASSERT_EQ(waiting_gate_.entered.get_future().wait_for(std::chrono::seconds(10)),
            std::future_status::ready);
  std::thread stopper([this] { server_->Stop(); });
  server_->BeginStop();
  EXPECT_TRUE(ConnectionRefused(port()));
  waiting_gate_.Release();
  Result<ClientResponse> waited = waiting.get();
  stopper.join();
  ASSERT_TRUE(waited.ok()) << waited.status().ToString();
  EXPECT_EQ(waited->status, 200);
  EXPECT_FALSE(waited->keep_alive);
}

TEST_F(ServerTest, StopClosesConnectionsStillBusyAfterTheDeadline) {
  ServerOptions options;
  options.shutdown_timeout = std::chrono::milliseconds(200);
  StartServer(options);
  // A client that started a request and never finishes it.
  TestClient stuck(port());
  ASSERT_TRUE(
      stuck.WriteRaw("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nab").ok());
  ASSERT_EQ(TestClient(port()).Request("GET", "/hello")->status, 200);  // the server is serving
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_TRUE(stuck.ReadUntilClosed().ok());
}

TEST_F(ServerTest, IdleConnectionsTimeOut) {
  ServerOptions options;
  options.idle_timeout = std::chrono::milliseconds(100);
  StartServer(options);
  TestClient client(port());
  ASSERT_EQ(client.Request("GET", "/hello")->status, 200);
  Result<std::string> rest = client.ReadUntilClosed();  // within the client's 10 s
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(*rest, "");
}

TEST_F(ServerTest, SlowRequestsTimeOut) {
  ServerOptions options;
  options.read_timeout = std::chrono::milliseconds(200);
  StartServer(options);
  TestClient client(port());
  ASSERT_TRUE(client.WriteRaw("GET /hello HTTP/1.1\r\nHost: t\r\n").ok());  // never finished
  EXPECT_TRUE(client.ReadUntilClosed().ok());
}

TEST_F(ServerTest, StopsOnSignal) {
  StartServer();
  server_->StopOnSignals();
  std::raise(SIGTERM);
  server_->Wait();
  EXPECT_TRUE(server_->stopping());
  EXPECT_TRUE(ConnectionRefused(port()));
}

TEST_F(ServerTest, ConcurrentClients) {
  ServerOptions options;
  options.threads = 4;
  StartServer(options);
  constexpr int kThreads = 8;
  constexpr int kRequests = 200;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      TestClient client(port());
      for (int i = 0; i < kRequests; ++i) {
        const std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
        Result<ClientResponse> response = client.Request(
            "GET", "/api/v1/subscriptions/" + id + "/config", {{"X-Request-Id", id}});
        if (!response.ok() || response->status != 200 ||
            response->Json().at("id") != boost::json::value(id) ||
            response->Header("X-Request-Id") != id) {
          ++failures;
        }
      }
      if (client.connections_opened() != 1) ++failures;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  server_->Stop();  // every request is recorded once the workers are joined
  EXPECT_NE(
      server_->metrics().Render().find(
          R"(capconf_http_requests_total{route="/api/v1/subscriptions/{id}/config",method="GET",status="200"} 1600)"),
      std::string::npos);
  EXPECT_EQ(log_->lines().size(), static_cast<std::size_t>(kThreads * kRequests));
  EXPECT_EQ(server_->metrics().in_flight(), 0);
}

TEST_F(ServerTest, MalformedHttpGets400WithoutCrashing) {
  StartServer();
  const std::vector<std::string> inputs = {
      "NOT-HTTP\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: t\r\nbad header line\r\n\r\n",
      "GET / HTTP/9.9\r\nHost: t\r\n\r\n",
      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n",
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n",
      std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 15),  // TLS hello
      "GET http://example.com/ HTTP/1.1\r\nHost: t\r\n\r\n",
      "GET * HTTP/1.1\r\nHost: t\r\n\r\n",
      "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: t\r\n\r\n",
      "GET /a%zz HTTP/1.1\r\nHost: t\r\n\r\n",
      "GET /echo?x=%ff HTTP/1.1\r\nHost: t\r\n\r\n",
      "GET /hello HTTP/1.1\r\n\r\n",  // no Host
  };
  for (const std::string& input : inputs) {
    TestClient client(port());
    ASSERT_TRUE(client.WriteRaw(input).ok());
    Result<ClientResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.ok()) << input << ": " << response.status().ToString();
    ExpectProblem(*response, 400, "bad-request");
    EXPECT_FALSE(response->keep_alive) << input;
  }
  const auto lines = LogLines(inputs.size());
  for (const auto& line : lines) {
    EXPECT_EQ(line.at("status"), 400);
    EXPECT_TRUE(line.at("path").as_string().empty() ||
                line.at("path").as_string().starts_with("/"));
  }
  TestClient after(port());
  EXPECT_EQ(after.Request("GET", "/hello")->status, 200);
}

TEST_F(ServerTest, TruncatedRequestsAreDropped) {
  StartServer();
  {
    TestClient client(port());
    ASSERT_TRUE(client.WriteRaw("GET /hello HTTP/1.1\r\nHo").ok());
  }  // closed mid-header
  {
    TestClient client(port());
    ASSERT_TRUE(
        client.WriteRaw("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nab").ok());
  }  // closed mid-body
  TestClient after(port());
  EXPECT_EQ(after.Request("GET", "/hello")->status, 200);
}

ServerOptions Listening(std::string listen, std::shared_ptr<Logger> log = nullptr) {
  ServerOptions options;
  options.listen = std::move(listen);
  options.threads = 1;
  options.access_log = std::move(log);
  return options;
}

TEST(ServerStartTest, RefusesBadAddressesAndBusyPorts) {
  Server bad(Listening("nonsense"), Router());
  EXPECT_EQ(bad.Start().code(), StatusCode::kInvalidArgument);
  Server bad_host(Listening("example.com:80"), Router());
  EXPECT_EQ(bad_host.Start().code(), StatusCode::kInvalidArgument);
  Server bad_port(Listening("127.0.0.1:99999"), Router());
  EXPECT_EQ(bad_port.Start().code(), StatusCode::kInvalidArgument);

  auto log = std::make_shared<CapturingLogger>();
  Server first(Listening("127.0.0.1:0", log), Router());
  ASSERT_TRUE(first.Start().ok());
  EXPECT_EQ(first.Start().code(), StatusCode::kFailedPrecondition);
  Server second(Listening("127.0.0.1:" + std::to_string(first.port()), log), Router());
  EXPECT_EQ(second.Start().code(), StatusCode::kUnavailable);
  first.Stop();
  first.Stop();  // idempotent
}

TEST(ServerStartTest, ListensOnIpv6Loopback) {
  auto log = std::make_shared<CapturingLogger>();
  Server server(Listening("[::1]:0", log), Router());
  const Status started = server.Start();
  if (started.code() == StatusCode::kUnavailable) GTEST_SKIP() << "no IPv6: " << started.ToString();
  ASSERT_TRUE(started.ok());
  EXPECT_NE(server.port(), 0);
  TestClient client(server.port(), "::1");
  Result<ClientResponse> response = client.Request("GET", "/healthz");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);
}

TEST(ServerStartTest, ListsBuiltinRoutes) { EXPECT_EQ(Server::BuiltinRoutes().size(), 3u); }

}  // namespace
}  // namespace capconf::http
