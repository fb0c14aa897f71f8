#pragma once
// JSON Schema's notion of equality (for const, enum and uniqueItems), a hash consistent with
// it, and a canonical serialisation for ETags and diffs.
//
// Numbers compare by mathematical value whatever their boost::json kind: 1 (int64),
// 1 (uint64), 1.0 and -0.0 == 0 are all equal; 1.5 equals only 1.5. The comparison is exact:
// no integer is ever converted to double, so 9007199254740993 (2^53 + 1) is not equal to the
// double 9007199254740992.0 next to it, and the uint64 18446744073709551615 is not equal to
// the double 18446744073709551616.0 it would round to. true is not 1, and null is only null.
//
// All three functions recurse once per level of nesting; values from Parse are bounded by
// ParseLimits::max_depth.

#include <boost/json/value.hpp>
#include <cstddef>
#include <string>

namespace capconf::json {

// Objects are equal when they have the same member names with equal values, in any order;
// arrays element-wise; strings byte-wise (no Unicode normalisation).
bool Equal(const boost::json::value& a, const boost::json::value& b);

// A hash consistent with Equal: Equal(a, b) implies Hash(a) == Hash(b); 1, 1u and 1.0 hash
// the same and member order does not matter. For hash sets over array items (uniqueItems).
// Not stable across processes or builds: never persist it.
std::size_t Hash(const boost::json::value& v);

// Serialises `v` canonically: object members sorted by name byte-wise, no whitespace,
// strings escaped as boost::json does, integers in decimal, and doubles as boost::json
// writes them (shortest round-trip form, such as 1.5E0) except that a double with an integral
// value that an int64 or uint64 can hold is written as that integer (1.0 -> 1, -0.0 -> 0,
// 1e19 -> 10000000000000000000). So Equal(a, b) exactly when the dumps are equal, for values
// from Parse. Doubles that are not finite (Parse never makes them) are written as null.
std::string CanonicalDump(const boost::json::value& v);

}  // namespace capconf::json
