#include "capconf/catalog/lint.h"

#include <algorithm>
#include <set>

#include "capconf/catalog/bundle.h"
#include "capconf/catalog/rules.h"
#include "capconf/json/pointer.h"
#include "loader.h"
#include "rjsf_widgets.h"

namespace capconf::catalog {
namespace json = boost::json;
namespace {

constexpr std::string_view kLintUri = "urn:capconf:lint";

const std::set<std::string_view>& RjsfFields() {
  static const std::set<std::string_view> k = {"ArrayField",
                                               "BooleanField",
                                               "LayoutGridField",
                                               "LayoutHeaderField",
                                               "LayoutMultiSchemaField",
                                               "NullField",
                                               "NumberField",
                                               "ObjectField",
                                               "OneOfField",
                                               "AnyOfField",
                                               "SchemaField",
                                               "StringField",
                                               "FallbackField"};
  return k;
}

// Draft-07 and 2020-12 disagree on these, or only one of them has them.
const std::set<std::string_view>& NonPortableKeywords() {
  static const std::set<std::string_view> k = {
      "dependencies",          "additionalItems",   "prefixItems",
      "dependentSchemas",      "dependentRequired", "unevaluatedItems",
      "unevaluatedProperties", "$recursiveRef",     "$recursiveAnchor",
      "$dynamicRef",           "$dynamicAnchor",    "$anchor",
      "$vocabulary",           "minContains",       "maxContains"};
  return k;
}

using Visit = std::function<void(const json::object& node, const std::string& pointer)>;

// Calls `visit` for every subschema of `node` (itself included), by schema keywords only.
void WalkSchemas(const json::value& node, const std::string& pointer, const Visit& visit,
                 int depth = 0) {
  const json::object* o = node.if_object();
  if (o == nullptr || depth > 100) return;
  visit(*o, pointer);
  for (std::string_view kw :
       {"properties", "patternProperties", "definitions", "$defs", "dependentSchemas"}) {
    if (const json::value* m = o->if_contains(kw); m && m->is_object()) {
      for (const auto& [name, sub] : m->get_object()) {
        std::string p = pointer + "/" + std::string(kw);
        capconf::json::AppendToken(p, name);
        WalkSchemas(sub, p, visit, depth + 1);
      }
    }
  }
  for (std::string_view kw : {"additionalProperties", "propertyNames", "items", "contains", "if",
                              "then", "else", "not", "additionalItems"}) {
    const json::value* sub = o->if_contains(kw);
    if (sub == nullptr) continue;
    if (sub->is_array()) {
      for (std::size_t i = 0; i < sub->get_array().size(); ++i) {
        WalkSchemas(sub->get_array()[i], pointer + "/" + std::string(kw) + "/" + std::to_string(i),
                    visit, depth + 1);
      }
    } else {
      WalkSchemas(*sub, pointer + "/" + std::string(kw), visit, depth + 1);
    }
  }
  for (std::string_view kw : {"allOf", "anyOf", "oneOf", "prefixItems"}) {
    if (const json::value* list = o->if_contains(kw); list && list->is_array()) {
      for (std::size_t i = 0; i < list->get_array().size(); ++i) {
        WalkSchemas(list->get_array()[i], pointer + "/" + std::string(kw) + "/" + std::to_string(i),
                    visit, depth + 1);
      }
    }
  }
}

class Linter {
 public:
  Linter(const Catalog& catalog, std::vector<Finding>& findings)
      : catalog_(catalog), findings_(findings) {}

  void CheckCapability(const Capability& c) {
    CheckPortable(c.file(), "/schema", c.schema());
    CheckDefaults(c.file(), "/schema", c.schema(), c.schema(), "");
    CheckUi(c.file(), "/ui_schema", c.ui_schema(), {&c.schema().get_object()}, c.schema());
  }

  void CheckTemplate(const Template& t) {
    for (const Section& s : t.sections()) {
      if (s.capability != nullptr) continue;
      std::string within = s.schema_pointer.substr(std::string_view("/config_schema").size());
      CheckDefaults(t.file(), s.schema_pointer, s.inline_schema, t.config_schema(), within);
      if (!s.inline_ui_schema.is_null()) {
        CheckUi(t.file(), "/ui_schema/" + capconf::json::EscapeToken(s.key), s.inline_ui_schema,
                {&s.inline_schema.get_object()}, t.config_schema());
      }
    }
    // Credit costs name actions the template's capabilities bring.
    std::set<std::string, std::less<>> actions;
    for (const auto& c : catalog_.capabilities()) {
      if (!c->universal() && !(t.offered() & c->bit())) continue;
      for (const CreditAction& a : c->credit_actions()) actions.insert(a.action);
    }
    for (const auto& [action, cost] : t.credit_costs()) {
      if (!actions.contains(action)) {
        Report(t.file(), "/credit_costs/" + capconf::json::EscapeToken(action),
               "no capability of the template brings the action '" + action + "'");
      }
    }
    for (const SetProblem& p : CheckCapabilitySet(catalog_, t, t.defaults())) {
      Report(t.file(), "/default_capabilities", "the default set breaks a rule: " + p.message);
    }
    for (CapabilitySet set : AllowedSets(catalog_, t)) {
      auto bundle = ComposeBundle(t, set);
      if (!bundle.ok()) {
        std::string ids;
        for (const std::string& id : catalog_.SetIds(set)) ids += (ids.empty() ? "" : ",") + id;
        Report(t.file(), "/config_schema",
               "with capabilities [" + ids + "]: " + bundle.status().message());
      }
    }
  }

