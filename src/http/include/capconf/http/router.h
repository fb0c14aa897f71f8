#pragma once
// Routing by method and path pattern, with a middleware chain around every request.
//
//   Router router;
//   CAPCONF_RETURN_IF_ERROR(router.Add("GET", "/api/v1/subscriptions/{id}/config", GetConfig));
//   router.Use([](Request& r, const Next& next) { ...; Response res = next(r); ...; return res; });
//
// Patterns are absolute paths whose segments are literals or `{name}` parameters; a parameter
// matches one non-empty segment, percent-decoded into Request::path_params. Literal segments
// win over parameters at the first position where two patterns differ, so
// `/offerings/featured` is chosen over `/offerings/{id}` whatever the order they were added in.
// Matching is exact: no trailing-slash or case folding. A HEAD request runs the GET handler
// when there is no HEAD route (the Server sends no body for HEAD).
//
// When no pattern matches, the fallback handler runs if one is set (static files), else a 404
// problem; when patterns match but none for the method, a 405 problem with an Allow header.
// Middleware runs, in the order added, around all of these: Request::route is already set (""
// when nothing matched) so middleware can tell public routes from others.
//
// Thread-safety: configure (Add, Use, SetFallback) before serving; Handle and ListRoutes are
// const and may then run on any number of threads at once.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "capconf/common/status.h"
#include "capconf/http/message.h"

namespace capconf::http {

using Handler = std::function<Response(Request&)>;

class Next;
// Calls `next(request)` to run the rest of the chain (and the handler), or returns a response
// of its own to cut it short.
using Middleware = std::function<Response(Request&, const Next&)>;

// The rest of a middleware chain. A cheap view valid only during the call it was passed to.
class Next {
 public:
  Response operator()(Request& request) const;

 private:
  friend class Router;
  Next(const std::vector<Middleware>* chain, std::size_t index, const Handler* terminal)
      : chain_(chain), index_(index), terminal_(terminal) {}

  const std::vector<Middleware>* chain_;
  std::size_t index_;
  const Handler* terminal_;
};

struct RouteInfo {
  std::string method;
  std::string pattern;
  std::string name;  // the pattern unless Add was given a name
  friend bool operator==(const RouteInfo&, const RouteInfo&) = default;
};

class Router {
 public:
  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  // Adds a route. `method` is an upper-case token ("GET"); `name` defaults to the pattern.
  // InvalidArgument: a malformed method or pattern (not starting with '/', an empty segment,
  // a '{' that is not a whole `{name}` segment, a parameter named twice, a query, a null
  // handler). AlreadyExists: the method is taken for a pattern of the same shape.
  Status Add(std::string_view method, std::string_view pattern, Handler handler,
             std::string_view name = {});

  // Marks an added route as one whose handler waits for other requests (a save waits for the
  // group commit that gathers it with others). The Server runs such handlers on its pool of
  // waiting threads rather than on the threads that serve connections, so that many can wait
  // at once without stalling everybody else's requests. NotFound: no such route.
  Status MarkWaiting(std::string_view method, std::string_view pattern);
  // Whether `method` on `path` would run a handler marked waiting (HEAD counts as GET when
  // there is no HEAD route, as in Handle).
  bool Waits(std::string_view method, std::string_view path) const;
  // Appends a middleware; the first added is the outermost.
  void Use(Middleware middleware);

  // The handler for paths no pattern matches (any method), and the route name it logs as.
  void SetFallback(Handler handler, std::string name);

  // Routes `request` (filling path_params and route) and runs the middleware and the handler.
  // Exceptions from handlers propagate (the Server turns them into a 500 problem).
  Response Handle(Request& request) const;

  // Every (method, pattern, name), sorted by pattern then method; the fallback is not listed.
  std::vector<RouteInfo> ListRoutes() const;

 private:
  struct Route;
  std::vector<std::unique_ptr<Route>> routes_;  // sorted so the first match is the best
  std::vector<Middleware> middleware_;
  std::vector<std::string> waiting_methods_;  // the methods of the routes MarkWaiting marked
  Handler fallback_;
  std::string fallback_name_;
};

}  // namespace capconf::http
