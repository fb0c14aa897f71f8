#include "keywords.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>

#include "capconf/json/equal.h"
#include "capconf/json/pointer.h"

namespace capconf::schema::internal {
namespace json = boost::json;

// ---------------------------------------------------------------------------------------------
// Shared machinery

ValidationResult::Storage& EvalContext::storage() {
  if (!*storage_) {
    *storage_ = std::make_unique<ValidationResult::Storage>(schema_->shared_from_this());
    errors_->reserve(8);
  }
  return **storage_;
}

std::string_view EvalContext::InstancePath() {
  std::size_t size = 0;
  bool escapes = false;
  for (const PathFrame* f = path_; f; f = f->parent) {
    if (f->is_index) {
      size += 21;  // '/' and at most 20 digits
    } else {
      size += 1 + f->key.size();
      for (char c : f->key) escapes |= (c == '~') | (c == '/');
    }
  }
  if (size == 0) return {};
  // The frames run innermost first; the path is written from its end.
  char buffer[21];
  if (escapes) {
    std::vector<const PathFrame*> frames;
    for (const PathFrame* f = path_; f; f = f->parent) frames.push_back(f);
    std::string slow;
    for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
      if ((*it)->is_index) {
        capconf::json::AppendIndex(slow, (*it)->index);
      } else {
        capconf::json::AppendToken(slow, (*it)->key);
      }
    }
    return storage().Copy(slow);
  }
  char* begin = static_cast<char*>(storage().arena.allocate(size, 1));
  char* end = begin + size;
  for (const PathFrame* f = path_; f; f = f->parent) {
    std::string_view text = f->key;
    if (f->is_index) {
      char* digits_end = std::to_chars(buffer, buffer + sizeof buffer, f->index).ptr;
      text = std::string_view(buffer, static_cast<std::size_t>(digits_end - buffer));
    }
    end -= text.size();
    std::memcpy(end, text.data(), text.size());
    *--end = '/';
  }
  // Indexes took fewer than the 20 digits reserved: the path starts where writing stopped.
  return {end, static_cast<std::size_t>(begin + size - end)};
}

void EvalContext::AddError(std::string_view keyword, std::string_view schema_path, Params params,
                           std::string_view message) {
  if (!errors_) return;
  ValidationResult::Storage& st = storage();
  const json::object& made = st.MakeParams(params);
  std::string_view path = InstancePath();
  errors_->push_back(
      ValidationError{path, st.Copy(schema_path), st.Copy(keyword), &made, st.Copy(message)});
}

void EvalContext::AddError(const PreparedError& e) {
  if (!errors_) return;
  std::string_view path = InstancePath();
  errors_->push_back(ValidationError{path, e.schema_path, e.keyword, &e.params, e.message});
}

namespace {

// Error reports run rarely and build several objects; kept out of line, they leave the hot
// paths of the keywords short (fewer registers to save, better inlining).
template <typename F>
[[gnu::noinline, gnu::cold]] void ReportCold(F&& report) {
  report();
}

std::size_t ContainerSize(const json::value& v) {
  if (const auto* o = v.if_object()) return o->size();
  if (const auto* a = v.if_array()) return a->size();
  return 0;
}

long double AsLongDouble(const json::value& v) {
  switch (v.kind()) {
    case json::kind::int64:
      return static_cast<long double>(v.get_int64());
    case json::kind::uint64:
      return static_cast<long double>(v.get_uint64());
    case json::kind::double_:
      return static_cast<long double>(v.get_double());
    default:
      return 0;
  }
}

double AsDouble(const json::value& v) { return static_cast<double>(AsLongDouble(v)); }

bool IsIntegral(const json::value& v) {
  if (v.is_int64() || v.is_uint64()) return true;
  if (v.is_double()) {
    double d = v.get_double();
    return std::isfinite(d) && std::trunc(d) == d;
  }
  return false;
}

// Code points in UTF-8 text: every byte that does not continue a sequence (10xxxxxx) starts
// one. Eight bytes at a time: a byte continues when its top bit is set and the next is clear.
std::uint64_t CodePointCount(std::string_view s) {
  std::uint64_t continuing = 0;
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    // One bit per continuing byte, at bit 0 of its byte; the multiply sums the bytes.
    std::uint64_t marks = (w & ~(w << 1) & 0x8080808080808080ULL) >> 7;
    continuing += (marks * 0x0101010101010101ULL) >> 56;
  }
  for (; i < s.size(); ++i) continuing += (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80;
  return s.size() - continuing;
}

// Byte equality for the short strings of property names, without a call into libc.
[[gnu::always_inline]] inline bool SameBytes(std::string_view a, std::string_view b) {
  std::size_t n = a.size();
  if (n != b.size()) return false;
  const char* x = a.data();
  const char* y = b.data();
  // Word loads, the last one overlapping what was compared already.
  if (n >= 8) {
    std::uint64_t u, v;
    for (std::size_t i = 0; i + 8 <= n; i += 8) {
      std::memcpy(&u, x + i, 8);
      std::memcpy(&v, y + i, 8);
      if (u != v) return false;
    }
    std::memcpy(&u, x + n - 8, 8);
    std::memcpy(&v, y + n - 8, 8);
    return u == v;
  }
  if (n >= 4) {
    std::uint32_t u1, v1, u2, v2;
    std::memcpy(&u1, x, 4);
    std::memcpy(&v1, y, 4);
    std::memcpy(&u2, x + n - 4, 4);
    std::memcpy(&v2, y + n - 4, 4);
    return u1 == v1 && u2 == v2;
  }
  if (n >= 2) {
    std::uint16_t u1, v1, u2, v2;
    std::memcpy(&u1, x, 2);
    std::memcpy(&v1, y, 2);
    std::memcpy(&u2, x + n - 2, 2);
    std::memcpy(&v2, y + n - 2, 2);
    return u1 == v1 && u2 == v2;
  }
  return n == 0 || x[0] == y[0];
}

// Whether an object has a member, by a linear scan: configs' objects are small, and Boost's
// lookup pays for hashing and a libc call per key.
inline bool HasMember(const json::object& o, std::string_view name) {
  if (o.size() > 16) return o.contains(name);
  for (const auto& member : o)
    if (SameBytes(std::string_view(member.key().data(), member.key().size()), name)) return true;
  return false;
}

// `prefix "quoted"`, in one allocation.
std::string Quoted(std::string_view prefix, std::string_view s) {
  std::string out;
  out.reserve(prefix.size() + s.size() + 2);
  out.append(prefix).append(1, '"').append(s).append(1, '"');
  return out;
}

}  // namespace

