#include "catalog_selection.h"

#include <charconv>

#include "capconf/catalog/rules.h"

namespace capconf::cli {

Result<std::shared_ptr<const catalog::Catalog>> LoadCatalog(const std::string& directory) {
  if (directory.empty()) return catalog::Catalog::LoadEmbedded();
  return catalog::Catalog::LoadDirectory(directory);
}

Result<TemplateSelection> LoadTemplateSelection(const std::string& catalog_dir,
                                                const std::string& template_id,
                                                const std::optional<std::string>& capabilities) {
  TemplateSelection s;
  CAPCONF_ASSIGN_OR_RETURN(s.catalog, LoadCatalog(catalog_dir));
  std::string id = template_id;
  std::optional<int> version;
  if (std::size_t at = id.find('@'); at != std::string::npos) {
    int v = 0;
    auto [end, ec] = std::from_chars(id.data() + at + 1, id.data() + id.size(), v);
    if (ec != std::errc() || end != id.data() + id.size() || v < 1) {
      return InvalidArgumentError("'" + template_id +
                                  "': a version after '@' is a positive number");
    }
    version = v;
    id.resize(at);
  }
  s.tmpl = s.catalog->FindTemplate(id, version);
  if (s.tmpl == nullptr) {
    std::string known;
    std::string last;
    for (const auto& t : s.catalog->templates()) {  // sorted by id, so equal ids are adjacent
      if (t->id() != last) known += (known.empty() ? "" : ", ") + t->id();
      last = t->id();
    }
    return NotFoundError("there is no template '" + template_id + "' (known: " + known + ")");
  }
  if (capabilities) {
    CAPCONF_ASSIGN_OR_RETURN(s.enabled, s.catalog->ParseSetList(*capabilities));
    catalog::CapabilitySet stray = s.enabled & ~(s.tmpl->offered() | s.catalog->universal());
    if (stray != 0) {
      return InvalidArgumentError("template '" + s.tmpl->id() + "' does not offer " +
                                  s.catalog->SetIds(stray).front());
    }
    // A set a buyer could never have gets no bundle: `explain` says why in full.
    std::vector<catalog::SetProblem> problems =
        catalog::CheckCapabilitySet(*s.catalog, *s.tmpl, s.enabled);
    if (!problems.empty()) return FailedPreconditionError(problems.front().message);
  } else {
    s.enabled = s.tmpl->defaults();
  }
  CAPCONF_ASSIGN_OR_RETURN(s.bundle, catalog::ComposeBundle(*s.tmpl, s.enabled));
  return s;
}

}  // namespace capconf::cli