 private:
  void Report(const std::string& file, std::string pointer, std::string message) {
    findings_.push_back({file, std::move(pointer), std::move(message)});
  }

  void CheckPortable(const std::string& file, const std::string& base, const json::value& schema) {
    WalkSchemas(schema, "", [&](const json::object& node, const std::string& pointer) {
      for (const auto& [key, value] : node) {
        bool array_items = key == "items" && value.is_array();
        if (NonPortableKeywords().contains(key) || array_items) {
          Report(file, base + pointer + "/" + capconf::json::EscapeToken(key),
                 "'" + std::string(key) + (array_items ? "' as an array" : "'") +
                     " does not mean the same in draft-07 and 2020-12; a capability schema keeps "
                     "to the keywords both share");
        }
      }
    });
  }

  // Every `default` must be valid against the schema it sits in. `doc` is the document the
  // schema's refs resolve in, `within` the schema's place in it.
  void CheckDefaults(const std::string& file, const std::string& base, const json::value& schema,
                     const json::value& doc, const std::string& within) {
    WalkSchemas(schema, "", [&](const json::object& node, const std::string& pointer) {
      const json::value* def = node.if_contains("default");
      if (def == nullptr) return;
      schema::CompileOptions options;
      options.validate_against_metaschema = false;
      schema::Resolver capabilities = catalog_.MakeResolver();
      options.resolver = [&doc, &capabilities](std::string_view uri) -> std::optional<json::value> {
        if (uri == kLintUri) return doc;
        return capabilities(uri);
      };
      std::string fragment;
      for (char ch : within + pointer) {
        if (ch == '%' || ch == ' ' || ch == '#' || ch == '"') {
          static constexpr char kHex[] = "0123456789ABCDEF";
          fragment += '%';
          fragment += kHex[static_cast<unsigned char>(ch) >> 4];
          fragment += kHex[static_cast<unsigned char>(ch) & 15];
        } else {
          fragment += ch;
        }
      }
      json::object wrapper{{"$ref", std::string(kLintUri) + "#" + fragment}};
      auto compiled = schema::Schema::Compile(wrapper, options);
      if (!compiled.ok()) return;  // the schema's own compile finding says why
      schema::ValidationResult result = (*compiled)->Validate(*def);
      if (result.empty()) return;
      std::string why;
      for (const schema::ValidationError& e : result) {
        if (!why.empty()) why += "; ";
        why += (e.instance_path.empty() ? std::string("") : std::string(e.instance_path) + " ") +
               std::string(e.message);
      }
      Report(file, base + pointer + "/default",
             "the default is not valid against its own schema: " + why);
    });
  }

  // The schemas that apply at a place: the schema itself, its $ref target and every branch that
  // can add properties (allOf, anyOf, oneOf, then, else).
  void Expand(const json::object* schema, const json::value& doc,
              std::vector<const json::object*>& out, int depth = 0) {
    if (schema == nullptr || depth > 16) return;
    if (std::find(out.begin(), out.end(), schema) != out.end()) return;
    out.push_back(schema);
    if (const json::value* ref = schema->if_contains("$ref"); ref && ref->is_string()) {
      std::string_view r = ref->get_string();
      if (!r.empty() && r[0] == '#') {
        if (auto p = capconf::json::DecodeUriFragment(r.substr(1)); p.ok()) {
          if (const json::value* t = capconf::json::Resolve(doc, *p))
            Expand(t->if_object(), doc, out, depth + 1);
        }
      }
    }
    for (std::string_view kw : {"then", "else"}) {
      if (const json::value* b = schema->if_contains(kw))
        Expand(b->if_object(), doc, out, depth + 1);
    }
    for (std::string_view kw : {"allOf", "anyOf", "oneOf"}) {
      if (const json::value* list = schema->if_contains(kw); list && list->is_array()) {
        for (const json::value& b : list->get_array()) Expand(b.if_object(), doc, out, depth + 1);
      }
    }
  }

