#pragma once
// The official JSON Schema metaschemas, compiled into the binary so that schemas naming them in
// `$schema` or `$ref` resolve without a network: draft-07; 2019-09 and its six vocabulary
// metaschemas; 2020-12 and its eight (format-assertion included). Private to the schema module.
// The texts are src/schema/metaschemas/*.json verbatim, embedded at build time by
// metaschemas/metaschemas.cmake; they live for the whole program.

#include <span>
#include <string_view>

namespace capconf::schema::internal {

// The text of the built-in metaschema whose `$id` is `uri`, or nullptr. URIs are canonical: the
// `$id` without its trailing '#' (draft-07 writes "http://json-schema.org/draft-07/schema#");
// a single trailing '#' (empty fragment) on `uri` is ignored, so both forms find it. The scheme
// must match the official `$id` exactly: http for draft-07, https for 2019-09 and 2020-12.
const std::string_view* FindBuiltinMetaschema(std::string_view uri);

// Every canonical URI that FindBuiltinMetaschema knows, for tests and diagnostics.
std::span<const std::string_view> BuiltinMetaschemaUris();

}  // namespace capconf::schema::internal
