// Every capability schema against capability_cases.json: valid sections pass, and each invalid
// one gives exactly the (instancePath, keyword) errors ajv gives (the cases were checked with it).

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <set>

#include "capconf/catalog/catalog.h"
#include "catalog_files.h"

namespace capconf::catalog {
namespace {
namespace bj = boost::json;

struct CapabilityCase {
  bj::object data;
};
void PrintTo(const CapabilityCase& c, std::ostream* os) {
  *os << c.data.at("capability").as_string().c_str() << ": "
      << c.data.at("name").as_string().c_str();
}

class CapabilityCaseTest : public testing::TestWithParam<CapabilityCase> {
 protected:
  static void SetUpTestSuite() {
    auto loaded = Catalog::LoadEmbedded();
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    catalog_ = new std::shared_ptr<const Catalog>(*loaded);
  }
  static void TearDownTestSuite() {
    delete catalog_;
    catalog_ = nullptr;
  }
  static std::shared_ptr<const Catalog>* catalog_;
};
std::shared_ptr<const Catalog>* CapabilityCaseTest::catalog_ = nullptr;

TEST_P(CapabilityCaseTest, GivesExactlyTheExpectedErrors) {
  const bj::object& c = GetParam().data;
  const Capability* capability = (*catalog_)->FindCapability(c.at("capability").as_string());
  ASSERT_NE(capability, nullptr);
  schema::CompileOptions options;
  options.resolver = (*catalog_)->MakeResolver();
  auto compiled =
      schema::Schema::Compile(bj::object{{"$ref", "capability:" + capability->id()}}, options);
  ASSERT_TRUE(compiled.ok()) << compiled.status().message();
  schema::ValidationResult result = (*compiled)->Validate(c.at("section"));
  std::multiset<std::string> got, want;
  for (const schema::ValidationError& e : result) {
    got.insert(std::string(e.instance_path) + " " + std::string(e.keyword));
  }
  for (const bj::value& e : c.at("errors").as_array()) {
    want.insert(std::string(e.at("instancePath").as_string()) + " " +
                std::string(e.at("keyword").as_string()));
  }
  EXPECT_EQ(got, want);
  EXPECT_EQ((*compiled)->IsValid(c.at("section")), want.empty());
}

std::vector<CapabilityCase> LoadCases() {
  std::vector<CapabilityCase> cases;
  bj::value doc = testutil::ReadJson(testutil::SourcePath("tests/catalog/capability_cases.json"));
  if (!doc.is_object()) return cases;
  for (const bj::value& c : doc.at("cases").as_array()) cases.push_back({c.as_object()});
  return cases;
}

std::string CaseName(const testing::TestParamInfo<CapabilityCase>& info) {
  std::string name = std::string(info.param.data.at("capability").as_string()) + "_";
  for (char ch : info.param.data.at("name").as_string()) {
    name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  }
  return name + "_" + std::to_string(info.index);
}

INSTANTIATE_TEST_SUITE_P(Catalog, CapabilityCaseTest, testing::ValuesIn(LoadCases()), CaseName);

TEST(CapabilityCasesTest, EveryCapabilityHasValidAndInvalidCases) {
  bj::value doc = testutil::ReadJson(testutil::SourcePath("tests/catalog/capability_cases.json"));
  ASSERT_TRUE(doc.is_object());
  std::map<std::string, std::pair<int, int>> counts;  // valid, invalid
  for (const bj::value& c : doc.at("cases").as_array()) {
    auto& [valid, invalid] = counts[std::string(c.at("capability").as_string())];
    (c.at("errors").as_array().empty() ? valid : invalid)++;
  }
  auto catalog = Catalog::LoadEmbedded();
  ASSERT_TRUE(catalog.ok());
  for (const auto& cap : (*catalog)->capabilities()) {
    EXPECT_GE(counts[cap->id()].first, 1) << cap->id();
    EXPECT_GE(counts[cap->id()].second, 3) << cap->id();
  }
}

}  // namespace
}  // namespace capconf::catalog
