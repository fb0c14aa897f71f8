#pragma once
// The keyword evaluators. The compiler builds them (compiler.cc); each one checks one rule and
// reports ajv-shaped errors. Field values are set once at compile time and never change.

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ascii_dfa.h"
#include "ecma_regex.h"
#include "format_limits.h"
#include "formats.h"
#include "internal.h"

namespace capconf::schema::internal {

class EnumKeyword final : public Keyword {
 public:
  boost::json::array values;
  std::unordered_set<std::string_view> strings;  // views into `values`, when all are strings
  bool all_strings = false;
  std::string schema_path;
  PreparedError error;
  void Prepare() override;
  bool Evaluate(EvalContext& ctx, const boost::json::value& v, Annotations*) const override;
};

class ConstKeyword final : public Keyword {
 public:
  boost::json::value value;
  std::string schema_path;
  PreparedError error;
  void Prepare() override;
  bool Evaluate(EvalContext& ctx, const boost::json::value& v, Annotations*) const override;
};

class MultipleOfKeyword final : public Keyword {
 public:
  boost::json::value divisor;
  std::string schema_path;
  PreparedError error;
  void Prepare() override;
  bool Evaluate(EvalContext& ctx, const boost::json::value& v, Annotations*) const override;
};

// minimum, maximum, exclusiveMinimum, exclusiveMaximum.
class NumberLimitKeyword final : public Keyword {
 public:
  enum class Op { kGe, kLe, kGt, kLt };
  Op op = Op::kGe;
  boost::json::value limit;
  long double limit_ld = 0;
  std::string keyword;
  std::string schema_path;
  PreparedError error;
  void Prepare() override;
  bool Evaluate(EvalContext& ctx, const boost::json::value& v, Annotations*) const override;
};

// minLength, maxLength (code points, as ajv counts them).
class StringLengthKeyword final : public Keyword {
 public:
  bool is_max = false;
  std::uint64_t limit = 0;
  std::string keyword;
  std::string schema_path;
  PreparedError error;
  void Prepare() override;
  bool Evaluate(EvalContext& ctx, const boost::json::value& v, Annotations*) const override;
};

class PatternKeyword final : public Keyword {
 public:
  std::unique_ptr<const EcmaRegex> regex;
  std::unique_ptr<const AsciiDfa> dfa;  // when the pattern is simple enough; then used instead
  std::string source;
  std::string schema_path;
  PreparedError error;
  void Prepare() override;
  bool Evaluate(EvalContext& ctx, const boost::json::value& v, Annotations*) const override;
};

class FormatKeyword final : public Keyword {
 public:
  std::string name;
  FormatCheck string_check = nullptr;
  enum class NumberFormat { kNone, kInt32, kInt64, kAnyNumber } number_format = NumberFormat::kNone;
  std::string schema_path;
  PreparedError error;
  void Prepare() override;
  bool Evaluate(EvalContext& ctx, const boost::json::value& v, Annotations*) const override;
};

// formatMinimum/formatMaximum/formatExclusiveMinimum/formatExclusiveMaximum (ajv-formats).
class FormatLimitKeyword final : public Keyword {
 public:
  FormatCompare compare = nullptr;
  std::string limit;
  std::string keyword;
  std::string comparison;  // the passing relation: ">=", "<=", ">" or "<"
  std::string schema_path;
  bool Evaluate(EvalContext& ctx, const boost::json::value& v, Annotations*) const override;
};

// prefixItems/items (2020-12) and items/additionalItems (draft-07, 2019-09).
class ItemsKeyword final : public Keyword {
 public:
  std::vector<const Node*> prefix;
  bool has_prefix = false;  // array form or prefixItems present
  const Node* rest = nullptr;
  std::string rest_keyword;  // "items" or "additionalItems"
  std::string rest_path;     // schemaPath of the rest keyword
  bool Evaluate(EvalContext& ctx, const boost::json::value& v, Annotations* ann) const override;
};

class ContainsKeyword final : public Keyword {
 public:
  const Node* schema = nullptr;
  std::uint64_t min = 1;
  std::optional<std::uint64_t> max;
  bool annotates = false;   // 2020-12: matched items count as evaluated
  std::string schema_path;  // of "contains"
  std::string min_path, max_path;
  bool Evaluate(EvalContext& ctx, const boost::json::value& v, Annotations* ann) const override;
};

// minItems, maxItems, minProperties, maxProperties.
class CountKeyword final : public Keyword {
 public:
  bool is_max = false;
  bool on_object = false;
  std::uint64_t limit = 0;
  std::string keyword;
  std::string schema_path;
  PreparedError error;
  void Prepare() override;
  bool Evaluate(EvalContext& ctx, const boost::json::value& v, Annotations*) const override;
};

class UniqueItemsKeyword final : public Keyword {
 public:
  std::string schema_path;
  bool Evaluate(EvalContext& ctx, const boost::json::value& v, Annotations*) const override;
};

class RequiredKeyword final : public Keyword {
 public:
  std::vector<std::string> names;
  std::string schema_path;
  int Phase() const override { return 1; }
  std::vector<PreparedError> errors;  // one per name
  void Prepare() override;
  bool Evaluate(EvalContext& ctx, const boost::json::value& v, Annotations*) const override;
};

// dependentRequired, and the array form of draft-07 `dependencies`.
class DependentRequiredKeyword final : public Keyword {
 public:
  struct Rule {
    std::string property;
    std::vector<std::string> required;
  };
  std::vector<Rule> rules;
  std::string keyword;
  std::string schema_path;
  int Phase() const override { return 1; }
  bool Evaluate(EvalContext& ctx, const boost::json::value& v, Annotations*) const override;
};

// dependentSchemas, and the schema form of `dependencies`.
class DependentSchemasKeyword final : public Keyword {
 public:
  std::vector<std::pair<std::string, const Node*>> rules;
  bool Evaluate(EvalContext& ctx, const boost::json::value& v, Annotations* ann) const override;
};

// properties + patternProperties + additionalProperties in one pass over the members.
struct TransparentStringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class ObjectMembersKeyword final : public Keyword {
 public:
  std::unordered_map<std::string, std::size_t, TransparentStringHash, std::equal_to<>>
      property_index;                                              // name -> position in list
  std::vector<std::pair<std::string, const Node*>> property_list;  // schema order
  std::vector<std::pair<std::unique_ptr<const EcmaRegex>, const Node*>> patterns;
  const Node* additional = nullptr;
  std::string additional_path;
  // `required` names that are all among the properties are checked in the same pass: the
  // position of each in property_list, and their prepared errors in the same order.
  std::vector<std::size_t> required_positions;
  std::vector<PreparedError> required_errors;
  bool Evaluate(EvalContext& ctx, const boost::json::value& v, Annotations* ann) const override;

