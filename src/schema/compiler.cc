#include "compiler.h"

#include <algorithm>
#include <cmath>

#include "builtin_metaschemas.h"
#include "capconf/json/parse.h"
#include "capconf/json/pointer.h"
#include "keywords.h"
#include "uri.h"

namespace capconf::schema::internal {
namespace json = boost::json;

std::optional<Dialect> DialectOfMetaschemaUri(std::string_view uri) {
  std::string_view u = StripFragment(uri);
  if (u == "http://json-schema.org/draft-07/schema" ||
      u == "https://json-schema.org/draft-07/schema" ||
      u == "http://json-schema.org/draft-06/schema")
    return Dialect::kDraft7;
  if (u == "https://json-schema.org/draft/2019-09/schema") return Dialect::kDraft2019_09;
  if (u == "https://json-schema.org/draft/2020-12/schema") return Dialect::kDraft2020_12;
  return std::nullopt;
}

std::string_view MetaschemaUriOf(Dialect dialect) {
  switch (dialect) {
    case Dialect::kDraft7:
      return "http://json-schema.org/draft-07/schema";
    case Dialect::kDraft2019_09:
      return "https://json-schema.org/draft/2019-09/schema";
    case Dialect::kDraft2020_12:
      return "https://json-schema.org/draft/2020-12/schema";
  }
  return "";
}

namespace {

// Where a subschema stands: what its base URI, dialect and resource are.
struct Location {
  std::string base;
  Dialect dialect = Dialect::kDraft7;
  Vocabularies vocab;
  Resource* resource = nullptr;
  std::string pointer;  // within its resource
};

struct ResourceEntry {
  Resource* resource = nullptr;
  const json::value* root = nullptr;
  Dialect dialect = Dialect::kDraft7;
  Vocabularies vocab;
  std::string base;
};

Status SchemaError(const std::string& where, std::string_view what) {
  std::string m = where.empty() ? "#" : where;
  m += ": ";
  m += what;
  return InvalidArgumentError(std::move(m));
}

bool IsNonNegativeInteger(const json::value& v) {
  if (v.is_int64()) return v.get_int64() >= 0;
  if (v.is_uint64()) return true;
  if (v.is_double()) {
    double d = v.get_double();
    return std::isfinite(d) && d >= 0 && std::trunc(d) == d;
  }
  return false;
}

std::uint64_t AsCount(const json::value& v) {
  if (v.is_int64()) return static_cast<std::uint64_t>(v.get_int64());
  if (v.is_uint64()) return v.get_uint64();
  double d = v.get_double();
  return d >= 1.8e19 ? UINT64_MAX : static_cast<std::uint64_t>(d);
}

long double AsLd(const json::value& v) {
  if (v.is_int64()) return static_cast<long double>(v.get_int64());
  if (v.is_uint64()) return static_cast<long double>(v.get_uint64());
  return static_cast<long double>(v.get_double());
}

// A view of a Boost.JSON string or key. A template, so no temporary json::string is ever made
// (a view into one would dangle).
template <typename S>
std::string_view Sv(const S& s) {
  return std::string_view(s.data(), s.size());
}

class Compiler {
 public:
  Compiler(const CompileOptions& options, CompiledGraph& graph)
      : options_(options), graph_(graph) {}

  Status Run(const json::value& document) {
    graph_.documents.push_back(document);
    const json::value* root = &graph_.documents.back();
    CAPCONF_RETURN_IF_ERROR(IndexDocument(root, options_.base_uri, options_.default_dialect,
                                          /*is_compile_root=*/true));
    graph_.dialect = locations_.at(root).dialect;
    auto node = NodeFor(root);
    if (!node.ok()) return node.status();
    graph_.root = *node;
    return CompleteResources();
  }

 private:
  // ---------------------------------------------------------------------------------------
  // Indexing: find every resource, anchor and subschema before any reference is followed.

  Result<std::pair<Dialect, Vocabularies>> DialectFromSchemaKeyword(const json::value& value,
                                                                    const std::string& where) {
    if (!value.is_string()) return SchemaError(where + "/$schema", "must be a string");
    std::string uri(Sv(value.get_string()));
    if (auto d = DialectOfMetaschemaUri(uri)) return std::make_pair(*d, Vocabularies{});
    // A custom metaschema: its own $schema says the dialect, its $vocabulary which keywords.
    std::string stripped(StripFragment(uri));
    std::optional<json::value> meta = Fetch(stripped);
    if (!meta) return SchemaError(where + "/$schema", "unknown metaschema \"" + uri + "\"");
    Dialect dialect = Dialect::kDraft2020_12;
    Vocabularies vocab;
    if (const auto* obj = meta->if_object()) {
      if (auto it = obj->find("$schema"); it != obj->end() && it->value().is_string())
        if (auto d = DialectOfMetaschemaUri(Sv(it->value().get_string()))) dialect = *d;
      if (auto it = obj->find("$vocabulary"); it != obj->end() && it->value().is_object()) {
        vocab = Vocabularies{false, false, false, false};
        for (const auto& [name, required] : it->value().get_object()) {
          std::string_view v = Sv(name);
          auto ends = [&](std::string_view s) { return v.ends_with(s); };
          if (ends("/vocab/applicator")) {
            vocab.applicator = true;
            if (dialect == Dialect::kDraft2019_09) vocab.unevaluated = true;
          } else if (ends("/vocab/unevaluated")) {
            vocab.unevaluated = true;
          } else if (ends("/vocab/validation")) {
            vocab.validation = true;
          } else if (ends("/vocab/format-assertion")) {
            vocab.format_assertion = true;
          } else if (ends("/vocab/core") || ends("/vocab/meta-data") || ends("/vocab/content") ||
                     ends("/vocab/format") || ends("/vocab/format-annotation")) {
          } else if (required.is_bool() && required.get_bool()) {
            return SchemaError(where + "/$schema",
                               "metaschema requires unknown vocabulary \"" + std::string(v) + "\"");
          }
        }
      }
    }
    return std::make_pair(dialect, vocab);
  }

