// The catalog lint: the real catalog is clean, and each broken catalog of lint_cases.json (the
// embedded catalog with one defect) gives the finding its case expects, at the right file and
// JSON Pointer.

#include "capconf/catalog/lint.h"

#include <gtest/gtest.h>

#include "catalog_files.h"

namespace capconf::catalog {
namespace {
namespace bj = boost::json;

std::string Describe(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& f : findings) out += "  " + f.ToString() + "\n";
  return out;
}

TEST(LintTest, TheCatalogHasNoFindings) {
  std::vector<Finding> findings = CheckCatalog(Catalog::EmbeddedFiles());
  EXPECT_TRUE(findings.empty()) << Describe(findings);
}

TEST(LintTest, TheDirectoryCatalogEqualsTheEmbeddedOne) {
  auto files = Catalog::ReadDirectory(testutil::SourcePath("catalog"));
  ASSERT_TRUE(files.ok()) << files.status().message();
  std::vector<CatalogFile> embedded = Catalog::EmbeddedFiles();
  ASSERT_EQ(files->size(), embedded.size());
  for (std::size_t i = 0; i < embedded.size(); ++i) {
    EXPECT_EQ((*files)[i].path, embedded[i].path);
    EXPECT_EQ((*files)[i].text, embedded[i].text) << embedded[i].path;
  }
}

struct LintCase {
  bj::object data;
};
void PrintTo(const LintCase& c, std::ostream* os) { *os << c.data.at("name").as_string().c_str(); }

class LintCaseTest : public testing::TestWithParam<LintCase> {};

TEST_P(LintCaseTest, ReportsTheDefectWhereItIs) {
  const bj::object& c = GetParam().data;
  std::string error;
  std::vector<CatalogFile> files = testutil::EditedCatalog(c.at("edits").as_array(), error);
  ASSERT_TRUE(error.empty()) << "the case does not apply: " << error;
  std::vector<Finding> findings = CheckCatalog(files);
  const bj::object& want = c.at("finding").as_object();
  bool found = false;
  for (const Finding& f : findings) {
    found = found ||
            (f.file == want.at("file").as_string() && f.pointer == want.at("pointer").as_string() &&
             f.message.find(want.at("contains").as_string()) != std::string::npos);
  }
  EXPECT_TRUE(found) << "expected " << want.at("file").as_string().c_str() << "#"
                     << want.at("pointer").as_string().c_str() << ": ..."
                     << want.at("contains").as_string().c_str() << "...\ngot:\n"
                     << Describe(findings);
  // Loading refuses the catalog too, or lint-only findings leave it loadable.
  auto loaded = Catalog::Load(files);
  if (!loaded.ok()) {
    EXPECT_NE(loaded.status().message().find("catalog: "), std::string::npos);
  }
}

std::vector<LintCase> LoadCases() {
  std::vector<LintCase> cases;
  bj::value doc = testutil::ReadJson(testutil::SourcePath("tests/catalog/lint_cases.json"));
  if (!doc.is_object()) return cases;
  for (const bj::value& c : doc.at("cases").as_array()) cases.push_back({c.as_object()});
  return cases;
}

std::string CaseName(const testing::TestParamInfo<LintCase>& info) {
  std::string name;
  for (char ch : info.param.data.at("name").as_string()) {
    name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Catalog, LintCaseTest, testing::ValuesIn(LoadCases()), CaseName);

}  // namespace
}  // namespace capconf::catalog
