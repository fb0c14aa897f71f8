#include "capconf/json/parse.h"

#include <algorithm>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/value_stack.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <exception>
#include <new>
#include <string>
#include <utility>

#include "capconf/common/utf8.h"

namespace capconf::json {
namespace {

namespace bj = boost::json;

// Builds values on a boost::json::value_stack as basic_parser reports tokens. We drive
// basic_parser ourselves rather than use boost::json::parser for one reason: Boost 1.81 turns a
// number such as 1e400 into infinity, which is not JSON and would break every later
// serialisation; on_double is where we can refuse it without walking the finished tree.
struct ValueBuilder {
  // Limits basic_parser checks before calling on_*_end / on_key / on_string.
  static constexpr std::size_t max_object_size = bj::object::max_size();
  static constexpr std::size_t max_array_size = bj::array::max_size();
  static constexpr std::size_t max_key_size = bj::string::max_size();
  static constexpr std::size_t max_string_size = bj::string::max_size();

  bj::value_stack stack;

  bool on_document_begin(bj::error_code&) { return true; }
  bool on_document_end(bj::error_code&) { return true; }
  bool on_object_begin(bj::error_code&) { return true; }
  bool on_object_end(std::size_t n, bj::error_code&) {
    stack.push_object(n);  // push_object keeps the last of duplicate keys
    return true;
  }
  bool on_array_begin(bj::error_code&) { return true; }
  bool on_array_end(std::size_t n, bj::error_code&) {
    stack.push_array(n);
    return true;
  }
  bool on_key_part(bj::string_view s, std::size_t, bj::error_code&) {
    stack.push_chars(s);
    return true;
  }
  bool on_key(bj::string_view s, std::size_t, bj::error_code&) {
    stack.push_key(s);
    return true;
  }
  bool on_string_part(bj::string_view s, std::size_t, bj::error_code&) {
    stack.push_chars(s);
    return true;
  }
  bool on_string(bj::string_view s, std::size_t, bj::error_code&) {
    stack.push_string(s);
    return true;
  }
  // The text of a number split across input chunks (rare: a whole-text parse sees none).
  std::string number_text;