std::string JsNumber(const json::value& number) {
  if (number.is_int64()) return std::to_string(number.get_int64());
  if (number.is_uint64()) return std::to_string(number.get_uint64());
  double d = number.is_double() ? number.get_double() : 0.0;
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return "0";
  char buf[64];
  if (std::trunc(d) == d && std::fabs(d) < 1e21) {
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
    return std::string(buf, end);
  }
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  std::string s(buf, end);
  // JavaScript writes exponents as e+21 / e-7 without leading zeros; to_chars writes e+21 / e-07.
  auto e = s.find('e');
  if (e != std::string::npos) {
    std::string mantissa = s.substr(0, e);
    char sign = s[e + 1];
    std::string digits = s.substr(e + 2);
    digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size() - 1));
    s = mantissa + "e" + sign + digits;
  } else if (std::fabs(d) < 1e-6) {
    // Shortest form has no exponent but JavaScript would use one below 1e-6.
    auto [end2, ec2] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    return JsNumber(json::value(std::stod(std::string(buf, end2))));
  }
  return s;
}

bool Node::EvaluateSlow(EvalContext& ctx, const json::value& instance,
                        Annotations* annotations) const {
  if (kind != Kind::kObject) {
    if (kind == Kind::kTrue) return true;
    if (ctx.collecting())
      ReportCold([&] { ctx.AddError("false schema", schema_path, {}, "boolean schema is false"); });
    return false;
  }
  bool ok = true;
  if (!TypeMatches(instance)) {
    if (!ctx.collecting()) return false;
    ReportCold([&] { ctx.AddError(type_error); });
    // ajv goes on with the other keywords; those of other types pass by themselves.
    ok = false;
  }
  if ((needs_annotations && annotations == nullptr) || (is_resource_root && ctx.track_scope))
    return EvaluateWithContext(ctx, instance, annotations) && ok;
  return EvaluateKeywords(ctx, instance, annotations) && ok;
}

bool Node::EvaluateWithContext(EvalContext& ctx, const json::value& instance,
                               Annotations* annotations) const {
  auto& scope = ctx.scope();
  bool entered = ctx.track_scope && (scope.empty() || scope.back() != resource);
  if (entered) scope.push_back(resource);
  bool ok;
  if (needs_annotations && annotations == nullptr) {
    // A schema with unevaluated* collects the annotations of its own keywords.
    Annotations local(ContainerSize(instance));
    ok = EvaluateKeywords(ctx, instance, &local);
  } else {
    ok = EvaluateKeywords(ctx, instance, annotations);
  }
  if (entered) scope.pop_back();
  return ok;
}

// Evaluates an in-place subschema; on success its annotations join the parent's.
static bool EvaluateInPlace(const Node& node, EvalContext& ctx, const json::value& v,
                            Annotations* parent) {
  if (!ctx.Spend()) return false;
  if (parent == nullptr) return node.Evaluate(ctx, v, nullptr);
  Annotations mine(ContainerSize(v));
  bool ok = node.Evaluate(ctx, v, &mine);
  if (ok) parent->Merge(mine);
  return ok;
}

// ---------------------------------------------------------------------------------------------
// Any instance type

