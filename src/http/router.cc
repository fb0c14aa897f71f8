#include "capconf/http/router.h"

#include <algorithm>
#include <set>

namespace capconf::http {
namespace {

struct Segment {
  bool is_param = false;
  std::string text;  // the literal, or the parameter's name
};

// Splits "/a/b" into {"a", "b"}; "/" gives {""}. The path must start with '/'.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  path.remove_prefix(1);
  while (true) {
    const std::size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

bool IsParamNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

Result<std::vector<Segment>> ParsePattern(std::string_view pattern) {
  if (pattern.empty() || pattern.front() != '/') {
    return InvalidArgumentError("route pattern must start with '/': " + std::string(pattern));
  }
  if (pattern.find_first_of("?#") != std::string_view::npos) {
    return InvalidArgumentError("route pattern must not have a query: " + std::string(pattern));
  }
  std::vector<Segment> segments;
  std::set<std::string, std::less<>> names;
  if (pattern == "/") return std::vector<Segment>{Segment{false, ""}};
  for (std::string_view raw : SplitPath(pattern)) {
    if (raw.empty()) {
      return InvalidArgumentError("route pattern has an empty segment: " + std::string(pattern));
    }
    const bool is_param = raw.front() == '{';
    if (is_param) {
      const std::string_view name = raw.substr(1, raw.size() - 2);
      if (raw.size() < 3 || raw.back() != '}' ||
          !std::all_of(name.begin(), name.end(), IsParamNameChar)) {
        return InvalidArgumentError("route parameter must be a whole {name} segment: " +
                                    std::string(pattern));
      }
      if (!names.emplace(name).second) {
        return InvalidArgumentError("route parameter named twice: " + std::string(pattern));
      }
      segments.push_back(Segment{true, std::string(name)});
    } else {
      if (raw.find_first_of("{}") != std::string_view::npos) {
        return InvalidArgumentError("route parameter must be a whole {name} segment: " +
                                    std::string(pattern));
      }
      segments.push_back(Segment{false, std::string(raw)});
    }
  }
  return segments;
}

bool IsMethodToken(std::string_view method) {
  return !method.empty() &&
         std::all_of(method.begin(), method.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

}  // namespace

struct Router::Route {
  struct Method {
    std::string method;
    std::string name;
    Handler handler;
    bool waits = false;  // see MarkWaiting
  };

  std::string pattern;
  std::vector<Segment> segments;
  std::vector<Method> methods;

  bool SameShape(const std::vector<Segment>& other) const {
    if (other.size() != segments.size()) return false;
    for (std::size_t i = 0; i < segments.size(); ++i) {
      if (other[i].is_param != segments[i].is_param) return false;
      if (!other[i].is_param && other[i].text != segments[i].text) return false;
    }
    return true;
  }

  bool Matches(const std::vector<std::string_view>& path) const {
    if (path.size() != segments.size()) return false;
    for (std::size_t i = 0; i < segments.size(); ++i) {
      if (segments[i].is_param ? path[i].empty() : path[i] != segments[i].text) return false;
    }
    return true;
  }

  const Method* Find(std::string_view method) const {
    for (const Method& m : methods) {
      if (m.method == method) return &m;
    }
    return nullptr;
  }

  // Orders routes so that, among those matching a path (which all have its segment count),
  // the first wins: at the first position where two shapes differ, a literal comes before a
  // parameter. Ordering by segment count first keeps this a strict weak order.
  static bool Before(const Route& a, const Route& b) {
    if (a.segments.size() != b.segments.size()) return a.segments.size() < b.segments.size();
    for (std::size_t i = 0; i < a.segments.size(); ++i) {
      if (a.segments[i].is_param != b.segments[i].is_param) return !a.segments[i].is_param;
    }
    return false;
  }
};

Response Next::operator()(Request& request) const {
  if (index_ >= chain_->size()) return (*terminal_)(request);
  return (*chain_)[index_](request, Next(chain_, index_ + 1, terminal_));
}

Router::Router() = default;
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

Status Router::Add(std::string_view method, std::string_view pattern, Handler handler,
                   std::string_view name) {
  if (!IsMethodToken(method)) {
    return InvalidArgumentError("route method must be an upper-case token: " + std::string(method));
  }
  if (!handler) return InvalidArgumentError("route handler is empty: " + std::string(pattern));
  Result<std::vector<Segment>> segments = ParsePattern(pattern);
  if (!segments.ok()) return segments.status();

  Route* route = nullptr;
  for (const auto& existing : routes_) {
    if (!existing->SameShape(*segments)) continue;
    if (existing->Find(method)) {
      return Status(StatusCode::kAlreadyExists, std::string(method) + " " + std::string(pattern) +
                                                    " collides with " + existing->pattern);
    }
    if (existing->pattern == pattern) route = existing.get();
  }
  if (route == nullptr) {
    auto created = std::make_unique<Route>();
    created->pattern = std::string(pattern);
    created->segments = std::move(*segments);
    route = created.get();
    // Keep routes sorted (stable: among equals, the earlier added first).
    const auto at =
        std::upper_bound(routes_.begin(), routes_.end(), created,
                         [](const std::unique_ptr<Route>& a, const std::unique_ptr<Route>& b) {
                           return Route::Before(*a, *b);
                         });
    routes_.insert(at, std::move(created));
  }
  route->methods.push_back(Route::Method{std::string(method),
                                         name.empty() ? std::string(pattern) : std::string(name),
                                         std::move(handler)});
  return Status::Ok();
}

Status Router::MarkWaiting(std::string_view method, std::string_view pattern) {
  for (const auto& route : routes_) {
    if (route->pattern != pattern) continue;
    for (Route::Method& m : route->methods) {
      if (m.method != method) continue;
      m.waits = true;
      if (std::find(waiting_methods_.begin(), waiting_methods_.end(), method) ==
          waiting_methods_.end()) {
        waiting_methods_.emplace_back(method);
      }
      return Status::Ok();
    }
  }
  return NotFoundError("no route " + std::string(method) + " " + std::string(pattern) +
                       " to mark waiting");
}

bool Router::Waits(std::string_view method, std::string_view path) const {
  // Every request asks: most (GETs) are answered without matching the path a second time.
  const auto waiting_method = [this](std::string_view m) {
    return std::find(waiting_methods_.begin(), waiting_methods_.end(), m) != waiting_methods_.end();
  };
  if (!waiting_method(method) && !(method == "HEAD" && waiting_method("GET"))) return false;
  if (path.empty() || path.front() != '/') return false;
  const std::vector<std::string_view> segments = SplitPath(path);
  for (const auto& route : routes_) {
    if (!route->Matches(segments)) continue;
    const Route::Method* m = route->Find(method);
    if (m == nullptr && method == "HEAD") m = route->Find("GET");
    if (m != nullptr) return m->waits;  // the route Handle would choose
  }
  return false;
}

void Router::Use(Middleware middleware) { middleware_.push_back(std::move(middleware)); }

void Router::SetFallback(Handler handler, std::string name) {
  fallback_ = std::move(handler);
  fallback_name_ = std::move(name);
}

Response Router::Handle(Request& request) const {
  request.path_params.clear();
  request.route.clear();
  std::vector<std::string_view> path;
  if (!request.path.empty() && request.path.front() == '/') path = SplitPath(request.path);

  const Route* chosen = nullptr;
  const Route::Method* method = nullptr;
  std::vector<const Route*> matching;
  for (const auto& route : routes_) {
    if (!route->Matches(path)) continue;
    matching.push_back(route.get());
    if (method != nullptr) continue;
    method = route->Find(request.method);
    if (method == nullptr && request.method == "HEAD") method = route->Find("GET");
    if (method != nullptr) chosen = route.get();
  }

  Handler local;  // for the 400/404/405 answers
  const Handler* terminal = nullptr;
  if (chosen != nullptr) {
    request.route = method->name;
    terminal = &method->handler;
    for (std::size_t i = 0; i < chosen->segments.size(); ++i) {
      if (!chosen->segments[i].is_param) continue;
      std::optional<std::string> value = PercentDecode(path[i], /*plus_is_space=*/false);
      if (!value) {
        local = [](Request&) {
          return Problem(400, "bad-path", "Bad path",
                         "A path segment has a malformed %-escape or is not UTF-8.");
        };
        terminal = &local;
        break;
      }
      request.path_params.emplace(chosen->segments[i].text, std::move(*value));
    }
  } else if (!matching.empty()) {
    request.route = matching.front()->methods.front().name;
    std::set<std::string> allowed;
    for (const Route* route : matching) {
      for (const Route::Method& m : route->methods) {
        allowed.insert(m.method);
        if (m.method == "GET") allowed.insert("HEAD");
      }
    }
    std::string allow;
    for (const std::string& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
    local = [allow](Request& r) {
      Response response = Problem(405, "method-not-allowed", "Method not allowed",
                                  "The resource does not support " + r.method + ".");
      response.headers.Set("Allow", allow);
      return response;
    };
    terminal = &local;
  } else if (fallback_) {
    request.route = fallback_name_;
    terminal = &fallback_;
  } else {
    local = [](Request&) {
      return Problem(404, "not-found", "Not found", "No resource has this path.");
    };
    terminal = &local;
  }
  return Next(&middleware_, 0, terminal)(request);
}

std::vector<RouteInfo> Router::ListRoutes() const {
  std::vector<RouteInfo> out;
  for (const auto& route : routes_) {
    for (const Route::Method& m : route->methods) {
      out.push_back(RouteInfo{m.method, route->pattern, m.name});
    }
  }
  std::sort(out.begin(), out.end(), [](const RouteInfo& a, const RouteInfo& b) {
    return std::tie(a.pattern, a.method) < std::tie(b.pattern, b.method);
  });
  return out;
}

}  // namespace capconf::http
