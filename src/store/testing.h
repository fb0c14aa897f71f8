#pragma once
// Private, for tests: a raw connection to the database a store URL names, to set up schemas and
// to damage stored data on purpose. Not part of the store's contract.

#include <memory>
#include <string_view>

#include "sql.h"

namespace capconf::store::internal {

// "sqlite:PATH" or "postgres://..." (the latter only when built with PostgreSQL).
Result<std::unique_ptr<Connection>> OpenConnectionForTesting(std::string_view url);

}  // namespace capconf::store::internal