bool EnumKeyword::Evaluate(EvalContext& ctx, const json::value& v, Annotations*) const {
  if (all_strings) {
    if (const auto* s = v.if_string()) {
      std::string_view value(s->data(), s->size());
      if (values.size() <= 8) {
        for (const auto& candidate : values) {
          const auto& c = candidate.get_string();
          if (SameBytes(std::string_view(c.data(), c.size()), value)) return true;
        }
      } else if (strings.count(value)) {
        return true;
      }
    }
  } else {
    for (const auto& candidate : values)
      if (capconf::json::Equal(candidate, v)) return true;
  }
  if (ctx.collecting()) ReportCold([&] { ctx.AddError(error); });
  return false;
}

bool ConstKeyword::Evaluate(EvalContext& ctx, const json::value& v, Annotations*) const {
  if (value.is_string()) {
    // The discriminator of a oneOf branch is a string const: compare without the generic path.
    const auto* s = v.if_string();
    if (s && SameBytes(std::string_view(s->data(), s->size()),
                       std::string_view(value.get_string().data(), value.get_string().size())))
      return true;
    if (s || !v.is_string()) {
      if (ctx.collecting()) ReportCold([&] { ctx.AddError(error); });
      return false;
    }
  }
  if (capconf::json::Equal(value, v)) return true;
  if (ctx.collecting()) ReportCold([&] { ctx.AddError(error); });
  return false;
}

// ---------------------------------------------------------------------------------------------
// Numbers

bool MultipleOfKeyword::Evaluate(EvalContext& ctx, const json::value& v, Annotations*) const {
  if (!v.is_number()) return true;
  bool ok;
  if ((v.is_int64() || v.is_uint64()) && (divisor.is_int64() || divisor.is_uint64())) {
    // Exact for integers; divisor is positive (the compiler checked).
    std::uint64_t d =
        divisor.is_int64() ? static_cast<std::uint64_t>(divisor.get_int64()) : divisor.get_uint64();
    std::uint64_t x = v.is_uint64()       ? v.get_uint64()
                      : v.get_int64() < 0 ? static_cast<std::uint64_t>(-(v.get_int64() + 1)) + 1
                                          : static_cast<std::uint64_t>(v.get_int64());
    ok = x % d == 0;
  } else {
    // ajv's multipleOfPrecision 8: the quotient must lie within 1e-8 of an integer. A quotient
    // that overflows is not a multiple (the specification's verdict; see docs/architecture.md).
    double q = AsDouble(v) / AsDouble(divisor);
    ok = std::isfinite(q) && std::fabs(std::floor(q + 0.5) - q) <= 1e-8;
  }
  if (ok) return true;
  if (ctx.collecting()) ReportCold([&] { ctx.AddError(error); });
  return false;
}

bool NumberLimitKeyword::Evaluate(EvalContext& ctx, const json::value& v, Annotations*) const {
  if (!v.is_number()) return true;
  long double x = AsLongDouble(v);
  bool ok = op == Op::kGe   ? x >= limit_ld
            : op == Op::kLe ? x <= limit_ld
            : op == Op::kGt ? x > limit_ld
                            : x < limit_ld;
  if (ok) return true;
  if (ctx.collecting()) ReportCold([&] { ctx.AddError(error); });
  return false;
}

// ---------------------------------------------------------------------------------------------
// Strings

bool StringLengthKeyword::Evaluate(EvalContext& ctx, const json::value& v, Annotations*) const {
  const auto* s = v.if_string();
  if (!s) return true;
  // Byte length bounds the code-point count from above, and a quarter of it from below.
  if (is_max ? s->size() <= limit : s->size() / 4 >= limit) return true;
  std::uint64_t n = CodePointCount(std::string_view(s->data(), s->size()));
  if (is_max ? n <= limit : n >= limit) return true;
  if (ctx.collecting()) ReportCold([&] { ctx.AddError(error); });
  return false;
}

bool PatternKeyword::Evaluate(EvalContext& ctx, const json::value& v, Annotations*) const {
  const auto* s = v.if_string();
  if (!s) return true;
  std::string_view text(s->data(), s->size());
  if (dfa) {
    if (dfa->Search(text)) return true;
    if (ctx.collecting()) ReportCold([&] { ctx.AddError(error); });
    return false;
  }
  EcmaRegex::Match m = regex->Search(text);
  if (m == EcmaRegex::Match::kYes) return true;
  if (ctx.collecting()) {
    ReportCold([&] {
      if (m == EcmaRegex::Match::kLimitExceeded) {
        ctx.AddError("pattern", schema_path, {{"pattern", source}},
                     Quoted("must match pattern ", source) + " (match limit exceeded)");
      } else {
        ctx.AddError(error);
      }
    });
  }
  return false;
}

