#pragma once
// Test helpers: the embedded catalog's files, edited the way a test case says (set or remove a
// value at a JSON Pointer, replace or delete a whole file), and JSON test data from the tree.

#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "capconf/catalog/catalog.h"

namespace capconf::testutil {

// `root` + "/" + `relative`, where root is the source tree (CAPCONF_SOURCE_DIR).
std::string SourcePath(const std::string& relative);
// Parses a JSON file of the source tree; fails the calling test (ADD_FAILURE) and returns null
// when it cannot.
boost::json::value ReadJson(const std::string& path);

// Applies one edit: {"file": F, "pointer": P, "set": V} | {"file", "pointer", "remove": true} |
// {"file": F, "text": T} (replace or add the file) | {"file": F, "delete_file": true}.
// Returns false (and says why in `error`) if the edit cannot apply.
bool ApplyEdit(std::vector<catalog::CatalogFile>& files, const boost::json::object& edit,
               std::string& error);

// The embedded catalog with `edits` applied.
std::vector<catalog::CatalogFile> EditedCatalog(const boost::json::array& edits,
                                                std::string& error);

}  // namespace capconf::testutil
