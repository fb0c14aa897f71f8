#include "links.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_set>
#include <utility>

#include "capconf/outbound/curl_url.h"

namespace capconf::crawl {
namespace {

using outbound::CurlUrlPtr;
using outbound::GetUrlPart;
using outbound::kMaxUrlBytes;

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }
bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string ToLower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), AsciiLower);
  return out;
}

// HTML's "ASCII whitespace".
bool IsHtmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

int DefaultPort(std::string_view scheme) { return scheme == "https" ? 443 : 80; }

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

struct NamedReference {
  std::string_view name;
  char32_t code_point;
  bool legacy;  // also recognised without ';' (HTML's legacy names)
};

// The names that turn up in URLs; HTML has about 2,000 more, none of them plausible in an href.
constexpr std::array<NamedReference, 29> kNamedReferences = {{
    {"amp", U'&', true},     {"AMP", U'&', true},       {"lt", U'<', true},
    {"LT", U'<', true},      {"gt", U'>', true},        {"GT", U'>', true},
    {"quot", U'"', true},    {"QUOT", U'"', true},      {"nbsp", 0xA0, true},
    {"copy", 0xA9, true},    {"reg", 0xAE, true},       {"apos", U'\'', false},
    {"sol", U'/', false},    {"quest", U'?', false},    {"num", U'#', false},
    {"equals", U'=', false}, {"colon", U':', false},    {"period", U'.', false},
    {"percnt", U'%', false}, {"commat", U'@', false},   {"lowbar", U'_', false},
    {"excl", U'!', false},   {"plus", U'+', false},     {"comma", U',', false},
    {"semi", U';', false},   {"dollar", U'$', false},   {"ast", U'*', false},
    {"Tab", U'\t', false},   {"NewLine", U'\n', false},
}};

const NamedReference* FindNamedReference(std::string_view name) {
  for (const NamedReference& reference : kNamedReferences) {
    if (reference.name == name) return &reference;
  }
  return nullptr;
}

// Decodes the numeric reference after "&#" at text[pos...]; returns the position after it, or
// nullopt (leaving it as text) when no digit follows.
std::optional<std::size_t> DecodeNumericReference(std::string_view text, std::size_t pos,
                                                  std::string& out) {
  const bool hex = pos < text.size() && (text[pos] == 'x' || text[pos] == 'X');
  std::size_t i = hex ? pos + 1 : pos;
  const std::size_t digits_start = i;
  std::uint32_t value = 0;
  bool overflow = false;
  while (i < text.size() && (hex ? IsHexDigit(text[i]) : IsDigit(text[i]))) {
    const char c = text[i];
    const std::uint32_t digit = IsDigit(c) ? static_cast<std::uint32_t>(c - '0')
                                           : static_cast<std::uint32_t>(AsciiLower(c) - 'a' + 10);
    if (!overflow) {
      value = value * (hex ? 16 : 10) + digit;
      if (value > 0x10FFFF) overflow = true;
    }
    ++i;
  }
  if (i == digits_start) return std::nullopt;
  if (i < text.size() && text[i] == ';') ++i;
  // What HTML does with the null character, surrogates and values beyond Unicode.
  if (overflow || value == 0 || (value >= 0xD800 && value <= 0xDFFF)) value = 0xFFFD;
  AppendUtf8(out, static_cast<char32_t>(value));
  return i;
}

// RFC 3986 appendix B, for references whose scheme (if any) has been checked.
struct Components {
  std::optional<std::string_view> scheme;
  std::optional<std::string_view> authority;
  std::string_view path;
  std::optional<std::string_view> query;
};

std::optional<std::string_view> SchemeOf(std::string_view reference) {
  const std::size_t colon = reference.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  if (!IsAlpha(reference[0])) return std::nullopt;
  for (std::size_t i = 1; i < colon; ++i) {
    const char c = reference[i];
    if (!IsAlnum(c) && c != '+' && c != '-' && c != '.') return std::nullopt;
  }
  return reference.substr(0, colon);
}