  std::optional<json::value> Fetch(const std::string& uri) {
    if (const std::string_view* text = FindBuiltinMetaschema(uri)) {
      auto parsed = capconf::json::Parse(*text, {.max_bytes = 1 << 20, .max_depth = 256});
      if (parsed.ok()) return std::move(parsed).value();
    }
    if (options_.resolver) return options_.resolver(uri);
    return std::nullopt;
  }

  Status IndexDocument(const json::value* root, const std::string& retrieval_uri,
                       Dialect default_dialect, bool is_compile_root) {
    Location loc;
    loc.base = retrieval_uri;
    loc.dialect = default_dialect;
    loc.resource =
        NewResource(retrieval_uri, root, default_dialect, Vocabularies{}, is_compile_root);
    return Index(root, loc, /*is_document_root=*/true);
  }

  Resource* NewResource(const std::string& uri, const json::value* root, Dialect dialect,
                        const Vocabularies& vocab, bool is_compile_root) {
    auto r = std::make_unique<Resource>();
    r->uri = uri;
    r->path_prefix = is_compile_root ? "#" : uri + "#";
    Resource* raw = r.get();
    graph_.resources.push_back(std::move(r));
    // The first definition of a URI wins, as it would for a $ref resolved in document order.
    resources_.try_emplace(uri, ResourceEntry{raw, root, dialect, vocab, uri});
    return raw;
  }

  Status Index(const json::value* v, Location loc, bool is_document_root) {
    if (++index_depth_ > 2000) return SchemaError(loc.pointer, "schema nesting is too deep");
    struct DepthGuard {
      int& d;
      ~DepthGuard() { --d; }
    } guard{index_depth_};

    const json::object* obj = v->if_object();
    if (obj == nullptr) {
      locations_.try_emplace(v, loc);
      return Status::Ok();
    }
    const std::string where = loc.resource->path_prefix + loc.pointer;
    auto id_it = obj->find("$id");
    bool has_id = id_it != obj->end() && id_it->value().is_string();

    // $schema at a document root, or (2019-09 on) at any resource root, picks the dialect.
    if (auto s = obj->find("$schema"); s != obj->end() && (is_document_root || has_id)) {
      auto d = DialectFromSchemaKeyword(s->value(), where);
      if (!d.ok()) return d.status();
      if (is_document_root || loc.dialect != Dialect::kDraft7) {
        loc.dialect = d->first;
        loc.vocab = d->second;
        if (is_document_root) {
          auto& entry = resources_.at(loc.resource->uri);
          entry.dialect = loc.dialect;
          entry.vocab = loc.vocab;
        }
      }
    }
    const bool draft7 = loc.dialect == Dialect::kDraft7;
    // In draft-07 a $ref makes every sibling, $id included, ignored.
    const bool ref_hides_siblings = draft7 && obj->contains("$ref");

    if (has_id && !ref_hides_siblings) {
      std::string_view id = Sv(id_it->value().get_string());
      if (draft7 && id.starts_with("#")) {
        anchors_.try_emplace(loc.resource->uri + std::string(id), v);
      } else {
        std::string resolved = ResolveUri(loc.base, id);
        std::string base(StripFragment(resolved));
        std::string_view fragment = FragmentOf(resolved);
        if (!fragment.empty()) {
          if (!draft7) return SchemaError(where + "/$id", "must not contain a fragment");
          anchors_.try_emplace(resolved, v);
        }
        if (is_document_root && base != loc.resource->uri) {
          // The document root names itself: its retrieval URI and its $id both reach it.
          auto entry = resources_.at(loc.resource->uri);
          loc.resource->uri = base;
          if (loc.resource->path_prefix != "#") loc.resource->path_prefix = base + "#";
          entry.base = base;
          resources_.try_emplace(base, entry);
        } else if (!is_document_root) {
          loc.resource = NewResource(base, v, loc.dialect, loc.vocab, false);
          loc.pointer.clear();
        }
        loc.base = base;
      }
    }
    if (!draft7) {
      if (auto a = obj->find("$anchor"); a != obj->end()) {
        if (!a->value().is_string()) return SchemaError(where + "/$anchor", "must be a string");
        anchors_.try_emplace(loc.base + "#" + std::string(Sv(a->value().get_string())), v);
      }
      if (auto a = obj->find("$dynamicAnchor");
          a != obj->end() && loc.dialect == Dialect::kDraft2020_12) {
        if (!a->value().is_string())
          return SchemaError(where + "/$dynamicAnchor", "must be a string");
        std::string name(Sv(a->value().get_string()));
        anchors_.try_emplace(loc.base + "#" + name, v);
        dynamic_anchor_values_[loc.resource].emplace_back(name, v);
        dynamic_anchor_targets_.insert(v);
      }
      if (auto a = obj->find("$recursiveAnchor");
          a != obj->end() && loc.dialect == Dialect::kDraft2019_09 && loc.pointer.empty()) {
        if (a->value().is_bool() && a->value().get_bool()) loc.resource->recursive_anchor = true;
      }
    }
    locations_.try_emplace(v, loc);

    // Walk only the places that hold subschemas, so `const`/`enum` values and unknown keywords
    // never define identifiers.
    for (const auto& member : *obj) {
      std::string_view key = Sv(member.key());
      const json::value& value = member.value();
      auto child = [&](std::string_view suffix) {
        Location c = loc;
        capconf::json::AppendToken(c.pointer, key);
        if (!suffix.empty()) capconf::json::AppendToken(c.pointer, suffix);
        return c;
      };
      auto child_index = [&](std::size_t i) {
        Location c = loc;
        capconf::json::AppendToken(c.pointer, key);
        capconf::json::AppendIndex(c.pointer, i);
        return c;
      };
      if (IsSingleSchemaKeyword(key, loc.dialect) ||
          (key == "items" && (value.is_object() || value.is_bool()))) {
        CAPCONF_RETURN_IF_ERROR(Index(&value, child({}), false));
      } else if (IsSchemaArrayKeyword(key, loc.dialect) ||
                 (key == "items" && value.is_array() && loc.dialect != Dialect::kDraft2020_12)) {
        if (const auto* arr = value.if_array())
          for (std::size_t i = 0; i < arr->size(); ++i)
            CAPCONF_RETURN_IF_ERROR(Index(&(*arr)[i], child_index(i), false));
      } else if (IsSchemaMapKeyword(key)) {
        if (const auto* map = value.if_object())
          for (const auto& [name, sub] : *map)
            if (key != "dependencies" || sub.is_object() || sub.is_bool())
              CAPCONF_RETURN_IF_ERROR(Index(&sub, child(Sv(name)), false));
      }
    }
    return Status::Ok();
  }

