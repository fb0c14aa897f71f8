#pragma once
// `capconf validate`: validates instance files or JSON Lines against a schema.

#include <cstdio>
#include <string>
#include <vector>

namespace capconf::cli {

// Runs the command with its arguments (after "validate"). Writes results to `out`, one-line
// reasons to `err`. Returns the exit code: 0 all valid, 1 any invalid, 2 usage, unreadable
// input or a bad schema.
int RunValidate(const std::vector<std::string>& args, std::FILE* in, std::FILE* out,
                std::FILE* err);

}  // namespace capconf::cli
