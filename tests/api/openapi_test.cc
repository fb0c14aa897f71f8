// The OpenAPI description of /api/v1 (src/api/openapi.cc), held to three things:
//  - it is an OpenAPI 3.1 document: by structure, and by the OpenAPI Initiative's own schema run
//    on capconf's JSON Schema engine (2020-12);
//  - it matches the router: every /api/v1 route api::RegisterRoutes adds is documented, and
//    nothing else is; the running server serves this very document;
//  - it matches a running `capconf serve --demo`, by tests generated from the document: every
//    tenant-scoped operation answers 404 to every other organisation, every operation refuses
//    (403 or 404) the roles it does not list, and what the server answers is documented and
//    matches the documented schema. A route added without documentation, without a tenant check
//    or without a role check fails here.
//
// openapi-3.1-schema.json is the OpenAPI Initiative's "schema for OpenAPI 3.1 documents without
// schema validation" (Apache-2.0), file schemas/v3.1/schema.json of OAI/OpenAPI-Specification,
// iteration 2022-10-07 ($id https://spec.openapis.org/oas/3.1/schema/2022-10-07, the last one
// published for OAS 3.1.0), unchanged (md5 8de21734f593bcd6d134f2905fd68bfd).

#include "openapi.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "browser.h"
#include "capconf/access/crypto.h"
#include "capconf/api/api.h"
#include "capconf/catalog/catalog.h"
#include "capconf/http/message.h"
#include "capconf/http/router.h"
#include "capconf/json/pointer.h"
#include "capconf/json/serialize.h"
#include "capconf/schema/schema.h"
#include "capconf/service/service.h"
#include "capconf/store/store.h"
#include "postgres_cluster.h"
#include "server_process.h"
#include "test_client.h"

namespace capconf {
namespace {
namespace bj = boost::json;
using http::testing::ClientResponse;
using http::testing::HeaderList;
using http::testing::TestClient;
using testing::Browser;
using testing::RunCli;

constexpr const char* kPassword = testing::kDemoPassword;
constexpr std::string_view kMethods[] = {"get",     "put",  "post",  "delete",
                                         "options", "head", "patch", "trace"};
constexpr std::string_view kRoles[] = {"operator", "seller", "buyer"};

const bool kIgnoreSigpipe = [] {
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}();

const bj::value& Doc() {
  static const bj::value document = api::OpenApiDocument();
  return document;
}

// The value a local reference ("#/components/...") names, or nullptr.
const bj::value* ResolveLocal(std::string_view ref) {
  if (ref.empty() || ref[0] != '#') return nullptr;
  auto pointer = json::DecodeUriFragment(ref.substr(1));
  return pointer.ok() ? json::Resolve(Doc(), *pointer) : nullptr;
}

// Follows Reference Objects ({"$ref": ...}) to what they name.
const bj::value& Deref(const bj::value& v) {
  const bj::value* at = &v;
  for (int hop = 0; hop < 8 && at->is_object(); ++hop) {
    const bj::value* ref = at->get_object().if_contains("$ref");
    if (ref == nullptr || !ref->is_string()) break;
    const bj::value* next = ResolveLocal(ref->get_string());
    if (next == nullptr) break;
    at = next;
  }
  return *at;
}

struct Op {
  std::string method;  // upper case, as on the wire
  std::string path;
  const bj::object* operation;

