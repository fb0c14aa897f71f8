#include "files.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "capconf/common/utf8.h"

namespace capconf::api {
namespace {

bool StartsWith(std::string_view bytes, std::string_view magic) {
  return bytes.substr(0, magic.size()) == magic;
}

std::string Extension(std::string_view filename) {
  std::size_t dot = filename.rfind('.');
  if (dot == std::string_view::npos) return "";
  std::string ext(filename.substr(dot + 1));
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

}  // namespace

std::optional<std::string> SniffContentType(std::string_view bytes, std::string_view filename) {
  if (StartsWith(bytes, "%PDF-")) return "application/pdf";
  if (StartsWith(bytes, "\x89PNG\r\n\x1a\n")) return "image/png";
  if (StartsWith(bytes, "\xff\xd8\xff")) return "image/jpeg";
  if (StartsWith(bytes, "GIF87a") || StartsWith(bytes, "GIF89a")) return "image/gif";
  if (bytes.size() >= 12 && StartsWith(bytes, "RIFF") && bytes.substr(8, 4) == "WEBP")
    return "image/webp";
  std::string ext = Extension(filename);
  if (StartsWith(bytes, std::string_view("PK\x03\x04", 4))) {
    if (ext == "docx")
      return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    if (ext == "xlsx") return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    return std::nullopt;  // other archives are not documents we index
  }
  // Text: valid UTF-8 without NUL bytes.
  if (bytes.find('\0') == std::string_view::npos && IsValidUtf8(bytes)) {
    if (ext == "md" || ext == "markdown") return "text/markdown";
    if (ext == "csv") return "text/csv";
    return "text/plain";
  }
  return std::nullopt;
}

std::filesystem::path FileStorage::PathOf(const std::string& sha256) const {
  return root_ / sha256.substr(0, 2) / sha256;
}

Status FileStorage::Put(const std::string& sha256, std::string_view bytes) const {
  std::filesystem::path path = PathOf(sha256);
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return Status::Ok();
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec)
    return UnavailableError("cannot create " + path.parent_path().string() + ": " + ec.message());
  // Written to a temporary name, synced, then renamed: a crash leaves no half file under the hash.
  std::string temporary = path.string() + ".tmp." + std::to_string(::getpid()) + "." +
                          std::to_string(reinterpret_cast<std::uintptr_t>(&bytes));
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0640);
  if (fd < 0) return UnavailableError("cannot write " + temporary);
  std::size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n <= 0) {
      ::close(fd);
      ::unlink(temporary.c_str());
      return UnavailableError("cannot write " + temporary);
    }
    written += static_cast<std::size_t>(n);
  }
  bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || std::rename(temporary.c_str(), path.c_str()) != 0) {
    ::unlink(temporary.c_str());
    return UnavailableError("cannot store " + path.string());
  }
  return Status::Ok();
}

Result<std::string> FileStorage::Get(const std::string& sha256) const {
  std::ifstream in(PathOf(sha256), std::ios::binary);
  if (!in) return Status(StatusCode::kDataLoss, "the content of file " + sha256 + " is missing");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace capconf::api
