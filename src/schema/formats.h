#pragma once
// String format assertions, with the verdicts the buyer's page reaches: ajv 8 with ajv-formats
// in "full" mode plus @rjsf/validator-ajv8's own `color` and `data-url`.
//
// The page runs ajv-formats 2.1.1: @rjsf/validator-ajv8 (5.x and 6.x) depends on
// "ajv-formats": "^2.1.1", which never resolves to 3.x. Release 3 changed `time`, `date-time`
// and `ipv4` and added `iso-time` and `iso-date-time`; its rules are here too, selectable, so
// the server can follow if the page's resolution ever moves.
//
// Each check reproduces the language of ajv-formats' regular expression (or function) exactly,
// including its quirks, with a hand-written scanner; where a JavaScript regex reads UTF-16 code
// units or code points, the scanner decodes UTF-8 and decides the same way. Every check is
// allocation-free except `regex`, which builds one buffer for the pattern.

#include <string_view>

namespace capconf::schema::internal {

// A format assertion: true when `value` is a valid instance of the format. Only called on
// strings; thread-safe.
using FormatCheck = bool (*)(std::string_view value);

// Which ajv-formats release's "full" rules FindFormat applies.
enum class FormatRules {
  kAjvFormats2,  // 2.1.1, what @rjsf/validator-ajv8 installs: the default
  kAjvFormats3,  // 3.0.x
};

// The checker for a format name, or nullptr for a format the page does not assert on strings:
// one ajv-formats does not know (ajv with `strict: false` lets unknown formats pass) or one of
// its number formats (`int32`, `int64`, `float`, `double` apply to JSON numbers only, so every
// string passes them). `password` and `binary` are known and accept every string.
FormatCheck FindFormat(std::string_view name);  // FormatRules::kAjvFormats2
FormatCheck FindFormat(std::string_view name, FormatRules rules);

}  // namespace capconf::schema::internal
