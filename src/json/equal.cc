#include "capconf/json/equal.h"

#include <algorithm>
#include <bit>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "capconf/json/serialize.h"

namespace capconf::json {
namespace {

namespace bj = boost::json;

static_assert(sizeof(std::size_t) == sizeof(std::uint64_t), "hashing assumes a 64-bit size_t");

// A JSON number reduced to one representation per mathematical value, so that equality,
// hashing and canonical output agree without converting integers to double (which would
// merge distinct integers above 2^53).
struct Number {
  enum class Kind { kNegativeInteger, kNonNegativeInteger, kOther } kind;
  std::int64_t negative = 0;
  std::uint64_t non_negative = 0;
  // Not integral, or integral beyond both 64-bit ranges, or not finite.
  double other = 0;
};

// 2^63 and 2^64 are exact in a double. The casts below only convert integral values that fit
// the target type (below 2^64 for uint64, from -2^63 for int64), where they are defined and exact.
constexpr double kTwoTo63 = 9223372036854775808.0;
constexpr double kTwoTo64 = 18446744073709551616.0;

Number Normalize(const bj::value& v) {
  switch (v.kind()) {
    case bj::kind::int64: {
      const std::int64_t i = v.get_int64();
      if (i < 0) return {Number::Kind::kNegativeInteger, i, 0, 0};
      return {Number::Kind::kNonNegativeInteger, 0, static_cast<std::uint64_t>(i), 0};
    }
    case bj::kind::uint64:
      return {Number::Kind::kNonNegativeInteger, 0, v.get_uint64(), 0};
    default: {
      const double d = v.get_double();
      if (std::isfinite(d) && std::trunc(d) == d) {
        // -0.0 >= 0 holds, so negative zero lands on the integer 0 like 0 and 0.0 do.
        if (d >= 0 && d < kTwoTo64) {
          return {Number::Kind::kNonNegativeInteger, 0, static_cast<std::uint64_t>(d), 0};
        }
        if (d < 0 && d >= -kTwoTo63) {
          return {Number::Kind::kNegativeInteger, static_cast<std::int64_t>(d), 0, 0};
        }
      }
      return {Number::Kind::kOther, 0, 0, d};
    }
  }
}

bool IsNumber(const bj::value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }

bool NumbersEqual(const bj::value& a, const bj::value& b) {
  const Number x = Normalize(a);
  const Number y = Normalize(b);
  if (x.kind != y.kind) return false;
  switch (x.kind) {
    case Number::Kind::kNegativeInteger:
      return x.negative == y.negative;
    case Number::Kind::kNonNegativeInteger:
      return x.non_negative == y.non_negative;
    case Number::Kind::kOther:
      return x.other == y.other;
  }
  return false;
}

// The splitmix64 finaliser: a cheap bijective mixer, so combined hashes do not collide in the
// regular patterns (small integers, short keys) that JSON documents are full of.
std::uint64_t Mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// Distinct seeds per kind, so that for example [] , {} and "" do not hash alike.
enum Seed : std::uint64_t {
  kNullSeed = 0x6e756c6c00000001ULL,
  kTrueSeed = 0x7472756500000002ULL,
  kFalseSeed = 0x66616c7300000003ULL,
  kNegativeSeed = 0x6e65670000000004ULL,
  kNonNegativeSeed = 0x706f730000000005ULL,
  kDoubleSeed = 0x64626c0000000006ULL,
  kStringSeed = 0x7374720000000007ULL,
  kArraySeed = 0x6172720000000008ULL,
  kObjectSeed = 0x6f626a0000000009ULL,
};

std::uint64_t HashString(std::string_view s) {
  return Mix(std::hash<std::string_view>{}(s) ^ kStringSeed);
}

std::uint64_t HashValue(const bj::value& v) {
  switch (v.kind()) {
    case bj::kind::null:
      return Mix(kNullSeed);
    case bj::kind::bool_:
      return Mix(v.get_bool() ? kTrueSeed : kFalseSeed);
    case bj::kind::int64:
    case bj::kind::uint64:
    case bj::kind::double_: {
      const Number n = Normalize(v);
      switch (n.kind) {
        case Number::Kind::kNegativeInteger:
          return Mix(static_cast<std::uint64_t>(n.negative) ^ kNegativeSeed);
        case Number::Kind::kNonNegativeInteger:
          return Mix(n.non_negative ^ kNonNegativeSeed);
        case Number::Kind::kOther:
          return Mix(std::bit_cast<std::uint64_t>(n.other) ^ kDoubleSeed);
      }
      return 0;
    }
    case bj::kind::string:
      return HashString(v.get_string());
    case bj::kind::array: {
      std::uint64_t h = Mix(kArraySeed ^ v.get_array().size());
      for (const bj::value& element : v.get_array()) h = Mix(h + HashValue(element));
      return h;
    }
    case bj::kind::object: {
      // A sum of per-member hashes does not depend on member order, as Equal requires.
      std::uint64_t sum = 0;
      for (const bj::key_value_pair& member : v.get_object()) {
        sum += Mix(HashString(member.key()) + Mix(HashValue(member.value()) ^ kObjectSeed));
      }
      return Mix(sum ^ kObjectSeed ^ v.get_object().size());
    }
  }
  return 0;
}

template <typename Integer>
void AppendInteger(Integer i, std::string& out) {
  char buffer[24];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), i);
  out.append(buffer, end);
}

