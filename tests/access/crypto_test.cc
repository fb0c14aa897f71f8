#include "capconf/access/crypto.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <chrono>
#include <iostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace capconf::access {
namespace {

KeyMaterial KeyOf(unsigned char first) {
  std::string bytes(KeyMaterial::kSize, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(first + i);
  return KeyMaterial::FromBytes(bytes).value();
}

SecretBox BoxOf(unsigned char first, std::string id) {
  return SecretBox::FromKey(KeyOf(first), std::move(id)).value();
}

const PasswordHashOptions kFast = PasswordHashOptions::Minimum();

// --- Initialize ----------------------------------------------------------------------------

TEST(InitializeTest, SucceedsFromManyThreadsAtOnce) {
  std::vector<std::thread> threads;
  std::vector<int> ok(8, 0);
  for (std::size_t i = 0; i < ok.size(); ++i) {
    threads.emplace_back([&ok, i] { ok[i] = Initialize().ok() ? 1 : 0; });
  }
  for (std::thread& t : threads) t.join();
  for (int v : ok) EXPECT_EQ(v, 1);
  EXPECT_TRUE(Initialize().ok());
}

// --- Passwords -----------------------------------------------------------------------------

TEST(PasswordTest, RoundTrip) {
  auto hash = HashPassword("correct horse battery staple", kFast);
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_TRUE(hash->starts_with("$argon2id$v=19$m=8,t=1,p=1$")) << *hash;
  EXPECT_TRUE(VerifyPassword(*hash, "correct horse battery staple"));
}

TEST(PasswordTest, WrongPasswordIsRefused) {
  auto hash = HashPassword("correct horse battery staple", kFast);
  ASSERT_TRUE(hash.ok());
  EXPECT_FALSE(VerifyPassword(*hash, "correct horse battery stapler"));
  EXPECT_FALSE(VerifyPassword(*hash, "Correct horse battery staple"));
  EXPECT_FALSE(VerifyPassword(*hash, ""));
}

TEST(PasswordTest, SamePasswordHashesDifferently) {
  auto a = HashPassword("the same password", kFast);
  auto b = HashPassword("the same password", kFast);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);  // fresh salt each time
  EXPECT_TRUE(VerifyPassword(*a, "the same password"));
  EXPECT_TRUE(VerifyPassword(*b, "the same password"));
}

TEST(PasswordTest, LengthLimits) {
  auto too_short = HashPassword(std::string(kMinPasswordBytes - 1, 'x'), kFast);
  ASSERT_FALSE(too_short.ok());
  EXPECT_EQ(too_short.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(too_short.status().message(),
            "password is too short: it must be at least 10 bytes long (it has 9)");

  auto too_long = HashPassword(std::string(kMaxPasswordBytes + 1, 'x'), kFast);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(too_long.status().message(),
            "password is too long: it must be at most 1024 bytes long (it has 1025)");

  EXPECT_FALSE(HashPassword("", kFast).ok());
  for (std::size_t size : {kMinPasswordBytes, kMaxPasswordBytes}) {
    const std::string password(size, 'p');
    auto hash = HashPassword(password, kFast);
    ASSERT_TRUE(hash.ok()) << size;
    EXPECT_TRUE(VerifyPassword(*hash, password));
    EXPECT_TRUE(CheckPasswordLength(password).ok());
  }
}

TEST(PasswordTest, BytesAfterAnEmbeddedNulCount) {
  const std::string password("0123456789\0abc", 14);
  auto hash = HashPassword(password, kFast);
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(VerifyPassword(*hash, password));
  EXPECT_FALSE(VerifyPassword(*hash, std::string_view("0123456789\0abd", 14)));
  EXPECT_FALSE(VerifyPassword(*hash, "0123456789"));
}

TEST(PasswordTest, VerifyRefusesMalformedInputWithoutError) {
  auto hash = HashPassword("correct horse battery staple", kFast);
  ASSERT_TRUE(hash.ok());
  EXPECT_FALSE(VerifyPassword("", "correct horse battery staple"));
  EXPECT_FALSE(VerifyPassword("not a hash", "correct horse battery staple"));
  EXPECT_FALSE(VerifyPassword(hash->substr(0, hash->size() - 1), "correct horse battery staple"));
  EXPECT_FALSE(VerifyPassword(*hash + std::string(1, '\0') + "x", "correct horse battery staple"));
  EXPECT_FALSE(VerifyPassword(std::string(1000, '$'), "correct horse battery staple"));
  EXPECT_FALSE(VerifyPassword(*hash, std::string(kMaxPasswordBytes + 1, 'x')));
}

TEST(PasswordTest, OptionsBelowLibsodiumMinimumAreRefused) {
  auto hash = HashPassword("correct horse battery staple", {0, 8192});
  ASSERT_FALSE(hash.ok());
  EXPECT_EQ(hash.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(HashPassword("correct horse battery staple", {1, 1024}).ok());
}

TEST(PasswordTest, NeedsRehash) {
  auto fast = HashPassword("correct horse battery staple", kFast);
  ASSERT_TRUE(fast.ok());
  EXPECT_FALSE(NeedsRehash(*fast, kFast));
  EXPECT_TRUE(NeedsRehash(*fast));  // the default is INTERACTIVE
  EXPECT_TRUE(NeedsRehash(*fast, {2, 8192}));
  EXPECT_TRUE(NeedsRehash(*fast, {1, 16384}));
  EXPECT_TRUE(NeedsRehash(""));
  EXPECT_TRUE(NeedsRehash("$argon2id$garbage"));

  // A hash of the older Argon2i verifies, and asks to be replaced by Argon2id.
  char argon2i[crypto_pwhash_STRBYTES];
  const std::string password = "correct horse battery staple";
  ASSERT_EQ(crypto_pwhash_str_alg(argon2i, password.data(), password.size(),
                                  crypto_pwhash_argon2i_OPSLIMIT_MIN,
                                  crypto_pwhash_argon2i_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2I13),
            0);
  EXPECT_TRUE(std::string_view(argon2i).starts_with("$argon2i$"));
  EXPECT_TRUE(VerifyPassword(argon2i, password));
  EXPECT_TRUE(NeedsRehash(
      argon2i, {crypto_pwhash_argon2i_OPSLIMIT_MIN, crypto_pwhash_argon2i_MEMLIMIT_MIN}));
}

TEST(PasswordTest, InteractiveLimitsAreTheDefault) {
  const auto start = std::chrono::steady_clock::now();
  auto hash = HashPassword("correct horse battery staple");
  const auto hashed = std::chrono::steady_clock::now();
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(hash->starts_with("$argon2id$v=19$m=65536,t=2,p=1$")) << *hash;
  EXPECT_TRUE(VerifyPassword(*hash, "correct horse battery staple"));
  const auto verified = std::chrono::steady_clock::now();
  EXPECT_FALSE(NeedsRehash(*hash));
  EXPECT_TRUE(NeedsRehash(*hash, kFast));
  const auto ms = [](auto d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  };
  std::cout << "HashPassword (interactive): " << ms(hashed - start)
            << " ms, VerifyPassword: " << ms(verified - hashed) << " ms\n";
}

// --- Random identifiers --------------------------------------------------------------------

TEST(RandomIdTest, TwentySixCrockfordCharacters) {
  constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  std::set<std::string> ids;
  std::set<char> seen;
  for (int i = 0; i < 2000; ++i) {
    const std::string id = RandomId();
    ASSERT_EQ(id.size(), 26u);
    for (char c : id) {
      ASSERT_NE(kAlphabet.find(c), std::string_view::npos) << id;
      seen.insert(c);
    }
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 2000u);
  EXPECT_EQ(seen.size(), kAlphabet.size());  // every symbol turns up in 52,000 draws
}

TEST(RandomTokenTest, UnpaddedUrlSafeBase64OfTheBytesAsked) {
  EXPECT_EQ(RandomToken(0), "");
  EXPECT_EQ(RandomToken(1).size(), 2u);
  EXPECT_EQ(RandomToken(16).size(), 22u);
  std::set<std::string> tokens;
  for (int i = 0; i < 500; ++i) {
    const std::string token = RandomToken(32);
    ASSERT_EQ(token.size(), 43u);
    for (char c : token) {
      ASSERT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << token;
    }
    tokens.insert(token);
  }
  EXPECT_EQ(tokens.size(), 500u);
}

// --- KeyMaterial ---------------------------------------------------------------------------

TEST(KeyMaterialTest, FromBytesWantsExactly32) {
  EXPECT_EQ(KeyMaterial::FromBytes(std::string(31, 'k')).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(KeyMaterial::FromBytes(std::string(33, 'k')).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(KeyMaterial::FromBytes("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(KeyMaterial::FromBytes(std::string(32, 'k')).ok());
}

TEST(KeyMaterialTest, GeneratedKeysDifferAndCompare) {
  const KeyMaterial a = KeyMaterial::Generate();
  const KeyMaterial b = KeyMaterial::Generate();
  const KeyMaterial a_copy = a;
  EXPECT_FALSE(a == b);
  EXPECT_TRUE(a == a_copy);
}

// --- KeyedHasher ---------------------------------------------------------------------------

// Expected values from Python: hashlib.blake2b(message, key=bytes(range(32)), digest_size=32).
TEST(KeyedHasherTest, KnownAnswers) {
  const KeyedHasher hasher(KeyOf(0));
  EXPECT_EQ(hasher.Hash(""), "4e51e7a913fc80137da52880fecca175bf81e117d5c68126dc2774033517ea0d");
  EXPECT_EQ(hasher.Hash("ccs_session-id"),
            "e964e25dd39816ac47fe1da6a252e785a7a8276ee6da9f4186b573b29551220f");
  EXPECT_EQ(hasher.Hash("The quick brown fox jumps over the lazy dog"),
            "5d9461aff732d77d0cc98725ea29298c914fd5193b4c08ec9e3ad6b28c3e2faf");
}

TEST(KeyedHasherTest, StablePerKeyAndDifferentAcrossKeys) {
  const KeyMaterial key = KeyMaterial::Generate();
  const KeyedHasher a(key);
  const KeyedHasher a_again(key);
  const KeyedHasher b(KeyMaterial::Generate());
  const std::string secret = "cck_Zx9Qp2LmN4bV7cW1dE3fG5hJ6kR8sT2p4tM3";
  EXPECT_EQ(a.Hash(secret), a.Hash(secret));
  EXPECT_EQ(a.Hash(secret), a_again.Hash(secret));
  EXPECT_NE(a.Hash(secret), b.Hash(secret));
  EXPECT_NE(a.Hash(secret), a.Hash(secret + "x"));
  const std::string hash = a.Hash(secret);
  ASSERT_EQ(hash.size(), 64u);
  EXPECT_EQ(hash.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(hash.find("Zx9Q"), std::string::npos);
}

// --- SecretBox -----------------------------------------------------------------------------

constexpr std::string_view kPlace = "01HSUBSCRIPTION0000000000|/web_search/api_key";

TEST(SecretBoxTest, RoundTrip) {
  const SecretBox box = BoxOf(1, "k1");
  for (std::string_view plaintext : {std::string_view("sk-live-1234567890"), std::string_view(""),
                                     std::string_view("with\0nul", 8)}) {
    auto sealed = box.Seal(plaintext, kPlace);
    ASSERT_TRUE(sealed.ok());
    EXPECT_EQ(sealed->key_id, "k1");
    EXPECT_EQ(sealed->nonce.size(), kNonceBytes);
    EXPECT_EQ(sealed->ciphertext.size(), plaintext.size() + kTagBytes);
    if (!plaintext.empty()) {
      EXPECT_EQ(sealed->ciphertext.find(plaintext), std::string::npos);
    }
    auto opened = box.Open(*sealed, kPlace);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(*opened, plaintext);
  }
}

TEST(SecretBoxTest, EverySealUsesAFreshNonce) {
  const SecretBox box = BoxOf(1, "k1");
  auto a = box.Seal("same secret", kPlace);
  auto b = box.Seal("same secret", kPlace);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->nonce, b->nonce);
  EXPECT_NE(a->ciphertext, b->ciphertext);
}

TEST(SecretBoxTest, TamperedCiphertextIsDataLoss) {
  const SecretBox box = BoxOf(1, "k1");
  auto sealed = box.Seal("sk-live-1234567890", kPlace);
  ASSERT_TRUE(sealed.ok());
  for (std::size_t i = 0; i < sealed->ciphertext.size(); ++i) {
    Sealed tampered = *sealed;
    tampered.ciphertext[i] = static_cast<char>(tampered.ciphertext[i] ^ 0x01);
    auto opened = box.Open(tampered, kPlace);
    ASSERT_FALSE(opened.ok()) << "byte " << i;
    EXPECT_EQ(opened.status().code(), StatusCode::kDataLoss);
  }
  Sealed truncated = *sealed;
  truncated.ciphertext.pop_back();
  EXPECT_EQ(box.Open(truncated, kPlace).status().code(), StatusCode::kDataLoss);
  truncated.ciphertext.resize(kTagBytes - 1);
  EXPECT_EQ(box.Open(truncated, kPlace).status().code(), StatusCode::kDataLoss);
  Sealed extended = *sealed;
  extended.ciphertext += 'x';
  EXPECT_EQ(box.Open(extended, kPlace).status().code(), StatusCode::kDataLoss);
}

TEST(SecretBoxTest, TamperedNonceIsDataLoss) {
  const SecretBox box = BoxOf(1, "k1");
  auto sealed = box.Seal("sk-live-1234567890", kPlace);
  ASSERT_TRUE(sealed.ok());
  for (std::size_t i = 0; i < kNonceBytes; ++i) {
    Sealed tampered = *sealed;
    tampered.nonce[i] = static_cast<char>(tampered.nonce[i] ^ 0x80);
    EXPECT_EQ(box.Open(tampered, kPlace).status().code(), StatusCode::kDataLoss) << i;
  }
  Sealed short_nonce = *sealed;
  short_nonce.nonce.pop_back();
  EXPECT_EQ(box.Open(short_nonce, kPlace).status().code(), StatusCode::kDataLoss);
  Sealed no_nonce = *sealed;
  no_nonce.nonce.clear();
  EXPECT_EQ(box.Open(no_nonce, kPlace).status().code(), StatusCode::kDataLoss);
}

TEST(SecretBoxTest, CiphertextMovedToAnotherPlaceDoesNotOpen) {
  const SecretBox box = BoxOf(1, "k1");
  auto sealed = box.Seal("sk-live-1234567890", "sub-a|/web_search/api_key");
  ASSERT_TRUE(sealed.ok());
  auto elsewhere = box.Open(*sealed, "sub-b|/web_search/api_key");
  ASSERT_FALSE(elsewhere.ok());
  EXPECT_EQ(elsewhere.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(elsewhere.status().message().find("sk-live"), std::string::npos);
  EXPECT_EQ(box.Open(*sealed, "sub-a|/image_generation/api_key").status().code(),
            StatusCode::kDataLoss);
  EXPECT_EQ(box.Open(*sealed, "").status().code(), StatusCode::kDataLoss);
  EXPECT_TRUE(box.Open(*sealed, "sub-a|/web_search/api_key").ok());
}

TEST(SecretBoxTest, WrongKeyIdOrKeyIsDataLoss) {
  const SecretBox box = BoxOf(1, "k1");
  auto sealed = box.Seal("sk-live-1234567890", kPlace);
  ASSERT_TRUE(sealed.ok());

  Sealed renamed = *sealed;
  renamed.key_id = "k2";
  auto opened = box.Open(renamed, kPlace);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(opened.status().message().find("\"k2\""), std::string::npos);

  // Another key under the same id (a key replaced instead of rotated) fails to authenticate.
  const SecretBox impostor = BoxOf(2, "k1");
  EXPECT_EQ(impostor.Open(*sealed, kPlace).status().code(), StatusCode::kDataLoss);
}

TEST(SecretBoxTest, FromKeyChecksKeyAndId) {
  EXPECT_EQ(SecretBox::FromKey(std::string(31, 'k'), "k1").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(SecretBox::FromKey(std::string(32, 'k'), "").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(SecretBox::FromKey(std::string(32, 'k'), "bad id").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(SecretBox::FromKey(std::string(32, 'k'), std::string(65, 'k')).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(SecretBox::FromKey(std::string(32, 'k'), "2026-01.primary_key").ok());
}

TEST(SecretBoxTest, OversizedPlaintextIsRefused) {
  const SecretBox box = BoxOf(1, "k1");
  EXPECT_TRUE(box.Seal(std::string(kMaxSealedPlaintextBytes, 'x'), kPlace).ok());
  EXPECT_EQ(box.Seal(std::string(kMaxSealedPlaintextBytes + 1, 'x'), kPlace).status().code(),
            StatusCode::kResourceExhausted);
}

// --- Keyring -------------------------------------------------------------------------------

TEST(KeyringTest, RotationKeepsOldRecordsReadable) {
  auto before = Keyring::Create({BoxOf(1, "old")}, "old");
  ASSERT_TRUE(before.ok());
  auto old_record = before->Seal("sk-old-secret", kPlace);
  ASSERT_TRUE(old_record.ok());
  EXPECT_EQ(old_record->key_id, "old");

  // Rotate: add the new key, make it current.
  auto during = Keyring::Create({BoxOf(1, "old"), BoxOf(2, "new")}, "new");
  ASSERT_TRUE(during.ok());
  EXPECT_EQ(during->current_key_id(), "new");
  EXPECT_TRUE(during->HasKey("old"));
  EXPECT_TRUE(during->NeedsReseal(*old_record));
  auto opened = during->Open(*old_record, kPlace);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "sk-old-secret");

  auto resealed = during->Seal(*opened, kPlace);
  ASSERT_TRUE(resealed.ok());
  EXPECT_EQ(resealed->key_id, "new");
  EXPECT_FALSE(during->NeedsReseal(*resealed));

  // Once the old key is retired, records it sealed no longer open; re-sealed ones do.
  auto after = Keyring::Create({BoxOf(2, "new")}, "new");
  ASSERT_TRUE(after.ok());
  auto lost = after->Open(*old_record, kPlace);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(lost.status().message().find("does not hold"), std::string::npos);
  auto reopened = after->Open(*resealed, kPlace);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(*reopened, "sk-old-secret");
}

TEST(KeyringTest, CreateChecksItsKeys) {
  EXPECT_EQ(Keyring::Create({}, "k1").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Keyring::Create({BoxOf(1, "k1"), BoxOf(2, "k1")}, "k1").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Keyring::Create({BoxOf(1, "k1")}, "k2").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace capconf::access