  static bool IsSingleSchemaKeyword(std::string_view k, Dialect d) {
    if (k == "additionalProperties" || k == "contains" || k == "propertyNames" || k == "not" ||
        k == "if" || k == "then" || k == "else")
      return true;
    if (d == Dialect::kDraft7) return k == "additionalItems";
    if (k == "unevaluatedProperties" || k == "unevaluatedItems" || k == "contentSchema")
      return true;
    return d == Dialect::kDraft2019_09 && k == "additionalItems";
  }
  static bool IsSchemaArrayKeyword(std::string_view k, Dialect d) {
    return k == "allOf" || k == "anyOf" || k == "oneOf" ||
           (d == Dialect::kDraft2020_12 && k == "prefixItems");
  }
  static bool IsSchemaMapKeyword(std::string_view k) {
    return k == "properties" || k == "patternProperties" || k == "definitions" || k == "$defs" ||
           k == "dependentSchemas" || k == "dependencies";
  }

  // ---------------------------------------------------------------------------------------
  // References

  Result<const json::value*> ResolveReference(const Location& from, std::string_view ref,
                                              const std::string& where) {
    std::string target = ResolveUri(from.base, ref);
    std::string uri(StripFragment(target));
    std::string fragment(FragmentOf(target));
    auto entry_it = resources_.find(uri);
    if (entry_it == resources_.end()) {
      if (!loading_.insert(uri).second)
        return SchemaError(where, "can't resolve reference " + std::string(ref));
      std::optional<json::value> doc = Fetch(uri);
      if (!doc)
        return SchemaError(where, "can't resolve reference \"" + std::string(ref) + "\" (\"" + uri +
                                      "\" is not known)");
      graph_.documents.push_back(std::move(*doc));
      CAPCONF_RETURN_IF_ERROR(IndexDocument(&graph_.documents.back(), uri, from.dialect, false));
      entry_it = resources_.find(uri);
      if (entry_it == resources_.end()) return SchemaError(where, "can't resolve " + uri);
    }
    const ResourceEntry& entry = entry_it->second;
    if (fragment.empty()) return entry.root;
    if (fragment.front() != '/') {
      auto a = anchors_.find(uri + "#" + fragment);
      if (a == anchors_.end())
        return SchemaError(where, "can't resolve reference \"" + std::string(ref) +
                                      "\" (no anchor \"" + fragment + "\")");
      return a->second;
    }
    auto decoded = capconf::json::DecodeUriFragment(fragment);
    if (!decoded.ok()) return SchemaError(where, decoded.status().message());
    const json::value* value = capconf::json::Resolve(*entry.root, *decoded);
    if (value == nullptr)
      return SchemaError(where, "can't resolve reference \"" + std::string(ref) + "\"");
    if (!locations_.count(value)) {
      // A pointer to a place no keyword walk reached (for example under an unknown keyword):
      // it is a schema of the resource it stands in.
      Location loc;
      loc.base = entry.base;
      loc.dialect = entry.dialect;
      loc.vocab = entry.vocab;
      loc.resource = entry.resource;
      loc.pointer = *decoded;
      CAPCONF_RETURN_IF_ERROR(Index(value, loc, false));
    }
    return value;
  }

  // ---------------------------------------------------------------------------------------
  // Nodes

