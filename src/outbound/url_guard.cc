#include "capconf/outbound/url_guard.h"

#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>

#include "capconf/outbound/curl_url.h"

namespace capconf::outbound {
namespace {

struct CurlEasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using CurlEasyPtr = std::unique_ptr<CURL, CurlEasyDeleter>;

struct CurlSlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlSlistPtr = std::unique_ptr<curl_slist, CurlSlistDeleter>;

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string ToLower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), AsciiLower);
  return out;
}

bool IsSchemeChar(char c, bool first) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (first) return alpha;
  return alpha || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

// The scheme of an absolute URL ("http" for "HTTP://x"), or nullopt for a relative reference.
std::optional<std::string> SchemeOf(std::string_view url) {
  const std::size_t colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  for (std::size_t i = 0; i < colon; ++i) {
    if (!IsSchemeChar(url[i], i == 0)) return std::nullopt;
  }
  return ToLower(url.substr(0, colon));
}

// Up to the query or fragment: what messages and logs may show of a URL.
std::string WithoutQuery(std::string_view url) {
  return std::string(url.substr(0, std::min(url.find('?'), url.find('#'))));
}

// Resolvers (glibc's inet_aton, and libcurl's URL parser) read a host whose last label is a
// number as an IPv4 address in one of the legacy forms: "2130706433", "0x7f.1", "0177.0.0.1",
// "127.1". The WHATWG URL standard uses the same test ("ends in a number").
bool EndsInNumber(std::string_view host) {
  const std::size_t dot = host.rfind('.');
  std::string_view last = dot == std::string_view::npos ? host : host.substr(dot + 1);
  if (last.empty()) return false;
  if (last.starts_with("0x")) {
    return std::all_of(last.begin() + 2, last.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  }
  return std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsHostNameByte(char c) {
  // Bytes >= 0x80 are UTF-8 of an internationalised name, which libcurl converts with libidn2.
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

}  // namespace

std::string CheckedUrl::ForDisplay() const { return WithoutQuery(url); }

Result<CheckedUrl> CheckUrl(std::string_view url, const AddressPolicy& policy) {
  if (url.size() > kMaxUrlBytes) {
    return InvalidArgumentError("URL longer than " + std::to_string(kMaxUrlBytes) + " bytes");
  }
  for (char c : url) {
    const unsigned char byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f || c == '\\') {
      return InvalidArgumentError("URL contains a space, control character or backslash");
    }
  }
  std::optional<std::string> scheme = SchemeOf(url);
  if (!scheme) return InvalidArgumentError("not an absolute URL: " + WithoutQuery(url));
  if (*scheme != "http" && *scheme != "https") {
    return InvalidArgumentError("refused: scheme " + *scheme +
                                " is not allowed (http and https only)");
  }
  // Our own reading of the authority, to compare with libcurl's: libcurl normalises numeric
  // hosts ("0x7f.1" becomes "127.0.0.1"), which would hide what the URL actually spelled.
  std::string_view rest = url.substr(scheme->size() + 1);
  if (!rest.starts_with("//")) {
    return InvalidArgumentError("malformed URL: expected " + *scheme + "://host");
  }
  rest.remove_prefix(2);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) {
    return InvalidArgumentError("refused: URLs with user:password@ are not allowed");
  }
  std::string_view raw_host = authority;
  const bool bracketed = authority.starts_with('[');
  if (bracketed) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return InvalidArgumentError("malformed URL: unclosed [");
    raw_host = authority.substr(1, close - 1);
  } else if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    raw_host = authority.substr(0, colon);
  }
  if (raw_host.empty()) return InvalidArgumentError("malformed URL: no host");

  CurlUrlPtr handle(curl_url());
  if (!handle) return InternalError("curl_url failed");
  const std::string text(url);
  if (CURLUcode rc = curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), 0); rc != CURLUE_OK) {
    return InvalidArgumentError(std::string("malformed URL: ") + curl_url_strerror(rc));
  }
  if (GetUrlPart(handle.get(), CURLUPART_USER) || GetUrlPart(handle.get(), CURLUPART_PASSWORD)) {
    return InvalidArgumentError("refused: URLs with user:password@ are not allowed");
  }
  if (GetUrlPart(handle.get(), CURLUPART_ZONEID) || raw_host.find('%') != std::string_view::npos) {
    return InvalidArgumentError(bracketed ? "refused: IPv6 zone ids are not allowed"
                                          : "refused: percent-encoded host names are not allowed");
  }
  std::optional<std::string> curl_host = GetUrlPart(handle.get(), CURLUPART_HOST);
  std::optional<std::string> port_text =
      GetUrlPart(handle.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  std::optional<std::string> normalised = GetUrlPart(handle.get(), CURLUPART_URL);
  if (!curl_host || !port_text || !normalised) return InvalidArgumentError("malformed URL");

  CheckedUrl checked;
  checked.url = std::move(*normalised);
  checked.scheme = *scheme;
  checked.port = std::stoi(*port_text);  // libcurl has checked it is 0..65535

  if (bracketed) {
    std::optional<IpAddress> address = IpAddress::Parse(raw_host);
    if (!address || address->family() != IpAddress::Family::kV6) {
      return InvalidArgumentError("malformed URL: bad IPv6 address");
    }
    CAPCONF_RETURN_IF_ERROR(CheckAddress(*address, policy));
    checked.host = address->ToString();
    return checked;
  }

  std::string host = ToLower(raw_host);
  std::string curl_host_lower = ToLower(*curl_host);
  // One trailing dot (a fully qualified name) is fine; it names the same host.
  if (host.ends_with('.')) host.pop_back();
  if (curl_host_lower.ends_with('.')) curl_host_lower.pop_back();
  if (!std::all_of(host.begin(), host.end(), IsHostNameByte) || host.empty()) {
    return InvalidArgumentError("malformed URL: bad host name");
  }
  std::optional<IpAddress> address = IpAddress::Parse(host);
  if (EndsInNumber(host) && (!address || address->family() != IpAddress::Family::kV4)) {
    return InvalidArgumentError("refused: " + host +
                                " is not a canonical IPv4 address (write it as a.b.c.d)");
  }
  if (curl_host_lower != host) {
    // Two parsers disagreeing about the host is exactly how guards get bypassed.
    return InvalidArgumentError("malformed URL: ambiguous host " + host);
  }
  if (address) {
    CAPCONF_RETURN_IF_ERROR(CheckAddress(*address, policy));
  } else if (!policy.operator_endpoint) {
    CAPCONF_RETURN_IF_ERROR(CheckHostName(host));
  }
  checked.host = std::move(host);
  return checked;
}

