#include "loader.h"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <set>

#include "capconf/json/parse.h"
#include "capconf/json/pointer.h"

namespace capconf::catalog {
namespace json = boost::json;
namespace {

constexpr int kMaxRuleDepth = 16;
constexpr int kMaxRefHops = 8;

bool IsIdentifier(std::string_view s) {  // [a-z][a-z0-9_]*
  if (s.empty() || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool IsTemplateId(std::string_view s) {  // [a-z0-9][a-z0-9-]*
  if (s.empty() || s.size() > 100 || s[0] == '-') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::string Stem(std::string_view path) {
  std::size_t slash = path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  std::size_t dot = name.rfind('.');
  return std::string(name.substr(0, dot));
}

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

const char* KindName(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "a number";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "a value";
}

std::optional<schema::Dialect> DialectOfUri(std::string_view uri) {
  if (!uri.empty() && uri.back() == '#') uri.remove_suffix(1);
  if (uri == "http://json-schema.org/draft-07/schema") return schema::Dialect::kDraft7;
  if (uri == "https://json-schema.org/draft/2019-09/schema") return schema::Dialect::kDraft2019_09;
  if (uri == "https://json-schema.org/draft/2020-12/schema") return schema::Dialect::kDraft2020_12;
  return std::nullopt;
}

void CollectWriteOnly(const json::value& node, const json::value& root, std::string& path,
                      std::set<std::string>& seen, std::vector<std::string>& out, int hops) {
  const json::object* o = node.if_object();
  if (o == nullptr) return;
  if (const json::value* w = o->if_contains("writeOnly"); w && w->is_bool() && w->get_bool()) {
    if (seen.insert(path).second) out.push_back(path);
  }
  if (const json::value* p = o->if_contains("properties"); p && p->is_object()) {
    for (const auto& [name, sub] : p->get_object()) {
      std::size_t mark = path.size();
      capconf::json::AppendToken(path, name);
      CollectWriteOnly(sub, root, path, seen, out, hops);
      path.resize(mark);
    }
  }
  for (std::string_view kw : {"allOf", "anyOf", "oneOf"}) {
    if (const json::value* list = o->if_contains(kw); list && list->is_array()) {
      for (const json::value& sub : list->get_array()) {
        CollectWriteOnly(sub, root, path, seen, out, hops);
      }
    }
  }
  for (std::string_view kw : {"if", "then", "else"}) {
    if (const json::value* sub = o->if_contains(kw))
      CollectWriteOnly(*sub, root, path, seen, out, hops);
  }
  if (const json::value* ref = o->if_contains("$ref");
      ref && ref->is_string() && hops < kMaxRefHops) {
    std::string_view r = ref->get_string();
    if (!r.empty() && r[0] == '#') {
      auto pointer = capconf::json::DecodeUriFragment(r.substr(1));
      if (pointer.ok()) {
        if (const json::value* target = capconf::json::Resolve(root, *pointer)) {
          CollectWriteOnly(*target, root, path, seen, out, hops + 1);
        }
      }
    }
  }
}

}  // namespace

std::string DeriveSectionKey(std::string_view title) {
  std::string key;
  bool gap = false;
  for (char c : title) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) && u < 0x80) {
      if (gap && !key.empty()) key += '_';
      key += static_cast<char>(std::tolower(u));
      gap = false;
    } else {
      gap = true;
    }
  }
  if (!key.empty() && std::isdigit(static_cast<unsigned char>(key[0]))) key.insert(0, "s_");
  return key;
}

std::vector<std::string> CollectWriteOnlyPointers(const json::value& schema,
                                                  const json::value& root) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  std::string path;
  CollectWriteOnly(schema, root, path, seen, out, 0);
  return out;
}

void CatalogLoader::Report(const std::string& file, std::string pointer, std::string message) {
  findings_.push_back({file, std::move(pointer), std::move(message)});
}

std::shared_ptr<const schema::Schema> CatalogLoader::CompileAt(const std::string& file,
                                                               const std::string& pointer,
                                                               const json::value& schema_doc) {
  schema::CompileOptions options;
  options.default_dialect = schema::Dialect::kDraft7;
  auto compiled = schema::Schema::Compile(schema_doc, options);
  if (!compiled.ok()) {
    Report(file, pointer, "the schema does not compile: " + compiled.status().message());
    return nullptr;
  }
  return *compiled;
}