  std::string Name() const { return method + " " + path; }
  const bj::object& at(std::string_view key) const { return operation->at(key).as_object(); }
  bool tenant_scoped() const {
    const bj::value* v = operation->if_contains("x-capconf-tenant-scoped");
    return v && v->is_bool() && v->get_bool();
  }
  std::string owner() const {
    const bj::value* v = operation->if_contains("x-capconf-owner");
    return v && v->is_string() ? std::string(v->get_string()) : "";
  }
  // The listed roles; nullopt for a public operation.
  std::optional<std::set<std::string>> roles() const {
    const bj::value* v = operation->if_contains("x-capconf-roles");
    if (v == nullptr || !v->is_array()) return std::nullopt;
    std::set<std::string> out;
    for (const bj::value& r : v->get_array()) out.insert(std::string(r.as_string()));
    return out;
  }
  std::vector<const bj::object*> parameters() const {
    std::vector<const bj::object*> out;
    if (const bj::value* list = operation->if_contains("parameters")) {
      for (const bj::value& p : list->as_array()) out.push_back(&Deref(p).as_object());
    }
    return out;
  }
};

std::vector<Op> Operations() {
  std::vector<Op> out;
  for (const auto& [path, item] : Doc().at("paths").as_object()) {
    for (std::string_view method : kMethods) {
      if (const bj::value* op = item.as_object().if_contains(method)) {
        std::string upper(method);
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        out.push_back({upper, std::string(path), &op->as_object()});
      }
    }
  }
  return out;
}

// The operations with the reads first and the deletes last, so that calling each once leaves
// every object in place for the operations after it.
std::vector<Op> ReadsFirstDeletesLast() {
  std::vector<Op> ops = Operations();
  std::stable_sort(ops.begin(), ops.end(), [](const Op& a, const Op& b) {
    auto rank = [](const Op& op) { return op.method == "GET" ? 0 : op.method == "DELETE" ? 2 : 1; };
    return rank(a) < rank(b);
  });
  return ops;
}

std::vector<std::string> PathParameterNames(std::string_view path) {
  std::vector<std::string> names;
  for (std::size_t at = path.find('{'); at != std::string_view::npos; at = path.find('{', at + 1)) {
    names.emplace_back(path.substr(at + 1, path.find('}', at) - at - 1));
  }
  return names;
}

// --- schemas from the document, compiled with capconf's engine ----------------------------------

// A schema of the document as a standalone 2020-12 schema: its local references point into
// "components", which comes along.
Result<std::shared_ptr<const schema::Schema>> CompileDocumentSchema(const bj::value& s) {
  static std::map<std::string, std::shared_ptr<const schema::Schema>> cache;
  std::string key = json::Serialize(s);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  bj::object wrapper{{"$schema", "https://json-schema.org/draft/2020-12/schema"},
                     {"allOf", bj::array{s}},
                     {"components", Doc().at("components")}};
  schema::CompileOptions options;
  options.default_dialect = schema::Dialect::kDraft2020_12;
  options.formats = schema::FormatMode::kAssert;
  auto compiled = schema::Schema::Compile(wrapper, options);
  if (compiled.ok()) cache[key] = *compiled;
  return compiled;
}

// Every violation of `instance`, one per line; "" when it is valid.
std::string Violations(const bj::value& s, const bj::value& instance) {
  auto compiled = CompileDocumentSchema(s);
  if (!compiled.ok()) return "the schema does not compile: " + compiled.status().message();
  std::string out;
  for (const schema::ValidationError& e : (*compiled)->Validate(instance)) {
    out += std::string(e.instance_path) + " " + std::string(e.keyword) + ": " +
           std::string(e.message) + " (" + std::string(e.schema_path) + ")\n";
  }
  return out;
}

// A value valid for `s` made from examples, consts, enums and required members; `overrides` by
// member name wins. Enough for the schemas of this document (tested below).
bj::value Instance(const bj::value& s, const std::map<std::string, bj::value>& overrides,
                   int depth = 0) {
  if (depth > 20 || !s.is_object()) return nullptr;
  const bj::object& o = s.get_object();
  if (const bj::value* e = o.if_contains("examples");
      e && e->is_array() && !e->get_array().empty()) {
    return e->get_array()[0];
  }
  if (const bj::value* c = o.if_contains("const")) return *c;
  if (const bj::value* e = o.if_contains("enum"); e && !e->as_array().empty())
    return e->as_array()[0];
  if (const bj::value* ref = o.if_contains("$ref")) {
    if (const bj::value* target = ResolveLocal(ref->as_string()))
      return Instance(*target, overrides, depth + 1);
  }
  if (const bj::value* all = o.if_contains("allOf")) {
    bj::value merged = nullptr;
    for (const bj::value& part : all->as_array()) {
      bj::value piece = Instance(part, overrides, depth + 1);
      if (merged.is_object() && piece.is_object()) {
        for (const auto& [k, v] : piece.get_object()) merged.get_object()[k] = v;
      } else if (merged.is_null()) {
        merged = std::move(piece);
      }
    }
    if (!merged.is_null()) return merged;
  }
  std::string type;
  if (const bj::value* t = o.if_contains("type")) {
    if (t->is_string()) type = t->get_string();
    if (t->is_array() && !t->get_array().empty()) type = t->get_array()[0].as_string();
  }
  if (type == "object" || (type.empty() && o.contains("properties"))) {
    bj::object out;
    if (const bj::value* required = o.if_contains("required")) {
      for (const bj::value& name : required->as_array()) {
        std::string n(name.as_string());
        if (auto it = overrides.find(n); it != overrides.end()) {
          out[n] = it->second;
          continue;
        }
        const bj::value* props = o.if_contains("properties");
        const bj::value* p = props ? props->as_object().if_contains(n) : nullptr;
        out[n] = p ? Instance(*p, overrides, depth + 1) : bj::value(nullptr);
      }
    }
    return out;
  }
  if (type == "array") return bj::array{};
  if (type == "string") {
    std::int64_t n = 1;
    if (const bj::value* m = o.if_contains("minLength"))
      n = std::max<std::int64_t>(1, m->as_int64());
    return bj::string(static_cast<std::size_t>(n), 'x');
  }
  if (type == "integer" || type == "number") {
    if (const bj::value* m = o.if_contains("minimum")) return *m;
    return 1;
  }
  if (type == "boolean") return false;
  return nullptr;
}

// The JSON Schema of a JSON request body; nullptr when there is none (or it is not JSON).
const bj::value* RequestBodySchema(const Op& op) {
  const bj::value* body = op.operation->if_contains("requestBody");
  if (body == nullptr) return nullptr;
  const bj::value* json = Deref(*body).at("content").as_object().if_contains("application/json");
  return json ? &json->at("schema") : nullptr;
}

// The media type of a request body that is not JSON ("" when there is none).
std::string RawBodyMediaType(const Op& op) {
  const bj::value* body = op.operation->if_contains("requestBody");
  if (body == nullptr || RequestBodySchema(op) != nullptr) return "";
  const bj::object& content = Deref(*body).at("content").as_object();
  return content.empty() ? "" : std::string(content.begin()->key());
}

bool IsJsonMediaType(std::string_view type) {
  return type == "application/json" || type.ends_with("+json");
}

// Calls `visit(pointer, value)` on every member named `key` anywhere under `v`.
template <typename F>
void ForEachMember(const bj::value& v, std::string_view key, std::string& pointer, F&& visit) {
  if (v.is_object()) {
    for (const auto& [k, child] : v.get_object()) {
      std::size_t mark = pointer.size();
      json::AppendToken(pointer, k);
      if (k == key) visit(std::string_view(pointer), child);
      ForEachMember(child, key, pointer, visit);
      pointer.resize(mark);
    }
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.get_array().size(); ++i) {
      std::size_t mark = pointer.size();
      json::AppendIndex(pointer, i);
      ForEachMember(v.get_array()[i], key, pointer, visit);
      pointer.resize(mark);
    }
  }
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// --- the document on its own ------------------------------------------------------------------

TEST(OpenApiDocumentTest, IsStructurallyOpenApi31) {
  const bj::object& doc = Doc().as_object();
  EXPECT_EQ(doc.at("openapi").as_string(), "3.1.0");
  ASSERT_TRUE(doc.at("info").is_object());
  EXPECT_FALSE(doc.at("info").at("title").as_string().empty());
  EXPECT_FALSE(doc.at("info").at("version").as_string().empty());
  ASSERT_FALSE(doc.at("paths").as_object().empty());
  // Every reference resolves.
  std::string pointer;
  int refs = 0;
  ForEachMember(Doc(), "$ref", pointer, [&](std::string_view at, const bj::value& ref) {
    ++refs;
    ASSERT_TRUE(ref.is_string()) << at;
    EXPECT_NE(ResolveLocal(ref.get_string()), nullptr)
        << at << ": " << ref.get_string() << " resolves to nothing";
  });
  EXPECT_GT(refs, 50);
  // Security schemes as the server implements them.
  const bj::object& schemes = doc.at("components").at("securitySchemes").as_object();
  EXPECT_EQ(schemes.at("bearerAuth").at("type").as_string(), "http");
  EXPECT_EQ(schemes.at("bearerAuth").at("scheme").as_string(), "bearer");
  EXPECT_EQ(schemes.at("cookieAuth").at("type").as_string(), "apiKey");
  EXPECT_EQ(schemes.at("cookieAuth").at("in").as_string(), "cookie");
  EXPECT_EQ(schemes.at("cookieAuth").at("name").as_string(), "capconf_session");
  const bj::object& problem = doc.at("components").at("schemas").at("Problem").as_object();
  for (const char* member :
       {"type", "title", "status", "detail", "instance", "request_id", "errors"}) {
    EXPECT_TRUE(problem.at("properties").as_object().contains(member)) << member;
  }
  const bj::object& field_error =
      Deref(problem.at("properties").at("errors").at("items")).as_object();
  EXPECT_EQ(field_error.at("required"), bj::value(bj::array{"pointer", "keyword", "message"}));

  std::set<std::string> operation_ids;
  for (const Op& op : Operations()) {
    SCOPED_TRACE(op.Name());
    const bj::object& o = *op.operation;
    ASSERT_TRUE(o.contains("operationId"));
    EXPECT_TRUE(operation_ids.insert(std::string(o.at("operationId").as_string())).second)
        << "operationId twice";
    EXPECT_FALSE(o.at("summary").as_string().empty());
    // Responses: at least one 2xx; every error is a problem document.
    const bj::object& responses = op.at("responses");
    bool success = false;
    for (const auto& [status, response] : responses) {
      const bj::object& r = Deref(response).as_object();
      EXPECT_TRUE(r.contains("description")) << status;
      if (status.size() == 3 && status[0] == '2') success = true;
      if (status == "default" || status[0] == '4' || status[0] == '5') {
        const bj::value* content = r.if_contains("content");
        ASSERT_NE(content, nullptr) << status;
        ASSERT_TRUE(content->as_object().contains("application/problem+json")) << status;
        std::string ref = json::Serialize(content->at("application/problem+json").at("schema"));
        EXPECT_NE(ref.find("#/components/schemas/"), std::string::npos) << status;
        bj::value instance = Instance(content->at("application/problem+json").at("schema"), {});
        EXPECT_EQ(Violations(Doc().at("components").at("schemas").at("Problem"), instance), "")
            << status;
      }
    }
    EXPECT_TRUE(success) << "no 2xx response";
    // Path parameters: exactly the template's.
    std::set<std::string> in_path;
    for (const std::string& name : PathParameterNames(op.path)) in_path.insert(name);
    std::set<std::string> declared;
    bool csrf = false, if_match = false;
    for (const bj::object* p : op.parameters()) {
      if (p->at("in").as_string() == "path") {
        declared.insert(std::string(p->at("name").as_string()));
        EXPECT_TRUE(p->at("required").as_bool());
      }
      if (p->at("in").as_string() == "header" && p->at("name").as_string() == "X-CSRF-Token")
        csrf = true;
      if (p->at("in").as_string() == "header" && p->at("name").as_string() == "If-Match")
        if_match = true;
    }
    EXPECT_EQ(declared, in_path);
    // Roles and tenancy are stated for every operation.
    auto roles = op.roles();
    const bj::value* security = o.if_contains("security");
    const bool is_public = security && security->as_array().empty();
    EXPECT_NE(roles.has_value(), is_public)
        << "an operation is either public (security: []) or lists its roles";
    if (roles) {
      EXPECT_FALSE(roles->empty());
      for (const std::string& r : *roles)
        EXPECT_TRUE(r == "operator" || r == "seller" || r == "buyer") << r;
      EXPECT_TRUE(responses.contains("401"));
      if (roles->size() < std::size(kRoles)) {
        EXPECT_TRUE(responses.contains("403"));
      }
      // Unsafe methods under a cookie need the CSRF header.
      if (op.method != "GET") {
        EXPECT_TRUE(csrf) << "no X-CSRF-Token parameter";
        EXPECT_TRUE(responses.contains("403"));
      }
    }
    ASSERT_TRUE(o.contains("x-capconf-tenant-scoped"));
    ASSERT_TRUE(o.at("x-capconf-tenant-scoped").is_bool());
    if (op.tenant_scoped()) {
      EXPECT_TRUE(op.owner() == "subscription" || op.owner() == "offering" || op.owner() == "file")
          << op.owner();
      EXPECT_TRUE(in_path.contains("id"));
      EXPECT_TRUE(responses.contains("404"));
    }
    // Configuration writes are conditional.
    const bool config_route = op.path.rfind("/api/v1/subscriptions/{id}/", 0) == 0 &&
                              (op.path.ends_with("/config") || op.path.ends_with("/capabilities") ||
                               op.path.ends_with("/restore"));
    if (config_route) {
      if (op.method == "GET") {
        EXPECT_TRUE(
            Deref(responses.at("200")).as_object().at("headers").as_object().contains("ETag"));
      } else {
        EXPECT_TRUE(if_match) << "no If-Match parameter";
        EXPECT_TRUE(responses.contains("412"));
        EXPECT_TRUE(
            Deref(responses.at("200")).as_object().at("headers").as_object().contains("ETag"));
      }
    }
    if (op.method == "PUT" && op.path.ends_with("/config")) {
      EXPECT_TRUE(responses.contains("428"));
    }
    // Request bodies: JSON objects whose generated instance is valid.
    if (const bj::value* body = RequestBodySchema(op)) {
      EXPECT_EQ(Violations(*body, Instance(*body, {})), "") << "the generated body is not valid";
      EXPECT_TRUE(responses.contains("422"));
    }
  }
  EXPECT_GE(operation_ids.size(), 26u);
}

TEST(OpenApiDocumentTest, RequestSchemasRefuseWhatTheHandlersRefuse) {
  const bj::value& schemas = Doc().at("components").at("schemas");
  // Closed bodies: an unknown member is refused, like ReadBody's 422.
  for (const char* name : {"SignIn", "NewOffering", "OfferingStateChange", "NewSubscription",
                           "SaveConfig", "CapabilityChange", "TemplateDocument"}) {
    SCOPED_TRACE(name);
    const bj::value& s = schemas.at(name);
    EXPECT_EQ(s.at("additionalProperties"), bj::value(false));
    bj::value valid = Instance(s, {});
    EXPECT_EQ(Violations(s, valid), "");
    bj::value extra = valid;
    extra.as_object()["surprise"] = true;
    EXPECT_NE(Violations(s, extra), "");
  }
  EXPECT_NE(Violations(schemas.at("SaveConfig"), bj::parse(R"({"config": {}, "revision": 7})")),
            "");
  EXPECT_NE(Violations(schemas.at("SaveConfig"), bj::parse(R"({"config": 5})")), "");
  EXPECT_NE(Violations(schemas.at("SaveConfig"), bj::parse(R"({})")), "");
  EXPECT_NE(Violations(schemas.at("NewSubscription"), bj::parse(R"({"offering_id": 5})")), "");
  EXPECT_NE(Violations(schemas.at("CapabilityChange"), bj::parse(R"({"enable": "api"})")), "");
  EXPECT_EQ(Violations(schemas.at("CapabilityChange"),
                       bj::parse(R"({"enable": ["api"], "disable": []})")),
            "");
  EXPECT_NE(Violations(schemas.at("OfferingStateChange"), bj::parse(R"({"state": "gone"})")), "");
  EXPECT_NE(Violations(schemas.at("NewOffering"), bj::parse(R"({"template_id": "x"})")), "");
}

TEST(OpenApiDocumentTest, IsValidAgainstTheOfficialOpenApi31Schema) {
  std::string text = ReadFile(CAPCONF_TEST_API_DIR "/openapi-3.1-schema.json");
  ASSERT_FALSE(text.empty());
  bj::value official = bj::parse(text);
  ASSERT_EQ(official.at("$id").as_string(), "https://spec.openapis.org/oas/3.1/schema/2022-10-07");
  schema::CompileOptions options;
  options.default_dialect = schema::Dialect::kDraft2020_12;
  options.formats = schema::FormatMode::kAnnotate;  // it uses formats of its own ("media-range")
  auto compiled = schema::Schema::Compile(official, options);
  ASSERT_TRUE(compiled.ok()) << compiled.status().message();
  schema::ValidationResult result = (*compiled)->Validate(Doc());
  for (const schema::ValidationError& e : result) {
    ADD_FAILURE() << e.instance_path << " " << e.keyword << ": " << e.message << " ("
                  << e.schema_path << ")";
  }
  // The engine does check: broken copies are refused.
  bj::value wrong_version = Doc();
  wrong_version.as_object()["openapi"] = "3.0.3";
  EXPECT_FALSE((*compiled)->IsValid(wrong_version));
  bj::value unknown_member = Doc();
  unknown_member.at("paths")
      .as_object()
      .begin()
      ->value()
      .as_object()
      .begin()
      ->value()
      .as_object()["summery"] = "typo";
  EXPECT_FALSE((*compiled)->IsValid(unknown_member));
  bj::value bad_parameter = Doc();
  bad_parameter.at("components").at("parameters").at("SubscriptionId").as_object()["required"] =
      false;
  EXPECT_FALSE((*compiled)->IsValid(bad_parameter));
  // The official schema leaves Schema Objects to their dialect: each one is a 2020-12 schema.
  for (const auto& [name, s] : Doc().at("components").at("schemas").as_object()) {
    schema::CompileOptions strict;
    strict.default_dialect = schema::Dialect::kDraft2020_12;
    bj::object alone = s.as_object();
    alone["$schema"] = "https://json-schema.org/draft/2020-12/schema";
    alone["components"] = Doc().at("components");
    EXPECT_TRUE(schema::Schema::Compile(alone, strict).ok()) << name;
  }
}

// --- the document against the router -----------------------------------------------------------

class NoSealer : public service::SecretSealer {
 public:
  Status Seal(std::string_view, store::Secret&) const override {
    return UnavailableError("not in this test");
  }
  Result<std::string> Unseal(const store::Secret&) const override {
    return UnavailableError("not in this test");
  }
};

TEST(OpenApiDocumentTest, DocumentsEveryRouteOfTheRouterAndNoOther) {
  ASSERT_TRUE(access::Initialize().ok());
  auto store = store::Store::Open("sqlite::memory:");
  ASSERT_TRUE(store.ok()) << store.status().message();
  ASSERT_TRUE((*store)->Migrate().ok());
  service::SystemClock clock;
  NoSealer sealer;
  service::Service service(**store, catalog::Catalog::EmbeddedFiles(), clock, sealer);
  ASSERT_TRUE(service.Start().ok());
  api::ApiContext context{
      **store, service, clock, access::KeyedHasher(access::KeyMaterial::Generate()), {}};
  http::Router router;
  ASSERT_TRUE(api::RegisterRoutes(router, context).ok());
  std::set<std::string> registered, documented;
  for (const http::RouteInfo& r : router.ListRoutes()) {
    if (r.pattern.rfind("/api/", 0) == 0) registered.insert(r.method + " " + r.pattern);
  }
  for (const Op& op : Operations()) documented.insert(op.Name());
  for (const std::string& r : registered)
    EXPECT_TRUE(documented.contains(r)) << r << " is not documented";
  for (const std::string& d : documented)
    EXPECT_TRUE(registered.contains(d)) << d << " is documented but not routed";
  EXPECT_GE(registered.size(), 25u);
}

// --- the document against a running server ----------------------------------------------------

std::string MediaType(const ClientResponse& r) {
  std::string type = r.Header("Content-Type");
  return type.substr(0, type.find(';'));
}

class OpenApiServerTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string database;
    if (GetParam() == "postgres") {
      std::string why;
      database = testutil::TestPostgresUrl(&why);
      if (database.empty()) GTEST_SKIP() << "no PostgreSQL: " << why;
      std::string schema =
          "openapi_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++);
      RunCli("/usr/lib/postgresql/15/bin/psql -q '" + database + "' -c 'CREATE SCHEMA " + schema +
             "' >/dev/null 2>&1 || "
             "runuser -u postgres -- /usr/lib/postgresql/15/bin/psql -q '" +
             database + "' -c 'CREATE SCHEMA " + schema + "' >/dev/null 2>&1");
      database += (database.find('?') == std::string::npos ? "?" : "&") +
                  std::string("options=-csearch_path%3D") + schema;
    }
    auto server = testing::ServerProcess::Start(CAPCONF_BINARY, database);
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(*server);
    database_ = database;
    if (database_.empty()) {
      const std::string& out = server_->output();
      std::size_t at = out.find("database sqlite:");
      database_ = "sqlite:" + out.substr(at + 16, out.find(' ', at + 16) - at - 16);
    }
  }

