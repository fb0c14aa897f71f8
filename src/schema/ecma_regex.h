#pragma once
// EcmaRegex: the `pattern` and `patternProperties` regular expressions of JSON Schema, with the
// meaning ajv 8 gives them (`new RegExp(pattern, "u")`), run by PCRE2 with JIT. Private to the
// schema module.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "capconf/common/status.h"

// PCRE2's opaque types, declared here so this header does not pull in pcre2.h.
struct pcre2_real_code_8;
struct pcre2_real_match_context_8;

namespace capconf::schema::internal {

// An ECMA-262 regular expression with the `u` flag (and no other flag). Compile translates it
// into an equivalent PCRE2 pattern or explains why it cannot; the known differences from V8 are
// listed at the top of ecma_regex.cc.
//
// Thread-safety: immutable after Compile; Search may be called from any number of threads at
// once. Search allocates nothing after a thread's first call (per-thread PCRE2 match data and
// JIT stack).
class EcmaRegex {
 public:
  struct Limits {
    // PCRE2 match limit: how many backtracking steps one Search may take.
    uint32_t match_limit = 1'000'000;
    // PCRE2 depth limit for the interpreter; JIT matching is bounded by its 1 MiB stack instead.
    uint32_t depth_limit = 10'000;
    // Longest pattern accepted, in bytes of UTF-8.
    std::size_t max_pattern_bytes = 64 * 1024;
  };

  // Compiles `pattern` (UTF-8). Fails with InvalidArgument and a one-line reason ("unterminated
  // group at offset 3"; offsets are in bytes) when the pattern is not valid UTF-8, not a valid
  // ECMA-262 `u`-mode pattern, longer than the limit, or valid but not expressible in PCRE2
  // (variable-length lookbehind, for one). ResourceExhausted only if memory runs out.
  static capconf::Result<std::unique_ptr<const EcmaRegex>> Compile(std::string_view pattern,
                                                                   const Limits& limits);
  // As above with the default Limits. (An overload, not a default argument: GCC cannot use a
  // nested struct's member initializers in a default argument of the enclosing class.)
  static capconf::Result<std::unique_ptr<const EcmaRegex>> Compile(std::string_view pattern);

  // Whether `new RegExp(pattern)` (no flags: Annex B's lenient grammar, which ajv-formats'
  // `regex` format uses) would succeed in Node 20. A syntax check only: no PCRE2 compile. Fails
  // with InvalidArgument and a one-line reason (offsets in bytes) when it would throw, or when
  // the pattern is not valid UTF-8. Linear time, no recursion, memory proportional to the
  // pattern's length.
  static capconf::Status CheckLegacySyntax(std::string_view pattern);

  enum class Match { kNo, kYes, kLimitExceeded };

  // Like RegExp.prototype.test: kYes if the pattern matches anywhere in `subject` (UTF-8).
  // A subject that is not valid UTF-8 gives kNo (no JSON string can be such a subject).
  // kLimitExceeded when the match budget ran out (or memory did) before an answer was found.
  Match Search(std::string_view subject) const;

  // The ECMA-262 source given to Compile.
  const std::string& pattern() const { return pattern_; }
  // The PCRE2 pattern it was translated into; for diagnostics and tests.
  const std::string& pcre2_pattern() const { return pcre2_pattern_; }

  EcmaRegex(const EcmaRegex&) = delete;
  EcmaRegex& operator=(const EcmaRegex&) = delete;
  ~EcmaRegex();

 private:
  struct CodeDeleter {
    void operator()(pcre2_real_code_8* code) const;
  };
  struct MatchContextDeleter {
    void operator()(pcre2_real_match_context_8* context) const;
  };

  EcmaRegex() = default;

  std::string pattern_;
  std::string pcre2_pattern_;
  std::unique_ptr<pcre2_real_code_8, CodeDeleter> code_;
  std::unique_ptr<pcre2_real_match_context_8, MatchContextDeleter> match_context_;
  bool jit_ = false;  // whether pcre2_jit_compile succeeded, so pcre2_jit_match may be used
};

}  // namespace capconf::schema::internal