namespace {

std::once_flag curl_init_once;

// Everything one hop's callbacks write to; lives on the stack of PerformHop.
struct HopState {
  const GuardOptions* options = nullptr;
  std::string refusal;  // the first address refused at connect time
  HeaderList headers;
  std::size_t header_bytes = 0;
  bool headers_too_big = false;
  std::string body;
  bool body_too_big = false;
};

// libcurl calls this instead of socket(2) for every address it tries, after DNS: the only place
// that sees the address that will actually be connected to.
curl_socket_t OpenSocket(void* clientp, curlsocktype purpose, curl_sockaddr* address) {
  auto* state = static_cast<HopState*>(clientp);
  if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
  std::optional<IpAddress> ip = IpAddress::FromSockaddr(&address->addr, address->addrlen);
  if (!ip) {
    if (state->refusal.empty()) state->refusal = "refused: not an IP address";
    return CURL_SOCKET_BAD;
  }
  if (Status status = CheckAddress(*ip, state->options->address_policy); !status.ok()) {
    // With several addresses (IPv6 and IPv4) libcurl tries the next; the first reason is kept
    // for the error if none connects.
    if (state->refusal.empty()) state->refusal = status.message();
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                           text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

std::size_t OnHeader(char* buffer, std::size_t size, std::size_t count, void* userdata) {
  auto* state = static_cast<HopState*>(userdata);
  const std::size_t bytes = size * count;
  const std::string_view line(buffer, bytes);
  if (line.starts_with("HTTP/")) {
    // A new response (after a 1xx, say): only the last one's headers are reported.
    state->headers.clear();
    state->header_bytes = 0;
  }
  state->header_bytes += bytes;
  if (state->header_bytes > state->options->max_header_bytes) {
    state->headers_too_big = true;
    return 0;  // any other count than `bytes` makes libcurl abort the transfer
  }
  if (line.starts_with("HTTP/") || Trim(line).empty()) return bytes;
  if (line.front() == ' ' || line.front() == '\t') {
    // An obsolete folded continuation line belongs to the previous header.
    if (!state->headers.empty()) {
      state->headers.back().second += ' ';
      state->headers.back().second += Trim(line);
    }
    return bytes;
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return bytes;
  state->headers.emplace_back(ToLower(Trim(line.substr(0, colon))),
                              std::string(Trim(line.substr(colon + 1))));
  return bytes;
}

std::size_t OnBody(char* buffer, std::size_t size, std::size_t count, void* userdata) {
  auto* state = static_cast<HopState*>(userdata);
  const std::size_t bytes = size * count;
  if (state->body.size() + bytes > state->options->max_response_bytes) {
    state->body_too_big = true;
    return 0;
  }
  state->body.append(buffer, bytes);
  return bytes;
}

bool IsToken(std::string_view name) {
  static constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           kSpecials.find(c) != std::string_view::npos;
  });
}

Status CheckRequestHeaders(const HeaderList& headers) {
  for (const auto& [name, value] : headers) {
    if (!IsToken(name)) return InvalidArgumentError("bad request header name");
    const std::string lower = ToLower(name);
    if (lower == "host" || lower == "content-length" || lower == "transfer-encoding" ||
        lower == "connection" || lower == "expect") {
      return InvalidArgumentError("request header " + name + " is set by the client");
    }
    // CR or LF would let a value start a header (or a request) of its own.
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return InvalidArgumentError("request header " + name + " has a line break or NUL");
    }
  }
  return Status::Ok();
}

using SteadyClock = std::chrono::steady_clock;

long long Millis(std::chrono::milliseconds duration) {
  return static_cast<long long>(duration.count());
}

// One request to one URL, no redirects followed.
Result<Response> PerformHop(const GuardOptions& options, const CheckedUrl& url, Method method,
                            const HeaderList& headers, const std::string& body,
                            SteadyClock::time_point deadline) {
  const auto remaining =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  if (remaining.count() <= 0) {
    return Status(StatusCode::kDeadlineExceeded,
                  "timed out after " + std::to_string(Millis(options.total_timeout)) + " ms");
  }
  // Everything the handle points to is declared before it, so it outlives curl_easy_cleanup.
  HopState state;
  state.options = &options;
  char error[CURL_ERROR_SIZE] = {};

  CurlSlistPtr header_list;
  auto append = [&header_list](const std::string& line) {
    curl_slist* grown = curl_slist_append(header_list.get(), line.c_str());
    if (grown == nullptr) return false;
    static_cast<void>(header_list.release());
    header_list.reset(grown);
    return true;
  };
  for (const auto& [name, value] : headers) {
    // "Name;" is libcurl's spelling of a header with an empty value ("Name:" would remove it).
    if (!append(value.empty() ? name + ";" : name + ": " + value)) {
      return InternalError("out of memory");
    }
  }
  // No "Expect: 100-continue" wait before a body.
  if (!append("Expect:")) return InternalError("out of memory");
  const bool sends_body = method == Method::kPost || method == Method::kPut ||
                          method == Method::kPatch || (method == Method::kDelete && !body.empty());
  const bool has_content_type = std::any_of(headers.begin(), headers.end(), [](const auto& h) {
    return ToLower(h.first) == "content-type";
  });
  // libcurl would label a body it was not told about as a form; better no label than a wrong one.
  if (sends_body && !has_content_type && !append("Content-Type:")) {
    return InternalError("out of memory");
  }
  CurlSlistPtr resolve_list;
  for (const std::string& entry : options.test_resolve) {
    curl_slist* grown = curl_slist_append(resolve_list.get(), entry.c_str());
    if (grown == nullptr) return InternalError("out of memory");
    static_cast<void>(resolve_list.release());
    resolve_list.reset(grown);
  }

  CurlEasyPtr easy(curl_easy_init());
  if (!easy) return InternalError("curl_easy_init failed");
  CURL* curl = easy.get();

  const long connect_ms = static_cast<long>(std::min(options.connect_timeout, remaining).count());
  const long total_ms = static_cast<long>(remaining.count());
  bool set_ok = true;
  auto set = [&set_ok](CURLcode rc) { set_ok = set_ok && rc == CURLE_OK; };
  set(curl_easy_setopt(curl, CURLOPT_URL, url.url.c_str()));
  set(curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https"));
  set(curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"));
  set(curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L));
  set(curl_easy_setopt(curl, CURLOPT_PROXY, ""));     // "" overrides http_proxy and friends
  set(curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L));  // timeouts without SIGALRM, thread-safe
  set(curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, OpenSocket));
  set(curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &state));
  set(curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader));
  set(curl_easy_setopt(curl, CURLOPT_HEADERDATA, &state));
  set(curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody));
  set(curl_easy_setopt(curl, CURLOPT_WRITEDATA, &state));
  set(curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, connect_ms));
  set(curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, total_ms));
  // Refuses early when Content-Length already says too much; OnBody counts the rest.
  set(curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
                       static_cast<curl_off_t>(options.max_response_bytes)));
  set(curl_easy_setopt(curl, CURLOPT_USERAGENT, options.user_agent.c_str()));
  set(curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error));
  set(curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list.get()));
  if (resolve_list) set(curl_easy_setopt(curl, CURLOPT_RESOLVE, resolve_list.get()));
  switch (method) {
    case Method::kGet:
      set(curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L));
      break;
    case Method::kPost:
      set(curl_easy_setopt(curl, CURLOPT_POST, 1L));
      break;
    case Method::kPut:
    case Method::kPatch:
    case Method::kDelete:
      set(curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, MethodName(method).data()));
      break;
  }
  if (sends_body) {
    // `body` outlives the transfer, so libcurl may read it in place.
    set(curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size())));
    set(curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data()));
  }
  if (!set_ok) return InternalError("libcurl refused an option (is libcurl older than 7.85?)");

  const CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) {
    const std::string detail = error[0] != '\0' ? error : curl_easy_strerror(rc);
    const std::string where = url.host + ":" + std::to_string(url.port);
    if (!state.refusal.empty() && rc == CURLE_COULDNT_CONNECT) {
      return Status(StatusCode::kPermissionDenied, state.refusal);
    }
    if (state.body_too_big || rc == CURLE_FILESIZE_EXCEEDED) {
      return ResourceExhaustedError("response larger than " +
                                    std::to_string(options.max_response_bytes) + " bytes");
    }
    if (state.headers_too_big) {
      return ResourceExhaustedError("response headers larger than " +
                                    std::to_string(options.max_header_bytes) + " bytes");
    }
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      curl_off_t connected_us = 0;
      curl_easy_getinfo(curl, CURLINFO_CONNECT_TIME_T, &connected_us);
      if (connected_us == 0 && connect_ms < total_ms) {
        return Status(StatusCode::kDeadlineExceeded, "connect to " + where + " timed out after " +
                                                         std::to_string(connect_ms) + " ms");
      }
      return Status(StatusCode::kDeadlineExceeded,
                    "timed out after " + std::to_string(Millis(options.total_timeout)) + " ms");
    }
    if (rc == CURLE_COULDNT_RESOLVE_HOST) {
      return UnavailableError("could not resolve host " + url.host);
    }
    if (rc == CURLE_COULDNT_CONNECT) {
      return UnavailableError("could not connect to " + where + ": " + detail);
    }
    return UnavailableError(url.ForDisplay() + ": " + detail);
  }

  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  Response response;
  response.status = static_cast<int>(status);
  response.headers = std::move(state.headers);
  response.body = std::move(state.body);
  return response;
}

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// The absolute URL a Location names, relative to `base`. Absolute and scheme-relative locations
// are returned as written, so CheckUrl sees the host as the server spelled it.
Result<std::string> ResolveLocation(const CheckedUrl& base, std::string_view location) {
  location = Trim(location);
  if (location.starts_with("//")) return base.scheme + ":" + std::string(location);
  if (SchemeOf(location)) return std::string(location);
  for (char c : location) {
    const unsigned char byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f || c == '\\') {
      return InvalidArgumentError("control character or backslash");
    }
  }
  CurlUrlPtr handle(curl_url());
  if (!handle) return InternalError("curl_url failed");
  const std::string relative(location);
  if (curl_url_set(handle.get(), CURLUPART_URL, base.url.c_str(), 0) != CURLUE_OK ||
      curl_url_set(handle.get(), CURLUPART_URL, relative.c_str(), 0) != CURLUE_OK) {
    return InvalidArgumentError("malformed Location");
  }
  std::optional<std::string> resolved = GetUrlPart(handle.get(), CURLUPART_URL);
  if (!resolved) return InvalidArgumentError("malformed Location");
  return std::move(*resolved);
}

