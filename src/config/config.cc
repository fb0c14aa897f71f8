#include "capconf/config/config.h"

#include <algorithm>

#include "capconf/catalog/defaults.h"
#include "capconf/json/pointer.h"

namespace capconf::config {
namespace json = boost::json;

json::object FieldError::ToJson() const {
  return json::object{{"pointer", pointer}, {"keyword", keyword}, {"message", message}};
}

std::vector<FieldError> Validate(const catalog::Bundle& bundle, const json::value& config) {
  std::vector<FieldError> out;
  schema::ValidationResult result = bundle.compiled->Validate(config);
  // A failed propertyNames reports the name's own errors first, at the object; they are folded
  // into one error at the offending member.
  std::vector<std::string> property_name_paths;
  for (const schema::ValidationError& e : result) {
    if (e.keyword == "propertyNames")
      property_name_paths.push_back(std::string(e.schema_path) + "/");
  }
  for (const schema::ValidationError& e : result) {
    if (e.keyword == "if") continue;
    bool inner =
        std::any_of(property_name_paths.begin(), property_name_paths.end(),
                    [&](const std::string& p) { return e.schema_path.substr(0, p.size()) == p; });
    if (inner) continue;
    FieldError f;
    f.pointer = std::string(e.instance_path);
    f.keyword = std::string(e.keyword);
    f.message = std::string(e.message);
    f.schema_path = std::string(e.schema_path);
    f.params = *e.params;
    if (const json::value* missing = f.params.if_contains("missingProperty");
        missing && missing->is_string()) {
      capconf::json::AppendToken(f.pointer, missing->get_string());
    } else if (const json::value* name = f.params.if_contains("propertyName");
               name && name->is_string() && f.keyword == "propertyNames") {
      capconf::json::AppendToken(f.pointer, name->get_string());
      f.message = f.pointer.size() > 1 && e.instance_path.empty()
                      ? "is not a section of this configuration"
                      : "is not an allowed property name";
    }
    out.push_back(std::move(f));
  }
  return out;
}

Result<AgentConfig> InitialConfig(catalog::BundleCache& bundles, const catalog::Template& tmpl) {
  CAPCONF_ASSIGN_OR_RETURN(const catalog::Bundle* bundle, bundles.Get(tmpl, tmpl.defaults()));
  AgentConfig initial;
  initial.enabled = tmpl.defaults();
  initial.config = catalog::FillDefaults(bundle->schema, nullptr);
  return initial;
}

json::object Readiness::ToJson() const {
  json::array error_list;
  for (const FieldError& e : errors) error_list.push_back(e.ToJson());
  json::array missing_list;
  for (const catalog::MissingNeed& m : missing) {
    json::object item{{"capability", m.capability}, {"need", m.need}, {"message", m.message}};
    if (!m.pointer.empty()) item["pointer"] = m.pointer;
    missing_list.push_back(std::move(item));
  }
  return json::object{{"is_configured", is_configured},
                      {"errors", std::move(error_list)},
                      {"missing", std::move(missing_list)}};
}

Readiness Evaluate(const catalog::Bundle& bundle, const json::value& config,
                   const catalog::Facts& facts) {
  Readiness r;
  r.errors = Validate(bundle, config);
  r.missing = catalog::MissingNeeds(*bundle.tmpl, bundle.enabled, config, facts);
  r.is_configured = r.errors.empty() && r.missing.empty();
  return r;
}

Result<ToggleOutcome> Toggle(const catalog::Catalog& catalog, catalog::BundleCache& bundles,
                             const catalog::Template& tmpl, const AgentConfig& current,
                             const std::map<std::string, bool, std::less<>>& changes) {
  catalog::CapabilitySet next = current.enabled;
  for (const auto& [id, on] : changes) {
    const catalog::Capability* c = catalog.FindCapability(id);
    if (c == nullptr) return InvalidArgumentError("there is no capability '" + id + "'");
    if (c->universal()) {
      if (!on) {
        ToggleOutcome refused;
        refused.refused.push_back(
            {catalog::SetProblem::Kind::kDefaultRequired, c->id(),
             c->label() + " is part of every agent and cannot be turned off."});
        return refused;
      }
      continue;
    }
    next = on ? (next | c->bit()) : (next & ~c->bit());
  }
  ToggleOutcome outcome;
  outcome.refused = catalog::CheckCapabilitySet(catalog, tmpl, next);
  if (!outcome.refused.empty()) return outcome;
  CAPCONF_ASSIGN_OR_RETURN(const catalog::Bundle* bundle, bundles.Get(tmpl, next));
  outcome.next.enabled = next & tmpl.offered();
  json::object kept = current.config.is_object() ? current.config.get_object() : json::object();
  // Defaults are filled for the sections present now; sections of disabled capabilities are
  // carried over untouched.
  json::value filled = catalog::FillDefaults(bundle->schema, &current.config);
  if (filled.is_object()) {
    for (auto& member : filled.get_object()) kept[member.key()] = std::move(member.value());
  }
  outcome.next.config = std::move(kept);
  return outcome;
}

std::vector<std::string> SecretsPresent(const catalog::Bundle& bundle, const json::value& config) {
  std::vector<std::string> present;
  for (const std::string& p : bundle.secret_pointers) {
    const json::value* v = capconf::json::Resolve(config, p);
    if (v != nullptr && !v->is_null() && !(v->is_string() && v->get_string().empty())) {
      present.push_back(p);
    }
  }
  return present;
}

std::map<std::string, json::value> ExtractSecrets(const catalog::Bundle& bundle,
                                                  json::value& config) {
  std::map<std::string, json::value> secrets;
  for (const std::string& p : bundle.secret_pointers) {
    auto tokens = capconf::json::ParsePointer(p);
    if (!tokens.ok() || tokens->empty()) continue;
    json::value* parent = &config;
    for (std::size_t i = 0; i + 1 < tokens->size() && parent != nullptr; ++i) {
      json::object* o = parent->if_object();
      parent = o ? o->if_contains((*tokens)[i]) : nullptr;
    }
    json::object* o = parent ? parent->if_object() : nullptr;
    if (o == nullptr) continue;
    auto it = o->find(tokens->back());
    if (it == o->end()) continue;
    secrets.emplace(p, std::move(it->value()));
    o->erase(it);
  }
  return secrets;
}

}  // namespace capconf::config