bool FormatKeyword::Evaluate(EvalContext& ctx, const json::value& v, Annotations*) const {
  bool ok = true;
  if (const auto* s = v.if_string()) {
    if (string_check) ok = string_check(std::string_view(s->data(), s->size()));
  } else if (v.is_number() && number_format != NumberFormat::kNone) {
    long double x = AsLongDouble(v);
    switch (number_format) {
      case NumberFormat::kInt32:
        ok = IsIntegral(v) && x >= -2147483648.0L && x <= 2147483647.0L;
        break;
      case NumberFormat::kInt64:
        ok = IsIntegral(v) && x >= -9223372036854775808.0L && x <= 9223372036854775807.0L;
        break;
      default:
        break;
    }
  }
  if (ok) return true;
  if (ctx.collecting()) ReportCold([&] { ctx.AddError(error); });
  return false;
}

bool FormatLimitKeyword::Evaluate(EvalContext& ctx, const json::value& v, Annotations*) const {
  const auto* s = v.if_string();
  if (!s) return true;
  std::optional<int> c = compare(std::string_view(s->data(), s->size()), limit);
  if (!c) return true;  // ajv-formats: an undefined comparison fails no test
  bool ok = comparison == ">="   ? *c >= 0
            : comparison == "<=" ? *c <= 0
            : comparison == ">"  ? *c > 0
                                 : *c < 0;
  if (ok) return true;
  // ajv-formats 2 still words its message with "should".
  if (ctx.collecting())
    ReportCold([&] {
      ctx.AddError(keyword, schema_path, {{"comparison", comparison}, {"limit", limit}},
                   "should be " + comparison + " " + limit);
    });
  return false;
}

// ---------------------------------------------------------------------------------------------
// Arrays

bool ItemsKeyword::Evaluate(EvalContext& ctx, const json::value& v, Annotations* ann) const {
  const auto* arr = v.if_array();
  if (!arr) return true;
  bool ok = true;
  std::size_t n = arr->size();
  std::size_t p = std::min(prefix.size(), n);
  for (std::size_t i = 0; i < p; ++i) {
    if (!EvaluateAtIndex(*prefix[i], ctx, i, (*arr)[i])) {
      ok = false;
      if (!ctx.collecting()) return false;
    }
    if (ann) ann->Mark(i);
  }
  if (!rest || n <= p) return ok;
  if (ann) ann->MarkFrom(p);  // as ajv, items it rejected still count as evaluated
  if (has_prefix && rest->kind == Node::Kind::kFalse) {
    if (ctx.collecting())
      ReportCold([&] {
        ctx.AddError(rest_keyword, rest_path, {{"limit", prefix.size()}},
                     "must NOT have more than " + std::to_string(prefix.size()) + " items");
      });
    return false;
  }
  for (std::size_t i = p; i < n; ++i) {
    if (!EvaluateAtIndex(*rest, ctx, i, (*arr)[i])) {
      ok = false;
      if (!ctx.collecting()) return false;
    }
  }
  if (ann) ann->MarkFrom(p);
  return ok;
}

bool ContainsKeyword::Evaluate(EvalContext& ctx, const json::value& v, Annotations* ann) const {
  const auto* arr = v.if_array();
  if (!arr) return true;
  std::size_t before = ctx.error_count();
  std::uint64_t matches = 0;
  bool need_all = ann != nullptr || max.has_value() || ctx.collecting();
  for (std::size_t i = 0; i < arr->size(); ++i) {
    if (EvaluateAtIndex(*schema, ctx, i, (*arr)[i])) {
      ++matches;
      if (ann && annotates) ann->Mark(i);
      if (!need_all && matches >= min) return true;
    }
  }
  bool ok = matches >= min && (!max || matches <= *max);
  if (ok) {
    ctx.TruncateErrors(before);
    return true;
  }
  // As ajv does, the items' own errors stay beside the contains error.
  if (matches < min) {
    if (ctx.collecting())
      ReportCold([&] {
        ctx.AddError("contains", schema_path, {{"minContains", min}},
                     "must contain at least " + std::to_string(min) + " valid item(s)");
      });
  } else {
    if (ctx.collecting())
      ReportCold([&] {
        ctx.AddError("contains", schema_path, {{"minContains", min}, {"maxContains", *max}},
                     "must contain at most " + std::to_string(*max) + " valid item(s)");
      });
  }
  return false;
}

bool CountKeyword::Evaluate(EvalContext& ctx, const json::value& v, Annotations*) const {
  std::size_t n;
  if (on_object) {
    const auto* o = v.if_object();
    if (!o) return true;
    n = o->size();
  } else {
    const auto* a = v.if_array();
    if (!a) return true;
    n = a->size();
  }
  if (is_max ? n <= limit : n >= limit) return true;
  if (ctx.collecting()) ReportCold([&] { ctx.AddError(error); });
  return false;
}