void CatalogLoader::Load(std::span<const CatalogFile> files, Catalog& catalog) {
  struct Parsed {
    const CatalogFile* file;
    json::value doc;
  };
  std::vector<Parsed> capability_docs, template_docs;
  bool widgets_seen = false;
  capconf::json::ParseLimits limits;
  limits.max_bytes = 4 * 1024 * 1024;
  for (const CatalogFile& f : files) {
    auto doc = capconf::json::Parse(f.text, limits);
    if (!doc.ok()) {
      Report(f.path, "", "not valid JSON: " + doc.status().message());
      continue;
    }
    if (f.path.rfind("capabilities/", 0) == 0 && f.path.find('/', 13) == std::string::npos) {
      capability_docs.push_back({&f, std::move(*doc)});
    } else if (f.path.rfind("templates/", 0) == 0 && f.path.find('/', 10) == std::string::npos) {
      template_docs.push_back({&f, std::move(*doc)});
    } else if (f.path == "widgets.json") {
      widgets_seen = true;
      LoadWidgets(f, *doc, catalog);
    } else {
      Report(f.path, "",
             "unexpected file: a catalog holds capabilities/*.json, templates/*.json and "
             "widgets.json");
    }
  }
  if (!widgets_seen) Report("widgets.json", "", "the widget registry widgets.json is missing");

  std::vector<std::pair<std::unique_ptr<Capability>, const Parsed*>> loaded;
  for (const Parsed& p : capability_docs) {
    if (auto c = LoadCapability(*p.file, p.doc)) loaded.emplace_back(std::move(c), &p);
  }
  std::sort(loaded.begin(), loaded.end(),
            [](const auto& a, const auto& b) { return a.first->id() < b.first->id(); });
  std::string previous_id, previous_file;
  for (auto& [capability, parsed] : loaded) {
    if (capability->id() == previous_id) {
      Report(capability->file(), "/id",
             "capability " + Quote(capability->id()) + " is already defined in " + previous_file);
      continue;
    }
    previous_id = capability->id();
    previous_file = capability->file();
    if (catalog.capabilities_.size() == kMaxCapabilities) {
      Report(capability->file(), "", "a catalog holds at most 64 capabilities");
      continue;
    }
    capability->index_ = catalog.capabilities_.size();
    if (capability->universal()) catalog.universal_ |= capability->bit();
    catalog.capabilities_.push_back(std::move(capability));
  }
  if (capability_docs.empty()) Report("capabilities/", "", "the catalog has no capability");
  for (const auto& c : catalog.capabilities_) {
    for (const Parsed& p : capability_docs) {
      if (p.file->path == c->file()) LinkCapability(*c, p.doc.get_object(), catalog);
    }
  }

  for (const Parsed& p : template_docs) {
    auto t = LoadTemplate(*p.file, p.doc, catalog);
    if (!t) continue;
    if (catalog.FindTemplate(t->id(), t->version()) != nullptr) {
      Report(t->file(), "/version",
             "template " + Quote(t->id()) + " version " + std::to_string(t->version()) +
                 " is already defined in " + catalog.FindTemplate(t->id(), t->version())->file());
      continue;
    }
    catalog.templates_.push_back(std::move(t));
  }
  std::sort(catalog.templates_.begin(), catalog.templates_.end(), [](const auto& a, const auto& b) {
    return a->id() != b->id() ? a->id() < b->id() : a->version() < b->version();
  });
}

void CatalogLoader::LoadWidgets(const CatalogFile& file, const json::value& doc, Catalog& catalog) {
  catalog.widgets_document_ = doc;
  const json::object* o = doc.if_object();
  const json::value* list = o ? o->if_contains("widgets") : nullptr;
  if (list == nullptr || !list->is_array()) {
    Report(file.path, "", "widgets.json must be an object with a 'widgets' array");
    return;
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < list->get_array().size(); ++i) {
    std::string at = "/widgets/" + std::to_string(i);
    const json::object* w = list->get_array()[i].if_object();
    const json::value* name = w ? w->if_contains("name") : nullptr;
    if (name == nullptr || !name->is_string() || name->get_string().empty() ||
        !std::isupper(static_cast<unsigned char>(name->get_string()[0]))) {
      Report(file.path, at + "/name", "a widget needs a name in PascalCase");
      continue;
    }
    const json::value* description = w->if_contains("description");
    if (description == nullptr || !description->is_string() || description->get_string().empty()) {
      Report(file.path, at + "/description", "say what the widget does in 'description'");
    }
    std::string n(name->get_string());
    if (!seen.insert(n).second) {
      Report(file.path, at + "/name", "widget " + Quote(n) + " is listed twice");
      continue;
    }
    const json::value* kind = w->if_contains("kind");
    std::string_view k = kind && kind->is_string() ? std::string_view(kind->get_string()) : "";
    if (k == "widget") {
      catalog.custom_widgets_.push_back(n);
    } else if (k == "field") {
      catalog.custom_fields_.push_back(n);
    } else {
      Report(file.path, at + "/kind",
             "'kind' must be widget (for ui:widget) or field (for ui:field)");
    }
  }
}

