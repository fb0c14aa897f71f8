#pragma once
// Private: the repository's catalog/ compiled into the binary (generated at build time by
// cmake/embed_files.cmake), so that the CLI and the server work from any directory.

#include <span>
#include <string_view>

namespace capconf::catalog::internal {

struct EmbeddedFile {
  std::string_view path;  // relative to catalog/, e.g. "capabilities/rag.json"
  std::string_view text;
};

// Every *.json file under catalog/, sorted by path. The texts live for the whole program.
std::span<const EmbeddedFile> EmbeddedCatalogFiles();

}  // namespace capconf::catalog::internal