// "refused: redirect to http://10.0.0.1/: 10.0.0.1 is a private address". The target is the
// server's text: control bytes are masked and length capped, so it cannot forge log lines.
Status RefuseRedirect(std::string_view target, const Status& why) {
  constexpr std::size_t kMaxShown = 200;
  std::string shown = WithoutQuery(target.substr(0, kMaxShown));
  for (char& c : shown) {
    const unsigned char byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) c = '?';
  }
  if (target.size() > kMaxShown) shown += "...";
  std::string_view reason = why.message();
  if (reason.starts_with("refused: ")) reason.remove_prefix(9);
  return Status(StatusCode::kPermissionDenied,
                "refused: redirect to " + shown + ": " + std::string(reason));
}

bool SameOrigin(const CheckedUrl& a, const CheckedUrl& b) {
  return a.scheme == b.scheme && a.host == b.host && a.port == b.port;
}

}  // namespace

GuardedClient::GuardedClient(GuardOptions options) : options_(std::move(options)) {
  std::call_once(curl_init_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Result<Response> GuardedClient::Send(const Request& request) const {
  const SteadyClock::time_point deadline = SteadyClock::now() + options_.total_timeout;
  CAPCONF_RETURN_IF_ERROR(CheckRequestHeaders(request.headers));
  CAPCONF_ASSIGN_OR_RETURN(CheckedUrl url, CheckUrl(request.url, options_.address_policy));
  Method method = request.method;
  HeaderList headers = request.headers;
  std::string body = request.body;
  for (int redirects = 0;; ++redirects) {
    Result<Response> hop = PerformHop(options_, url, method, headers, body, deadline);
    if (!hop.ok()) {
      if (redirects > 0 && hop.status().code() == StatusCode::kPermissionDenied) {
        return RefuseRedirect(url.url, hop.status());
      }
      return hop.status();
    }
    Response response = std::move(hop).value();
    const std::optional<std::string> location = response.Location();
    if (!IsRedirect(response.status) || !location || options_.max_redirects <= 0) {
      response.final_url = url.url;
      response.redirects = redirects;
      return response;
    }
    if (redirects >= options_.max_redirects) {
      return ResourceExhaustedError("more than " + std::to_string(options_.max_redirects) +
                                    " redirects (the last to " + WithoutQuery(*location) + ")");
    }
    Result<std::string> target = ResolveLocation(url, *location);
    if (!target.ok()) return RefuseRedirect(*location, target.status());
    Result<CheckedUrl> next = CheckUrl(*target, options_.address_policy);
    if (!next.ok()) return RefuseRedirect(*target, next.status());

    // What browsers do: 303 always, and 301/302 after a POST, continue with a GET; 301/302
    // after PUT, PATCH or DELETE, and 307/308 after anything, repeat the method and body.
    if (response.status == 303 ||
        (method == Method::kPost && (response.status == 301 || response.status == 302))) {
      method = Method::kGet;
      body.clear();
      std::erase_if(headers, [](const auto& h) { return ToLower(h.first) == "content-type"; });
    }
    if (!SameOrigin(url, *next)) {
      std::erase_if(headers, [](const auto& h) {
        const std::string name = ToLower(h.first);
        return name != "accept" && name != "accept-language" && name != "user-agent" &&
               name != "content-type";
      });
    }
    url = std::move(next).value();
  }
}

}  // namespace capconf::outbound
