#include "capconf/http/static_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "capconf/http/server.h"
#include "capturing_logger.h"
#include "test_client.h"

namespace capconf::http {
namespace {

namespace fs = std::filesystem;
using testing::ClientResponse;
using testing::TestClient;

StaticFilesOptions Options(fs::path root, std::size_t max_total_bytes = 1 << 20) {
  StaticFilesOptions options;
  options.root = std::move(root);
  options.max_total_bytes = max_total_bytes;
  return options;
}

constexpr std::string_view kIndex = "<!doctype html><title>capconf</title>";

void WriteFile(const fs::path& path, std::string_view content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ =
        fs::temp_directory_path() / ("capconf_static_" + std::to_string(std::random_device()()));
    root_ = base_ / "web";
    WriteFile(root_ / "index.html", kIndex);
    WriteFile(root_ / "assets" / "app-1a2b3c.js", "console.log(1)");
    WriteFile(root_ / "assets" / "app-1a2b3c.js.map", "{}");
    WriteFile(root_ / "assets" / "style-9f8e.css", "body{}");
    WriteFile(root_ / "assets" / "font-77.woff2", std::string("wOF2\0\1", 6));
    WriteFile(root_ / "logo.svg", "<svg/>");
    WriteFile(root_ / "icon.png", std::string("\x89PNG\r\n", 6));
    WriteFile(root_ / "favicon.ico", "ico");
    WriteFile(root_ / "manifest.json", "{\"name\":\"capconf\"}");
    WriteFile(root_ / ".env", "SECRET=1");
    WriteFile(base_ / "outside" / "secret.txt", "TOP SECRET");
    fs::create_symlink(base_ / "outside" / "secret.txt", root_ / "leak.txt");
    fs::create_directory_symlink(base_ / "outside", root_ / "linked");
    fs::create_symlink(root_ / "logo.svg", root_ / "alias.svg");  // inside: allowed

    Result<std::shared_ptr<const StaticFiles>> files = StaticFiles::Load(Options(root_));
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    files_ = *files;

    Router router;
    ASSERT_TRUE(router
                    .Add("GET", "/api/v1/ping",
                         [](Request&) {
                           return JsonResponse(200, boost::json::object{{"pong", true}});
                         })
                    .ok());
    router.SetFallback(StaticFilesHandler(files_), "static");
    ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.threads = 2;
    options.access_log = log_;
    server_ = std::make_unique<Server>(std::move(options), std::move(router));
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<TestClient>(server_->port());
  }

  void TearDown() override {
    client_.reset();
    server_.reset();
    std::error_code ec;
    fs::remove_all(base_, ec);
  }

  ClientResponse Get(std::string_view target, const testing::HeaderList& headers = {}) {
    Result<ClientResponse> response = client_->Request("GET", target, headers);
    EXPECT_TRUE(response.ok()) << target << ": " << response.status().ToString();
    return response.ok() ? *response : ClientResponse{};
  }