std::unique_ptr<Capability> CatalogLoader::LoadCapability(const CatalogFile& file,
                                                          const json::value& doc) {
  const json::object* o = doc.if_object();
  if (o == nullptr) {
    Report(file.path, "", "a capability file holds a JSON object");
    return nullptr;
  }
  static const std::set<std::string_view> kFields = {
      "id",       "label", "description",    "runtime", "config_required", "universal",
      "requires", "needs", "credit_actions", "schema",  "ui_schema"};
  for (const auto& [key, value] : *o) {
    if (!kFields.contains(key)) {
      Report(file.path, "/" + capconf::json::EscapeToken(key), "unknown field " + Quote(key));
    }
  }
  auto c = std::make_unique<Capability>();
  c->file_ = file.path;
  bool ok = true;
  auto text = [&](std::string_view field, std::string& out, bool allow_empty) {
    const json::value* v = o->if_contains(field);
    if (v == nullptr || !v->is_string() || (!allow_empty && v->get_string().empty())) {
      Report(file.path, "/" + std::string(field),
             std::string("'") + std::string(field) + "' must be a non-empty string");
      ok = false;
      return;
    }
    out = v->get_string();
  };
  auto flag = [&](std::string_view field, bool& out) {
    const json::value* v = o->if_contains(field);
    if (v == nullptr || !v->is_bool()) {
      Report(file.path, "/" + std::string(field),
             std::string("'") + std::string(field) + "' must be true or false");
      ok = false;
      return;
    }
    out = v->get_bool();
  };
  text("id", c->id_, false);
  text("label", c->label_, false);
  text("description", c->description_, false);
  text("runtime", c->runtime_, false);
  flag("config_required", c->config_required_);
  flag("universal", c->universal_);
  if (!c->id_.empty()) {
    if (!IsIdentifier(c->id_)) {
      Report(file.path, "/id", "capability id " + Quote(c->id_) + " must match [a-z][a-z0-9_]*");
      ok = false;
    } else if (Stem(file.path) != c->id_) {
      Report(file.path, "/id",
             "capability " + Quote(c->id_) + " must be in capabilities/" + c->id_ + ".json");
    }
  }
  const json::value* schema_doc = o->if_contains("schema");
  if (schema_doc == nullptr || !schema_doc->is_object()) {
    Report(file.path, "/schema", "'schema' must be a JSON Schema object describing the section");
    ok = false;
  } else {
    c->schema_ = *schema_doc;
    const json::object& s = schema_doc->get_object();
    const json::value* type = s.if_contains("type");
    if (type == nullptr || !type->is_string() || type->get_string() != "object") {
      Report(file.path, "/schema/type", "a capability's section schema must have type 'object'");
    }
    for (std::string_view kw : {"$id", "$schema", "id"}) {
      if (s.contains(kw)) {
        Report(file.path, "/schema/" + capconf::json::EscapeToken(kw),
               "a capability schema must not declare " + Quote(kw) +
                   ": the template decides the dialect and the bundle the base URI");
      }
    }
    if (CompileAt(file.path, "/schema", c->schema_) == nullptr) ok = false;
    c->secret_pointers_ = CollectWriteOnlyPointers(c->schema_, c->schema_);
  }
  const json::value* ui = o->if_contains("ui_schema");
  if (ui == nullptr || !ui->is_object()) {
    Report(file.path, "/ui_schema", "'ui_schema' must be an object (it may be empty)");
  } else {
    c->ui_schema_ = *ui;
  }
  if (const json::value* actions = o->if_contains("credit_actions")) {
    if (!actions->is_array()) {
      Report(file.path, "/credit_actions", "'credit_actions' must be an array");
    } else {
      std::set<std::string> seen;
      for (std::size_t i = 0; i < actions->get_array().size(); ++i) {
        std::string at = "/credit_actions/" + std::to_string(i);
        const json::object* a = actions->get_array()[i].if_object();
        const json::value* name = a ? a->if_contains("action") : nullptr;
        const json::value* label = a ? a->if_contains("label") : nullptr;
        if (name == nullptr || !name->is_string() || !IsIdentifier(name->get_string())) {
          Report(file.path, at + "/action",
                 "a credit action needs an 'action' id ([a-z][a-z0-9_]*)");
          continue;
        }
        if (label == nullptr || !label->is_string() || label->get_string().empty()) {
          Report(file.path, at + "/label", "a credit action needs a 'label'");
          continue;
        }
        if (!seen.insert(std::string(name->get_string())).second) {
          Report(file.path, at + "/action",
                 "credit action " + Quote(name->get_string()) + " is listed twice");
          continue;
        }
        CreditAction action{std::string(name->get_string()), std::string(label->get_string()), ""};
        if (const json::value* d = a->if_contains("description"); d && d->is_string()) {
          action.description = d->get_string();
        }
        c->credit_actions_.push_back(std::move(action));
      }
    }
  } else {
    Report(file.path, "/credit_actions", "'credit_actions' is missing (use [] for none)");
  }
  if (!o->contains("needs")) Report(file.path, "/needs", "'needs' is missing (use [] for none)");
  if (!o->contains("requires"))
    Report(file.path, "/requires", "'requires' is missing (use null for none)");
  return ok ? std::move(c) : nullptr;
}