  Result<Node*> NodeFor(const json::value* v) {
    if (auto it = nodes_.find(v); it != nodes_.end()) return it->second;
    auto loc_it = locations_.find(v);
    if (loc_it == locations_.end())
      return InternalError("schema location was never indexed: " +
                           json::serialize(*v).substr(0, 200));
    const Location loc = loc_it->second;
    const std::string where = loc.resource->path_prefix + loc.pointer;
    if (++build_depth_ > 1000) return SchemaError(where, "schema nesting is too deep");
    struct DepthGuard {
      int& d;
      ~DepthGuard() { --d; }
    } guard{build_depth_};

    auto owned = std::make_unique<Node>();
    Node* node = owned.get();
    graph_.nodes.push_back(std::move(owned));
    nodes_.emplace(v, node);
    node->resource = loc.resource;
    node->schema_path = where;
    node->is_resource_root = loc.pointer.empty();
    used_resources_.insert(loc.resource);
    if (v->is_bool()) {
      node->kind = v->get_bool() ? Node::Kind::kTrue : Node::Kind::kFalse;
      return node;
    }
    if (!v->is_object()) return SchemaError(where, "a schema must be an object or a boolean");
    CAPCONF_RETURN_IF_ERROR(BuildKeywords(*node, v->get_object(), loc, where));
    node->fast_path = !node->needs_annotations && !node->is_resource_root;
    if (loc.pointer.empty() && loc.resource->root == nullptr) loc.resource->root = node;
    return node;
  }

  Result<const Node*> Child(const json::value& v, const std::string& where) {
    if (!v.is_object() && !v.is_bool())
      return SchemaError(where, "must be a schema (an object or a boolean)");
    auto n = NodeFor(&v);
    if (!n.ok()) return n.status();
    return static_cast<const Node*>(*n);
  }

  Status BuildKeywords(Node& node, const json::object& obj, const Location& loc,
                       const std::string& where) {
    const Dialect d = loc.dialect;
    const bool draft7 = d == Dialect::kDraft7;
    const Vocabularies& vocab = loc.vocab;
    auto path = [&](std::string_view k) {
      std::string p = where;
      capconf::json::AppendToken(p, k);
      return p;
    };
    auto find = [&](std::string_view k) -> const json::value* {
      auto it = obj.find(k);
      return it == obj.end() ? nullptr : &it->value();
    };
    std::vector<std::unique_ptr<Keyword>>& out = node.keywords;

    // References.
    if (const json::value* ref = find("$ref")) {
      if (!ref->is_string()) return SchemaError(path("$ref"), "must be a string");
      auto target = ResolveReference(loc, Sv(ref->get_string()), path("$ref"));
      if (!target.ok()) return target.status();
      auto kw = std::make_unique<RefKeyword>();
      CAPCONF_ASSIGN_OR_RETURN(kw->target, Child(**target, path("$ref")));
      out.push_back(std::move(kw));
      if (draft7) return Status::Ok();
    }
    if (const json::value* ref = find("$dynamicRef"); ref && d == Dialect::kDraft2020_12) {
      if (!ref->is_string()) return SchemaError(path("$dynamicRef"), "must be a string");
      std::string_view text = Sv(ref->get_string());
      auto target = ResolveReference(loc, text, path("$dynamicRef"));
      if (!target.ok()) return target.status();
      auto kw = std::make_unique<RefKeyword>();
      kw->mode = RefKeyword::Mode::kDynamic;
      CAPCONF_ASSIGN_OR_RETURN(kw->target, Child(**target, path("$dynamicRef")));
      // Dynamic only when the reference names an anchor that its static target declares
      // with $dynamicAnchor; otherwise it behaves as $ref.
      std::string fragment(FragmentOf(ResolveUri(loc.base, text)));
      graph_.uses_dynamic_scope = true;
      if (!fragment.empty() && fragment.front() != '/' && dynamic_anchor_targets_.count(*target)) {
        const auto* target_obj = (*target)->if_object();
        auto da = target_obj ? target_obj->find("$dynamicAnchor") : nullptr;
        if (target_obj && da != target_obj->end() && da->value().is_string() &&
            Sv(da->value().get_string()) == fragment)
          kw->dynamic_anchor = fragment;
      }
      out.push_back(std::move(kw));
    }
    if (const json::value* ref = find("$recursiveRef"); ref && d == Dialect::kDraft2019_09) {
      if (!ref->is_string()) return SchemaError(path("$recursiveRef"), "must be a string");
      auto target = ResolveReference(loc, Sv(ref->get_string()), path("$recursiveRef"));
      if (!target.ok()) return target.status();
      auto kw = std::make_unique<RefKeyword>();
      kw->mode = RefKeyword::Mode::kRecursive;
      graph_.uses_dynamic_scope = true;
      CAPCONF_ASSIGN_OR_RETURN(kw->target, Child(**target, path("$recursiveRef")));
      out.push_back(std::move(kw));
    }

    if (vocab.validation) CAPCONF_RETURN_IF_ERROR(BuildValidation(node, loc, path, find, out));
    if (const json::value* f = find("format")) {
      if (!f->is_string()) return SchemaError(path("format"), "must be a string");
      if (options_.formats == FormatMode::kAssert || vocab.format_assertion) {
        auto kw = std::make_unique<FormatKeyword>();
        kw->name = std::string(Sv(f->get_string()));
        kw->schema_path = path("format");
        kw->string_check = FindFormat(kw->name);
        if (kw->name == "int32") kw->number_format = FormatKeyword::NumberFormat::kInt32;
        if (kw->name == "int64") kw->number_format = FormatKeyword::NumberFormat::kInt64;
        if (kw->string_check || kw->number_format != FormatKeyword::NumberFormat::kNone)
          out.push_back(std::move(kw));
        CAPCONF_RETURN_IF_ERROR(BuildFormatLimits(Sv(f->get_string()), path, find, out));
      }
    }
    if (vocab.applicator) CAPCONF_RETURN_IF_ERROR(BuildApplicators(obj, loc, path, find, out));
    if (vocab.unevaluated || (vocab.applicator && d == Dialect::kDraft2019_09)) {
      if (!draft7) {
        for (std::string_view k : {"unevaluatedItems", "unevaluatedProperties"}) {
          const json::value* s = find(k);
          if (!s) continue;
          auto kw = std::make_unique<UnevaluatedKeyword>();
          kw->on_items = k == "unevaluatedItems";
          kw->schema_path = path(k);
          CAPCONF_ASSIGN_OR_RETURN(kw->schema, Child(*s, path(k)));
          node.needs_annotations = true;
          out.push_back(std::move(kw));
        }
      }
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a->Phase() < b->Phase(); });
    for (auto& keyword : out) keyword->Prepare();
    MergeRequiredIntoMembers(out);
    return Status::Ok();
  }