// `reference` has no fragment.
Components Split(std::string_view reference) {
  Components parts;
  parts.scheme = SchemeOf(reference);
  if (parts.scheme) reference.remove_prefix(parts.scheme->size() + 1);
  if (reference.starts_with("//")) {
    reference.remove_prefix(2);
    const std::size_t end = std::min(reference.find_first_of("/?"), reference.size());
    parts.authority = reference.substr(0, end);
    reference.remove_prefix(end);
  }
  const std::size_t question = reference.find('?');
  parts.path = reference.substr(0, question);
  if (question != std::string_view::npos) parts.query = reference.substr(question + 1);
  return parts;
}

// RFC 3986 section 5.2.3.
std::string Merge(const Components& base, std::string_view reference_path) {
  if (base.authority && base.path.empty()) return "/" + std::string(reference_path);
  const std::size_t slash = base.path.rfind('/');
  if (slash == std::string_view::npos) return std::string(reference_path);
  return std::string(base.path.substr(0, slash + 1)) + std::string(reference_path);
}

// Spaces, control bytes, non-ASCII bytes and what no URL may hold raw (a '\' left in the query
// too), percent-encoded: the guard refuses them raw, and a browser sends most of them encoded.
std::string EncodeUnsafeBytes(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7F || c == '"' || c == '<' || c == '>' || c == '`' || c == '{' ||
        c == '}' || c == '|' || c == '^' || c == '\\') {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0F];
    } else {
      out += c;
    }
  }
  return out;
}

std::string_view WithoutFragment(std::string_view url) { return url.substr(0, url.find('#')); }

}  // namespace

std::string HttpUrl::Origin() const { return scheme + "://" + host + ":" + std::to_string(port); }

std::string HttpUrl::Key() const {
  std::string key = Origin() + path;
  if (query) key += "?" + *query;
  return key;
}

std::string HttpUrl::PathAndQuery() const { return query ? path + "?" + *query : path; }

std::string HttpUrl::ForDisplay() const {
  std::string out = scheme + "://" + host;
  if (port != DefaultPort(scheme)) out += ":" + std::to_string(port);
  return out + path;
}

std::string HttpUrl::ToString() const { return query ? ForDisplay() + "?" + *query : ForDisplay(); }

Result<HttpUrl> ParseHttpUrl(std::string_view url) {
  url = WithoutFragment(url);
  if (url.size() > kMaxUrlBytes) {
    return InvalidArgumentError("URL longer than " + std::to_string(kMaxUrlBytes) + " bytes");
  }
  const std::optional<std::string_view> scheme = SchemeOf(url);
  if (!scheme || !url.substr(scheme->size() + 1).starts_with("//")) {
    return InvalidArgumentError("not an absolute http or https URL");
  }
  const std::string lower_scheme = ToLower(*scheme);
  if (lower_scheme != "http" && lower_scheme != "https") {
    return InvalidArgumentError("not an http or https URL (scheme " + lower_scheme + ")");
  }
  CurlUrlPtr handle(curl_url());
  if (!handle) return InternalError("curl_url failed");
  const std::string text(url);
  if (CURLUcode rc = curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), 0); rc != CURLUE_OK) {
    return InvalidArgumentError(std::string("malformed URL: ") + curl_url_strerror(rc));
  }
  if (GetUrlPart(handle.get(), CURLUPART_USER) || GetUrlPart(handle.get(), CURLUPART_PASSWORD)) {
    return InvalidArgumentError("URLs with user:password@ are not allowed");
  }
  std::optional<std::string> host = GetUrlPart(handle.get(), CURLUPART_HOST);
  std::optional<std::string> port = GetUrlPart(handle.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  std::optional<std::string> path = GetUrlPart(handle.get(), CURLUPART_PATH);
  if (!host || host->empty() || !port || !path) return InvalidArgumentError("malformed URL");

  HttpUrl parsed;
  parsed.scheme = lower_scheme;
  parsed.host = ToLower(*host);
  parsed.port = std::stoi(*port);  // libcurl has checked it is 0..65535
  parsed.path = path->empty() ? "/" : std::move(*path);
  parsed.query = GetUrlPart(handle.get(), CURLUPART_QUERY);
  return parsed;
}

