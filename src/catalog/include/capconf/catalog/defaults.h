#pragma once
// Schema defaults filled in the way react-jsonschema-form (6.x, default settings) fills them when
// it renders a form, so that the configuration the server stores for a new subscription, or for
// a newly enabled capability, is what the page would show.
//
// What rjsf does, and so what this does (checked against @rjsf/utils 6.11.1 for every template
// and allowed set by tests/catalog/rjsf_defaults.mjs; tools/rjsf/defaults.mjs is the reference):
// - `const` wins over `default`; the deepest default wins over an ancestor's object default;
//   values already in the data are kept (an explicit null or "" too).
// - An object is added when it has something in it, or when its key is required; a required
//   boolean without a default becomes false; a required array without a default becomes [].
// - Arrays in the data are kept as they are (never merged with a default array); each item gets
//   the defaults of its item schema. An absent array with minItems is filled with item defaults
//   up to minItems, except for multi-select arrays (unique enum items).
// - `oneOf`/`anyOf`: the option the data matches best (the first option without data).
//   `if`/`then`/`else`: the branch the data (not the defaults) selects. `$ref`: resolved.
//   `allOf` below the root: ignored.
// One deliberate difference: where rjsf pads an array with `undefined` items (minItems with no
// item default), JSON has no undefined; the array is left as the data had it.

#include <boost/json/value.hpp>

namespace capconf::catalog {

// `data` (null: no data yet) with the defaults of `schema` filled in; `schema` is a whole
// document (a bundle) in which its `$ref`s resolve. Never fails: what it cannot understand gets
// no default.
boost::json::value FillDefaults(const boost::json::value& schema, const boost::json::value* data);

}  // namespace capconf::catalog