bool UniqueItemsKeyword::Evaluate(EvalContext& ctx, const json::value& v, Annotations*) const {
  const auto* arr = v.if_array();
  if (!arr || arr->size() < 2) return true;
  const std::size_t n = arr->size();
  // ajv reports the pair found scanning i downwards and, for each i, j downwards from i - 1.
  std::optional<std::pair<std::size_t, std::size_t>> dup;
  if (n <= 32) {
    for (std::size_t i = n; i-- > 1 && !dup;)
      for (std::size_t j = i; j-- > 0;)
        if (capconf::json::Equal((*arr)[i], (*arr)[j])) {
          dup.emplace(i, j);
          break;
        }
  } else {
    std::unordered_multimap<std::size_t, std::size_t> seen;
    seen.reserve(n);
    for (std::size_t i = n; i-- > 0 && !dup;) {
      std::size_t h = capconf::json::Hash((*arr)[i]);
      auto [lo, hi] = seen.equal_range(h);
      for (auto it = lo; it != hi; ++it)
        if (capconf::json::Equal((*arr)[i], (*arr)[it->second])) {
          dup.emplace(it->second, i);  // the later index first, as the quadratic scan would
          break;
        }
      seen.emplace(h, i);
    }
    if (dup) {
      // Find ajv's exact pair: the largest i with an equal item before it.
      for (std::size_t i = n; i-- > 1;) {
        bool found = false;
        for (std::size_t j = i; j-- > 0;)
          if (capconf::json::Hash((*arr)[j]) == capconf::json::Hash((*arr)[i]) &&
              capconf::json::Equal((*arr)[i], (*arr)[j])) {
            dup.emplace(i, j);
            found = true;
            break;
          }
        if (found) break;
      }
    }
  }
  if (!dup) return true;
  if (ctx.collecting())
    ReportCold([&] {
      ctx.AddError("uniqueItems", schema_path, {{"i", dup->first}, {"j", dup->second}},
                   "must NOT have duplicate items (items ## " + std::to_string(dup->second) +
                       " and " + std::to_string(dup->first) + " are identical)");
    });
  return false;
}

// ---------------------------------------------------------------------------------------------
// Objects

bool RequiredKeyword::Evaluate(EvalContext& ctx, const json::value& v, Annotations*) const {
  const auto* o = v.if_object();
  if (!o) return true;
  bool ok = true;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (HasMember(*o, names[i])) continue;
    ok = false;
    if (!ctx.collecting()) return false;
    ReportCold([&] { ctx.AddError(errors[i]); });
  }
  return ok;
}

bool DependentRequiredKeyword::Evaluate(EvalContext& ctx, const json::value& v,
                                        Annotations*) const {
  const auto* o = v.if_object();
  if (!o) return true;
  bool ok = true;
  for (const auto& rule : rules) {
    if (!o->contains(rule.property)) continue;
    std::string deps;
    for (const auto& r : rule.required) {
      if (!deps.empty()) deps += ", ";
      deps += r;
    }
    for (const auto& r : rule.required) {
      if (o->contains(r)) continue;
      ok = false;
      if (!ctx.collecting()) return false;
      std::string prop = rule.property;
      if (ctx.collecting())
        ReportCold([&] {
          ctx.AddError(keyword, schema_path,
                       {{"property", prop},
                        {"missingProperty", r},
                        {"depsCount", rule.required.size()},
                        {"deps", deps}},
                       "must have " +
                           std::string(rule.required.size() == 1 ? "property " : "properties ") +
                           deps + " when property " + prop + " is present");
        });
    }
  }
  return ok;
}

bool DependentSchemasKeyword::Evaluate(EvalContext& ctx, const json::value& v,
                                       Annotations* ann) const {
  const auto* o = v.if_object();
  if (!o) return true;
  bool ok = true;
  for (const auto& [property, node] : rules) {
    if (!o->contains(property)) continue;
    if (!EvaluateInPlace(*node, ctx, v, ann)) {
      ok = false;
      if (!ctx.collecting()) return false;
    }
  }
  return ok;
}

const Node* ObjectMembersKeyword::FindProperty(std::string_view name, std::size_t& hint) const {
  const std::size_t n = property_list.size();
  std::size_t found = n;
  if (n <= 8) {
    for (std::size_t i = 0; i < n; ++i) {
      if (SameBytes(property_list[i].first, name)) {
        found = i;
        break;
      }
    }
  } else if (auto it = property_index.find(name); it != property_index.end()) {
    found = it->second;
  }
  if (found == n) return nullptr;
  hint = found + 1;
  return property_list[found].second;
}

