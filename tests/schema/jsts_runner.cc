// Runs the official JSON-Schema-Test-Suite against the engine and prints "N passed, M failed".
//
// usage: jsts_runner --suite DIR --dialect draft7|2019-09|2020-12 --remotes DIR
//                    [--formats assert|annotate] [--exclusions FILE] [--min-pass-rate R]
//                    [--verbose]
//
// Every test is checked twice, in fail-fast mode (IsValid) and collecting all errors (Validate),
// and both must give the expected verdict. Exit 1 when a test fails that is not listed in the
// exclusions file (each entry carries its reason), or when the pass rate is below
// --min-pass-rate (used for the optional format suites, whose rate is a ratchet).

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "capconf/json/parse.h"
#include "capconf/schema/schema.h"

namespace fs = std::filesystem;
namespace json = boost::json;
using capconf::schema::Schema;

namespace {

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Exclusion {
  std::string file, test_case, test;
};

}  // namespace

int main(int argc, char** argv) {
  std::string suite, remotes, exclusions_file, dialect_name = "draft7";
  capconf::schema::CompileOptions options;
  double min_pass_rate = -1;
  bool verbose = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--suite")
      suite = next();
    else if (a == "--remotes")
      remotes = next();
    else if (a == "--dialect")
      dialect_name = next();
    else if (a == "--formats")
      options.formats = next() == "assert" ? capconf::schema::FormatMode::kAssert
                                           : capconf::schema::FormatMode::kAnnotate;
    else if (a == "--exclusions")
      exclusions_file = next();
    else if (a == "--min-pass-rate")
      min_pass_rate = std::stod(next());
    else if (a == "--verbose")
      verbose = true;
    else {
      std::fprintf(stderr, "jsts_runner: unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  auto dialect = capconf::schema::ParseDialect(dialect_name);
  if (suite.empty() || !dialect) {
    std::fprintf(stderr, "jsts_runner: --suite and a valid --dialect are required\n");
    return 2;
  }
  options.default_dialect = *dialect;
  options.resolver = [remotes](std::string_view uri) -> std::optional<json::value> {
    constexpr std::string_view kPrefix = "http://localhost:1234/";
    if (!uri.starts_with(kPrefix)) return std::nullopt;
    fs::path p = fs::path(remotes) / std::string(uri.substr(kPrefix.size()));
    if (!fs::is_regular_file(p)) return std::nullopt;
    auto doc = capconf::json::Parse(Slurp(p));
    if (!doc.ok()) return std::nullopt;
    return std::move(doc).value();
  };

  std::vector<Exclusion> exclusions;
  if (!exclusions_file.empty()) {
    auto doc = capconf::json::Parse(Slurp(exclusions_file));
    if (!doc.ok() || !doc->is_array()) {
      std::fprintf(stderr, "jsts_runner: bad exclusions file %s\n", exclusions_file.c_str());
      return 2;
    }
    for (const auto& e : doc->get_array()) {
      const auto& o = e.as_object();
      if (o.at("dialect").as_string() != dialect_name) continue;
      exclusions.push_back({std::string(o.at("file").as_string()),
                            std::string(o.at("case").as_string()),
                            std::string(o.at("test").as_string())});
    }
  }
  auto excluded = [&](const std::string& file, const std::string& c, const std::string& t) {
    return std::any_of(exclusions.begin(), exclusions.end(), [&](const Exclusion& e) {
      return e.file == file && e.test_case == c && (e.test == "*" || e.test == t);
    });
  };

  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(suite))
    if (entry.is_regular_file() && entry.path().extension() == ".json")
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());

  int passed = 0, failed = 0, excused = 0;
  for (const fs::path& path : files) {
    std::string file = path.filename().string();
    auto doc = capconf::json::Parse(Slurp(path), {.max_bytes = 64 << 20, .max_depth = 1000});
    if (!doc.ok()) {
      std::fprintf(stderr, "jsts_runner: %s: %s\n", file.c_str(), doc.status().message().c_str());
      return 2;
    }
    for (const auto& group : doc->as_array()) {
      const auto& g = group.as_object();
      std::string case_name(g.at("description").as_string());
      auto compiled = Schema::Compile(g.at("schema"), options);
      for (const auto& test : g.at("tests").as_array()) {
        const auto& t = test.as_object();
        std::string test_name(t.at("description").as_string());
        bool expected = t.at("valid").as_bool();
        std::string problem;
        if (!compiled.ok()) {
          problem = "compile error: " + compiled.status().message();
        } else {
          bool fast = (*compiled)->IsValid(t.at("data"));
          auto errors = (*compiled)->Validate(t.at("data"));
          if (fast != expected)
            problem = std::string("IsValid gave ") + (fast ? "valid" : "invalid");
          else if (errors.empty() != expected)
            problem = std::string("Validate gave ") +
                      (errors.empty() ? std::string("no errors") : std::string(errors[0].message));
        }
        if (problem.empty()) {
          ++passed;
          continue;
        }
        bool excuse = excluded(file, case_name, test_name);
        if (excuse)
          ++excused;
        else
          ++failed;
        if (!excuse || verbose)
          std::printf("%s %s: %s / %s: expected %s, %s\n", excuse ? "EXCLUDED" : "FAIL",
                      file.c_str(), case_name.c_str(), test_name.c_str(),
                      expected ? "valid" : "invalid", problem.c_str());
      }
    }
  }
  int total = passed + failed + excused;
  double rate = total ? 100.0 * passed / total : 0;
  std::printf("%s (%s): %d passed, %d failed, %d excluded (%.2f%% pass)\n", suite.c_str(),
              dialect_name.c_str(), passed, failed, excused, rate);
  if (min_pass_rate >= 0) return rate + 1e-9 >= min_pass_rate ? 0 : 1;
  return failed == 0 ? 0 : 1;
}