std::string RemoveDotSegments(std::string_view input) {
  std::string output;
  while (!input.empty()) {
    if (input.starts_with("../")) {
      input.remove_prefix(3);
    } else if (input.starts_with("./")) {
      input.remove_prefix(2);
    } else if (input.starts_with("/./")) {
      input.remove_prefix(2);
    } else if (input == "/.") {
      input = "/";
    } else if (input.starts_with("/../") || input == "/..") {
      input = input.size() == 3 ? std::string_view("/") : input.substr(3);
      const std::size_t slash = output.rfind('/');
      output.erase(slash == std::string::npos ? 0 : slash);
    } else if (input == "." || input == "..") {
      input = {};
    } else {
      // The first segment, with its leading '/' if any, up to the next '/'.
      const std::size_t end = std::min(input.find('/', 1), input.size());
      output += input.substr(0, end);
      input.remove_prefix(end);
    }
  }
  return output;
}

std::optional<HttpUrl> ResolveReference(std::string_view base, std::string_view reference) {
  // What the URL standard strips: C0 controls and spaces around, tabs and newlines anywhere.
  while (!reference.empty() && static_cast<unsigned char>(reference.front()) <= 0x20) {
    reference.remove_prefix(1);
  }
  while (!reference.empty() && static_cast<unsigned char>(reference.back()) <= 0x20) {
    reference.remove_suffix(1);
  }
  std::string cleaned;
  cleaned.reserve(reference.size());
  for (char c : WithoutFragment(reference)) {
    if (c != '\t' && c != '\n' && c != '\r') cleaned += c;
  }
  // "" and "#frag" are this page again.
  if (cleaned.empty() && (reference.empty() || reference.front() == '#')) return std::nullopt;
  if (cleaned.size() > kMaxUrlBytes) return std::nullopt;

  const Components base_parts = Split(WithoutFragment(base));
  if (!base_parts.scheme || !base_parts.authority) return std::nullopt;
  const std::string base_scheme = ToLower(*base_parts.scheme);

  if (const std::optional<std::string_view> scheme = SchemeOf(cleaned)) {
    const std::string lower = ToLower(*scheme);
    if (lower != "http" && lower != "https") return std::nullopt;  // javascript:, mailto:, ...
  }
  // http and https are "special" to browsers: '\' is '/' before the query.
  const std::size_t query_start = std::min(cleaned.find('?'), cleaned.size());
  std::replace(cleaned.begin(), cleaned.begin() + static_cast<std::ptrdiff_t>(query_start), '\\',
               '/');
  const std::string encoded = EncodeUnsafeBytes(cleaned);

  Components ref = Split(encoded);
  // RFC 3986 5.2.2's non-strict reading, as browsers do: "http:g" on an http page is relative.
  if (ref.scheme && ToLower(*ref.scheme) == base_scheme && !ref.authority) ref.scheme.reset();

  std::string scheme;
  std::string authority;
  std::string path;
  std::optional<std::string_view> query;
  if (ref.scheme) {
    if (!ref.authority) return std::nullopt;  // "https:foo" from an http page
    scheme = ToLower(*ref.scheme);
    authority = *ref.authority;
    path = RemoveDotSegments(ref.path);
    query = ref.query;
  } else {
    scheme = base_scheme;
    if (ref.authority) {
      authority = *ref.authority;
      path = RemoveDotSegments(ref.path);
      query = ref.query;
    } else {
      authority = *base_parts.authority;
      if (ref.path.empty()) {
        path = base_parts.path;
        query = ref.query ? ref.query : base_parts.query;
      } else {
        path = RemoveDotSegments(ref.path.starts_with('/') ? std::string(ref.path)
                                                           : Merge(base_parts, ref.path));
        query = ref.query;
      }
    }
  }
  std::string target = scheme + "://" + authority + path;
  if (query) target += "?" + std::string(*query);
  Result<HttpUrl> parsed = ParseHttpUrl(target);
  if (!parsed.ok()) return std::nullopt;
  return std::move(parsed).value();
}

