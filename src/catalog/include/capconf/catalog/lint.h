#pragma once
// `capconf catalog check`: every problem of a catalog, each naming its file and JSON Pointer.
//
// Beyond what loading checks (shapes, ids, `capability:` refs that resolve, defaults among the
// capabilities, universal capabilities present, rules naming real capabilities, schemas that
// compile), the lint checks that every `default` is valid against its own schema, that every
// `ui:widget` is rjsf's own for the field's type or listed in widgets.json (and every `ui:field`
// likewise), that UI schema keys name real properties, that capability schemas keep to the
// keywords that mean the same in draft-07 and 2020-12, that a template's default set obeys the
// dependency rules, that its credit costs name actions its capabilities bring, and that every
// allowed capability set bundles (at most 64 kB) and compiles.

#include <span>
#include <vector>

#include "capconf/catalog/catalog.h"

namespace capconf::catalog {

// Every finding; empty means the catalog is clean.
std::vector<Finding> CheckCatalog(std::span<const CatalogFile> files);

}  // namespace capconf::catalog
