#include "browser.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "capconf/http/message.h"
#include "capconf/json/serialize.h"

namespace capconf::testing {
using http::testing::ClientResponse;
using http::testing::HeaderList;

ClientResponse Browser::SignIn(const std::string& email, const std::string& password) {
  ClientResponse r = Call("POST", "/api/v1/session",
                          boost::json::object{{"email", email}, {"password", password}});
  if (r.status == 200) {
    csrf_ = std::string(r.Json().at("csrf_token").as_string());
    cookie_.clear();
    for (const auto& [name, value] : r.headers) {
      if (!http::EqualsIgnoreCase(name, "Set-Cookie")) continue;
      cookie_ += (cookie_.empty() ? "" : "; ") + value.substr(0, value.find(';'));
    }
  }
  return r;
}

void Browser::AddCredentials(std::string_view method, HeaderList& headers, bool with_csrf) const {
  if (!cookie_.empty()) headers.push_back({"Cookie", cookie_});
  if (!bearer_.empty()) headers.push_back({"Authorization", "Bearer " + bearer_});
  if (with_csrf && !csrf_.empty() && method != "GET") headers.push_back({"X-CSRF-Token", csrf_});
}

ClientResponse Browser::Call(std::string_view method, std::string_view path,
                             const boost::json::value& body, HeaderList headers, bool with_csrf) {
  AddCredentials(method, headers, with_csrf);
  std::string text;
  if (!body.is_null()) {
    text = json::Serialize(body);
    headers.push_back({"Content-Type", "application/json"});
  }
  auto r = client_.Request(method, path, headers, text);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : ClientResponse{};
}

ClientResponse Browser::Raw(std::string_view method, std::string_view path, std::string_view body,
                            HeaderList headers) {
  bool typed = false;
  for (const auto& [name, value] : headers)
    typed = typed || http::EqualsIgnoreCase(name, "Content-Type");
  if (!typed) headers.push_back({"Content-Type", "application/json"});
  AddCredentials(method, headers, true);
  auto r = client_.Request(method, path, headers, body);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : ClientResponse{};
}

void Browser::UseBearer(std::string token) {
  bearer_ = std::move(token);
  cookie_.clear();
  csrf_.clear();
}

std::string RunCli(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, p)) out += buffer;
  pclose(p);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace capconf::testing
