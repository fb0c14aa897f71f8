#pragma once
// Private: src/store/migrations/ compiled into the binary (generated at build time by
// cmake/embed_files.cmake), so that `Migrate` works from any directory.

#include <span>
#include <string_view>

namespace capconf::store::internal {

struct EmbeddedFile {
  std::string_view path;  // relative to migrations/, e.g. "sqlite/0001_init.sql"
  std::string_view text;
};

// Every *.sql file under migrations/, sorted by path. The texts live for the whole program.
std::span<const EmbeddedFile> EmbeddedMigrationFiles();

}  // namespace capconf::store::internal
