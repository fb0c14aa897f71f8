#include "capconf/api/api.h"

#include <boost/json/serialize.hpp>
#include <charconv>
#include <ctime>
#include <functional>
#include <set>
#include <variant>

#include "auth_cache.h"
#include "capconf/access/crypto.h"
#include "capconf/access/secrets.h"
#include "capconf/catalog/rules.h"
#include "capconf/common/time_format.h"
#include "capconf/json/parse.h"
#include "capconf/json/serialize.h"
#include "files.h"
#include "openapi.h"

namespace capconf::api {
namespace bj = boost::json;
using http::Request;
using http::Response;

namespace {

constexpr std::string_view kSessionCookie = "capconf_session";
constexpr std::string_view kCsrfCookie = "capconf_csrf";
constexpr std::string_view kCsrfHeader = "X-CSRF-Token";
constexpr std::int64_t kTouchIntervalMs = 60 * 1000;

// The caller of the request being handled on this thread (set by the authentication middleware
// around the handler call, which runs on the same thread).
thread_local const service::Actor* current_actor = nullptr;

Response Error(const Status& status) { return http::ProblemFromStatus(status); }

// The server's address as websites and the page's visitors reach it: --public-url, or http://
// and the request's Host.
std::string PublicBase(const ApiContext& ctx, const Request& request) {
  if (!ctx.options.public_url.empty()) return ctx.options.public_url;
  return "http://" + std::string(request.headers.Get("Host"));
}

std::string EscapeHtmlAttribute(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

Response Unprocessable(std::string_view detail, bj::array errors) {
  return http::Problem(422, "validation", "Unprocessable content", detail,
                       bj::object{{"errors", std::move(errors)}});
}

bj::value ParseJsonText(const std::string& text) {
  auto parsed = capconf::json::Parse(text);
  return parsed.ok() ? std::move(*parsed) : bj::value(nullptr);
}

// Reads a JSON object body and checks its members: `allowed` lists every member the route
// takes, `read_only` the ones the server owns (422 naming them), anything else is unknown (422).
struct Body {
  bj::object object;
  std::optional<Response> error;
};
// The body as a JSON object, or the problem to answer: 415 for another media type, 400 for
// malformed JSON, 413 for too big or too deep, 422 for JSON that is not an object.
Body ReadJsonObject(const Request& request) {
  Body body;
  std::string_view type = request.headers.Get("Content-Type");
  if (!type.empty() && type.substr(0, 16) != "application/json") {
    body.error = http::Problem(415, "unsupported-media-type", "Unsupported media type",
                               "send the body as application/json");
    return body;
  }
  auto parsed = capconf::json::Parse(request.body, {.max_bytes = 1 << 20, .max_depth = 64});
  if (!parsed.ok()) {
    body.error = http::Problem(parsed.status().code() == StatusCode::kResourceExhausted ? 413 : 400,
                               "malformed-json", "Malformed JSON", parsed.status().message());
    return body;
  }
  if (!parsed->is_object()) {
    body.error = Unprocessable(
        "the body must be a JSON object",
        bj::array{bj::object{{"pointer", ""}, {"keyword", "type"}, {"message", "must be object"}}});
    return body;
  }
  body.object = std::move(parsed->get_object());
  return body;
}

// ReadJsonObject, and 422 for members that are not `allowed` (or are `read_only`).
Body ReadBody(const Request& request, std::initializer_list<std::string_view> allowed,
              std::initializer_list<std::string_view> read_only = {}) {
  Body body = ReadJsonObject(request);
  if (body.error) return body;
  bj::array errors;
  for (const auto& [key, value] : body.object) {
    std::string pointer = "/" + std::string(key);
    if (std::find(read_only.begin(), read_only.end(), key) != read_only.end()) {
      errors.push_back(
          bj::object{{"pointer", pointer}, {"keyword", "readOnly"}, {"message", "is read-only"}});
    } else if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      errors.push_back(bj::object{{"pointer", pointer},
                                  {"keyword", "additionalProperties"},
                                  {"message", "is not a field of this request"}});
    }
  }
  if (!errors.empty()) {
    body.error = Unprocessable("the body has fields this route does not take", std::move(errors));
  }
  return body;
}

std::optional<Response> RequireString(const bj::object& o, std::string_view key, std::string& out,
                                      bool required = true) {
  const bj::value* v = o.if_contains(key);
  if (v == nullptr) {
    if (!required) return std::nullopt;
    return Unprocessable("a field is missing",
                         bj::array{bj::object{{"pointer", "/" + std::string(key)},
                                              {"keyword", "required"},
                                              {"message", "is required"}}});
  }
  if (!v->is_string()) {
    return Unprocessable("a field has the wrong type",
                         bj::array{bj::object{{"pointer", "/" + std::string(key)},
                                              {"keyword", "type"},
                                              {"message", "must be string"}}});
  }
  out = v->get_string();
  return std::nullopt;
}

bj::object UserJson(const store::User& u) {
  return bj::object{{"id", u.id},
                    {"email", u.email},
                    {"display_name", u.display_name},
                    {"role", std::string(store::ToString(u.role))},
                    {"organization_id", u.organization_id}};
}

bj::object OfferingJson(const store::Offering& o) {
  return bj::object{{"id", o.id},
                    {"organization_id", o.organization_id},
                    {"template_id", o.template_id},
                    {"template_version", o.template_version},
                    {"name", o.name},
                    {"description", o.description},
                    {"credit_costs", ParseJsonText(o.credit_costs)},
                    {"state", std::string(store::ToString(o.state))},
                    {"created_at", FormatUtcMillis(o.created_at)},
                    {"updated_at", FormatUtcMillis(o.updated_at)}};
}

bj::object SyncJobJson(const store::SyncJob& job) {
  auto text_or_null = [](const std::string& text) -> bj::value {
    if (text.empty()) return nullptr;
    return bj::string(text);
  };
  bj::value resources = bj::object();
  if (auto parsed = capconf::json::Parse(job.resources); parsed.ok() && parsed->is_object()) {
    resources = std::move(*parsed);
  }
  // A next attempt only means something while the job waits: not once done or dead, and not
  // while a worker is running it.
  bj::value next = nullptr;
  if (job.state != store::SyncState::kInSync && job.state != store::SyncState::kDead &&
      !job.lease_token) {
    next = bj::string(FormatUtcMillis(job.next_attempt_at));
  }
  return bj::object{{"target", job.target},
                    {"state", ToString(job.state)},
                    {"desired_revision", job.desired_revision},
                    {"applied_revision", job.applied_revision},
                    {"attempts", job.attempts},
                    {"last_error", text_or_null(job.last_error)},
                    {"message", text_or_null(job.message)},
                    {"progress", text_or_null(job.progress)},
                    {"next_attempt_at", std::move(next)},
                    {"resources", std::move(resources)},
                    {"updated_at", FormatUtcMillis(job.updated_at)}};
}

bj::object SubscriptionJson(const store::Subscription& s) {
  bj::object out{{"id", s.id},
                 {"offering_id", s.offering_id},
                 {"organization_id", s.organization_id},
                 {"state", std::string(store::ToString(s.state))},
                 {"created_at", FormatUtcMillis(s.created_at)}};
  out["cancelled_at"] =
      s.cancelled_at ? bj::value(FormatUtcMillis(*s.cancelled_at)) : bj::value(nullptr);
  return out;
}

bj::object SubscriptionSummaryJson(const service::SubscriptionSummary& s) {
  bj::object out = SubscriptionJson(s.subscription);
  out["offering_name"] = s.offering_name;
  out["template_id"] = s.template_id;
  out["template_version"] = s.template_version;
  out["organization_name"] = s.organization_name;
  out["is_configured"] = s.is_configured;
  out["revision"] = s.revision;
  return out;
}

bj::object RevisionJson(const store::Revision& r, bool with_config) {
  bj::object out{
      {"revision", r.revision},           {"enabled_capabilities", ParseJsonText(r.enabled)},
      {"is_configured", r.is_configured}, {"created_at", FormatUtcMillis(r.created_at)},
      {"created_by", r.created_by},       {"note", r.note}};
  if (with_config) out["config"] = ParseJsonText(r.config);
  return out;
}

bj::object TemplateJson(const catalog::Catalog& catalog, const catalog::Template& t) {
  bj::array caps;
  for (const catalog::Capability* c : t.capabilities()) {
    caps.push_back(bj::object{{"id", c->id()},
                              {"label", c->label()},
                              {"description", c->description()},
                              {"default", (t.defaults() & c->bit()) != 0}});
  }
  bj::array sections;
  for (const catalog::Section& s : t.sections()) {
    sections.push_back(bj::object{
        {"key", s.key},
        {"title", s.title},
        {"capability", s.capability ? bj::value(s.capability->id()) : bj::value(nullptr)}});
  }
  bj::object costs;
  for (const auto& [action, cost] : t.credit_costs()) costs[action] = cost;
  bj::array allowed;
  for (catalog::CapabilitySet set : catalog::AllowedSets(catalog, t)) {
    bj::array ids;
    for (const catalog::Capability* c : t.capabilities()) {
      if (set & c->bit()) ids.push_back(bj::string(c->id()));
    }
    allowed.push_back(std::move(ids));
  }
  return bj::object{{"template_id", t.id()},
                    {"version", t.version()},
                    {"name", t.name()},
                    {"description", t.description()},
                    {"category", t.category()},
                    {"capabilities", std::move(caps)},
                    {"credit_costs", std::move(costs)},
                    {"sections", std::move(sections)},
                    {"allowed_sets", std::move(allowed)},
                    {"langflow_flow_id", t.langflow_flow_id()}};
}

std::string ETagOf(std::int64_t revision) { return "\"r" + std::to_string(revision) + "\""; }

Response ConfigResponse(const service::ConfigView& view, int status = 200) {
  Response r = http::JsonResponse(status, view.ToJson());
  r.headers.Set("ETag", ETagOf(view.revision));
  return r;
}

// The same for a view that is not needed afterwards: its configuration is moved, not copied.
Response ConfigResponse(service::ConfigView&& view) {
  const std::int64_t revision = view.revision;
  Response r = http::JsonResponse(200, std::move(view).ToJson());
  r.headers.Set("ETag", ETagOf(revision));
  return r;
}

bj::array ErrorsJson(const std::vector<config::FieldError>& errors) {
  bj::array out;
  for (const config::FieldError& e : errors) out.push_back(e.ToJson());
  return out;
}

// 412 for a stale revision; other codes as everywhere.
Response WriteError(const Status& status) {
  if (status.code() == StatusCode::kAborted) {
    return http::Problem(412, "stale-revision", "Precondition failed", status.message());
  }
  return Error(status);
}

// The revision an unsafe config request names in If-Match: 428 without one, 412 when it is not
// a revision tag.
std::variant<std::int64_t, Response> IfMatchRevision(const Request& request) {
  const std::string* value = request.headers.Find("If-Match");
  if (value == nullptr) {
    return http::Problem(428, "precondition-required", "Precondition required",
                         "send If-Match with the ETag of the configuration you edited");
  }
  std::string_view v = *value;
  if (v == "*") return std::int64_t{-1};  // RFC 9110: whatever is current
  if (v.size() < 4 || v.substr(0, 2) != "\"r" || v.back() != '"') {
    return http::Problem(412, "stale-revision", "Precondition failed",
                         "If-Match must be the ETag of a configuration, like \"r3\"");
  }
  std::int64_t revision = 0;
  auto digits = v.substr(2, v.size() - 3);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), revision);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    return http::Problem(412, "stale-revision", "Precondition failed",
                         "If-Match names no revision");
  }
  return revision;
}