void CatalogLoader::LinkCapability(Capability& c, const json::object& doc, const Catalog& catalog) {
  if (const json::value* r = doc.if_contains("requires"); r && !r->is_null()) {
    Rule rule;
    if (ParseRule(c.file(), *r, "/requires", catalog, rule, 0)) c.requires_ = std::move(rule);
  }
  if (const json::value* needs = doc.if_contains("needs")) LoadNeeds(c.file(), *needs, c);
}

bool CatalogLoader::ParseRule(const std::string& file, const json::value& value,
                              std::string pointer, const Catalog& catalog, Rule& rule, int depth) {
  const json::object* o = value.if_object();
  if (o == nullptr || o->size() != 1) {
    Report(file, pointer,
           "a rule is one of {\"capability\": ID}, {\"any_of\": [...]}, {\"all_of\": [...]}, "
           "{\"not\": RULE}");
    return false;
  }
  if (depth > kMaxRuleDepth) {
    Report(file, pointer, "the rule nests deeper than 16 levels");
    return false;
  }
  const auto& [key, operand] = *o->begin();
  if (key == "capability") {
    if (!operand.is_string() || catalog.FindCapability(operand.get_string()) == nullptr) {
      Report(file, pointer + "/capability",
             operand.is_string() ? "the rule names " + Quote(operand.get_string()) +
                                       ", which is not a capability of the catalog"
                                 : "'capability' must be a capability id");
      return false;
    }
    rule.kind = Rule::Kind::kCapability;
    rule.capability = operand.get_string();
    return true;
  }
  if (key == "not") {
    rule.kind = Rule::Kind::kNot;
    rule.operands.resize(1);
    return ParseRule(file, operand, pointer + "/not", catalog, rule.operands[0], depth + 1);
  }
  if (key == "any_of" || key == "all_of") {
    rule.kind = key == "any_of" ? Rule::Kind::kAnyOf : Rule::Kind::kAllOf;
    if (!operand.is_array() || operand.get_array().empty()) {
      Report(file, pointer + "/" + std::string(key),
             "'" + std::string(key) + "' needs a non-empty array of rules");
      return false;
    }
    bool ok = true;
    for (std::size_t i = 0; i < operand.get_array().size(); ++i) {
      Rule sub;
      if (ParseRule(file, operand.get_array()[i],
                    pointer + "/" + std::string(key) + "/" + std::to_string(i), catalog, sub,
                    depth + 1)) {
        rule.operands.push_back(std::move(sub));
      } else {
        ok = false;
      }
    }
    return ok;
  }
  Report(file, pointer + "/" + capconf::json::EscapeToken(key),
         "unknown rule " + Quote(key) + " (use capability, any_of, all_of or not)");
  return false;
}

