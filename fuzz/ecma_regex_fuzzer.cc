// Hostile patterns and subjects: translation to PCRE2 must reject or compile, and a search must
// answer within its match budget.
// Input: PATTERN, a NUL byte, SUBJECT.
#include <cstdint>
#include <cstring>
#include <string_view>

#include "ecma_regex.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* begin = reinterpret_cast<const char*>(data);
  const char* nul = static_cast<const char*>(std::memchr(begin, 0, size));
  std::string_view pattern(begin, nul ? static_cast<size_t>(nul - begin) : size);
  std::string_view subject = nul ? std::string_view(nul + 1, size - (nul - begin) - 1) : "";
  (void)capconf::schema::internal::EcmaRegex::CheckLegacySyntax(pattern);
  auto re = capconf::schema::internal::EcmaRegex::Compile(pattern);
  if (re.ok()) (void)(*re)->Search(subject);
  return 0;
}
