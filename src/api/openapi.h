#pragma once
// The OpenAPI 3.1 description of every /api/v1 route (served at GET /api/v1/openapi.json).
//
// Besides the standard parts, each operation carries two extensions that tests read:
//   x-capconf-roles          the roles that may call it ("operator", "seller", "buyer"); absent
//                            on public operations (which have `security: []`).
//   x-capconf-tenant-scoped  true when the path names an object owned by an organisation; then
//                            x-capconf-owner says which kind ("subscription": the buyer's
//                            organisation; "offering": the seller's; "file": the uploader's), and
//                            callers from any other organisation get 404 for an object not shared
//                            with them.
// Schemas are plain JSON Schema 2020-12 (the document's jsonSchemaDialect). Request schemas say
// `additionalProperties: false` where the handler answers an unknown member with 422.

#include <boost/json/object.hpp>

namespace capconf::api {

// Built once; a copy each call.
boost::json::object OpenApiDocument();

}  // namespace capconf::api
