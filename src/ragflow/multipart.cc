#include "capconf/ragflow/multipart.h"

#include "capconf/access/crypto.h"

namespace capconf::ragflow {
namespace {

// Field names and content types are ours, not the buyer's; still, nothing in a header line may
// end it.
std::string HeaderSafe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\r' || c == '\n' || c == '"') continue;
    out += c;
  }
  return out;
}

bool OccursIn(const std::vector<MultipartFile>& files, std::string_view boundary) {
  for (const MultipartFile& file : files) {
    if (file.content.find(boundary) != std::string_view::npos) return true;
    if (file.filename.find(boundary) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

std::string EscapeMultipartFilename(std::string_view filename) {
  std::string out;
  out.reserve(filename.size());
  for (const char c : filename) {
    switch (c) {
      case '"':
        out += "%22";
        break;
      case '\r':
        out += "%0D";
        break;
      case '\n':
        out += "%0A";
        break;
      default:
        out += c;
    }
  }
  return out;
}

MultipartBody BuildMultipartFormData(const std::vector<MultipartFile>& files) {
  std::string seed;
  for (const MultipartFile& file : files) {
    seed += access::Sha256Hex(file.content);
    seed += access::Sha256Hex(file.filename);
  }
  // 32 hex digits of a hash of the parts; in the (astronomically unlikely) case that they occur
  // in a part, hash again with a counter until they do not.
  std::string boundary;
  for (int attempt = 0;; ++attempt) {
    boundary = "capconf-" + access::Sha256Hex(seed + std::to_string(attempt)).substr(0, 32);
    if (!OccursIn(files, boundary)) break;
  }

  MultipartBody out;
  out.boundary = boundary;
  out.content_type = "multipart/form-data; boundary=" + boundary;
  std::size_t size = 0;
  for (const MultipartFile& file : files) size += file.content.size() + file.filename.size() + 200;
  out.body.reserve(size + boundary.size() + 8);
  for (const MultipartFile& file : files) {
    out.body += "--";
    out.body += boundary;
    out.body += "\r\nContent-Disposition: form-data; name=\"";
    out.body += HeaderSafe(file.field_name);
    out.body += "\"; filename=\"";
    out.body += EscapeMultipartFilename(file.filename);
    out.body += "\"\r\nContent-Type: ";
    out.body +=
        file.content_type.empty() ? "application/octet-stream" : HeaderSafe(file.content_type);
    out.body += "\r\n\r\n";
    out.body += file.content;
    out.body += "\r\n";
  }
  out.body += "--";
  out.body += boundary;
  out.body += "--\r\n";
  return out;
}

}  // namespace capconf::ragflow