  template <typename PathFn, typename FindFn>
  Status BuildValidation(Node& node, const Location& loc, PathFn& path, FindFn& find,
                         std::vector<std::unique_ptr<Keyword>>& out) {
    if (const json::value* t = find("type")) {
      std::string type_names;
      auto add = [&](const json::value& name) -> Status {
        static const std::pair<std::string_view, std::uint8_t> kTypes[] = {
            {"null", kNullBit},      {"boolean", kBooleanBit}, {"object", kObjectBit},
            {"array", kArrayBit},    {"number", kNumberBit},   {"string", kStringBit},
            {"integer", kIntegerBit}};
        if (!name.is_string()) return SchemaError(path("type"), "type names must be strings");
        for (const auto& [n, bit] : kTypes) {
          if (Sv(name.get_string()) != n) continue;
          node.type_mask |= bit;
          if (!type_names.empty()) type_names += ',';
          type_names += n;
          return Status::Ok();
        }
        return SchemaError(path("type"),
                           "unknown type \"" + std::string(Sv(name.get_string())) + "\"");
      };
      if (const auto* arr = t->if_array()) {
        if (arr->empty()) return SchemaError(path("type"), "must name at least one type");
        for (const auto& n : *arr) CAPCONF_RETURN_IF_ERROR(add(n));
      } else {
        CAPCONF_RETURN_IF_ERROR(add(*t));
      }
      node.type_error = {"type", path("type"), {{"type", type_names}}, "must be " + type_names};
    }
    if (const json::value* e = find("enum")) {
      if (!e->is_array()) return SchemaError(path("enum"), "must be an array");
      auto kw = std::make_unique<EnumKeyword>();
      kw->values = e->get_array();
      kw->schema_path = path("enum");
      kw->all_strings = std::all_of(kw->values.begin(), kw->values.end(),
                                    [](const json::value& x) { return x.is_string(); });
      if (kw->all_strings)
        for (const auto& x : kw->values) kw->strings.insert(Sv(x.get_string()));
      out.push_back(std::move(kw));
    }
    if (const json::value* c = find("const")) {
      auto kw = std::make_unique<ConstKeyword>();
      kw->value = *c;
      kw->schema_path = path("const");
      out.push_back(std::move(kw));
    }
    if (const json::value* m = find("multipleOf")) {
      if (!m->is_number() || AsLd(*m) <= 0)
        return SchemaError(path("multipleOf"), "must be a number greater than 0");
      auto kw = std::make_unique<MultipleOfKeyword>();
      kw->divisor = *m;
      kw->schema_path = path("multipleOf");
      out.push_back(std::move(kw));
    }
    static const std::pair<std::string_view, NumberLimitKeyword::Op> kLimits[] = {
        {"maximum", NumberLimitKeyword::Op::kLe},
        {"minimum", NumberLimitKeyword::Op::kGe},
        {"exclusiveMaximum", NumberLimitKeyword::Op::kLt},
        {"exclusiveMinimum", NumberLimitKeyword::Op::kGt}};
    for (const auto& [name, op] : kLimits) {
      const json::value* l = find(name);
      if (!l) continue;
      if (!l->is_number()) return SchemaError(path(name), "must be a number");
      auto kw = std::make_unique<NumberLimitKeyword>();
      kw->op = op;
      kw->limit = *l;
      kw->limit_ld = AsLd(*l);
      kw->keyword = std::string(name);
      kw->schema_path = path(name);
      out.push_back(std::move(kw));
    }
    for (std::string_view name : {"maxLength", "minLength"}) {
      const json::value* l = find(name);
      if (!l) continue;
      if (!IsNonNegativeInteger(*l))
        return SchemaError(path(name), "must be a non-negative integer");
      auto kw = std::make_unique<StringLengthKeyword>();
      kw->is_max = name == "maxLength";
      kw->limit = AsCount(*l);
      kw->keyword = std::string(name);
      kw->schema_path = path(name);
      out.push_back(std::move(kw));
    }
    if (const json::value* p = find("pattern")) {
      if (!p->is_string()) return SchemaError(path("pattern"), "must be a string");
      auto kw = std::make_unique<PatternKeyword>();
      kw->source = std::string(Sv(p->get_string()));
      auto re = EcmaRegex::Compile(kw->source);
      if (!re.ok())
        return SchemaError(path("pattern"), "invalid regular expression: " + re.status().message());
      kw->regex = std::move(re).value();
      kw->dfa = AsciiDfa::TryCompile(kw->source);
      kw->schema_path = path("pattern");
      out.push_back(std::move(kw));
    }
    struct CountSpec {
      std::string_view name;
      bool is_max;
      bool on_object;
    };
    for (const CountSpec& spec :
         {CountSpec{"maxItems", true, false}, CountSpec{"minItems", false, false},
          CountSpec{"maxProperties", true, true}, CountSpec{"minProperties", false, true}}) {
      const json::value* l = find(spec.name);
      if (!l) continue;
      if (!IsNonNegativeInteger(*l))
        return SchemaError(path(spec.name), "must be a non-negative integer");
      auto kw = std::make_unique<CountKeyword>();
      kw->is_max = spec.is_max;
      kw->on_object = spec.on_object;
      kw->limit = AsCount(*l);
      kw->keyword = std::string(spec.name);
      kw->schema_path = path(spec.name);
      out.push_back(std::move(kw));
    }
    if (const json::value* u = find("uniqueItems")) {
      if (!u->is_bool()) return SchemaError(path("uniqueItems"), "must be a boolean");
      if (u->get_bool()) {
        auto kw = std::make_unique<UniqueItemsKeyword>();
        kw->schema_path = path("uniqueItems");
        out.push_back(std::move(kw));
      }
    }
    if (const json::value* r = find("required")) {
      auto kw = std::make_unique<RequiredKeyword>();
      kw->schema_path = path("required");
      if (!r->is_array()) return SchemaError(path("required"), "must be an array of strings");
      for (const auto& n : r->get_array()) {
        if (!n.is_string()) return SchemaError(path("required"), "must be an array of strings");
        kw->names.emplace_back(Sv(n.get_string()));
      }
      if (!kw->names.empty()) out.push_back(std::move(kw));
    }
    if (const json::value* dr = find("dependentRequired"); dr && loc.dialect != Dialect::kDraft7) {
      auto kw = std::make_unique<DependentRequiredKeyword>();
      kw->keyword = "dependentRequired";
      kw->schema_path = path("dependentRequired");
      if (!dr->is_object()) return SchemaError(kw->schema_path, "must be an object");
      for (const auto& [name, list] : dr->get_object()) {
        CAPCONF_ASSIGN_OR_RETURN(auto names, StringList(list, kw->schema_path));
        kw->rules.push_back({std::string(Sv(name)), std::move(names)});
      }
      out.push_back(std::move(kw));
    }
    return Status::Ok();
  }

