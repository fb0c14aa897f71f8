#include "capconf/catalog/defaults.h"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "capconf/json/equal.h"
#include "capconf/json/pointer.h"
#include "capconf/schema/schema.h"

namespace capconf::catalog {
namespace json = boost::json;
namespace {

constexpr int kMaxDepth = 64;
constexpr int kMaxExpansions = 32;
constexpr std::string_view kRootUri = "urn:capconf:defaults";

// One piece of the schema in effect at a place: rjsf merges a `$ref`'s target, the chosen
// `if` branch and the chosen oneOf/anyOf option into the schema; later pieces win.
struct Piece {
  const json::object* schema;
  std::string pointer;  // where it sits in the root document
};

std::string FragmentOf(std::string_view pointer) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : pointer) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
        c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

class Filler {
 public:
  explicit Filler(const json::value& root) : root_(root) {}

  std::optional<json::value> Compute(std::vector<Piece> pieces, const json::value* data,
                                     const json::value* parent_default, bool required, int depth) {
    if (depth > kMaxDepth) return data ? std::optional<json::value>(*data) : std::nullopt;
    Expand(pieces, data);

    std::optional<json::value> defaults;
    if (parent_default) defaults = *parent_default;
    if (const json::value* c = Last(pieces, "const")) {
      defaults = *c;
    } else if (const json::value* d = Last(pieces, "default")) {
      if (defaults && defaults->is_object() && d->is_object()) {
        for (const auto& m : d->get_object()) defaults->get_object()[m.key()] = m.value();
      } else {
        defaults = *d;
      }
    }

    std::string type = TypeOf(pieces);
    if (type == "object") return ObjectDefaults(pieces, data, defaults, depth);
    if (type == "array") return ArrayDefaults(pieces, data, defaults, required, depth);
    if (data) return *data;
    if (defaults) return defaults;
    if (required && type == "boolean") return json::value(false);
    return std::nullopt;
  }

 private:
  // Replaces `$ref`s by their targets and adds the chosen if-branches and oneOf/anyOf options.
  void Expand(std::vector<Piece>& pieces, const json::value* data) {
    static const json::value kEmpty = json::object();
    const json::value& subject = data ? *data : kEmpty;
    for (std::size_t i = 0, expansions = 0; i < pieces.size() && expansions < kMaxExpansions; ++i) {
      const json::object& s = *pieces[i].schema;
      if (const json::value* ref = s.if_contains("$ref"); ref && ref->is_string()) {
        if (auto target = ResolveRef(ref->get_string())) {
          // The target goes before the referring schema so that siblings such as `default` win.
          pieces.insert(pieces.begin() + static_cast<std::ptrdiff_t>(i), *target);
          ++expansions;
          ++i;
        }
      }
      if (const json::value* cond = s.if_contains("if"); cond && cond->is_object()) {
        bool holds = Matches(pieces[i].pointer + "/if", subject);
        std::string_view branch = holds ? "then" : "else";
        if (const json::value* b = s.if_contains(branch); b && b->is_object()) {
          pieces.push_back({&b->get_object(), pieces[i].pointer + "/" + std::string(branch)});
          ++expansions;
        }
      }
      for (std::string_view kw : {"oneOf", "anyOf"}) {
        const json::value* options = s.if_contains(kw);
        if (options == nullptr || !options->is_array() || options->get_array().empty()) continue;
        std::size_t chosen =
            ChooseOption(options->get_array(), pieces[i].pointer + "/" + std::string(kw), data);
        const json::value& option = options->get_array()[chosen];
        if (option.is_object()) {
          pieces.push_back({&option.get_object(), pieces[i].pointer + "/" + std::string(kw) + "/" +
                                                      std::to_string(chosen)});
          ++expansions;
        }
      }
    }
  }

  std::optional<Piece> ResolveRef(std::string_view ref) {
    if (ref.empty() || ref[0] != '#') return std::nullopt;
    auto pointer = capconf::json::DecodeUriFragment(ref.substr(1));
    if (!pointer.ok()) return std::nullopt;
    const json::value* target = capconf::json::Resolve(root_, *pointer);
    if (target == nullptr || !target->is_object()) return std::nullopt;
    return Piece{&target->get_object(), *pointer};
  }

  static const json::value* Last(const std::vector<Piece>& pieces, std::string_view keyword) {
    for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) {
      if (const json::value* v = it->schema->if_contains(keyword)) return v;
    }
    return nullptr;
  }

