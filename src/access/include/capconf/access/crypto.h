#pragma once
// The cryptographic primitives of the access module, on libsodium: password hashing (Argon2id),
// random identifiers and tokens, keyed hashing of bearer secrets for storage (BLAKE2b-256), and
// encryption at rest with associated data (XChaCha20-Poly1305-IETF) under a rotating keyring.
// Recognisable secrets (prefix + random + checksum) and redaction are in secrets.h; the server's
// own key material (server-keys.json, CAPCONF_SERVER_KEYS) is in server_keys.h.
//
// Thread-safety: every function may be called from any thread; the classes are immutable after
// construction, so one instance serves any number of threads. libsodium is initialised on first
// use. If it cannot be (no entropy source), functions that return a Status say so and those that
// cannot report one abort: running without a random source is never safe.
//
// Error messages never contain passwords, secrets, keys or plaintexts.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "capconf/common/status.h"

namespace capconf::access {

// Initialises libsodium once per process; later calls return the first call's outcome at once.
// Calling it at start-up is optional (every function here calls it) but reports a broken
// environment early. Internal if libsodium cannot initialise.
Status Initialize();

// ---------------------------------------------------------------------------------------------
// Key material

// 32 bytes of secret key material. The bytes are wiped from memory when an instance is destroyed
// (copies are independent and wiped in turn). There is no default (all-zero) key.
class KeyMaterial {
 public:
  static constexpr std::size_t kSize = 32;

  // Fresh key material from the system's CSPRNG.
  static KeyMaterial Generate();
  // Exactly kSize raw bytes, else InvalidArgument.
  static Result<KeyMaterial> FromBytes(std::string_view bytes);

  KeyMaterial(const KeyMaterial& other) = default;
  KeyMaterial& operator=(const KeyMaterial& other) = default;
  ~KeyMaterial();

  const unsigned char* data() const { return bytes_.data(); }
  static constexpr std::size_t size() { return kSize; }

  // Constant-time comparison.
  friend bool operator==(const KeyMaterial& a, const KeyMaterial& b);

 private:
  KeyMaterial() = default;
  std::array<unsigned char, kSize> bytes_{};
};

// ---------------------------------------------------------------------------------------------
// Passwords

inline constexpr std::size_t kMinPasswordBytes = 10;
inline constexpr std::size_t kMaxPasswordBytes = 1024;

// Argon2id cost parameters. The defaults are libsodium's INTERACTIVE limits (2 passes, 64 MiB),
// meant for logins; tests use Minimum() for speed. Stored hashes carry their own parameters, so
// raising these later only makes NeedsRehash true for older hashes.
struct PasswordHashOptions {
  std::uint64_t opslimit = 2;                    // crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE
  std::size_t memlimit = std::size_t{64} << 20;  // crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE

  static constexpr PasswordHashOptions Interactive() { return {}; }
  // libsodium's smallest Argon2id limits (1 pass, 8 KiB): for tests only, never for users.
  static constexpr PasswordHashOptions Minimum() { return {1, 8192}; }
};

// Ok if `password` is between kMinPasswordBytes and kMaxPasswordBytes bytes long, else
// InvalidArgument with a message fit to show the user. Lengths count bytes, not characters.
Status CheckPasswordLength(std::string_view password);

// The PHC-format Argon2id string for `password` ("$argon2id$v=19$m=65536,t=2,p=1$salt$hash"),
// with a fresh random salt, so hashing one password twice gives two different strings.
// InvalidArgument for a password outside the length limits or options below libsodium's
// minimum; ResourceExhausted if the memory for the hash cannot be had.
Result<std::string> HashPassword(std::string_view password,
                                 const PasswordHashOptions& options = {});

// True iff `hash` is a well-formed Argon2 string (as made by HashPassword) and `password`
// matches it. The comparison is constant time. False, never an error, for anything malformed
// and for passwords longer than kMaxPasswordBytes. The minimum length is not checked here, so
// raising it later does not lock out users whose passwords were accepted before.
bool VerifyPassword(std::string_view hash, std::string_view password);

// True if `hash` should be replaced (after a successful VerifyPassword) because it is not
// Argon2id with exactly `options`' parameters, or is not a valid hash at all.
bool NeedsRehash(std::string_view hash, const PasswordHashOptions& options = {});

// ---------------------------------------------------------------------------------------------
// Random identifiers

// 26 characters of Crockford base32 (0-9, A-Z without I, L, O, U), 130 random bits: ids of
// organizations, users, API keys and the like. Upper case; fixed length, so ids sort as text.
std::string RandomId();

// Lower-case hex SHA-256 of `bytes` (64 characters): content addresses and stable names.
std::string Sha256Hex(std::string_view bytes);

// `bytes` random bytes as unpadded URL-safe base64 (ceil(4 * bytes / 3) characters), for CSRF
// tokens, nonces in URLs and the like. RandomToken(32) carries 256 bits.
std::string RandomToken(std::size_t bytes);

// ---------------------------------------------------------------------------------------------
// Keyed hashing for storage

// Hashes bearer secrets (session ids, API tokens, API keys) for storage and lookup: the lower-case
// hex of keyed BLAKE2b-256 (crypto_generichash with a 32-byte key), 64 characters. Stable for a
// key, so a presented secret is found by hashing it again; without the key a leaked database
// reveals nothing and cannot be searched offline. The secret itself is never stored.
// Immutable and thread-safe; holds its own copy of the key.
class KeyedHasher {
 public:
  explicit KeyedHasher(const KeyMaterial& key) : key_(key) {}