 private:
  // The schema of a member, searched for; on a match, `hint` becomes the position after it,
  // where the next member of an instance in the schema's order will be.
  const Node* FindProperty(std::string_view name, std::size_t& hint) const;
};

class PropertyNamesKeyword final : public Keyword {
 public:
  const Node* schema = nullptr;
  std::string schema_path;
  bool Evaluate(EvalContext& ctx, const boost::json::value& v, Annotations*) const override;
};

class AllOfKeyword final : public Keyword {
 public:
  std::vector<const Node*> schemas;
  bool Evaluate(EvalContext& ctx, const boost::json::value& v, Annotations* ann) const override;
};

// When every branch of an anyOf/oneOf pins one property to its own string constant (as the
// rag capability's document sources do with "type"), only the branch naming the instance's
// value can pass; the others need not run. Built by the compiler when the branches allow it.
struct Discriminator {
  static constexpr std::size_t kUndecided = SIZE_MAX;     // the instance does not decide
  static constexpr std::size_t kNoBranch = SIZE_MAX - 1;  // no branch can pass
  std::string property;
  std::vector<std::string> values;  // values[i]: the constant of branch i
  std::size_t Select(const boost::json::value& v) const;
};

// Finds a discriminator for `branches`, or returns nothing when they are not of that shape.
std::optional<Discriminator> FindDiscriminator(const std::vector<const Node*>& branches);

class AnyOfKeyword final : public Keyword {
 public:
  std::vector<const Node*> schemas;
  std::optional<Discriminator> discriminator;
  std::string schema_path;
  bool Evaluate(EvalContext& ctx, const boost::json::value& v, Annotations* ann) const override;
};

class OneOfKeyword final : public Keyword {
 public:
  std::vector<const Node*> schemas;
  std::optional<Discriminator> discriminator;
  std::string schema_path;
  bool Evaluate(EvalContext& ctx, const boost::json::value& v, Annotations* ann) const override;
};

class NotKeyword final : public Keyword {
 public:
  const Node* schema = nullptr;
  std::string schema_path;
  bool Evaluate(EvalContext& ctx, const boost::json::value& v, Annotations*) const override;
};

class IfKeyword final : public Keyword {
 public:
  const Node* if_schema = nullptr;
  const Node* then_schema = nullptr;  // may be null
  const Node* else_schema = nullptr;  // may be null
  std::string schema_path;            // of "if"
  bool Evaluate(EvalContext& ctx, const boost::json::value& v, Annotations* ann) const override;
};

// $ref, and $dynamicRef / $recursiveRef whose target may move with the dynamic scope.
class RefKeyword final : public Keyword {
 public:
  enum class Mode { kStatic, kDynamic, kRecursive };
  Mode mode = Mode::kStatic;
  const Node* target = nullptr;
  std::string dynamic_anchor;  // kDynamic: the anchor name, when the static target declares it
  bool Evaluate(EvalContext& ctx, const boost::json::value& v, Annotations* ann) const override;
};

class UnevaluatedKeyword final : public Keyword {
 public:
  bool on_items = false;
  const Node* schema = nullptr;
  std::string schema_path;
  bool Evaluate(EvalContext& ctx, const boost::json::value& v, Annotations* ann) const override;
  int Phase() const override { return 2; }
};

}  // namespace capconf::schema::internal