  fs::path base_;
  fs::path root_;
  std::shared_ptr<const StaticFiles> files_;
  std::shared_ptr<testing::CapturingLogger> log_ = std::make_shared<testing::CapturingLogger>();
  std::unique_ptr<Server> server_;
  std::unique_ptr<TestClient> client_;
};

TEST_F(StaticFilesTest, ServesContentTypes) {
  const std::pair<const char*, const char*> cases[] = {
      {"/index.html", "text/html; charset=utf-8"},
      {"/assets/app-1a2b3c.js", "text/javascript; charset=utf-8"},
      {"/assets/app-1a2b3c.js.map", "application/json"},
      {"/assets/style-9f8e.css", "text/css; charset=utf-8"},
      {"/assets/font-77.woff2", "font/woff2"},
      {"/logo.svg", "image/svg+xml"},
      {"/icon.png", "image/png"},
      {"/favicon.ico", "image/x-icon"},
      {"/manifest.json", "application/json"},
  };
  for (const auto& [path, type] : cases) {
    const ClientResponse response = Get(path);
    EXPECT_EQ(response.status, 200) << path;
    EXPECT_EQ(response.Header("Content-Type"), type) << path;
    EXPECT_EQ(response.Header("X-Content-Type-Options"), "nosniff");
  }
  EXPECT_EQ(Get("/assets/font-77.woff2").body, std::string("wOF2\0\1", 6));
  EXPECT_EQ(StaticFiles::ContentTypeFor("archive.tar"), "application/octet-stream");
  EXPECT_EQ(StaticFiles::ContentTypeFor("PAGE.HTML"), "text/html; charset=utf-8");
}

TEST_F(StaticFilesTest, CacheControlByPath) {
  EXPECT_EQ(Get("/assets/app-1a2b3c.js").Header("Cache-Control"),
            "public, max-age=31536000, immutable");
  EXPECT_EQ(Get("/index.html").Header("Cache-Control"), "no-cache");
  EXPECT_EQ(Get("/").Header("Cache-Control"), "no-cache");
  // JSON files keep their own Cache-Control (not the API's no-store).
  EXPECT_EQ(Get("/manifest.json").Header("Cache-Control"), "no-cache");
}

TEST_F(StaticFilesTest, StrongEtagAndNotModified) {
  const ClientResponse first = Get("/assets/app-1a2b3c.js");
  const std::string etag = first.Header("ETag");
  ASSERT_EQ(etag.size(), 42u);  // a quoted SHA-1
  EXPECT_EQ(etag.front(), '"');
  EXPECT_NE(etag, Get("/assets/style-9f8e.css").Header("ETag"));

  for (const std::string& condition : {etag, "W/" + etag, "\"other\", " + etag, std::string("*")}) {
    const ClientResponse cached = Get("/assets/app-1a2b3c.js", {{"If-None-Match", condition}});
    EXPECT_EQ(cached.status, 304) << condition;
    EXPECT_EQ(cached.body, "");
    EXPECT_EQ(cached.Header("ETag"), etag);
    EXPECT_EQ(cached.Header("Cache-Control"), "public, max-age=31536000, immutable");
  }
  const ClientResponse changed = Get("/assets/app-1a2b3c.js", {{"If-None-Match", "\"other\""}});
  EXPECT_EQ(changed.status, 200);
  EXPECT_EQ(changed.body, "console.log(1)");
}

TEST_F(StaticFilesTest, SpaFallbackServesIndex) {
  for (const char* path : {"/", "/subscriptions/42/config", "/offerings"}) {
    const ClientResponse response = Get(path);
    EXPECT_EQ(response.status, 200) << path;
    EXPECT_EQ(response.body, kIndex) << path;
    EXPECT_EQ(response.Header("Cache-Control"), "no-cache");
  }
  // A missing file (a dot in the last segment) is a 404, not the page.
  const ClientResponse missing = Get("/assets/app-old.js");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Header("Content-Type"), "application/problem+json");
  // Under /api the fallback never answers with the page.
  for (const char* path : {"/api/v1/nope", "/api", "/api/"}) {
    const ClientResponse api = Get(path);
    EXPECT_EQ(api.status, 404) << path;
    EXPECT_EQ(api.Header("Content-Type"), "application/problem+json") << path;
  }
  EXPECT_EQ(Get("/api/v1/ping").status, 200);
}

TEST_F(StaticFilesTest, RefusesTraversalAndLinksOut) {
  for (const char* path : {"/../outside/secret.txt", "/assets/../../outside/secret.txt",
                           "/%2e%2e/outside/secret.txt", "/assets/..%2f..%2foutside%2fsecret.txt",
                           "/./index.html", "/assets%5c..%5c..%5coutside%5csecret.txt"}) {
    const ClientResponse response = Get(path);
    EXPECT_EQ(response.status, 400) << path;
    EXPECT_EQ(response.body.find("TOP SECRET"), std::string::npos) << path;
  }
  for (const char* path : {"/leak.txt", "/linked/secret.txt", "/.env"}) {
    const ClientResponse response = Get(path);
    EXPECT_EQ(response.status, 404) << path;
    EXPECT_EQ(response.body.find("TOP SECRET"), std::string::npos) << path;
    EXPECT_EQ(response.body.find("SECRET=1"), std::string::npos) << path;
  }
  EXPECT_EQ(Get("/alias.svg").body, "<svg/>");  // a link that stays inside is served
}

TEST_F(StaticFilesTest, HeadAndOtherMethods) {
  Result<ClientResponse> head = client_->Request("HEAD", "/assets/app-1a2b3c.js");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->body, "");
  EXPECT_EQ(head->Header("Content-Length"), "14");
  Result<ClientResponse> post = client_->Request("POST", "/index.html", {}, "x");
  ASSERT_TRUE(post.ok());
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->Header("Allow"), "GET, HEAD");
}

TEST_F(StaticFilesTest, FilesAreReadOnce) {
  const std::size_t count = files_->file_count();
  EXPECT_EQ(count, 10u);  // index, 4 assets, svg, png, ico, json, alias
  WriteFile(root_ / "assets" / "app-1a2b3c.js", "changed on disk");
  WriteFile(root_ / "late.txt", "late");
  EXPECT_EQ(Get("/assets/app-1a2b3c.js").body, "console.log(1)");
  EXPECT_EQ(Get("/late.txt").status, 404);
}

TEST_F(StaticFilesTest, LoadErrors) {
  EXPECT_EQ(StaticFiles::Load(Options(root_ / "missing")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(StaticFiles::Load(Options(root_ / "index.html")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(StaticFiles::Load(Options(root_, 10)).status().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace capconf::http