// Structural diff of two JSON documents as JSON-Patch-like operations.
void Diff(const bj::value& a, const bj::value& b, std::string& path, bj::array& out) {
  if (a.is_object() && b.is_object()) {
    for (const auto& [k, v] : a.get_object()) {
      std::size_t mark = path.size();
      path += "/" + std::string(k);
      if (const bj::value* w = b.get_object().if_contains(k)) {
        Diff(v, *w, path, out);
      } else {
        out.push_back(bj::object{{"op", "remove"}, {"path", path}, {"from", v}});
      }
      path.resize(mark);
    }
    for (const auto& [k, w] : b.get_object()) {
      if (a.get_object().contains(k)) continue;
      out.push_back(bj::object{{"op", "add"}, {"path", path + "/" + std::string(k)}, {"to", w}});
    }
    return;
  }
  if (a != b) out.push_back(bj::object{{"op", "replace"}, {"path", path}, {"from", a}, {"to", b}});
}

std::optional<std::int64_t> ParseRevision(std::string_view text) {
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 1) return std::nullopt;
  return n;
}

Response NoRevision(std::string_view text) {
  return http::Problem(404, "not-found", "Not found",
                       "there is no revision '" + std::string(text) + "'");
}

}  // namespace

Result<store::User> CreateUser(store::Store& store, const service::Clock& clock, const NewUser& n,
                               const access::PasswordHashOptions& hashing) {
  CAPCONF_RETURN_IF_ERROR(access::CheckPasswordLength(n.password));
  if (n.email.find('@') == std::string::npos || n.email.size() > 254) {
    return InvalidArgumentError("'" + n.email + "' is not an email address");
  }
  CAPCONF_ASSIGN_OR_RETURN(std::string hash, access::HashPassword(n.password, hashing));
  CAPCONF_ASSIGN_OR_RETURN(auto tx, store.Begin());
  const std::int64_t now = clock.NowMillis();
  store::User user;
  user.organization_id = n.organization_id;
  if (user.organization_id.empty()) {
    store::Organization org;
    org.name = n.organization_name.empty() ? n.email : n.organization_name;
    org.kind = n.role == store::Role::kOperator ? store::OrganizationKind::kOperator
               : n.role == store::Role::kSeller ? store::OrganizationKind::kSeller
                                                : store::OrganizationKind::kBuyer;
    org.created_at = now;
    CAPCONF_ASSIGN_OR_RETURN(user.organization_id, tx->InsertOrganization(org));
  }
  user.email = n.email;
  user.display_name = n.display_name.empty() ? n.email : n.display_name;
  user.role = n.role;
  user.password_hash = std::move(hash);
  user.created_at = now;
  CAPCONF_ASSIGN_OR_RETURN(user.id, tx->InsertUser(user));
  CAPCONF_RETURN_IF_ERROR(tx->Commit());
  return user;
}

Result<std::string> CreateBearerToken(store::Store& store, const service::Clock& clock,
                                      const access::KeyedHasher& hasher, std::string_view user_id,
                                      std::string_view name) {
  std::string token = access::MintSecret(access::kBearerTokenPrefix);
  CAPCONF_ASSIGN_OR_RETURN(auto tx, store.Begin());
  CAPCONF_ASSIGN_OR_RETURN(store::User user, tx->GetUser(user_id));
  store::ApiToken record;
  record.user_id = user.id;
  record.name = std::string(name);
  record.token_hash = hasher.Hash(token);
  record.prefix = access::SecretPrefixForDisplay(token);
  record.created_at = clock.NowMillis();
  CAPCONF_ASSIGN_OR_RETURN(record.id, tx->InsertApiToken(record));
  CAPCONF_RETURN_IF_ERROR(tx->Commit());
  return token;
}

