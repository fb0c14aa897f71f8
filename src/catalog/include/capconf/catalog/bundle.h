#pragma once
// Bundling: the one schema and UI schema the page renders for a template and a set of enabled
// capabilities, and the compiled schema that validates configurations against it.
//
// A bundle is self-contained (no external `$ref`), declares its `$schema`, has one property per
// enabled section in the template's order with the section's title, and is at most
// kMaxBundleBytes when serialised. Its UI schema is nested the way rjsf reads it (dotted keys
// such as "colors.primary" become nested objects) with `ui:order` keeping the section order.
// See docs/catalog.md for the mapping from the template's flat allOf.

#include <boost/json/value.hpp>
#include <cstddef>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "capconf/catalog/catalog.h"
#include "capconf/common/status.h"
#include "capconf/schema/schema.h"

namespace capconf::catalog {

inline constexpr std::size_t kMaxBundleBytes = 64 * 1024;

// Immutable once built; shared by every request that renders or validates the same pair.
struct Bundle {
  const Template* tmpl = nullptr;
  CapabilitySet enabled = 0;  // the offered capabilities that are on (universal ones implied)
  std::vector<const Section*> sections;  // the sections present, in form order
  boost::json::value schema;
  boost::json::value ui_schema;
  std::string schema_text;     // `schema` serialised once, for responses
  std::string ui_schema_text;  // `ui_schema` serialised once
  std::shared_ptr<const schema::Schema> compiled;
  // Absolute pointers ("/voice/openai_api_key") of the write-only fields of present sections.
  std::vector<std::string> secret_pointers;
};

// Composes, serialises and compiles the bundle of `tmpl` with `enabled` on.
// InvalidArgument if `enabled` holds a capability the template does not offer (universal ones
// are allowed and ignored), if a section's `$ref` cannot be bundled, or if the schema does not
// compile; ResourceExhausted if it is larger than kMaxBundleBytes. Dependency rules are not
// checked here (rules.h).
Result<std::shared_ptr<const Bundle>> ComposeBundle(const Template& tmpl, CapabilitySet enabled);

// The UI schema of a section with dotted keys nested: {"colors.primary": X} becomes
// {"colors": {"primary": X}}, merged with what is already under "colors".
boost::json::value NestUiSchema(const boost::json::value& ui_schema);

// Bundles by (template, enabled set), composed once and kept for the cache's lifetime (a
// catalog has few pairs: the allowed sets of its templates). Thread-safe. A hit is answered from
// a small per-thread table, with no lock and no reference count touched, so that threads serving
// the same template do not contend; a miss takes a shared lock, then composes. Keyed by the
// Template's address: one cache serves one Catalog and must not outlive it. Failures are not
// cached.
class BundleCache {
 public:
  BundleCache();
  ~BundleCache();
  BundleCache(const BundleCache&) = delete;
  BundleCache& operator=(const BundleCache&) = delete;

  // The bundle stays valid as long as this cache. Errors as ComposeBundle.
  Result<const Bundle*> Get(const Template& tmpl, CapabilitySet enabled);
  std::size_t size() const;

 private:
  struct Key {
    const Template* tmpl;
    CapabilitySet enabled;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept;
  };
  const std::uint64_t id_;  // never reused, so a thread's table cannot mistake another cache
  mutable std::shared_mutex mutex_;
  std::unordered_map<Key, std::shared_ptr<const Bundle>, KeyHash> bundles_;
};

}  // namespace capconf::catalog
