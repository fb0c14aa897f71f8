#pragma once
// Reading whole files for the CLI, with errors a person can act on.

#include <string>

#include "capconf/common/status.h"

namespace capconf::cli {

// The whole content of `path`; NotFound / InvalidArgument name the path and the reason.
Result<std::string> ReadFile(const std::string& path);

}  // namespace capconf::cli
