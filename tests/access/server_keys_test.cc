#include "capconf/access/server_keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace capconf::access {
namespace {

namespace fs = std::filesystem;

class ServerKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::unsetenv(kServerKeysEnvironmentVariable);
    directory_ = fs::temp_directory_path() / ("capconf-server-keys-" + RandomId());
  }
  void TearDown() override {
    ::unsetenv(kServerKeysEnvironmentVariable);
    std::error_code ec;
    fs::remove_all(directory_, ec);
  }

  fs::path file() const { return directory_ / kServerKeysFileName; }

  static unsigned Mode(const fs::path& path) {
    struct stat st;
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st.st_mode & 07777;
  }

  static std::string Read(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  void Write(const std::string& text, fs::perms perms = fs::perms::owner_read) {
    fs::create_directories(directory_);
    std::ofstream(file()) << text;
    fs::permissions(file(), perms);
  }

  fs::path directory_;
};

TEST_F(ServerKeysTest, CreatesTheFileWithMode0600) {
  auto keys = LoadOrCreateServerKeys(directory_);  // the directory does not exist yet
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(keys->source, ServerKeys::Source::kCreatedFile);
  EXPECT_EQ(keys->path, file());
  EXPECT_EQ(Mode(file()), 0600u);
  ASSERT_EQ(keys->encryption_keys.size(), 1u);
  EXPECT_EQ(keys->current_encryption_key_id, keys->encryption_keys[0].id);
  EXPECT_FALSE(keys->hashing_key == keys->encryption_keys[0].key);
  // Nothing but the file is left behind (no temporary file).
  EXPECT_EQ(std::distance(fs::directory_iterator(directory_), fs::directory_iterator()), 1);
}

TEST_F(ServerKeysTest, SecondCallReusesTheKeys) {
  auto first = LoadOrCreateServerKeys(directory_);
  ASSERT_TRUE(first.ok());
  const std::string text = Read(file());
  auto second = LoadOrCreateServerKeys(directory_);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->source, ServerKeys::Source::kFile);
  EXPECT_TRUE(first->hashing_key == second->hashing_key);
  ASSERT_EQ(second->encryption_keys.size(), 1u);
  EXPECT_EQ(first->encryption_keys[0].id, second->encryption_keys[0].id);
  EXPECT_TRUE(first->encryption_keys[0].key == second->encryption_keys[0].key);
  EXPECT_EQ(Read(file()), text);

  // So a restarted server finds its tokens and opens its credentials.
  EXPECT_EQ(KeyedHasher(first->hashing_key).Hash("cct_x"),
            KeyedHasher(second->hashing_key).Hash("cct_x"));
  auto before = MakeKeyring(*first);
  auto after = MakeKeyring(*second);
  ASSERT_TRUE(before.ok() && after.ok());
  auto sealed = before->Seal("sk-live-1", "place");
  ASSERT_TRUE(sealed.ok());
  auto opened = after->Open(*sealed, "place");
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "sk-live-1");
}

TEST_F(ServerKeysTest, ConcurrentStartsAgreeOnOneSetOfKeys) {
  constexpr int kThreads = 8;
  std::vector<std::string> hashes(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([this, &hashes, i] {
      auto keys = LoadOrCreateServerKeys(directory_);
      hashes[i] =
          keys.ok() ? KeyedHasher(keys->hashing_key).Hash("probe") : keys.status().ToString();
    });
  }
  for (std::thread& t : threads) t.join();
  auto final_keys = LoadOrCreateServerKeys(directory_);
  ASSERT_TRUE(final_keys.ok());
  const std::string expected = KeyedHasher(final_keys->hashing_key).Hash("probe");
  for (const std::string& hash : hashes) EXPECT_EQ(hash, expected);
  EXPECT_EQ(std::distance(fs::directory_iterator(directory_), fs::directory_iterator()), 1);
}

TEST_F(ServerKeysTest, RefusesAFileOthersCanRead) {
  ASSERT_TRUE(LoadOrCreateServerKeys(directory_).ok());
  fs::permissions(file(), static_cast<fs::perms>(0644));
  auto keys = LoadOrCreateServerKeys(directory_);
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(keys.status().message().find("mode 0644"), std::string::npos)
      << keys.status().message();
  EXPECT_NE(keys.status().message().find("chmod 600 " + file().string()), std::string::npos);

  fs::permissions(file(), static_cast<fs::perms>(0620));  // group-writable
  EXPECT_EQ(LoadOrCreateServerKeys(directory_).status().code(), StatusCode::kFailedPrecondition);
  fs::permissions(file(), static_cast<fs::perms>(0400));  // read-only for the owner is fine
  EXPECT_TRUE(LoadOrCreateServerKeys(directory_).ok());
}

