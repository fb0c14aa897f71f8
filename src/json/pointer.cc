#include "capconf/json/pointer.h"

#include <charconv>
#include <optional>
#include <system_error>

#include "capconf/common/utf8.h"

namespace capconf::json {
namespace {

// Appends the unescaped form of `token` (one reference token, without '/') to `out`, a buffer
// the caller reuses across tokens. Returns the offset within `token` of the first invalid '~', or
// npos if all escapes are valid.
std::size_t UnescapeInto(std::string_view token, std::string& out) {
  for (std::size_t i = 0; i < token.size(); ++i) {
    const char c = token[i];
    if (c != '~') {
      out += c;
      continue;
    }
    if (i + 1 >= token.size()) return i;
    const char next = token[i + 1];
    if (next == '0') {
      out += '~';
    } else if (next == '1') {
      out += '/';
    } else {
      return i;
    }
    ++i;  // the escape's second character is consumed here, which is what makes "~01" "~1"
  }
  return std::string_view::npos;
}

// A canonical array index per RFC 6901: "0" or a digit 1-9 followed by digits, that fits.
std::optional<std::size_t> ParseIndex(std::string_view token) {
  if (token.empty() || (token.size() > 1 && token[0] == '0')) return std::nullopt;
  for (const char c : token) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  std::size_t index = 0;
  const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
  if (ec != std::errc() || end != token.data() + token.size()) return std::nullopt;  // overflow
  return index;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string EscapeToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (const char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

void AppendToken(std::string& pointer, std::string_view token) {
  pointer += '/';
  bool plain = true;
  for (const char c : token) plain &= (c != '~') & (c != '/');
  if (plain) {
    pointer.append(token);  // the usual case: nothing to escape
    return;
  }
  for (const char c : token) {
    if (c == '~') {
      pointer += "~0";
    } else if (c == '/') {
      pointer += "~1";
    } else {
      pointer += c;
    }
  }
}

void AppendIndex(std::string& pointer, std::size_t index) {
  char buffer[24];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), index);
  pointer += '/';
  pointer.append(buffer, end);
}

Result<std::vector<std::string>> ParsePointer(std::string_view pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  if (pointer.front() != '/') {
    return InvalidArgumentError("JSON pointer must be empty or start with '/'");
  }
  std::size_t start = 1;
  while (true) {
    const std::size_t slash = pointer.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? pointer.size() : slash;
    std::string token;
    const std::size_t bad = UnescapeInto(pointer.substr(start, end - start), token);
    if (bad != std::string_view::npos) {
      return InvalidArgumentError("JSON pointer has an invalid escape at offset " +
                                  std::to_string(start + bad) +
                                  ": '~' must be followed by '0' or '1'");
    }
    tokens.push_back(std::move(token));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return tokens;
}

const boost::json::value* Resolve(const boost::json::value& root, std::string_view pointer) {
  const boost::json::value* current = &root;
  if (pointer.empty()) return current;
  if (pointer.front() != '/') return nullptr;
  std::string unescaped;  // only used for tokens that contain '~', so most lookups do not allocate
  std::size_t start = 1;
  while (true) {
    const std::size_t slash = pointer.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? pointer.size() : slash;
    std::string_view token = pointer.substr(start, end - start);
    if (token.find('~') != std::string_view::npos) {
      unescaped.clear();
      if (UnescapeInto(token, unescaped) != std::string_view::npos) return nullptr;
      token = unescaped;
    }
    if (const boost::json::object* object = current->if_object()) {
      const auto it = object->find(token);
      if (it == object->end()) return nullptr;
      current = &it->value();
    } else if (const boost::json::array* array = current->if_array()) {
      const std::optional<std::size_t> index = ParseIndex(token);
      if (!index || *index >= array->size()) return nullptr;
      current = &(*array)[*index];
    } else {
      return nullptr;
    }
    if (slash == std::string_view::npos) return current;
    start = slash + 1;
  }
}

Result<std::string> DecodeUriFragment(std::string_view fragment) {
  std::string out;
  out.reserve(fragment.size());
  for (std::size_t i = 0; i < fragment.size(); ++i) {
    if (fragment[i] != '%') {
      out += fragment[i];
      continue;
    }
    const int high = i + 1 < fragment.size() ? HexValue(fragment[i + 1]) : -1;
    const int low = i + 2 < fragment.size() ? HexValue(fragment[i + 2]) : -1;
    if (high < 0 || low < 0) {
      return InvalidArgumentError("URI fragment has an invalid percent-escape at offset " +
                                  std::to_string(i) + ": '%' must be followed by two hex digits");
    }
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  if (!IsValidUtf8(out)) {
    return InvalidArgumentError("URI fragment does not percent-decode to valid UTF-8");
  }
  return out;
}

}  // namespace capconf::json
