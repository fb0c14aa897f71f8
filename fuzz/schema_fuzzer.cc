// A hostile schema and instance: compiling must fail cleanly or succeed, and the fail-fast and
// collecting evaluations must always agree on the verdict.
// Input: SCHEMA JSON, a NUL byte, INSTANCE JSON.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "capconf/json/parse.h"
#include "capconf/schema/schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* begin = reinterpret_cast<const char*>(data);
  const char* nul = static_cast<const char*>(std::memchr(begin, 0, size));
  if (nul == nullptr) return 0;
  std::string_view schema_text(begin, nul - begin);
  std::string_view instance_text(nul + 1, size - (nul - begin) - 1);
  auto schema_doc = capconf::json::Parse(schema_text, {.max_bytes = 1 << 16, .max_depth = 32});
  auto instance = capconf::json::Parse(instance_text, {.max_bytes = 1 << 16, .max_depth = 32});
  if (!schema_doc.ok() || !instance.ok()) return 0;
  for (bool meta : {true, false}) {
    capconf::schema::CompileOptions options;
    options.validate_against_metaschema = meta;
    auto compiled = capconf::schema::Schema::Compile(*schema_doc, options);
    if (!compiled.ok()) continue;
    bool fast = (*compiled)->IsValid(*instance);
    bool full = (*compiled)->Validate(*instance).empty();
    if (fast != full) std::abort();
  }
  return 0;
}
