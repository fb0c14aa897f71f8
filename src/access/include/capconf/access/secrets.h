#pragma once
// Recognisable bearer secrets, GitHub style, and keeping secrets out of text that leaves the
// process (logs, error messages, upstream responses echoed back).
//
// A secret is `prefix` + 30 random base62 characters + 6 base62 characters of the CRC32 of the
// random part, e.g. "cck_" + "h7Qw…" (40 characters with a 4-character prefix). The prefix tells
// a reader (and secret scanners) what it is; the checksum lets ParseSecret refuse typos,
// truncations and foreign strings before any database lookup. The checksum is not a MAC: it
// proves nothing, and a secret is only valid once its keyed hash is found in the store.
//
// Thread-safe: no function keeps state between calls.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "capconf/common/status.h"

namespace capconf::access {

inline constexpr std::string_view kSessionPrefix = "ccs_";      // browser session ids
inline constexpr std::string_view kBearerTokenPrefix = "cct_";  // personal API tokens
inline constexpr std::string_view kApiKeyPrefix = "cck_";       // a subscription's API keys

inline constexpr std::size_t kSecretRandomChars = 30;   // about 178 bits
inline constexpr std::size_t kSecretChecksumChars = 6;  // CRC32, base62, zero-padded
inline constexpr std::size_t kSecretDisplayChars = 6;   // random characters lists may show

// A fresh secret with `prefix`, which must be 1 to 16 characters of [a-z0-9] followed by one
// '_' (the constants above); anything else is a programming error (asserted, and refused by
// ParseSecret).
std::string MintSecret(std::string_view prefix);

// Ok if `text` is a well-formed secret with `expected_prefix`: the prefix, the exact length,
// base62 characters only and a matching checksum. Unauthenticated otherwise, with a message
// that says which check failed and never repeats `text`.
Status ParseSecret(std::string_view text, std::string_view expected_prefix);

// The prefix and the first kSecretDisplayChars random characters ("cck_h7Qw2k"): what lists
// show so a user can tell keys apart. Empty if `secret` does not have a secret's shape.
std::string SecretPrefixForDisplay(std::string_view secret);

// `text` with every occurrence of every secret of at least 4 bytes replaced by "[redacted]".
// Occurrences that overlap (of one secret or of several) become a single "[redacted]", so no
// byte of any of them survives. Shorter secrets are ignored: they would redact common words.
std::string Redact(std::string_view text, const std::vector<std::string>& secrets);

// The last 4 bytes of `secret` (the UI shows them as "••••abcd"); empty when the secret is
// shorter than 8 bytes, so half of a short secret is never shown.
std::string LastFour(std::string_view secret);

}  // namespace capconf::access
