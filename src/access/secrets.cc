#include "capconf/access/secrets.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdint>
#include <utility>

#include "internal.h"

namespace capconf::access {
namespace {

constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::size_t kSecretBodyChars = kSecretRandomChars + kSecretChecksumChars;
constexpr std::size_t kMaxPrefixChars = 17;  // 16 characters and the '_'

// CRC-32 as in zlib, PNG and Ethernet (reflected polynomial 0xEDB88320), so a secret's checksum
// can be checked with any standard tool (Python's zlib.crc32, for one).
constexpr std::array<std::uint32_t, 256> MakeCrc32Table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t n = 0; n < 256; ++n) {
    std::uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  return table;
}
constexpr std::array<std::uint32_t, 256> kCrc32Table = MakeCrc32Table();

std::uint32_t Crc32(std::string_view data) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char byte : data) crc = kCrc32Table[(crc ^ byte) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

// Six base62 digits, most significant first, zero-padded: 62^6 > 2^32, so every CRC32 fits and
// distinct values give distinct strings.
std::string EncodeChecksum(std::uint32_t value) {
  std::string out(kSecretChecksumChars, '0');
  for (std::size_t i = kSecretChecksumChars; i-- > 0;) {
    out[i] = kBase62[value % 62];
    value /= 62;
  }
  return out;
}

bool IsBase62(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

bool IsValidPrefix(std::string_view prefix) {
  if (prefix.size() < 2 || prefix.size() > kMaxPrefixChars || prefix.back() != '_') return false;
  return std::all_of(prefix.begin(), prefix.end() - 1,
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

Status Refuse(std::string message) {
  return Status(StatusCode::kUnauthenticated, std::move(message));
}

}  // namespace

std::string MintSecret(std::string_view prefix) {
  assert(IsValidPrefix(prefix));
  internal::EnsureSodium();
  std::string secret(prefix);
  secret.reserve(prefix.size() + kSecretBodyChars);
  for (std::size_t i = 0; i < kSecretRandomChars; ++i) {
    secret += kBase62[randombytes_uniform(static_cast<std::uint32_t>(kBase62.size()))];
  }
  secret += EncodeChecksum(Crc32(std::string_view(secret).substr(prefix.size())));
  return secret;
}

Status ParseSecret(std::string_view text, std::string_view expected_prefix) {
  // The messages never quote `text`: it may be a real credential pasted into the wrong place.
  if (!IsValidPrefix(expected_prefix) || !text.starts_with(expected_prefix)) {
    return Refuse("the credential does not start with \"" + std::string(expected_prefix) + "\"");
  }
  const std::size_t expected_size = expected_prefix.size() + kSecretBodyChars;
  if (text.size() != expected_size) {
    return Refuse("the credential should have " + std::to_string(expected_size) +
                  " characters, not " + std::to_string(text.size()));
  }
  const std::string_view body = text.substr(expected_prefix.size());
  if (!std::all_of(body.begin(), body.end(), IsBase62)) {
    return Refuse("the credential contains a character other than a letter or a digit");
  }
  const std::string_view random = body.substr(0, kSecretRandomChars);
  if (body.substr(kSecretRandomChars) != EncodeChecksum(Crc32(random))) {
    return Refuse("the credential's checksum does not match: it was mistyped or altered");
  }
  return Status::Ok();
}

std::string SecretPrefixForDisplay(std::string_view secret) {
  const std::size_t underscore = secret.find('_');
  if (underscore == std::string_view::npos || underscore + 1 > kMaxPrefixChars ||
      secret.size() < underscore + 1 + kSecretDisplayChars) {
    return {};
  }
  return std::string(secret.substr(0, underscore + 1 + kSecretDisplayChars));
}

std::string Redact(std::string_view text, const std::vector<std::string>& secrets) {
  static constexpr std::string_view kRedacted = "[redacted]";
  static constexpr std::size_t kMinRedactedBytes = 4;
  // Every occurrence, overlapping ones included, as [begin, end) spans of `text`. Replacing
  // secret after secret instead would let a later secret that overlaps an earlier one's
  // occurrence survive in part.
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  for (const std::string& secret : secrets) {
    if (secret.size() < kMinRedactedBytes) continue;
    for (std::size_t at = text.find(secret); at != std::string_view::npos;
         at = text.find(secret, at + 1)) {
      spans.emplace_back(at, at + secret.size());
    }
  }
  if (spans.empty()) return std::string(text);
  std::sort(spans.begin(), spans.end());

  std::string out;
  out.reserve(text.size());
  std::size_t copied = 0;  // text before this is already in `out`
  std::size_t i = 0;
  while (i < spans.size()) {
    const std::size_t begin = spans[i].first;
    std::size_t end = spans[i].second;
    // Spans that overlap this one (not merely touch it) join it.
    for (++i; i < spans.size() && spans[i].first < end; ++i) end = std::max(end, spans[i].second);
    out.append(text.substr(copied, begin - copied));
    out.append(kRedacted);
    copied = end;
  }
  out.append(text.substr(copied));
  return out;
}

std::string LastFour(std::string_view secret) {
  if (secret.size() < 8) return {};
  return std::string(secret.substr(secret.size() - 4));
}

}  // namespace capconf::access
