#include "capconf/http/message.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "capconf/common/utf8.h"
#include "capconf/json/serialize.h"

namespace capconf::http {
namespace {

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// RFC 7230 tchar.
bool IsTokenChar(unsigned char c) {
  if (std::isalnum(c)) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

// RFC 6265 cookie-octet: visible ASCII but DQUOTE, comma, semicolon and backslash.
bool IsCookieOctet(unsigned char c) {
  return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
         (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

// ---- Headers ----

const std::string* Headers::Find(std::string_view name) const {
  for (const Field& f : fields_) {
    if (EqualsIgnoreCase(f.first, name)) return &f.second;
  }
  return nullptr;
}

std::string_view Headers::Get(std::string_view name) const {
  const std::string* value = Find(name);
  return value ? std::string_view(*value) : std::string_view();
}

std::vector<std::string_view> Headers::GetAll(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const Field& f : fields_) {
    if (EqualsIgnoreCase(f.first, name)) out.emplace_back(f.second);
  }
  return out;
}

void Headers::Set(std::string_view name, std::string_view value) {
  Remove(name);
  Add(name, value);
}

void Headers::Add(std::string_view name, std::string_view value) {
  fields_.emplace_back(std::string(name), std::string(value));
}

void Headers::Remove(std::string_view name) {
  std::erase_if(fields_, [&](const Field& f) { return EqualsIgnoreCase(f.first, name); });
}

// ---- Decoding ----

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (text.size() - i < 3) return std::nullopt;
      const int hi = HexValue(text[i + 1]);
      const int lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  if (out.find('\0') != std::string::npos || !IsValidUtf8(out)) return std::nullopt;
  return out;
}

std::map<std::string, std::string, std::less<>> ParseCookies(std::string_view cookie_header) {
  std::map<std::string, std::string, std::less<>> cookies;
  while (!cookie_header.empty()) {
    const std::size_t semi = cookie_header.find(';');
    std::string_view piece = cookie_header.substr(0, semi);
    cookie_header.remove_prefix(semi == std::string_view::npos ? cookie_header.size() : semi + 1);
    const std::size_t eq = piece.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view name = TrimSpaces(piece.substr(0, eq));
    std::string_view value = TrimSpaces(piece.substr(eq + 1));
    if (name.empty()) continue;
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    cookies.emplace(std::string(name), std::string(value));  // emplace keeps the first
  }
  return cookies;
}

// ---- Request ----

std::optional<std::string_view> Request::QueryParam(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

std::string_view Request::PathParam(std::string_view name) const {
  const auto it = path_params.find(name);
  return it == path_params.end() ? std::string_view() : std::string_view(it->second);
}

std::map<std::string, std::string, std::less<>> Request::Cookies() const {
  std::map<std::string, std::string, std::less<>> all;
  for (std::string_view header : headers.GetAll("Cookie")) {
    for (auto& [name, value] : ParseCookies(header)) all.emplace(name, std::move(value));
  }
  return all;
}

// ---- Cookies ----

Result<std::string> FormatSetCookie(const SetCookie& cookie) {
  if (cookie.name.empty() || !std::all_of(cookie.name.begin(), cookie.name.end(), [](char c) {
        return IsTokenChar(static_cast<unsigned char>(c));
      })) {
    return InvalidArgumentError("cookie name is not a token");
  }
  if (!std::all_of(cookie.value.begin(), cookie.value.end(),
                   [](char c) { return IsCookieOctet(static_cast<unsigned char>(c)); })) {
    return InvalidArgumentError("cookie value has characters outside cookie-octets");
  }
  for (char c : cookie.path) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F || c == ';') {
      return InvalidArgumentError("cookie path has a control character or ';'");
    }
  }
  std::string out = cookie.name + "=" + cookie.value;
  if (!cookie.path.empty()) out += "; Path=" + cookie.path;
  if (cookie.max_age) {
    out += "; Max-Age=" + std::to_string(std::max<std::int64_t>(0, cookie.max_age->count()));
  }
  if (cookie.http_only) out += "; HttpOnly";
  if (cookie.secure) out += "; Secure";
  out += cookie.same_site == SameSite::kStrict ? "; SameSite=Strict" : "; SameSite=Lax";
  return out;
}

Status Response::AddCookie(const SetCookie& cookie) {
  Result<std::string> header = FormatSetCookie(cookie);
  if (!header.ok()) return header.status();
  headers.Add("Set-Cookie", *header);
  return Status::Ok();
}

// ---- Response builders ----

Response JsonResponse(int status, const boost::json::value& value) {
  Response response;
  response.status = status;
  response.content_type = "application/json";
  response.body = json::Serialize(value);
  return response;
}

Response TextResponse(int status, std::string body, std::string content_type) {
  Response response;
  response.status = status;
  if (!body.empty()) response.content_type = std::move(content_type);
  response.body = std::move(body);
  return response;
}

Response Problem(int status, std::string_view type_suffix, std::string_view title,
                 std::string_view detail, boost::json::object extra) {
  boost::json::object problem;
  problem["type"] = std::string(kProblemTypeBase) + std::string(type_suffix);
  problem["title"] = title;
  problem["status"] = status;
  problem["detail"] = detail;
  for (auto& member : extra) {
    const std::string_view key = member.key();
    if (key == "type" || key == "title" || key == "status" || key == "detail" ||
        key == "instance" || key == "request_id") {
      continue;
    }
    problem[key] = std::move(member.value());
  }
  Response response;
  response.status = status;
  response.content_type = "application/problem+json";
  response.problem = std::move(problem);
  return response;
}

void CompleteProblem(Response& response, const Request& request) {
  if (!response.problem) return;
  boost::json::object& problem = *response.problem;
  if (!problem.contains("instance")) problem["instance"] = request.path;
  if (!problem.contains("request_id") && !request.request_id.empty()) {
    problem["request_id"] = request.request_id;
  }
  response.body = json::Serialize(problem);
  response.problem.reset();
}

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAborted:
      return 409;
    case StatusCode::kResourceExhausted:
      return 413;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kDeadlineExceeded:
      return 504;
    case StatusCode::kOk:
    case StatusCode::kDataLoss:
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

Response ProblemFromStatus(const Status& status) {
  const int http_status = HttpStatusFor(status.code());
  std::string suffix(StatusCodeName(status.code()));
  for (char& c : suffix) c = c == '_' ? '-' : LowerAscii(c);
  std::string title = suffix;
  title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(title[0])));
  std::replace(title.begin(), title.end(), '-', ' ');
  // Unavailable and DeadlineExceeded say what happened; other 5xx are bugs or lost data,
  // which clients cannot act on.
  const bool hide = http_status >= 500;
  if (hide && http_status == 500) {
    suffix = "internal";
    title = "Internal error";
  }
  const std::string detail =
      hide ? "The server could not complete the request; the request id identifies it in the logs."
           : status.message();
  return Problem(http_status, suffix, title, detail);
}

}  // namespace capconf::http
