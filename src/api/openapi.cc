#include "openapi.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace capconf::api {
namespace bj = boost::json;

namespace {

// --- schema helpers ------------------------------------------------------------------------------

bj::object Ref(std::string_view name) {
  return bj::object{{"$ref", "#/components/schemas/" + std::string(name)}};
}
bj::object Str(std::string_view description = {}) {
  bj::object o{{"type", "string"}};
  if (!description.empty()) o["description"] = description;
  return o;
}
bj::object Example(bj::object schema, bj::value example) {
  schema["examples"] = bj::array{std::move(example)};
  return schema;
}
bj::object Int(std::string_view description = {}) {
  bj::object o{{"type", "integer"}};
  if (!description.empty()) o["description"] = description;
  return o;
}
bj::object Bool(std::string_view description = {}) {
  bj::object o{{"type", "boolean"}};
  if (!description.empty()) o["description"] = description;
  return o;
}
bj::object Time(std::string_view description = {}) {
  bj::object o{{"type", "string"}, {"format", "date-time"}};
  if (!description.empty()) o["description"] = description;
  return o;
}
bj::object ArrayOf(bj::object items) {
  return bj::object{{"type", "array"}, {"items", std::move(items)}};
}
bj::object Enum(std::initializer_list<std::string_view> values, std::string_view description = {}) {
  bj::array list;
  for (std::string_view v : values) list.push_back(bj::string(v));
  bj::object o{{"type", "string"}, {"enum", std::move(list)}};
  if (!description.empty()) o["description"] = description;
  return o;
}
bj::array Names(std::initializer_list<std::string_view> names) {
  bj::array out;
  for (std::string_view n : names) out.push_back(bj::string(n));
  return out;
}
// A response object (what the server returns; members may be added later, so no
// additionalProperties: false).
bj::object Obj(bj::object properties, std::initializer_list<std::string_view> required,
               std::string_view description = {}) {
  bj::object o{
      {"type", "object"}, {"properties", std::move(properties)}, {"required", Names(required)}};
  if (!description.empty()) o["description"] = description;
  return o;
}
// A request body object: members outside `properties` are answered with 422.
bj::object Closed(bj::object properties, std::initializer_list<std::string_view> required,
                  std::string_view description = {}) {
  bj::object o = Obj(std::move(properties), required, description);
  o["additionalProperties"] = false;
  return o;
}
bj::object Json(bj::object schema) {
  return bj::object{{"application/json", bj::object{{"schema", std::move(schema)}}}};
}

constexpr std::string_view kIdDescription = "an opaque identifier (26 characters)";

bj::object Schemas() {
  bj::object s;
  s["FieldError"] =
      Obj({{"pointer", Str("JSON Pointer of the offending member; of the configuration for "
                           "configuration errors, of the body otherwise")},
           {"keyword", Str("the JSON Schema keyword that failed (required, type, "
                           "additionalProperties, readOnly, ...) or `catalog`")},
           {"message", Str()}},
          {"pointer", "keyword", "message"}, "one validation error");
  s["Problem"] =
      Obj({{"type", Example(bj::object{{"type", "string"},
                                       {"format", "uri"},
                                       {"description", "https://capconf.dev/problems/<suffix>"}},
                            "https://capconf.dev/problems/not-found")},
           {"title", Str()},
           {"status", bj::object{{"type", "integer"}, {"minimum", 100}, {"maximum", 599}}},
           {"detail", Str()},
           {"instance", bj::object{{"type", "string"},
                                   {"format", "uri-reference"},
                                   {"description", "the request path"}}},
           {"request_id", Str("the X-Request-Id of the request, also in the server's logs")},
           {"errors", bj::object{{"type", "array"},
                                 {"items", Ref("FieldError")},
                                 {"description", "validation errors (422)"}}}},
          {"type", "title", "status"}, "an RFC 9457 problem document");
  s["CapabilityRefusedProblem"] = bj::object{
      {"allOf",
       bj::array{Ref("Problem"),
                 bj::object{{"properties",
                             bj::object{{"problems",
                                         ArrayOf(Obj({{"capability", Str()}, {"message", Str()}},
                                                     {"capability", "message"}))}}}}}},
      {"if",
       bj::object{
           {"properties",
            bj::object{{"type",
                        bj::object{{"const", "https://capconf.dev/problems/capability-refused"}}}}},
           {"required", bj::array{"type"}}}},
      {"then", bj::object{{"required", bj::array{"problems"}}}},
      {"description",
       "a problem; capability-refused (the change breaks a rule of the template) says which in "
       "`problems`"}};

  // --- session and users ---
  s["Role"] = Enum({"operator", "seller", "buyer"});
  s["User"] = Obj({{"id", Str(kIdDescription)},
                   {"email", bj::object{{"type", "string"}, {"format", "email"}}},
                   {"display_name", Str()},
                   {"role", Ref("Role")},
                   {"organization_id", Str()}},
                  {"id", "email", "display_name", "role", "organization_id"});
  s["Me"] = bj::object{
      {"allOf",
       bj::array{Ref("User"),
                 bj::object{{"properties",
                             bj::object{{"organization",
                                         Obj({{"id", Str()},
                                              {"name", Str()},
                                              {"kind", Enum({"operator", "seller", "buyer"})}},
                                             {"id", "name", "kind"})}}}}}}};
  s["SignIn"] = Closed({{"email", Example(Str(), "someone@example.com")},
                        {"password", Example(Str(), "correct horse battery staple")}},
                       {"email", "password"});
  s["Session"] =
      Obj({{"user", Ref("User")},
           {"csrf_token",
            Str("echo it in X-CSRF-Token on every unsafe request made with the session cookie")}},
          {"user", "csrf_token"});

  // --- catalog ---
  s["Capability"] = Obj(
      {{"id", Str()},
       {"label", Str()},
       {"description", Str()},
       {"runtime", Str()},
       {"config_required", Bool()},
       {"universal", Bool("every template has it")},
       {"credit_actions", ArrayOf(Obj({{"action", Str()}, {"label", Str()}, {"description", Str()}},
                                      {"action", "label", "description"}))},
       {"needs", ArrayOf(Obj({{"id", Str()},
                              {"message", Str()},
                              {"kind", Enum({"config", "secret", "resource"})},
                              {"resource", Str()},
                              {"pointer", Str()}},
                             {"id", "message", "kind"}))},
       {"schema", bj::object{{"type", "object"}, {"description", "the capability's JSON Schema"}}},
       {"ui_schema", bj::object{{"type", "object"}}}},
      {"id", "label", "description", "runtime", "config_required", "universal", "credit_actions",
       "needs", "schema", "ui_schema"});
  s["CreditCosts"] =
      bj::object{{"type", "object"},
                 {"additionalProperties",
                  bj::object{{"type", "integer"}, {"minimum", 0}, {"maximum", 1000000}}},
                 {"description", "credits per action"}};
  s["Template"] = Obj(
      {{"template_id", Str()},
       {"version", Int()},
       {"name", Str()},
       {"description", Str()},
       {"category", Str()},
       {"capabilities", ArrayOf(Obj({{"id", Str()},
                                     {"label", Str()},
                                     {"description", Str()},
                                     {"default", Bool("enabled in a new subscription")}},
                                    {"id", "label", "description", "default"}))},
       {"credit_costs", Ref("CreditCosts")},
       {"sections", ArrayOf(Obj({{"key", Str()},
                                 {"title", Str()},
                                 {"capability", bj::object{{"type", bj::array{"string", "null"}}}}},
                                {"key", "title", "capability"}))},
       {"allowed_sets", bj::object{{"type", "array"},
                                   {"items", ArrayOf(Str())},
                                   {"description", "every capability set the rules allow"}}},
       {"langflow_flow_id", Str()}},
      {"template_id", "version", "name", "description", "category", "capabilities", "credit_costs",
       "sections", "allowed_sets", "langflow_flow_id"});
  s["TemplateVersions"] = Obj({{"template_id", Str()}, {"versions", ArrayOf(Ref("Template"))}},
                              {"template_id", "versions"});
  s["TemplateDocument"] = Closed(
      {{"template_id", Example(bj::object{{"type", "string"}, {"pattern", "^[a-z0-9][a-z0-9-]*$"}},
                               "acme-helper")},
       {"version",
        Example(
            bj::object{{"type", "integer"},
                       {"minimum", 1},
                       {"maximum", 1000000},
                       {"description",
                        "the next version of the id (1 for a new one); versions are immutable"}},
            1)},
       {"name", Example(bj::object{{"type", "string"}, {"minLength", 1}}, "Acme Helper")},
       {"description", Str()},
       {"category", Enum({"agents", "apps", "assistants", "automations"})},
       {"capabilities", ArrayOf(Str("a capability id that is not universal"))},
       {"default_capabilities", ArrayOf(Str())},
       {"langflow_flow_id",
        Example(bj::object{{"type", "string"}, {"minLength", 1}}, "acme-helper-v1")},
       {"credit_costs", Ref("CreditCosts")},
       {"config_schema",
        bj::object{{"type", "object"},
                   {"description",
                    "an allOf of capability references (`capability:<id>`) and inline sections"}}},
       {"supports_dedicated_runtime", Bool()},
       {"ui_schema", bj::object{{"type", "object"}}}},
      {"template_id", "version", "name", "category", "capabilities", "default_capabilities",
       "langflow_flow_id", "credit_costs", "config_schema"},
      "a catalog template file; the server runs the catalog check on it (422 with every finding)");

  // --- offerings ---
  s["OfferingState"] = Enum({"draft", "active", "archived"});
  s["Offering"] = Obj({{"id", Str(kIdDescription)},
                       {"organization_id", Str("the seller's organisation")},
                       {"template_id", Str()},
                       {"template_version", Int()},
                       {"name", Str()},
                       {"description", Str()},
                       {"credit_costs", Ref("CreditCosts")},
                       {"state", Ref("OfferingState")},
                       {"created_at", Time()},
                       {"updated_at", Time()}},
                      {"id", "organization_id", "template_id", "template_version", "name",
                       "description", "credit_costs", "state", "created_at", "updated_at"});
  s["NewOffering"] = Closed(
      {{"template_id", Example(Str(), "topic-assistant")},
       {"template_version", Int("the template's newest version when absent")},
       {"name", Example(bj::object{{"type", "string"}, {"minLength", 1}, {"maxLength", 200}},
                        "Acme Topic Assistant")},
       {"description", bj::object{{"type", "string"}, {"maxLength", 5000}}},
       {"credit_costs",
        bj::object{{"allOf", bj::array{Ref("CreditCosts")}},
                   {"description",
                    "overrides of the template's costs, for actions its capabilities bring"}}}},
      {"template_id", "name"}, "a new offering, created as a draft");
  s["OfferingStateChange"] = Closed({{"state", Example(Ref("OfferingState"), "active")}}, {"state"},
                                    "an archived offering stays archived");
  s["OfferingList"] = Obj({{"offerings", ArrayOf(Ref("Offering"))}}, {"offerings"});

  // --- subscriptions ---
  s["Subscription"] =
      Obj({{"id", Str(kIdDescription)},
           {"offering_id", Str()},
           {"organization_id", Str("the buyer's organisation")},
           {"state", Enum({"active", "cancelled"})},
           {"created_at", Time()},
           {"cancelled_at",
            bj::object{{"type", bj::array{"string", "null"}}, {"format", "date-time"}}}},
          {"id", "offering_id", "organization_id", "state", "created_at", "cancelled_at"});
  s["NewSubscription"] =
      Closed({{"offering_id", Example(Str("an active offering"), "01JOFFERING0000000000000000")}},
             {"offering_id"});
  s["SubscriptionSummary"] = Obj(
      {{"id", Str(kIdDescription)},
       {"offering_id", Str()},
       {"organization_id", Str("the buyer's organisation")},
       {"state", Enum({"active", "cancelled"})},
       {"created_at", Time()},
       {"cancelled_at", bj::object{{"type", bj::array{"string", "null"}}, {"format", "date-time"}}},
       {"offering_name", Str()},
       {"template_id", Str()},
       {"template_version", bj::object{{"type", "integer"}, {"minimum", 1}}},
       {"organization_name", Str("the buyer organisation's name")},
       {"is_configured", bj::object{{"type", "boolean"}}},
       {"revision", bj::object{{"type", "integer"}, {"minimum", 1}}}},
      {"id", "offering_id", "organization_id", "state", "created_at", "cancelled_at",
       "offering_name", "template_id", "template_version", "organization_name", "is_configured",
       "revision"},
      "a subscription with what a list shows of it");
  s["SubscriptionList"] =
      Obj({{"subscriptions", ArrayOf(Ref("SubscriptionSummary"))}}, {"subscriptions"});

  // --- configuration ---
  s["ConfigView"] = Obj(
      {{"subscription_id", Str()},
       {"template_id", Str()},
       {"template_version", Int()},
       {"enabled_capabilities", ArrayOf(Str())},
       {"config", bj::object{{"type", "object"},
                             {"description",
                              "the configuration, without secrets; shaped by the form's schema"}}},
       {"revision", bj::object{{"type", "integer"}, {"minimum", 1}}},
       {"is_configured", Bool("valid and nothing missing")},
       {"missing",
        ArrayOf(
            Obj({{"capability", Str()}, {"need", Str()}, {"message", Str()}, {"pointer", Str()}},
                {"capability", "need", "message"}))},
       {"errors", ArrayOf(Ref("FieldError"))},
       {"secrets", ArrayOf(Obj({{"pointer", Str()},
                                {"set", bj::object{{"const", true}}},
                                {"last4", Str()},
                                {"updated_at", Time()}},
                               {"pointer", "set", "last4", "updated_at"}))},
       {"updated_at", Time()},
       {"updated_by", Str("a user id")}},
      {"subscription_id", "template_id", "template_version", "enabled_capabilities", "config",
       "revision", "is_configured", "missing", "errors", "secrets", "updated_at", "updated_by"});
  s["Form"] =
      Obj({{"schema",
            bj::object{{"type", "object"}, {"description", "the bundled JSON Schema of the form"}}},
           {"ui_schema",
            bj::object{{"type", "object"}, {"description", "the react-jsonschema-form uiSchema"}}},
           {"form_data", bj::object{{"type", "object"}}},
           {"revision", Int()},
           {"enabled_capabilities", ArrayOf(Str())}},
          {"schema", "ui_schema", "form_data", "revision", "enabled_capabilities"});
  s["SaveConfig"] = Closed(
      {{"config", Example(bj::object{{"type", "object"},
                                     {"description",
                                      "the whole configuration, valid against the form's schema; "
                                      "an empty secret leaves the stored one alone"}},
                          bj::object{})}},
      {"config"},
      "the server-owned members of a configuration view (revision, is_configured, ...) are refused "
      "as read-only");
  s["CapabilityChange"] = Closed(
      {{"enable", ArrayOf(Str("a capability id"))}, {"disable", ArrayOf(Str("a capability id"))}},
      {}, "a capability may not be both enabled and disabled");
  s["Revision"] = Obj(
      {{"revision", Int()},
       {"enabled_capabilities", ArrayOf(Str())},
       {"is_configured", Bool()},
       {"created_at", Time()},
       {"created_by", Str("a user id")},
       {"note", Str("created, saved, capabilities, restored from N")}},
      {"revision", "enabled_capabilities", "is_configured", "created_at", "created_by", "note"});
  s["RevisionWithConfig"] = bj::object{
      {"allOf",
       bj::array{Ref("Revision"), Obj({{"config", bj::object{{"type", "object"}}}}, {"config"})}}};
  s["RevisionListItem"] = bj::object{
      {"allOf",
       bj::array{Ref("Revision"),
                 Obj({{"created_by_name",
                       bj::object{{"type", bj::array{"string", "null"}},
                                  {"description",
                                   "the author's display name when they belong to the caller's "
                                   "organisation, else null"}}}},
                     {"created_by_name"})}}};
  s["RevisionList"] =
      Obj({{"revisions", ArrayOf(Ref("RevisionListItem"))}}, {"revisions"}, "newest first");
  s["RevisionDiff"] =
      Obj({{"from", Int()},
           {"to", Int()},
           {"enabled", ArrayOf(Str())},
           {"disabled", ArrayOf(Str())},
           {"changes",
            ArrayOf(Obj({{"op", Enum({"add", "remove", "replace"})},
                         {"path", Str("JSON Pointer into the configuration")},
                         {"from", bj::object{{"description", "the old value (remove, replace)"}}},
                         {"to", bj::object{{"description", "the new value (add, replace)"}}}},
                        {"op", "path"}))}},
          {"from", "to", "enabled", "disabled", "changes"});
  s["EmbedCode"] =
      Obj({{"subscription_id", Str()},
           {"enabled", bj::object{{"type", "boolean"}}},
           {"reason", bj::object{{"type", bj::array{"string", "null"}}}},
           {"script_url", bj::object{{"type", bj::array{"string", "null"}}, {"format", "uri"}}},
           {"html", bj::object{{"type", bj::array{"string", "null"}}}},
           {"is_configured", bj::object{{"type", "boolean"}}}},
          {"subscription_id", "enabled", "reason", "script_url", "html", "is_configured"},
          "a <script> tag to paste into the website's pages; html and script_url are null, and "
          "reason says why, while the widget capability is off");
  s["SyncTargetStatus"] = Obj(
      {{"target", Enum({"langflow", "ragflow"})},
       {"state", Enum({"pending", "syncing", "in_sync", "failing", "dead"})},
       {"desired_revision", Int()},
       {"applied_revision",
        bj::object{{"type", "integer"},
                   {"description", "the newest revision the target has; 0 before the first"}}},
       {"attempts", Int()},
       {"last_error", bj::object{{"type", bj::array{"string", "null"}},
                                 {"description", "why the last attempt failed, in plain words"}}},
       {"message", bj::object{{"type", bj::array{"string", "null"}}}},
       {"progress", bj::object{{"type", bj::array{"string", "null"}}}},
       {"next_attempt_at",
        bj::object{{"type", bj::array{"string", "null"}}, {"format", "date-time"}}},
       {"resources", bj::object{{"type", "object"}, {"additionalProperties", Str()}}},
       {"updated_at", bj::object{{"type", "string"}, {"format", "date-time"}}}},
      {"target", "state", "desired_revision", "applied_revision", "attempts", "last_error",
       "message", "progress", "next_attempt_at", "resources", "updated_at"},
      "one outside system's copy of the configuration");
  s["SyncStatus"] = Obj({{"subscription_id", Str()},
                         {"in_sync", bj::object{{"type", "boolean"}}},
                         {"targets", ArrayOf(Ref("SyncTargetStatus"))}},
                        {"subscription_id", "in_sync", "targets"},
                        "in_sync is true when every target has the newest revision");
  s["CreditCost"] =
      Obj({{"action", Str()}, {"credits", bj::object{{"type", "integer"}, {"minimum", 0}}}},
          {"action", "credits"}, "an unknown action costs the template's default (1)");

  // --- API keys and secrets of a subscription ---
  s["Permission"] = Enum({"chat", "upload", "config"});
  s["NewApiKey"] = Closed(
      {{"name",
        Example(bj::object{{"type", "string"}, {"minLength", 1}, {"maxLength", 100}}, "website")},
       {"permissions",
        Example(bj::object{{"type", "array"}, {"items", Ref("Permission")}, {"minItems", 1}},
                bj::array{"chat"})}},
      {"name", "permissions"},
      "needs API Access enabled and an active subscription (409 otherwise); the server-owned "
      "members are refused "
      "as read-only");
  s["ApiKey"] = Obj(
      {{"id", Str(kIdDescription)},
       {"name", Str()},
       {"prefix", Str("the start of the key, to recognise it")},
       {"permissions", ArrayOf(Ref("Permission"))},
       {"created_at", Time()},
       {"last_used", bj::object{{"type", bj::array{"string", "null"}}, {"format", "date-time"}}},
       {"revoked_at", bj::object{{"type", bj::array{"string", "null"}}, {"format", "date-time"}}}},
      {"id", "name", "prefix", "permissions", "created_at", "last_used", "revoked_at"});
  s["NewApiKeyCreated"] =
      Obj({{"id", Str(kIdDescription)},
           {"name", Str()},
           {"prefix", Str()},
           {"permissions", ArrayOf(Ref("Permission"))},
           {"created_at", Time()},
           {"secret", Str("the key itself: shown this once, only its keyed hash is stored")}},
          {"id", "name", "prefix", "permissions", "created_at", "secret"});
  s["ApiKeyList"] =
      Obj({{"api_keys", ArrayOf(Ref("ApiKey"))}}, {"api_keys"}, "revoked keys included");
  s["Secret"] = Obj({{"pointer", Str("where the secret sits in the configuration")},
                     {"set", bj::object{{"const", true}}},
                     {"last4", Str()},
                     {"updated_at", Time()},
                     {"updated_by", Str("a user id")}},
                    {"pointer", "set", "last4", "updated_at", "updated_by"},
                    "a write-only value: never its text");
  s["SecretList"] = Obj({{"secrets", ArrayOf(Ref("Secret"))}}, {"secrets"});

  // --- files ---
  s["File"] = Obj(
      {{"id", Str(kIdDescription)},
       {"filename", Str()},
       {"content_type", Str("decided by the bytes, not by what the client sent")},
       {"size", bj::object{{"type", "integer"}, {"minimum", 1}}},
       {"sha256", bj::object{{"type", "string"}, {"pattern", "^[0-9a-f]{64}$"}}},
       {"purpose", Enum({"document", "avatar"})},
       {"created_at", Time()},
       {"created_by", Str("a user id")},
       {"public_url", Str("avatars only: the absolute URL of /public/avatars/{id} on this server, "
                          "served to anyone")}},
      {"id", "filename", "content_type", "size", "sha256", "purpose", "created_at", "created_by"});
  s["FileList"] =
      Obj({{"files", ArrayOf(Ref("File"))}}, {"files"}, "the files of the caller's organisation");

  // --- meta ---
  s["CapabilityList"] = Obj({{"capabilities", ArrayOf(Ref("Capability"))}}, {"capabilities"});
  s["TemplateList"] = Obj({{"templates", ArrayOf(Ref("Template"))}}, {"templates"},
                          "the newest version of each template");
  s["OpenApiDocument"] =
      Obj({{"openapi", bj::object{{"type", "string"}, {"pattern", "^3\\.1\\.\\d+$"}}},
           {"info", bj::object{{"type", "object"}}},
           {"paths", bj::object{{"type", "object"}}}},
          {"openapi", "info", "paths"}, "this document");
  return s;
}

bj::object ProblemContent(std::string_view schema = "Problem") {
  return bj::object{{"application/problem+json", bj::object{{"schema", Ref(schema)}}}};
}
bj::object ProblemResponse(std::string_view description, std::string_view schema = "Problem") {
  return bj::object{{"description", description}, {"content", ProblemContent(schema)}};
}

bj::object Responses() {
  bj::object r;
  r["BadRequest"] = ProblemResponse(
      "malformed-json: the body is not JSON; bad-query: a query parameter is wrong");
  bj::object unauthenticated = ProblemResponse(
      "unauthenticated: no session or bearer token, or one that is unknown, expired or revoked");
  unauthenticated["headers"] = bj::object{{"WWW-Authenticate", bj::object{{"schema", Str()}}}};
  r["Unauthenticated"] = std::move(unauthenticated);
  r["Forbidden"] = ProblemResponse(
      "csrf: a cookie-authenticated unsafe request without the right X-CSRF-Token; "
      "permission-denied: the caller's role may not do this");
  r["NotFound"] =
      ProblemResponse("not-found: there is no such object, or it belongs to another organisation");
  r["Conflict"] = ProblemResponse(
      "failed-precondition or already-exists: the object's state does not allow it");
  r["PreconditionFailed"] =
      ProblemResponse("stale-revision: If-Match does not name the current revision");
  r["ContentTooLarge"] = ProblemResponse("the body is over 1 MiB or nested deeper than 64");
  r["UnsupportedMediaType"] = ProblemResponse("unsupported-media-type: send application/json");
  r["UnprocessableContent"] = ProblemResponse(
      "validation: unknown, read-only, missing or mistyped members; "
      "`errors` says where");
  r["PreconditionRequired"] =
      ProblemResponse("precondition-required: send If-Match with the ETag of the configuration");
  r["Error"] = ProblemResponse("any other failure (429 with Retry-After, 5xx)");
  return r;
}

bj::object Parameters() {
  bj::object p;
  auto path = [](std::string_view name, bj::object schema, std::string_view description) {
    return bj::object{{"name", name},
                      {"in", "path"},
                      {"required", true},
                      {"description", description},
                      {"schema", std::move(schema)}};
  };
  p["SubscriptionId"] = path("id", Str(), "a subscription of the caller's organisation");
  p["OfferingId"] = path("id", Str(), "an offering");
  p["TemplateId"] = path("id", Example(Str(), "topic-assistant"), "a template id");
  p["Revision"] =
      path("revision", bj::object{{"type", "integer"}, {"minimum", 1}}, "a revision number");
  p["OtherRevision"] = path("other", bj::object{{"type", "integer"}, {"minimum", 1}},
                            "the revision to compare with");
  p["ApiKeyId"] = path("key", Str(), "an API key of the subscription");
  p["FileId"] = path("id", Str(), "a file of the caller's organisation");
  p["SyncTarget"] =
      path("target", Enum({"langflow", "ragflow"}), "an outside system the agent is synced to");
  bj::object etag{{"type", "string"}, {"pattern", "^(\\*|\"r[0-9]+\")$"}};
  p["IfMatch"] = bj::object{
      {"name", "If-Match"},
      {"in", "header"},
      {"required", true},
      {"description",
       "the ETag of the configuration the change is based on (428 without it, 412 when stale); "
       "`*` saves over whatever is current"},
      {"schema", etag}};
  p["IfMatchOptional"] = bj::object{
      {"name", "If-Match"},
      {"in", "header"},
      {"required", false},
      {"description",
       "when sent, the ETag of the current configuration (412 when stale); `*` is no condition"},
      {"schema", etag}};
  p["IfNoneMatch"] = bj::object{{"name", "If-None-Match"},
                                {"in", "header"},
                                {"required", false},
                                {"description", "304 without a body when it is the current ETag"},
                                {"schema", Str()}};
  p["CsrfToken"] =
      bj::object{{"name", "X-CSRF-Token"},
                 {"in", "header"},
                 {"required", false},
                 {"description",
                  "required with cookieAuth (the csrf_token of the sign-in, also in the "
                  "capconf_csrf cookie); not used with bearerAuth"},
                 {"schema", Str()}};
  return p;
}

constexpr std::string_view kAllRoles[] = {"operator", "seller", "buyer"};

struct Operation {
  std::string method;  // lower case
  std::string path;
  std::string id, summary, description, tag;
  std::vector<std::string_view> roles;       // empty: public (no authentication)
  std::string owner;                         // "subscription" / "offering": tenant-scoped
  std::vector<std::string_view> parameters;  // names in components/parameters
  std::vector<bj::object> query;             // inline query parameters
  std::optional<bj::object> body;            // the request body schema (JSON)
  std::optional<bj::object> body_content;    // or a request body of other media types
  std::string body_description;
  int success = 200;
  std::string success_description;
  std::optional<bj::object> success_schema;   // nullopt: no content (or success_content)
  std::optional<bj::object> success_content;  // content of other media types
  bj::object success_headers;
  bool etag = false;
  bool set_cookies = false;
  bool not_modified = false;
  std::vector<int> errors;      // besides 401/403-csrf, which follow from the rest
  std::string conflict_schema;  // a more specific schema for 409
};

bj::object Build(const Operation& op) {
  const bool is_public = op.roles.empty();
  const bool unsafe = op.method != "get";
  bj::object o{
      {"operationId", op.id}, {"summary", op.summary}, {"tags", bj::array{bj::string(op.tag)}}};
  if (!op.description.empty()) o["description"] = op.description;
  bj::array params;
  for (std::string_view name : op.parameters) {
    params.push_back(bj::object{{"$ref", "#/components/parameters/" + std::string(name)}});
  }
  for (const bj::object& q : op.query) params.push_back(q);
  if (unsafe && !is_public)
    params.push_back(bj::object{{"$ref", "#/components/parameters/CsrfToken"}});
  if (!params.empty()) o["parameters"] = std::move(params);
  if (op.body || op.body_content) {
    bj::object body{{"required", true}, {"content", op.body ? Json(*op.body) : *op.body_content}};
    if (!op.body_description.empty()) body["description"] = op.body_description;
    o["requestBody"] = std::move(body);
  }
  bj::object responses;
  bj::object ok{{"description", op.success_description}};
  bj::object headers = op.success_headers;
  if (op.etag) {
    headers["ETag"] =
        bj::object{{"description", "the configuration's revision, for If-Match and If-None-Match"},
                   {"schema", bj::object{{"type", "string"}, {"pattern", "^\"r[0-9]+\"$"}}}};
  }
  if (op.set_cookies) {
    headers["Set-Cookie"] =
        bj::object{{"description", "capconf_session (HttpOnly) and capconf_csrf, SameSite=Strict"},
                   {"schema", Str()}};
  }
  if (!headers.empty()) ok["headers"] = std::move(headers);
  if (op.success_schema) ok["content"] = Json(*op.success_schema);
  if (op.success_content) ok["content"] = *op.success_content;
  responses[std::to_string(op.success)] = std::move(ok);
  if (op.not_modified) {
    responses["304"] = bj::object{{"description", "If-None-Match names the current revision"},
                                  {"headers", bj::object{{"ETag", bj::object{{"schema", Str()}}}}}};
  }
  std::vector<int> codes = op.errors;
  if (!is_public) {
    codes.push_back(401);
    if (unsafe || op.roles.size() < std::size(kAllRoles)) codes.push_back(403);
  }
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  for (int code : codes) {
    std::string_view name;
    switch (code) {
      case 400:
        name = "BadRequest";
        break;
      case 401:
        name = "Unauthenticated";
        break;
      case 403:
        name = "Forbidden";
        break;
      case 404:
        name = "NotFound";
        break;
      case 409:
        name = "Conflict";
        break;
      case 412:
        name = "PreconditionFailed";
        break;
      case 413:
        name = "ContentTooLarge";
        break;
      case 415:
        name = "UnsupportedMediaType";
        break;
      case 422:
        name = "UnprocessableContent";
        break;
      case 428:
        name = "PreconditionRequired";
        break;
      default:
        name = "Error";
        break;
    }
    if (code == 409 && !op.conflict_schema.empty()) {
      responses["409"] =
          ProblemResponse("capability-refused (with `problems`), or the subscription is cancelled",
                          op.conflict_schema);
      continue;
    }
    responses[std::to_string(code)] =
        bj::object{{"$ref", "#/components/responses/" + std::string(name)}};
  }
  responses["default"] = bj::object{{"$ref", "#/components/responses/Error"}};
  o["responses"] = std::move(responses);
  if (is_public) {
    o["security"] = bj::array{};
  } else {
    bj::array roles;
    for (std::string_view r : op.roles) roles.push_back(bj::string(r));
    o["x-capconf-roles"] = std::move(roles);
  }
  o["x-capconf-tenant-scoped"] = !op.owner.empty();
  if (!op.owner.empty()) o["x-capconf-owner"] = op.owner;
  return o;
}

std::vector<Operation> Operations() {
  const std::vector<std::string_view> all(std::begin(kAllRoles), std::end(kAllRoles));
  const std::vector<std::string_view> publishers = {"operator", "seller"};
  const std::vector<std::string_view> buyers = {"buyer"};
  const std::vector<int> body_errors = {400, 413, 415, 422};
  auto with = [](std::vector<int> a, std::initializer_list<int> b) {
    a.insert(a.end(), b);
    return a;
  };
  auto query = [](std::string_view name, bool required, bj::object schema,
                  std::string_view description) {
    return bj::object{{"name", name},
                      {"in", "query"},
                      {"required", required},
                      {"description", description},
                      {"schema", std::move(schema)}};
  };
  constexpr std::string_view kSub = "subscription";
  constexpr std::string_view kOff = "offering";
  std::vector<Operation> ops;
  auto add = [&ops](std::string method, std::string path, std::string id,
                    std::string summary) -> Operation& {
    Operation& op = ops.emplace_back();
    op.method = std::move(method);
    op.path = std::move(path);
    op.id = std::move(id);
    op.summary = std::move(summary);
    return op;
  };

  // --- session ---
  {
    Operation& op =
        add("post", "/api/v1/session", "createSession", "Sign in with email and password");
    op.description =
        "Sets the session cookie and returns the CSRF token. The same answer whether the email or "
        "the "
        "password is wrong.";
    op.tag = "session";
    op.body = Ref("SignIn");
    op.success_description = "signed in";
    op.success_schema = Ref("Session");
    op.set_cookies = true;
    op.errors = with(body_errors, {401});
  }
  {
    Operation& op = add("delete", "/api/v1/session", "deleteSession", "Sign out");
    op.description = "Ends the session of the cookie and clears the cookies.";
    op.tag = "session";
    op.roles = all;
    op.success = 204;
    op.success_description = "signed out";
    op.set_cookies = true;
  }
  {
    Operation& op = add("get", "/api/v1/me", "getMe", "The signed-in user and organisation");
    op.tag = "session";
    op.roles = all;
    op.success_description = "the caller";
    op.success_schema = Ref("Me");
  }
  {
    Operation& op =
        add("get", "/api/v1/openapi.json", "getOpenApiDocument", "This OpenAPI document");
    op.tag = "meta";
    op.success_description = "the OpenAPI 3.1 description of the API";
    op.success_schema = Ref("OpenApiDocument");
  }

  // --- catalog ---
  {
    Operation& op =
        add("get", "/api/v1/capabilities", "listCapabilities", "Every capability of the catalog");
    op.tag = "catalog";
    op.roles = all;
    op.success_description = "the capabilities";
    op.success_schema = Ref("CapabilityList");
  }
  {
    Operation& op =
        add("get", "/api/v1/templates", "listTemplates", "The newest version of every template");
    op.tag = "catalog";
    op.roles = all;
    op.success_description = "the templates";
    op.success_schema = Ref("TemplateList");
  }
  {
    Operation& op =
        add("get", "/api/v1/templates/{id}", "getTemplate", "Every version of a template");
    op.tag = "catalog";
    op.roles = all;
    op.parameters = std::vector<std::string_view>{"TemplateId"};
    op.success_description = "the template's versions";
    op.success_schema = Ref("TemplateVersions");
    op.errors = std::vector<int>{404};
  }
  {
    Operation& op =
        add("post", "/api/v1/templates", "publishTemplate", "Publish a template version");
    op.description =
        "The catalog check runs on the document together with the whole catalog; its findings come "
        "back as `errors` of a 422. 400 for a version that is not the next one, 409 for one that "
        "exists.";
    op.tag = "catalog";
    op.roles = publishers;
    op.body = Ref("TemplateDocument");
    op.success = 201;
    op.success_description = "published";
    op.success_schema = Ref("Template");
    op.errors = std::vector<int>{400, 409, 413, 422};
  }

  // --- offerings ---
  {
    Operation& op = add("get", "/api/v1/offerings", "listOfferings", "Offerings");
    op.description =
        "A seller sees its own offerings in every state; anyone else every active offering.";
    op.tag = "offerings";
    op.roles = all;
    op.success_description = "the offerings";
    op.success_schema = Ref("OfferingList");
  }
  {
    Operation& op =
        add("post", "/api/v1/offerings", "createOffering", "Create an offering (as a draft)");
    op.tag = "offerings";
    op.roles = publishers;
    op.body = Ref("NewOffering");
    op.success = 201;
    op.success_description = "created";
    op.success_schema = Ref("Offering");
    op.errors = body_errors;
  }
  {
    Operation& op = add("get", "/api/v1/offerings/{id}", "getOffering", "An offering");
    op.description =
        "An active offering is visible to every signed-in user; a draft or archived one only to "
        "its "
        "seller's organisation (404 for anyone else).";
    op.tag = "offerings";
    op.roles = all;
    op.owner = std::string(kOff);
    op.parameters = std::vector<std::string_view>{"OfferingId"};
    op.success_description = "the offering";
    op.success_schema = Ref("Offering");
    op.errors = std::vector<int>{404};
  }
  {
    Operation& op = add("patch", "/api/v1/offerings/{id}", "setOfferingState",
                        "Publish, withdraw or archive an offering");
    op.description =
        "Only the seller's organisation: 404 for another organisation when the offering is not "
        "active, "
        "403 when it is (it is public then). An archived offering stays archived (409).";
    op.tag = "offerings";
    op.roles = publishers;
    op.owner = std::string(kOff);
    op.parameters = std::vector<std::string_view>{"OfferingId"};
    op.body = Ref("OfferingStateChange");
    op.success_description = "the offering";
    op.success_schema = Ref("Offering");
    op.errors = with(body_errors, {404, 409});
  }
  {
    Operation& op = add("get", "/api/v1/offerings/{id}/subscriptions", "listOfferingSubscriptions",
                        "The subscriptions to an offering");
    op.description = "Only the seller's organisation (as for PATCH).";
    op.tag = "offerings";
    op.roles = publishers;
    op.owner = std::string(kOff);
    op.parameters = std::vector<std::string_view>{"OfferingId"};
    op.success_description = "the subscriptions";
    op.success_schema = Ref("SubscriptionList");
    op.errors = std::vector<int>{404};
  }

  // --- subscriptions ---
  {
    Operation& op = add("post", "/api/v1/subscriptions", "createSubscription",
                        "Subscribe to an active offering");
    op.description = "Creates revision 1 of the configuration with the template's defaults.";
    op.tag = "subscriptions";
    op.roles = buyers;
    op.body = Ref("NewSubscription");
    op.success = 201;
    op.success_description = "subscribed";
    op.success_schema = Ref("Subscription");
    op.errors = with(body_errors, {404});
  }
  {
    Operation& op = add("get", "/api/v1/subscriptions", "listSubscriptions",
                        "The subscriptions of the caller's organisation");
    op.description = "Empty for organisations that do not buy.";
    op.tag = "subscriptions";
    op.roles = all;
    op.success_description = "the subscriptions";
    op.success_schema = Ref("SubscriptionList");
  }
  {
    Operation& op = add("get", "/api/v1/subscriptions/{id}", "getSubscription", "A subscription");
    op.tag = "subscriptions";
    op.roles = buyers;
    op.owner = std::string(kSub);
    op.parameters = std::vector<std::string_view>{"SubscriptionId"};
    op.success_description = "the subscription";
    op.success_schema = Ref("Subscription");
    op.errors = std::vector<int>{404};
  }
  {
    Operation& op = add("post", "/api/v1/subscriptions/{id}/cancel", "cancelSubscription",
                        "Cancel a subscription");
    op.description = "Takes no body. 409 when already cancelled.";
    op.tag = "subscriptions";
    op.roles = buyers;
    op.owner = std::string(kSub);
    op.parameters = std::vector<std::string_view>{"SubscriptionId"};
    op.success_description = "cancelled";
    op.success_schema = Ref("Subscription");
    op.errors = std::vector<int>{404, 409};
  }
  {
    Operation& op = add("get", "/api/v1/subscriptions/{id}/credit-cost", "getCreditCost",
                        "What an action costs in this subscription");
    op.tag = "subscriptions";
    op.roles = buyers;
    op.owner = std::string(kSub);
    op.parameters = std::vector<std::string_view>{"SubscriptionId"};
    op.query = std::vector<bj::object>{query(
        "action", true, Example(bj::object{{"type", "string"}, {"minLength", 1}}, "chat_message"),
        "the action, e.g. chat_message")};
    op.success_description = "the cost";
    op.success_schema = Ref("CreditCost");
    op.errors = std::vector<int>{400, 404};
  }

  // --- configuration ---
  {
    Operation& op = add("get", "/api/v1/subscriptions/{id}/config", "getConfig",
                        "The current configuration, its readiness and which secrets are set");
    op.tag = "configuration";
    op.roles = buyers;
    op.owner = std::string(kSub);
    op.parameters = std::vector<std::string_view>{"SubscriptionId", "IfNoneMatch"};
    op.success_description = "the configuration";
    op.success_schema = Ref("ConfigView");
    op.etag = true;
    op.not_modified = true;
    op.errors = std::vector<int>{404};
  }
  {
    Operation& op = add("get", "/api/v1/subscriptions/{id}/form", "getForm",
                        "The form for the enabled capabilities: schema, uiSchema and data");
    op.tag = "configuration";
    op.roles = buyers;
    op.owner = std::string(kSub);
    op.parameters = std::vector<std::string_view>{"SubscriptionId"};
    op.success_description = "the form";
    op.success_schema = Ref("Form");
    op.etag = true;
    op.errors = std::vector<int>{404};
  }
  {
    Operation& op =
        add("get", "/api/v1/subscriptions/{id}/sync", "getSyncStatus",
            "Where the agent runtime and the knowledge base are with this configuration");
    op.description =
        "Saves are synced in the background: each target converges to the newest revision. A "
        "target that keeps failing ends dead (see replay).";
    op.tag = "configuration";
    op.roles = buyers;
    op.owner = std::string(kSub);
    op.parameters = std::vector<std::string_view>{"SubscriptionId"};
    op.success_description = "the sync status per target";
    op.success_schema = Ref("SyncStatus");
    op.errors = std::vector<int>{404};
  }
  {
    Operation& op = add("post", "/api/v1/subscriptions/{id}/sync/{target}/replay", "replaySync",
                        "Sync a target again now, with fresh attempts");
    op.description =
        "For a dead job once its cause is fixed, or to force a resync. 409 while a worker is "
        "running the job.";
    op.tag = "configuration";
    op.roles = buyers;
    op.owner = std::string(kSub);
    op.parameters = std::vector<std::string_view>{"SubscriptionId", "SyncTarget"};
    op.success = 202;
    op.success_description = "queued; the target's status";
    op.success_schema = Ref("SyncTargetStatus");
    op.errors = std::vector<int>{404, 409};
  }
  {
    Operation& op = add("get", "/api/v1/subscriptions/{id}/embed", "getEmbedCode",
                        "The widget's embed code for the buyer's website");
    op.description =
        "The script reads the widget's saved settings itself, so the snippet does not change "
        "when the configuration does. While the widget capability is off, enabled is false.";
    op.tag = "configuration";
    op.roles = buyers;
    op.owner = std::string(kSub);
    op.parameters = std::vector<std::string_view>{"SubscriptionId"};
    op.success_description = "the embed code";
    op.success_schema = Ref("EmbedCode");
    op.errors = std::vector<int>{404};
  }
  {
    Operation& op = add("put", "/api/v1/subscriptions/{id}/config", "saveConfig",
                        "Save the configuration as a new revision");
    op.description =
        "Optimistic concurrency: If-Match is required (428 without it, 412 when another save came "
        "first). An invalid configuration is a 422 whose `errors` point into the configuration; "
        "nothing is saved. 409 for a cancelled subscription.";
    op.tag = "configuration";
    op.roles = buyers;
    op.owner = std::string(kSub);
    op.parameters = std::vector<std::string_view>{"SubscriptionId", "IfMatch"};
    op.body = Ref("SaveConfig");
    op.success_description = "saved";
    op.success_schema = Ref("ConfigView");
    op.etag = true;
    op.errors = with(body_errors, {404, 409, 412, 428});
  }
  {
    Operation& op = add("patch", "/api/v1/subscriptions/{id}/capabilities", "setCapabilities",
                        "Enable and disable capabilities");
    op.description =
        "A change the template's rules refuse is a 409 with `problems`; no change makes no "
        "revision.";
    op.tag = "configuration";
    op.roles = buyers;
    op.owner = std::string(kSub);
    op.parameters = std::vector<std::string_view>{"SubscriptionId", "IfMatchOptional"};
    op.body = Ref("CapabilityChange");
    op.success_description = "the configuration after the change";
    op.success_schema = Ref("ConfigView");
    op.etag = true;
    op.errors = with(body_errors, {404, 409, 412});
    op.conflict_schema = "CapabilityRefusedProblem";
  }
  {
    Operation& op = add("get", "/api/v1/subscriptions/{id}/revisions", "listRevisions",
                        "The revisions of the configuration, newest first");
    op.tag = "configuration";
    op.roles = buyers;
    op.owner = std::string(kSub);
    op.parameters = std::vector<std::string_view>{"SubscriptionId"};
    op.query = std::vector<bj::object>{
        query("limit", false, bj::object{{"type", "integer"}, {"minimum", 1}, {"maximum", 500}},
              "page size"),
        query("offset", false,
              bj::object{{"type", "integer"}, {"minimum", 0}, {"maximum", 1000000000}},
              "revisions to skip")};
    op.success_description = "the revisions";
    op.success_schema = Ref("RevisionList");
    op.errors = std::vector<int>{400, 404};
  }
  {
    Operation& op = add("get", "/api/v1/subscriptions/{id}/revisions/{revision}", "getRevision",
                        "One revision with its configuration");
    op.tag = "configuration";
    op.roles = buyers;
    op.owner = std::string(kSub);
    op.parameters = std::vector<std::string_view>{"SubscriptionId", "Revision"};
    op.success_description = "the revision";
    op.success_schema = Ref("RevisionWithConfig");
    op.errors = std::vector<int>{404};
  }
  {
    Operation& op = add("get", "/api/v1/subscriptions/{id}/revisions/{revision}/diff/{other}",
                        "diffRevisions", "What changed from one revision to another");
    op.tag = "configuration";
    op.roles = buyers;
    op.owner = std::string(kSub);
    op.parameters = std::vector<std::string_view>{"SubscriptionId", "Revision", "OtherRevision"};
    op.success_description = "the difference";
    op.success_schema = Ref("RevisionDiff");
    op.errors = std::vector<int>{404};
  }
  {
    Operation& op = add("post", "/api/v1/subscriptions/{id}/revisions/{revision}/restore",
                        "restoreRevision", "Restore a revision as a new revision");
    op.description =
        "Takes no body. 409 when the old capability set is no longer allowed or the subscription "
        "is "
        "cancelled.";
    op.tag = "configuration";
    op.roles = buyers;
    op.owner = std::string(kSub);
    op.parameters = std::vector<std::string_view>{"SubscriptionId", "Revision", "IfMatchOptional"};
    op.success_description = "the restored configuration";
    op.success_schema = Ref("ConfigView");
    op.etag = true;
    op.errors = std::vector<int>{404, 409, 412};
  }

  // --- API keys and secrets ---
  {
    Operation& op = add("post", "/api/v1/subscriptions/{id}/api-keys", "createApiKey",
                        "Create an API key for the agent");
    op.description =
        "The key is in the answer once, as `secret`. 409 when API Access is not enabled or the "
        "subscription is cancelled.";
    op.tag = "api-keys";
    op.roles = buyers;
    op.owner = std::string(kSub);
    op.parameters = std::vector<std::string_view>{"SubscriptionId"};
    op.body = Ref("NewApiKey");
    op.success = 201;
    op.success_description = "created";
    op.success_schema = Ref("NewApiKeyCreated");
    op.errors = with(body_errors, {404, 409});
  }
  {
    Operation& op = add("get", "/api/v1/subscriptions/{id}/api-keys", "listApiKeys",
                        "The API keys of the agent");
    op.tag = "api-keys";
    op.roles = buyers;
    op.owner = std::string(kSub);
    op.parameters = std::vector<std::string_view>{"SubscriptionId"};
    op.success_description = "the keys, without their secrets";
    op.success_schema = Ref("ApiKeyList");
    op.errors = std::vector<int>{404};
  }
  {
    Operation& op = add("delete", "/api/v1/subscriptions/{id}/api-keys/{key}", "revokeApiKey",
                        "Revoke an API key");
    op.tag = "api-keys";
    op.roles = buyers;
    op.owner = std::string(kSub);
    op.parameters = std::vector<std::string_view>{"SubscriptionId", "ApiKeyId"};
    op.success = 204;
    op.success_description = "revoked";
    op.errors = std::vector<int>{404};
  }
  {
    Operation& op = add("get", "/api/v1/subscriptions/{id}/secrets", "listSecrets",
                        "The write-only values that are set, by pointer");
    op.tag = "configuration";
    op.roles = buyers;
    op.owner = std::string(kSub);
    op.parameters = std::vector<std::string_view>{"SubscriptionId"};
    op.success_description = "the secrets, never their text";
    op.success_schema = Ref("SecretList");
    op.errors = std::vector<int>{404};
  }
  {
    Operation& op =
        add("delete", "/api/v1/subscriptions/{id}/secrets", "deleteSecret", "Forget a secret");
    op.tag = "configuration";
    op.roles = buyers;
    op.owner = std::string(kSub);
    op.parameters = std::vector<std::string_view>{"SubscriptionId"};
    op.query = std::vector<bj::object>{
        query("pointer", true,
              Example(bj::object{{"type", "string"}, {"minLength", 1}}, "/web_search/api_key"),
              "the secret's pointer in the configuration")};
    op.success = 204;
    op.success_description = "deleted";
    op.errors = std::vector<int>{400, 404};
  }

  // --- files ---
  bj::object file_types;
  for (std::string_view type :
       {"application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/plain",
        "text/markdown", "text/csv", "image/png", "image/jpeg", "image/gif", "image/webp"}) {
    file_types[type] = bj::object{};
  }
  {
    Operation& op =
        add("post", "/api/v1/files", "uploadFile", "Upload a file (a document or an avatar)");
    op.description =
        "The body is the file's bytes; their type is decided by sniffing them (PDF, DOCX, XLSX, "
        "text, "
        "Markdown, CSV; PNG, JPEG, GIF, WebP images), whatever Content-Type says: anything else is "
        "a 415, and an "
        "avatar must be an image. Documents up to 10 MiB, avatars up to 1 MiB (413). An empty file "
        "is a 422.";
    op.tag = "files";
    op.roles = all;
    op.query = std::vector<bj::object>{query("filename", true,
                                             Example(bj::object{{"type", "string"},
                                                                {"minLength", 1},
                                                                {"maxLength", 255},
                                                                {"pattern", "^[^/\\\\]+$"}},
                                                     "notes.txt"),
                                             "the file's name, without slashes"),
                                       query("purpose", false,
                                             bj::object{{"type", "string"},
                                                        {"enum", bj::array{"document", "avatar"}},
                                                        {"default", "document"}},
                                             "an avatar gets a public URL")};
    op.body_content = bj::object{
        {"*/*", bj::object{{"schema", bj::object{{"description", "the file's bytes"}}}}}};
    op.body_description = "the file's bytes, as they are";
    op.success = 201;
    op.success_description = "stored";
    op.success_schema = Ref("File");
    op.errors = std::vector<int>{400, 413, 415, 422};
  }
  {
    Operation& op =
        add("get", "/api/v1/files", "listFiles", "The files of the caller's organisation");
    op.tag = "files";
    op.roles = all;
    op.success_description = "the files";
    op.success_schema = Ref("FileList");
  }
  {
    Operation& op = add("get", "/api/v1/files/{id}", "getFile", "A file's metadata");
    op.tag = "files";
    op.roles = all;
    op.owner = "file";
    op.parameters = std::vector<std::string_view>{"FileId"};
    op.success_description = "the file";
    op.success_schema = Ref("File");
    op.errors = std::vector<int>{404};
  }
  {
    Operation& op = add("get", "/api/v1/files/{id}/content", "downloadFile", "A file's bytes");
    op.description = "Sent as an attachment, with the sniffed type.";
    op.tag = "files";
    op.roles = all;
    op.owner = "file";
    op.parameters = std::vector<std::string_view>{"FileId"};
    op.success_description = "the bytes";
    op.success_content = file_types;
    op.success_headers = bj::object{{"Content-Disposition", bj::object{{"schema", Str()}}},
                                    {"Cache-Control", bj::object{{"schema", Str()}}}};
    op.errors = std::vector<int>{404};
  }
  {
    Operation& op = add("delete", "/api/v1/files/{id}", "deleteFile", "Delete a file");
    op.tag = "files";
    op.roles = all;
    op.owner = "file";
    op.parameters = std::vector<std::string_view>{"FileId"};
    op.success = 204;
    op.success_description = "deleted";
    op.errors = std::vector<int>{404};
  }
  return ops;
}

bj::object Build() {
  bj::object paths;
  for (const Operation& op : Operations()) {
    bj::value& item = paths[op.path];
    if (!item.is_object()) item = bj::object{};
    item.get_object()[op.method] = Build(op);
  }
  bj::object components{
      {"schemas", Schemas()},
      {"responses", Responses()},
      {"parameters", Parameters()},
      {"securitySchemes",
       bj::object{{"bearerAuth",
                   bj::object{{"type", "http"},
                              {"scheme", "bearer"},
                              {"description", "a token from `capconf token create` (cct_...)"}}},
                  {"cookieAuth", bj::object{{"type", "apiKey"},
                                            {"in", "cookie"},
                                            {"name", "capconf_session"},
                                            {"description",
                                             "the session of POST /api/v1/session; unsafe requests "
                                             "also need X-CSRF-Token"}}}}}};
  return bj::object{
      {"openapi", "3.1.0"},
      {"info",
       bj::object{
           {"title", "capconf API"},
           {"version", "1"},
           {"description",
            "Configure AI agents bought on a marketplace. Errors are RFC 9457 problem documents; "
            "validation errors carry `errors: [{pointer, keyword, message}]`. Operations carry "
            "`x-capconf-roles` (who may call them) and `x-capconf-tenant-scoped` (the path names "
            "an "
            "object of one organisation, `x-capconf-owner` says which kind: subscription, offering "
            "or "
            "file; other organisations get 404)."}}},
      {"jsonSchemaDialect", "https://json-schema.org/draft/2020-12/schema"},
      {"servers", bj::array{bj::object{{"url", "/"}}}},
      {"security",
       bj::array{bj::object{{"bearerAuth", bj::array{}}}, bj::object{{"cookieAuth", bj::array{}}}}},
      {"tags",
       bj::array{bj::object{{"name", "session"}, {"description", "sign-in and the caller"}},
                 bj::object{{"name", "catalog"}, {"description", "capabilities and templates"}},
                 bj::object{{"name", "offerings"}, {"description", "what sellers offer"}},
                 bj::object{{"name", "subscriptions"}, {"description", "what buyers bought"}},
                 bj::object{{"name", "configuration"},
                            {"description", "a subscription's agent configuration"}},
                 bj::object{{"name", "api-keys"},
                            {"description", "keys for calling a subscription's agent"}},
                 bj::object{{"name", "files"}, {"description", "uploads of an organisation"}},
                 bj::object{{"name", "meta"}, {"description", "this description"}}}},
      {"paths", std::move(paths)},
      {"components", std::move(components)}};
}

}  // namespace

bj::object OpenApiDocument() {
  static const bj::object document = Build();
  return document;
}

}  // namespace capconf::api