  std::string Hash(std::string_view secret) const;

 private:
  KeyMaterial key_;
};

// ---------------------------------------------------------------------------------------------
// Encryption at rest

inline constexpr std::size_t kNonceBytes = 24;  // XChaCha20-Poly1305-IETF
inline constexpr std::size_t kTagBytes = 16;    // Poly1305 tag, at the end of the ciphertext
// Credentials are small; anything bigger is refused rather than stored.
inline constexpr std::size_t kMaxSealedPlaintextBytes = 64 * 1024;

// One encrypted value as stored: which key sealed it, its nonce (kNonceBytes raw bytes) and the
// ciphertext followed by the tag (plaintext size + kTagBytes raw bytes).
struct Sealed {
  std::string key_id;
  std::string nonce;
  std::string ciphertext;
};

// Encrypts and authenticates small values (third-party credentials) under one 32-byte key, with
// XChaCha20-Poly1305-IETF and a random nonce per Seal. The associated data is authenticated, not
// stored: it binds a value to its place (for example "<subscription id>|/web_search/api_key"),
// so a ciphertext copied to another row or field fails to open. Immutable and thread-safe.
class SecretBox {
 public:
  // `key` must be KeyMaterial::kSize raw bytes; `key_id` 1 to 64 characters of [A-Za-z0-9._-].
  // InvalidArgument otherwise.
  static Result<SecretBox> FromKey(std::string_view key, std::string key_id);
  static Result<SecretBox> FromKey(const KeyMaterial& key, std::string key_id);

  const std::string& key_id() const { return key_id_; }

  // Encrypts `plaintext` bound to `associated_data`. ResourceExhausted above
  // kMaxSealedPlaintextBytes.
  Result<Sealed> Seal(std::string_view plaintext, std::string_view associated_data) const;

  // The plaintext of `sealed` if it was sealed by this key with this exact associated data.
  // DataLoss if it names another key id, is malformed, or does not authenticate (tampered
  // ciphertext or nonce, or different associated data).
  Result<std::string> Open(const Sealed& sealed, std::string_view associated_data) const;

 private:
  SecretBox(const KeyMaterial& key, std::string key_id) : key_(key), key_id_(std::move(key_id)) {}

  KeyMaterial key_;
  std::string key_id_;
};

// Several SecretBoxes by key id: seals with the current one and opens with whichever the record
// names, so records sealed before a rotation still open. Re-seal a record when NeedsReseal says
// so; retire an old key only when no record names it any more. Immutable and thread-safe.
class Keyring {
 public:
  // InvalidArgument if `boxes` is empty, two share a key id, or none has `current_key_id`.
  static Result<Keyring> Create(std::vector<SecretBox> boxes, std::string_view current_key_id);

  const std::string& current_key_id() const { return boxes_[current_].key_id(); }
  bool HasKey(std::string_view key_id) const;

  // As SecretBox::Seal, with the current key.
  Result<Sealed> Seal(std::string_view plaintext, std::string_view associated_data) const;
  // As SecretBox::Open, with the key `sealed` names; DataLoss if the keyring does not hold it.
  Result<std::string> Open(const Sealed& sealed, std::string_view associated_data) const;
  // True when `sealed` was sealed with a key other than the current one.
  bool NeedsReseal(const Sealed& sealed) const { return sealed.key_id != current_key_id(); }

 private:
  Keyring(std::vector<SecretBox> boxes, std::size_t current)
      : boxes_(std::move(boxes)), current_(current) {}
  const SecretBox* Find(std::string_view key_id) const;

  std::vector<SecretBox> boxes_;
  std::size_t current_;
};

}  // namespace capconf::access
