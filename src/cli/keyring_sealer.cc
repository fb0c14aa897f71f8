#include "keyring_sealer.h"

#include "capconf/access/secrets.h"

namespace capconf::cli {

// The associated data binds a value to its place, so a ciphertext copied to another
// subscription or pointer does not open.
static std::string AssociatedData(const store::Secret& secret) {
  return secret.subscription_id + "|" + secret.pointer;
}

Status KeyringSealer::Seal(std::string_view plaintext, store::Secret& secret) const {
  CAPCONF_ASSIGN_OR_RETURN(access::Sealed sealed, keyring_.Seal(plaintext, AssociatedData(secret)));
  secret.ciphertext.assign(sealed.ciphertext.begin(), sealed.ciphertext.end());
  const std::string nonce = sealed.key_id + ":" + sealed.nonce;
  secret.nonce.assign(nonce.begin(), nonce.end());
  secret.last4 = access::LastFour(plaintext);
  return Status::Ok();
}

Result<std::string> KeyringSealer::Unseal(const store::Secret& secret) const {
  const std::string nonce(secret.nonce.begin(), secret.nonce.end());
  const std::size_t colon = nonce.find(':');
  if (colon == std::string::npos) {
    return Status(StatusCode::kDataLoss, "a stored secret has no key id");
  }
  access::Sealed sealed;
  sealed.key_id = nonce.substr(0, colon);
  sealed.nonce = nonce.substr(colon + 1);
  sealed.ciphertext.assign(secret.ciphertext.begin(), secret.ciphertext.end());
  return keyring_.Open(sealed, AssociatedData(secret));
}

}  // namespace capconf::cli
