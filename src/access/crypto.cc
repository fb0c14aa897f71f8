#include "capconf/access/crypto.h"

#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "internal.h"

namespace capconf::access {

// The header spells libsodium's values out so that it need not include sodium.h.
static_assert(PasswordHashOptions{}.opslimit == crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE);
static_assert(PasswordHashOptions{}.memlimit == crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE);
static_assert(PasswordHashOptions::Minimum().opslimit == crypto_pwhash_argon2id_OPSLIMIT_MIN);
static_assert(PasswordHashOptions::Minimum().memlimit == crypto_pwhash_argon2id_MEMLIMIT_MIN);
static_assert(KeyMaterial::kSize == crypto_generichash_KEYBYTES);
static_assert(KeyMaterial::kSize == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kNonceBytes == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(kTagBytes == crypto_aead_xchacha20poly1305_ietf_ABYTES);
static_assert(kMaxPasswordBytes <= crypto_pwhash_argon2id_PASSWD_MAX);

namespace {

int SodiumInitOnce() {
  // A function-local static is initialised exactly once even when threads race here; its value
  // is sodium_init's: 0 on success, -1 on failure (never 1, since nobody called it before).
  static const int result = sodium_init();
  return result;
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* MutableBytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

Status DataLossError(std::string message) {
  return Status(StatusCode::kDataLoss, std::move(message));
}

// libsodium reads password hash strings as C strings of at most crypto_pwhash_STRBYTES bytes.
bool IsPlausibleHashString(std::string_view hash) {
  return !hash.empty() && hash.size() < crypto_pwhash_STRBYTES &&
         hash.find('\0') == std::string_view::npos;
}

}  // namespace

namespace internal {

void EnsureSodium() {
  if (SodiumInitOnce() < 0) {
    std::fputs("capconf: libsodium could not be initialised (no entropy source?)\n", stderr);
    std::abort();
  }
}

void Wipe(std::string& s) {
  if (!s.empty()) sodium_memzero(s.data(), s.size());
  s.clear();
}

bool IsValidKeyId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

}  // namespace internal

Status Initialize() {
  if (SodiumInitOnce() < 0) {
    return InternalError("libsodium could not be initialised (no entropy source?)");
  }
  return Status::Ok();
}

// --- KeyMaterial ---------------------------------------------------------------------------

KeyMaterial KeyMaterial::Generate() {
  internal::EnsureSodium();
  KeyMaterial key;
  randombytes_buf(key.bytes_.data(), kSize);
  return key;
}

Result<KeyMaterial> KeyMaterial::FromBytes(std::string_view bytes) {
  if (bytes.size() != kSize) {
    return InvalidArgumentError("a key must be exactly " + std::to_string(kSize) + " bytes, not " +
                                std::to_string(bytes.size()));
  }
  KeyMaterial key;
  std::copy(bytes.begin(), bytes.end(), key.bytes_.begin());
  return key;
}

KeyMaterial::~KeyMaterial() { sodium_memzero(bytes_.data(), bytes_.size()); }

bool operator==(const KeyMaterial& a, const KeyMaterial& b) {
  return sodium_memcmp(a.bytes_.data(), b.bytes_.data(), KeyMaterial::kSize) == 0;
}

// --- Passwords -----------------------------------------------------------------------------

Status CheckPasswordLength(std::string_view password) {
  if (password.size() < kMinPasswordBytes) {
    return InvalidArgumentError("password is too short: it must be at least " +
                                std::to_string(kMinPasswordBytes) + " bytes long (it has " +
                                std::to_string(password.size()) + ")");
  }
  if (password.size() > kMaxPasswordBytes) {
    return InvalidArgumentError("password is too long: it must be at most " +
                                std::to_string(kMaxPasswordBytes) + " bytes long (it has " +
                                std::to_string(password.size()) + ")");
  }
  return Status::Ok();
}

Result<std::string> HashPassword(std::string_view password, const PasswordHashOptions& options) {
  CAPCONF_RETURN_IF_ERROR(CheckPasswordLength(password));
  if (options.opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
      options.opslimit > crypto_pwhash_argon2id_OPSLIMIT_MAX ||
      options.memlimit < crypto_pwhash_argon2id_MEMLIMIT_MIN ||
      options.memlimit > crypto_pwhash_argon2id_MEMLIMIT_MAX) {
    return InvalidArgumentError("password hash options are outside libsodium's Argon2id limits");
  }
  CAPCONF_RETURN_IF_ERROR(Initialize());
  char out[crypto_pwhash_STRBYTES];
  // The algorithm is named rather than left to crypto_pwhash_str's default, so a libsodium
  // whose default changes cannot silently switch it.
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), options.opslimit,
                            options.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    // The only failure left once the arguments are valid: the memory could not be allocated.
    return ResourceExhaustedError("not enough memory to hash the password (Argon2id needs " +
                                  std::to_string(options.memlimit >> 10) + " KiB)");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  if (password.size() > kMaxPasswordBytes || !IsPlausibleHashString(hash)) return false;
  if (!Initialize().ok()) return false;
  const std::string terminated(hash);
  // Recomputes the hash with the parameters and salt stored in `hash` and compares the two
  // in constant time.
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

bool NeedsRehash(std::string_view hash, const PasswordHashOptions& options) {
  if (!IsPlausibleHashString(hash)) return true;
  // crypto_pwhash_str_needs_rehash accepts Argon2i strings as current too; only Argon2id is.
  if (!hash.starts_with(crypto_pwhash_argon2id_STRPREFIX)) return true;
  if (!Initialize().ok()) return true;
  const std::string terminated(hash);
  // 0: same algorithm and parameters; 1: different parameters; -1: not a valid hash.
  return crypto_pwhash_argon2id_str_needs_rehash(terminated.c_str(), options.opslimit,
                                                 options.memlimit) != 0;
}

// --- Random identifiers --------------------------------------------------------------------

std::string RandomId() {
  static constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  internal::EnsureSodium();
  std::string id(26, '0');
  for (char& c : id) c = kCrockford[randombytes_uniform(32)];
  return id;
}

std::string RandomToken(std::size_t bytes) {
  if (bytes == 0) return {};
  internal::EnsureSodium();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string encoded(sodium_base64_encoded_len(bytes, variant), '\0');
  sodium_bin2base64(encoded.data(), encoded.size(), Bytes(raw), raw.size(), variant);
  encoded.resize(encoded.size() - 1);  // the terminating NUL
  internal::Wipe(raw);
  return encoded;
}

// --- KeyedHasher ---------------------------------------------------------------------------

std::string KeyedHasher::Hash(std::string_view secret) const {
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest, Bytes(secret), secret.size(), key_.data(),
                     KeyMaterial::kSize);
  char hex[2 * sizeof digest + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string(hex, 2 * sizeof digest);
}

// --- SecretBox -----------------------------------------------------------------------------

Result<SecretBox> SecretBox::FromKey(std::string_view key, std::string key_id) {
  CAPCONF_ASSIGN_OR_RETURN(KeyMaterial material, KeyMaterial::FromBytes(key));
  return FromKey(material, std::move(key_id));
}

Result<SecretBox> SecretBox::FromKey(const KeyMaterial& key, std::string key_id) {
  if (!internal::IsValidKeyId(key_id)) {
    return InvalidArgumentError("a key id must be 1 to 64 characters of [A-Za-z0-9._-]");
  }
  CAPCONF_RETURN_IF_ERROR(Initialize());
  return SecretBox(key, std::move(key_id));
}

Result<Sealed> SecretBox::Seal(std::string_view plaintext, std::string_view associated_data) const {
  if (plaintext.size() > kMaxSealedPlaintextBytes) {
    return ResourceExhaustedError("a value to encrypt may have at most " +
                                  std::to_string(kMaxSealedPlaintextBytes) + " bytes");
  }
  Sealed sealed;
  sealed.key_id = key_id_;
  // 192-bit random nonces never repeat in practice, so no counter has to be kept anywhere.
  sealed.nonce.resize(kNonceBytes);
  randombytes_buf(sealed.nonce.data(), kNonceBytes);
  sealed.ciphertext.resize(plaintext.size() + kTagBytes);
  unsigned long long ciphertext_size = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      MutableBytes(sealed.ciphertext), &ciphertext_size, Bytes(plaintext), plaintext.size(),
      Bytes(associated_data), associated_data.size(), nullptr, Bytes(sealed.nonce), key_.data());
  sealed.ciphertext.resize(ciphertext_size);
  return sealed;
}

Result<std::string> SecretBox::Open(const Sealed& sealed, std::string_view associated_data) const {
  if (sealed.key_id != key_id_) {
    return DataLossError("the value was sealed with key \"" + sealed.key_id +
                         "\", not with key \"" + key_id_ + "\"");
  }
  if (sealed.nonce.size() != kNonceBytes) {
    return DataLossError("the sealed value's nonce has " + std::to_string(sealed.nonce.size()) +
                         " bytes instead of " + std::to_string(kNonceBytes));
  }
  if (sealed.ciphertext.size() < kTagBytes) {
    return DataLossError("the sealed value is shorter than its authentication tag");
  }
  std::string plaintext(sealed.ciphertext.size() - kTagBytes, '\0');
  unsigned long long plaintext_size = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(MutableBytes(plaintext), &plaintext_size, nullptr,
                                                 Bytes(sealed.ciphertext), sealed.ciphertext.size(),
                                                 Bytes(associated_data), associated_data.size(),
                                                 Bytes(sealed.nonce), key_.data()) != 0) {
    internal::Wipe(plaintext);
    return DataLossError(
        "the sealed value does not authenticate: it was altered, or belongs to another place");
  }
  plaintext.resize(plaintext_size);
  return plaintext;
}

// --- Keyring -------------------------------------------------------------------------------

Result<Keyring> Keyring::Create(std::vector<SecretBox> boxes, std::string_view current_key_id) {
  if (boxes.empty()) return InvalidArgumentError("a keyring needs at least one key");
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (boxes[i].key_id() == boxes[j].key_id()) {
        return InvalidArgumentError("the keyring holds key id \"" + boxes[i].key_id() + "\" twice");
      }
    }
  }
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    if (boxes[i].key_id() == current_key_id) return Keyring(std::move(boxes), i);
  }
  return InvalidArgumentError("the current key id \"" + std::string(current_key_id) +
                              "\" is not in the keyring");
}

const SecretBox* Keyring::Find(std::string_view key_id) const {
  for (const SecretBox& box : boxes_) {
    if (box.key_id() == key_id) return &box;
  }
  return nullptr;
}

bool Keyring::HasKey(std::string_view key_id) const { return Find(key_id) != nullptr; }

Result<Sealed> Keyring::Seal(std::string_view plaintext, std::string_view associated_data) const {
  return boxes_[current_].Seal(plaintext, associated_data);
}

Result<std::string> Keyring::Open(const Sealed& sealed, std::string_view associated_data) const {
  const SecretBox* box = Find(sealed.key_id);
  if (box == nullptr) {
    return DataLossError("the value was sealed with key \"" + sealed.key_id +
                         "\", which the keyring does not hold");
  }
  return box->Open(sealed, associated_data);
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * sizeof(digest));
  for (unsigned char b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace capconf::access