  // The schemas of property `name` (or of the items, for "items" on an array), expanded.
  std::vector<const json::object*> Child(const std::vector<const json::object*>& pieces,
                                         std::string_view name, const std::string& type,
                                         const json::value& doc) {
    std::vector<const json::object*> direct, out;
    for (const json::object* p : pieces) {
      if (name == "items" && type == "array") {
        if (const json::value* items = p->if_contains("items"); items && items->is_object()) {
          direct.push_back(&items->get_object());
        }
        continue;
      }
      const json::value* props = p->if_contains("properties");
      if (props == nullptr || !props->is_object()) continue;
      if (const json::value* s = props->get_object().if_contains(name); s && s->is_object()) {
        direct.push_back(&s->get_object());
      }
    }
    for (const json::object* d : direct) Expand(d, doc, out);
    return out;
  }

  static std::string TypeOf(const std::vector<const json::object*>& pieces) {
    for (const json::object* p : pieces) {
      const json::value* t = p->if_contains("type");
      if (t && t->is_string()) return std::string(t->get_string());
      if (t && t->is_array()) {
        for (const json::value& e : t->get_array()) {
          if (e.is_string() && e.get_string() != "null") return std::string(e.get_string());
        }
      }
    }
    return {};
  }

  void CheckUi(const std::string& file, const std::string& pointer, const json::value& ui,
               std::vector<const json::object*> schemas, const json::value& doc) {
    std::vector<const json::object*> pieces;
    for (const json::object* s : schemas) Expand(s, doc, pieces);
    const json::object* o = ui.if_object();
    if (o == nullptr) {
      Report(file, pointer, "a UI schema entry is an object");
      return;
    }
    std::string type = TypeOf(pieces);
    for (const auto& [key, value] : *o) {
      std::string at = pointer + "/" + capconf::json::EscapeToken(key);
      if (key == "ui:widget") {
        if (!value.is_string()) {
          Report(file, at, "'ui:widget' is a widget name");
          continue;
        }
        std::string_view name = value.get_string();
        if (type == "object") {
          Report(file, at, "rjsf ignores ui:widget on an object; use ui:field");
          continue;
        }
        const auto& custom = catalog_.custom_widgets();
        if (std::find(custom.begin(), custom.end(), name) != custom.end()) continue;
        if (RjsfRegisteredWidgets().contains(name)) continue;
        const std::set<std::string_view>* aliases = RjsfAliases(type);
        if (aliases != nullptr && aliases->contains(name)) continue;
        if (aliases == nullptr && type.empty()) {
          bool any = false;
          for (std::string_view t : {"string", "number", "boolean", "array"}) {
            any = any || RjsfAliases(t)->contains(name);
          }
          if (any) continue;
        }
        Report(
            file, at,
            "'" + std::string(name) + "' is neither rjsf's own widget for a" +
                (type.empty() ? " field" : (type[0] == 'a' || type[0] == 'i' ? "n " : " ") + type) +
                " nor listed in widgets.json");
        continue;
      }
      if (key == "ui:field") {
        if (!value.is_string()) {
          Report(file, at, "'ui:field' is a field name");
          continue;
        }
        std::string_view name = value.get_string();
        const auto& custom = catalog_.custom_fields();
        if (std::find(custom.begin(), custom.end(), name) == custom.end() &&
            !RjsfFields().contains(name)) {
          Report(file, at,
                 "'" + std::string(name) +
                     "' is neither rjsf's own field nor listed in widgets.json as a field");
        }
        continue;
      }
      if (std::string_view(key).rfind("ui:", 0) == 0) continue;
      // A dotted key ("colors.primary") is a path of property names; the bundler nests it.
      std::vector<const json::object*> sub(pieces);
      std::string level_type = type;
      std::string_view path = key;
      bool found = true;
      while (found) {
        std::size_t dot = path.find('.');
        std::string_view name = path.substr(0, dot);
        sub = Child(sub, name, level_type, doc);
        found = !sub.empty();
        if (dot == std::string_view::npos) break;
        level_type = TypeOf(sub);
        path.remove_prefix(dot + 1);
      }
      if (!found) {
        Report(file, at,
               "the UI schema names '" + std::string(key) +
                   "', which is not a property of the schema");
        continue;
      }
      CheckUi(file, at, value, sub, doc);
    }
  }

  const Catalog& catalog_;
  std::vector<Finding>& findings_;
};

}  // namespace

std::vector<Finding> CheckCatalog(std::span<const CatalogFile> files) {
  std::vector<Finding> findings;
  auto catalog = Catalog::Load(files, &findings);
  if (!catalog.ok()) return findings;  // the deeper checks need a catalog that loads
  Linter linter(**catalog, findings);
  for (const auto& c : (*catalog)->capabilities()) linter.CheckCapability(*c);
  for (const auto& t : (*catalog)->templates()) linter.CheckTemplate(*t);
  return findings;
}

}  // namespace capconf::catalog
