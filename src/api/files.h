#pragma once
// Private to the api module: uploaded files (knowledge-base documents, avatars). The content
// type is decided by sniffing the bytes, never by what the client claims; the bytes are stored
// once under <data-dir>/files/<sha256[0:2]>/<sha256> (content-addressed, written atomically),
// and each upload is a row of its organisation.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "capconf/common/status.h"

namespace capconf::api {

// The type of `bytes` by their signature: application/pdf, image/png, image/jpeg, image/gif,
// image/webp, application/zip-based Office documents (docx, xlsx by the file name's extension),
// text/plain, text/markdown, text/csv (UTF-8 without NUL, by extension). nullopt: not allowed.
std::optional<std::string> SniffContentType(std::string_view bytes, std::string_view filename);

class FileStorage {
 public:
  explicit FileStorage(std::filesystem::path root) : root_(std::move(root)) {}
  // Stores the bytes under their hash (a no-op when they are there already).
  Status Put(const std::string& sha256, std::string_view bytes) const;
  Result<std::string> Get(const std::string& sha256) const;

 private:
  std::filesystem::path PathOf(const std::string& sha256) const;
  std::filesystem::path root_;
};

}  // namespace capconf::api
