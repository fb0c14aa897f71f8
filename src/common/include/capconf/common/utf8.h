#pragma once
// Strict UTF-8 decoding and validation (RFC 3629), shared by the json and schema modules.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace capconf {

struct Utf8Sequence {
  std::size_t length = 0;  // 1 to 4 bytes; 0 when ill-formed
  char32_t code_point = 0;
};

// Decodes the sequence at the start of `s`. Ill-formed input (RFC 3629: overlongs, surrogates,
// code points above U+10FFFF, truncation, stray continuation bytes) and empty input give length 0.
inline Utf8Sequence DecodeUtf8(std::string_view s) {
  if (s.empty()) return {};
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(s[i]); };
  const std::uint8_t lead = byte(0);
  if (lead < 0x80) return {1, lead};
  std::size_t length;
  char32_t cp;
  // The second byte's range depends on the lead byte; these bounds are what rule out overlong
  // forms, UTF-16 surrogates and values above U+10FFFF (RFC 3629, section 4).
  std::uint8_t second_min = 0x80;
  std::uint8_t second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    cp = lead & 0x0F;
    if (lead == 0xE0) second_min = 0xA0;
    if (lead == 0xED) second_max = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    cp = lead & 0x07;
    if (lead == 0xF0) second_min = 0x90;
    if (lead == 0xF4) second_max = 0x8F;
  } else {
    return {};
  }
  if (s.size() < length) return {};
  if (byte(1) < second_min || byte(1) > second_max) return {};
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return {};
    cp = (cp << 6) | (byte(i) & 0x3F);
  }
  return {length, cp};
}

inline bool IsValidUtf8(std::string_view s) {
  while (!s.empty()) {
    // ASCII is the common case; skip it without the full decoder.
    if (static_cast<std::uint8_t>(s.front()) < 0x80) {
      s.remove_prefix(1);
      continue;
    }
    const std::size_t n = DecodeUtf8(s).length;
    if (n == 0) return false;
    s.remove_prefix(n);
  }
  return true;
}

}  // namespace capconf
