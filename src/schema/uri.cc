#include "uri.h"

#include <algorithm>
#include <cctype>

namespace capconf::schema::internal {
namespace {

std::string RemoveDotSegments(std::string_view path) {
  std::string out;
  std::string_view in = path;
  while (!in.empty()) {
    if (in.starts_with("../")) {
      in.remove_prefix(3);
    } else if (in.starts_with("./")) {
      in.remove_prefix(2);
    } else if (in.starts_with("/./")) {
      in.remove_prefix(2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.starts_with("/../") || in == "/..") {
      in = in.size() == 3 ? std::string_view("/") : in.substr(3);
      auto slash = out.rfind('/');
      out.erase(slash == std::string::npos ? 0 : slash);
    } else if (in == "." || in == "..") {
      in = {};
    } else {
      std::size_t start = in[0] == '/' ? 1 : 0;
      std::size_t next = in.find('/', start);
      std::string_view segment = in.substr(0, next);
      out.append(segment);
      in.remove_prefix(segment.size());
    }
  }
  return out;
}

std::string Lowercase(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Lowercases the host of an authority (userinfo@host:port), leaving userinfo alone.
std::string NormaliseAuthority(std::string_view authority) {
  std::size_t at = authority.rfind('@');
  std::size_t host_start = at == std::string_view::npos ? 0 : at + 1;
  std::string out(authority.substr(0, host_start));
  out += Lowercase(authority.substr(host_start));
  return out;
}

std::string Compose(std::string_view scheme, bool has_authority, std::string_view authority,
                    std::string_view path, bool has_query, std::string_view query,
                    std::string_view fragment) {
  std::string out;
  out.reserve(scheme.size() + authority.size() + path.size() + query.size() + fragment.size() + 8);
  if (!scheme.empty()) {
    out += Lowercase(scheme);
    out += ':';
  }
  if (has_authority) {
    out += "//";
    out += NormaliseAuthority(authority);
  }
  out += path;
  if (has_query) {
    out += '?';
    out += query;
  }
  if (!fragment.empty()) {
    out += '#';
    out += fragment;
  }
  return out;
}

}  // namespace

UriParts SplitUri(std::string_view uri) {
  UriParts parts;
  std::string_view rest = uri;
  if (auto hash = rest.find('#'); hash != std::string_view::npos) {
    parts.has_fragment = true;
    parts.fragment = rest.substr(hash + 1);
    rest = rest.substr(0, hash);
  }
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    parts.has_query = true;
    parts.query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  // A scheme is letters, digits, + - . before the first ':' and starts with a letter.
  std::size_t colon = rest.find(':');
  if (colon != std::string_view::npos && colon > 0 &&
      std::isalpha(static_cast<unsigned char>(rest[0]))) {
    bool scheme_ok = std::all_of(rest.begin(), rest.begin() + colon, [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
    });
    std::size_t slash = rest.find('/');
    if (scheme_ok && (slash == std::string_view::npos || colon < slash)) {
      parts.has_scheme = true;
      parts.scheme = rest.substr(0, colon);
      rest = rest.substr(colon + 1);
    }
  }
  if (rest.starts_with("//")) {
    parts.has_authority = true;
    rest.remove_prefix(2);
    std::size_t end = rest.find('/');
    parts.authority = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  }
  parts.path = rest;
  return parts;
}

std::string ResolveUri(std::string_view base, std::string_view reference) {
  UriParts r = SplitUri(reference);
  if (r.has_scheme) {
    return Compose(r.scheme, r.has_authority, r.authority, RemoveDotSegments(r.path), r.has_query,
                   r.query, r.fragment);
  }
  UriParts b = SplitUri(base);
  if (r.has_authority) {
    return Compose(b.scheme, true, r.authority, RemoveDotSegments(r.path), r.has_query, r.query,
                   r.fragment);
  }
  if (r.path.empty()) {
    bool has_query = r.has_query || b.has_query;
    std::string_view query = r.has_query ? r.query : b.query;
    return Compose(b.scheme, b.has_authority, b.authority, b.path, has_query, query, r.fragment);
  }
  std::string path;
  if (r.path.front() == '/') {
    path = RemoveDotSegments(r.path);
  } else {
    std::string merged;
    if (b.has_authority && b.path.empty()) {
      merged = "/";
      merged += r.path;
    } else {
      auto slash = b.path.rfind('/');
      if (slash != std::string_view::npos) merged = std::string(b.path.substr(0, slash + 1));
      merged += r.path;
    }
    path = RemoveDotSegments(merged);
  }
  return Compose(b.scheme, b.has_authority, b.authority, path, r.has_query, r.query, r.fragment);
}

std::string_view StripFragment(std::string_view uri) { return uri.substr(0, uri.find('#')); }

std::string_view FragmentOf(std::string_view uri) {
  auto hash = uri.find('#');
  return hash == std::string_view::npos ? std::string_view() : uri.substr(hash + 1);
}

}  // namespace capconf::schema::internal
