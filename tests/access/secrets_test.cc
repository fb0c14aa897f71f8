#include "capconf/access/secrets.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace capconf::access {
namespace {

constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

// --- MintSecret / ParseSecret --------------------------------------------------------------

TEST(MintSecretTest, PrefixRandomPartAndChecksum) {
  for (std::string_view prefix : {kSessionPrefix, kBearerTokenPrefix, kApiKeyPrefix}) {
    const std::string secret = MintSecret(prefix);
    ASSERT_EQ(secret.size(), prefix.size() + 36) << secret;
    EXPECT_TRUE(secret.starts_with(prefix));
    for (char c : secret.substr(prefix.size())) {
      EXPECT_NE(kBase62.find(c), std::string_view::npos) << secret;
    }
    EXPECT_TRUE(ParseSecret(secret, prefix).ok()) << secret;
  }
}

TEST(MintSecretTest, SecretsAreUnique) {
  std::set<std::string> secrets;
  for (int i = 0; i < 2000; ++i) secrets.insert(MintSecret(kApiKeyPrefix));
  EXPECT_EQ(secrets.size(), 2000u);
}

// Built with Python: "cck_" + random + base62(zlib.crc32(random)), zero-padded to 6 digits.
TEST(ParseSecretTest, AcceptsSecretsMadeByAnotherImplementation) {
  EXPECT_TRUE(ParseSecret("cck_Zx9Qp2LmN4bV7cW1dE3fG5hJ6kR8sT2p4tM3", kApiKeyPrefix).ok());
  EXPECT_TRUE(ParseSecret("cct_0000000000000000000000000000002C8GjS", kBearerTokenPrefix).ok());
}

TEST(ParseSecretTest, EverySingleCharacterCorruptionIsRefused) {
  for (int round = 0; round < 5; ++round) {
    const std::string secret = MintSecret(kApiKeyPrefix);
    ASSERT_TRUE(ParseSecret(secret, kApiKeyPrefix).ok());
    for (std::size_t i = 0; i < secret.size(); ++i) {
      for (int byte = 0; byte < 256; ++byte) {
        if (static_cast<char>(byte) == secret[i]) continue;
        std::string corrupt = secret;
        corrupt[i] = static_cast<char>(byte);
        const Status status = ParseSecret(corrupt, kApiKeyPrefix);
        ASSERT_FALSE(status.ok()) << "position " << i << ", byte " << byte;
        EXPECT_EQ(status.code(), StatusCode::kUnauthenticated);
      }
    }
  }
}

TEST(ParseSecretTest, AdjacentTranspositionsAreRefused) {
  const std::string secret = MintSecret(kApiKeyPrefix);
  for (std::size_t i = kApiKeyPrefix.size(); i + 1 < secret.size(); ++i) {
    if (secret[i] == secret[i + 1]) continue;
    std::string swapped = secret;
    std::swap(swapped[i], swapped[i + 1]);
    EXPECT_FALSE(ParseSecret(swapped, kApiKeyPrefix).ok()) << i;
  }
}

TEST(ParseSecretTest, WrongPrefixIsRefused) {
  const std::string api_key = MintSecret(kApiKeyPrefix);
  const Status status = ParseSecret(api_key, kBearerTokenPrefix);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(status.message(), "the credential does not start with \"cct_\"");
  EXPECT_FALSE(ParseSecret(api_key, kSessionPrefix).ok());
  EXPECT_FALSE(ParseSecret("ghp_" + api_key.substr(4), kApiKeyPrefix).ok());
  EXPECT_FALSE(ParseSecret(api_key.substr(4), kApiKeyPrefix).ok());  // no prefix at all
  // A malformed expected prefix matches nothing.
  EXPECT_FALSE(ParseSecret(api_key, "").ok());
  EXPECT_FALSE(ParseSecret(api_key, "cck").ok());
}

TEST(ParseSecretTest, WrongLengthIsRefused) {
  const std::string secret = MintSecret(kApiKeyPrefix);
  const Status shorter = ParseSecret(secret.substr(0, secret.size() - 1), kApiKeyPrefix);
  ASSERT_FALSE(shorter.ok());
  EXPECT_EQ(shorter.message(), "the credential should have 40 characters, not 39");
  EXPECT_FALSE(ParseSecret(secret + "0", kApiKeyPrefix).ok());
  EXPECT_FALSE(ParseSecret(secret + secret, kApiKeyPrefix).ok());
  EXPECT_FALSE(ParseSecret(" " + secret, kApiKeyPrefix).ok());
  EXPECT_FALSE(ParseSecret(secret + "\n", kApiKeyPrefix).ok());
  EXPECT_FALSE(ParseSecret("", kApiKeyPrefix).ok());
  EXPECT_FALSE(ParseSecret("cck_", kApiKeyPrefix).ok());
}

TEST(ParseSecretTest, MessagesNeverRepeatTheCredential) {
  const std::string secret = MintSecret(kApiKeyPrefix);
  std::string corrupt = secret;
  corrupt[10] = corrupt[10] == 'a' ? 'b' : 'a';
  for (const std::string& text : {corrupt, secret.substr(0, 30), corrupt + "!"}) {
    const Status status = ParseSecret(text, kApiKeyPrefix);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.message().find(secret.substr(4, 8)), std::string::npos) << status.message();
  }
}

