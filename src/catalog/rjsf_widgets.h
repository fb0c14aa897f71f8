#pragma once
// Private: rjsf 6.11.1's widget names, which the lint accepts in `ui:widget` without a custom
// widget: the widgets of @rjsf/core's default registry (usable on any type) and the alias names
// @rjsf/utils' getWidget accepts per type. tests/catalog/rjsf_widgets.json is the snapshot of
// tools/rjsf/widgets.mjs (checked against the installed package by rjsf_widgets_check.mjs);
// catalog_test checks these tables against that snapshot.

#include <set>
#include <string_view>

namespace capconf::catalog {

const std::set<std::string_view>& RjsfRegisteredWidgets();
// The aliases for a JSON Schema type ("string", "number", "integer", "boolean", "array"), or
// null for a type rjsf renders without widgets (object).
const std::set<std::string_view>* RjsfAliases(std::string_view type);

}  // namespace capconf::catalog