  // The cast: the demo's three users, a buyer and a seller of other organisations; objects of
  // every kind the document names as owned: the demo buyer's subscription (with a saved
  // configuration holding a secret, and an API key) and file, and a draft offering of the demo
  // seller.
  void Cast() {
    for (auto [email, org, role] :
         {std::tuple{"rival-buyer@other.example", "Rival Buyers", "buyer"},
          std::tuple{"rival-seller@other.example", "Rival Sellers", "seller"}}) {
      std::string id =
          RunCli("printf '%s\\n' 'rival-password-1' | " + std::string(CAPCONF_BINARY) +
                 " user create --email " + email + " --role " + role + " --organization '" + org +
                 "' --password-stdin --database '" + database_ + "' 2>&1");
      ASSERT_EQ(id.size(), 26u) << id;
    }
    for (auto [browser, email, password] :
         {std::tuple{&buyer_, "buyer@demo.capconf.dev", kPassword},
          std::tuple{&seller_, "seller@demo.capconf.dev", kPassword},
          std::tuple{&operator_, "operator@demo.capconf.dev", kPassword},
          std::tuple{&rival_buyer_, "rival-buyer@other.example", "rival-password-1"},
          std::tuple{&rival_seller_, "rival-seller@other.example", "rival-password-1"}}) {
      *browser = std::make_unique<Browser>(server_->port());
      ClientResponse r = (*browser)->SignIn(email, password);
      ASSERT_EQ(r.status, 200) << email << ": " << r.body;
    }
    bj::value offerings = buyer_->Call("GET", "/api/v1/offerings").Json();
    for (const bj::value& o : offerings.at("offerings").as_array()) {
      if (o.at("template_id").as_string() == "research-agent")
        active_offering_ = o.at("id").as_string();
    }
    ASSERT_FALSE(active_offering_.empty());
    ClientResponse sub = buyer_->Call("POST", "/api/v1/subscriptions",
                                      bj::object{{"offering_id", active_offering_}});
    ASSERT_EQ(sub.status, 201) << sub.body;
    subscription_ = sub.Json().at("id").as_string();
    const std::string base = "/api/v1/subscriptions/" + subscription_;
    ClientResponse saved = buyer_->Call(
        "PUT", base + "/config", bj::parse(R"({"config": {"search_settings": {"max_results": 10},
                                 "web_search": {"provider": "brave", "api_key": "brave-secret-key-1234"}}})"),
        {{"If-Match", "\"r1\""}});
    ASSERT_EQ(saved.status, 200) << saved.body;
    ASSERT_EQ(saved.Json().at("secrets").as_array().size(), 1u) << saved.body;
    ClientResponse key =
        buyer_->Call("POST", base + "/api-keys",
                     bj::object{{"name", "tenancy"}, {"permissions", bj::array{"chat"}}});
    ASSERT_EQ(key.status, 201) << key.body;
    api_key_ = key.Json().at("id").as_string();
    ClientResponse file = buyer_->Raw("POST", "/api/v1/files?filename=handbook.txt",
                                      "The handbook.\n", {{"Content-Type", "text/plain"}});
    ASSERT_EQ(file.status, 201) << file.body;
    file_ = file.Json().at("id").as_string();
    ClientResponse draft =
        seller_->Call("POST", "/api/v1/offerings",
                      bj::object{{"template_id", "topic-assistant"}, {"name", "Not yet public"}});
    ASSERT_EQ(draft.status, 201) << draft.body;
    draft_offering_ = draft.Json().at("id").as_string();
  }

  Browser& ByRole(std::string_view role) {
    return role == "operator" ? *operator_ : role == "seller" ? *seller_ : *buyer_;
  }

  // Calls `op` as `who`, every parameter and the body filled from the document: {id} is the
  // owner's object (the buyer's subscription or file, the seller's draft offering) or the
  // parameter's example, {key} the subscription's API key, {revision} and {other} are 1,
  // required headers and query parameters their examples; a body that is not JSON is a line of
  // text.
  ClientResponse Call(Browser& who, const Op& op, std::map<std::string, bj::value> overrides = {}) {
    HeaderList headers;
    std::string target = Target(op, headers);
    if (std::string type = RawBodyMediaType(op); !type.empty()) {
      headers.push_back(
          {"Content-Type", type.find('*') == std::string::npos ? type : "text/plain"});
      return who.Raw(op.method, target, "A line of text.\n", headers);
    }
    return who.Call(op.method, target, ValidBody(op, std::move(overrides)), headers);
  }

  // A body valid for `op`'s documented schema (null when it takes no JSON body).
  bj::value ValidBody(const Op& op, std::map<std::string, bj::value> overrides = {}) {
    bj::value body = nullptr;
    if (const bj::value* s = RequestBodySchema(op)) {
      overrides.emplace("offering_id", bj::value(active_offering_));
      body = Instance(*s, overrides);
      EXPECT_EQ(Violations(*s, body), "") << op.Name() << ": the generated body is not valid";
    }
    return body;
  }

  // The path and query of a call of `op`, with the headers it requires added to `headers`.
  std::string Target(const Op& op, HeaderList& headers) {
    std::string path = op.path;
    std::string query;
    for (const bj::object* p : op.parameters()) {
      std::string name(p->at("name").as_string());
      std::string in(p->at("in").as_string());
      const bool required = p->contains("required") && p->at("required").as_bool();
      std::string value;
      if (in == "path" && name == "id" && op.owner() == "subscription") {
        value = subscription_;
      } else if (in == "path" && name == "id" && op.owner() == "offering") {
        value = draft_offering_;
      } else if (in == "path" && name == "id" && op.owner() == "file") {
        value = file_;
      } else if (in == "path" && name == "key" && op.owner() == "subscription") {
        value = api_key_;
      } else if (in == "path" && (name == "revision" || name == "other")) {
        value = "1";
      } else if (in == "header" && name == "If-Match") {
        value = "\"r1\"";
      } else if (in == "header" && name == "X-CSRF-Token") {
        continue;  // the Browser sends it
      } else if (required) {
        bj::value example = Instance(p->at("schema"), {});
        if (example.is_string())
          value = example.get_string();
        else if (example.is_int64())
          value = std::to_string(example.get_int64());
        else
          ADD_FAILURE() << op.Name() << ": no value for parameter " << name;
      } else {
        continue;
      }
      if (in == "path") {
        std::string token = "{" + name + "}";
        path.replace(path.find(token), token.size(), value);
      } else if (in == "query") {
        query += (query.empty() ? "?" : "&") + name + "=" + value;
      } else if (in == "header") {
        headers.push_back({name, value});
      }
    }
    EXPECT_EQ(path.find('{'), std::string::npos)
        << op.Name() << ": a path parameter is not declared";
    return path + query;
  }

  // The response is one the operation documents (404 and 403 by name, not as `default`), of the
  // documented media type, and valid against the documented schema.
  void ExpectDocumented(const Op& op, const ClientResponse& r, bool allow_default = true) {
    const bj::object& responses = op.at("responses");
    const bj::value* response = responses.if_contains(std::to_string(r.status));
    if (response == nullptr) {
      EXPECT_TRUE(allow_default) << op.Name() << " does not document " << r.status << ": "
                                 << r.body;
      response = responses.if_contains("default");
    }
    ASSERT_NE(response, nullptr) << op.Name() << " " << r.status;
    const bj::object& resolved = Deref(*response).as_object();
    const bj::value* content = resolved.if_contains("content");
    if (content == nullptr) {
      EXPECT_TRUE(r.body.empty()) << op.Name() << " " << r.status
                                  << " documents no body: " << r.body;
      return;
    }
    const bj::value* media = content->as_object().if_contains(MediaType(r));
    ASSERT_NE(media, nullptr) << op.Name() << " " << r.status << " documents no " << MediaType(r);
    if (!IsJsonMediaType(MediaType(r))) return;
    bj::value json = r.Json();
    ASSERT_FALSE(json.is_null()) << op.Name() << " " << r.status << ": not JSON: " << r.body;
    EXPECT_EQ(Violations(media->at("schema"), json), "")
        << op.Name() << " " << r.status << ": " << r.body;
  }

  std::unique_ptr<testing::ServerProcess> server_;
  std::string database_;
  std::unique_ptr<Browser> buyer_, seller_, operator_, rival_buyer_, rival_seller_;
  std::string active_offering_, subscription_, draft_offering_, api_key_, file_;
  static inline int counter_ = 0;
};