  // When every `required` name is also a property (the usual shape), the members pass can see
  // which are present, so the separate lookups of RequiredKeyword go.
  static void MergeRequiredIntoMembers(std::vector<std::unique_ptr<Keyword>>& out) {
    RequiredKeyword* required = nullptr;
    ObjectMembersKeyword* members = nullptr;
    for (auto& k : out) {
      if (auto* r = dynamic_cast<RequiredKeyword*>(k.get())) required = r;
      if (auto* m = dynamic_cast<ObjectMembersKeyword*>(k.get())) members = m;
    }
    if (!required || !members || members->property_list.size() > 64) return;
    std::vector<std::size_t> positions;
    for (const auto& name : required->names) {
      auto it = members->property_index.find(name);
      if (it == members->property_index.end()) return;
      positions.push_back(it->second);
    }
    members->required_positions = std::move(positions);
    members->required_errors = required->errors;
    std::erase_if(out, [&](const auto& k) { return k.get() == required; });
  }

  template <typename PathFn, typename FindFn>
  Status BuildFormatLimits(std::string_view format, PathFn& path, FindFn& find,
                           std::vector<std::unique_ptr<Keyword>>& out) {
    static const std::pair<std::string_view, std::string_view> kLimits[] = {
        {"formatMinimum", ">="},
        {"formatMaximum", "<="},
        {"formatExclusiveMinimum", ">"},
        {"formatExclusiveMaximum", "<"}};
    for (const auto& [name, comparison] : kLimits) {
      const json::value* limit = find(name);
      if (!limit) continue;
      if (!limit->is_string()) return SchemaError(path(name), "must be a string");
      FormatCompare compare = FindFormatCompare(format);
      if (compare == nullptr) {
        // ajv refuses the schema too; an unknown format leaves the keyword inert.
        if (FindFormat(format) == nullptr) continue;
        return SchemaError(
            path(name), "format \"" + std::string(format) + "\" defines no order to compare with");
      }
      auto kw = std::make_unique<FormatLimitKeyword>();
      kw->compare = compare;
      kw->limit = std::string(Sv(limit->get_string()));
      kw->keyword = std::string(name);
      kw->comparison = std::string(comparison);
      kw->schema_path = path(name);
      out.push_back(std::move(kw));
    }
    return Status::Ok();
  }

  Result<std::vector<std::string>> StringList(const json::value& list, const std::string& where) {
    if (!list.is_array()) return SchemaError(where, "must map names to arrays of strings");
    std::vector<std::string> names;
    for (const auto& n : list.get_array()) {
      if (!n.is_string()) return SchemaError(where, "must map names to arrays of strings");
      names.emplace_back(Sv(n.get_string()));
    }
    return names;
  }