TEST_F(ServerKeysTest, RefusesSomethingElseThanAFile) {
  fs::create_directories(file());
  fs::permissions(file(), static_cast<fs::perms>(0700));
  auto keys = LoadOrCreateServerKeys(directory_);
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(ServerKeysTest, UnreadableContentIsDataLoss) {
  Write("{\"version\": 1}");
  auto keys = LoadOrCreateServerKeys(directory_);
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(keys.status().message().find(file().string()), std::string::npos);
}

TEST_F(ServerKeysTest, EnvironmentOverridesTheFile) {
  const ServerKeys generated = GenerateServerKeys();
  ASSERT_EQ(::setenv(kServerKeysEnvironmentVariable, SerializeServerKeys(generated).c_str(), 1), 0);
  auto keys = LoadOrCreateServerKeys(directory_);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(keys->source, ServerKeys::Source::kEnvironment);
  EXPECT_TRUE(keys->path.empty());
  EXPECT_TRUE(keys->hashing_key == generated.hashing_key);
  EXPECT_EQ(keys->current_encryption_key_id, generated.current_encryption_key_id);
  EXPECT_FALSE(fs::exists(directory_));  // no file was written
}

TEST_F(ServerKeysTest, EmptyOrInvalidEnvironmentIsAnError) {
  ASSERT_EQ(::setenv(kServerKeysEnvironmentVariable, "", 1), 0);
  auto empty = LoadOrCreateServerKeys(directory_);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(empty.status().message().find("set but empty"), std::string::npos);

  const std::string key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";  // bytes 0..31
  const std::string invalid = "{\"version\": 1, \"hashing_key\": \"" + key +
                              "\", \"encryption_keys\": [], \"current_encryption_key\": \"k\"}";
  ASSERT_EQ(::setenv(kServerKeysEnvironmentVariable, invalid.c_str(), 1), 0);
  auto keys = LoadOrCreateServerKeys(directory_);
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(keys.status().message().starts_with("CAPCONF_SERVER_KEYS: "))
      << keys.status().message();
  EXPECT_EQ(keys.status().message().find(key), std::string::npos);
  EXPECT_FALSE(fs::exists(directory_));
}

TEST(ServerKeysFormatTest, RoundTripAndRotation) {
  ServerKeys keys = GenerateServerKeys();
  keys.encryption_keys.push_back({"2026-02", KeyMaterial::Generate()});
  keys.current_encryption_key_id = "2026-02";
  auto parsed = ParseServerKeys(SerializeServerKeys(keys));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(parsed->hashing_key == keys.hashing_key);
  ASSERT_EQ(parsed->encryption_keys.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(parsed->encryption_keys[i].id, keys.encryption_keys[i].id);
    EXPECT_TRUE(parsed->encryption_keys[i].key == keys.encryption_keys[i].key);
  }
  auto keyring = MakeKeyring(*parsed);
  ASSERT_TRUE(keyring.ok());
  EXPECT_EQ(keyring->current_key_id(), "2026-02");
  EXPECT_TRUE(keyring->HasKey(keys.encryption_keys[0].id));
}

TEST(ServerKeysFormatTest, AcceptsKeysWrittenByHand) {
  // As an operator would write them: `head -c 32 /dev/urandom | base64`.
  const std::string text = R"({
    "version": 1,
    "hashing_key": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    "encryption_keys": [{"id": "primary", "key": "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="}],
    "current_encryption_key": "primary"
  })";
  auto keys = ParseServerKeys(text);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  std::string bytes;
  for (int i = 0; i < 32; ++i) bytes += static_cast<char>(i);
  EXPECT_TRUE(keys->hashing_key == KeyMaterial::FromBytes(bytes).value());
  // Same key as the KeyedHasher known-answer test.
  EXPECT_EQ(KeyedHasher(keys->hashing_key).Hash(""),
            "4e51e7a913fc80137da52880fecca175bf81e117d5c68126dc2774033517ea0d");
}

TEST(ServerKeysFormatTest, RefusesMalformedKeys) {
  const std::string k32 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
  const std::string k31 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==";
  auto make = [](const std::string& hashing, const std::string& keys, const std::string& current,
                 const std::string& extra = "") {
    return "{\"version\": 1, \"hashing_key\": \"" + hashing + "\", \"encryption_keys\": " + keys +
           ", \"current_encryption_key\": \"" + current + "\"" + extra + "}";
  };
  const std::string one = "[{\"id\": \"a\", \"key\": \"" + k32 + "\"}]";
  ASSERT_TRUE(ParseServerKeys(make(k32, one, "a")).ok());

  const std::vector<std::string> bad = {
      "",
      "[]",
      "not json",
      make(k31, one, "a"),            // 31-byte hashing key
      make(k32 + "AAAA", one, "a"),   // 35 bytes
      make("not base64!", one, "a"),  // not base64
      make(k32, "[{\"id\": \"a\", \"key\": \"" + k31 + "\"}]", "a"),
      make(k32, "[]", "a"),                                               // no encryption key
      make(k32, one, "b"),                                                // current names no key
      make(k32, "[{\"id\": \"a b\", \"key\": \"" + k32 + "\"}]", "a b"),  // bad id
      make(k32,
           "[{\"id\": \"a\", \"key\": \"" + k32 + "\"}, {\"id\": \"a\", \"key\": \"" + k32 + "\"}]",
           "a"),  // duplicate id
      make(k32, "[{\"id\": \"a\", \"key\": \"" + k32 + "\", \"note\": \"x\"}]", "a"),
      make(k32, one, "a", ", \"hashing_kye\": \"x\""),  // unknown member
      "{\"version\": 2, \"hashing_key\": \"" + k32 + "\", \"encryption_keys\": " + one +
          ", \"current_encryption_key\": \"a\"}",
  };
  for (const std::string& text : bad) {
    auto keys = ParseServerKeys(text);
    ASSERT_FALSE(keys.ok()) << text;
    EXPECT_EQ(keys.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(keys.status().message().find(k32), std::string::npos) << keys.status().message();
  }
}

}  // namespace
}  // namespace capconf::access
