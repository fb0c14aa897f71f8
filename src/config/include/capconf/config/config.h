#pragma once
// The configuration model of one subscription (the spec's AgentConfig), as pure functions over
// the catalog: the initial configuration, validation with every error as a JSON Pointer into the
// namespaced document, readiness (`is_configured` and what is missing), switching capabilities
// on and off, and separating write-only secrets from the stored document.
//
// A configuration document is namespaced: one top-level key per section (docs/catalog.md).
// Values of a disabled capability stay in it (re-enabling restores them) but are neither
// validated nor counted for readiness. Nothing here touches storage; the service (and the CLI)
// call these with what they loaded. Thread-safe: no function keeps state between calls.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "capconf/catalog/bundle.h"
#include "capconf/catalog/catalog.h"
#include "capconf/catalog/rules.h"
#include "capconf/common/status.h"

namespace capconf::config {

// One validation error, placed where the page shows it.
struct FieldError {
  // JSON Pointer into the configuration document. For `required` (and the like) it names the
  // missing field itself, as rjsf does, rather than its parent object.
  std::string pointer;
  std::string keyword;
  std::string message;      // ajv's English message
  std::string schema_path;  // where in the bundled schema it failed
  boost::json::object params;
  boost::json::object ToJson() const;  // {pointer, keyword, message}
};

// Every error of `config` against the bundle's schema, in evaluation order; empty when valid.
// `if` errors ("must match \"then\" schema") are left out: each comes with the errors of the
// branch that failed, which say what to fix at the field itself.
std::vector<FieldError> Validate(const catalog::Bundle& bundle, const boost::json::value& config);

// The enabled capabilities and configuration document of a subscription.
struct AgentConfig {
  catalog::CapabilitySet enabled = 0;
  boost::json::value config;
};

// The spec's step 1: the template's default capabilities and every schema default filled in, as
// the page would (defaults.h). Fails only if the default bundle cannot be composed.
Result<AgentConfig> InitialConfig(catalog::BundleCache& bundles, const catalog::Template& tmpl);

struct Readiness {
  bool is_configured = false;
  std::vector<FieldError> errors;             // the configuration is invalid where these say
  std::vector<catalog::MissingNeed> missing;  // needs of enabled capabilities that do not hold
  boost::json::object ToJson() const;         // {is_configured, errors, missing}
};

// `is_configured` is true only when the configuration is valid and every need of every enabled
// capability holds. `facts` says which secrets are set and which resources exist.
Readiness Evaluate(const catalog::Bundle& bundle, const boost::json::value& config,
                   const catalog::Facts& facts);

// The result of switching capabilities: the new state, or why it is refused.
struct ToggleOutcome {
  std::vector<catalog::SetProblem> refused;  // non-empty: nothing changed
  AgentConfig next;                          // when accepted
};

// Switches capabilities (id -> on/off) of `current`. Refused, with a sentence per problem, when a
// capability is not offered, a default would be turned off, or a dependency rule would break.
// Newly enabled sections get their defaults, and the values they already had (from an earlier
// time they were on) are kept. InvalidArgument for an unknown capability id.
Result<ToggleOutcome> Toggle(const catalog::Catalog& catalog, catalog::BundleCache& bundles,
                             const catalog::Template& tmpl, const AgentConfig& current,
                             const std::map<std::string, bool, std::less<>>& changes);

// The absolute pointers of the bundle's write-only fields that hold a value in `config`.
std::vector<std::string> SecretsPresent(const catalog::Bundle& bundle,
                                        const boost::json::value& config);

// Removes the write-only values from `config` and returns them by pointer, so that they can be
// stored apart (encrypted) and never echoed back.
std::map<std::string, boost::json::value> ExtractSecrets(const catalog::Bundle& bundle,
                                                         boost::json::value& config);

}  // namespace capconf::config