  template <typename PathFn, typename FindFn>
  Status BuildApplicators(const json::object& obj, const Location& loc, PathFn& path, FindFn& find,
                          std::vector<std::unique_ptr<Keyword>>& out) {
    (void)obj;
    const Dialect d = loc.dialect;
    auto schema_list = [&](std::string_view k, std::vector<const Node*>& into) -> Status {
      const json::value* v = find(k);
      if (!v->is_array() || (v->get_array().empty() && k != "prefixItems" && k != "items"))
        return SchemaError(path(k), "must be a non-empty array of schemas");
      std::size_t i = 0;
      for (const auto& s : v->get_array()) {
        std::string p = path(k);
        capconf::json::AppendIndex(p, i++);
        CAPCONF_ASSIGN_OR_RETURN(const Node* n, Child(s, p));
        into.push_back(n);
      }
      return Status::Ok();
    };

    // Arrays.
    {
      auto kw = std::make_unique<ItemsKeyword>();
      const json::value* items = find("items");
      bool any = false;
      if (d == Dialect::kDraft2020_12) {
        if (find("prefixItems")) {
          CAPCONF_RETURN_IF_ERROR(schema_list("prefixItems", kw->prefix));
          kw->has_prefix = true;
          any = true;
        }
        if (items) {
          if (items->is_array()) return SchemaError(path("items"), "must be a schema in 2020-12");
          CAPCONF_ASSIGN_OR_RETURN(kw->rest, Child(*items, path("items")));
          kw->rest_keyword = "items";
          kw->rest_path = path("items");
          any = true;
        }
      } else if (items) {
        any = true;
        if (items->is_array()) {
          CAPCONF_RETURN_IF_ERROR(schema_list("items", kw->prefix));
          kw->has_prefix = true;
          if (const json::value* add = find("additionalItems")) {
            CAPCONF_ASSIGN_OR_RETURN(kw->rest, Child(*add, path("additionalItems")));
            kw->rest_keyword = "additionalItems";
            kw->rest_path = path("additionalItems");
          }
        } else {
          CAPCONF_ASSIGN_OR_RETURN(kw->rest, Child(*items, path("items")));
          kw->rest_keyword = "items";
          kw->rest_path = path("items");
        }
      }
      if (any) out.push_back(std::move(kw));
    }
    if (const json::value* c = find("contains")) {
      auto kw = std::make_unique<ContainsKeyword>();
      CAPCONF_ASSIGN_OR_RETURN(kw->schema, Child(*c, path("contains")));
      kw->schema_path = path("contains");
      kw->annotates = d == Dialect::kDraft2020_12;
      if (d != Dialect::kDraft7 && loc.vocab.validation) {
        if (const json::value* mn = find("minContains")) {
          if (!IsNonNegativeInteger(*mn))
            return SchemaError(path("minContains"), "must be a non-negative integer");
          kw->min = AsCount(*mn);
        }
        if (const json::value* mx = find("maxContains")) {
          if (!IsNonNegativeInteger(*mx))
            return SchemaError(path("maxContains"), "must be a non-negative integer");
          kw->max = AsCount(*mx);
        }
      }
      out.push_back(std::move(kw));
    }

    // Objects.
    {
      auto kw = std::make_unique<ObjectMembersKeyword>();
      bool any = false;
      if (const json::value* props = find("properties")) {
        if (!props->is_object()) return SchemaError(path("properties"), "must be an object");
        any = true;
        for (const auto& [name, sub] : props->get_object()) {
          std::string p = path("properties");
          capconf::json::AppendToken(p, Sv(name));
          CAPCONF_ASSIGN_OR_RETURN(const Node* n, Child(sub, p));
          kw->property_index.emplace(std::string(Sv(name)), kw->property_list.size());
          kw->property_list.emplace_back(std::string(Sv(name)), n);
        }
      }
      if (const json::value* pats = find("patternProperties")) {
        if (!pats->is_object()) return SchemaError(path("patternProperties"), "must be an object");
        any = true;
        for (const auto& [pattern, sub] : pats->get_object()) {
          std::string p = path("patternProperties");
          capconf::json::AppendToken(p, Sv(pattern));
          auto re = EcmaRegex::Compile(Sv(pattern));
          if (!re.ok())
            return SchemaError(p, "invalid regular expression: " + re.status().message());
          CAPCONF_ASSIGN_OR_RETURN(const Node* n, Child(sub, p));
          kw->patterns.emplace_back(std::move(re).value(), n);
        }
      }
      if (const json::value* add = find("additionalProperties")) {
        any = true;
        CAPCONF_ASSIGN_OR_RETURN(kw->additional, Child(*add, path("additionalProperties")));
        kw->additional_path = path("additionalProperties");
      }
      if (any) out.push_back(std::move(kw));
    }
    if (const json::value* pn = find("propertyNames")) {
      auto kw = std::make_unique<PropertyNamesKeyword>();
      CAPCONF_ASSIGN_OR_RETURN(kw->schema, Child(*pn, path("propertyNames")));
      kw->schema_path = path("propertyNames");
      out.push_back(std::move(kw));
    }
    if (const json::value* ds = find("dependentSchemas"); ds && d != Dialect::kDraft7) {
      if (!ds->is_object()) return SchemaError(path("dependentSchemas"), "must be an object");
      auto kw = std::make_unique<DependentSchemasKeyword>();
      for (const auto& [name, sub] : ds->get_object()) {
        std::string p = path("dependentSchemas");
        capconf::json::AppendToken(p, Sv(name));
        CAPCONF_ASSIGN_OR_RETURN(const Node* n, Child(sub, p));
        kw->rules.emplace_back(std::string(Sv(name)), n);
      }
      out.push_back(std::move(kw));
    }
    // draft-07 `dependencies` (ajv accepts it in every draft): arrays require, schemas apply.
    if (const json::value* deps = find("dependencies")) {
      if (!deps->is_object()) return SchemaError(path("dependencies"), "must be an object");
      auto req = std::make_unique<DependentRequiredKeyword>();
      req->keyword = "dependencies";
      req->schema_path = path("dependencies");
      auto sch = std::make_unique<DependentSchemasKeyword>();
      for (const auto& [name, sub] : deps->get_object()) {
        std::string p = path("dependencies");
        capconf::json::AppendToken(p, Sv(name));
        if (sub.is_array()) {
          CAPCONF_ASSIGN_OR_RETURN(auto names, StringList(sub, p));
          req->rules.push_back({std::string(Sv(name)), std::move(names)});
        } else {
          CAPCONF_ASSIGN_OR_RETURN(const Node* n, Child(sub, p));
          sch->rules.emplace_back(std::string(Sv(name)), n);
        }
      }
      if (!req->rules.empty()) out.push_back(std::move(req));
      if (!sch->rules.empty()) out.push_back(std::move(sch));
    }

    // Combinators.
    if (find("allOf")) {
      auto kw = std::make_unique<AllOfKeyword>();
      CAPCONF_RETURN_IF_ERROR(schema_list("allOf", kw->schemas));
      out.push_back(std::move(kw));
    }
    if (find("anyOf")) {
      auto kw = std::make_unique<AnyOfKeyword>();
      CAPCONF_RETURN_IF_ERROR(schema_list("anyOf", kw->schemas));
      kw->discriminator = FindDiscriminator(kw->schemas);
      kw->schema_path = path("anyOf");
      out.push_back(std::move(kw));
    }
    if (find("oneOf")) {
      auto kw = std::make_unique<OneOfKeyword>();
      CAPCONF_RETURN_IF_ERROR(schema_list("oneOf", kw->schemas));
      kw->discriminator = FindDiscriminator(kw->schemas);
      kw->schema_path = path("oneOf");
      out.push_back(std::move(kw));
    }
    if (const json::value* n = find("not")) {
      auto kw = std::make_unique<NotKeyword>();
      CAPCONF_ASSIGN_OR_RETURN(kw->schema, Child(*n, path("not")));
      kw->schema_path = path("not");
      out.push_back(std::move(kw));
    }
    if (const json::value* i = find("if")) {
      auto kw = std::make_unique<IfKeyword>();
      CAPCONF_ASSIGN_OR_RETURN(kw->if_schema, Child(*i, path("if")));
      if (const json::value* t = find("then")) {
        CAPCONF_ASSIGN_OR_RETURN(kw->then_schema, Child(*t, path("then")));
      }
      if (const json::value* e = find("else")) {
        CAPCONF_ASSIGN_OR_RETURN(kw->else_schema, Child(*e, path("else")));
      }
      kw->schema_path = path("if");
      // Kept without then/else too: its annotations still count for unevaluated*.
      out.push_back(std::move(kw));
    }
    return Status::Ok();
  }

