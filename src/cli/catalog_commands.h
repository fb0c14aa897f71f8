#pragma once
// The catalog's commands: `capabilities`, `templates`, `schema`, `explain` and `catalog check`.
// Each returns the process exit code: 0 success, 1 a negative answer (findings, a refused or
// unconfigured set), 2 usage or unreadable input, with a one-line reason on `err`.

#include <cstdio>
#include <string>
#include <vector>

namespace capconf::cli {

int RunCapabilities(const std::vector<std::string>& args, std::FILE* out, std::FILE* err);
int RunTemplates(const std::vector<std::string>& args, std::FILE* out, std::FILE* err);
int RunSchema(const std::vector<std::string>& args, std::FILE* out, std::FILE* err);
int RunExplain(const std::vector<std::string>& args, std::FILE* out, std::FILE* err);
int RunCatalog(const std::vector<std::string>& args, std::FILE* out, std::FILE* err);

}  // namespace capconf::cli
