#include "catalog_commands.h"

#include <boost/json/serialize.hpp>
#include <map>
#include <optional>
#include <string_view>

#include "capconf/catalog/defaults.h"
#include "capconf/catalog/lint.h"
#include "capconf/catalog/rules.h"
#include "capconf/config/config.h"
#include "capconf/json/parse.h"
#include "capconf/json/serialize.h"
#include "catalog_selection.h"
#include "file_util.h"

namespace capconf::cli {
namespace {
namespace bj = boost::json;

// Options shared by the catalog commands; each command says which it accepts.
struct Args {
  std::string catalog_dir;
  std::optional<std::string> capabilities;
  std::optional<std::string> provisioned;
  bool json_output = false;
  bool ui = false;
  bool defaults = false;
  std::vector<std::string> positional;
};

struct Usage {
  std::string message;
};

std::optional<Usage> Parse(const std::vector<std::string>& args, std::string_view allowed,
                           Args& a) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto takes = [&](std::string_view flag) {
      return allowed.find(flag) != std::string_view::npos;
    };
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    if (arg == "--catalog" && takes("--catalog")) {
      auto v = value();
      if (!v) return Usage{"--catalog needs a directory"};
      a.catalog_dir = *v;
    } else if (arg == "--capabilities" && takes("--capabilities")) {
      auto v = value();
      if (!v) return Usage{"--capabilities needs a comma-separated list of ids"};
      a.capabilities = *v;
    } else if (arg == "--provisioned" && takes("--provisioned")) {
      auto v = value();
      if (!v) return Usage{"--provisioned needs a comma-separated list of resources"};
      a.provisioned = *v;
    } else if (arg == "--output" && takes("--output")) {
      auto v = value();
      if (v && *v == "json") {
        a.json_output = true;
      } else if (v && *v == "text") {
        a.json_output = false;
      } else {
        return Usage{"--output takes text or json"};
      }
    } else if (arg == "--ui" && takes("--ui")) {
      a.ui = true;
    } else if (arg == "--defaults" && takes("--defaults")) {
      a.defaults = true;
    } else if (arg.starts_with("--")) {
      return Usage{"unknown option " + arg};
    } else {
      a.positional.push_back(arg);
    }
  }
  return std::nullopt;
}

void Print(std::FILE* out, std::string_view text) { std::fwrite(text.data(), 1, text.size(), out); }

std::string Join(const std::vector<std::string>& items, std::string_view sep = ", ") {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

std::vector<std::string> Ids(const std::vector<const catalog::Capability*>& caps) {
  std::vector<std::string> ids;
  for (const catalog::Capability* c : caps) ids.push_back(c->id());
  return ids;
}

int Fail(std::FILE* err, std::string_view command, const std::string& message, int code = 2) {
  std::fprintf(err, "capconf %.*s: %s\n", static_cast<int>(command.size()), command.data(),
               message.c_str());
  return code;
}

}  // namespace

int RunCapabilities(const std::vector<std::string>& args, std::FILE* out, std::FILE* err) {
  Args a;
  if (auto u = Parse(args, "--catalog --output", a)) return Fail(err, "capabilities", u->message);
  if (!a.positional.empty()) return Fail(err, "capabilities", "takes no arguments");
  auto catalog = LoadCatalog(a.catalog_dir);
  if (!catalog.ok()) return Fail(err, "capabilities", catalog.status().message());
  if (a.json_output) {
    bj::array list;
    for (const auto& c : (*catalog)->capabilities()) list.push_back(c->ToJson());
    Print(out, capconf::json::Serialize(list) + "\n");
    return 0;
  }
  std::string text;
  for (const auto& c : (*catalog)->capabilities()) {
    text += c->id() + "\t" + c->label() + "\t" + c->runtime() + "\t";
    text += c->universal() ? "universal"
                           : (c->config_required() ? "config required" : "config optional");
    if (c->requires_rule())
      text += "\trequires " + catalog::DescribeRule(*c->requires_rule(), **catalog);
    text += "\n";
  }
  Print(out, text);
  return 0;
}

