#include "naming.h"

#include <cstddef>

#include "capconf/access/crypto.h"
#include "capconf/common/utf8.h"
#include "capconf/ragflow/ragflow.h"

namespace capconf::ragflow {
namespace {

// Room for Ragflow's own "(1)" on a duplicate and for multibyte characters, well within its
// 255-byte limit on document names.
constexpr std::size_t kMaxDocumentNameBytes = 200;
constexpr std::size_t kMaxFileKeyChars = 64;
constexpr std::size_t kShortHashChars = 12;
constexpr std::size_t kMaxExtensionBytes = 16;

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

std::string FileKey(std::string_view file_id) {
  bool plain = !file_id.empty() && file_id.size() <= kMaxFileKeyChars;
  for (const char c : file_id) plain = plain && IsKeyChar(c);
  if (plain) return std::string(file_id);
  return "h" + access::Sha256Hex(file_id).substr(0, 16);
}

// Well-formed UTF-8 in the Basic Multilingual Plane, without control characters, quotes,
// slashes or backslashes: nothing a multipart header, a path or a database column could
// misread. Everything else becomes '_'.
std::string SafeFilename(std::string_view filename) {
  std::string out;
  out.reserve(filename.size());
  while (!filename.empty()) {
    const Utf8Sequence seq = DecodeUtf8(filename);
    if (seq.length == 0) {
      out += '_';
      filename.remove_prefix(1);
      continue;
    }
    const char32_t cp = seq.code_point;
    if (cp < 0x20 || cp == 0x7f || cp == '"' || cp == '/' || cp == '\\' || cp > 0xFFFF) {
      out += '_';
    } else {
      out.append(filename.substr(0, seq.length));
    }
    filename.remove_prefix(seq.length);
  }
  return out;
}

// The longest prefix of `text` of at most `bytes` bytes that does not split a UTF-8 sequence.
std::string_view Utf8Prefix(std::string_view text, std::size_t bytes) {
  if (text.size() <= bytes) return text;
  std::size_t end = bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

std::optional<std::string> ExtensionFor(std::string_view content_type) {
  std::string type;
  for (const char c : content_type.substr(0, content_type.find(';'))) {
    if (c == ' ' || c == '\t') continue;
    type += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  if (type == "text/html" || type == "application/xhtml+xml") return "html";
  if (type == "application/pdf") return "pdf";
  if (type == "text/plain") return "txt";
  if (type == "text/markdown" || type == "text/x-markdown") return "md";
  if (type == "text/csv") return "csv";
  if (type == "application/json") return "json";
  return std::nullopt;
}

}  // namespace

std::string DatasetName(std::string_view subscription_id) {
  return "capconf-" + std::string(subscription_id);
}

std::string FileDocumentPrefix(std::string_view file_id) { return "f-" + FileKey(file_id) + "-"; }

std::string FileDocumentName(std::string_view file_id, std::string_view filename) {
  const std::string prefix = FileDocumentPrefix(file_id);
  // Outer white space is the kind of thing a server trims; then the name would not match.
  while (!filename.empty() && (filename.front() == ' ' || filename.front() == '\t')) {
    filename.remove_prefix(1);
  }
  while (!filename.empty() && (filename.back() == ' ' || filename.back() == '\t')) {
    filename.remove_suffix(1);
  }
  std::string safe = SafeFilename(filename);
  if (safe.empty()) safe = "file";
  const std::size_t budget = kMaxDocumentNameBytes - prefix.size();
  if (safe.size() > budget) {
    // Keep the extension: Ragflow decides by it whether it takes the file.
    std::string extension;
    const std::size_t dot = safe.rfind('.');
    if (dot != std::string::npos && dot > 0 && safe.size() - dot <= kMaxExtensionBytes) {
      extension = safe.substr(dot);
    }
    const std::string_view stem = std::string_view(safe).substr(0, safe.size() - extension.size());
    safe = std::string(Utf8Prefix(stem, budget - extension.size())) + extension;
  }
  return prefix + safe;
}

std::string PageDocumentSourcePrefix(std::string_view source_url) {
  return "u-" + internal::ShortHash(source_url) + "-";
}

std::optional<std::string> PageDocumentName(std::string_view source_url, std::string_view page_url,
                                            std::string_view content_type, std::string_view body) {
  const std::optional<std::string> extension = ExtensionFor(content_type);
  if (!extension) return std::nullopt;
  return PageDocumentSourcePrefix(source_url) + internal::ShortHash(page_url) + "-" +
         internal::ShortHash(body) + "." + *extension;
}

namespace internal {

std::string ShortHash(std::string_view text) {
  return access::Sha256Hex(text).substr(0, kShortHashChars);
}

std::optional<std::string> FilePrefixOf(std::string_view name) {
  if (name.size() < 4 || name.substr(0, 2) != "f-") return std::nullopt;
  std::size_t end = 2;
  while (end < name.size() && end - 2 < kMaxFileKeyChars && IsKeyChar(name[end])) ++end;
  if (end == 2 || end >= name.size() || name[end] != '-') return std::nullopt;
  return std::string(name.substr(0, end + 1));
}

std::optional<PagePrefixes> PagePrefixesOf(std::string_view name) {
  // "u-" hash "-" hash "-"
  constexpr std::size_t kPageEnd = 2 + kShortHashChars + 1 + kShortHashChars + 1;
  if (name.size() <= kPageEnd || name.substr(0, 2) != "u-") return std::nullopt;
  for (std::size_t i = 2; i < kPageEnd; ++i) {
    const bool dash = i == 2 + kShortHashChars || i == kPageEnd - 1;
    if (dash ? name[i] != '-' : !IsLowerHex(name[i])) return std::nullopt;
  }
  return PagePrefixes{std::string(name.substr(0, 2 + kShortHashChars + 1)),
                      std::string(name.substr(0, kPageEnd))};
}

}  // namespace internal
}  // namespace capconf::ragflow
