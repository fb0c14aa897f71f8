#include "malloc_tuning.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

namespace capconf::cli {

void UseServerMallocTunables(char** argv) {
  const char* current = std::getenv("GLIBC_TUNABLES");
  const std::string before = current ? current : "";
  if (before.find("glibc.malloc.tcache_count") != std::string::npos) return;
  const std::string tuned = before + (before.empty() ? "" : ":") + "glibc.malloc.tcache_count=200";
  if (setenv("GLIBC_TUNABLES", tuned.c_str(), 1) != 0) return;
  execv("/proc/self/exe", argv);
  // Not re-executed (no /proc, say): run as we are, with the environment as it was.
  if (current) {
    setenv("GLIBC_TUNABLES", before.c_str(), 1);
  } else {
    unsetenv("GLIBC_TUNABLES");
  }
}

}  // namespace capconf::cli
