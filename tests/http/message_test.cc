#include "capconf/http/message.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace capconf::http {
namespace {

SetCookie Cookie(std::string name, std::string value, std::string path = "/") {
  SetCookie cookie;
  cookie.name = std::move(name);
  cookie.value = std::move(value);
  cookie.path = std::move(path);
  return cookie;
}

TEST(HeadersTest, LooksUpNamesCaseInsensitively) {
  Headers headers;
  headers.Add("Content-Type", "text/plain");
  headers.Add("set-cookie", "a=1");
  headers.Add("Set-Cookie", "b=2");
  EXPECT_EQ(headers.Get("content-type"), "text/plain");
  EXPECT_EQ(headers.Get("CONTENT-TYPE"), "text/plain");
  EXPECT_EQ(headers.Find("Missing"), nullptr);
  EXPECT_EQ(headers.Get("Missing"), "");
  EXPECT_EQ(headers.GetAll("SET-COOKIE"), (std::vector<std::string_view>{"a=1", "b=2"}));
  headers.Set("Set-Cookie", "c=3");
  EXPECT_EQ(headers.GetAll("set-cookie"), (std::vector<std::string_view>{"c=3"}));
  headers.Remove("CONTENT-type");
  EXPECT_FALSE(headers.Has("Content-Type"));
  EXPECT_EQ(headers.size(), 1u);
}

TEST(PercentDecodeTest, DecodesEscapesAndPlus) {
  EXPECT_EQ(PercentDecode("a%20b%2Fc", false), "a b/c");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("caf%C3%A9", false), "caf\xC3\xA9");
}

TEST(PercentDecodeTest, RefusesMalformedEscapesNulAndBadUtf8) {
  EXPECT_EQ(PercentDecode("%", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%4", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%zz", false), std::nullopt);
  EXPECT_EQ(PercentDecode("a%00b", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%C3", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%FF", false), std::nullopt);
}

TEST(CookiesTest, ParsesCookieHeader) {
  const auto cookies = ParseCookies(" session=abc123; theme=\"dark\";flag; =x; session=later ");
  ASSERT_EQ(cookies.size(), 2u);
  EXPECT_EQ(cookies.at("session"), "abc123");  // the first of a repeated name
  EXPECT_EQ(cookies.at("theme"), "dark");
  EXPECT_TRUE(ParseCookies("").empty());
}

TEST(CookiesTest, RequestJoinsCookieHeaders) {
  Request request;
  request.headers.Add("Cookie", "a=1");
  request.headers.Add("cookie", "b=2; a=3");
  const auto cookies = request.Cookies();
  EXPECT_EQ(cookies.at("a"), "1");
  EXPECT_EQ(cookies.at("b"), "2");
}

TEST(CookiesTest, FormatsSetCookieWithSafeDefaults) {
  SetCookie cookie = Cookie("session", "tok_1.2-3");
  EXPECT_EQ(*FormatSetCookie(cookie), "session=tok_1.2-3; Path=/; HttpOnly; Secure; SameSite=Lax");
  cookie.max_age = std::chrono::hours(1);
  cookie.secure = false;
  cookie.same_site = SameSite::kStrict;
  cookie.path = "/api";
  EXPECT_EQ(*FormatSetCookie(cookie),
            "session=tok_1.2-3; Path=/api; Max-Age=3600; HttpOnly; SameSite=Strict");
  cookie.max_age = std::chrono::seconds(0);
  EXPECT_NE(FormatSetCookie(cookie)->find("Max-Age=0"), std::string::npos);
}

