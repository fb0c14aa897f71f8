#pragma once
// Serialising JSON the way JavaScript's JSON.stringify writes it, so that what capconf stores and
// returns reads the same as what the page sends: numbers in their shortest round-trip form
// ("0.7", "1e+21", not Boost.JSON's "7E-1"), integral doubles without a fraction ("1"), strings
// with only the escapes JSON requires (non-ASCII UTF-8 is written as is), no whitespace.

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

namespace capconf::json {

std::string Serialize(const boost::json::value& value);
// Appends to `out`, for building larger texts without a copy.
void AppendSerialized(std::string& out, const boost::json::value& value);
// Appends `text` as a JSON string literal, quotes and escapes included.
void AppendQuoted(std::string& out, std::string_view text);

}  // namespace capconf::json
