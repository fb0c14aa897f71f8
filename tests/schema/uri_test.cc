#include "uri.h"

#include <gtest/gtest.h>

namespace capconf::schema::internal {
namespace {

TEST(ResolveUriTest, FollowsRfc3986Examples) {
  const std::string base = "http://a/b/c/d;p?q";
  EXPECT_EQ(ResolveUri(base, "g"), "http://a/b/c/g");
  EXPECT_EQ(ResolveUri(base, "./g"), "http://a/b/c/g");
  EXPECT_EQ(ResolveUri(base, "g/"), "http://a/b/c/g/");
  EXPECT_EQ(ResolveUri(base, "/g"), "http://a/g");
  EXPECT_EQ(ResolveUri(base, "//g"), "http://g");
  EXPECT_EQ(ResolveUri(base, "?y"), "http://a/b/c/d;p?y");
  EXPECT_EQ(ResolveUri(base, "#s"), "http://a/b/c/d;p?q#s");
  EXPECT_EQ(ResolveUri(base, "../g"), "http://a/b/g");
  EXPECT_EQ(ResolveUri(base, "../../g"), "http://a/g");
  EXPECT_EQ(ResolveUri(base, "../../../g"), "http://a/g");
  EXPECT_EQ(ResolveUri(base, "g;x=1/../y"), "http://a/b/c/y");
}

TEST(ResolveUriTest, NormalisesSchemeAndHostCase) {
  EXPECT_EQ(ResolveUri("", "HTTP://Example.COM/A"), "http://example.com/A");
}

TEST(ResolveUriTest, DropsAnEmptyFragment) {
  EXPECT_EQ(ResolveUri("", "http://json-schema.org/draft-07/schema#"),
            "http://json-schema.org/draft-07/schema");
}

TEST(ResolveUriTest, KeepsUrnsWhole) {
  EXPECT_EQ(ResolveUri("urn:uuid:deadbeef-1234", "#/$defs/a"), "urn:uuid:deadbeef-1234#/$defs/a");
  EXPECT_EQ(ResolveUri("capability:rag", "#/properties/sources"),
            "capability:rag#/properties/sources");
}

TEST(ResolveUriTest, LeavesRelativeReferencesAloneWithoutABase) {
  EXPECT_EQ(ResolveUri("", "#/definitions/a"), "#/definitions/a");
  EXPECT_EQ(ResolveUri("", "#foo"), "#foo");
}

TEST(SplitUriTest, SeparatesFragment) {
  EXPECT_EQ(StripFragment("http://x/y.json#/a"), "http://x/y.json");
  EXPECT_EQ(FragmentOf("http://x/y.json#/a"), "/a");
  EXPECT_EQ(FragmentOf("http://x/y.json"), "");
}

}  // namespace
}  // namespace capconf::schema::internal