TEST(CookiesTest, RefusesUnsafeCookieParts) {
  EXPECT_FALSE(FormatSetCookie(Cookie("a b", "x")).ok());
  EXPECT_FALSE(FormatSetCookie(Cookie("", "x")).ok());
  EXPECT_FALSE(FormatSetCookie(Cookie("a", "x;y")).ok());
  EXPECT_FALSE(FormatSetCookie(Cookie("a", "x\r\nSet-Cookie: evil=1")).ok());
  EXPECT_FALSE(FormatSetCookie(Cookie("a", "x", "/;Domain=evil")).ok());
  Response response;
  EXPECT_FALSE(response.AddCookie(Cookie("a", "\"q\"")).ok());
  EXPECT_TRUE(response.headers.empty());
  EXPECT_TRUE(response.AddCookie(Cookie("a", "1")).ok());
  EXPECT_TRUE(response.AddCookie(Cookie("b", "2")).ok());
  EXPECT_EQ(response.headers.GetAll("Set-Cookie").size(), 2u);
}

TEST(RequestTest, QueryAndPathParams) {
  Request request;
  request.query = {{"a", "1"}, {"b", ""}, {"a", "2"}};
  request.path_params = {{"id", "42"}};
  EXPECT_EQ(request.QueryParam("a"), "1");
  EXPECT_EQ(request.QueryParam("b"), "");
  EXPECT_EQ(request.QueryParam("c"), std::nullopt);
  EXPECT_EQ(request.PathParam("id"), "42");
  EXPECT_EQ(request.PathParam("nope"), "");
}

TEST(ResponseTest, JsonResponseSerialisesAsJavaScriptDoes) {
  const Response response = JsonResponse(201, boost::json::parse(R"({"a":0.7,"b":[1,"x"]})"));
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.body, R"({"a":0.7,"b":[1,"x"]})");
}

TEST(ResponseTest, ProblemIsCompletedFromTheRequest) {
  Response response = Problem(422, "invalid-config", "Invalid configuration", "2 errors",
                              {{"errors", boost::json::array{"e1"}}, {"status", 999}});
  EXPECT_EQ(response.content_type, "application/problem+json");
  ASSERT_TRUE(response.problem.has_value());
  Request request;
  request.path = "/api/v1/subscriptions/7/config";
  request.request_id = "req-1";
  CompleteProblem(response, request);
  EXPECT_FALSE(response.problem.has_value());
  const boost::json::value body = boost::json::parse(response.body);
  EXPECT_EQ(body.at("type"), "https://capconf.dev/problems/invalid-config");
  EXPECT_EQ(body.at("title"), "Invalid configuration");
  EXPECT_EQ(body.at("status"), 422);  // `extra` cannot override standard members
  EXPECT_EQ(body.at("detail"), "2 errors");
  EXPECT_EQ(body.at("instance"), "/api/v1/subscriptions/7/config");
  EXPECT_EQ(body.at("request_id"), "req-1");
  EXPECT_EQ(body.at("errors"), boost::json::array{"e1"});
}

TEST(StatusMappingTest, MapsEveryCode) {
  EXPECT_EQ(HttpStatusFor(StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kFailedPrecondition), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kAborted), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kResourceExhausted), 413);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(StatusCode::kDeadlineExceeded), 504);
  EXPECT_EQ(HttpStatusFor(StatusCode::kDataLoss), 500);
  EXPECT_EQ(HttpStatusFor(StatusCode::kInternal), 500);
}

TEST(StatusMappingTest, ProblemFromStatusHidesInternalMessages) {
  Request request;
  request.path = "/x";
  Response not_found = ProblemFromStatus(NotFoundError("subscription 7 not found"));
  CompleteProblem(not_found, request);
  const boost::json::value a = boost::json::parse(not_found.body);
  EXPECT_EQ(not_found.status, 404);
  EXPECT_EQ(a.at("type"), "https://capconf.dev/problems/not-found");
  EXPECT_EQ(a.at("detail"), "subscription 7 not found");

  Response internal = ProblemFromStatus(InternalError("table offerings is corrupt at db-7"));
  CompleteProblem(internal, request);
  EXPECT_EQ(internal.status, 500);
  EXPECT_EQ(internal.body.find("db-7"), std::string::npos);
  EXPECT_EQ(boost::json::parse(internal.body).at("type"), "https://capconf.dev/problems/internal");
}

}  // namespace
}  // namespace capconf::http