std::string DecodeCharacterReferences(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t amp = text.find('&', i);
    if (amp == std::string_view::npos) {
      out += text.substr(i);
      break;
    }
    out += text.substr(i, amp - i);
    i = amp + 1;
    if (i < text.size() && text[i] == '#') {
      if (std::optional<std::size_t> next = DecodeNumericReference(text, i + 1, out)) {
        i = *next;
      } else {
        out += '&';
      }
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && IsAlnum(text[end]) && end - i < 32) ++end;
    const std::string_view name = text.substr(i, end - i);
    const NamedReference* reference = FindNamedReference(name);
    const bool semicolon = end < text.size() && text[end] == ';';
    if (reference != nullptr && semicolon) {
      AppendUtf8(out, reference->code_point);
      i = end + 1;
    } else if (reference != nullptr && reference->legacy &&
               !(end < text.size() && text[end] == '=')) {
      // "&amp " is "&", but "&amp=1" in a query string is left alone, as in HTML attributes.
      AppendUtf8(out, reference->code_point);
      i = end;
    } else {
      out += '&';
    }
  }
  return out;
}

namespace {

// The elements whose content is text to the HTML tokenizer, where markup is not markup.
bool IsRawTextElement(std::string_view name) {
  return name == "script" || name == "style" || name == "textarea" || name == "title" ||
         name == "xmp" || name == "iframe" || name == "noembed" || name == "noframes";
}

// Position just past the end tag "</name" (any case) that closes a raw text element, or the
// end of `html` when it is never closed.
std::size_t SkipRawText(std::string_view html, std::size_t pos, std::string_view name) {
  while (true) {
    const std::size_t lt = html.find("</", pos);
    if (lt == std::string_view::npos) return html.size();
    std::size_t i = lt + 2;
    if (i + name.size() <= html.size() && ToLower(html.substr(i, name.size())) == name) {
      i += name.size();
      if (i == html.size() || IsHtmlSpace(html[i]) || html[i] == '/' || html[i] == '>') {
        const std::size_t gt = html.find('>', i);
        return gt == std::string_view::npos ? html.size() : gt + 1;
      }
    }
    pos = lt + 2;
  }
}

// All the scanner needs of a tag: its name and its first href (a later duplicate is ignored,
// as HTML does). Other attributes are read past, not kept, so a tag with a million attributes
// costs no more than its length.
struct Tag {
  std::string name;
  std::optional<std::string> href;
};

// Reads a tag from html[pos] (just past "<" or "</"), which starts with a letter; returns the
// position after its '>' (or the end of `html`).
std::size_t ReadTag(std::string_view html, std::size_t pos, Tag& tag) {
  std::size_t i = pos;
  while (i < html.size() && !IsHtmlSpace(html[i]) && html[i] != '/' && html[i] != '>') ++i;
  tag.name = ToLower(html.substr(pos, i - pos));
  while (i < html.size()) {
    while (i < html.size() && (IsHtmlSpace(html[i]) || html[i] == '/')) ++i;
    if (i >= html.size()) break;
    if (html[i] == '>') return i + 1;
    // An attribute name; a leading '=' belongs to it, as in the tokenizer.
    const std::size_t name_start = i;
    ++i;
    while (i < html.size() && !IsHtmlSpace(html[i]) && html[i] != '/' && html[i] != '>' &&
           html[i] != '=') {
      ++i;
    }
    std::string name = ToLower(html.substr(name_start, i - name_start));
    while (i < html.size() && IsHtmlSpace(html[i])) ++i;
    const bool wanted = name == "href" && !tag.href;
    std::string value;
    if (i < html.size() && html[i] == '=') {
      ++i;
      while (i < html.size() && IsHtmlSpace(html[i])) ++i;
      if (i < html.size() && (html[i] == '"' || html[i] == '\'')) {
        const char quote = html[i];
        const std::size_t close = html.find(quote, i + 1);
        const std::size_t end = close == std::string_view::npos ? html.size() : close;
        if (wanted) value = DecodeCharacterReferences(html.substr(i + 1, end - i - 1));
        i = close == std::string_view::npos ? html.size() : close + 1;
      } else {
        const std::size_t start = i;
        while (i < html.size() && !IsHtmlSpace(html[i]) && html[i] != '>') ++i;
        if (wanted) value = DecodeCharacterReferences(html.substr(start, i - start));
      }
    }
    if (wanted) tag.href = std::move(value);
  }
  return html.size();
}

}  // namespace