  static std::string TypeOf(const std::vector<Piece>& pieces) {
    if (const json::value* t = Last(pieces, "type")) {
      if (t->is_string()) return std::string(t->get_string());
      if (t->is_array()) {
        for (const json::value& e : t->get_array()) {
          if (e.is_string() && e.get_string() != "null") return std::string(e.get_string());
        }
      }
    }
    if (Last(pieces, "properties")) return "object";
    if (Last(pieces, "items")) return "array";
    return {};
  }

  std::optional<json::value> ObjectDefaults(const std::vector<Piece>& pieces,
                                            const json::value* data,
                                            const std::optional<json::value>& defaults, int depth) {
    if (data && !data->is_object()) return *data;
    std::set<std::string, std::less<>> required_keys;
    // Property schemas in order of first appearance; a later piece's schema for the same name
    // is merged over the earlier one.
    std::vector<std::pair<std::string, std::vector<Piece>>> props;
    for (const Piece& p : pieces) {
      if (const json::value* r = p.schema->if_contains("required"); r && r->is_array()) {
        for (const json::value& k : r->get_array()) {
          if (k.is_string()) required_keys.insert(std::string(k.get_string()));
        }
      }
      const json::value* ps = p.schema->if_contains("properties");
      if (ps == nullptr || !ps->is_object()) continue;
      for (const auto& [name, sub] : ps->get_object()) {
        if (!sub.is_object()) continue;
        std::string pointer = p.pointer + "/properties";
        capconf::json::AppendToken(pointer, name);
        auto it = std::find_if(props.begin(), props.end(),
                               [&](const auto& e) { return e.first == name; });
        if (it == props.end()) {
          props.emplace_back(std::string(name), std::vector<Piece>{{&sub.get_object(), pointer}});
        } else {
          it->second.push_back({&sub.get_object(), pointer});
        }
      }
    }
    json::object out = data ? data->get_object() : json::object();
    if (!data && defaults && defaults->is_object()) {
      for (const auto& m : defaults->get_object()) out[m.key()] = m.value();
    }
    for (auto& [name, sub_pieces] : props) {
      const json::value* child_data = data ? data->get_object().if_contains(name) : nullptr;
      const json::value* child_default =
          defaults && defaults->is_object() ? defaults->get_object().if_contains(name) : nullptr;
      bool child_required = required_keys.contains(name);
      auto child = Compute(sub_pieces, child_data, child_default, child_required, depth + 1);
      if (!child) {
        out.erase(name);
        if (child_data) out[name] = *child_data;
        continue;
      }
      if (child_data == nullptr && child->is_object() && child->get_object().empty() &&
          !child_required) {
        out.erase(name);
        continue;
      }
      out[name] = std::move(*child);
    }
    return json::value(std::move(out));
  }

