#include "capconf/catalog/bundle.h"

#include <atomic>
#include <boost/json/serialize.hpp>
#include <deque>
#include <set>

#include "capconf/json/pointer.h"
#include "capconf/json/serialize.h"
#include "loader.h"

namespace capconf::catalog {
namespace json = boost::json;
namespace {

std::string_view DialectUri(schema::Dialect d) {
  switch (d) {
    case schema::Dialect::kDraft7:
      return "http://json-schema.org/draft-07/schema#";
    case schema::Dialect::kDraft2019_09:
      return "https://json-schema.org/draft/2019-09/schema";
    case schema::Dialect::kDraft2020_12:
      return "https://json-schema.org/draft/2020-12/schema";
  }
  return {};
}

// Keywords whose value is a schema, an array of schemas, or an object of schemas: the only places
// a `$ref` of the schema itself can be (a "$ref" inside `const`, `enum` or `default` is data).
enum class Shape { kSchema, kArray, kMap, kSchemaOrArray };
const std::vector<std::pair<std::string_view, Shape>>& SchemaKeywords() {
  static const std::vector<std::pair<std::string_view, Shape>> k = {
      {"properties", Shape::kMap},
      {"patternProperties", Shape::kMap},
      {"definitions", Shape::kMap},
      {"$defs", Shape::kMap},
      {"dependentSchemas", Shape::kMap},
      {"dependencies", Shape::kMap},
      {"additionalProperties", Shape::kSchema},
      {"propertyNames", Shape::kSchema},
      {"items", Shape::kSchemaOrArray},
      {"prefixItems", Shape::kArray},
      {"additionalItems", Shape::kSchema},
      {"contains", Shape::kSchema},
      {"unevaluatedItems", Shape::kSchema},
      {"unevaluatedProperties", Shape::kSchema},
      {"if", Shape::kSchema},
      {"then", Shape::kSchema},
      {"else", Shape::kSchema},
      {"not", Shape::kSchema},
      {"allOf", Shape::kArray},
      {"anyOf", Shape::kArray},
      {"oneOf", Shape::kArray},
  };
  return k;
}

// Rewrites every `$ref` of a schema in place; `rewrite` returns the new reference or an error.
template <typename F>
Status RewriteRefs(json::value& node, F& rewrite, int depth = 0) {
  if (depth > 200) return InvalidArgumentError("the schema nests too deeply to bundle");
  json::object* o = node.if_object();
  if (o == nullptr) return Status::Ok();
  if (json::value* ref = o->if_contains("$ref"); ref && ref->is_string()) {
    CAPCONF_ASSIGN_OR_RETURN(std::string replaced, rewrite(std::string_view(ref->get_string())));
    *ref = replaced;
  }
  for (const auto& [keyword, shape] : SchemaKeywords()) {
    json::value* v = o->if_contains(keyword);
    if (v == nullptr) continue;
    if ((shape == Shape::kArray || shape == Shape::kSchemaOrArray) && v->is_array()) {
      for (json::value& sub : v->get_array())
        CAPCONF_RETURN_IF_ERROR(RewriteRefs(sub, rewrite, depth + 1));
    } else if (shape == Shape::kMap && v->is_object()) {
      for (auto& member : v->get_object()) {
        CAPCONF_RETURN_IF_ERROR(RewriteRefs(member.value(), rewrite, depth + 1));
      }
    } else if (shape == Shape::kSchema || shape == Shape::kSchemaOrArray) {
      CAPCONF_RETURN_IF_ERROR(RewriteRefs(*v, rewrite, depth + 1));
    }
  }
  return Status::Ok();
}

// Splits "/definitions/NAME/rest" (or $defs) into NAME and "/rest"; false for other pointers.
bool SplitDefinitionPointer(const std::vector<std::string>& tokens, std::string& name,
                            std::string& rest) {
  if (tokens.size() < 2 || (tokens[0] != "definitions" && tokens[0] != "$defs")) return false;
  name = tokens[1];
  rest.clear();
  for (std::size_t i = 2; i < tokens.size(); ++i) capconf::json::AppendToken(rest, tokens[i]);
  return true;
}

struct Composer {
  const Template& tmpl;
  std::string defs_keyword;
  json::object defs;
  std::set<std::string> copied_template_defs;
  std::deque<std::string> pending_template_defs;