TEST(SecretPrefixForDisplayTest, PrefixAndSixRandomCharacters) {
  const std::string secret = MintSecret(kApiKeyPrefix);
  EXPECT_EQ(SecretPrefixForDisplay(secret), secret.substr(0, 10));
  EXPECT_EQ(SecretPrefixForDisplay("cck_Zx9Qp2LmN4bV7cW1dE3fG5hJ6kR8sT2p4tM3"), "cck_Zx9Qp2");
  EXPECT_EQ(SecretPrefixForDisplay("ccs_abc"), "");
  EXPECT_EQ(SecretPrefixForDisplay("no-underscore-here"), "");
  EXPECT_EQ(SecretPrefixForDisplay(""), "");
}

// --- Redact / LastFour ---------------------------------------------------------------------

TEST(RedactTest, ReplacesEveryOccurrence) {
  EXPECT_EQ(Redact("key=sk-1234 and again sk-1234.", {"sk-1234"}),
            "key=[redacted] and again [redacted].");
  EXPECT_EQ(Redact("sk-1234sk-1234", {"sk-1234"}), "[redacted][redacted]");
  EXPECT_EQ(Redact("nothing to see", {"sk-1234"}), "nothing to see");
  EXPECT_EQ(Redact("", {"sk-1234"}), "");
  EXPECT_EQ(Redact("sk-1234", {}), "sk-1234");
}

TEST(RedactTest, SeveralSecrets) {
  EXPECT_EQ(Redact("a=alpha-secret b=beta-secret", {"alpha-secret", "beta-secret"}),
            "a=[redacted] b=[redacted]");
}

TEST(RedactTest, OverlappingSecretsLeaveNothingBehind) {
  // Replacing one secret after the other would leave "ghi" of the second.
  EXPECT_EQ(Redact("xxabcdefghiyy", {"abcdef", "defghi"}), "xx[redacted]yy");
  EXPECT_EQ(Redact("xxabcdefghiyy", {"defghi", "abcdef"}), "xx[redacted]yy");
  // One secret inside another.
  EXPECT_EQ(Redact("-xxabcdxx-abcd-", {"abcd", "xxabcdxx"}), "-[redacted]-[redacted]-");
  // A secret overlapping itself.
  EXPECT_EQ(Redact("aaaaaa", {"aaaa"}), "[redacted]");
  EXPECT_EQ(Redact("abababab!", {"abab"}), "[redacted]!");
  // The same secret listed twice.
  EXPECT_EQ(Redact("token tok-9999", {"tok-9999", "tok-9999"}), "token [redacted]");
}

TEST(RedactTest, ShortSecretsAreIgnored) {
  EXPECT_EQ(Redact("abc abcd", {"abc", "", "x"}), "abc abcd");
  EXPECT_EQ(Redact("abc abcd", {"abc", "abcd"}), "abc [redacted]");
}

TEST(LastFourTest, OnlyForSecretsOfEightOrMore) {
  EXPECT_EQ(LastFour("sk-live-abcd"), "abcd");
  EXPECT_EQ(LastFour("12345678"), "5678");
  EXPECT_EQ(LastFour("1234567"), "");
  EXPECT_EQ(LastFour("abcd"), "");
  EXPECT_EQ(LastFour(""), "");
}

}  // namespace
}  // namespace capconf::access
