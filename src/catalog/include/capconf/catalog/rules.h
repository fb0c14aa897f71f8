#pragma once
// The dependency-rule evaluator: "may this set of capabilities be enabled?" and "what is still
// missing before these capabilities can run?", each answer with a sentence a buyer understands.
// Pure functions over an immutable Catalog; safe on many threads.

#include <boost/json/value.hpp>
#include <set>
#include <string>
#include <vector>

#include "capconf/catalog/catalog.h"

namespace capconf::catalog {

// Why a set of capabilities may not be enabled for a template.
struct SetProblem {
  enum class Kind {
    kNotOffered,       // the template does not offer the capability
    kDefaultRequired,  // a default capability of the template is off
    kDependency,       // the capability's `requires` rule does not hold
  };
  Kind kind;
  std::string capability;  // the capability the sentence is about
  std::string message;     // "Embeddable Widget needs Knowledge Base or API Access to be enabled."
};

// Universal capabilities count as enabled in every set.
bool RuleHolds(const Rule& rule, const Catalog& catalog, CapabilitySet enabled);

// "Knowledge Base or API Access", "Voice I/O and not Code Execution", from the labels.
std::string DescribeRule(const Rule& rule, const Catalog& catalog);

// Every reason `enabled` may not be the enabled set of `tmpl`; empty means it may. Universal
// capabilities may be in the set or not; they are on either way.
std::vector<SetProblem> CheckCapabilitySet(const Catalog& catalog, const Template& tmpl,
                                           CapabilitySet enabled);

// Every set a buyer may have: the defaults plus any combination of the other offered
// capabilities that CheckCapabilitySet accepts, in ascending numeric order.
std::vector<CapabilitySet> AllowedSets(const Catalog& catalog, const Template& tmpl);

// What the platform knows beyond the configuration document.
struct Facts {
  // Absolute pointers ("/web_search/api_key") of write-only fields that hold a value. Secrets
  // are stored apart from the configuration, so the store tells which are set.
  std::set<std::string, std::less<>> secrets;
  // Platform resources that exist for the subscription ("ragflow_collection", "sandbox").
  std::set<std::string, std::less<>> resources;
};

// A need of an enabled capability that does not hold.
struct MissingNeed {
  std::string capability;
  std::string need;     // the need's id
  std::string pointer;  // absolute pointer where the page shows it ("" for a resource)
  std::string message;  // the need's sentence
};

// The needs of the capabilities enabled in `enabled` (universal ones included) that do not hold
// for `config` (a namespaced configuration document) and `facts`, in section order.
std::vector<MissingNeed> MissingNeeds(const Template& tmpl, CapabilitySet enabled,
                                      const boost::json::value& config, const Facts& facts);

}  // namespace capconf::catalog
