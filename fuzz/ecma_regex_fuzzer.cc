// Hostile patterns and subjects: translation to PCRE2 must reject or compile, a search must
// answer within its match budget, and where the ASCII automaton takes a pattern it must agree
// with PCRE2 on every subject.
// Input: PATTERN, a NUL byte, SUBJECT.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "ascii_dfa.h"
#include "capconf/common/utf8.h"
#include "ecma_regex.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using capconf::schema::internal::AsciiDfa;
  using capconf::schema::internal::EcmaRegex;
  const char* begin = reinterpret_cast<const char*>(data);
  const char* nul = static_cast<const char*>(std::memchr(begin, 0, size));
  std::string_view pattern(begin, nul ? static_cast<size_t>(nul - begin) : size);
  std::string_view subject = nul ? std::string_view(nul + 1, size - (nul - begin) - 1) : "";
  (void)EcmaRegex::CheckLegacySyntax(pattern);
  auto re = EcmaRegex::Compile(pattern);
  if (!re.ok()) return 0;
  EcmaRegex::Match m = (*re)->Search(subject);
  // Subjects are UTF-8 (the parser guarantees it); on invalid bytes the two may differ.
  if (!capconf::IsValidUtf8(subject)) return 0;
  if (auto dfa = AsciiDfa::TryCompile(pattern); dfa && m != EcmaRegex::Match::kLimitExceeded) {
    if (dfa->Search(subject) != (m == EcmaRegex::Match::kYes)) std::abort();
  }
  return 0;
}
