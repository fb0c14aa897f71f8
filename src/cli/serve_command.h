#pragma once
// `capconf serve`, `capconf worker`, `capconf migrate`, `capconf user create` and `capconf token
// create`: the service and its bootstrap. Exit 0 on success, 2 with a one-line reason on stderr
// otherwise.

#include <cstdio>
#include <string>
#include <vector>

namespace capconf::cli {

int RunServe(const std::vector<std::string>& args, std::FILE* out, std::FILE* err);
// `capconf worker`: sync workers only, for separate processes (until SIGTERM or SIGINT).
int RunWorker(const std::vector<std::string>& args, std::FILE* out, std::FILE* err);
int RunMigrate(const std::vector<std::string>& args, std::FILE* out, std::FILE* err);
int RunUser(const std::vector<std::string>& args, std::FILE* in, std::FILE* out, std::FILE* err);
int RunToken(const std::vector<std::string>& args, std::FILE* out, std::FILE* err);

}  // namespace capconf::cli
