#include "capconf/http/router.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace capconf::http {
namespace {

Handler Named(std::string name) {
  return [name](Request& request) {
    boost::json::object params;
    for (const auto& [key, value] : request.path_params) params[key] = value;
    return JsonResponse(200, boost::json::object{{"handler", name}, {"params", params}});
  };
}

Request Make(std::string method, std::string path) {
  Request request;
  request.method = std::move(method);
  request.path = std::move(path);
  request.target = request.path;
  return request;
}

boost::json::value Body(Response& response, const Request& request) {
  CompleteProblem(response, request);
  return boost::json::parse(response.body);
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(router_.Add("GET", "/", Named("root")).ok());
    ASSERT_TRUE(router_.Add("GET", "/api/v1/subscriptions/{id}/config", Named("get-config")).ok());
    ASSERT_TRUE(router_.Add("PUT", "/api/v1/subscriptions/{id}/config", Named("put-config")).ok());
    ASSERT_TRUE(router_.Add("GET", "/api/v1/offerings/{offering}", Named("offering")).ok());
    ASSERT_TRUE(router_.Add("GET", "/api/v1/offerings/featured", Named("featured")).ok());
    ASSERT_TRUE(router_.Add("DELETE", "/api/v1/offerings/{id}", Named("delete-offering")).ok());
    ASSERT_TRUE(router_.Add("GET", "/api/v1/{kind}/{id}", Named("generic")).ok());
  }

  Response Route(Request& request) { return router_.Handle(request); }

  Router router_;
};

TEST_F(RouterTest, MatchesParametersAndDecodesThem) {
  Request request = Make("GET", "/api/v1/subscriptions/sub%2042/config");
  Response response = Route(request);
  ASSERT_EQ(response.status, 200);
  const boost::json::value body = Body(response, request);
  EXPECT_EQ(body.at("handler"), "get-config");
  EXPECT_EQ(body.at("params").at("id"), "sub 42");
  EXPECT_EQ(request.route, "/api/v1/subscriptions/{id}/config");
  EXPECT_EQ(request.PathParam("id"), "sub 42");
}

TEST_F(RouterTest, ChoosesByMethod) {
  Request request = Make("PUT", "/api/v1/subscriptions/7/config");
  Response response = Route(request);
  EXPECT_EQ(Body(response, request).at("handler"), "put-config");
}

TEST_F(RouterTest, LiteralSegmentsWinOverParameters) {
  Request featured = Make("GET", "/api/v1/offerings/featured");
  Response a = Route(featured);
  EXPECT_EQ(Body(a, featured).at("handler"), "featured");
  Request other = Make("GET", "/api/v1/offerings/abc");
  Response b = Route(other);
  EXPECT_EQ(Body(b, other).at("handler"), "offering");
  Request generic = Make("GET", "/api/v1/things/abc");
  Response c = Route(generic);
  EXPECT_EQ(Body(c, generic).at("handler"), "generic");
  EXPECT_EQ(generic.route, "/api/v1/{kind}/{id}");
}

TEST_F(RouterTest, FallsThroughToALessSpecificPatternForTheMethod) {
  // DELETE is only on /api/v1/offerings/{id}: the literal `featured` route has no DELETE.
  Request request = Make("DELETE", "/api/v1/offerings/featured");
  Response response = Route(request);
  EXPECT_EQ(Body(response, request).at("handler"), "delete-offering");
}

TEST_F(RouterTest, UnknownPathIsA404Problem) {
  for (const char* path : {"/nope", "/api/v2/subscriptions/7", "/api/v1/subscriptions//config",
                           "/api/v1/subscriptions/7/config/", ""}) {
    Request request = Make("GET", path);
    Response response = Route(request);
    EXPECT_EQ(response.status, 404) << path;
    EXPECT_EQ(response.content_type, "application/problem+json");
    EXPECT_EQ(Body(response, request).at("type"), "https://capconf.dev/problems/not-found");
    EXPECT_EQ(request.route, "");
  }
}

TEST_F(RouterTest, WrongMethodIsA405ProblemWithAllow) {
  Request request = Make("POST", "/api/v1/subscriptions/7/config");
  Response response = Route(request);
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.headers.Get("Allow"), "GET, HEAD, PUT");
  const boost::json::value body = Body(response, request);
  EXPECT_EQ(body.at("type"), "https://capconf.dev/problems/method-not-allowed");
  EXPECT_EQ(body.at("status"), 405);
  EXPECT_EQ(request.route, "/api/v1/subscriptions/{id}/config");

  // Every pattern that matches contributes its methods.
  Request offering = Make("PATCH", "/api/v1/offerings/featured");
  Response r = Route(offering);
  EXPECT_EQ(r.headers.Get("Allow"), "DELETE, GET, HEAD");
}

TEST_F(RouterTest, HeadRunsTheGetHandler) {
  Request request = Make("HEAD", "/");
  Response response = Route(request);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(Body(response, request).at("handler"), "root");
}

TEST_F(RouterTest, MalformedEscapeInAParameterIsA400) {
  Request request = Make("GET", "/api/v1/offerings/%ZZ");
  Response response = Route(request);
  EXPECT_EQ(response.status, 400);
}