namespace {

// The caller behind a credential, from the database, in one read transaction; or the 401 to
// answer. Refreshes the credential's last use at most once a minute.
std::variant<Response, CachedCaller> LookUpCaller(ApiContext& ctx,
                                                  const std::string& credential_hash,
                                                  bool is_session, std::int64_t now) {
  auto unauthenticated = [](std::string_view why) {
    return http::Problem(401, "unauthenticated", "Unauthenticated", why);
  };
  auto tx = ctx.store.Begin(store::TransactionMode::kReadOnly);
  if (!tx.ok()) return Error(tx.status());
  CachedCaller caller;
  std::string user_id;
  std::function<Status(store::Transaction&)> touch;
  if (is_session) {
    auto session = (*tx)->GetSessionByIdHash(credential_hash);
    if (!session.ok() || session->expires_at <= now)
      return unauthenticated("the session has ended; sign in again");
    user_id = session->user_id;
    caller.csrf_token_hash = session->csrf_token_hash;
    caller.session_expires_at = session->expires_at;
    if (now - session->last_seen_at > kTouchIntervalMs) {
      const std::int64_t expires_at = now + ctx.options.session_lifetime_ms;
      caller.session_expires_at = expires_at;
      touch = [id_hash = session->id_hash, now, expires_at](store::Transaction& w) {
        return w.TouchSession(id_hash, now, expires_at);
      };
    }
  } else {
    auto record = (*tx)->GetApiTokenByHash(credential_hash);
    if (!record.ok() || record->revoked_at)
      return unauthenticated("the bearer token is unknown or revoked");
    user_id = record->user_id;
    if (!record->last_used_at || now - *record->last_used_at > kTouchIntervalMs) {
      touch = [id = record->id, now](store::Transaction& w) {
        return w.TouchApiTokenLastUsed(id, now);
      };
    }
  }
  auto user = (*tx)->GetUser(user_id);
  if (!user.ok() || user->disabled) return unauthenticated("the account is disabled");
  tx->reset();
  if (touch) {
    // Best effort: a failed touch must not fail the request it rides on.
    if (auto w = ctx.store.Begin(); w.ok() && touch(**w).ok()) (void)(*w)->Commit();
  }
  caller.actor = service::Actor{user->id, user->organization_id, user->role};
  return caller;
}

}  // namespace

