#pragma once
// Private: builds a Catalog from its files, collecting every finding instead of stopping at the
// first, so that Catalog::Load and `catalog check` share one set of structural checks.

#include <boost/json/value.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "capconf/catalog/catalog.h"

namespace capconf::catalog {

class CatalogLoader {
 public:
  // Fills `catalog` with what could be read; findings() says what could not.
  void Load(std::span<const CatalogFile> files, Catalog& catalog);
  const std::vector<Finding>& findings() const { return findings_; }

 private:
  void Report(const std::string& file, std::string pointer, std::string message);
  void LoadWidgets(const CatalogFile& file, const boost::json::value& doc, Catalog& catalog);
  std::unique_ptr<Capability> LoadCapability(const CatalogFile& file,
                                             const boost::json::value& doc);
  void LinkCapability(Capability& capability, const boost::json::object& doc,
                      const Catalog& catalog);
  std::unique_ptr<Template> LoadTemplate(const CatalogFile& file, const boost::json::value& doc,
                                         const Catalog& catalog);
  bool ParseRule(const std::string& file, const boost::json::value& value, std::string pointer,
                 const Catalog& catalog, Rule& rule, int depth);
  void LoadNeeds(const std::string& file, const boost::json::value& value, Capability& capability);
  std::shared_ptr<const schema::Schema> CompileAt(const std::string& file,
                                                  const std::string& pointer,
                                                  const boost::json::value& schema_doc);

  std::vector<Finding> findings_;
};

// The key of an inline section derived from its title: "Search Settings" -> "search_settings".
// Empty when the title has no letter or digit.
std::string DeriveSectionKey(std::string_view title);

// Pointers (relative to `schema`) of every property marked `"writeOnly": true`, reached
// through properties and the in-place applicators (allOf, anyOf, oneOf, if/then/else, local
// $ref resolved in `root`). Arrays' items are not descended into: a secret inside a list has
// no stable place to be stored apart.
std::vector<std::string> CollectWriteOnlyPointers(const boost::json::value& schema,
                                                  const boost::json::value& root);

}  // namespace capconf::catalog