  std::string DefRef(const std::string& name, const std::string& rest) const {
    std::string out = "#/" + defs_keyword;
    capconf::json::AppendToken(out, name);
    return out + rest;
  }

  // A capability section: its local refs point into its own file.
  Result<json::value> CapabilitySection(const Section& section) {
    json::value schema = section.capability->schema();
    const std::string key = section.key;
    auto rewrite = [&](std::string_view ref) -> Result<std::string> {
      if (ref.empty() || ref[0] != '#') {
        return InvalidArgumentError("capability '" + key + "' has the external $ref '" +
                                    std::string(ref) + "', which a bundle cannot carry");
      }
      CAPCONF_ASSIGN_OR_RETURN(std::string pointer,
                               capconf::json::DecodeUriFragment(ref.substr(1)));
      CAPCONF_ASSIGN_OR_RETURN(std::vector<std::string> tokens,
                               capconf::json::ParsePointer(pointer));
      std::string name, rest;
      if (SplitDefinitionPointer(tokens, name, rest)) return DefRef(key + "." + name, rest);
      std::string out = "#/properties";
      capconf::json::AppendToken(out, key);
      return out + pointer;
    };
    CAPCONF_RETURN_IF_ERROR(RewriteRefs(schema, rewrite));
    json::object& o = schema.get_object();
    for (std::string_view kw : {"definitions", "$defs"}) {
      if (json::value* d = o.if_contains(kw); d && d->is_object()) {
        for (auto& member : d->get_object()) {
          defs[key + "." + std::string(member.key())] = std::move(member.value());
        }
        o.erase(kw);
      }
    }
    return schema;
  }

  // Refs of an inline section (or of a template definition) point into the template's
  // config_schema: to its definitions, or inside the section itself.
  Result<std::string> RewriteTemplateRef(std::string_view ref, const Section* section) {
    if (ref.empty() || ref[0] != '#') {
      return InvalidArgumentError("template '" + tmpl.id() + "' has the external $ref '" +
                                  std::string(ref) + "' in an inline section");
    }
    CAPCONF_ASSIGN_OR_RETURN(std::string pointer, capconf::json::DecodeUriFragment(ref.substr(1)));
    CAPCONF_ASSIGN_OR_RETURN(std::vector<std::string> tokens, capconf::json::ParsePointer(pointer));
    std::string name, rest;
    if (SplitDefinitionPointer(tokens, name, rest)) {
      if (copied_template_defs.insert(name).second)
        pending_template_defs.push_back(tokens[0] + "/" + name);
      return DefRef("template." + name, rest);
    }
    if (section != nullptr) {
      // section->schema_pointer is "/config_schema/..."; refs are relative to config_schema.
      std::string own = section->schema_pointer.substr(std::string_view("/config_schema").size());
      if (pointer.rfind(own, 0) == 0 &&
          (pointer.size() == own.size() || pointer[own.size()] == '/')) {
        std::string out = "#/properties";
        capconf::json::AppendToken(out, section->key);
        return out + pointer.substr(own.size());
      }
    }
    return InvalidArgumentError("template '" + tmpl.id() + "': the $ref '" + std::string(ref) +
                                "' points outside its section and its definitions");
  }

  Result<json::value> InlineSection(const Section& section) {
    json::value schema = section.inline_schema;
    auto rewrite = [&](std::string_view ref) { return RewriteTemplateRef(ref, &section); };
    CAPCONF_RETURN_IF_ERROR(RewriteRefs(schema, rewrite));
    return schema;
  }

