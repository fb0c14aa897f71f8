#pragma once
// The compiled form of a schema: a graph of Nodes (one per schema object or boolean) whose
// Keywords evaluate an instance. Refs are edges, so the graph may have cycles; every Node is
// owned by the Schema::Impl that compiled it and lives as long as it.

#include <array>
#include <boost/container/small_vector.hpp>
#include <boost/json.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "capconf/schema/schema.h"

namespace capconf::schema::internal {

struct Node;

// A schema resource: a document root or a subschema with its own `$id`. Dynamic references
// look resources up by the anchors they declare.
struct Resource {
  std::string uri;                // canonical, no fragment
  std::string path_prefix;        // "#" for the root resource, "URI#" for others (schemaPath)
  bool recursive_anchor = false;  // 2019-09 `$recursiveAnchor: true` at its root
  Node* root = nullptr;
  std::unordered_map<std::string, Node*> dynamic_anchors;
};

// Which members of an object (by position) or items of an array (by index) some keyword has
// evaluated: the annotations that `unevaluatedProperties`/`unevaluatedItems` consult. Only
// built when a schema needs them.
class Annotations {
 public:
  explicit Annotations(std::size_t size) : marks_(size, 0) {}
  void Mark(std::size_t i) { marks_[i] = 1; }
  void MarkAll() { all_ = true; }
  void MarkFrom(std::size_t start) {
    for (std::size_t i = start; i < marks_.size(); ++i) marks_[i] = 1;
  }
  bool IsMarked(std::size_t i) const { return all_ || marks_[i] != 0; }
  void Merge(const Annotations& other) {
    if (other.all_) all_ = true;
    for (std::size_t i = 0; i < marks_.size() && i < other.marks_.size(); ++i)
      marks_[i] |= other.marks_[i];
  }

 private:
  std::vector<std::uint8_t> marks_;
  bool all_ = false;
};

// An error whose every part but the instance location is known when the schema compiles;
// keywords build theirs once, so reporting it copies instead of formatting.
struct PreparedError {
  std::string keyword;
  std::string schema_path;
  boost::json::object params;
  std::string message;
};

// One step of the instance location being evaluated. Frames live on the C++ stack of the
// evaluation, each pointing at its parent, so descending costs three stores.
struct PathFrame {
  const PathFrame* parent = nullptr;
  std::string_view key;  // valid when !is_index
  std::size_t index = 0;
  bool is_index = false;
};

}  // namespace capconf::schema::internal

namespace capconf::schema {

// What a ValidationResult's errors point into: the compiled schema (prepared texts and params)
// and an arena for what each evaluation makes (instance paths, dynamic texts and params).
struct ValidationResult::Storage {
  explicit Storage(std::shared_ptr<const Schema> s)
      : schema(std::move(s)), params_storage(&arena) {}
  std::string_view Copy(std::string_view text) {
    if (text.empty()) return {};
    char* p = static_cast<char*>(arena.allocate(text.size(), 1));
    std::memcpy(p, text.data(), text.size());
    return {p, text.size()};
  }

  // Params of an error not prepared at compile time, made in the arena. Never destroyed: all
  // its memory is the arena's, released at once with it.
  const boost::json::object& MakeParams(
      std::initializer_list<std::pair<boost::json::string_view, boost::json::value_ref>> init) {
    void* place = arena.allocate(sizeof(boost::json::object), alignof(boost::json::object));
    return *new (place) boost::json::object(init, init.size(), params_storage);
  }

  std::shared_ptr<const Schema> schema;
  boost::json::monotonic_resource arena{2048};
  boost::json::storage_ptr params_storage;  // non-owning, over `arena`
};

}  // namespace capconf::schema

namespace capconf::schema::internal {

// Per-evaluation state; lives on the caller's stack, so a Schema stays shareable.
class EvalContext {
 public:
  // Fail-fast when `errors` is null; otherwise errors go to `errors`, their storage to `storage`
  // (made on the first error, keeping `schema` alive).
  EvalContext(std::vector<ValidationError>* errors,
              std::unique_ptr<ValidationResult::Storage>* storage, const Schema* schema)
      : errors_(errors), storage_(storage), schema_(schema) {}
  explicit EvalContext(std::nullptr_t) : errors_(nullptr), storage_(nullptr), schema_(nullptr) {}

