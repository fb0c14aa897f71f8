#pragma once
// Private: the libpq driver behind the generic SQL store.

#include <memory>
#include <string>

#include "sql.h"

namespace capconf::store::internal {

struct PostgresOptions {
  std::string url;  // a libpq connection URI
  int connect_timeout_s = 5;
};

// kInvalidArgument when libpq cannot parse `url`.
Status CheckPostgresUrl(const std::string& url);

// Connects. kUnavailable when the server cannot be reached or refuses the login.
Result<std::unique_ptr<Connection>> OpenPostgresConnection(const PostgresOptions& options);

}  // namespace capconf::store::internal