bool ObjectMembersKeyword::Evaluate(EvalContext& ctx, const json::value& v,
                                    Annotations* ann) const {
  const auto* o = v.if_object();
  if (!o) return true;
  bool ok = true;
  std::size_t index = 0;
  std::size_t hint = 0;
  std::uint64_t seen = 0;  // which properties (by position, when at most 64) were present
  for (auto it = o->begin(); it != o->end(); ++it, ++index) {
    std::string_view key(it->key().data(), it->key().size());
    bool matched = false;
    const Node* node;
    if (hint < property_list.size() && SameBytes(property_list[hint].first, key)) {
      node = property_list[hint++].second;  // the usual case: members in the schema's order
    } else {
      node = FindProperty(key, hint);
    }
    if (node != nullptr) {
      seen |= std::uint64_t{1} << ((hint - 1) & 63);
      matched = true;
      if (ann) ann->Mark(index);
      if (!EvaluateAtKey(*node, ctx, key, it->value())) {
        ok = false;
        if (!ctx.collecting()) return false;
      }
    }
    for (const auto& [regex, pattern_node] : patterns) {
      if (regex->Search(key) != EcmaRegex::Match::kYes) continue;
      matched = true;
      if (ann) ann->Mark(index);
      if (!EvaluateAtKey(*pattern_node, ctx, key, it->value())) {
        ok = false;
        if (!ctx.collecting()) return false;
      }
    }
    if (matched || additional == nullptr) continue;
    if (ann) ann->Mark(index);
    if (additional->kind == Node::Kind::kFalse) {
      ok = false;
      if (!ctx.collecting()) return false;
      if (ctx.collecting())
        ReportCold([&] {
          ctx.AddError("additionalProperties", additional_path, {{"additionalProperty", it->key()}},
                       "must NOT have additional properties");
        });
    } else if (!EvaluateAtKey(*additional, ctx, key, it->value())) {
      ok = false;
      if (!ctx.collecting()) return false;
    }
  }
  for (std::size_t i = 0; i < required_positions.size(); ++i) {
    if (seen & (std::uint64_t{1} << required_positions[i])) continue;
    ok = false;
    if (!ctx.collecting()) return false;
    ReportCold([&] { ctx.AddError(required_errors[i]); });
  }
  return ok;
}

bool PropertyNamesKeyword::Evaluate(EvalContext& ctx, const json::value& v, Annotations*) const {
  const auto* o = v.if_object();
  if (!o) return true;
  bool ok = true;
  for (const auto& member : *o) {
    json::value name(member.key());
    if (schema->Evaluate(ctx, name, nullptr)) continue;
    ok = false;
    if (!ctx.collecting()) return false;
    // As ajv, the name's own errors and this one stand at the object, and say which name.
    ReportCold([&] {
      ctx.AddError("propertyNames", schema_path, {{"propertyName", member.key()}},
                   "property name must be valid");
    });
  }
  return ok;
}

// ---------------------------------------------------------------------------------------------
// Combinators

bool AllOfKeyword::Evaluate(EvalContext& ctx, const json::value& v, Annotations* ann) const {
  bool ok = true;
  for (const Node* node : schemas) {
    if (!EvaluateInPlace(*node, ctx, v, ann)) {
      ok = false;
      if (!ctx.collecting()) return false;
    }
  }
  return ok;
}

std::size_t Discriminator::Select(const json::value& v) const {
  const auto* o = v.if_object();
  if (!o) return kUndecided;
  for (const auto& member : *o) {
    if (!SameBytes(std::string_view(member.key().data(), member.key().size()), property)) continue;
    const auto* s = member.value().if_string();
    if (!s) return kUndecided;
    std::string_view value(s->data(), s->size());
    for (std::size_t i = 0; i < values.size(); ++i)
      if (SameBytes(values[i], value)) return i;
    return kNoBranch;
  }
  return kUndecided;
}

std::optional<Discriminator> FindDiscriminator(const std::vector<const Node*>& branches) {
  if (branches.size() < 2) return std::nullopt;
  // The string constant a branch pins `property` to, if it does so and nothing else there.
  auto pinned = [](const Node* branch, std::string_view property) -> std::optional<std::string> {
    if (branch->kind != Node::Kind::kObject) return std::nullopt;
    for (const auto& kw : branch->keywords) {
      const auto* members = dynamic_cast<const ObjectMembersKeyword*>(kw.get());
      if (!members) continue;
      for (const auto& [name, node] : members->property_list) {
        if (name != property || node->kind != Node::Kind::kObject || node->keywords.size() != 1)
          continue;
        const auto* c = dynamic_cast<const ConstKeyword*>(node->keywords[0].get());
        if (c && c->value.is_string())
          return std::string(c->value.get_string().data(), c->value.get_string().size());
      }
    }
    return std::nullopt;
  };
  const Node* first = branches[0];
  if (first->kind != Node::Kind::kObject) return std::nullopt;
  for (const auto& kw : first->keywords) {
    const auto* members = dynamic_cast<const ObjectMembersKeyword*>(kw.get());
    if (!members) continue;
    for (const auto& candidate : members->property_list) {
      Discriminator d;
      d.property = candidate.first;
      for (const Node* branch : branches) {
        auto value = pinned(branch, d.property);
        if (!value || std::find(d.values.begin(), d.values.end(), *value) != d.values.end()) {
          d.values.clear();
          break;
        }
        d.values.push_back(*value);
      }
      if (d.values.size() == branches.size()) return d;
    }
  }
  return std::nullopt;
}

