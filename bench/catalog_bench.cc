// Catalog and configuration figures (issue 3): composing a template's bundle for a capability set
// (compose + bundle + compile) cold, the same through the cache, validating a configuration
// against a template, the initial configuration of a subscription, and readiness.
//
//   build/release/bench/capconf_catalog_bench [--benchmark_repetitions=5]

#include <benchmark/benchmark.h>

#include <boost/json/value.hpp>
#include <fstream>
#include <sstream>

#include "capconf/catalog/bundle.h"
#include "capconf/catalog/catalog.h"
#include "capconf/catalog/defaults.h"
#include "capconf/config/config.h"
#include "capconf/json/parse.h"

namespace {
namespace bj = boost::json;
using capconf::catalog::BundleCache;
using capconf::catalog::Catalog;

const Catalog& TheCatalog() {
  static std::shared_ptr<const Catalog> catalog = *Catalog::LoadEmbedded();
  return *catalog;
}

const capconf::catalog::Template& Support() {
  return *TheCatalog().FindTemplate("customer-support-agent");
}

capconf::catalog::CapabilitySet AllFour() {
  return *TheCatalog().ParseSetList("rag,widget,api,escalation");
}

bj::value ReadJson(const std::string& name) {
  std::ifstream in(std::string(CAPCONF_BENCH_DATA) + "/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return *capconf::json::Parse(text.str());
}

void BM_ComposeBundleCold(benchmark::State& state) {
  for (auto _ : state) {
    auto bundle = capconf::catalog::ComposeBundle(Support(), AllFour());
    benchmark::DoNotOptimize(bundle);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ComposeBundleCold)->Unit(benchmark::kMicrosecond);

void BM_BundleCacheHit(benchmark::State& state) {
  static BundleCache cache;
  const auto& tmpl = Support();
  const auto set = AllFour();
  (void)cache.Get(tmpl, set);
  for (auto _ : state) {
    auto bundle = cache.Get(tmpl, set);
    benchmark::DoNotOptimize(bundle);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BundleCacheHit)->Unit(benchmark::kNanosecond)->ThreadRange(1, 2);

void BM_ValidateAgainstTemplate(benchmark::State& state) {
  static BundleCache cache;
  auto bundle = *cache.Get(Support(), AllFour());
  bj::value config = ReadJson("customer-support.valid.json");
  for (auto _ : state) {
    auto errors = capconf::config::Validate(*bundle, config);
    benchmark::DoNotOptimize(errors);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ValidateAgainstTemplate)->Unit(benchmark::kMicrosecond);

void BM_ValidateAgainstTemplateInvalid(benchmark::State& state) {
  static BundleCache cache;
  auto bundle = *cache.Get(Support(), AllFour());
  bj::value config = ReadJson("customer-support.invalid.json");
  for (auto _ : state) {
    auto errors = capconf::config::Validate(*bundle, config);
    benchmark::DoNotOptimize(errors);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ValidateAgainstTemplateInvalid)->Unit(benchmark::kMicrosecond);

void BM_InitialConfig(benchmark::State& state) {
  static BundleCache cache;
  const auto& tmpl = Support();
  for (auto _ : state) {
    auto initial = capconf::config::InitialConfig(cache, tmpl);
    benchmark::DoNotOptimize(initial);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InitialConfig)->Unit(benchmark::kMicrosecond);

void BM_Readiness(benchmark::State& state) {
  static BundleCache cache;
  auto bundle = *cache.Get(Support(), AllFour());
  bj::value config = ReadJson("customer-support.valid.json");
  capconf::catalog::Facts facts;
  facts.resources.insert("ragflow_collection");
  for (auto _ : state) {
    auto readiness = capconf::config::Evaluate(*bundle, config, facts);
    benchmark::DoNotOptimize(readiness);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Readiness)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