  // Every resource that evaluation may enter needs its root and dynamic anchors compiled, since
  // $recursiveRef and $dynamicRef may jump to them at run time.
  Status CompleteResources() {
    bool changed = true;
    while (changed) {
      changed = false;
      std::vector<Resource*> used(used_resources_.begin(), used_resources_.end());
      for (Resource* r : used) {
        if (r->root == nullptr) {
          const ResourceEntry* entry = nullptr;
          for (const auto& [uri, e] : resources_)
            if (e.resource == r) entry = &e;
          if (entry && (entry->root->is_object() || entry->root->is_bool())) {
            CAPCONF_ASSIGN_OR_RETURN(Node * n, NodeFor(entry->root));
            r->root = n;
            changed = true;
          }
        }
        auto it = dynamic_anchor_values_.find(r);
        if (it == dynamic_anchor_values_.end()) continue;
        for (const auto& [name, value] : it->second) {
          if (r->dynamic_anchors.count(name)) continue;
          CAPCONF_ASSIGN_OR_RETURN(Node * n, NodeFor(value));
          r->dynamic_anchors.emplace(name, n);
          changed = true;
        }
      }
      if (used.size() != used_resources_.size()) changed = true;
    }
    return Status::Ok();
  }

  const CompileOptions& options_;
  CompiledGraph& graph_;
  std::unordered_map<std::string, ResourceEntry> resources_;
  std::unordered_map<std::string, const json::value*> anchors_;
  std::unordered_map<const json::value*, Location> locations_;
  std::unordered_map<const json::value*, Node*> nodes_;
  std::unordered_map<Resource*, std::vector<std::pair<std::string, const json::value*>>>
      dynamic_anchor_values_;
  std::unordered_set<const json::value*> dynamic_anchor_targets_;
  std::unordered_set<Resource*> used_resources_;
  std::unordered_set<std::string> loading_;
  int index_depth_ = 0;
  int build_depth_ = 0;
};

}  // namespace

Status CompileGraph(const json::value& document, const CompileOptions& options,
                    CompiledGraph& graph) {
  Compiler compiler(options, graph);
  return compiler.Run(document);
}

}  // namespace capconf::schema::internal