  std::optional<json::value> ArrayDefaults(const std::vector<Piece>& pieces,
                                           const json::value* data,
                                           const std::optional<json::value>& defaults,
                                           bool required, int depth) {
    std::vector<Piece> item_pieces;
    if (const json::value* items = Last(pieces, "items"); items && items->is_object()) {
      for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) {
        if (it->schema->if_contains("items") == items) {
          item_pieces.push_back({&items->get_object(), it->pointer + "/items"});
          break;
        }
      }
    }
    auto fill_item = [&](const json::value* item_data, const json::value* item_default) {
      if (item_pieces.empty()) {
        return item_data
                   ? std::optional<json::value>(*item_data)
                   : (item_default ? std::optional<json::value>(*item_default) : std::nullopt);
      }
      return Compute(item_pieces, item_data, item_default, false, depth + 1);
    };
    if (data) {
      if (!data->is_array()) return *data;
      json::array out;
      for (const json::value& item : data->get_array()) {
        auto filled = fill_item(&item, nullptr);
        out.push_back(filled ? std::move(*filled) : item);
      }
      return json::value(std::move(out));
    }
    std::optional<json::array> out;
    if (defaults && defaults->is_array()) {
      out.emplace();
      // rjsf keeps a default array's items as they are (an item schema's own default does not
      // replace them) and fills in what is missing inside them, as it does for data.
      for (const json::value& item : defaults->get_array()) {
        auto filled = fill_item(&item, nullptr);
        out->push_back(filled ? std::move(*filled) : item);
      }
    }
    std::size_t min_items = 0;
    if (const json::value* m = Last(pieces, "minItems"); m && m->is_int64() && m->get_int64() > 0) {
      min_items = static_cast<std::size_t>(std::min<std::int64_t>(m->get_int64(), 1000));
    }
    bool multi_select = false;
    if (const json::value* u = Last(pieces, "uniqueItems");
        u && u->is_bool() && u->get_bool() && !item_pieces.empty()) {
      multi_select = item_pieces.front().schema->contains("enum");
    }
    if (min_items > (out ? out->size() : 0) && !multi_select) {
      auto item_default = fill_item(nullptr, nullptr);
      if (item_default) {
        if (!out) out.emplace();
        while (out->size() < min_items) out->push_back(*item_default);
      }
    }
    if (out) return json::value(std::move(*out));
    if (required) return json::value(json::array());
    return std::nullopt;
  }

  std::size_t ChooseOption(const json::array& options, const std::string& pointer,
                           const json::value* data) {
    if (data == nullptr) return 0;
    std::vector<std::size_t> valid;
    for (std::size_t i = 0; i < options.size(); ++i) {
      if (Matches(pointer + "/" + std::to_string(i), *data)) valid.push_back(i);
    }
    if (valid.size() == 1) return valid.front();
    std::vector<std::size_t> candidates = valid;
    if (candidates.empty()) {
      for (std::size_t i = 0; i < options.size(); ++i) candidates.push_back(i);
    }
    std::size_t best = candidates.front();
    int best_score = -1000000;
    for (std::size_t i : candidates) {
      int score = Score(options[i], *data);
      if (score > best_score) {
        best_score = score;
        best = i;
      }
    }
    return best;
  }

  // How well `data` fits an option: its properties the option declares, a matching `const`
  // counting for one and a different one against.
  int Score(const json::value& option, const json::value& data) {
    const json::object* o = option.if_object();
    if (o == nullptr || !data.is_object()) return 0;
    if (const json::value* ref = o->if_contains("$ref"); ref && ref->is_string()) {
      if (auto target = ResolveRef(ref->get_string())) o = target->schema;
    }
    const json::value* props = o->if_contains("properties");
    if (props == nullptr || !props->is_object()) return 0;
    int score = 0;
    for (const auto& [name, value] : data.get_object()) {
      const json::value* p = props->get_object().if_contains(name);
      if (p == nullptr) continue;
      const json::value* c = p->is_object() ? p->get_object().if_contains("const") : nullptr;
      if (c == nullptr) {
        score += 1;
      } else {
        score += capconf::json::Equal(*c, value) ? 1 : -1;
      }
    }
    return score;
  }

  bool Matches(const std::string& pointer, const json::value& data) {
    auto it = compiled_.find(pointer);
    if (it == compiled_.end()) {
      schema::CompileOptions options;
      options.validate_against_metaschema = false;
      const json::value* dollar_schema =
          root_.is_object() ? root_.get_object().if_contains("$schema") : nullptr;
      if (dollar_schema && dollar_schema->is_string()) {
        std::string_view uri = dollar_schema->get_string();
        if (uri.find("2020-12") != std::string_view::npos)
          options.default_dialect = schema::Dialect::kDraft2020_12;
        if (uri.find("2019-09") != std::string_view::npos)
          options.default_dialect = schema::Dialect::kDraft2019_09;
      }
      const json::value& root = root_;
      options.resolver = [&root](std::string_view uri) -> std::optional<json::value> {
        if (uri == kRootUri) return root;
        return std::nullopt;
      };
      json::object wrapper{{"$ref", std::string(kRootUri) + "#" + FragmentOf(pointer)}};
      auto compiled = schema::Schema::Compile(wrapper, options);
      it = compiled_.emplace(pointer, compiled.ok() ? *compiled : nullptr).first;
    }
    return it->second != nullptr && it->second->IsValid(data);
  }

  const json::value& root_;
  std::map<std::string, std::shared_ptr<const schema::Schema>> compiled_;
};

}  // namespace

json::value FillDefaults(const json::value& schema, const json::value* data) {
  if (!schema.is_object()) return data ? *data : json::value(json::object());
  Filler filler(schema);
  auto result = filler.Compute({Piece{&schema.get_object(), ""}}, data, nullptr, false, 0);
  if (!result) return data ? *data : json::value(json::object());
  return std::move(*result);
}

}  // namespace capconf::catalog