bool AnyOfKeyword::Evaluate(EvalContext& ctx, const json::value& v, Annotations* ann) const {
  // First a fail-fast pass: the common case (some branch passes) builds no error at all.
  auto* saved = ctx.SuspendErrors();
  bool any = false;
  std::size_t pick = discriminator ? discriminator->Select(v) : Discriminator::kUndecided;
  if (pick == Discriminator::kUndecided) {
    for (const Node* node : schemas) {
      if (EvaluateInPlace(*node, ctx, v, ann)) {
        any = true;
        if (!ann) break;  // annotations need every passing branch
      }
    }
  } else if (pick != Discriminator::kNoBranch) {
    any = EvaluateInPlace(*schemas[pick], ctx, v, ann);
  }
  ctx.ResumeErrors(saved);
  if (any) return true;
  if (ctx.collecting()) {
    for (const Node* node : schemas)
      if (ctx.Spend()) (void)node->Evaluate(ctx, v, nullptr);
    if (ctx.collecting())
      ReportCold([&] { ctx.AddError("anyOf", schema_path, {}, "must match a schema in anyOf"); });
  }
  return false;
}

bool OneOfKeyword::Evaluate(EvalContext& ctx, const json::value& v, Annotations* ann) const {
  auto* saved = ctx.SuspendErrors();
  boost::container::small_vector<std::size_t, 4> passing;
  boost::container::small_vector<bool, 16> passed(schemas.size(), false);
  std::optional<Annotations> winner;
  std::size_t pick = discriminator ? discriminator->Select(v) : Discriminator::kUndecided;
  for (std::size_t i = 0; i < schemas.size(); ++i) {
    // With a discriminator, the branches it rules out are known to fail.
    if (pick != Discriminator::kUndecided && pick != i) continue;
    std::optional<Annotations> mine;
    if (ann) mine.emplace(ContainerSize(v));
    if (ctx.Spend() && schemas[i]->Evaluate(ctx, v, mine ? &*mine : nullptr)) {
      passing.push_back(i);
      passed[i] = true;
      if (mine) winner = std::move(mine);
      if (passing.size() > 1 && !saved) break;  // fail-fast: the verdict is known
    }
  }
  ctx.ResumeErrors(saved);
  if (passing.size() == 1) {
    if (ann && winner) ann->Merge(*winner);
    return true;
  }
  if (ctx.collecting()) {
    // ajv keeps the errors of the branches that failed, whatever the count that passed.
    for (std::size_t i = 0; i < schemas.size(); ++i)
      if (!passed[i] && ctx.Spend()) (void)schemas[i]->Evaluate(ctx, v, nullptr);
    json::value passing_param = nullptr;
    if (passing.size() > 1) {
      json::array pair;
      pair.emplace_back(passing[0]);
      pair.emplace_back(passing[1]);
      passing_param = std::move(pair);
    }
    if (ctx.collecting())
      ReportCold([&] {
        ctx.AddError("oneOf", schema_path, {{"passingSchemas", passing_param}},
                     "must match exactly one schema in oneOf");
      });
  }
  return false;
}

bool NotKeyword::Evaluate(EvalContext& ctx, const json::value& v, Annotations*) const {
  auto* saved = ctx.SuspendErrors();
  bool inner = ctx.Spend() && schema->Evaluate(ctx, v, nullptr);
  ctx.ResumeErrors(saved);
  if (!inner) return true;
  if (ctx.collecting())
    ReportCold([&] { ctx.AddError("not", schema_path, {}, "must NOT be valid"); });
  return false;
}

bool IfKeyword::Evaluate(EvalContext& ctx, const json::value& v, Annotations* ann) const {
  // Without then/else, `if` matters only for the annotations it leaves.
  if (!then_schema && !else_schema && !ann) return true;
  auto* saved = ctx.SuspendErrors();
  bool condition = EvaluateInPlace(*if_schema, ctx, v, ann);
  ctx.ResumeErrors(saved);
  const Node* branch = condition ? then_schema : else_schema;
  if (branch == nullptr) return true;
  if (EvaluateInPlace(*branch, ctx, v, ann)) return true;
  const char* which = condition ? "then" : "else";
  if (ctx.collecting())
    ReportCold([&] {
      ctx.AddError("if", schema_path, {{"failingKeyword", which}},
                   std::string("must match \"") + which + "\" schema");
    });
  return false;
}

// ---------------------------------------------------------------------------------------------
// References