  bool on_number_part(bj::string_view s, bj::error_code&) {
    number_text.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t i, bj::string_view, bj::error_code&) {
    number_text.clear();
    stack.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, bj::string_view, bj::error_code&) {
    number_text.clear();
    stack.push_uint64(u);
    return true;
  }
  bool on_double(double d, bj::string_view s, bj::error_code& ec) {
    // Boost 1.81 is not always correctly rounded (9…9 with 61 digits becomes
    // 1.0000000000000001e61 where JSON.parse gives 1e61; 9.9999999999E60 is one unit in the
    // last place off), so every double is parsed again with std::from_chars, which rounds
    // correctly. Integers are exact already and never come here.
    {
      number_text.append(s.data(), s.size());
      double exact = 0;
      auto [end, err] =
          std::from_chars(number_text.data(), number_text.data() + number_text.size(), exact);
      if (err == std::errc() && end == number_text.data() + number_text.size()) d = exact;
      number_text.clear();
    }
    if (!std::isfinite(d)) {
      // exponent_overflow is otherwise unused by the 1.81 parser, so it names this case only.
      ec = bj::error::exponent_overflow;
      return false;
    }
    stack.push_double(d);
    return true;
  }
  bool on_bool(bool b, bj::error_code&) {
    stack.push_bool(b);
    return true;
  }
  bool on_null(bj::error_code&) {
    stack.push_null();
    return true;
  }
  // Comments are disabled in the options, so these are never called.
  bool on_comment_part(bj::string_view, bj::error_code&) { return true; }
  bool on_comment(bj::string_view, bj::error_code&) { return true; }
};

bj::parse_options MakeOptions(const ParseLimits& limits) {
  bj::parse_options options;
  options.max_depth = limits.max_depth;
  options.allow_comments = false;
  options.allow_trailing_commas = false;
  options.allow_invalid_utf8 = false;
  return options;
}

// "line L, column C: " for a byte offset into `text`.
std::string Position(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  const std::string_view before = text.substr(0, offset);
  const std::size_t line =
      1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  const std::size_t last_newline = before.rfind('\n');
  const std::size_t column =
      last_newline == std::string_view::npos ? offset + 1 : offset - last_newline;
  return "line " + std::to_string(line) + ", column " + std::to_string(column) + ": ";
}

std::string Hex(std::uint32_t value, int digits) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out(static_cast<std::size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i, value >>= 4) {
    out[static_cast<std::size_t>(i)] = kDigits[value & 0xF];
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsHighSurrogateEscapeAt(std::string_view text, std::size_t start) {
  if (start + 6 > text.size() || text[start] != '\\' || text[start + 1] != 'u') return false;
  int value = 0;
  for (std::size_t i = start + 2; i < start + 6; ++i) {
    const int digit = HexValue(text[i]);
    if (digit < 0) return false;
    value = value * 16 + digit;
  }
  return value >= 0xD800 && value <= 0xDBFF;
}

// True if a `\uD800`..`\uDBFF` escape ends at `offset` or just before the escape character
// there: Boost reports such an unpaired high surrogate as a plain syntax error at the byte
// after it (or after the next backslash), and the user deserves better.
bool FollowsHighSurrogateEscape(std::string_view text, std::size_t offset) {
  if (offset >= 6 && IsHighSurrogateEscapeAt(text, offset - 6)) return true;
  return offset >= 7 && text[offset - 1] == '\\' && IsHighSurrogateEscapeAt(text, offset - 7);
}

// Boost reports a number that overflows where the number ends; the user wants where it starts.
std::size_t NumberStart(std::string_view text, std::size_t end) {
  const std::size_t before = text.find_last_not_of("0123456789+-.eE", end == 0 ? 0 : end - 1);
  return before == std::string_view::npos ? 0 : before + 1;
}

// The reason for a syntax error at `offset`, from the byte found there.
std::string DescribeSyntaxError(std::string_view text, std::size_t offset) {
  if (offset >= text.size()) return "unexpected end of input";
  if (FollowsHighSurrogateEscape(text, offset)) {
    return "unpaired UTF-16 surrogate: a \\uD800-\\uDBFF escape must be followed by a "
           "\\uDC00-\\uDFFF escape";
  }
  const auto byte = static_cast<std::uint8_t>(text[offset]);
  if (byte >= 0x80) {
    const Utf8Sequence seq = DecodeUtf8(text.substr(offset));
    if (seq.length == 0) {
      return "invalid UTF-8: byte 0x" + Hex(byte, 2) + " starts no valid sequence";
    }
    if (seq.code_point == 0xFEFF) return "unexpected byte order mark (U+FEFF)";
    return "unexpected character U+" + Hex(seq.code_point, 4);
  }
  if (byte < 0x20) {
    return "unexpected control character 0x" + Hex(byte, 2) +
           " (control characters inside strings must be escaped)";
  }
  if (byte == 0x7F) return "unexpected character 0x7F";
  const char c = static_cast<char>(byte);
  if (c == '/') return "unexpected character '/' (comments are not allowed)";
  if (c == 't' || c == 'f' || c == 'n') return "invalid literal: expected true, false or null";
  if ((c == ']' || c == '}') && offset > 0) {
    const std::size_t previous = text.find_last_not_of(" \t\r\n", offset - 1);
    if (previous != std::string_view::npos && text[previous] == ',') {
      return std::string("unexpected '") + c + "' after ',' (trailing commas are not allowed)";
    }
  }
  return std::string("unexpected character '") + c + "'";
}

Status MakeError(std::string_view text, std::size_t offset, const bj::error_code& ec,
                 const ParseLimits& limits) {
  if (ec == bj::error::exponent_overflow) offset = NumberStart(text, offset);
  std::string where = Position(text, offset);
  if (ec == bj::error::too_deep) {
    return ResourceExhaustedError(where + "arrays and objects nest deeper than the limit of " +
                                  std::to_string(limits.max_depth));
  }
  if (ec == bj::error::object_too_large || ec == bj::error::array_too_large ||
      ec == bj::error::key_too_large || ec == bj::error::string_too_large) {
    return ResourceExhaustedError(where + ec.message());
  }
  std::string reason;
  if (ec == bj::error::syntax) {
    reason = DescribeSyntaxError(text, offset);
  } else if (ec == bj::error::incomplete) {
    reason = text.find_first_not_of(" \t\r\n") == std::string_view::npos
                 ? "no JSON value: the text is empty or only whitespace"
                 : "unexpected end of input";
  } else if (ec == bj::error::extra_data) {
    const bool leading_zero = offset > 0 && offset < text.size() && text[offset - 1] == '0' &&
                              text[offset] >= '0' && text[offset] <= '9';
    reason = leading_zero ? "numbers must not have leading zeros"
                          : "unexpected data after the JSON value";
  } else if (ec == bj::error::exponent_overflow) {
    reason = "number out of range: its magnitude overflows a double";
  } else if (ec == bj::error::illegal_leading_surrogate ||
             ec == bj::error::illegal_trailing_surrogate) {
    reason = "unpaired UTF-16 surrogate in a \\u escape";
  } else if (ec == bj::error::expected_hex_digit) {
    reason = "expected a hexadecimal digit in a \\u escape";
  } else if (ec == bj::error::expected_utf16_escape) {
    reason = "expected a \\u escape for the second half of a UTF-16 surrogate pair";
  } else {
    reason = ec.message();
  }
  return InvalidArgumentError(where + reason);
}

}  // namespace

struct Parser::Impl {
  explicit Impl(const ParseLimits& limits) : parser(MakeOptions(limits)) {}
  bj::basic_parser<ValueBuilder> parser;
};

Parser::Parser(const ParseLimits& limits)
    : limits_(limits), impl_(std::make_unique<Impl>(limits)) {}
Parser::~Parser() = default;
Parser::Parser(Parser&&) noexcept = default;
Parser& Parser::operator=(Parser&&) noexcept = default;

Result<boost::json::value> Parser::Parse(std::string_view text) { return Parse(text, {}); }

Result<boost::json::value> Parser::Parse(std::string_view text, boost::json::storage_ptr storage) {
  if (text.size() > limits_.max_bytes) {
    return ResourceExhaustedError(Position(text, limits_.max_bytes) + "the text is " +
                                  std::to_string(text.size()) + " bytes, over the limit of " +
                                  std::to_string(limits_.max_bytes) + " bytes");
  }
  bj::basic_parser<ValueBuilder>& parser = impl_->parser;
  bj::value_stack& stack = parser.handler().stack;
  parser.reset();
  stack.reset(std::move(storage));

  bj::error_code ec;
  std::size_t consumed = 0;
  try {
    consumed = parser.write_some(/*more=*/false, text.data(), text.size(), ec);
    if (!ec && consumed < text.size()) ec = bj::error::extra_data;
    if (!ec) return stack.release();
  } catch (const std::bad_alloc&) {
    stack.reset();
    return ResourceExhaustedError(Position(text, consumed) + "out of memory while parsing");
  } catch (const std::exception& e) {
    // value_stack throws std::length_error and friends for sizes beyond Boost's own limits.
    stack.reset();
    return ResourceExhaustedError(Position(text, consumed) + e.what());
  }
  // Drop the partial document now, so the caller's storage is not kept alive by the parser.
  stack.reset();
  return MakeError(text, consumed, ec, limits_);
}

Result<boost::json::value> Parse(std::string_view text, const ParseLimits& limits) {
  Parser parser(limits);
  return parser.Parse(text);
}

}  // namespace capconf::json
