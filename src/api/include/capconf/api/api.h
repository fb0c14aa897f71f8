#pragma once
// The HTTP API (/api/v1): authentication (password sign-in with a session cookie and CSRF
// protection for the page; bearer tokens for programs), and the routes over the service. Every
// error is RFC 9457 problem+json; validation errors carry `errors: [{pointer, keyword, message}]`.

#include <memory>
#include <string>

#include "capconf/access/crypto.h"
#include "capconf/http/router.h"
#include "capconf/service/service.h"
#include "capconf/store/store.h"

namespace capconf::api {

struct ApiOptions {
  // Cookies get the Secure attribute unless the server runs on plain HTTP for development.
  bool secure_cookies = true;
  std::int64_t session_lifetime_ms = 12LL * 3600 * 1000;
  // How long a credential's caller is remembered (auth_cache.h); 0 reads the database on
  // every request. A token revoked elsewhere stops working within this time.
  std::int64_t auth_cache_ttl_ms = 5000;
  // Argon2id cost for passwords set through the API (tests use the minimum).
  access::PasswordHashOptions password_hashing;
  // Where uploaded files live (content-addressed), and how big they may be.
  std::string files_dir = "capconf-data/files";
  std::size_t max_document_bytes = 10 * 1024 * 1024;
  std::size_t max_avatar_bytes = 1024 * 1024;
  // The server's address as websites reach it (https://agents.example.com), for the widget's
  // embed code; empty: http:// and the request's Host.
  std::string public_url;
};

// What the routes share. Thread-safe; lives as long as the server.
struct ApiContext {
  store::Store& store;
  service::Service& service;
  const service::Clock& clock;
  access::KeyedHasher hasher;  // session ids, bearer tokens and API keys are stored hashed
  ApiOptions options;
};

// Adds every /api/v1 route and the authentication middleware to `router`.
Status RegisterRoutes(http::Router& router, ApiContext& context);

// Creates a user (and its organisation when `organization_id` is empty), for `capconf user
// create` and the demo. AlreadyExists for a taken email.
struct NewUser {
  std::string email;
  std::string display_name;
  std::string password;
  store::Role role = store::Role::kBuyer;
  std::string organization_id;    // join this organisation, or
  std::string organization_name;  // create one with this name
};
Result<store::User> CreateUser(store::Store& store, const service::Clock& clock,
                               const NewUser& user,
                               const access::PasswordHashOptions& hashing = {});

// Mints a bearer token for a user (shown once); only its keyed hash is stored.
Result<std::string> CreateBearerToken(store::Store& store, const service::Clock& clock,
                                      const access::KeyedHasher& hasher, std::string_view user_id,
                                      std::string_view name);

}  // namespace capconf::api
