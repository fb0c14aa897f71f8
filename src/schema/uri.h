#pragma once
// URI references for `$id` and `$ref` (RFC 3986 §5 resolution). Not a general URI library: it
// splits, resolves and normalises exactly as far as schema identification needs.

#include <string>
#include <string_view>

namespace capconf::schema::internal {

struct UriParts {
  std::string_view scheme;  // without ':'
  std::string_view authority;
  std::string_view path;
  std::string_view query;     // without '?'
  std::string_view fragment;  // without '#'
  bool has_scheme = false;
  bool has_authority = false;
  bool has_query = false;
  bool has_fragment = false;
};

// Splits a URI reference into its five components (RFC 3986 appendix B); never fails.
UriParts SplitUri(std::string_view uri);

// Resolves `reference` against `base` (RFC 3986 §5.2) and normalises the result: scheme and
// host lowercased, dot segments removed, an empty fragment ("x#") dropped. An empty base leaves
// a relative reference as it is, so documents without an `$id` still resolve their own
// fragments.
std::string ResolveUri(std::string_view base, std::string_view reference);

// The URI without its fragment, and the fragment alone (without '#').
std::string_view StripFragment(std::string_view uri);
std::string_view FragmentOf(std::string_view uri);

}  // namespace capconf::schema::internal