TEST_P(OpenApiServerTest, ServesThisDocumentWithoutAuthentication) {
  TestClient client(server_->port());
  auto r = client.Request("GET", "/api/v1/openapi.json");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(MediaType(*r), "application/json");
  EXPECT_EQ(r->Json(), Doc());
}

TEST_P(OpenApiServerTest, TenantScopedOperationsAnswer404ToEveryOtherOrganisation) {
  ASSERT_NO_FATAL_FAILURE(Cast());
  std::vector<std::string> failures;
  int checked = 0;
  for (const Op& op : Operations()) {
    if (!op.tenant_scoped()) continue;
    std::vector<std::pair<std::string, Browser*>> others;
    if (op.owner() == "subscription" || op.owner() == "file") {  // the demo buyer's
      others = {{"another buyer", rival_buyer_.get()},
                {"the seller", seller_.get()},
                {"the operator", operator_.get()}};
    } else {  // the demo seller's draft offering
      others = {{"another seller", rival_seller_.get()},
                {"the buyer", buyer_.get()},
                {"another buyer", rival_buyer_.get()},
                {"the operator", operator_.get()}};
    }
    for (auto& [who, browser] : others) {
      SCOPED_TRACE(op.Name() + " as " + who);
      ClientResponse r = Call(*browser, op);
      EXPECT_EQ(r.status, 404) << r.body;
      EXPECT_EQ(MediaType(r), "application/problem+json");
      ExpectDocumented(op, r, false);
      if (r.status != 404)
        failures.push_back(op.Name() + " as " + who + ": " + std::to_string(r.status) + " " +
                           r.body);
      ++checked;
    }
  }
  EXPECT_GE(checked, 40);
  for (const std::string& f : failures) std::printf("TENANT CHECK FAILED: %s\n", f.c_str());
  // Nothing changed for the owners.
  const std::string base = "/api/v1/subscriptions/" + subscription_;
  EXPECT_EQ(buyer_->Call("GET", base + "/config").Json().at("revision").as_int64(), 2);
  EXPECT_EQ(buyer_->Call("GET", base).Json().at("state").as_string(), "active");
  EXPECT_EQ(buyer_->Call("GET", base + "/secrets").Json().at("secrets").as_array().size(), 1u);
  EXPECT_TRUE(buyer_->Call("GET", base + "/api-keys")
                  .Json()
                  .at("api_keys")
                  .at(0)
                  .at("revoked_at")
                  .is_null());
  EXPECT_EQ(buyer_->Call("GET", "/api/v1/files/" + file_).status, 200);
  EXPECT_EQ(
      seller_->Call("GET", "/api/v1/offerings/" + draft_offering_).Json().at("state").as_string(),
      "draft");
  // The ids were right: the owners reach every one of these operations (reads first, deletes
  // last; the cancel may come before configuration writes, which then answer 409).
  for (const Op& op : ReadsFirstDeletesLast()) {
    if (!op.tenant_scoped()) continue;
    SCOPED_TRACE(op.Name() + " as the owner");
    ClientResponse r = Call(op.owner() == "offering" ? *seller_ : *buyer_, op);
    EXPECT_TRUE(r.status != 403 && r.status != 404 && r.status < 500) << r.status << " " << r.body;
    ExpectDocumented(op, r);
  }
}

