#pragma once
// Parsing JSON text from untrusted input (request bodies, catalog files, bulk CLI input) into
// boost::json::value, with size and depth limits and errors that point at the offending byte.
//
// What is accepted: exactly one RFC 8259 JSON value with optional surrounding whitespace.
// Rejected: trailing data after the value, comments, trailing commas, invalid UTF-8 (in strings
// or anywhere else), `\u` escapes that leave an unpaired UTF-16 surrogate, and numbers whose
// magnitude overflows a double (like 1e400; they could not be written back as JSON).
// Duplicate object keys are accepted and the last one wins, as with JavaScript's JSON.parse.
// Numbers become int64 when they are integers that fit, else uint64 when they fit, else double.
//
// Errors are a Status whose message is one line, "line L, column C: <reason>": L and C are
// 1-based, lines end at '\n', and C counts bytes (not characters) from the start of the line.
//   InvalidArgument    the text is not acceptable JSON (see above).
//   ResourceExhausted  the text is longer than ParseLimits::max_bytes or nests arrays/objects
//                      deeper than ParseLimits::max_depth; the reason names the limit.

#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <memory>
#include <string_view>

#include "capconf/common/status.h"

namespace capconf::json {

struct ParseLimits {
  // Texts longer than this many bytes are refused before any parsing.
  std::size_t max_bytes = 16 * 1024 * 1024;
  // Maximum nesting of arrays and objects: with 2, `[[1]]` parses and `[[[1]]]` does not.
  // 0 allows scalars only.
  std::size_t max_depth = 64;
};

// A reusable parser for many texts, such as the lines of a bulk input: it keeps its internal
// buffers between calls, so after the first few texts parsing allocates only for the values.
// Not thread-safe: use one Parser per thread. It holds on to the largest buffers it has needed
// until it is destroyed. A moved-from Parser may only be destroyed or assigned to.
class Parser {
 public:
  explicit Parser(const ParseLimits& limits = {});
  ~Parser();
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
  Parser(Parser&&) noexcept;
  Parser& operator=(Parser&&) noexcept;

  const ParseLimits& limits() const { return limits_; }

  // Parses one JSON text; the value allocates from the default heap. Errors: see the top of
  // this file.
  Result<boost::json::value> Parse(std::string_view text);

  // As above, but the value and all its children allocate from `storage`, and share ownership
  // of it when it is reference-counted (boost::json::make_shared_resource). The intended use
  // is a boost::json::monotonic_resource: allocation is a pointer bump and the whole document
  // is freed at once when its resource goes, at the price of never reusing memory freed while
  // the value is alive. That suits parse, validate, discard. With a non-owning storage_ptr
  // (built from a raw pointer), the caller must keep the resource alive longer than the value.
  Result<boost::json::value> Parse(std::string_view text, boost::json::storage_ptr storage);

 private:
  struct Impl;  // the boost::json::basic_parser and its handler, kept in parse.cc

  ParseLimits limits_;
  std::unique_ptr<Impl> impl_;
};

// Convenience for a single text: builds a Parser for this one call. Prefer a Parser that is
// kept across calls when parsing many texts.
Result<boost::json::value> Parse(std::string_view text, const ParseLimits& limits = {});

}  // namespace capconf::json
