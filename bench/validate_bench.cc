// Validation throughput on the specification's customer-support composition (branding,
// behavior, rag, widget, api, escalation): one realistic valid config, one with six violations.
// bench/compare/run.sh runs this beside ajv and Python jsonschema on the same files.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "capconf/json/parse.h"
#include "capconf/schema/schema.h"

namespace {
namespace json = boost::json;

json::value Load(const std::string& name) {
  std::ifstream in(std::string(CAPCONF_BENCH_DATA) + "/" + name);
  std::stringstream s;
  s << in.rdbuf();
  auto v = capconf::json::Parse(s.str());
  if (!v.ok()) {
    std::fprintf(stderr, "bench: %s: %s\n", name.c_str(), v.status().ToString().c_str());
    std::exit(2);
  }
  return *v;
}

const capconf::schema::Schema& CustomerSupport() {
  static std::shared_ptr<const capconf::schema::Schema> schema = [] {
    auto compiled = capconf::schema::Schema::Compile(Load("customer-support.schema.json"));
    if (!compiled.ok()) {
      std::fprintf(stderr, "bench: %s\n", compiled.status().ToString().c_str());
      std::exit(2);
    }
    return *compiled;
  }();
  return *schema;
}

// Collecting mode on a valid config: the same work ajv (allErrors) does when nothing fails.
void BM_ValidateValid(benchmark::State& state) {
  const auto& schema = CustomerSupport();
  json::value config = Load("customer-support.valid.json");
  if (!schema.Validate(config).empty()) state.SkipWithError("valid config reported invalid");
  for (auto _ : state) benchmark::DoNotOptimize(schema.Validate(config));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ValidateValid);

void BM_IsValidValid(benchmark::State& state) {
  const auto& schema = CustomerSupport();
  json::value config = Load("customer-support.valid.json");
  for (auto _ : state) benchmark::DoNotOptimize(schema.IsValid(config));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IsValidValid);

void BM_ValidateInvalidAllErrors(benchmark::State& state) {
  const auto& schema = CustomerSupport();
  json::value config = Load("customer-support.invalid.json");
  std::size_t errors = schema.Validate(config).size();
  if (errors < 6) state.SkipWithError("invalid config reported fewer than six errors");
  for (auto _ : state) benchmark::DoNotOptimize(schema.Validate(config));
  state.SetItemsProcessed(state.iterations());
  state.counters["errors"] = static_cast<double>(errors);
}
BENCHMARK(BM_ValidateInvalidAllErrors);

void BM_CompileCustomerSupport(benchmark::State& state) {
  json::value doc = Load("customer-support.schema.json");
  for (auto _ : state) benchmark::DoNotOptimize(capconf::schema::Schema::Compile(doc));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CompileCustomerSupport);

void BM_ParseAndValidate(benchmark::State& state) {
  const auto& schema = CustomerSupport();
  std::ifstream in(std::string(CAPCONF_BENCH_DATA) + "/customer-support.valid.json");
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  capconf::json::Parser parser;
  for (auto _ : state) {
    auto v = parser.Parse(text);
    benchmark::DoNotOptimize(schema.IsValid(*v));
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_ParseAndValidate);

}  // namespace

BENCHMARK_MAIN();
