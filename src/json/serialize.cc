#include "capconf/json/serialize.h"

#include <charconv>
#include <cmath>

namespace capconf::json {

void AppendQuoted(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t run = 0;  // start of the pending run of characters that need no escape
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

namespace {
namespace bj = boost::json;

void AppendDouble(std::string& out, double d) {
  if (!std::isfinite(d)) {  // JSON.stringify writes null; our parser never produces these
    out += "null";
    return;
  }
  if (d == 0) {  // -0 is "0" in JavaScript
    out += '0';
    return;
  }
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, d, std::chars_format::scientific);
  std::string_view text(buffer, static_cast<std::size_t>(end - buffer));
  // to_chars picks the shortest form but spells exponents "1e+21"/"1e-07"; JavaScript writes
  // plain digits for 1e-7 < |d| < 1e21 and "1e-7" (no leading zero) beyond.
  std::size_t e = text.find('e');
  if (e == std::string_view::npos) {
    out += text;
    return;
  }
  int exponent = 0;
  std::from_chars(text.data() + e + 1 + (text[e + 1] == '+'), text.data() + text.size(), exponent);
  std::string_view mantissa = text.substr(0, e);
  bool negative = mantissa.front() == '-';
  if (negative) mantissa.remove_prefix(1);
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits += c;
  }
  // d = 0.digits * 10^(exponent + 1)
  int point = exponent + 1;
  if (negative) out += '-';
  if (point > 21 || point < -5) {
    out += digits[0];
    if (digits.size() > 1) {
      out += '.';
      out.append(digits, 1);
    }
    out += 'e';
    out += exponent >= 0 ? '+' : '-';
    out += std::to_string(std::abs(exponent));
  } else if (point <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-point), '0');
    out += digits;
  } else if (static_cast<std::size_t>(point) >= digits.size()) {
    out += digits;
    out.append(static_cast<std::size_t>(point) - digits.size(), '0');
  } else {
    out.append(digits, 0, static_cast<std::size_t>(point));
    out += '.';
    out.append(digits, static_cast<std::size_t>(point));
  }
}

void Append(std::string& out, const bj::value& v) {
  switch (v.kind()) {
    case bj::kind::null:
      out += "null";
      return;
    case bj::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      return;
    case bj::kind::int64: {
      char buffer[24];
      auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v.get_int64());
      out.append(buffer, end);
      return;
    }
    case bj::kind::uint64: {
      char buffer[24];
      auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v.get_uint64());
      out.append(buffer, end);
      return;
    }
    case bj::kind::double_:
      AppendDouble(out, v.get_double());
      return;
    case bj::kind::string:
      AppendQuoted(out, v.get_string());
      return;
    case bj::kind::array: {
      out += '[';
      bool first = true;
      for (const bj::value& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        Append(out, e);
      }
      out += ']';
      return;
    }
    case bj::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, e] : v.get_object()) {
        if (!first) out += ',';
        first = false;
        AppendQuoted(out, k);
        out += ':';
        Append(out, e);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace

std::string Serialize(const bj::value& value) {
  std::string out;
  Append(out, value);
  return out;
}

void AppendSerialized(std::string& out, const bj::value& value) { Append(out, value); }

}  // namespace capconf::json