TEST_P(OpenApiServerTest, OperationsRefuseTheRolesTheyDoNotList) {
  ASSERT_NO_FATAL_FAILURE(Cast());
  std::vector<std::string> failures;
  int checked = 0;
  for (const Op& op : Operations()) {
    auto roles = op.roles();
    if (!roles) continue;
    for (std::string_view role : kRoles) {
      if (roles->contains(std::string(role))) continue;
      SCOPED_TRACE(op.Name() + " as " + std::string(role));
      ClientResponse r = Call(ByRole(role), op);
      EXPECT_TRUE(r.status == 403 || r.status == 404) << r.status << " " << r.body;
      EXPECT_EQ(MediaType(r), "application/problem+json");
      ExpectDocumented(op, r, false);
      if (r.status != 403 && r.status != 404) {
        failures.push_back(op.Name() + " as " + std::string(role) + ": " +
                           std::to_string(r.status) + " " + r.body);
      }
      ++checked;
    }
  }
  EXPECT_GE(checked, 30);
  for (const std::string& f : failures) std::printf("ROLE CHECK FAILED: %s\n", f.c_str());
  // Every listed role is let through (a fresh sign-in per call: one of them signs out). The
  // caller is the owner of the object when there is one; for others the first role listed.
  for (const Op& op : ReadsFirstDeletesLast()) {
    auto roles = op.roles();
    if (!roles) continue;
    std::string role = op.owner() == "offering" ? "seller"
                       : op.owner().empty()     ? *roles->begin()
                                                : "buyer";
    ASSERT_TRUE(roles->contains(role)) << op.Name();
    SCOPED_TRACE(op.Name() + " as " + role);
    Browser fresh(server_->port());
    ASSERT_EQ(fresh.SignIn(role + "@demo.capconf.dev").status, 200);
    ClientResponse r = Call(fresh, op);
    EXPECT_TRUE(r.status != 401 && r.status != 403 && r.status != 404 && r.status < 500)
        << r.status << " " << r.body;
    ExpectDocumented(op, r);
  }
}

