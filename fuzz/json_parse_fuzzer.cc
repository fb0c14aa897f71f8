// Untrusted JSON text: the parser must return a value or an error, never crash, and a value it
// returns must survive a canonical dump and parse back equal.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "capconf/json/equal.h"
#include "capconf/json/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = capconf::json::Parse(text, {.max_bytes = 1 << 20, .max_depth = 64});
  if (!parsed.ok()) return 0;
  std::string dumped = capconf::json::CanonicalDump(*parsed);
  auto again = capconf::json::Parse(dumped, {.max_bytes = 1 << 22, .max_depth = 64});
  if (!again.ok() || !capconf::json::Equal(*parsed, *again)) std::abort();
  return 0;
}