  Status CopyTemplateDefinitions() {
    while (!pending_template_defs.empty()) {
      std::string entry = pending_template_defs.front();
      pending_template_defs.pop_front();
      std::size_t slash = entry.find('/');
      std::string keyword = entry.substr(0, slash), name = entry.substr(slash + 1);
      std::string pointer = "/";
      pointer += keyword;
      capconf::json::AppendToken(pointer, name);
      const json::value* def = capconf::json::Resolve(tmpl.config_schema(), pointer);
      if (def == nullptr) {
        return InvalidArgumentError("template '" + tmpl.id() + "': no definition at #" + pointer);
      }
      json::value copy = *def;
      auto rewrite = [&](std::string_view ref) { return RewriteTemplateRef(ref, nullptr); };
      CAPCONF_RETURN_IF_ERROR(RewriteRefs(copy, rewrite));
      defs["template." + name] = std::move(copy);
    }
    return Status::Ok();
  }
};

}  // namespace

json::value NestUiSchema(const json::value& ui_schema) {
  const json::object* in = ui_schema.if_object();
  if (in == nullptr) return ui_schema;
  json::object out;
  for (const auto& [key, value] : *in) {
    std::string_view k = key;
    // "ui:..." keys are options of this level: their values are data, never paths.
    if (k.rfind("ui:", 0) == 0) {
      out[k] = value;
      continue;
    }
    if (k.find('.') == std::string_view::npos) {
      json::value nested = NestUiSchema(value);
      json::value& slot = out[k];
      if (slot.is_object() && nested.is_object()) {
        for (auto& m : nested.get_object()) slot.get_object()[m.key()] = std::move(m.value());
      } else {
        slot = std::move(nested);
      }
      continue;
    }
    json::object* level = &out;
    std::size_t start = 0;
    while (true) {
      std::size_t dot = k.find('.', start);
      std::string_view part = k.substr(start, dot == std::string_view::npos ? k.npos : dot - start);
      if (dot == std::string_view::npos) {
        json::value nested = NestUiSchema(value);
        json::value& slot = (*level)[part];
        if (slot.is_object() && nested.is_object()) {
          for (auto& m : nested.get_object()) slot.get_object()[m.key()] = std::move(m.value());
        } else {
          slot = std::move(nested);
        }
        break;
      }
      json::value& next = (*level)[part];
      if (!next.is_object()) next = json::object();
      level = &next.get_object();
      start = dot + 1;
    }
  }
  return out;
}

Result<std::shared_ptr<const Bundle>> ComposeBundle(const Template& tmpl, CapabilitySet enabled) {
  if (CapabilitySet stray = enabled & ~(tmpl.offered() | tmpl.universal()); stray != 0) {
    return InvalidArgumentError("template '" + tmpl.id() +
                                "' does not offer every capability of the requested set");
  }
  auto bundle = std::make_shared<Bundle>();
  bundle->tmpl = &tmpl;
  bundle->enabled = enabled & tmpl.offered();

  Composer composer{
      tmpl, tmpl.dialect() == schema::Dialect::kDraft7 ? "definitions" : "$defs", {}, {}, {}};
  json::object properties;
  json::array order;
  json::array all_keys;
  json::object ui;
  for (const Section& section : tmpl.sections()) {
    all_keys.push_back(json::string(section.key));
    bool present = section.capability == nullptr || section.capability->universal() ||
                   (bundle->enabled & section.capability->bit());
    if (!present) continue;
    json::value schema;
    if (section.capability != nullptr) {
      CAPCONF_ASSIGN_OR_RETURN(schema, composer.CapabilitySection(section));
      json::value section_ui = NestUiSchema(section.capability->ui_schema());
      if (section_ui.is_object() && !section_ui.get_object().empty())
        ui[section.key] = std::move(section_ui);
      for (const std::string& p : section.capability->secret_pointers()) {
        bundle->secret_pointers.push_back("/" + capconf::json::EscapeToken(section.key) + p);
      }
    } else {
      CAPCONF_ASSIGN_OR_RETURN(schema, composer.InlineSection(section));
      json::value section_ui = NestUiSchema(section.inline_ui_schema);
      if (section_ui.is_object() && !section_ui.get_object().empty())
        ui[section.key] = std::move(section_ui);
      for (const std::string& p :
           CollectWriteOnlyPointers(section.inline_schema, tmpl.config_schema())) {
        bundle->secret_pointers.push_back("/" + capconf::json::EscapeToken(section.key) + p);
      }
    }
    if (schema.is_object() && !schema.get_object().contains("title")) {
      schema.get_object()["title"] = section.title;
    }
    properties[section.key] = std::move(schema);
    order.push_back(json::string(section.key));
    bundle->sections.push_back(&section);
  }
  CAPCONF_RETURN_IF_ERROR(composer.CopyTemplateDefinitions());

  json::object root;
  root["$schema"] = DialectUri(tmpl.dialect());
  root["title"] = tmpl.name();
  if (!tmpl.description().empty()) root["description"] = tmpl.description();
  root["type"] = "object";
  root["properties"] = std::move(properties);
  // The configuration keeps the values of disabled capabilities (re-enabling restores them), so
  // their keys are allowed; any other top-level key is a mistake worth reporting.
  root["propertyNames"] = json::object{{"enum", std::move(all_keys)}};
  if (!composer.defs.empty()) root[composer.defs_keyword] = std::move(composer.defs);
  bundle->schema = std::move(root);

  ui["ui:order"] = std::move(order);
  bundle->ui_schema = std::move(ui);
  bundle->schema_text = capconf::json::Serialize(bundle->schema);
  bundle->ui_schema_text = capconf::json::Serialize(bundle->ui_schema);
  if (bundle->schema_text.size() > kMaxBundleBytes) {
    return ResourceExhaustedError("the bundled schema of template '" + tmpl.id() + "' is " +
                                  std::to_string(bundle->schema_text.size()) +
                                  " bytes, over the 65536-byte limit");
  }
  schema::CompileOptions options;
  options.default_dialect = tmpl.dialect();
  auto compiled = schema::Schema::Compile(bundle->schema, options);
  if (!compiled.ok()) {
    return InvalidArgumentError("the bundled schema of template '" + tmpl.id() +
                                "' does not compile: " + compiled.status().message());
  }
  bundle->compiled = std::move(*compiled);
  return std::shared_ptr<const Bundle>(std::move(bundle));
}

std::size_t BundleCache::KeyHash::operator()(const Key& k) const noexcept {
  std::size_t h = std::hash<const void*>()(k.tmpl);
  return h ^ (std::hash<std::uint64_t>()(k.enabled) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

namespace {
std::atomic<std::uint64_t> next_cache_id{1};

struct FrontKey {
  std::uint64_t cache;
  const Template* tmpl;
  CapabilitySet enabled;
  bool operator==(const FrontKey&) const = default;
};
struct FrontKeyHash {
  std::size_t operator()(const FrontKey& k) const noexcept {
    std::size_t h = std::hash<const void*>()(k.tmpl) ^ (k.cache * 0x9e3779b97f4a7c15ULL);
    return h ^
           (std::hash<std::uint64_t>()(k.enabled) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
  }
};
constexpr std::size_t kMaxFrontEntries = 4096;
}  // namespace

BundleCache::BundleCache() : id_(next_cache_id.fetch_add(1)) {}
BundleCache::~BundleCache() = default;

Result<const Bundle*> BundleCache::Get(const Template& tmpl, CapabilitySet enabled) {
  if ((enabled & ~(tmpl.offered() | tmpl.universal())) != 0) {
    return InvalidArgumentError("template '" + tmpl.id() +
                                "' does not offer every capability of the requested set");
  }
  // Bundles are never evicted, so a pointer handed to this thread once stays good.
  thread_local std::unordered_map<FrontKey, const Bundle*, FrontKeyHash> front;
  const FrontKey front_key{id_, &tmpl, enabled & tmpl.offered()};
  if (auto it = front.find(front_key); it != front.end()) return it->second;
  Key key{&tmpl, enabled & tmpl.offered()};
  const Bundle* found = nullptr;
  {
    std::shared_lock lock(mutex_);
    auto it = bundles_.find(key);
    if (it != bundles_.end()) found = it->second.get();
  }
  if (found == nullptr) {
    // Composed outside the lock: two threads may compose the same pair; the first insert wins.
    CAPCONF_ASSIGN_OR_RETURN(std::shared_ptr<const Bundle> bundle, ComposeBundle(tmpl, enabled));
    std::unique_lock lock(mutex_);
    found = bundles_.emplace(key, std::move(bundle)).first->second.get();
  }
  if (front.size() >= kMaxFrontEntries) front.clear();
  front.emplace(front_key, found);
  return found;
}

std::size_t BundleCache::size() const {
  std::shared_lock lock(mutex_);
  return bundles_.size();
}

}  // namespace capconf::catalog