  // False in fail-fast mode: keywords stop at the first violation and build no errors.
  bool collecting() const { return errors_ != nullptr; }

  using Params = std::initializer_list<std::pair<boost::json::string_view, boost::json::value_ref>>;

  // Records an error whose parts are made now (texts are copied into the result's arena).
  void AddError(std::string_view keyword, std::string_view schema_path, Params params,
                std::string_view message);
  // Records a prepared error: only the instance location is new.
  void AddError(const PreparedError& error);

  std::size_t error_count() const { return errors_ ? errors_->size() : 0; }
  void TruncateErrors(std::size_t count) {
    if (errors_) errors_->resize(count);
  }

  // Temporarily switches to fail-fast (for subschemas whose errors would be discarded).
  std::vector<ValidationError>* SuspendErrors() {
    auto* saved = errors_;
    errors_ = nullptr;
    return saved;
  }
  void ResumeErrors(std::vector<ValidationError>* saved) { errors_ = saved; }

  const PathFrame* path() const { return path_; }
  void set_path(const PathFrame* frame) { path_ = frame; }
  std::string_view InstancePath();  // in the result's arena

  using Scope = boost::container::small_vector<const Resource*, 8>;
  Scope& scope() { return scope_; }
  int depth = 0;

  // Counts one application of a subschema to the instance location it is already at (a
  // reference, a branch of allOf/anyOf/oneOf/not/if). Those are what can multiply without
  // consuming the instance (`allOf: [{$ref: "#"}, {$ref: "#"}]` doubles at every level), so a
  // hostile schema stops at a budget instead of running for years. False once it is spent.
  bool Spend() {
    if (++applications_ <= kMaxApplications) return true;
    over_budget_ = true;
    return false;
  }
  bool over_budget() const { return over_budget_; }
  static constexpr std::uint32_t kMaxApplications = 1'000'000;
  // Only $dynamicRef and $recursiveRef read the dynamic scope; without them it is not kept.
  bool track_scope = true;

 private:
  ValidationResult::Storage& storage();

  std::vector<ValidationError>* errors_;
  std::unique_ptr<ValidationResult::Storage>* storage_;
  const Schema* schema_;
  // Inline capacity: a validation allocates nothing unless it reports errors.
  const PathFrame* path_ = nullptr;  // innermost step; null at the root
  std::uint32_t applications_ = 0;
  bool over_budget_ = false;
  Scope scope_;  // dynamic scope, outermost first
};

class Keyword {
 public:
  virtual ~Keyword() = default;
  // Returns whether the instance satisfies this keyword. `annotations`, when not null, receives
  // the members/items this keyword evaluated (only applicators write it).
  virtual bool Evaluate(EvalContext& ctx, const boost::json::value& instance,
                        Annotations* annotations) const = 0;
  // Keywords that must see the annotations of all others in their schema run last.
  // Evaluation order within a schema: cheap discriminating keywords (phase 0) first, lookups of
  // required members next (1), and keywords that need everyone's annotations last (2).
  virtual int Phase() const { return 0; }
  // Called once the compiler has set the keyword's fields: builds its prepared errors.
  virtual void Prepare() {}
};

// JSON types as bits, so `type: ["string","null"]` is one AND.
enum TypeBit : std::uint8_t {
  kNullBit = 1,
  kBooleanBit = 2,
  kObjectBit = 4,
  kArrayBit = 8,
  kNumberBit = 16,
  kStringBit = 32,
  kIntegerBit = 64,
};

// The type bits of each Boost.JSON kind (a double's integrality is checked apart).
constexpr std::array<std::uint8_t, 8> MakeKindBits() {
  std::array<std::uint8_t, 8> bits{};
  bits[static_cast<int>(boost::json::kind::null)] = kNullBit;
  bits[static_cast<int>(boost::json::kind::bool_)] = kBooleanBit;
  bits[static_cast<int>(boost::json::kind::int64)] = kNumberBit | kIntegerBit;
  bits[static_cast<int>(boost::json::kind::uint64)] = kNumberBit | kIntegerBit;
  bits[static_cast<int>(boost::json::kind::double_)] = kNumberBit;
  bits[static_cast<int>(boost::json::kind::string)] = kStringBit;
  bits[static_cast<int>(boost::json::kind::array)] = kArrayBit;
  bits[static_cast<int>(boost::json::kind::object)] = kObjectBit;
  return bits;
}
inline constexpr std::array<std::uint8_t, 8> kKindBits = MakeKindBits();

struct Node {
  enum class Kind { kTrue, kFalse, kObject };
  Kind kind = Kind::kObject;
  const Resource* resource = nullptr;
  std::string schema_path;  // "#/properties/a" style, where this node stands
  // `type`, checked inline before any keyword: most failing subschemas fail here.
  std::uint8_t type_mask = 0;  // 0: no `type` keyword
  PreparedError type_error;
  std::vector<std::unique_ptr<Keyword>> keywords;
  // It holds unevaluatedProperties/Items, so its keywords must report annotations.
  bool needs_annotations = false;
  bool is_resource_root = false;  // entering it enters its resource's dynamic scope

