#pragma once
// A deterministic automaton for the simple patterns schemas use most (`^#[0-9A-Fa-f]{6}$`,
// domain and IP shapes): ASCII literals and classes, groups, alternation, quantifiers and the
// two anchors. Searching is one table lookup per byte, with no call into PCRE2. Patterns
// outside that subset (lookaround, backreferences, `.`, negated classes, `\s`, Unicode
// properties, non-ASCII literals) get no automaton and stay with EcmaRegex, which also remains
// the judge of a pattern's syntax.

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace capconf::schema::internal {

class AsciiDfa {
 public:
  // The automaton of an ECMA-262 `u`-mode pattern that EcmaRegex accepted, or null when the
  // pattern is outside the subset or its automaton would be too large.
  static std::unique_ptr<const AsciiDfa> TryCompile(std::string_view pattern);

  // Like RegExp.prototype.test: whether the pattern matches anywhere in `subject`.
  bool Search(std::string_view subject) const;

  std::size_t state_count() const { return accepting_.size(); }

 private:
  AsciiDfa() = default;

  static constexpr std::uint16_t kDead = 0;
  std::vector<std::uint16_t> next_;  // state * 256 + byte -> state
  std::vector<bool> accepting_;
  std::uint16_t start_ = kDead;
  bool match_ends_at_accept_ = false;  // no `$`: any accepting prefix is a match
};

}  // namespace capconf::schema::internal