TEST_F(RouterTest, MiddlewareRunsInOrderAroundEverything) {
  std::vector<std::string> calls;
  router_.Use([&](Request& request, const Next& next) {
    calls.push_back("outer:" + request.route);
    Response response = next(request);
    response.headers.Set("X-Outer", "1");
    calls.push_back("outer-after");
    return response;
  });
  router_.Use([&](Request& request, const Next& next) {
    calls.push_back("inner");
    return next(request);
  });
  Request request = Make("GET", "/api/v1/offerings/9");
  Response response = Route(request);
  EXPECT_EQ(response.headers.Get("X-Outer"), "1");
  EXPECT_EQ(calls, (std::vector<std::string>{"outer:/api/v1/offerings/{offering}", "inner",
                                             "outer-after"}));
  calls.clear();
  Request missing = Make("GET", "/missing");
  EXPECT_EQ(Route(missing).headers.Get("X-Outer"), "1");  // around 404s too
  EXPECT_EQ(calls.front(), "outer:");
}

TEST_F(RouterTest, MiddlewareCanAnswerAlone) {
  bool handler_ran = false;
  ASSERT_TRUE(router_
                  .Add("GET", "/private",
                       [&](Request&) {
                         handler_ran = true;
                         return Response{};
                       })
                  .ok());
  router_.Use([](Request& request, const Next& next) {
    if (request.route == "/private" && request.headers.Get("Authorization").empty()) {
      return Problem(401, "unauthenticated", "Unauthenticated", "A bearer token is required.");
    }
    return next(request);
  });
  Request request = Make("GET", "/private");
  EXPECT_EQ(Route(request).status, 401);
  EXPECT_FALSE(handler_ran);
}

TEST_F(RouterTest, FallbackTakesUnmatchedPaths) {
  router_.SetFallback([](Request&) { return TextResponse(299); }, "static");
  Request request = Make("POST", "/anything/else");
  EXPECT_EQ(Route(request).status, 299);
  EXPECT_EQ(request.route, "static");
  Request wrong_method = Make("POST", "/");
  EXPECT_EQ(Route(wrong_method).status, 405);  // a matched path is not the fallback's
}

TEST_F(RouterTest, RefusesBadPatternsAndCollisions) {
  Router router;
  const Handler h = Named("x");
  EXPECT_EQ(router.Add("GET", "no-slash", h).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/a//b", h).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/a/{id", h).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/a/x{id}", h).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/a/{}", h).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/a/{id}/{id}", h).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/a?x=1", h).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(router.Add("get", "/a", h).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/a", nullptr).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(router.Add("GET", "/a/{id}", h).ok());
  EXPECT_EQ(router.Add("GET", "/a/{other}", h).code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(router.Add("POST", "/a/{other}", h).ok());
}

TEST_F(RouterTest, ListsRoutesSorted) {
  Router router;
  ASSERT_TRUE(router.Add("PUT", "/b/{id}", Named("x")).ok());
  ASSERT_TRUE(router.Add("GET", "/b/{id}", Named("x")).ok());
  ASSERT_TRUE(router.Add("GET", "/a", Named("x"), "list-a").ok());
  EXPECT_EQ(router.ListRoutes(), (std::vector<RouteInfo>{{"GET", "/a", "list-a"},
                                                         {"GET", "/b/{id}", "/b/{id}"},
                                                         {"PUT", "/b/{id}", "/b/{id}"}}));
}

}  // namespace
TEST_F(RouterTest, WaitingRoutesAreMarkedByMethodAndMatchedAsHandleWould) {
  EXPECT_FALSE(router_.Waits("PUT", "/api/v1/subscriptions/s1/config"));
  ASSERT_TRUE(router_.MarkWaiting("PUT", "/api/v1/subscriptions/{id}/config").ok());
  EXPECT_TRUE(router_.Waits("PUT", "/api/v1/subscriptions/s1/config"));
  EXPECT_TRUE(router_.Waits("PUT", "/api/v1/subscriptions/a%20b/config"));
  // Another method on the same pattern, another path, and what no route takes do not wait.
  EXPECT_FALSE(router_.Waits("GET", "/api/v1/subscriptions/s1/config"));
  EXPECT_FALSE(router_.Waits("PUT", "/api/v1/subscriptions/s1"));
  EXPECT_FALSE(router_.Waits("PUT", "/nowhere"));
  EXPECT_FALSE(router_.Waits("PUT", "not-a-path"));
  // HEAD runs the GET handler, so it waits when GET does.
  ASSERT_TRUE(router_.MarkWaiting("GET", "/api/v1/offerings/{offering}").ok());
  EXPECT_TRUE(router_.Waits("HEAD", "/api/v1/offerings/o1"));
  // The literal route wins over the parameter, as in Handle: it is not marked.
  EXPECT_FALSE(router_.Waits("GET", "/api/v1/offerings/featured"));
  // Only routes that exist can be marked.
  EXPECT_EQ(router_.MarkWaiting("POST", "/api/v1/subscriptions/{id}/config").code(),
            StatusCode::kNotFound);
  EXPECT_EQ(router_.MarkWaiting("PUT", "/api/v1/subscriptions/{sub}/config").code(),
            StatusCode::kNotFound);
}

}  // namespace capconf::http
