#pragma once
// Private: the numbered migrations of one backend, from the embedded migrations/<backend>/ files
// named NNNN_name.sql.

#include <string>
#include <string_view>
#include <vector>

#include "capconf/common/status.h"

namespace capconf::store::internal {

struct Migration {
  int version = 0;   // NNNN
  std::string name;  // the file name without extension, e.g. "0001_init"
  std::string_view sql;
};

// The migrations of `backend` ("sqlite" or "postgres"), ascending, numbered 1, 2, 3, ... without
// gaps. kInternal if a file name or the numbering is malformed (a build defect).
Result<std::vector<Migration>> MigrationsFor(std::string_view backend);

}  // namespace capconf::store::internal
