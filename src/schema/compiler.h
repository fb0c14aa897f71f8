#pragma once
// Turns a schema document into the Node graph of a Schema::Impl: indexes every resource,
// anchor and subschema location, resolves each reference, and builds the keywords.

#include <deque>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "internal.h"

namespace capconf::schema::internal {

// Which vocabularies a schema resource uses (its metaschema's `$vocabulary`).
struct Vocabularies {
  bool applicator = true;
  bool unevaluated = true;
  bool validation = true;
  bool format_assertion = false;
};

// Everything a compiled schema owns. Nodes point at each other and at Resources, so all of them
// live here together and die together.
struct CompiledGraph {
  std::deque<boost::json::value> documents;  // the root and every document a $ref pulled in
  std::vector<std::unique_ptr<Resource>> resources;
  std::vector<std::unique_ptr<Node>> nodes;
  const Node* root = nullptr;
  Dialect dialect = Dialect::kDraft7;
  bool uses_dynamic_scope = false;  // some $dynamicRef/$recursiveRef may move with the scope
};

// Compiles `document` into `graph`. The document is copied; the caller's value may go away.
Status CompileGraph(const boost::json::value& document, const CompileOptions& options,
                    CompiledGraph& graph);

// Dialect named by a `$schema` URI of one of the three built-in drafts.
std::optional<Dialect> DialectOfMetaschemaUri(std::string_view uri);
std::string_view MetaschemaUriOf(Dialect dialect);

}  // namespace capconf::schema::internal
