#pragma once
// The capability catalog and the offering templates, loaded from data (docs/catalog.md).
//
// A Catalog is built once from a set of files (the directory catalog/, or the copy compiled into
// the binary) and is immutable afterwards: every accessor may run on many threads at once. It
// owns its capabilities and templates; pointers to them live as long as the Catalog.
//
// Loading checks what the rest of the program relies on (shapes, ids, refs, rules, compilable
// schemas) and fails on the first file that breaks it; `capconf catalog check` (lint.h) runs the
// same checks and more, and reports every finding instead of the first.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "capconf/common/status.h"
#include "capconf/schema/schema.h"

namespace capconf::catalog {

// A set of capabilities of one catalog: bit i stands for the capability whose index() is i.
using CapabilitySet = std::uint64_t;
inline constexpr std::size_t kMaxCapabilities = 64;

// A dependency rule on other capabilities (the `requires` of a capability).
struct Rule {
  enum class Kind { kCapability, kAnyOf, kAllOf, kNot };
  Kind kind = Kind::kCapability;
  std::string capability;      // kCapability
  std::vector<Rule> operands;  // kAnyOf, kAllOf (one or more), kNot (exactly one)
};

// What must hold before a capability can run (docs/catalog.md, "Needs").
struct Need {
  enum class Kind { kConfig, kSecret, kResource };
  std::string id;
  Kind kind = Kind::kConfig;
  std::string pointer;   // inside the capability's section; "" for kResource
  std::string resource;  // kResource: the platform resource, e.g. "ragflow_collection"
  std::string message;   // a sentence for the buyer
  std::shared_ptr<const schema::Schema> when;     // may be null: the need always applies
  std::shared_ptr<const schema::Schema> require;  // kConfig only
};

struct CreditAction {
  std::string action;
  std::string label;
  std::string description;
};

class Capability {
 public:
  const std::string& id() const { return id_; }
  const std::string& label() const { return label_; }
  const std::string& description() const { return description_; }
  const std::string& runtime() const { return runtime_; }
  bool config_required() const { return config_required_; }
  bool universal() const { return universal_; }
  const std::optional<Rule>& requires_rule() const { return requires_; }
  const std::vector<Need>& needs() const { return needs_; }
  const std::vector<CreditAction>& credit_actions() const { return credit_actions_; }
  // The section's schema and UI schema as written (dotted UI keys not yet nested).
  const boost::json::value& schema() const { return schema_; }
  const boost::json::value& ui_schema() const { return ui_schema_; }
  // Pointers (inside the section) of every field marked writeOnly: the credentials.
  const std::vector<std::string>& secret_pointers() const { return secret_pointers_; }
  std::size_t index() const { return index_; }
  CapabilitySet bit() const { return CapabilitySet{1} << index_; }
  const std::string& file() const { return file_; }

  // The capability file's JSON, for listing it (id, label, ..., schema, ui_schema).
  boost::json::object ToJson() const;

 private:
  friend class CatalogLoader;
  std::string id_, label_, description_, runtime_, file_;
  bool config_required_ = false;
  bool universal_ = false;
  std::optional<Rule> requires_;
  std::vector<Need> needs_;
  std::vector<CreditAction> credit_actions_;
  boost::json::value schema_, ui_schema_;
  std::vector<std::string> secret_pointers_;
  std::size_t index_ = 0;
};

// One top-level key of a namespaced configuration document.
struct Section {
  std::string key;                         // "branding", "rag", "search_settings"
  std::string title;                       // shown above the section
  const Capability* capability = nullptr;  // null for an inline section of the template
  // An inline section's schema (without `x-key`); its `$ref`s point into the template's
  // config_schema. Null for a capability section.
  boost::json::value inline_schema;
  boost::json::value inline_ui_schema;  // from the template's optional `ui_schema`
  std::string schema_pointer;           // where it sits in the template file, for findings
};

class Template {
 public:
  const std::string& id() const { return id_; }
  int version() const { return version_; }
  const std::string& name() const { return name_; }
  const std::string& description() const { return description_; }
  const std::string& category() const { return category_; }
  const std::string& langflow_flow_id() const { return langflow_flow_id_; }
  bool supports_dedicated_runtime() const { return supports_dedicated_runtime_; }
  // The capabilities a buyer may switch (the spec's `capabilities`), in the template's order.
  const std::vector<const Capability*>& capabilities() const { return capabilities_; }
  const std::vector<const Capability*>& default_capabilities() const { return defaults_; }
  CapabilitySet offered() const { return offered_; }
  CapabilitySet defaults() const { return default_set_; }
  // The universal capabilities among its sections (always on).
  CapabilitySet universal() const { return universal_; }
  // Every section in form order: the config_schema's allOf order, then the offered
  // capabilities it does not reference, in `capabilities` order.
  const std::vector<Section>& sections() const { return sections_; }
  const Section* FindSection(std::string_view key) const;
  schema::Dialect dialect() const { return dialect_; }
  const std::map<std::string, std::int64_t, std::less<>>& credit_costs() const {
    return credit_costs_;
  }
  // The template's value for `action`, or 1 for an action it does not list (as the spec says).
  std::int64_t CreditCost(std::string_view action) const;
  // The template document as written.
  const boost::json::object& document() const { return document_; }
  // The `config_schema` as written, where inline sections' `$ref`s point.
  const boost::json::value& config_schema() const { return document_.at("config_schema"); }
  const std::string& file() const { return file_; }

