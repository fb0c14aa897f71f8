#include "capconf/schema/schema.h"

#include <mutex>

#include "builtin_metaschemas.h"
#include "capconf/json/parse.h"
#include "compiler.h"
#include "internal.h"

namespace capconf::schema {
namespace json = boost::json;

std::optional<Dialect> ParseDialect(std::string_view name) {
  if (name == "draft7" || name == "draft-07") return Dialect::kDraft7;
  if (name == "2019-09" || name == "draft2019-09") return Dialect::kDraft2019_09;
  if (name == "2020-12" || name == "draft2020-12") return Dialect::kDraft2020_12;
  return std::nullopt;
}

std::string_view DialectName(Dialect dialect) {
  switch (dialect) {
    case Dialect::kDraft7:
      return "draft7";
    case Dialect::kDraft2019_09:
      return "2019-09";
    case Dialect::kDraft2020_12:
      return "2020-12";
  }
  return "";
}

json::object ValidationError::ToJson() const {
  json::object o;
  o.reserve(5);
  o.emplace("instancePath", instance_path);
  o.emplace("schemaPath", schema_path);
  o.emplace("keyword", keyword);
  o.emplace("params", params ? *params : json::object());
  o.emplace("message", message);
  return o;
}

ValidationResult::ValidationResult() = default;
ValidationResult::~ValidationResult() {
  errors_.clear();  // the views go before what they point into
}
ValidationResult::ValidationResult(ValidationResult&&) noexcept = default;
ValidationResult& ValidationResult::operator=(ValidationResult&&) noexcept = default;

struct Schema::Impl {
  internal::CompiledGraph graph;
};

Schema::Schema(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Schema::~Schema() = default;

Dialect Schema::dialect() const { return impl_->graph.dialect; }

bool Schema::IsValid(const json::value& instance) const {
  internal::EvalContext ctx(nullptr);
  ctx.track_scope = impl_->graph.uses_dynamic_scope;
  return impl_->graph.root->Evaluate(ctx, instance, nullptr) && !ctx.over_budget();
}

ValidationResult Schema::Validate(const json::value& instance) const {
  ValidationResult result;
  internal::EvalContext ctx(&result.errors_, &result.storage_, this);
  ctx.track_scope = impl_->graph.uses_dynamic_scope;
  impl_->graph.root->Evaluate(ctx, instance, nullptr);
  if (ctx.over_budget()) {
    // Whatever was found before the budget ran out stays; the verdict is "invalid".
    ctx.AddError("evaluationBudget", "#", {{"limit", internal::EvalContext::kMaxApplications}},
                 "evaluation stopped after " +
                     std::to_string(internal::EvalContext::kMaxApplications) +
                     " subschema applications: the schema is too costly for this instance");
  }
  return result;
}

namespace {

// The metaschema of each built-in dialect, compiled once per process on first use.
Result<std::shared_ptr<const Schema>> MetaschemaFor(Dialect dialect) {
  static std::mutex mu;
  static std::shared_ptr<const Schema> cache[3];
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = cache[static_cast<int>(dialect)];
  if (slot) return slot;
  std::string_view uri = internal::MetaschemaUriOf(dialect);
  const std::string_view* text = internal::FindBuiltinMetaschema(uri);
  if (text == nullptr) return InternalError("built-in metaschema missing: " + std::string(uri));
  auto doc = capconf::json::Parse(*text, {.max_bytes = 1 << 20, .max_depth = 256});
  if (!doc.ok()) return InternalError("built-in metaschema unreadable: " + doc.status().message());
  CompileOptions options;
  options.default_dialect = dialect;
  options.validate_against_metaschema = false;
  // ajv does not assert formats while checking a schema against its metaschema; `pattern`
  // values are checked (in the `u` mode that applies to them) when they compile.
  options.formats = FormatMode::kAnnotate;
  options.base_uri = std::string(uri);
  auto compiled = Schema::Compile(*doc, options);
  if (!compiled.ok()) return compiled.status();
  slot = *compiled;
  return slot;
}

}  // namespace

Result<std::shared_ptr<const Schema>> Schema::Compile(const json::value& document,
                                                      const CompileOptions& options) {
  auto impl = std::make_unique<Impl>();
  try {
    CAPCONF_RETURN_IF_ERROR(internal::CompileGraph(document, options, impl->graph));
  } catch (const std::exception& e) {
    // Boost.JSON and the standard library may throw (allocation, bad access); a bad schema
    // must come back as an error, never as a crash.
    return InvalidArgumentError(std::string("schema could not be compiled: ") + e.what());
  }
  std::shared_ptr<const Schema> schema(new Schema(std::move(impl)));
  if (options.validate_against_metaschema) {
    auto meta = MetaschemaFor(schema->dialect());
    if (!meta.ok()) return meta.status();
    auto errors = (*meta)->Validate(document);
    if (!errors.empty()) {
      const ValidationError& first = errors.front();
      std::string message = "schema is not a valid " + std::string(DialectName(schema->dialect())) +
                            " schema: #" + std::string(first.instance_path) + " " +
                            std::string(first.message);
      if (errors.size() > 1)
        message += " (and " + std::to_string(errors.size() - 1) + " more errors)";
      return InvalidArgumentError(std::move(message));
    }
  }
  return schema;
}

}  // namespace capconf::schema
