#pragma once
// The catalog the CLI works with (the embedded one, or --catalog DIR) and a template with a set
// of enabled capabilities picked from it, as several commands need them.

#include <memory>
#include <optional>
#include <string>

#include "capconf/catalog/bundle.h"
#include "capconf/catalog/catalog.h"
#include "capconf/common/status.h"

namespace capconf::cli {

// The catalog in `directory`, or the embedded one when it is empty.
Result<std::shared_ptr<const catalog::Catalog>> LoadCatalog(const std::string& directory);

struct TemplateSelection {
  std::shared_ptr<const catalog::Catalog> catalog;
  const catalog::Template* tmpl = nullptr;
  catalog::CapabilitySet enabled = 0;
  std::shared_ptr<const catalog::Bundle> bundle;
};

// Loads the catalog, finds `template_id` ("id" or "id@version") and composes the bundle for
// `capabilities` ("a,b,c"; the template's defaults when absent). NotFound for an unknown
// template; InvalidArgument for an unknown or unoffered capability; FailedPrecondition, with the
// buyer's sentence, for a set the rules refuse (a default off, a dependency broken).
Result<TemplateSelection> LoadTemplateSelection(const std::string& catalog_dir,
                                                const std::string& template_id,
                                                const std::optional<std::string>& capabilities);

}  // namespace capconf::cli
