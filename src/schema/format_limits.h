#pragma once
// ajv-formats' formatMinimum / formatMaximum / formatExclusiveMinimum / formatExclusiveMaximum:
// order comparisons of date, time and date-time strings, which @rjsf/validator-ajv8 turns on
// (it calls addFormats with its default options). Rules are ajv-formats 2.1.1's, the version
// the page runs.

#include <optional>
#include <string_view>

namespace capconf::schema::internal {

// Compares two values of a format: negative, zero or positive, or nullopt where ajv-formats'
// compare returns undefined (which makes every comparison pass).
using FormatCompare = std::optional<int> (*)(std::string_view a, std::string_view b);

// The comparison of a format, or nullptr for formats that define none.
FormatCompare FindFormatCompare(std::string_view format);

}  // namespace capconf::schema::internal
