#pragma once
// The JSON Schema engine: compile once, evaluate many.
//
// A Schema is compiled from a JSON document in one of three dialects (draft-07, 2019-09,
// 2020-12, chosen by `$schema`), with every `$ref` resolved at compile time: inside the
// document, by `$id`/`$anchor`, through the built-in metaschemas, or through the caller's
// Resolver (the catalog maps `capability:rag` to its schema there). A compiled Schema is
// immutable; Validate and IsValid may run on many threads at once.
//
// Verdicts follow the drafts; error objects have the shape ajv 8 gives them (instancePath,
// schemaPath, keyword, params, message), so the page can put them next to its fields.

#include <boost/json/value.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capconf/common/status.h"

namespace capconf::schema {

enum class Dialect { kDraft7, kDraft2019_09, kDraft2020_12 };

// Parses "draft7", "2019-09" or "2020-12" (the CLI's spelling).
std::optional<Dialect> ParseDialect(std::string_view name);
std::string_view DialectName(Dialect dialect);

enum class FormatMode {
  kAssert,    // `format` is a constraint, as ajv-formats' full mode makes it (the default)
  kAnnotate,  // `format` is only an annotation, as 2019-09 and 2020-12 specify by default
};

// Returns the document at an absolute URI (no fragment), or nullopt when it is unknown.
// Called only while compiling, never while validating.
using Resolver = std::function<std::optional<boost::json::value>(std::string_view uri)>;

struct CompileOptions {
  Dialect default_dialect = Dialect::kDraft7;  // when the root has no `$schema` (ajv's default)
  FormatMode formats = FormatMode::kAssert;
  Resolver resolver;  // may be empty: then only in-document and built-in refs resolve
  // Check the schema against its dialect's metaschema before compiling (as ajv does).
  bool validate_against_metaschema = true;
  // The base URI of a root without `$id`; empty keeps its refs document-relative.
  std::string base_uri;
};

// One violation, shaped as ajv reports it. Its parts are views: they stay valid as long as the
// ValidationResult that holds the error (which keeps the compiled schema alive too).
struct ValidationError {
  std::string_view instance_path;  // JSON Pointer into the instance ("" is the root)
  std::string_view schema_path;    // "#/properties/a/type", or "URI#/pointer" in another resource
  std::string_view keyword;        // "type", "required", ... ("false schema" for a false schema)
  const boost::json::object* params = nullptr;  // never null in a result
  std::string_view message;                     // ajv's English message, e.g. "must be <= 2048"

  // {instancePath, schemaPath, keyword, params, message}, an independent copy.
  boost::json::object ToJson() const;
};

class Schema;

// Every violation of one evaluation, in evaluation order; empty means valid. Reporting an error
// allocates nothing per error beyond an arena shared by all of them, which this object owns.
class ValidationResult {
 public:
  ValidationResult();
  ~ValidationResult();
  ValidationResult(ValidationResult&&) noexcept;
  ValidationResult& operator=(ValidationResult&&) noexcept;

  bool valid() const { return errors_.empty(); }
  bool empty() const { return errors_.empty(); }
  std::size_t size() const { return errors_.size(); }
  const ValidationError& operator[](std::size_t i) const { return errors_[i]; }
  const ValidationError& front() const { return errors_.front(); }
  std::vector<ValidationError>::const_iterator begin() const { return errors_.begin(); }
  std::vector<ValidationError>::const_iterator end() const { return errors_.end(); }
  const std::vector<ValidationError>& errors() const { return errors_; }

  struct Storage;  // the arena and what keeps the schema's texts alive

 private:
  friend class Schema;
  std::vector<ValidationError> errors_;
  std::unique_ptr<Storage> storage_;
};

class Schema : public std::enable_shared_from_this<Schema> {
 public:
  // Compiles `document`. Fails with InvalidArgument naming the JSON Pointer of the offending
  // keyword for a bad keyword value, an unresolvable `$ref`, a pattern that does not compile,
  // or a document that is not a schema of its dialect. Never crashes on hostile input.
  static Result<std::shared_ptr<const Schema>> Compile(const boost::json::value& document,
                                                       const CompileOptions& options = {});

  ~Schema();
  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;

  // Fail-fast verdict: stops at the first violation and builds no error objects.
  bool IsValid(const boost::json::value& instance) const;

  // Every violation, in evaluation order; empty means valid.
  ValidationResult Validate(const boost::json::value& instance) const;

  Dialect dialect() const;

  struct Impl;

 private:
  explicit Schema(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace capconf::schema