int RunTemplates(const std::vector<std::string>& args, std::FILE* out, std::FILE* err) {
  Args a;
  if (auto u = Parse(args, "--catalog --output", a)) return Fail(err, "templates", u->message);
  if (!a.positional.empty()) return Fail(err, "templates", "takes no arguments");
  auto catalog = LoadCatalog(a.catalog_dir);
  if (!catalog.ok()) return Fail(err, "templates", catalog.status().message());
  if (a.json_output) {
    bj::array list;
    for (const auto& t : (*catalog)->templates()) {
      bj::array sections;
      for (const catalog::Section& s : t->sections()) {
        bj::object section{{"key", s.key}, {"title", s.title}};
        section["capability"] = s.capability ? bj::value(s.capability->id()) : bj::value(nullptr);
        sections.push_back(std::move(section));
      }
      bj::object costs;
      for (const auto& [action, cost] : t->credit_costs()) costs[action] = cost;
      bj::array caps, defaults;
      for (const std::string& id : Ids(t->capabilities())) caps.push_back(bj::string(id));
      for (const std::string& id : Ids(t->default_capabilities()))
        defaults.push_back(bj::string(id));
      bj::array allowed;
      for (catalog::CapabilitySet set : catalog::AllowedSets(**catalog, *t)) {
        bj::array ids;
        for (const catalog::Capability* c : t->capabilities()) {
          if (set & c->bit()) ids.push_back(bj::string(c->id()));
        }
        allowed.push_back(std::move(ids));
      }
      list.push_back(bj::object{{"template_id", t->id()},
                                {"version", t->version()},
                                {"name", t->name()},
                                {"description", t->description()},
                                {"category", t->category()},
                                {"capabilities", std::move(caps)},
                                {"default_capabilities", std::move(defaults)},
                                {"langflow_flow_id", t->langflow_flow_id()},
                                {"credit_costs", std::move(costs)},
                                {"sections", std::move(sections)},
                                {"allowed_sets", std::move(allowed)}});
    }
    Print(out, capconf::json::Serialize(list) + "\n");
    return 0;
  }
  std::string text;
  for (const auto& t : (*catalog)->templates()) {
    text += t->id() + "@" + std::to_string(t->version()) + "\t" + t->name() + "\t" + t->category() +
            "\tcapabilities: " + Join(Ids(t->capabilities())) +
            "\tdefault: " + Join(Ids(t->default_capabilities())) + "\n";
  }
  Print(out, text);
  return 0;
}

int RunSchema(const std::vector<std::string>& args, std::FILE* out, std::FILE* err) {
  Args a;
  if (auto u = Parse(args, "--catalog --capabilities --ui --defaults", a)) {
    return Fail(err, "schema", u->message);
  }
  if (a.positional.empty() || a.positional.size() > (a.defaults ? 2u : 1u)) {
    return Fail(err, "schema",
                "usage: capconf schema TEMPLATE [--capabilities a,b] [--ui | --defaults [CONFIG]]");
  }
  if (a.ui && a.defaults) return Fail(err, "schema", "--ui and --defaults exclude each other");
  auto s = LoadTemplateSelection(a.catalog_dir, a.positional[0], a.capabilities);
  if (!s.ok()) return Fail(err, "schema", s.status().message());
  if (a.ui) {
    Print(out, s->bundle->ui_schema_text + "\n");
  } else if (a.defaults) {
    std::optional<bj::value> data;
    if (a.positional.size() == 2) {
      auto text = ReadFile(a.positional[1]);
      if (!text.ok()) return Fail(err, "schema", text.status().message());
      auto parsed = capconf::json::Parse(*text);
      if (!parsed.ok())
        return Fail(err, "schema", a.positional[1] + ": " + parsed.status().message());
      data = std::move(*parsed);
    }
    Print(out, capconf::json::Serialize(
                   catalog::FillDefaults(s->bundle->schema, data ? &*data : nullptr)) +
                   "\n");
  } else {
    Print(out, s->bundle->schema_text + "\n");
  }
  return 0;
}

