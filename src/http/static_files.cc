#include "capconf/http/static_files.h"

#include <boost/uuid/detail/sha1.hpp>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include "capconf/common/utf8.h"

namespace capconf::http {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kNoCache = "no-cache";

std::string StrongEtag(std::string_view content) {
  boost::uuids::detail::sha1 sha;
  sha.process_bytes(content.data(), content.size());
  boost::uuids::detail::sha1::digest_type digest;
  sha.get_digest(digest);
  char hex[41];
  for (int i = 0; i < 5; ++i) std::snprintf(hex + 8 * i, 9, "%08x", digest[i]);
  return "\"" + std::string(hex, 40) + "\"";
}

// Whether `path` is `root` or below it; both canonical.
bool IsWithin(const fs::path& path, const fs::path& root) {
  auto [root_end, path_it] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return root_end == root.end();
}

Result<std::string> ReadWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return UnavailableError("cannot open " + path.string());
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return UnavailableError("cannot read " + path.string());
  return std::move(content).str();
}

// Does If-None-Match (a list of entity tags or "*") match `etag`? Weak comparison, as RFC 9110
// section 13.1.2 asks for If-None-Match.
bool NoneMatchMatches(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    std::string_view tag = header.substr(0, comma);
    header.remove_prefix(comma == std::string_view::npos ? header.size() : comma + 1);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag == "*") return true;
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (tag == etag) return true;
  }
  return false;
}

Response NotFound() { return Problem(404, "not-found", "Not found", "No resource has this path."); }

struct Loader {
  const StaticFilesOptions& options;
  fs::path canonical_root;
  std::set<fs::path> visited_directories;
  std::size_t total_bytes = 0;
  std::vector<std::pair<std::string, std::string>> files;  // URL path, content

  Status Walk(const fs::path& directory, const std::string& url_prefix) {
    std::error_code ec;
    const fs::path canonical_dir = fs::canonical(directory, ec);
    if (ec || !IsWithin(canonical_dir, canonical_root)) return Status::Ok();
    if (!visited_directories.insert(canonical_dir).second) return Status::Ok();  // a link loop
    fs::directory_iterator it(directory, ec);
    if (ec) return UnavailableError("cannot list " + directory.string() + ": " + ec.message());
    for (const fs::directory_entry& entry : it) {
      const std::string name = entry.path().filename().string();
      if (name.empty() || name.front() == '.' || !IsValidUtf8(name)) continue;
      const fs::path target = fs::canonical(entry.path(), ec);
      if (ec || !IsWithin(target, canonical_root)) continue;  // dangling, or a link out
      const std::string url = url_prefix + "/" + name;
      if (fs::is_directory(target, ec)) {
        CAPCONF_RETURN_IF_ERROR(Walk(entry.path(), url));
      } else if (fs::is_regular_file(target, ec)) {
        Result<std::string> content = ReadWholeFile(target);
        if (!content.ok()) return content.status();
        total_bytes += content->size();
        if (total_bytes > options.max_total_bytes) {
          return ResourceExhaustedError("static files exceed " +
                                        std::to_string(options.max_total_bytes) + " bytes");
        }
        files.emplace_back(url, std::move(*content));
      }
    }
    return Status::Ok();
  }
};

}  // namespace

std::string_view StaticFiles::ContentTypeFor(std::string_view file_name) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"},
      {".wasm", "application/wasm"},
  };
  const std::size_t dot = file_name.rfind('.');
  if (dot != std::string_view::npos) {
    const std::string_view extension = file_name.substr(dot);
    for (const auto& [ext, type] : kTypes) {
      if (EqualsIgnoreCase(ext, extension)) return type;
    }
  }
  return "application/octet-stream";
}

Result<std::shared_ptr<const StaticFiles>> StaticFiles::Load(StaticFilesOptions options) {
  std::error_code ec;
  if (!fs::is_directory(options.root, ec)) {
    return InvalidArgumentError("static root is not a directory: " + options.root.string());
  }
  Loader loader{options, fs::canonical(options.root, ec), {}, 0, {}};
  if (ec) return InvalidArgumentError("static root: " + ec.message());
  CAPCONF_RETURN_IF_ERROR(loader.Walk(options.root, ""));

  std::shared_ptr<StaticFiles> files(new StaticFiles(std::move(options)));
  for (auto& [url, content] : loader.files) {
    File file;
    file.etag = StrongEtag(content);
    file.content_type = ContentTypeFor(url);
    file.immutable = url.starts_with("/assets/");
    file.body = std::move(content);
    files->files_.emplace(url, std::move(file));
  }
  return std::shared_ptr<const StaticFiles>(std::move(files));
}

Response StaticFiles::Serve(const Request& request) const {
  for (const std::string& prefix : options_.api_prefixes) {
    const std::string_view bare = std::string_view(prefix).substr(
        0, prefix.ends_with('/') ? prefix.size() - 1 : prefix.size());
    if (request.path.starts_with(prefix) || request.path == bare) return NotFound();
  }
  if (request.method != "GET" && request.method != "HEAD") {
    Response response = Problem(405, "method-not-allowed", "Method not allowed",
                                "Static files are read with GET or HEAD.");
    response.headers.Set("Allow", "GET, HEAD");
    return response;
  }
  std::optional<std::string> path = PercentDecode(request.path, /*plus_is_space=*/false);
  if (!path || path->empty() || path->front() != '/' || path->find('\\') != std::string::npos) {
    return Problem(400, "bad-path", "Bad path", "The path is not a valid file path.");
  }
  // Segments "." and ".." are refused outright (they could only be attempts to climb out;
  // the lookup below would not find them anyway).
  for (std::size_t start = 1; start <= path->size();) {
    std::size_t end = path->find('/', start);
    if (end == std::string::npos) end = path->size();
    const std::string_view segment = std::string_view(*path).substr(start, end - start);
    if (segment == "." || segment == "..") {
      return Problem(400, "bad-path", "Bad path", "The path climbs out of the web root.");
    }
    start = end + 1;
  }

  const std::string index_path = "/" + options_.index;
  const std::string_view lookup = *path == "/" ? std::string_view(index_path) : *path;
  if (const auto it = files_.find(lookup); it != files_.end())
    return ServeFile(request, it->second);

  const std::string_view last_segment = lookup.substr(lookup.rfind('/') + 1);
  if (options_.spa_fallback && last_segment.find('.') == std::string_view::npos) {
    if (const auto it = files_.find(index_path); it != files_.end()) {
      return ServeFile(request, it->second);
    }
  }
  return NotFound();
}

Response StaticFiles::ServeFile(const Request& request, const File& file) const {
  Response response;
  response.headers.Set("ETag", file.etag);
  response.headers.Set("Cache-Control", file.immutable ? kImmutable : kNoCache);
  if (const std::string* none_match = request.headers.Find("If-None-Match");
      none_match && NoneMatchMatches(*none_match, file.etag)) {
    response.status = 304;
    return response;
  }
  response.status = 200;
  response.content_type = std::string(file.content_type);
  response.body = file.body;
  return response;
}

Handler StaticFilesHandler(std::shared_ptr<const StaticFiles> files) {
  return [files = std::move(files)](Request& request) { return files->Serve(request); };
}

}  // namespace capconf::http
