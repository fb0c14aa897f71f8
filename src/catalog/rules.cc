#include "capconf/catalog/rules.h"

#include <bit>

#include "capconf/json/pointer.h"

namespace capconf::catalog {
namespace json = boost::json;
namespace {

std::string LabelOf(const Catalog& catalog, const std::string& id) {
  const Capability* c = catalog.FindCapability(id);
  return c ? c->label() : id;
}

// Joins phrases as English does: "A", "A or B", "A, B or C".
std::string JoinPhrases(const std::vector<std::string>& parts, std::string_view conjunction) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += i + 1 == parts.size() ? " " + std::string(conjunction) + " " : ", ";
    out += parts[i];
  }
  return out;
}

std::string Describe(const Rule& rule, const Catalog& catalog, bool nested) {
  switch (rule.kind) {
    case Rule::Kind::kCapability:
      return LabelOf(catalog, rule.capability);
    case Rule::Kind::kNot:
      return "not " + Describe(rule.operands[0], catalog, true);
    case Rule::Kind::kAnyOf:
    case Rule::Kind::kAllOf: {
      std::vector<std::string> parts;
      for (const Rule& r : rule.operands) parts.push_back(Describe(r, catalog, true));
      std::string joined = JoinPhrases(parts, rule.kind == Rule::Kind::kAnyOf ? "or" : "and");
      return nested && parts.size() > 1 ? "(" + joined + ")" : joined;
    }
  }
  return {};
}

std::string DependencySentence(const Capability& c, const Rule& rule, const Catalog& catalog) {
  if (rule.kind == Rule::Kind::kNot) {
    return c.label() + " cannot be enabled together with " +
           Describe(rule.operands[0], catalog, false) + ".";
  }
  return c.label() + " needs " + Describe(rule, catalog, false) + " to be enabled.";
}

}  // namespace

bool RuleHolds(const Rule& rule, const Catalog& catalog, CapabilitySet enabled) {
  switch (rule.kind) {
    case Rule::Kind::kCapability: {
      const Capability* c = catalog.FindCapability(rule.capability);
      return c != nullptr && ((enabled | catalog.universal()) & c->bit()) != 0;
    }
    case Rule::Kind::kNot:
      return !RuleHolds(rule.operands[0], catalog, enabled);
    case Rule::Kind::kAnyOf:
      for (const Rule& r : rule.operands) {
        if (RuleHolds(r, catalog, enabled)) return true;
      }
      return false;
    case Rule::Kind::kAllOf:
      for (const Rule& r : rule.operands) {
        if (!RuleHolds(r, catalog, enabled)) return false;
      }
      return true;
  }
  return false;
}

std::string DescribeRule(const Rule& rule, const Catalog& catalog) {
  return Describe(rule, catalog, false);
}

std::vector<SetProblem> CheckCapabilitySet(const Catalog& catalog, const Template& tmpl,
                                           CapabilitySet enabled) {
  std::vector<SetProblem> problems;
  for (const auto& c : catalog.capabilities()) {
    if (!(enabled & c->bit()) || c->universal() || (tmpl.offered() & c->bit())) continue;
    problems.push_back({SetProblem::Kind::kNotOffered, c->id(),
                        c->label() + " is not offered by " + tmpl.name() + "."});
  }
  for (const Capability* c : tmpl.default_capabilities()) {
    if (enabled & c->bit()) continue;
    problems.push_back(
        {SetProblem::Kind::kDefaultRequired, c->id(),
         c->label() + " is included in " + tmpl.name() + " and cannot be turned off."});
  }
  CapabilitySet effective = enabled & tmpl.offered();
  for (const Capability* c : tmpl.capabilities()) {
    if (!(effective & c->bit()) || !c->requires_rule()) continue;
    if (RuleHolds(*c->requires_rule(), catalog, effective)) continue;
    problems.push_back({SetProblem::Kind::kDependency, c->id(),
                        DependencySentence(*c, *c->requires_rule(), catalog)});
  }
  return problems;
}

std::vector<CapabilitySet> AllowedSets(const Catalog& catalog, const Template& tmpl) {
  std::vector<CapabilitySet> optional;
  for (const Capability* c : tmpl.capabilities()) {
    if (!(tmpl.defaults() & c->bit())) optional.push_back(c->bit());
  }
  std::vector<CapabilitySet> sets;
  // A template offers at most a handful of optional capabilities; 2^n stays small.
  const std::size_t n = std::min<std::size_t>(optional.size(), 20);
  for (std::uint64_t combo = 0; combo < (std::uint64_t{1} << n); ++combo) {
    CapabilitySet set = tmpl.defaults();
    for (std::size_t i = 0; i < n; ++i) {
      if (combo & (std::uint64_t{1} << i)) set |= optional[i];
    }
    if (CheckCapabilitySet(catalog, tmpl, set).empty()) sets.push_back(set);
  }
  std::sort(sets.begin(), sets.end());
  return sets;
}

std::vector<MissingNeed> MissingNeeds(const Template& tmpl, CapabilitySet enabled,
                                      const json::value& config, const Facts& facts) {
  std::vector<MissingNeed> missing;
  static const json::value kEmptySection = json::object();
  const json::object* root = config.if_object();
  for (const Section& section : tmpl.sections()) {
    const Capability* c = section.capability;
    if (c == nullptr) continue;
    if (!c->universal() && !(enabled & tmpl.offered() & c->bit())) continue;
    const json::value* found = root ? root->if_contains(section.key) : nullptr;
    const json::value& data = found ? *found : kEmptySection;
    for (const Need& need : c->needs()) {
      if (need.when && !need.when->IsValid(data)) continue;
      std::string absolute = "/" + capconf::json::EscapeToken(section.key) + need.pointer;
      bool holds = false;
      switch (need.kind) {
        case Need::Kind::kConfig:
          holds = need.require->IsValid(data);
          break;
        case Need::Kind::kSecret: {
          holds = facts.secrets.contains(absolute);
          break;
        }
        case Need::Kind::kResource:
          holds = facts.resources.contains(need.resource);
          absolute.clear();
          break;
      }
      if (!holds) {
        missing.push_back({c->id(), need.id,
                           need.pointer.empty() && need.kind != Need::Kind::kResource
                               ? "/" + capconf::json::EscapeToken(section.key)
                               : absolute,
                           need.message});
      }
    }
  }
  return missing;
}

}  // namespace capconf::catalog