Status RegisterRoutes(http::Router& router, ApiContext& ctx) {
  // --- authentication --------------------------------------------------------------------
  auto auth_cache = std::make_shared<AuthCache>(ctx.options.auth_cache_ttl_ms);
  router.Use([&ctx, auth_cache](Request& request, const http::Next& next) -> Response {
    std::string_view path = request.path;
    if (path.substr(0, 8) != "/api/v1/" ||
        (path == "/api/v1/session" && request.method == "POST") || path == "/api/v1/openapi.json") {
      return next(request);
    }
    const std::int64_t now = ctx.clock.NowMillis();
    std::string credential_hash;
    bool is_session = false;
    std::string_view authorization = request.headers.Get("Authorization");
    if (!authorization.empty()) {
      constexpr std::string_view kBearer = "Bearer ";
      std::string_view token = authorization.substr(0, kBearer.size()) == kBearer
                                   ? authorization.substr(kBearer.size())
                                   : std::string_view();
      if (token.empty() || !access::ParseSecret(token, access::kBearerTokenPrefix).ok()) {
        return http::Problem(401, "unauthenticated", "Unauthenticated",
                             "the bearer token is not one of ours");
      }
      credential_hash = ctx.hasher.Hash(token);
    } else {
      auto cookies = request.Cookies();
      auto session_cookie = cookies.find(kSessionCookie);
      if (session_cookie == cookies.end() ||
          !access::ParseSecret(session_cookie->second, access::kSessionPrefix).ok()) {
        Response r = http::Problem(401, "unauthenticated", "Unauthenticated",
                                   "sign in (POST /api/v1/session) or send a bearer token");
        r.headers.Set("WWW-Authenticate", "Bearer");
        return r;
      }
      credential_hash = ctx.hasher.Hash(session_cookie->second);
      is_session = true;
    }

    std::optional<CachedCaller> caller = auth_cache->Find(credential_hash, now);
    if (!caller) {
      auto looked_up = LookUpCaller(ctx, credential_hash, is_session, now);
      if (auto* problem = std::get_if<Response>(&looked_up)) return std::move(*problem);
      caller = std::move(std::get<CachedCaller>(looked_up));
      auth_cache->Remember(credential_hash, *caller, now);
    } else if (caller->session_expires_at != 0 && caller->session_expires_at <= now) {
      return http::Problem(401, "unauthenticated", "Unauthenticated",
                           "the session has ended; sign in again");
    }
    if (is_session) {
      // Cookies ride along with any request a browser makes; a state change must also carry
      // the CSRF token, which only our page can read.
      bool safe =
          request.method == "GET" || request.method == "HEAD" || request.method == "OPTIONS";
      if (!safe && ctx.hasher.Hash(request.headers.Get(kCsrfHeader)) != caller->csrf_token_hash) {
        return http::Problem(403, "csrf", "Forbidden",
                             "the X-CSRF-Token header is missing or wrong");
      }
    }
    request.log_user = caller->actor.user_id;
    const service::Actor* saved = current_actor;
    current_actor = &caller->actor;
    Response response = next(request);
    current_actor = saved;
    return response;
  });
  auto actor = []() -> const service::Actor& { return *current_actor; };

  // --- session --------------------------------------------------------------------------
  CAPCONF_RETURN_IF_ERROR(
      router.Add("POST", "/api/v1/session", [&ctx](Request& request) -> Response {
        Body body = ReadBody(request, {"email", "password"});
        if (body.error) return *body.error;
        std::string email, password;
        if (auto e = RequireString(body.object, "email", email)) return *e;
        if (auto e = RequireString(body.object, "password", password)) return *e;
        auto tx = ctx.store.Begin();
        if (!tx.ok()) return Error(tx.status());
        auto user = (*tx)->GetUserByEmail(email);
        // The same answer in about the same time whether the email or the password is wrong: an
        // unknown email is checked against a hash made with the same cost as real ones.
        static const std::string kDummyHash =
            access::HashPassword("not-a-real-password", ctx.options.password_hashing).value();
        bool verified =
            access::VerifyPassword(user.ok() ? user->password_hash : kDummyHash, password);
        bool ok = user.ok() && verified && !user->disabled;
        if (!ok)
          return http::Problem(401, "unauthenticated", "Unauthenticated",
                               "the email or the password is wrong");
        const std::int64_t now = ctx.clock.NowMillis();
        std::string session_id = access::MintSecret(access::kSessionPrefix);
        std::string csrf = access::RandomToken(24);
        store::Session session{
            ctx.hasher.Hash(session_id),           user->id, ctx.hasher.Hash(csrf), now,
            now + ctx.options.session_lifetime_ms, now};
        if (Status s = (*tx)->InsertSession(session); !s.ok()) return Error(s);
        (void)(*tx)->DeleteExpiredSessions(now);
        if (Status s = (*tx)->Commit(); !s.ok()) return Error(s);
        Response r =
            http::JsonResponse(200, bj::object{{"user", UserJson(*user)}, {"csrf_token", csrf}});
        auto lifetime = std::chrono::seconds(ctx.options.session_lifetime_ms / 1000);
        (void)r.AddCookie({std::string(kSessionCookie), session_id, "/", lifetime, true,
                           ctx.options.secure_cookies, http::SameSite::kStrict});
        // Readable by the page's script, which echoes it in X-CSRF-Token.
        (void)r.AddCookie({std::string(kCsrfCookie), csrf, "/", lifetime, false,
                           ctx.options.secure_cookies, http::SameSite::kStrict});
        return r;
      }));
  CAPCONF_RETURN_IF_ERROR(
      router.Add("DELETE", "/api/v1/session", [&ctx, auth_cache](Request& request) -> Response {
        auto cookies = request.Cookies();
        if (auto it = cookies.find(kSessionCookie); it != cookies.end()) {
          const std::string id_hash = ctx.hasher.Hash(it->second);
          auth_cache->Forget(id_hash);
          if (auto tx = ctx.store.Begin(); tx.ok()) {
            (void)(*tx)->DeleteSession(id_hash);
            (void)(*tx)->Commit();
          }
        }
        Response r;
        r.status = 204;
        (void)r.AddCookie({std::string(kSessionCookie), "", "/", std::chrono::seconds(0), true,
                           ctx.options.secure_cookies, http::SameSite::kStrict});
        (void)r.AddCookie({std::string(kCsrfCookie), "", "/", std::chrono::seconds(0), false,
                           ctx.options.secure_cookies, http::SameSite::kStrict});
        return r;
      }));
  CAPCONF_RETURN_IF_ERROR(router.Add("GET", "/api/v1/openapi.json", [](Request&) -> Response {
    return http::JsonResponse(200, OpenApiDocument());
  }));
  CAPCONF_RETURN_IF_ERROR(router.Add("GET", "/api/v1/me", [&ctx, actor](Request&) -> Response {
    auto tx = ctx.store.Begin(store::TransactionMode::kReadOnly);
    if (!tx.ok()) return Error(tx.status());
    auto user = (*tx)->GetUser(actor().user_id);
    if (!user.ok()) return Error(user.status());
    auto org = (*tx)->GetOrganization(user->organization_id);
    bj::object out = UserJson(*user);
    if (org.ok())
      out["organization"] = bj::object{
          {"id", org->id}, {"name", org->name}, {"kind", std::string(store::ToString(org->kind))}};
    return http::JsonResponse(200, out);
  }));

  // --- catalog --------------------------------------------------------------------------
  CAPCONF_RETURN_IF_ERROR(router.Add("GET", "/api/v1/capabilities", [&ctx](Request&) -> Response {
    auto snapshot = ctx.service.Catalog();
    bj::array list;
    for (const auto& c : snapshot->catalog->capabilities()) list.push_back(c->ToJson());
    return http::JsonResponse(200, bj::object{{"capabilities", std::move(list)}});
  }));
  CAPCONF_RETURN_IF_ERROR(router.Add("GET", "/api/v1/templates", [&ctx](Request&) -> Response {
    auto snapshot = ctx.service.Catalog();
    bj::array list;
    std::string last;
    const auto& templates = snapshot->catalog->templates();
    for (std::size_t i = 0; i < templates.size(); ++i) {
      // The newest version of each id (versions are sorted ascending within an id).
      if (i + 1 < templates.size() && templates[i + 1]->id() == templates[i]->id()) continue;
      list.push_back(TemplateJson(*snapshot->catalog, *templates[i]));
    }
    return http::JsonResponse(200, bj::object{{"templates", std::move(list)}});
  }));
  CAPCONF_RETURN_IF_ERROR(
      router.Add("GET", "/api/v1/templates/{id}", [&ctx](Request& request) -> Response {
        auto snapshot = ctx.service.Catalog();
        bj::array versions;
        for (const auto& t : snapshot->catalog->templates()) {
          if (t->id() == request.PathParam("id"))
            versions.push_back(TemplateJson(*snapshot->catalog, *t));
        }
        if (versions.empty()) {
          return http::Problem(
              404, "not-found", "Not found",
              "there is no template '" + std::string(request.PathParam("id")) + "'");
        }
        return http::JsonResponse(200, bj::object{{"template_id", request.PathParam("id")},
                                                  {"versions", std::move(versions)}});
      }));
  CAPCONF_RETURN_IF_ERROR(
      router.Add("POST", "/api/v1/templates", [&ctx, actor](Request& request) -> Response {
        Body body = ReadJsonObject(request);
        if (body.error) return *body.error;
        std::vector<catalog::Finding> findings;
        auto t = ctx.service.PublishTemplate(actor(), bj::value(std::move(body.object)), &findings);
        if (!t.ok()) {
          if (!findings.empty()) {
            bj::array errors;
            for (const catalog::Finding& f : findings) {
              errors.push_back(bj::object{
                  {"pointer", f.pointer}, {"keyword", "catalog"}, {"message", f.message}});
            }
            return Unprocessable("the template does not pass the catalog check", std::move(errors));
          }
          if (t.status().code() == StatusCode::kInvalidArgument) {
            // The document itself is wrong (no id or version): a content problem, as above.
            return Unprocessable(
                t.status().message(),
                bj::array{bj::object{
                    {"pointer", ""}, {"keyword", "required"}, {"message", t.status().message()}}});
          }
          return Error(t.status());
        }
        return http::JsonResponse(201, TemplateJson(*ctx.service.Catalog()->catalog, **t));
      }));

  // --- offerings ------------------------------------------------------------------------
  CAPCONF_RETURN_IF_ERROR(
      router.Add("GET", "/api/v1/offerings", [&ctx, actor](Request&) -> Response {
        auto list = ctx.service.ListOfferings(actor());
        if (!list.ok()) return Error(list.status());
        bj::array out;
        for (const store::Offering& o : *list) out.push_back(OfferingJson(o));
        return http::JsonResponse(200, bj::object{{"offerings", std::move(out)}});
      }));
  CAPCONF_RETURN_IF_ERROR(
      router.Add("POST", "/api/v1/offerings", [&ctx, actor](Request& request) -> Response {
        Body body = ReadBody(
            request, {"template_id", "template_version", "name", "description", "credit_costs"},
            {"id", "state", "organization_id", "created_at", "updated_at"});
        if (body.error) return *body.error;
        std::string template_id, name, description;
        if (auto e = RequireString(body.object, "template_id", template_id)) return *e;
        if (auto e = RequireString(body.object, "name", name)) return *e;
        if (auto e = RequireString(body.object, "description", description, false)) return *e;
        std::optional<int> version;
        if (const bj::value* v = body.object.if_contains("template_version")) {
          if (!v->is_int64()) {
            return Unprocessable("a field has the wrong type",
                                 bj::array{bj::object{{"pointer", "/template_version"},
                                                      {"keyword", "type"},
                                                      {"message", "must be integer"}}});
          }
          version = static_cast<int>(v->get_int64());
        }
        bj::object costs;
        if (const bj::value* c = body.object.if_contains("credit_costs")) {
          if (!c->is_object()) {
            return Unprocessable("a field has the wrong type",
                                 bj::array{bj::object{{"pointer", "/credit_costs"},
                                                      {"keyword", "type"},
                                                      {"message", "must be object"}}});
          }
          costs = c->get_object();
        }
        auto offering =
            ctx.service.CreateOffering(actor(), template_id, version, name, description, costs);
        if (!offering.ok()) {
          if (offering.status().code() == StatusCode::kInvalidArgument) {
            return Unprocessable(offering.status().message(), bj::array{});
          }
          return Error(offering.status());
        }
        return http::JsonResponse(201, OfferingJson(*offering));
      }));
  CAPCONF_RETURN_IF_ERROR(
      router.Add("GET", "/api/v1/offerings/{id}", [&ctx, actor](Request& request) -> Response {
        auto o = ctx.service.GetOffering(actor(), request.PathParam("id"));
        return o.ok() ? http::JsonResponse(200, OfferingJson(*o)) : Error(o.status());
      }));
  CAPCONF_RETURN_IF_ERROR(
      router.Add("PATCH", "/api/v1/offerings/{id}", [&ctx, actor](Request& request) -> Response {
        Body body = ReadBody(request, {"state"},
                             {"id", "organization_id", "template_id", "template_version",
                              "created_at", "updated_at"});
        if (body.error) return *body.error;
        std::string state;
        if (auto e = RequireString(body.object, "state", state)) return *e;
        auto parsed = store::ParseOfferingState(state);
        if (!parsed.ok()) {
          return Unprocessable(
              "unknown state",
              bj::array{bj::object{{"pointer", "/state"},
                                   {"keyword", "enum"},
                                   {"message", "must be draft, active or archived"}}});
        }
        auto o = ctx.service.SetOfferingState(actor(), request.PathParam("id"), *parsed);
        return o.ok() ? http::JsonResponse(200, OfferingJson(*o)) : Error(o.status());
      }));
  CAPCONF_RETURN_IF_ERROR(router.Add(
      "GET", "/api/v1/offerings/{id}/subscriptions", [&ctx, actor](Request& request) -> Response {
        auto list = ctx.service.ListOfferingSubscriptions(actor(), request.PathParam("id"));
        if (!list.ok()) return Error(list.status());
        bj::array out;
        for (const service::SubscriptionSummary& s : *list)
          out.push_back(SubscriptionSummaryJson(s));
        return http::JsonResponse(200, bj::object{{"subscriptions", std::move(out)}});
      }));

  // --- subscriptions --------------------------------------------------------------------
  CAPCONF_RETURN_IF_ERROR(
      router.Add("POST", "/api/v1/subscriptions", [&ctx, actor](Request& request) -> Response {
        Body body =
            ReadBody(request, {"offering_id"}, {"id", "state", "organization_id", "created_at"});
        if (body.error) return *body.error;
        std::string offering_id;
        if (auto e = RequireString(body.object, "offering_id", offering_id)) return *e;
        auto s = ctx.service.Subscribe(actor(), offering_id);
        return s.ok() ? http::JsonResponse(201, SubscriptionJson(*s)) : Error(s.status());
      }));
  CAPCONF_RETURN_IF_ERROR(
      router.Add("GET", "/api/v1/subscriptions", [&ctx, actor](Request&) -> Response {
        auto list = ctx.service.ListSubscriptions(actor());
        if (!list.ok()) return Error(list.status());
        bj::array out;
        for (const service::SubscriptionSummary& s : *list)
          out.push_back(SubscriptionSummaryJson(s));
        return http::JsonResponse(200, bj::object{{"subscriptions", std::move(out)}});
      }));
  CAPCONF_RETURN_IF_ERROR(
      router.Add("GET", "/api/v1/subscriptions/{id}", [&ctx, actor](Request& request) -> Response {
        auto s = ctx.service.GetSubscription(actor(), request.PathParam("id"));
        return s.ok() ? http::JsonResponse(200, SubscriptionJson(*s)) : Error(s.status());
      }));
  CAPCONF_RETURN_IF_ERROR(router.Add(
      "POST", "/api/v1/subscriptions/{id}/cancel", [&ctx, actor](Request& request) -> Response {
        auto s = ctx.service.CancelSubscription(actor(), request.PathParam("id"));
        return s.ok() ? http::JsonResponse(200, SubscriptionJson(*s)) : Error(s.status());
      }));

  // --- configuration --------------------------------------------------------------------
  CAPCONF_RETURN_IF_ERROR(router.Add(
      "GET", "/api/v1/subscriptions/{id}/config", [&ctx, actor](Request& request) -> Response {
        auto snapshot = ctx.service.GetConfigSnapshot(actor(), request.PathParam("id"));
        if (!snapshot.ok()) return Error(snapshot.status());
        const std::string etag = ETagOf((*snapshot)->view.revision);
        Response r;
        if (request.headers.Get("If-None-Match") == etag) {
          r.status = 304;
        } else {
          r.status = 200;
          r.content_type = "application/json";
          r.body = (*snapshot)->view_json;
        }
        r.headers.Set("ETag", etag);
        return r;
      }));
  CAPCONF_RETURN_IF_ERROR(router.Add(
      "GET", "/api/v1/subscriptions/{id}/embed", [&ctx, actor](Request& request) -> Response {
        auto view = ctx.service.GetConfig(actor(), request.PathParam("id"));
        if (!view.ok()) return Error(view.status());
        bj::object out{{"subscription_id", view->subscription_id},
                       {"is_configured", view->is_configured}};
        // Off is an answer, not an error: the page asks without knowing the capability ids.
        if (std::find(view->enabled.begin(), view->enabled.end(), "widget") ==
            view->enabled.end()) {
          out["enabled"] = false;
          out["reason"] = "Enable the Embeddable Widget to get its embed code.";
          out["script_url"] = nullptr;
          out["html"] = nullptr;
          return http::JsonResponse(200, out);
        }
        // The script fetches the widget's settings itself, so a saved change needs no new
        // snippet: the snippet names only where the script is and which agent it serves.
        std::string script_url = PublicBase(ctx, request) + "/widget/v1/capconf-widget.js";
        out["enabled"] = true;
        out["reason"] = nullptr;
        out["html"] = "<script src=\"" + EscapeHtmlAttribute(script_url) +
                      "\" data-capconf-agent=\"" + EscapeHtmlAttribute(view->subscription_id) +
                      "\" async></script>";
        out["script_url"] = std::move(script_url);
        return http::JsonResponse(200, out);
      }));
  CAPCONF_RETURN_IF_ERROR(router.Add(
      "GET", "/api/v1/subscriptions/{id}/form", [&ctx, actor](Request& request) -> Response {
        auto form = ctx.service.GetForm(actor(), request.PathParam("id"));
        if (!form.ok()) return Error(form.status());
        // The texts are serialised once per (template, set) and per configuration state:
        // spliced in, not re-written.
        const service::ConfigSnapshot& config = *form->config;
        std::string body;
        body.reserve(form->bundle->schema_text.size() + form->bundle->ui_schema_text.size() +
                     config.config_json.size() + config.enabled_json.size() + 96);
        body.append("{\"schema\":").append(form->bundle->schema_text);
        body.append(",\"ui_schema\":").append(form->bundle->ui_schema_text);
        body.append(",\"form_data\":").append(config.config_json);
        body.append(",\"revision\":").append(std::to_string(config.view.revision));
        body.append(",\"enabled_capabilities\":").append(config.enabled_json).append("}");
        Response r;
        r.status = 200;
        r.content_type = "application/json";
        r.body = std::move(body);
        r.headers.Set("ETag", ETagOf(config.view.revision));
        return r;
      }));
  CAPCONF_RETURN_IF_ERROR(router.Add(
      "PUT", "/api/v1/subscriptions/{id}/config", [&ctx, actor](Request& request) -> Response {
        Body body = ReadBody(
            request, {"config"},
            {"revision", "is_configured", "subscription_id", "template_id", "template_version",
             "enabled_capabilities", "missing", "errors", "secrets", "updated_at", "updated_by"});
        if (body.error) return *body.error;
        bj::value* config = body.object.if_contains("config");
        if (config == nullptr) {
          return Unprocessable(
              "a field is missing",
              bj::array{bj::object{
                  {"pointer", "/config"}, {"keyword", "required"}, {"message", "is required"}}});
        }
        if (!config->is_object()) {
          return Unprocessable(
              "the configuration is a JSON object",
              bj::array{bj::object{
                  {"pointer", "/config"}, {"keyword", "type"}, {"message", "must be object"}}});
        }
        auto expected = IfMatchRevision(request);
        if (std::holds_alternative<Response>(expected)) return std::get<Response>(expected);
        std::int64_t revision = std::get<std::int64_t>(expected);
        auto saved = ctx.service.SaveConfig(
            actor(), request.PathParam("id"),
            revision < 0 ? std::nullopt : std::optional<std::int64_t>(revision),
            std::move(*config));
        if (!saved.ok()) return WriteError(saved.status());
        if (!saved->errors.empty()) {
          // Pointers are into the configuration; in the request body they sit under /config.
          return Unprocessable("the configuration is not valid", ErrorsJson(saved->errors));
        }
        return ConfigResponse(std::move(saved->view));
      }));
  // A save waits for the group commit that gathers it with others (Store::WriteBatched).
  CAPCONF_RETURN_IF_ERROR(router.MarkWaiting("PUT", "/api/v1/subscriptions/{id}/config"));
  CAPCONF_RETURN_IF_ERROR(router.Add(
      "PATCH", "/api/v1/subscriptions/{id}/capabilities",
      [&ctx, actor](Request& request) -> Response {
        Body body = ReadBody(request, {"enable", "disable"});
        if (body.error) return *body.error;
        std::map<std::string, bool, std::less<>> changes;
        for (auto [key, on] : {std::pair{"enable", true}, std::pair{"disable", false}}) {
          const bj::value* list = body.object.if_contains(key);
          if (list == nullptr) continue;
          if (!list->is_array()) {
            return Unprocessable("a field has the wrong type",
                                 bj::array{bj::object{{"pointer", "/" + std::string(key)},
                                                      {"keyword", "type"},
                                                      {"message", "must be array"}}});
          }
          for (const bj::value& id : list->get_array()) {
            if (!id.is_string()) {
              return Unprocessable(
                  "a capability id is a string",
                  bj::array{bj::object{{"pointer", "/" + std::string(key)},
                                       {"keyword", "type"},
                                       {"message", "must be an array of strings"}}});
            }
            if (changes.contains(id.get_string())) {
              return Unprocessable("a capability is both enabled and disabled", bj::array{});
            }
            changes[std::string(id.get_string())] = on;
          }
        }
        std::optional<std::int64_t> expected;
        if (request.headers.Has("If-Match")) {
          auto e = IfMatchRevision(request);
          if (std::holds_alternative<Response>(e)) return std::get<Response>(e);
          if (std::get<std::int64_t>(e) >= 0) expected = std::get<std::int64_t>(e);
        }
        auto result =
            ctx.service.SetCapabilities(actor(), request.PathParam("id"), changes, expected);
        if (!result.ok()) {
          if (result.status().code() == StatusCode::kInvalidArgument) {
            return Unprocessable(result.status().message(), bj::array{});
          }
          return WriteError(result.status());
        }
        if (!result->refused.empty()) {
          bj::array problems;
          std::string detail;
          for (const catalog::SetProblem& p : result->refused) {
            problems.push_back(bj::object{{"capability", p.capability}, {"message", p.message}});
            detail += (detail.empty() ? "" : " ") + p.message;
          }
          return http::Problem(409, "capability-refused", "Capability change refused", detail,
                               bj::object{{"problems", std::move(problems)}});
        }
        return ConfigResponse(result->view);
      }));
  CAPCONF_RETURN_IF_ERROR(router.Add(
      "GET", "/api/v1/subscriptions/{id}/revisions", [&ctx, actor](Request& request) -> Response {
        store::Page page;
        if (auto limit = request.QueryParam("limit")) {
          auto n = ParseRevision(*limit);
          if (!n || *n > 500)
            return http::Problem(400, "bad-query", "Bad request", "limit must be 1 to 500");
          page.limit = static_cast<int>(*n);
        }
        if (auto offset = request.QueryParam("offset")) {
          std::int64_t n = 0;
          auto [end, ec] = std::from_chars(offset->data(), offset->data() + offset->size(), n);
          if (ec != std::errc() || end != offset->data() + offset->size() || n < 0 ||
              n > 1000000000) {
            return http::Problem(400, "bad-query", "Bad request", "offset must be a whole number");
          }
          page.offset = static_cast<int>(n);
        }
        auto list = ctx.service.ListRevisions(actor(), request.PathParam("id"), page);
        if (!list.ok()) return Error(list.status());
        std::set<std::string> authors;
        for (const store::Revision& r : *list) authors.insert(r.created_by);
        auto names = ctx.service.ColleagueNames(actor(), authors);
        if (!names.ok()) return Error(names.status());
        bj::array out;
        for (const store::Revision& r : *list) {
          bj::object item = RevisionJson(r, false);
          auto name = names->find(r.created_by);
          item["created_by_name"] = name != names->end() ? bj::value(name->second) : nullptr;
          out.push_back(std::move(item));
        }
        return http::JsonResponse(200, bj::object{{"revisions", std::move(out)}});
      }));
  CAPCONF_RETURN_IF_ERROR(router.Add(
      "GET", "/api/v1/subscriptions/{id}/revisions/{revision}",
      [&ctx, actor](Request& request) -> Response {
        auto n = ParseRevision(request.PathParam("revision"));
        if (!n) return NoRevision(request.PathParam("revision"));
        auto r = ctx.service.GetRevision(actor(), request.PathParam("id"), *n);
        return r.ok() ? http::JsonResponse(200, RevisionJson(*r, true)) : Error(r.status());
      }));
  CAPCONF_RETURN_IF_ERROR(
      router.Add("GET", "/api/v1/subscriptions/{id}/revisions/{revision}/diff/{other}",
                 [&ctx, actor](Request& request) -> Response {
                   auto a = ParseRevision(request.PathParam("revision"));
                   auto b = ParseRevision(request.PathParam("other"));
                   if (!a) return NoRevision(request.PathParam("revision"));
                   if (!b) return NoRevision(request.PathParam("other"));
                   auto from = ctx.service.GetRevision(actor(), request.PathParam("id"), *a);
                   if (!from.ok()) return Error(from.status());
                   auto to = ctx.service.GetRevision(actor(), request.PathParam("id"), *b);
                   if (!to.ok()) return Error(to.status());
                   bj::array changes;
                   std::string path;
                   Diff(ParseJsonText(from->config), ParseJsonText(to->config), path, changes);
                   bj::value enabled_from = ParseJsonText(from->enabled),
                             enabled_to = ParseJsonText(to->enabled);
                   bj::array enabled, disabled;
                   std::set<std::string> before, after;
                   for (const bj::value& id : enabled_from.as_array())
                     before.insert(std::string(id.as_string()));
                   for (const bj::value& id : enabled_to.as_array())
                     after.insert(std::string(id.as_string()));
                   for (const std::string& id : after)
                     if (!before.contains(id)) enabled.push_back(bj::string(id));
                   for (const std::string& id : before)
                     if (!after.contains(id)) disabled.push_back(bj::string(id));
                   return http::JsonResponse(200, bj::object{{"from", *a},
                                                             {"to", *b},
                                                             {"enabled", std::move(enabled)},
                                                             {"disabled", std::move(disabled)},
                                                             {"changes", std::move(changes)}});
                 }));
  CAPCONF_RETURN_IF_ERROR(router.Add(
      "POST", "/api/v1/subscriptions/{id}/revisions/{revision}/restore",
      [&ctx, actor](Request& request) -> Response {
        auto n = ParseRevision(request.PathParam("revision"));
        if (!n) return NoRevision(request.PathParam("revision"));
        std::optional<std::int64_t> expected;
        if (request.headers.Has("If-Match")) {
          auto e = IfMatchRevision(request);
          if (std::holds_alternative<Response>(e)) return std::get<Response>(e);
          if (std::get<std::int64_t>(e) >= 0) expected = std::get<std::int64_t>(e);
        }
        auto view = ctx.service.RestoreRevision(actor(), request.PathParam("id"), *n, expected);
        return view.ok() ? ConfigResponse(*view) : WriteError(view.status());
      }));
  // --- API keys: the secret is returned once, at creation; only its keyed hash is stored.
  CAPCONF_RETURN_IF_ERROR(router.Add(
      "POST", "/api/v1/subscriptions/{id}/api-keys", [&ctx, actor](Request& request) -> Response {
        Body body = ReadBody(request, {"name", "permissions"},
                             {"id", "prefix", "key", "secret", "created_at", "last_used"});
        if (body.error) return *body.error;
        std::string name;
        if (auto e = RequireString(body.object, "name", name)) return *e;
        std::vector<std::string> permissions;
        const bj::value* list = body.object.if_contains("permissions");
        if (list == nullptr || !list->is_array()) {
          return Unprocessable(
              "permissions are a list",
              bj::array{bj::object{{"pointer", "/permissions"},
                                   {"keyword", "type"},
                                   {"message", "must be an array of chat, upload, config"}}});
        }
        for (const bj::value& p : list->get_array()) {
          if (!p.is_string()) {
            return Unprocessable("permissions are names",
                                 bj::array{bj::object{{"pointer", "/permissions"},
                                                      {"keyword", "type"},
                                                      {"message", "must be an array of strings"}}});
          }
          permissions.emplace_back(p.get_string());
        }
        for (int attempt = 0; attempt < 5; ++attempt) {
          std::string secret = access::MintSecret(access::kApiKeyPrefix);
          auto key = ctx.service.CreateApiKey(actor(), request.PathParam("id"), name, permissions,
                                              ctx.hasher.Hash(secret),
                                              access::SecretPrefixForDisplay(secret));
          if (!key.ok() && key.status().code() == StatusCode::kAlreadyExists)
            continue;  // prefix collision
          if (!key.ok()) {
            if (key.status().code() == StatusCode::kInvalidArgument)
              return Unprocessable(key.status().message(), bj::array{});
            return Error(key.status());
          }
          return http::JsonResponse(201,
                                    bj::object{{"id", key->id},
                                               {"name", key->name},
                                               {"prefix", key->prefix},
                                               {"permissions", ParseJsonText(key->permissions)},
                                               {"created_at", FormatUtcMillis(key->created_at)},
                                               {"secret", secret}});
        }
        return http::Problem(503, "unavailable", "Service unavailable",
                             "could not mint a unique key; try again");
      }));
  CAPCONF_RETURN_IF_ERROR(router.Add(
      "GET", "/api/v1/subscriptions/{id}/api-keys", [&ctx, actor](Request& request) -> Response {
        auto keys = ctx.service.ListApiKeys(actor(), request.PathParam("id"));
        if (!keys.ok()) return Error(keys.status());
        bj::array out;
        for (const store::ApiKey& k : *keys) {
          bj::object item{{"id", k.id},
                          {"name", k.name},
                          {"prefix", k.prefix},
                          {"permissions", ParseJsonText(k.permissions)},
                          {"created_at", FormatUtcMillis(k.created_at)}};
          item["last_used"] =
              k.last_used_at ? bj::value(FormatUtcMillis(*k.last_used_at)) : bj::value(nullptr);
          item["revoked_at"] =
              k.revoked_at ? bj::value(FormatUtcMillis(*k.revoked_at)) : bj::value(nullptr);
          out.push_back(std::move(item));
        }
        return http::JsonResponse(200, bj::object{{"api_keys", std::move(out)}});
      }));
  CAPCONF_RETURN_IF_ERROR(router.Add("DELETE", "/api/v1/subscriptions/{id}/api-keys/{key}",
                                     [&ctx, actor](Request& request) -> Response {
                                       Status revoked = ctx.service.RevokeApiKey(
                                           actor(), request.PathParam("id"),
                                           request.PathParam("key"));
                                       if (!revoked.ok()) return Error(revoked);
                                       Response r;
                                       r.status = 204;
                                       return r;
                                     }));
  // --- sync with the outside systems: status per target, and replay.
  CAPCONF_RETURN_IF_ERROR(router.Add(
      "GET", "/api/v1/subscriptions/{id}/sync", [&ctx, actor](Request& request) -> Response {
        auto jobs = ctx.service.GetSyncStatus(actor(), request.PathParam("id"));
        if (!jobs.ok()) return Error(jobs.status());
        bj::array targets;
        bool in_sync = true;
        for (const store::SyncJob& job : *jobs) {
          in_sync = in_sync && job.state == store::SyncState::kInSync;
          targets.push_back(SyncJobJson(job));
        }
        return http::JsonResponse(200, bj::object{{"subscription_id", request.PathParam("id")},
                                                  {"in_sync", in_sync},
                                                  {"targets", std::move(targets)}});
      }));
  CAPCONF_RETURN_IF_ERROR(router.Add(
      "POST", "/api/v1/subscriptions/{id}/sync/{target}/replay",
      [&ctx, actor](Request& request) -> Response {
        auto job =
            ctx.service.ReplaySync(actor(), request.PathParam("id"), request.PathParam("target"));
        return job.ok() ? http::JsonResponse(202, SyncJobJson(*job)) : Error(job.status());
      }));
  // --- secrets: listed as set, with their last four characters; deleted by pointer.
  CAPCONF_RETURN_IF_ERROR(router.Add(
      "GET", "/api/v1/subscriptions/{id}/secrets", [&ctx, actor](Request& request) -> Response {
        auto secrets = ctx.service.ListSecrets(actor(), request.PathParam("id"));
        if (!secrets.ok()) return Error(secrets.status());
        bj::array out;
        for (const store::Secret& s : *secrets) {
          out.push_back(bj::object{{"pointer", s.pointer},
                                   {"set", true},
                                   {"last4", s.last4},
                                   {"updated_at", FormatUtcMillis(s.updated_at)},
                                   {"updated_by", s.updated_by}});
        }
        return http::JsonResponse(200, bj::object{{"secrets", std::move(out)}});
      }));
  CAPCONF_RETURN_IF_ERROR(router.Add(
      "DELETE", "/api/v1/subscriptions/{id}/secrets", [&ctx, actor](Request& request) -> Response {
        auto pointer = request.QueryParam("pointer");
        if (!pointer || pointer->empty())
          return http::Problem(400, "bad-query", "Bad request",
                               "name the secret: ?pointer=/web_search/api_key");
        Status deleted = ctx.service.DeleteSecret(actor(), request.PathParam("id"), *pointer);
        if (!deleted.ok()) return Error(deleted);
        Response r;
        r.status = 204;
        return r;
      }));
  // --- files: sniffed, content-addressed, visible to their organisation only
  auto storage = std::make_shared<FileStorage>(ctx.options.files_dir);
  // An avatar's URL is absolute: it is stored in configurations and shown on other sites.
  auto file_json = [&ctx](const store::StoredFile& f, const Request& request) {
    bj::object out{{"id", f.id},
                   {"filename", f.filename},
                   {"content_type", f.content_type},
                   {"size", f.size},
                   {"sha256", f.sha256},
                   {"purpose", std::string(store::ToString(f.purpose))},
                   {"created_at", FormatUtcMillis(f.created_at)},
                   {"created_by", f.created_by}};
    if (f.purpose == store::FilePurpose::kAvatar)
      out["public_url"] = PublicBase(ctx, request) + "/public/avatars/" + f.id;
    return out;
  };
  // The file `id` if it belongs to the caller's organisation; NotFound otherwise.
  auto own_file = [&ctx](std::string_view id,
                         const service::Actor& who) -> Result<store::StoredFile> {
    CAPCONF_ASSIGN_OR_RETURN(auto tx, ctx.store.Begin(store::TransactionMode::kReadOnly));
    auto file = tx->GetFile(id);
    if (!file.ok() || file->organization_id != who.organization_id) {
      return NotFoundError("there is no file '" + std::string(id) + "'");
    }
    return *file;
  };
  CAPCONF_RETURN_IF_ERROR(router.Add(
      "POST", "/api/v1/files", [&ctx, actor, storage, file_json](Request& request) -> Response {
        std::string filename(request.QueryParam("filename").value_or(""));
        std::string purpose_text(request.QueryParam("purpose").value_or("document"));
        auto purpose = store::ParseFilePurpose(purpose_text);
        if (filename.empty() || filename.size() > 255 || filename.find('/') != std::string::npos ||
            filename.find('\\') != std::string::npos) {
          return http::Problem(
              400, "bad-query", "Bad request",
              "name the file: ?filename=handbook.pdf (no slashes, at most 255 bytes)");
        }
        if (!purpose.ok())
          return http::Problem(400, "bad-query", "Bad request", "purpose is document or avatar");
        std::size_t limit = *purpose == store::FilePurpose::kAvatar
                                ? ctx.options.max_avatar_bytes
                                : ctx.options.max_document_bytes;
        if (request.body.size() > limit) {
          return http::Problem(413, "too-large", "Content too large",
                               "the file is " + std::to_string(request.body.size()) +
                                   " bytes; the limit is " + std::to_string(limit));
        }
        if (request.body.empty())
          return http::Problem(422, "empty-file", "Unprocessable content", "the file is empty");
        auto type = SniffContentType(request.body, filename);
        bool image = type && type->rfind("image/", 0) == 0;
        if (!type || (*purpose == store::FilePurpose::kAvatar && !image)) {
          return http::Problem(415, "unsupported-media-type", "Unsupported media type",
                               *purpose == store::FilePurpose::kAvatar
                                   ? "an avatar is a PNG, JPEG, GIF or WebP image"
                                   : "documents are PDF, DOCX, XLSX, text, Markdown or CSV; images "
                                     "PNG, JPEG, GIF or WebP");
        }
        store::StoredFile file;
        file.organization_id = actor().organization_id;
        file.sha256 = access::Sha256Hex(request.body);
        file.size = static_cast<std::int64_t>(request.body.size());
        file.content_type = *type;
        file.filename = filename;
        file.purpose = *purpose;
        file.created_at = ctx.clock.NowMillis();
        file.created_by = actor().user_id;
        if (Status s = storage->Put(file.sha256, request.body); !s.ok()) return Error(s);
        auto tx = ctx.store.Begin();
        if (!tx.ok()) return Error(tx.status());
        auto id = (*tx)->InsertFile(file);
        if (!id.ok()) return Error(id.status());
        file.id = *id;
        if (Status s = (*tx)->Commit(); !s.ok()) return Error(s);
        return http::JsonResponse(201, file_json(file, request));
      }));
  CAPCONF_RETURN_IF_ERROR(
      router.Add("GET", "/api/v1/files", [&ctx, actor, file_json](Request& request) -> Response {
        auto tx = ctx.store.Begin(store::TransactionMode::kReadOnly);
        if (!tx.ok()) return Error(tx.status());
        auto files = (*tx)->ListFilesByOrganization(actor().organization_id);
        if (!files.ok()) return Error(files.status());
        bj::array out;
        for (const store::StoredFile& f : *files) out.push_back(file_json(f, request));
        return http::JsonResponse(200, bj::object{{"files", std::move(out)}});
      }));
  CAPCONF_RETURN_IF_ERROR(router.Add(
      "GET", "/api/v1/files/{id}", [actor, own_file, file_json](Request& request) -> Response {
        auto file = own_file(request.PathParam("id"), actor());
        return file.ok() ? http::JsonResponse(200, file_json(*file, request))
                         : Error(file.status());
      }));
  CAPCONF_RETURN_IF_ERROR(router.Add("GET", "/api/v1/files/{id}/content",
                                     [actor, own_file, storage](Request& request) -> Response {
                                       auto file = own_file(request.PathParam("id"), actor());
                                       if (!file.ok()) return Error(file.status());
                                       auto bytes = storage->Get(file->sha256);
                                       if (!bytes.ok()) return Error(bytes.status());
                                       Response r;
                                       r.status = 200;
                                       r.content_type = file->content_type;
                                       r.body = std::move(*bytes);
                                       // Downloaded, never rendered in our origin.
                                       r.headers.Set("Content-Disposition",
                                                     "attachment; filename=\"download\"");
                                       r.headers.Set("Cache-Control", "private, no-store");
                                       return r;
                                     }));
  CAPCONF_RETURN_IF_ERROR(router.Add("DELETE", "/api/v1/files/{id}",
                                     [&ctx, actor, own_file](Request& request) -> Response {
                                       auto file = own_file(request.PathParam("id"), actor());
                                       if (!file.ok()) return Error(file.status());
                                       auto tx = ctx.store.Begin();
                                       if (!tx.ok()) return Error(tx.status());
                                       if (Status s = (*tx)->DeleteFile(file->id); !s.ok())
                                         return Error(s);
                                       if (Status s = (*tx)->Commit(); !s.ok()) return Error(s);
                                       Response r;
                                       r.status = 204;
                                       return r;
                                     }));
  // Avatars are shown by the widget on buyers' sites, so they have a public URL.
  CAPCONF_RETURN_IF_ERROR(
      router.Add("GET", "/public/avatars/{id}", [&ctx, storage](Request& request) -> Response {
        auto tx = ctx.store.Begin(store::TransactionMode::kReadOnly);
        if (!tx.ok()) return Error(tx.status());
        auto file = (*tx)->GetFile(request.PathParam("id"));
        if (!file.ok() || file->purpose != store::FilePurpose::kAvatar) {
          return http::Problem(404, "not-found", "Not found",
                               "there is no avatar '" + std::string(request.PathParam("id")) + "'");
        }
        auto bytes = storage->Get(file->sha256);
        if (!bytes.ok()) return Error(bytes.status());
        Response r;
        r.status = 200;
        r.content_type = file->content_type;
        r.body = std::move(*bytes);
        r.headers.Set("Cache-Control", "public, max-age=86400");
        return r;
      }));

  CAPCONF_RETURN_IF_ERROR(router.Add(
      "GET", "/api/v1/subscriptions/{id}/credit-cost", [&ctx, actor](Request& request) -> Response {
        auto action = request.QueryParam("action");
        if (!action || action->empty())
          return http::Problem(400, "bad-query", "Bad request",
                               "name the action: ?action=chat_message");
        auto cost = ctx.service.CreditCost(actor(), request.PathParam("id"), *action);
        if (!cost.ok()) return Error(cost.status());
        return http::JsonResponse(200, bj::object{{"action", *action}, {"credits", *cost}});
      }));
  return Status::Ok();
}

}  // namespace capconf::api
