#pragma once
// The service's SecretSealer over the server's keyring (access::Keyring): what `serve`, `worker`
// and the sync benchmark use to seal and open buyers' write-only values.

#include <string>
#include <string_view>

#include "capconf/access/crypto.h"
#include "capconf/service/service.h"

namespace capconf::cli {

// Seals write-only values with the server's keyring; the key id travels with the nonce
// ("<key id>:<nonce>") so that rotated keys still open old secrets.
class KeyringSealer final : public service::SecretSealer {
 public:
  explicit KeyringSealer(access::Keyring keyring) : keyring_(std::move(keyring)) {}
  Status Seal(std::string_view plaintext, store::Secret& secret) const override;
  Result<std::string> Unseal(const store::Secret& secret) const override;

 private:
  access::Keyring keyring_;
};

}  // namespace capconf::cli
