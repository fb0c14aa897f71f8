#pragma once
// Private to the ragflow module: recognising the document names that ragflow.h describes.

#include <optional>
#include <string>
#include <string_view>

namespace capconf::ragflow::internal {

// For "f-<key>-…": "f-<key>-"; nullopt for any other name.
std::optional<std::string> FilePrefixOf(std::string_view document_name);

// For "u-<12 hex>-<12 hex>-…": the source prefix "u-<12 hex>-" and the page prefix
// "u-<12 hex>-<12 hex>-"; nullopt for any other name.
struct PagePrefixes {
  std::string source;
  std::string page;
};
std::optional<PagePrefixes> PagePrefixesOf(std::string_view document_name);

// The first 12 hex digits of SHA-256.
std::string ShortHash(std::string_view text);

}  // namespace capconf::ragflow::internal