int RunExplain(const std::vector<std::string>& args, std::FILE* out, std::FILE* err) {
  Args a;
  if (auto u = Parse(args, "--catalog --capabilities --provisioned --output", a)) {
    return Fail(err, "explain", u->message);
  }
  if (a.positional.empty() || a.positional.size() > 2) {
    return Fail(err, "explain", "usage: capconf explain TEMPLATE [--capabilities a,b] [CONFIG]");
  }
  auto catalog = LoadCatalog(a.catalog_dir);
  if (!catalog.ok()) return Fail(err, "explain", catalog.status().message());
  // The set is checked against the rules before any bundle is composed for it.
  auto probe = LoadTemplateSelection(a.catalog_dir, a.positional[0], std::nullopt);
  if (!probe.ok()) return Fail(err, "explain", probe.status().message());
  const catalog::Template& tmpl = *probe->tmpl;
  catalog::CapabilitySet enabled = tmpl.defaults();
  if (a.capabilities) {
    auto set = (*catalog)->ParseSetList(*a.capabilities);
    if (!set.ok()) return Fail(err, "explain", set.status().message());
    enabled = *set;
  }
  std::vector<catalog::SetProblem> problems = catalog::CheckCapabilitySet(**catalog, tmpl, enabled);

  bj::object report{{"template", tmpl.id()}, {"version", tmpl.version()}};
  bj::array ids;
  std::vector<std::string> enabled_ids;
  for (const catalog::Capability* c : tmpl.capabilities()) {
    if (enabled & c->bit()) enabled_ids.push_back(c->id());
  }
  for (const std::string& id : enabled_ids) ids.push_back(bj::string(id));
  report["capabilities"] = std::move(ids);
  report["allowed"] = problems.empty();
  bj::array problem_list;
  for (const catalog::SetProblem& p : problems) {
    problem_list.push_back(bj::object{{"capability", p.capability}, {"message", p.message}});
  }
  report["problems"] = std::move(problem_list);

  std::string text =
      tmpl.id() + "@" + std::to_string(tmpl.version()) + " with " +
      (enabled_ids.empty() ? std::string("no optional capability") : Join(enabled_ids)) + "\n";
  bool configured = false;
  if (!problems.empty()) {
    text += "not allowed:\n";
    for (const catalog::SetProblem& p : problems) text += "  " + p.message + "\n";
  } else {
    text += "allowed\n";
    auto bundle = catalog::ComposeBundle(tmpl, enabled);
    if (!bundle.ok()) return Fail(err, "explain", bundle.status().message());
    bj::value config;
    if (a.positional.size() == 2) {
      auto text_in = ReadFile(a.positional[1]);
      if (!text_in.ok()) return Fail(err, "explain", text_in.status().message());
      auto parsed = capconf::json::Parse(*text_in);
      if (!parsed.ok()) {
        return Fail(err, "explain", a.positional[1] + ": " + parsed.status().message());
      }
      config = std::move(*parsed);
    } else {
      config = catalog::FillDefaults((*bundle)->schema, nullptr);
    }
    catalog::Facts facts;
    for (const std::string& p : config::SecretsPresent(**bundle, config)) facts.secrets.insert(p);
    if (a.provisioned) {
      std::string_view list = *a.provisioned;
      while (!list.empty()) {
        std::size_t comma = list.find(',');
        facts.resources.insert(std::string(list.substr(0, comma)));
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
      }
    }
    config::Readiness readiness = config::Evaluate(**bundle, config, facts);
    configured = readiness.is_configured;
    for (auto& [k, v] : readiness.ToJson()) report[k] = v;
    text += configured ? "configured\n" : "not configured:\n";
    for (const config::FieldError& e : readiness.errors) {
      text +=
          "  " + (e.pointer.empty() ? std::string("(root)") : e.pointer) + ": " + e.message + "\n";
    }
    for (const catalog::MissingNeed& m : readiness.missing) {
      text += "  missing" + (m.pointer.empty() ? std::string() : " " + m.pointer) + ": " +
              m.message + "\n";
    }
  }
  Print(out, a.json_output ? capconf::json::Serialize(report) + "\n" : text);
  return problems.empty() && configured ? 0 : 1;
}

int RunCatalog(const std::vector<std::string>& args, std::FILE* out, std::FILE* err) {
  if (args.empty() || args[0] != "check") {
    return Fail(err, "catalog", "usage: capconf catalog check [DIR]");
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  Args a;
  if (auto u = Parse(rest, "--output", a)) return Fail(err, "catalog check", u->message);
  if (a.positional.size() > 1) return Fail(err, "catalog check", "name at most one DIR");
  std::vector<catalog::CatalogFile> files;
  std::string label = "the embedded catalog";
  if (a.positional.empty()) {
    files = catalog::Catalog::EmbeddedFiles();
  } else {
    auto read = catalog::Catalog::ReadDirectory(a.positional[0]);
    if (!read.ok()) return Fail(err, "catalog check", read.status().message());
    files = std::move(*read);
    label = a.positional[0];
  }
  std::vector<catalog::Finding> findings = catalog::CheckCatalog(files);
  if (a.json_output) {
    bj::array list;
    for (const catalog::Finding& f : findings) {
      list.push_back(bj::object{{"file", f.file}, {"pointer", f.pointer}, {"message", f.message}});
    }
    Print(out, capconf::json::Serialize(bj::object{{"findings", std::move(list)}}) + "\n");
  } else {
    std::string text;
    for (const catalog::Finding& f : findings) text += f.ToString() + "\n";
    text += findings.empty() ? label + ": no findings\n"
                             : label + ": " + std::to_string(findings.size()) +
                                   (findings.size() == 1 ? " finding\n" : " findings\n");
    Print(out, text);
  }
  return findings.empty() ? 0 : 1;
}

}  // namespace capconf::cli
