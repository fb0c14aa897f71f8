#pragma once
// JSON Pointer (RFC 6901): building pointers for error locations, parsing and resolving them,
// and the URI-fragment form used in `$ref` ("#/definitions/a%20b").

#include <boost/json/value.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "capconf/common/status.h"

namespace capconf::json {

// Escapes one reference token: '~' becomes "~0" and '/' becomes "~1".
std::string EscapeToken(std::string_view token);

// Appends "/" and the escaped `token` to `pointer`, which is edited in place so that building
// a location while walking a document does not allocate a string per level.
void AppendToken(std::string& pointer, std::string_view token);

// Appends "/" and the decimal `index` to `pointer`.
void AppendIndex(std::string& pointer, std::size_t index);

// Splits `pointer` into unescaped reference tokens: "" gives no tokens (the whole document),
// "/" gives one empty token, "/a~1b/~01" gives {"a/b", "~1"}. Escapes are decoded left to
// right in one pass, so "~01" is "~1" and never "/".
// InvalidArgument if `pointer` is not empty and does not start with '/', or if a '~' is not
// followed by '0' or '1'.
Result<std::vector<std::string>> ParsePointer(std::string_view pointer);

// The value `pointer` designates in `root`, or nullptr if there is none. An object member is
// found by its unescaped name; an array element only by a canonical decimal index ("0", "17";
// not "01", "+1" or "-"), and "-" (one past the end) designates nothing. A malformed pointer
// also gives nullptr; use ParsePointer first to tell it apart from an absent value.
// The result points into `root` and is valid as long as `root` is not modified or destroyed.
const boost::json::value* Resolve(const boost::json::value& root, std::string_view pointer);

// Percent-decodes the fragment of a URI (the part after '#', without the '#'), for example
// "/a%20b" to "/a b", so that it can be given to Resolve or ParsePointer. Every '%' must be
// followed by two hexadecimal digits (either case), and the decoded bytes must be valid UTF-8
// because JSON member names are.
// InvalidArgument for a bad escape or for decoded bytes that are not valid UTF-8.
Result<std::string> DecodeUriFragment(std::string_view fragment);

}  // namespace capconf::json