HtmlLinks ScanHtml(std::string_view html) {
  HtmlLinks links;
  std::size_t pos = 0;
  while (pos < html.size()) {
    const std::size_t lt = html.find('<', pos);
    if (lt == std::string_view::npos) break;
    std::size_t i = lt + 1;
    if (html.substr(i).starts_with("!--")) {
      // "<!-->" and "<!--->" are (empty) comments too.
      const std::size_t body = i + 3;
      if (html.substr(body).starts_with(">")) {
        pos = body + 1;
      } else if (html.substr(body).starts_with("->")) {
        pos = body + 2;
      } else {
        const std::size_t end = html.find("-->", body);
        pos = end == std::string_view::npos ? html.size() : end + 3;
      }
      continue;
    }
    if (i < html.size() && (html[i] == '!' || html[i] == '?')) {
      // A doctype, CDATA section or bogus comment: up to the next '>'.
      const std::size_t end = html.find('>', i);
      pos = end == std::string_view::npos ? html.size() : end + 1;
      continue;
    }
    const bool end_tag = i < html.size() && html[i] == '/';
    if (end_tag) ++i;
    if (i >= html.size() || !IsAlpha(html[i])) {
      if (end_tag && i < html.size() && html[i] != '>') {
        // "</ ..." is a bogus comment.
        const std::size_t end = html.find('>', i);
        pos = end == std::string_view::npos ? html.size() : end + 1;
      } else {
        pos = i;  // a '<' that is just text
      }
      continue;
    }
    Tag tag;
    pos = ReadTag(html, i, tag);
    if (end_tag) continue;
    if (tag.name == "a" || tag.name == "area") {
      if (tag.href) links.hrefs.push_back(std::move(*tag.href));
    } else if (tag.name == "base") {
      if (tag.href && !links.base_href) links.base_href = std::move(tag.href);
    } else if (tag.name == "plaintext") {
      break;  // the rest of the document is text
    } else if (IsRawTextElement(tag.name)) {
      pos = SkipRawText(html, pos, tag.name);
    }
  }
  return links;
}

std::vector<HttpUrl> ExtractLinks(std::string_view html, std::string_view page_url) {
  const HtmlLinks scanned = ScanHtml(html);
  std::string base(page_url);
  if (scanned.base_href) {
    // A base that is not an http(s) URL (javascript:, data:) is ignored, as browsers do.
    if (std::optional<HttpUrl> resolved = ResolveReference(page_url, *scanned.base_href)) {
      base = resolved->ToString();
    }
  }
  std::vector<HttpUrl> links;
  std::unordered_set<std::string> seen;
  for (const std::string& href : scanned.hrefs) {
    std::optional<HttpUrl> link = ResolveReference(base, href);
    if (link && seen.insert(link->Key()).second) links.push_back(std::move(*link));
  }
  return links;
}

}  // namespace capconf::crawl