void AppendCanonical(const bj::value& v, std::string& out) {
  switch (v.kind()) {
    case bj::kind::null:
      out += "null";
      return;
    case bj::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      return;
    case bj::kind::int64:
    case bj::kind::uint64:
    case bj::kind::double_: {
      const Number n = Normalize(v);
      switch (n.kind) {
        case Number::Kind::kNegativeInteger:
          AppendInteger(n.negative, out);
          return;
        case Number::Kind::kNonNegativeInteger:
          AppendInteger(n.non_negative, out);
          return;
        case Number::Kind::kOther:
          // Boost would write "Infinity"/"NaN", which are not JSON; JSON.stringify's null is.
          out += std::isfinite(n.other) ? bj::serialize(v) : "null";
          return;
      }
      return;
    }
    case bj::kind::string:
      AppendQuoted(out, v.get_string());
      return;
    case bj::kind::array: {
      out += '[';
      bool first = true;
      for (const bj::value& element : v.get_array()) {
        if (!first) out += ',';
        first = false;
        AppendCanonical(element, out);
      }
      out += ']';
      return;
    }
    case bj::kind::object: {
      const bj::object& object = v.get_object();
      std::vector<const bj::key_value_pair*> members;
      members.reserve(object.size());
      for (const bj::key_value_pair& member : object) members.push_back(&member);
      // string_view comparison is char_traits<char>::compare, which orders as unsigned bytes:
      // byte-wise order, which for UTF-8 is also code point order.
      std::sort(members.begin(), members.end(),
                [](const bj::key_value_pair* x, const bj::key_value_pair* y) {
                  return std::string_view(x->key()) < std::string_view(y->key());
                });
      out += '{';
      bool first = true;
      for (const bj::key_value_pair* member : members) {
        if (!first) out += ',';
        first = false;
        AppendQuoted(out, member->key());
        out += ':';
        AppendCanonical(member->value(), out);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace

bool Equal(const bj::value& a, const bj::value& b) {
  if (IsNumber(a) || IsNumber(b)) return IsNumber(a) && IsNumber(b) && NumbersEqual(a, b);
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case bj::kind::null:
      return true;
    case bj::kind::bool_:
      return a.get_bool() == b.get_bool();
    case bj::kind::string:
      return a.get_string() == b.get_string();
    case bj::kind::array: {
      const bj::array& x = a.get_array();
      const bj::array& y = b.get_array();
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (!Equal(x[i], y[i])) return false;
      }
      return true;
    }
    case bj::kind::object: {
      const bj::object& x = a.get_object();
      const bj::object& y = b.get_object();
      // boost::json objects hold unique keys, so equal sizes plus every key of x found in y
      // with an equal value means the key sets are the same.
      if (x.size() != y.size()) return false;
      for (const bj::key_value_pair& member : x) {
        const auto it = y.find(member.key());
        if (it == y.end() || !Equal(member.value(), it->value())) return false;
      }
      return true;
    }
    default:
      return false;  // numbers were handled above
  }
}

std::size_t Hash(const bj::value& v) { return static_cast<std::size_t>(HashValue(v)); }

std::string CanonicalDump(const bj::value& v) {
  std::string out;
  AppendCanonical(v, out);
  return out;
}

}  // namespace capconf::json