bool RefKeyword::Evaluate(EvalContext& ctx, const json::value& v, Annotations* ann) const {
  const Node* node = target;
  if (mode == Mode::kDynamic && !dynamic_anchor.empty()) {
    // The outermost resource in the dynamic scope that declares the anchor wins.
    for (const Resource* r : ctx.scope()) {
      auto it = r->dynamic_anchors.find(dynamic_anchor);
      if (it != r->dynamic_anchors.end()) {
        node = it->second;
        break;
      }
    }
  } else if (mode == Mode::kRecursive && target->resource->recursive_anchor) {
    for (const Resource* r : ctx.scope()) {
      if (r->recursive_anchor) {
        node = r->root;
        break;
      }
    }
  }
  if (!ctx.Spend()) return false;
  // Only references can loop back without consuming the instance, so only they count depth.
  if (ctx.depth >= kMaxEvaluationDepth) {
    if (ctx.collecting())
      ReportCold([&] {
        ctx.AddError("$ref", node->schema_path, {{"depth", kMaxEvaluationDepth}},
                     "must not follow more than " + std::to_string(kMaxEvaluationDepth) +
                         " nested references without consuming the instance");
      });
    return false;
  }
  ++ctx.depth;
  // A reference may land inside another resource: that resource joins the dynamic scope.
  auto& scope = ctx.scope();
  bool entered = ctx.track_scope && (scope.empty() || scope.back() != node->resource);
  if (entered) scope.push_back(node->resource);
  bool ok = EvaluateInPlace(*node, ctx, v, ann);
  if (entered) scope.pop_back();
  --ctx.depth;
  return ok;
}

bool UnevaluatedKeyword::Evaluate(EvalContext& ctx, const json::value& v, Annotations* ann) const {
  bool ok = true;
  if (!on_items) {
    const auto* o = v.if_object();
    if (!o) return true;
    std::size_t index = 0;
    for (auto it = o->begin(); it != o->end(); ++it, ++index) {
      if (ann->IsMarked(index)) continue;
      std::string_view key(it->key().data(), it->key().size());
      if (schema->kind == Node::Kind::kFalse) {
        ok = false;
        if (!ctx.collecting()) return false;
        if (ctx.collecting())
          ReportCold([&] {
            ctx.AddError("unevaluatedProperties", schema_path, {{"unevaluatedProperty", it->key()}},
                         "must NOT have unevaluated properties");
          });
      } else if (!EvaluateAtKey(*schema, ctx, key, it->value())) {
        ok = false;
        if (!ctx.collecting()) return false;
      }
    }
  } else {
    const auto* a = v.if_array();
    if (!a) return true;
    for (std::size_t i = 0; i < a->size(); ++i) {
      if (ann->IsMarked(i)) continue;
      if (schema->kind == Node::Kind::kFalse) {
        // ajv reports one error for the first unevaluated item, naming how many were allowed.
        if (ctx.collecting())
          ReportCold([&] {
            ctx.AddError("unevaluatedItems", schema_path, {{"limit", i}},
                         "must NOT have more than " + std::to_string(i) + " items");
          });
        return false;
      }
      if (!EvaluateAtIndex(*schema, ctx, i, (*a)[i])) {
        ok = false;
        if (!ctx.collecting()) return false;
      }
    }
  }
  if (ok) ann->MarkAll();
  return ok;
}

// ---------------------------------------------------------------------------------------------
// Prepared errors: everything about a keyword's error but where it happened.

void EnumKeyword::Prepare() {
  error = {"enum",
           schema_path,
           {{"allowedValues", values}},
           "must be equal to one of the allowed values"};
}

void ConstKeyword::Prepare() {
  error = {"const", schema_path, {{"allowedValue", value}}, "must be equal to constant"};
}

void MultipleOfKeyword::Prepare() {
  error = {"multipleOf",
           schema_path,
           {{"multipleOf", divisor}},
           "must be multiple of " + JsNumber(divisor)};
}

void NumberLimitKeyword::Prepare() {
  const char* comparison = op == Op::kGe ? ">=" : op == Op::kLe ? "<=" : op == Op::kGt ? ">" : "<";
  error = {keyword,
           schema_path,
           {{"comparison", comparison}, {"limit", limit}},
           std::string("must be ") + comparison + " " + JsNumber(limit)};
}

void StringLengthKeyword::Prepare() {
  error = {keyword,
           schema_path,
           {{"limit", limit}},
           std::string("must NOT have ") + (is_max ? "more" : "fewer") + " than " +
               std::to_string(limit) + " characters"};
}

void PatternKeyword::Prepare() {
  error = {"pattern", schema_path, {{"pattern", source}}, Quoted("must match pattern ", source)};
}

void FormatKeyword::Prepare() {
  error = {"format", schema_path, {{"format", name}}, Quoted("must match format ", name)};
}

void CountKeyword::Prepare() {
  error = {keyword,
           schema_path,
           {{"limit", limit}},
           std::string("must NOT have ") + (is_max ? "more" : "fewer") + " than " +
               std::to_string(limit) + (on_object ? " properties" : " items")};
}

void RequiredKeyword::Prepare() {
  errors.clear();
  for (const auto& name : names)
    errors.push_back({"required",
                      schema_path,
                      {{"missingProperty", name}},
                      "must have required property '" + name + "'"});
}

}  // namespace capconf::schema::internal