void CatalogLoader::LoadNeeds(const std::string& file, const json::value& value, Capability& c) {
  if (!value.is_array()) {
    Report(file, "/needs", "'needs' must be an array");
    return;
  }
  std::set<std::string> ids;
  for (std::size_t i = 0; i < value.get_array().size(); ++i) {
    std::string at = "/needs/" + std::to_string(i);
    const json::object* o = value.get_array()[i].if_object();
    if (o == nullptr) {
      Report(file, at, "a need is an object");
      continue;
    }
    static const std::set<std::string_view> kFields = {"id",      "kind", "pointer", "resource",
                                                       "message", "when", "require"};
    bool ok = true;
    for (const auto& [key, v] : *o) {
      if (!kFields.contains(key)) {
        Report(file, at + "/" + capconf::json::EscapeToken(key),
               "unknown field " + Quote(key) + " in a need");
        ok = false;
      }
    }
    Need need;
    const json::value* id = o->if_contains("id");
    const json::value* kind = o->if_contains("kind");
    const json::value* message = o->if_contains("message");
    if (id == nullptr || !id->is_string() || !IsIdentifier(id->get_string())) {
      Report(file, at + "/id", "a need needs an 'id' ([a-z][a-z0-9_]*)");
      continue;
    }
    need.id = id->get_string();
    if (!ids.insert(need.id).second) {
      Report(file, at + "/id", "need " + Quote(need.id) + " is listed twice");
      continue;
    }
    if (message == nullptr || !message->is_string() || message->get_string().empty()) {
      Report(file, at + "/message", "a need needs a 'message' for the buyer");
      ok = false;
    } else {
      need.message = message->get_string();
    }
    std::string_view k = kind && kind->is_string() ? std::string_view(kind->get_string()) : "";
    const json::value* pointer = o->if_contains("pointer");
    if (pointer != nullptr) {
      if (!pointer->is_string() || !capconf::json::ParsePointer(pointer->get_string()).ok() ||
          pointer->get_string().empty()) {
        Report(file, at + "/pointer",
               "'pointer' must be a JSON Pointer into the section, like /api_key");
        ok = false;
      } else {
        need.pointer = pointer->get_string();
      }
    }
    if (k == "config") {
      need.kind = Need::Kind::kConfig;
      const json::value* require = o->if_contains("require");
      if (require == nullptr) {
        Report(file, at + "/require",
               "a config need says in 'require' what the section must satisfy");
        ok = false;
      } else {
        need.require = CompileAt(file, at + "/require", *require);
        if (!need.require) ok = false;
      }
    } else if (k == "secret") {
      need.kind = Need::Kind::kSecret;
      if (need.pointer.empty()) {
        Report(file, at + "/pointer", "a secret need names its write-only field in 'pointer'");
        ok = false;
      } else if (std::find(c.secret_pointers_.begin(), c.secret_pointers_.end(), need.pointer) ==
                 c.secret_pointers_.end()) {
        Report(file, at + "/pointer",
               "the secret need points at " + Quote(need.pointer) +
                   ", which is not a writeOnly property of the schema");
        ok = false;
      }
    } else if (k == "resource") {
      need.kind = Need::Kind::kResource;
      const json::value* resource = o->if_contains("resource");
      if (resource == nullptr || !resource->is_string() || !IsIdentifier(resource->get_string())) {
        Report(file, at + "/resource",
               "a resource need names the resource, like ragflow_collection");
        ok = false;
      } else {
        need.resource = resource->get_string();
      }
    } else {
      Report(file, at + "/kind", "'kind' must be config, secret or resource");
      continue;
    }
    if (const json::value* when = o->if_contains("when")) {
      need.when = CompileAt(file, at + "/when", *when);
      if (!need.when) ok = false;
    }
    if (ok) c.needs_.push_back(std::move(need));
  }
}