 private:
  friend class CatalogLoader;
  std::string id_, name_, description_, category_, langflow_flow_id_, file_;
  int version_ = 1;
  bool supports_dedicated_runtime_ = false;
  std::vector<const Capability*> capabilities_, defaults_;
  CapabilitySet offered_ = 0, default_set_ = 0, universal_ = 0;
  std::vector<Section> sections_;
  schema::Dialect dialect_ = schema::Dialect::kDraft7;
  std::map<std::string, std::int64_t, std::less<>> credit_costs_;
  boost::json::object document_;
};

// One file of a catalog: its path relative to the catalog root ("capabilities/rag.json",
// "templates/research-agent.json", "widgets.json") and its text.
struct CatalogFile {
  std::string path;
  std::string text;
};

// Something wrong in a catalog: the file, the JSON Pointer inside it, and what is wrong.
struct Finding {
  std::string file;
  std::string pointer;
  std::string message;
  std::string ToString() const;  // "templates/x.json#/default_capabilities/1: message"
};

class Catalog {
 public:
  // Builds a catalog from its files. InvalidArgument naming the file and JSON Pointer of the
  // first problem found; `findings`, when given, receives every problem instead.
  static Result<std::shared_ptr<const Catalog>> Load(std::span<const CatalogFile> files,
                                                     std::vector<Finding>* findings = nullptr);
  // Reads every *.json under `directory` (capabilities/, templates/, widgets.json).
  // NotFound if the directory is missing; otherwise as Load.
  static Result<std::shared_ptr<const Catalog>> LoadDirectory(
      const std::string& directory, std::vector<Finding>* findings = nullptr);
  // The catalog compiled into the binary from the repository's catalog/.
  static Result<std::shared_ptr<const Catalog>> LoadEmbedded();
  // The files of the embedded catalog, for tests and `catalog check` without a directory.
  static std::vector<CatalogFile> EmbeddedFiles();
  // Reads the files of a directory without checking them.
  static Result<std::vector<CatalogFile>> ReadDirectory(const std::string& directory);

  ~Catalog();

  std::span<const std::unique_ptr<Capability>> capabilities() const { return capabilities_; }
  // Every template, each id's versions in ascending order.
  std::span<const std::unique_ptr<Template>> templates() const { return templates_; }
  const Capability* FindCapability(std::string_view id) const;
  // The newest version of `id`, or the given version; null when there is none.
  const Template* FindTemplate(std::string_view id, std::optional<int> version = {}) const;
  // Names the page must implement as custom rjsf widgets (`ui:widget`) and custom fields
  // (`ui:field`), from catalog/widgets.json.
  const std::vector<std::string>& custom_widgets() const { return custom_widgets_; }
  const std::vector<std::string>& custom_fields() const { return custom_fields_; }
  const boost::json::value& widgets_document() const { return widgets_document_; }
  CapabilitySet universal() const { return universal_; }

  // Parses capability ids into a set. Universal capabilities may be named (they are always on).
  // InvalidArgument naming the first unknown id.
  Result<CapabilitySet> ParseSet(std::span<const std::string> ids) const;
  // "a,b,c" as ParseSet; "" is the empty set.
  Result<CapabilitySet> ParseSetList(std::string_view comma_separated) const;
  // The ids of a set, in catalog order.
  std::vector<std::string> SetIds(CapabilitySet set) const;

  // Resolves "capability:NAME" to that capability's schema, for schema::CompileOptions.
  schema::Resolver MakeResolver() const;

 private:
  friend class CatalogLoader;
  Catalog();
  std::vector<std::unique_ptr<Capability>> capabilities_;
  std::vector<std::unique_ptr<Template>> templates_;
  std::vector<std::string> custom_widgets_, custom_fields_;
  boost::json::value widgets_document_;
  CapabilitySet universal_ = 0;
};

}  // namespace capconf::catalog