// Every write operation, called by a role it lists with bad input generated from its documented
// request body: malformed JSON, a body of the wrong type, an unknown member where the schema is
// closed, each member of the wrong type, a required member missing, a deeply nested and an
// oversized body. Each gets a documented 4xx problem with a detail, and afterwards everything
// every user can read is exactly as before.
TEST_P(OpenApiServerTest, BadInputOnEveryWriteOperationIsRefusedAndChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(Cast());
  const std::string base = "/api/v1/subscriptions/" + subscription_;
  auto state = [&]() {
    bj::object all;
    for (auto [who, path] : std::initializer_list<std::pair<Browser*, std::string>>{
             {buyer_.get(), "/api/v1/subscriptions"},
             {buyer_.get(), base + "/config"},
             {buyer_.get(), base + "/revisions"},
             {buyer_.get(), base + "/api-keys"},
             {buyer_.get(), base + "/secrets"},
             {buyer_.get(), "/api/v1/files"},
             {seller_.get(), "/api/v1/offerings"},
             {seller_.get(), "/api/v1/offerings/" + draft_offering_ + "/subscriptions"},
             {operator_.get(), "/api/v1/templates"},
             {buyer_.get(), "/api/v1/me"}}) {
      ClientResponse r = who->Call("GET", path);
      EXPECT_EQ(r.status, 200) << path << ": " << r.body;
      all[path] = r.Json();
    }
    return bj::value(std::move(all));
  };
  const bj::value before = state();

  int checked = 0;
  Browser anonymous(server_->port());
  for (const Op& op : Operations()) {
    if (op.method == "GET") continue;
    auto roles = op.roles();
    const std::string role = !roles                     ? "anyone"
                             : op.owner() == "offering" ? "seller"
                             : op.owner().empty()       ? *roles->begin()
                                                        : "buyer";
    Browser& who = roles ? ByRole(role) : anonymous;
    HeaderList headers;
    std::string target = Target(op, headers);
    for (auto& [name, value] : headers) {
      if (name == "If-Match") value = "*";  // the body, not the revision, is what is wrong
    }
    // 400 for what is not JSON, 413 for too big or too deep, 422 for JSON that is wrong.
    auto expect_refused = [&](std::string_view what, const ClientResponse& r, int status = 422) {
      SCOPED_TRACE(op.Name() + " as " + role + ": " + std::string(what));
      EXPECT_EQ(r.status, status) << r.body.substr(0, 300);
      EXPECT_EQ(MediaType(r), "application/problem+json");
      bj::value problem = r.Json();
      EXPECT_TRUE(problem.is_object() && problem.as_object().contains("detail") &&
                  !problem.at("detail").as_string().empty())
          << r.body.substr(0, 300);
      ExpectDocumented(op, r);
      ++checked;
    };
    auto send = [&](std::string_view body, std::string_view type) {
      HeaderList h = headers;
      h.push_back({"Content-Type", std::string(type)});
      return who.Raw(op.method, target, body, h);
    };

    if (std::string type = RawBodyMediaType(op); !type.empty()) {
      expect_refused("an empty body", send("", "text/plain"));
      expect_refused("an oversized body", send(std::string(12 << 20, 'a'), "text/plain"), 413);
      continue;
    }
    const bj::value* schema = RequestBodySchema(op);
    if (schema == nullptr) continue;  // nothing in the body to get wrong
    const bj::value valid = ValidBody(op);
    expect_refused("malformed JSON", send("{\"", "application/json"), 400);
    expect_refused("not JSON at all", send("name=value", "application/json"), 400);
    expect_refused("another media type", send(json::Serialize(valid), "text/plain"), 415);
    expect_refused("an array for an object", send("[1, 2]", "application/json"));
    expect_refused(
        "a deeply nested body",
        send("{\"x\": " + std::string(300, '[') + std::string(300, ']') + "}", "application/json"),
        413);
    expect_refused("an oversized body",
                   send("{\"x\": \"" + std::string(2 << 20, 'a') + "\"}", "application/json"), 413);

    const bj::object& s = Deref(*schema).as_object();
    const bj::value* props = s.if_contains("properties");
    const bj::value* closed = s.if_contains("additionalProperties");
    if (closed && closed->is_bool() && !closed->get_bool()) {
      bj::value extra = valid;
      extra.as_object()["surprise_member"] = 1;
      expect_refused("an unknown member", send(json::Serialize(extra), "application/json"));
    }
    if (const bj::value* required = s.if_contains("required")) {
      for (const bj::value& name : required->as_array()) {
        bj::value missing = valid;
        missing.as_object().erase(name.as_string());
        expect_refused("no " + std::string(name.as_string()),
                       send(json::Serialize(missing), "application/json"));
      }
    }
    if (props) {
      for (const auto& [name, member] : props->as_object()) {
        // A value of a type the member's schema does not allow.
        const bj::value& m = Deref(member);
        bj::value wrong = bj::value(12345);
        if (const bj::value* t = m.as_object().if_contains("type");
            t && t->is_string() && (t->get_string() == "integer" || t->get_string() == "number")) {
          wrong = "twelve";
        }
        bj::value body = valid;
        body.as_object()[name] = wrong;
        if (Violations(*schema, body).empty()) continue;  // the member takes anything
        expect_refused(std::string(name) + " of the wrong type",
                       send(json::Serialize(body), "application/json"));
      }
    }
  }
  EXPECT_GE(checked, 90);
  EXPECT_EQ(state(), before);
}

TEST_P(OpenApiServerTest, PublicOperationsNeedNoAuthentication) {
  ASSERT_NO_FATAL_FAILURE(Cast());
  for (const Op& op : Operations()) {
    if (op.roles()) continue;
    SCOPED_TRACE(op.Name());
    Browser anonymous(server_->port());
    ClientResponse r =
        Call(anonymous, op,
             {{"email", bj::value("buyer@demo.capconf.dev")}, {"password", bj::value(kPassword)}});
    EXPECT_EQ(r.status / 100, 2) << r.body;
    ExpectDocumented(op, r);
  }
  // And the others do.
  for (const Op& op : Operations()) {
    if (!op.roles()) continue;
    SCOPED_TRACE(op.Name());
    Browser anonymous(server_->port());
    ClientResponse r = Call(anonymous, op);
    EXPECT_EQ(r.status, 401) << r.body;
    ExpectDocumented(op, r, false);
  }
}

std::string BackendName(const ::testing::TestParamInfo<std::string>& backend) {
  return backend.param;
}
INSTANTIATE_TEST_SUITE_P(Backends, OpenApiServerTest, ::testing::Values("sqlite", "postgres"),
                         BackendName);

}  // namespace
}  // namespace capconf
