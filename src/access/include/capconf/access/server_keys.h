#pragma once
// The server's own key material: the key that hashes bearer secrets (KeyedHasher) and the keys
// that encrypt credentials at rest (Keyring). Losing them makes every stored token and
// credential unusable, so they are created once and kept.
//
// Format (the file server-keys.json and the environment variable CAPCONF_SERVER_KEYS alike):
//   {
//     "version": 1,
//     "hashing_key": "<base64 of 32 bytes>",
//     "encryption_keys": [{"id": "<key id>", "key": "<base64 of 32 bytes>"}, ...],
//     "current_encryption_key": "<key id>"
//   }
// Standard base64 with padding (`head -c 32 /dev/urandom | base64`). Key ids are 1 to 64
// characters of [A-Za-z0-9._-]. To rotate the encryption key, add a key, make it current, re-seal
// the records (Keyring::NeedsReseal), then drop the old key. Unknown members are refused, so a
// misspelt one is not silently ignored.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "capconf/access/crypto.h"
#include "capconf/common/status.h"

namespace capconf::access {

inline constexpr char kServerKeysEnvironmentVariable[] = "CAPCONF_SERVER_KEYS";
inline constexpr char kServerKeysFileName[] = "server-keys.json";

struct EncryptionKey {
  std::string id;
  KeyMaterial key;
};

struct ServerKeys {
  enum class Source {
    kFile,         // read from <directory>/server-keys.json
    kCreatedFile,  // generated now and written to <directory>/server-keys.json
    kEnvironment,  // from CAPCONF_SERVER_KEYS
  };

  KeyMaterial hashing_key;
  std::vector<EncryptionKey> encryption_keys;
  std::string current_encryption_key_id;
  Source source = Source::kFile;
  std::filesystem::path path;  // the file read or written; empty for kEnvironment
};

// The server's keys, from the first of:
//  1. CAPCONF_SERVER_KEYS when it is set (for production, from a secret store). Set but empty
//     or invalid is InvalidArgument: a deployment that meant to pass keys must not quietly
//     start with a fresh file of new ones. The file is then neither read nor written.
//  2. <directory>/server-keys.json. FailedPrecondition if it is not a regular file or grants
//     any permission to group or others (the message says to chmod 600); DataLoss if it is not
//     valid keys.
//  3. Otherwise fresh keys, written to <directory>/server-keys.json with mode 0600: the
//     directory is created if missing; the file is written under a temporary name, synced, and
//     linked into place only if no file exists there yet, so a concurrent start never replaces
//     another's keys (the loser reads the winner's). FailedPrecondition on filesystem errors.
Result<ServerKeys> LoadOrCreateServerKeys(const std::filesystem::path& directory);

// Parses the JSON format above; InvalidArgument (with no key material in the message) if it is
// malformed. The result's source is kFile and its path empty; callers set them.
Result<ServerKeys> ParseServerKeys(std::string_view json);

// The JSON format above, for writing the file or printing keys to move into a secret store.
std::string SerializeServerKeys(const ServerKeys& keys);

// New random keys: a hashing key and one encryption key, current, with a RandomId() id.
ServerKeys GenerateServerKeys();

// The keyring of every encryption key, sealing with the current one.
Result<Keyring> MakeKeyring(const ServerKeys& keys);

}  // namespace capconf::access
