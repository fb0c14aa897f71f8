#pragma once
// Serving a directory (the built web page) from memory.
//
// Load reads every regular file under the root once, so serving never touches the file system
// and a request can only ever name a file that was there at load time: `..`, encoded slashes
// and symbolic links that lead out of the root cannot reach anything else. Hidden entries
// (names starting with '.') are skipped; symbolic links are followed only when their target
// lies inside the root. Files changed after Load are not seen (deploy = restart).
//
// Serve answers GET and HEAD (others: 405 with Allow) with
//   - Content-Type by extension (html, js, css, svg, png, ico, json, woff2, map, txt, ...),
//   - a strong ETag from the content's SHA-1, and 304 for a matching If-None-Match,
//   - Cache-Control "public, max-age=31536000, immutable" under /assets/ (hashed names) and
//     "no-cache" elsewhere (index.html is revalidated on every load),
//   - "/" and SPA routes as index.html: a path whose last segment has no '.' and that is not
//     under an API prefix (/api) gets index.html when no file has that name,
//   - a 404 problem otherwise.
//
// Thread-safety: immutable after Load; Serve may run on any number of threads.

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "capconf/common/status.h"
#include "capconf/http/message.h"
#include "capconf/http/router.h"

namespace capconf::http {

struct StaticFilesOptions {
  std::filesystem::path root;
  std::string index = "index.html";
  bool spa_fallback = true;
  // Paths under these prefixes (and the prefixes themselves without the slash) never fall
  // back to index.html: a mistyped API call gets a 404 problem, not a web page.
  std::vector<std::string> api_prefixes = {"/api/"};
  // Load fails when the files add up to more than this.
  std::size_t max_total_bytes = 256 * 1024 * 1024;
};

class StaticFiles {
 public:
  // Reads the directory. InvalidArgument: root is not a directory. ResourceExhausted: the
  // files exceed max_total_bytes. Unavailable: a file could not be read.
  static Result<std::shared_ptr<const StaticFiles>> Load(StaticFilesOptions options);

  Response Serve(const Request& request) const;

  std::size_t file_count() const { return files_.size(); }

  // Content-Type for a file name by its extension; "application/octet-stream" when unknown.
  static std::string_view ContentTypeFor(std::string_view file_name);

 private:
  struct File {
    std::string body;
    std::string etag;  // with its quotes: "\"3f…\""
    std::string_view content_type;
    bool immutable = false;  // under /assets/
  };

  explicit StaticFiles(StaticFilesOptions options) : options_(std::move(options)) {}
  Response ServeFile(const Request& request, const File& file) const;

  StaticFilesOptions options_;
  std::map<std::string, File, std::less<>> files_;  // by URL path: "/assets/app-1a2b.js"
};

// A Router handler (for Router::SetFallback) that serves `files`.
Handler StaticFilesHandler(std::shared_ptr<const StaticFiles> files);

}  // namespace capconf::http