  // Inline: the common case (an object schema whose type matches) costs no extra call.
  bool Evaluate(EvalContext& ctx, const boost::json::value& instance,
                Annotations* annotations) const {
    if (fast_path && TypeMatches(instance)) return EvaluateKeywords(ctx, instance, annotations);
    return EvaluateSlow(ctx, instance, annotations);
  }

  // An object schema that needs neither its own annotations nor to enter a resource's dynamic
  // scope: evaluation is the type check and the keywords. Set by the compiler.
  bool fast_path = false;

  // Whether the instance is of a type `type` allows (numbers with an integral value are
  // integers too).
  bool TypeMatches(const boost::json::value& v) const {
    if (type_mask == 0 || (kKindBits[static_cast<int>(v.kind())] & type_mask) != 0) return true;
    // 1.0 is an integer too.
    return (type_mask & kIntegerBit) != 0 && v.is_double() && IsIntegral(v.get_double());
  }

 private:
  static bool IsIntegral(double d) { return std::isfinite(d) && std::trunc(d) == d; }

 private:
  bool EvaluateSlow(EvalContext& ctx, const boost::json::value& instance,
                    Annotations* annotations) const;
  bool EvaluateWithContext(EvalContext& ctx, const boost::json::value& instance,
                           Annotations* annotations) const;
  bool EvaluateKeywords(EvalContext& ctx, const boost::json::value& instance,
                        Annotations* annotations) const {
    bool ok = true;
    for (const auto& keyword : keywords) {
      if (!keyword->Evaluate(ctx, instance, annotations)) {
        ok = false;
        if (!ctx.collecting()) break;
      }
    }
    return ok;
  }
};

// Evaluates `node` at a child location of the instance (a property or an item).
inline bool EvaluateAtKey(const Node& node, EvalContext& ctx, std::string_view key,
                          const boost::json::value& value) {
  PathFrame frame{ctx.path(), key, 0, false};
  ctx.set_path(&frame);
  bool ok = node.Evaluate(ctx, value, nullptr);
  ctx.set_path(frame.parent);
  return ok;
}
inline bool EvaluateAtIndex(const Node& node, EvalContext& ctx, std::size_t index,
                            const boost::json::value& value) {
  PathFrame frame{ctx.path(), {}, index, true};
  ctx.set_path(&frame);
  bool ok = node.Evaluate(ctx, value, nullptr);
  ctx.set_path(frame.parent);
  return ok;
}

// Formats a number the way JavaScript's String(n) does, for ajv-identical messages.
std::string JsNumber(const boost::json::value& number);

// The maximum nesting of followed references; deeper means a reference cycle that consumes no
// instance depth (for example `{"$ref": "#"}`), which is reported as a violation.
inline constexpr int kMaxEvaluationDepth = 512;

}  // namespace capconf::schema::internal
