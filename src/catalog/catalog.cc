#include "capconf/catalog/catalog.h"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "capconf/json/parse.h"
#include "capconf/json/pointer.h"
#include "embedded_catalog.h"
#include "loader.h"

namespace capconf::catalog {
namespace json = boost::json;

std::string Finding::ToString() const {
  std::string out = file;
  out += "#";
  out += pointer;
  out += ": ";
  out += message;
  return out;
}

boost::json::object Capability::ToJson() const {
  json::object out;
  out["id"] = id_;
  out["label"] = label_;
  out["description"] = description_;
  out["runtime"] = runtime_;
  out["config_required"] = config_required_;
  out["universal"] = universal_;
  json::array actions;
  for (const CreditAction& a : credit_actions_) {
    actions.push_back(
        json::object{{"action", a.action}, {"label", a.label}, {"description", a.description}});
  }
  out["credit_actions"] = std::move(actions);
  json::array needs;
  for (const Need& n : needs_) {
    json::object need{{"id", n.id}, {"message", n.message}};
    switch (n.kind) {
      case Need::Kind::kConfig:
        need["kind"] = "config";
        break;
      case Need::Kind::kSecret:
        need["kind"] = "secret";
        break;
      case Need::Kind::kResource:
        need["kind"] = "resource";
        need["resource"] = n.resource;
        break;
    }
    if (!n.pointer.empty()) need["pointer"] = n.pointer;
    needs.push_back(std::move(need));
  }
  out["needs"] = std::move(needs);
  out["schema"] = schema_;
  out["ui_schema"] = ui_schema_;
  return out;
}

const Section* Template::FindSection(std::string_view key) const {
  for (const Section& s : sections_) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

std::int64_t Template::CreditCost(std::string_view action) const {
  auto it = credit_costs_.find(action);
  return it == credit_costs_.end() ? 1 : it->second;
}

Catalog::Catalog() = default;
Catalog::~Catalog() = default;

Result<std::shared_ptr<const Catalog>> Catalog::Load(std::span<const CatalogFile> files,
                                                     std::vector<Finding>* findings) {
  CatalogLoader loader;
  std::shared_ptr<Catalog> catalog(new Catalog());
  loader.Load(files, *catalog);
  if (findings != nullptr) *findings = loader.findings();
  if (!loader.findings().empty()) {
    const std::vector<Finding>& all = loader.findings();
    std::string message = "catalog: " + all.front().ToString();
    if (all.size() > 1) message += " (and " + std::to_string(all.size() - 1) + " more)";
    return InvalidArgumentError(std::move(message));
  }
  return std::shared_ptr<const Catalog>(std::move(catalog));
}

Result<std::vector<CatalogFile>> Catalog::ReadDirectory(const std::string& directory) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(directory, ec)) {
    return NotFoundError("catalog directory '" + directory + "' does not exist");
  }
  std::vector<CatalogFile> files;
  fs::recursive_directory_iterator it(directory, ec), end;
  if (ec)
    return NotFoundError("cannot read catalog directory '" + directory + "': " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec)
      return NotFoundError("cannot read catalog directory '" + directory + "': " + ec.message());
    if (!it->is_regular_file() || it->path().extension() != ".json") continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in && !in.eof()) return NotFoundError("cannot read '" + it->path().string() + "'");
    files.push_back({fs::relative(it->path(), directory).generic_string(), text.str()});
  }
  std::sort(files.begin(), files.end(),
            [](const CatalogFile& a, const CatalogFile& b) { return a.path < b.path; });
  return files;
}

Result<std::shared_ptr<const Catalog>> Catalog::LoadDirectory(const std::string& directory,
                                                              std::vector<Finding>* findings) {
  CAPCONF_ASSIGN_OR_RETURN(std::vector<CatalogFile> files, ReadDirectory(directory));
  return Load(files, findings);
}

std::vector<CatalogFile> Catalog::EmbeddedFiles() {
  std::vector<CatalogFile> files;
  for (const internal::EmbeddedFile& f : internal::EmbeddedCatalogFiles()) {
    files.push_back({std::string(f.path), std::string(f.text)});
  }
  return files;
}

Result<std::shared_ptr<const Catalog>> Catalog::LoadEmbedded() { return Load(EmbeddedFiles()); }

const Capability* Catalog::FindCapability(std::string_view id) const {
  for (const auto& c : capabilities_) {
    if (c->id() == id) return c.get();
  }
  return nullptr;
}

const Template* Catalog::FindTemplate(std::string_view id, std::optional<int> version) const {
  const Template* found = nullptr;
  for (const auto& t : templates_) {
    if (t->id() != id) continue;
    if (version) {
      if (t->version() == *version) return t.get();
    } else if (found == nullptr || t->version() > found->version()) {
      found = t.get();
    }
  }
  return found;
}

Result<CapabilitySet> Catalog::ParseSet(std::span<const std::string> ids) const {
  CapabilitySet set = 0;
  for (const std::string& id : ids) {
    const Capability* c = FindCapability(id);
    if (c == nullptr) return InvalidArgumentError("there is no capability '" + id + "'");
    set |= c->bit();
  }
  return set;
}

Result<CapabilitySet> Catalog::ParseSetList(std::string_view list) const {
  std::vector<std::string> ids;
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    std::string_view id = list.substr(0, comma);
    while (!id.empty() && id.front() == ' ') id.remove_prefix(1);
    while (!id.empty() && id.back() == ' ') id.remove_suffix(1);
    if (id.empty())
      return InvalidArgumentError("empty capability id in '" + std::string(list) + "'");
    ids.emplace_back(id);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
    if (list.empty()) return InvalidArgumentError("a capability list must not end with ','");
  }
  return ParseSet(ids);
}

std::vector<std::string> Catalog::SetIds(CapabilitySet set) const {
  std::vector<std::string> ids;
  for (const auto& c : capabilities_) {
    if (set & c->bit()) ids.push_back(c->id());
  }
  return ids;
}

schema::Resolver Catalog::MakeResolver() const {
  return [this](std::string_view uri) -> std::optional<json::value> {
    constexpr std::string_view kScheme = "capability:";
    if (uri.substr(0, kScheme.size()) != kScheme) return std::nullopt;
    const Capability* c = FindCapability(uri.substr(kScheme.size()));
    if (c == nullptr) return std::nullopt;
    return c->schema();
  };
}

}  // namespace capconf::catalog