std::unique_ptr<Template> CatalogLoader::LoadTemplate(const CatalogFile& file,
                                                      const json::value& doc,
                                                      const Catalog& catalog) {
  const json::object* o = doc.if_object();
  if (o == nullptr) {
    Report(file.path, "", "a template file holds a JSON object");
    return nullptr;
  }
  static const std::set<std::string_view> kFields = {"template_id",
                                                     "name",
                                                     "description",
                                                     "category",
                                                     "capabilities",
                                                     "default_capabilities",
                                                     "langflow_flow_id",
                                                     "credit_costs",
                                                     "config_schema",
                                                     "version",
                                                     "supports_dedicated_runtime",
                                                     "ui_schema"};
  for (const auto& [key, value] : *o) {
    if (!kFields.contains(key)) {
      Report(file.path, "/" + capconf::json::EscapeToken(key), "unknown field " + Quote(key));
    }
  }
  auto t = std::make_unique<Template>();
  t->file_ = file.path;
  t->document_ = *o;
  bool ok = true;
  auto text = [&](std::string_view field, std::string& out, bool required) {
    const json::value* v = o->if_contains(field);
    if (v == nullptr && !required) return;
    if (v == nullptr || !v->is_string() || v->get_string().empty()) {
      Report(file.path, "/" + std::string(field),
             "'" + std::string(field) + "' must be a non-empty string");
      ok = false;
      return;
    }
    out = v->get_string();
  };
  text("template_id", t->id_, true);
  text("name", t->name_, true);
  text("description", t->description_, false);
  text("category", t->category_, true);
  text("langflow_flow_id", t->langflow_flow_id_, true);
  if (!t->id_.empty() && !IsTemplateId(t->id_)) {
    Report(file.path, "/template_id",
           "template id " + Quote(t->id_) + " must match [a-z0-9][a-z0-9-]*");
    ok = false;
  }
  static const std::set<std::string_view> kCategories = {"agents", "apps", "assistants",
                                                         "automations"};
  if (!t->category_.empty() && !kCategories.contains(t->category_)) {
    Report(
        file.path, "/category",
        "category " + Quote(t->category_) + " is not one of agents, apps, assistants, automations");
  }
  if (const json::value* v = o->if_contains("version")) {
    if (!v->is_int64() || v->get_int64() < 1 || v->get_int64() > 1000000) {
      Report(file.path, "/version", "'version' must be a positive integer");
      ok = false;
    } else {
      t->version_ = static_cast<int>(v->get_int64());
    }
  }
  if (const json::value* v = o->if_contains("supports_dedicated_runtime")) {
    if (!v->is_bool()) {
      Report(file.path, "/supports_dedicated_runtime",
             "'supports_dedicated_runtime' must be true or false");
    } else {
      t->supports_dedicated_runtime_ = v->get_bool();
    }
  }

  auto capability_list = [&](std::string_view field, std::vector<const Capability*>& out,
                             CapabilitySet& set) {
    const json::value* v = o->if_contains(field);
    if (v == nullptr || !v->is_array()) {
      Report(file.path, "/" + std::string(field),
             "'" + std::string(field) + "' must be an array of capability ids");
      ok = false;
      return;
    }
    for (std::size_t i = 0; i < v->get_array().size(); ++i) {
      std::string at = "/" + std::string(field) + "/" + std::to_string(i);
      const json::value& id = v->get_array()[i];
      const Capability* c = id.is_string() ? catalog.FindCapability(id.get_string()) : nullptr;
      if (c == nullptr) {
        Report(file.path, at,
               id.is_string() ? Quote(id.get_string()) + " is not a capability of the catalog"
                              : std::string("a capability id is a string, not ") + KindName(id));
        ok = false;
        continue;
      }
      if (c->universal()) {
        Report(file.path, at,
               Quote(c->id()) + " is universal: every template has it, so it is not listed here");
        ok = false;
        continue;
      }
      if (set & c->bit()) {
        Report(file.path, at, Quote(c->id()) + " is listed twice");
        continue;
      }
      set |= c->bit();
      out.push_back(c);
    }
  };
  capability_list("capabilities", t->capabilities_, t->offered_);
  capability_list("default_capabilities", t->defaults_, t->default_set_);
  if (const json::value* defaults = o->if_contains("default_capabilities");
      defaults && defaults->is_array()) {
    for (std::size_t i = 0; i < t->defaults_.size(); ++i) {
      if (!(t->offered_ & t->defaults_[i]->bit())) {
        // Find the position of this id for the pointer.
        for (std::size_t j = 0; j < defaults->get_array().size(); ++j) {
          const json::value& id = defaults->get_array()[j];
          if (id.is_string() && id.get_string() == t->defaults_[i]->id()) {
            Report(file.path, "/default_capabilities/" + std::to_string(j),
                   Quote(t->defaults_[i]->id()) +
                       " is a default capability but not among the template's capabilities");
          }
        }
        ok = false;
      }
    }
  }

  if (const json::value* costs = o->if_contains("credit_costs"); costs && costs->is_object()) {
    for (const auto& [action, cost] : costs->get_object()) {
      std::string at = "/credit_costs/" + capconf::json::EscapeToken(action);
      if (!IsIdentifier(action)) {
        Report(file.path, at, "credit action " + Quote(action) + " must match [a-z][a-z0-9_]*");
        continue;
      }
      if (!cost.is_int64() || cost.get_int64() < 0 || cost.get_int64() > 1000000) {
        Report(file.path, at, "a credit cost is a whole number from 0 to 1000000");
        continue;
      }
      t->credit_costs_.emplace(std::string(action), cost.get_int64());
    }
  } else {
    Report(file.path, "/credit_costs", "'credit_costs' must be an object of action: cost");
  }

  // config_schema: an allOf (possibly behind local $refs) of capability refs and inline sections.
  const json::value* config_schema = o->if_contains("config_schema");
  if (config_schema == nullptr || !config_schema->is_object()) {
    Report(file.path, "/config_schema", "'config_schema' must be a JSON Schema object");
    return nullptr;
  }
  if (const json::value* uri = config_schema->get_object().if_contains("$schema")) {
    auto dialect = uri->is_string() ? DialectOfUri(uri->get_string()) : std::nullopt;
    if (!dialect) {
      Report(file.path, "/config_schema/$schema",
             "unsupported $schema: use draft-07, 2019-09 or 2020-12");
      ok = false;
    } else {
      t->dialect_ = *dialect;
    }
  }
  const json::value* node = config_schema;
  std::string node_pointer = "/config_schema";
  for (int hop = 0; hop <= kMaxRefHops; ++hop) {
    const json::value* ref = node->get_object().if_contains("$ref");
    if (ref == nullptr) break;
    std::string_view r = ref->is_string() ? std::string_view(ref->get_string()) : "";
    auto pointer = !r.empty() && r[0] == '#' ? capconf::json::DecodeUriFragment(r.substr(1))
                                             : Result<std::string>(InvalidArgumentError(""));
    const json::value* target =
        pointer.ok() ? capconf::json::Resolve(*config_schema, *pointer) : nullptr;
    if (target == nullptr || !target->is_object() || hop == kMaxRefHops) {
      Report(file.path, node_pointer + "/$ref",
             "the config_schema's $ref must point inside it, at the allOf of its sections");
      return nullptr;
    }
    node = target;
    node_pointer = "/config_schema" + *pointer;
  }
  const json::value* all_of = node->get_object().if_contains("allOf");
  if (all_of == nullptr || !all_of->is_array() || all_of->get_array().empty()) {
    Report(file.path, node_pointer,
           "the config_schema must be an allOf of {\"$ref\": \"capability:NAME\"} and inline "
           "sections");
    return nullptr;
  }
  std::set<std::string> keys;
  CapabilitySet referenced = 0;
  const json::object* template_ui = nullptr;
  if (const json::value* ui = o->if_contains("ui_schema")) {
    template_ui = ui->if_object();
    if (template_ui == nullptr)
      Report(file.path, "/ui_schema", "'ui_schema' must be an object keyed by section");
  }
  for (std::size_t i = 0; i < all_of->get_array().size(); ++i) {
    std::string at = node_pointer + "/allOf/" + std::to_string(i);
    const json::object* entry = all_of->get_array()[i].if_object();
    if (entry == nullptr) {
      Report(file.path, at, "a section is an object schema or {\"$ref\": \"capability:NAME\"}");
      ok = false;
      continue;
    }
    Section section;
    section.schema_pointer = at;
    if (const json::value* ref = entry->if_contains("$ref")) {
      constexpr std::string_view kScheme = "capability:";
      std::string_view r = ref->is_string() ? std::string_view(ref->get_string()) : "";
      if (r.substr(0, kScheme.size()) != kScheme) {
        Report(file.path, at + "/$ref",
               "a section's $ref names a capability as capability:NAME; inline sections are "
               "written out");
        ok = false;
        continue;
      }
      if (entry->size() != 1) {
        Report(file.path, at,
               "a capability $ref stands alone (draft-07 ignores keywords beside $ref)");
      }
      const Capability* c = catalog.FindCapability(r.substr(kScheme.size()));
      if (c == nullptr) {
        Report(file.path, at + "/$ref",
               Quote(r) + " does not resolve: no such capability in the catalog");
        ok = false;
        continue;
      }
      if (!c->universal() && !(t->offered_ & c->bit())) {
        Report(file.path, at + "/$ref",
               Quote(r) + " is referenced but " + Quote(c->id()) +
                   " is not among the template's capabilities");
        ok = false;
        continue;
      }
      if (referenced & c->bit()) {
        Report(file.path, at + "/$ref", Quote(r) + " is referenced twice");
        continue;
      }
      referenced |= c->bit();
      section.key = c->id();
      section.capability = c;
      const json::value* title =
          c->schema().is_object() ? c->schema().get_object().if_contains("title") : nullptr;
      section.title = title && title->is_string() ? std::string(title->get_string()) : c->label();
    } else {
      const json::value* title = entry->if_contains("title");
      const json::value* key = entry->if_contains("x-key");
      if (title == nullptr || !title->is_string() || title->get_string().empty()) {
        Report(file.path, at + "/title",
               "an inline section needs a 'title' (it heads the section)");
        ok = false;
        continue;
      }
      section.title = title->get_string();
      if (key != nullptr) {
        if (!key->is_string() || !IsIdentifier(key->get_string())) {
          Report(file.path, at + "/x-key", "'x-key' must match [a-z][a-z0-9_]*");
          ok = false;
          continue;
        }
        section.key = key->get_string();
      } else {
        section.key = DeriveSectionKey(section.title);
        if (section.key.empty()) {
          Report(file.path, at + "/title",
                 "cannot derive a key from this title; give the section an 'x-key'");
          ok = false;
          continue;
        }
      }
      if (catalog.FindCapability(section.key) != nullptr) {
        Report(file.path, at,
               "the inline section's key " + Quote(section.key) +
                   " is a capability id; give it another 'x-key'");
        ok = false;
        continue;
      }
      json::object inline_schema = *entry;
      inline_schema.erase("x-key");
      const json::value* type = inline_schema.if_contains("type");
      if (type == nullptr || !type->is_string() || type->get_string() != "object") {
        Report(file.path, at + "/type", "an inline section must have type 'object'");
      }
      section.inline_schema = std::move(inline_schema);
      if (template_ui != nullptr) {
        if (const json::value* ui = template_ui->if_contains(section.key))
          section.inline_ui_schema = *ui;
      }
    }
    if (!keys.insert(section.key).second) {
      Report(file.path, at,
             "two sections have the key " + Quote(section.key) + "; give one an 'x-key'");
      ok = false;
      continue;
    }
    t->sections_.push_back(std::move(section));
  }
  if (template_ui != nullptr) {
    for (const auto& [key, value] : *template_ui) {
      const Section* s = t->FindSection(key);
      if (s == nullptr || s->capability != nullptr) {
        Report(
            file.path, "/ui_schema/" + capconf::json::EscapeToken(key),
            "the template's ui_schema is for its inline sections; " + Quote(key) + " is not one");
      }
    }
  }
  for (const auto& c : catalog.capabilities()) {
    if (c->universal() && !(referenced & c->bit())) {
      Report(file.path, node_pointer + "/allOf",
             "the universal capability " + Quote(c->id()) +
                 " is missing: add {\"$ref\": \"capability:" + c->id() + "\"}");
      ok = false;
    }
  }
  for (const Section& s : t->sections_) {
    if (s.capability && s.capability->universal()) t->universal_ |= s.capability->bit();
  }
  // Offered capabilities the config_schema does not reference still have their section.
  for (const Capability* c : t->capabilities_) {
    if (referenced & c->bit()) continue;
    if (keys.contains(c->id())) continue;
    Section section;
    section.key = c->id();
    section.capability = c;
    const json::value* title =
        c->schema().is_object() ? c->schema().get_object().if_contains("title") : nullptr;
    section.title = title && title->is_string() ? std::string(title->get_string()) : c->label();
    keys.insert(section.key);
    t->sections_.push_back(std::move(section));
  }
  return ok ? std::move(t) : nullptr;
}

}  // namespace capconf::catalog
