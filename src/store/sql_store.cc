#include "sql_store.h"

#include <algorithm>
#include <initializer_list>
#include <span>
#include <utility>

#include "capconf/common/utf8.h"
#include "group_commit.h"

namespace capconf::store::internal {
namespace {

Status AlreadyExistsError(std::string message) {
  return Status(StatusCode::kAlreadyExists, std::move(message));
}

// --- parameters -----------------------------------------------------------------------------

Param Text(std::string_view text) { return Param(text); }
Param Int(std::int64_t value) { return Param(value); }
Param Bool(bool value) { return Param(std::int64_t{value ? 1 : 0}); }
Param OptionalInt(const std::optional<std::int64_t>& value) {
  return value.has_value() ? Param(*value) : Param(std::monostate());
}
Param OptionalText(const std::optional<std::string>& value) {
  return value.has_value() ? Param(std::string_view(*value)) : Param(std::monostate());
}
Param Blob(const Bytes& bytes) { return Param(BytesParam{std::span<const std::uint8_t>(bytes)}); }

// Emails are unique ignoring ASCII case (the same on both backends, whatever their collations).
std::string EmailKey(std::string_view email) {
  std::string key(email);
  for (char& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return key;
}

// --- rows -----------------------------------------------------------------------------------

constexpr std::string_view kOrganizationColumns = "id, name, kind, created_at";
Result<Organization> DecodeOrganization(const Row& row) {
  RowReader r(row);
  Organization o;
  o.id = r.Text();
  o.name = r.Text();
  o.kind = r.Enum(ParseOrganizationKind);
  o.created_at = r.Int();
  CAPCONF_RETURN_IF_ERROR(r.Finish());
  return o;
}

constexpr std::string_view kUserColumns =
    "id, organization_id, email, display_name, role, password_hash, created_at, disabled";
Result<User> DecodeUser(const Row& row) {
  RowReader r(row);
  User u;
  u.id = r.Text();
  u.organization_id = r.Text();
  u.email = r.Text();
  u.display_name = r.Text();
  u.role = r.Enum(ParseRole);
  u.password_hash = r.Text();
  u.created_at = r.Int();
  u.disabled = r.Bool();
  CAPCONF_RETURN_IF_ERROR(r.Finish());
  return u;
}

constexpr std::string_view kSessionColumns =
    "id_hash, user_id, csrf_token_hash, created_at, expires_at, last_seen_at";
Result<Session> DecodeSession(const Row& row) {
  RowReader r(row);
  Session s;
  s.id_hash = r.Text();
  s.user_id = r.Text();
  s.csrf_token_hash = r.Text();
  s.created_at = r.Int();
  s.expires_at = r.Int();
  s.last_seen_at = r.Int();
  CAPCONF_RETURN_IF_ERROR(r.Finish());
  return s;
}

constexpr std::string_view kApiTokenColumns =
    "id, user_id, name, token_hash, prefix, created_at, last_used_at, revoked_at";
Result<ApiToken> DecodeApiToken(const Row& row) {
  RowReader r(row);
  ApiToken t;
  t.id = r.Text();
  t.user_id = r.Text();
  t.name = r.Text();
  t.token_hash = r.Text();
  t.prefix = r.Text();
  t.created_at = r.Int();
  t.last_used_at = r.OptionalInt();
  t.revoked_at = r.OptionalInt();
  CAPCONF_RETURN_IF_ERROR(r.Finish());
  return t;
}

constexpr std::string_view kTemplateVersionColumns =
    "template_id, version, document, organization_id, created_at";
Result<TemplateVersion> DecodeTemplateVersion(const Row& row) {
  RowReader r(row);
  TemplateVersion t;
  t.template_id = r.Text();
  t.version = r.Int32();
  t.document = r.Text();
  t.organization_id = r.Text();
  t.created_at = r.Int();
  CAPCONF_RETURN_IF_ERROR(r.Finish());
  return t;
}

constexpr std::string_view kOfferingColumns =
    "id, organization_id, template_id, template_version, name, description, credit_costs, state, "
    "created_at, updated_at";
Result<Offering> DecodeOffering(const Row& row) {
  RowReader r(row);
  Offering o;
  o.id = r.Text();
  o.organization_id = r.Text();
  o.template_id = r.Text();
  o.template_version = r.Int32();
  o.name = r.Text();
  o.description = r.Text();
  o.credit_costs = r.Text();
  o.state = r.Enum(ParseOfferingState);
  o.created_at = r.Int();
  o.updated_at = r.Int();
  CAPCONF_RETURN_IF_ERROR(r.Finish());
  return o;
}

constexpr std::string_view kSubscriptionColumns =
    "id, offering_id, organization_id, created_by, state, created_at, cancelled_at";
Result<Subscription> DecodeSubscription(const Row& row) {
  RowReader r(row);
  Subscription s;
  s.id = r.Text();
  s.offering_id = r.Text();
  s.organization_id = r.Text();
  s.created_by = r.Text();
  s.state = r.Enum(ParseSubscriptionState);
  s.created_at = r.Int();
  s.cancelled_at = r.OptionalInt();
  CAPCONF_RETURN_IF_ERROR(r.Finish());
  return s;
}

Result<ConfigStamp> DecodeConfigStamp(const Row& row) {
  RowReader r(row);
  ConfigStamp stamp;
  stamp.organization_id = r.Text();
  stamp.revision = r.Int();
  stamp.generation = r.Int();
  CAPCONF_RETURN_IF_ERROR(r.Finish());
  return stamp;
}

constexpr std::string_view kAgentConfigColumns =
    "subscription_id, enabled, config, revision, is_configured, updated_at, updated_by";
Result<AgentConfig> DecodeAgentConfig(const Row& row) {
  RowReader r(row);
  AgentConfig a;
  a.subscription_id = r.Text();
  a.enabled = r.Text();
  a.config = r.Text();
  a.revision = r.Int();
  a.is_configured = r.Bool();
  a.updated_at = r.Int();
  a.updated_by = r.Text();
  CAPCONF_RETURN_IF_ERROR(r.Finish());
  return a;
}

constexpr std::string_view kSyncJobColumns =
    "subscription_id, target, desired_seq, desired_revision, applied_seq, applied_revision, "
    "state, attempts, next_attempt_at, lease_token, lease_until, claimed_seq, claimed_revision, "
    "last_error, message, progress, resources, updated_at";
Result<SyncJob> DecodeSyncJob(const Row& row) {
  RowReader r(row);
  SyncJob j;
  j.subscription_id = r.Text();
  j.target = r.Text();
  j.desired_seq = r.Int();
  j.desired_revision = r.Int();
  j.applied_seq = r.Int();
  j.applied_revision = r.Int();
  j.state = r.Enum(ParseSyncState);
  j.attempts = r.Int32();
  j.next_attempt_at = r.Int();
  j.lease_token = r.OptionalText();
  j.lease_until = r.OptionalInt();
  j.claimed_seq = r.Int();
  j.claimed_revision = r.Int();
  j.last_error = r.Text();
  j.message = r.Text();
  j.progress = r.Text();
  j.resources = r.Text();
  j.updated_at = r.Int();
  CAPCONF_RETURN_IF_ERROR(r.Finish());
  return j;
}

constexpr std::string_view kRevisionColumns =
    "subscription_id, revision, enabled, config, is_configured, created_at, created_by, note";
Result<Revision> DecodeRevision(const Row& row) {
  RowReader r(row);
  Revision v;
  v.subscription_id = r.Text();
  v.revision = r.Int();
  v.enabled = r.Text();
  v.config = r.Text();
  v.is_configured = r.Bool();
  v.created_at = r.Int();
  v.created_by = r.Text();
  v.note = r.Text();
  CAPCONF_RETURN_IF_ERROR(r.Finish());
  return v;
}

constexpr std::string_view kApiKeyColumns =
    "id, subscription_id, name, prefix, key_hash, permissions, created_at, created_by, "
    "last_used_at, revoked_at";
Result<ApiKey> DecodeApiKey(const Row& row) {
  RowReader r(row);
  ApiKey k;
  k.id = r.Text();
  k.subscription_id = r.Text();
  k.name = r.Text();
  k.prefix = r.Text();
  k.key_hash = r.Text();
  k.permissions = r.Text();
  k.created_at = r.Int();
  k.created_by = r.Text();
  k.last_used_at = r.OptionalInt();
  k.revoked_at = r.OptionalInt();
  CAPCONF_RETURN_IF_ERROR(r.Finish());
  return k;
}

constexpr std::string_view kSecretColumns =
    "subscription_id, pointer, ciphertext, nonce, last4, updated_at, updated_by";
Result<Secret> DecodeSecret(const Row& row) {
  RowReader r(row);
  Secret s;
  s.subscription_id = r.Text();
  s.pointer = r.Text();
  s.ciphertext = r.Blob();
  s.nonce = r.Blob();
  s.last4 = r.Text();
  s.updated_at = r.Int();
  s.updated_by = r.Text();
  CAPCONF_RETURN_IF_ERROR(r.Finish());
  return s;
}

constexpr std::string_view kFileColumns =
    "id, organization_id, sha256, size, content_type, filename, purpose, created_at, created_by";
Result<StoredFile> DecodeFile(const Row& row) {
  RowReader r(row);
  StoredFile f;
  f.id = r.Text();
  f.organization_id = r.Text();
  f.sha256 = r.Text();
  f.size = r.Int();
  f.content_type = r.Text();
  f.filename = r.Text();
  f.purpose = r.Enum(ParseFilePurpose);
  f.created_at = r.Int();
  f.created_by = r.Text();
  CAPCONF_RETURN_IF_ERROR(r.Finish());
  return f;
}

// "SELECT <columns> FROM <table> <rest>", built once per call site from constants only.
std::string Select(std::string_view columns, std::string_view table, std::string_view rest) {
  std::string sql = "SELECT ";
  sql += columns;
  sql += " FROM ";
  sql += table;
  sql += ' ';
  sql += rest;
  return sql;
}

// --- the transaction ------------------------------------------------------------------------

class SqlTransaction final : public Transaction {
 public:
  explicit SqlTransaction(ConnectionPool::Lease connection) : connection_(std::move(connection)) {}

  ~SqlTransaction() override {
    if (!finished_) (void)connection_->Rollback();
  }

  Status Commit() override {
    CAPCONF_RETURN_IF_ERROR(CheckOpen());
    CAPCONF_RETURN_IF_ERROR(CheckNotShared());
    return CommitShared();
  }

  Status Rollback() override {
    CAPCONF_RETURN_IF_ERROR(CheckOpen());
    CAPCONF_RETURN_IF_ERROR(CheckNotShared());
    finished_ = true;
    Status status = connection_->Rollback();
    Release();
    return status;
  }

  // --- group commit (Store::WriteBatched): one transaction, each caller's work in a savepoint

  // From now on Commit and Rollback are refused: the batch ends the transaction.
  void Share() { shared_ = true; }

  Status BeginItem() { return Exec("SAVEPOINT capconf_batch_item"); }

  // Undoes the item's writes and clears a failure it caused, so the next item starts clean.
  Status UndoItem() {
    CAPCONF_RETURN_IF_ERROR(Exec("ROLLBACK TO capconf_batch_item"));
    CAPCONF_RETURN_IF_ERROR(Exec("RELEASE capconf_batch_item"));
    broken_ = Status::Ok();
    return Status::Ok();
  }

  // Keeps the item's writes, unless one of its statements failed and the work went on anyway:
  // then they are undone and the item fails, as a transaction of its own would have.
  Status KeepItem() {
    if (!broken_.ok()) {
      Status failure(StatusCode::kAborted,
                     "not committed: the transaction failed earlier: " + broken_.ToString());
      CAPCONF_RETURN_IF_ERROR(UndoItem());
      return failure;
    }
    return Exec("RELEASE capconf_batch_item");
  }

  Status CommitShared() {
    CAPCONF_RETURN_IF_ERROR(CheckOpen());
    finished_ = true;
    if (!broken_.ok()) {
      (void)connection_->Rollback();
      Release();
      return Status(StatusCode::kAborted,
                    "not committed: the transaction failed earlier: " + broken_.ToString());
    }
    Status status = connection_->Commit();
    if (!status.ok()) (void)connection_->Rollback();
    Release();
    return status;
  }

  // --- organizations

  Result<std::string> InsertOrganization(const Organization& o) override {
    std::string id = o.id.empty() ? NewId() : o.id;
    CAPCONF_ASSIGN_OR_RETURN(
        QueryResult r, Run("INSERT INTO organizations (id, name, kind, created_at) "
                           "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                           {Text(id), Text(o.name), Text(ToString(o.kind)), Int(o.created_at)}));
    if (r.affected == 0) return AlreadyExistsError("organization " + id + " already exists");
    return id;
  }

  Result<Organization> GetOrganization(std::string_view id) override {
    static const std::string sql = Select(kOrganizationColumns, "organizations", "WHERE id = ?");
    return One(Run(sql, {Text(id)}), DecodeOrganization, "organization", id);
  }

  Result<std::vector<Organization>> ListOrganizations() override {
    static const std::string sql =
        Select(kOrganizationColumns, "organizations", "ORDER BY created_at, id");
    return All(Run(sql, {}), DecodeOrganization);
  }

  // --- users

  Result<std::string> InsertUser(const User& u) override {
    std::string id = u.id.empty() ? NewId() : u.id;
    const std::string key = EmailKey(u.email);
    CAPCONF_ASSIGN_OR_RETURN(
        QueryResult r,
        Run("INSERT INTO users (id, organization_id, email, email_key, display_name, role, "
            "password_hash, created_at, disabled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            {Text(id), Text(u.organization_id), Text(u.email), Text(key), Text(u.display_name),
             Text(ToString(u.role)), Text(u.password_hash), Int(u.created_at), Bool(u.disabled)}));
    if (r.affected == 0) {
      return AlreadyExistsError("a user with id " + id + " or email " + u.email +
                                " already exists");
    }
    return id;
  }

  Result<User> GetUser(std::string_view id) override {
    static const std::string sql = Select(kUserColumns, "users", "WHERE id = ?");
    return One(Run(sql, {Text(id)}), DecodeUser, "user", id);
  }

  Result<User> GetUserByEmail(std::string_view email) override {
    static const std::string sql = Select(kUserColumns, "users", "WHERE email_key = ?");
    const std::string key = EmailKey(email);
    return One(Run(sql, {Text(key)}), DecodeUser, "user with email", email);
  }

  Result<std::vector<User>> ListUsersByOrganization(std::string_view organization_id) override {
    static const std::string sql =
        Select(kUserColumns, "users", "WHERE organization_id = ? ORDER BY created_at, id");
    return All(Run(sql, {Text(organization_id)}), DecodeUser);
  }

  Status UpdateUser(const User& u) override {
    const std::string key = EmailKey(u.email);
    CAPCONF_ASSIGN_OR_RETURN(
        QueryResult taken,
        Run("SELECT id FROM users WHERE email_key = ? AND id <> ?", {Text(key), Text(u.id)}));
    if (!taken.rows.empty()) {
      return AlreadyExistsError("another user has the email " + u.email);
    }
    CAPCONF_ASSIGN_OR_RETURN(
        QueryResult r, Run("UPDATE users SET email = ?, email_key = ?, display_name = ?, role = ?, "
                           "password_hash = ?, disabled = ? WHERE id = ?",
                           {Text(u.email), Text(key), Text(u.display_name), Text(ToString(u.role)),
                            Text(u.password_hash), Bool(u.disabled), Text(u.id)}));
    return Affected(r, "user", u.id);
  }

  // --- sessions

  Status InsertSession(const Session& s) override {
    CAPCONF_ASSIGN_OR_RETURN(
        QueryResult r,
        Run("INSERT INTO sessions (id_hash, user_id, csrf_token_hash, created_at, expires_at, "
            "last_seen_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            {Text(s.id_hash), Text(s.user_id), Text(s.csrf_token_hash), Int(s.created_at),
             Int(s.expires_at), Int(s.last_seen_at)}));
    if (r.affected == 0) return AlreadyExistsError("the session already exists");
    return Status::Ok();
  }

  Result<Session> GetSessionByIdHash(std::string_view id_hash) override {
    static const std::string sql = Select(kSessionColumns, "sessions", "WHERE id_hash = ?");
    return One(Run(sql, {Text(id_hash)}), DecodeSession, "session", "");
  }

  Status TouchSession(std::string_view id_hash, std::int64_t last_seen_at,
                      std::int64_t expires_at) override {
    CAPCONF_ASSIGN_OR_RETURN(
        QueryResult r, Run("UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id_hash = ?",
                           {Int(last_seen_at), Int(expires_at), Text(id_hash)}));
    return Affected(r, "session", "");
  }

  Status DeleteSession(std::string_view id_hash) override {
    CAPCONF_ASSIGN_OR_RETURN(QueryResult r,
                             Run("DELETE FROM sessions WHERE id_hash = ?", {Text(id_hash)}));
    return Affected(r, "session", "");
  }

  Result<std::int64_t> DeleteSessionsOfUser(std::string_view user_id) override {
    CAPCONF_ASSIGN_OR_RETURN(QueryResult r,
                             Run("DELETE FROM sessions WHERE user_id = ?", {Text(user_id)}));
    return r.affected;
  }

  Result<std::int64_t> DeleteExpiredSessions(std::int64_t now) override {
    CAPCONF_ASSIGN_OR_RETURN(QueryResult r,
                             Run("DELETE FROM sessions WHERE expires_at <= ?", {Int(now)}));
    return r.affected;
  }

  // --- API tokens

  Result<std::string> InsertApiToken(const ApiToken& t) override {
    std::string id = t.id.empty() ? NewId() : t.id;
    CAPCONF_ASSIGN_OR_RETURN(
        QueryResult r,
        Run("INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, created_at, "
            "last_used_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            {Text(id), Text(t.user_id), Text(t.name), Text(t.token_hash), Text(t.prefix),
             Int(t.created_at), OptionalInt(t.last_used_at), OptionalInt(t.revoked_at)}));
    if (r.affected == 0) {
      return AlreadyExistsError("an API token with id " + id + " or the same hash exists");
    }
    return id;
  }

  Result<ApiToken> GetApiToken(std::string_view id) override {
    static const std::string sql = Select(kApiTokenColumns, "api_tokens", "WHERE id = ?");
    return One(Run(sql, {Text(id)}), DecodeApiToken, "API token", id);
  }

  Result<ApiToken> GetApiTokenByHash(std::string_view token_hash) override {
    static const std::string sql = Select(kApiTokenColumns, "api_tokens", "WHERE token_hash = ?");
    return One(Run(sql, {Text(token_hash)}), DecodeApiToken, "API token", "");
  }

  Result<std::vector<ApiToken>> ListApiTokensByUser(std::string_view user_id) override {
    static const std::string sql =
        Select(kApiTokenColumns, "api_tokens", "WHERE user_id = ? ORDER BY created_at, id");
    return All(Run(sql, {Text(user_id)}), DecodeApiToken);
  }

  Status RevokeApiToken(std::string_view id, std::int64_t revoked_at) override {
    CAPCONF_ASSIGN_OR_RETURN(
        QueryResult r,
        Run("UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?",
            {Int(revoked_at), Text(id)}));
    return Affected(r, "API token", id);
  }

  Status TouchApiTokenLastUsed(std::string_view id, std::int64_t last_used_at) override {
    CAPCONF_ASSIGN_OR_RETURN(
        QueryResult r,
        Run("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", {Int(last_used_at), Text(id)}));
    return Affected(r, "API token", id);
  }

  // --- template versions

  Status InsertTemplateVersion(const TemplateVersion& t) override {
    CAPCONF_ASSIGN_OR_RETURN(
        QueryResult r,
        Run("INSERT INTO template_versions (template_id, version, document, organization_id, "
            "created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            {Text(t.template_id), Int(t.version), Text(t.document), Text(t.organization_id),
             Int(t.created_at)}));
    if (r.affected == 0) {
      return AlreadyExistsError("template " + t.template_id + " version " +
                                std::to_string(t.version) + " already exists");
    }
    return Status::Ok();
  }

  Result<TemplateVersion> GetTemplateVersion(std::string_view template_id, int version) override {
    static const std::string sql = Select(kTemplateVersionColumns, "template_versions",
                                          "WHERE template_id = ? AND version = ?");
    return One(Run(sql, {Text(template_id), Int(version)}), DecodeTemplateVersion,
               "template version", std::string(template_id) + "@" + std::to_string(version));
  }

  Result<std::vector<TemplateVersion>> ListTemplateVersions(std::string_view template_id) override {
    static const std::string sql = Select(kTemplateVersionColumns, "template_versions",
                                          "WHERE template_id = ? ORDER BY version");
    return All(Run(sql, {Text(template_id)}), DecodeTemplateVersion);
  }

  Result<std::vector<TemplateVersion>> ListAllTemplateVersions() override {
    static const std::string sql =
        Select(kTemplateVersionColumns, "template_versions", "ORDER BY template_id, version");
    return All(Run(sql, {}), DecodeTemplateVersion);
  }

  // --- offerings

  Result<std::string> InsertOffering(const Offering& o) override {
    std::string id = o.id.empty() ? NewId() : o.id;
    CAPCONF_ASSIGN_OR_RETURN(
        QueryResult r,
        Run("INSERT INTO offerings (id, organization_id, template_id, template_version, name, "
            "description, credit_costs, state, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            {Text(id), Text(o.organization_id), Text(o.template_id), Int(o.template_version),
             Text(o.name), Text(o.description), Text(o.credit_costs), Text(ToString(o.state)),
             Int(o.created_at), Int(o.updated_at)}));
    if (r.affected == 0) return AlreadyExistsError("offering " + id + " already exists");
    return id;
  }

  Result<Offering> GetOffering(std::string_view id) override {
    static const std::string sql = Select(kOfferingColumns, "offerings", "WHERE id = ?");
    return One(Run(sql, {Text(id)}), DecodeOffering, "offering", id);
  }

  Result<std::vector<Offering>> ListOfferingsBySeller(std::string_view organization_id) override {
    static const std::string sql =
        Select(kOfferingColumns, "offerings", "WHERE organization_id = ? ORDER BY created_at, id");
    return All(Run(sql, {Text(organization_id)}), DecodeOffering);
  }

  Result<std::vector<Offering>> ListActiveOfferings() override {
    static const std::string sql =
        Select(kOfferingColumns, "offerings", "WHERE state = ? ORDER BY created_at, id");
    return All(Run(sql, {Text(ToString(OfferingState::kActive))}), DecodeOffering);
  }

  Status UpdateOfferingState(std::string_view id, OfferingState state,
                             std::int64_t updated_at) override {
    CAPCONF_ASSIGN_OR_RETURN(QueryResult r,
                             Run("UPDATE offerings SET state = ?, updated_at = ? WHERE id = ?",
                                 {Text(ToString(state)), Int(updated_at), Text(id)}));
    return Affected(r, "offering", id);
  }

  Status UpdateOffering(const Offering& o) override {
    CAPCONF_ASSIGN_OR_RETURN(
        QueryResult r,
        Run("UPDATE offerings SET name = ?, description = ?, credit_costs = ?, updated_at = ? "
            "WHERE id = ?",
            {Text(o.name), Text(o.description), Text(o.credit_costs), Int(o.updated_at),
             Text(o.id)}));
    return Affected(r, "offering", o.id);
  }

  // --- subscriptions

  Result<std::string> InsertSubscription(const Subscription& s) override {
    std::string id = s.id.empty() ? NewId() : s.id;
    CAPCONF_ASSIGN_OR_RETURN(
        QueryResult r,
        Run("INSERT INTO subscriptions (id, offering_id, organization_id, created_by, state, "
            "created_at, cancelled_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            {Text(id), Text(s.offering_id), Text(s.organization_id), Text(s.created_by),
             Text(ToString(s.state)), Int(s.created_at), OptionalInt(s.cancelled_at)}));
    if (r.affected == 0) return AlreadyExistsError("subscription " + id + " already exists");
    return id;
  }

  Result<Subscription> GetSubscription(std::string_view id) override {
    static const std::string sql = Select(kSubscriptionColumns, "subscriptions", "WHERE id = ?");
    return One(Run(sql, {Text(id)}), DecodeSubscription, "subscription", id);
  }

  Result<std::vector<Subscription>> ListSubscriptionsByBuyer(
      std::string_view organization_id) override {
    static const std::string sql = Select(kSubscriptionColumns, "subscriptions",
                                          "WHERE organization_id = ? ORDER BY created_at, id");
    return All(Run(sql, {Text(organization_id)}), DecodeSubscription);
  }

  Result<std::vector<Subscription>> ListSubscriptionsByOffering(
      std::string_view offering_id) override {
    static const std::string sql = Select(kSubscriptionColumns, "subscriptions",
                                          "WHERE offering_id = ? ORDER BY created_at, id");
    return All(Run(sql, {Text(offering_id)}), DecodeSubscription);
  }

  Status CancelSubscription(std::string_view id, std::int64_t cancelled_at) override {
    CAPCONF_ASSIGN_OR_RETURN(
        QueryResult r,
        Run("UPDATE subscriptions SET state = ?, cancelled_at = ? WHERE id = ? AND state = ?",
            {Text(ToString(SubscriptionState::kCancelled)), Int(cancelled_at), Text(id),
             Text(ToString(SubscriptionState::kActive))}));
    if (r.affected > 0) return Status::Ok();
    CAPCONF_ASSIGN_OR_RETURN(QueryResult exists,
                             Run("SELECT 1 FROM subscriptions WHERE id = ?", {Text(id)}));
    if (exists.rows.empty()) return NotFoundError("subscription " + std::string(id) + " not found");
    return FailedPreconditionError("subscription " + std::string(id) + " is already cancelled");
  }

  // --- agent configurations

  Status InsertAgentConfig(const AgentConfig& a) override {
    CAPCONF_ASSIGN_OR_RETURN(
        QueryResult r,
        Run("INSERT INTO agent_configs (subscription_id, enabled, config, revision, "
            "is_configured, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            {Text(a.subscription_id), Text(a.enabled), Text(a.config), Int(a.revision),
             Bool(a.is_configured), Int(a.updated_at), Text(a.updated_by)}));
    if (r.affected == 0) {
      return AlreadyExistsError("subscription " + a.subscription_id +
                                " already has an agent configuration");
    }
    return Status::Ok();
  }

  Result<AgentConfig> GetAgentConfig(std::string_view subscription_id) override {
    static const std::string sql =
        Select(kAgentConfigColumns, "agent_configs", "WHERE subscription_id = ?");
    return One(Run(sql, {Text(subscription_id)}), DecodeAgentConfig,
               "agent configuration of subscription", subscription_id);
  }

  Result<ConfigStamp> GetConfigStamp(std::string_view subscription_id) override {
    static const std::string sql =
        "SELECT s.organization_id, c.revision, c.generation FROM subscriptions s "
        "JOIN agent_configs c ON c.subscription_id = s.id WHERE s.id = ?";
    return One(Run(sql, {Text(subscription_id)}), DecodeConfigStamp,
               "agent configuration of subscription", subscription_id);
  }

  Result<AgentConfig> GetAgentConfigForUpdate(std::string_view subscription_id) override {
    CAPCONF_RETURN_IF_ERROR(CheckOpen());
    const std::string sql =
        Select(kAgentConfigColumns, "agent_configs", "WHERE subscription_id = ?") +
        std::string(connection_->for_update());
    return One(Run(sql, {Text(subscription_id)}), DecodeAgentConfig,
               "agent configuration of subscription", subscription_id);
  }

  Status UpdateAgentConfigIfRevision(const AgentConfig& a,
                                     std::int64_t expected_revision) override {
    // On PostgreSQL a concurrent UPDATE of the row waits for the first writer to commit and then
    // re-checks the condition against the new row, so the loser updates nothing.
    CAPCONF_ASSIGN_OR_RETURN(bool updated, UpdateAgentConfigWhere(a, expected_revision, {}));
    if (updated) return Status::Ok();
    CAPCONF_ASSIGN_OR_RETURN(std::string stored, StoredRevision(a.subscription_id));
    return FailedPreconditionError("stale revision: expected " + std::to_string(expected_revision) +
                                   ", stored " + stored);
  }

  Status UpdateAgentConfigIfUnchanged(const AgentConfig& a, const ConfigStamp& expected) override {
    CAPCONF_ASSIGN_OR_RETURN(bool updated,
                             UpdateAgentConfigWhere(a, expected.revision, expected.generation));
    if (updated) return Status::Ok();
    CAPCONF_RETURN_IF_ERROR(StoredRevision(a.subscription_id).status());
    return FailedPreconditionError("the configuration changed since revision " +
                                   std::to_string(expected.revision) + " was read");
  }

  // --- revisions

  Status InsertRevision(const Revision& v) override {
    CAPCONF_ASSIGN_OR_RETURN(
        QueryResult r,
        Run("INSERT INTO revisions (subscription_id, revision, enabled, config, is_configured, "
            "created_at, created_by, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            {Text(v.subscription_id), Int(v.revision), Text(v.enabled), Text(v.config),
             Bool(v.is_configured), Int(v.created_at), Text(v.created_by), Text(v.note)}));
    if (r.affected == 0) {
      return AlreadyExistsError("revision " + std::to_string(v.revision) + " of subscription " +
                                v.subscription_id + " already exists");
    }
    return Status::Ok();
  }

  Result<Revision> GetRevision(std::string_view subscription_id, std::int64_t revision) override {
    static const std::string sql =
        Select(kRevisionColumns, "revisions", "WHERE subscription_id = ? AND revision = ?");
    return One(Run(sql, {Text(subscription_id), Int(revision)}), DecodeRevision, "revision",
               std::to_string(revision) + " of subscription " + std::string(subscription_id));
  }

  Result<std::vector<Revision>> ListRevisions(std::string_view subscription_id,
                                              Page page) override {
    CAPCONF_RETURN_IF_ERROR(CheckPage(page));
    static const std::string sql =
        Select(kRevisionColumns, "revisions",
               "WHERE subscription_id = ? ORDER BY revision DESC LIMIT ? OFFSET ?");
    return All(Run(sql, {Text(subscription_id), Int(page.limit), Int(page.offset)}),
               DecodeRevision);
  }

  // --- API keys

  Result<std::string> InsertApiKey(const ApiKey& k) override {
    std::string id = k.id.empty() ? NewId() : k.id;
    CAPCONF_ASSIGN_OR_RETURN(
        QueryResult r,
        Run("INSERT INTO api_keys (id, subscription_id, name, prefix, key_hash, permissions, "
            "created_at, created_by, last_used_at, revoked_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            {Text(id), Text(k.subscription_id), Text(k.name), Text(k.prefix), Text(k.key_hash),
             Text(k.permissions), Int(k.created_at), Text(k.created_by),
             OptionalInt(k.last_used_at), OptionalInt(k.revoked_at)}));
    if (r.affected == 0) {
      return AlreadyExistsError("an API key with id " + id + " or prefix " + k.prefix +
                                " already exists");
    }
    return id;
  }

  Result<ApiKey> GetApiKey(std::string_view id) override {
    static const std::string sql = Select(kApiKeyColumns, "api_keys", "WHERE id = ?");
    return One(Run(sql, {Text(id)}), DecodeApiKey, "API key", id);
  }

  Result<ApiKey> GetApiKeyByPrefix(std::string_view prefix) override {
    static const std::string sql = Select(kApiKeyColumns, "api_keys", "WHERE prefix = ?");
    return One(Run(sql, {Text(prefix)}), DecodeApiKey, "API key with prefix", prefix);
  }

  Result<std::vector<ApiKey>> ListApiKeysBySubscription(std::string_view subscription_id) override {
    static const std::string sql =
        Select(kApiKeyColumns, "api_keys", "WHERE subscription_id = ? ORDER BY created_at, id");
    return All(Run(sql, {Text(subscription_id)}), DecodeApiKey);
  }

  Status RevokeApiKey(std::string_view id, std::int64_t revoked_at) override {
    CAPCONF_ASSIGN_OR_RETURN(
        QueryResult r, Run("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?",
                           {Int(revoked_at), Text(id)}));
    return Affected(r, "API key", id);
  }

  Status TouchApiKeyLastUsed(std::string_view id, std::int64_t last_used_at) override {
    CAPCONF_ASSIGN_OR_RETURN(QueryResult r, Run("UPDATE api_keys SET last_used_at = ? WHERE id = ?",
                                                {Int(last_used_at), Text(id)}));
    return Affected(r, "API key", id);
  }

  // --- secrets

  Status UpsertSecret(const Secret& s) override {
    return Run("INSERT INTO secrets (subscription_id, pointer, ciphertext, nonce, last4, "
               "updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?) "
               "ON CONFLICT (subscription_id, pointer) DO UPDATE SET "
               "ciphertext = excluded.ciphertext, nonce = excluded.nonce, "
               "last4 = excluded.last4, updated_at = excluded.updated_at, "
               "updated_by = excluded.updated_by",
               {Text(s.subscription_id), Text(s.pointer), Blob(s.ciphertext), Blob(s.nonce),
                Text(s.last4), Int(s.updated_at), Text(s.updated_by)})
        .status();
  }

  Result<Secret> GetSecret(std::string_view subscription_id, std::string_view pointer) override {
    static const std::string sql =
        Select(kSecretColumns, "secrets", "WHERE subscription_id = ? AND pointer = ?");
    return One(Run(sql, {Text(subscription_id), Text(pointer)}), DecodeSecret, "secret", pointer);
  }

  Result<std::vector<Secret>> ListSecretsBySubscription(std::string_view subscription_id) override {
    static const std::string sql =
        Select(kSecretColumns, "secrets", "WHERE subscription_id = ? ORDER BY pointer");
    return All(Run(sql, {Text(subscription_id)}), DecodeSecret);
  }

  Status DeleteSecret(std::string_view subscription_id, std::string_view pointer) override {
    CAPCONF_ASSIGN_OR_RETURN(QueryResult r,
                             Run("DELETE FROM secrets WHERE subscription_id = ? AND pointer = ?",
                                 {Text(subscription_id), Text(pointer)}));
    return Affected(r, "secret", pointer);
  }

  // --- files

  Result<std::string> InsertFile(const StoredFile& f) override {
    std::string id = f.id.empty() ? NewId() : f.id;
    CAPCONF_ASSIGN_OR_RETURN(
        QueryResult r,
        Run("INSERT INTO files (id, organization_id, sha256, size, content_type, filename, "
            "purpose, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            {Text(id), Text(f.organization_id), Text(f.sha256), Int(f.size), Text(f.content_type),
             Text(f.filename), Text(ToString(f.purpose)), Int(f.created_at), Text(f.created_by)}));
    if (r.affected == 0) return AlreadyExistsError("file " + id + " already exists");
    return id;
  }

  Result<StoredFile> GetFile(std::string_view id) override {
    static const std::string sql = Select(kFileColumns, "files", "WHERE id = ?");
    return One(Run(sql, {Text(id)}), DecodeFile, "file", id);
  }

  Result<std::vector<StoredFile>> ListFilesByOrganization(
      std::string_view organization_id) override {
    static const std::string sql =
        Select(kFileColumns, "files", "WHERE organization_id = ? ORDER BY created_at, id");
    return All(Run(sql, {Text(organization_id)}), DecodeFile);
  }

  Status DeleteFile(std::string_view id) override {
    CAPCONF_ASSIGN_OR_RETURN(QueryResult r, Run("DELETE FROM files WHERE id = ?", {Text(id)}));
    return Affected(r, "file", id);
  }

  // --- the sync outbox

  Status EnqueueSync(std::string_view subscription_id, std::string_view target,
                     std::int64_t revision, std::int64_t now) override {
    // Most saves find the job held by a worker or already pending and due: then only the
    // desired state moves, and no indexed column is written (one page less per save).
    static const std::string in_place =
        "UPDATE sync_jobs SET desired_seq = desired_seq + 1, desired_revision = ?, attempts = 0, "
        "last_error = '', updated_at = ? WHERE subscription_id = ? AND target = ? AND "
        "(lease_token IS NOT NULL OR (state = 'pending' AND next_attempt_at <= ?))";
    CAPCONF_ASSIGN_OR_RETURN(
        QueryResult moved,
        Run(in_place, {Int(revision), Int(now), Text(subscription_id), Text(target), Int(now)}));
    if (moved.affected > 0) return Status::Ok();
    // Otherwise the row is made, or made pending and due now (a dead job comes back to life).
    return Run("INSERT INTO sync_jobs (subscription_id, target, desired_seq, desired_revision, "
               "state, next_attempt_at, updated_at) VALUES (?, ?, 1, ?, 'pending', ?, ?) "
               "ON CONFLICT (subscription_id, target) DO UPDATE SET "
               "desired_seq = sync_jobs.desired_seq + 1, "
               "desired_revision = excluded.desired_revision, attempts = 0, "
               "state = CASE WHEN sync_jobs.lease_token IS NULL THEN 'pending' "
               "ELSE sync_jobs.state END, "
               "next_attempt_at = excluded.next_attempt_at, last_error = '', "
               "updated_at = excluded.updated_at",
               {Text(subscription_id), Text(target), Int(revision), Int(now), Int(now)})
        .status();
  }

  Result<std::vector<SyncJob>> ClaimSyncJobs(const std::vector<std::string>& targets,
                                             std::string_view lease_token, std::int64_t now,
                                             std::int64_t lease_until, int limit) override {
    CAPCONF_RETURN_IF_ERROR(CheckOpen());
    if (targets.empty()) return std::vector<SyncJob>{};
    std::string in = "?";
    for (std::size_t i = 1; i < targets.size(); ++i) in += ", ?";
    // Two index-backed scans (due and unheld; held with a lapsed lease) rather than one OR,
    // which neither backend can serve from the partial indexes.
    const std::string skip_locked = std::string(connection_->for_update()).empty()
                                        ? ""
                                        : std::string(connection_->for_update()) + " SKIP LOCKED";
    const std::string sql =
        "UPDATE sync_jobs SET state = 'syncing', lease_token = ?, lease_until = ?, "
        "claimed_seq = desired_seq, claimed_revision = desired_revision, updated_at = ? "
        "WHERE (subscription_id, target) IN ("
        "SELECT subscription_id, target FROM (SELECT subscription_id, target, next_attempt_at "
        "FROM sync_jobs WHERE state IN ('pending', 'failing', 'syncing') AND "
        "lease_token IS NULL AND next_attempt_at <= ? AND target IN (" +
        in + ") ORDER BY next_attempt_at LIMIT ?" + skip_locked +
        ") due UNION ALL SELECT subscription_id, target FROM (SELECT subscription_id, target "
        "FROM sync_jobs WHERE lease_token IS NOT NULL AND lease_until < ? AND target IN (" +
        in + ") ORDER BY lease_until LIMIT ?" + skip_locked + ") lapsed) RETURNING " +
        std::string(kSyncJobColumns);
    std::vector<Param> params = {Text(lease_token), Int(lease_until), Int(now), Int(now)};
    for (const std::string& target : targets) params.push_back(Text(target));
    params.push_back(Int(limit));
    params.push_back(Int(now));
    for (const std::string& target : targets) params.push_back(Text(target));
    params.push_back(Int(limit));
    CAPCONF_ASSIGN_OR_RETURN(QueryResult r, Run(sql, params));
    CAPCONF_ASSIGN_OR_RETURN(std::vector<SyncJob> jobs, All(std::move(r), DecodeSyncJob));
    // Both scans may fill the limit; the extra ones are given back at once.
    if (static_cast<int>(jobs.size()) > limit) {
      std::sort(jobs.begin(), jobs.end(), [](const SyncJob& a, const SyncJob& b) {
        return a.next_attempt_at < b.next_attempt_at;
      });
      for (std::size_t i = static_cast<std::size_t>(limit); i < jobs.size(); ++i) {
        CAPCONF_RETURN_IF_ERROR(
            Run("UPDATE sync_jobs SET lease_token = NULL, lease_until = NULL, state = 'pending' "
                "WHERE subscription_id = ? AND target = ?",
                {Text(jobs[i].subscription_id), Text(jobs[i].target)})
                .status());
      }
      jobs.resize(static_cast<std::size_t>(limit));
    }
    return jobs;
  }

  Result<std::int64_t> RenewSyncLeases(std::string_view lease_token,
                                       std::int64_t lease_until) override {
    CAPCONF_ASSIGN_OR_RETURN(QueryResult r,
                             Run("UPDATE sync_jobs SET lease_until = ? WHERE lease_token = ?",
                                 {Int(lease_until), Text(lease_token)}));
    return r.affected;
  }

  Result<SyncJob> GetSyncJobForUpdate(std::string_view subscription_id,
                                      std::string_view target) override {
    CAPCONF_RETURN_IF_ERROR(CheckOpen());
    const std::string sql =
        Select(kSyncJobColumns, "sync_jobs", "WHERE subscription_id = ? AND target = ?") +
        std::string(connection_->for_update());
    return One(Run(sql, {Text(subscription_id), Text(target)}), DecodeSyncJob, "sync job",
               std::string(subscription_id) + "/" + std::string(target));
  }

  Status UpdateSyncJob(const SyncJob& j) override {
    CAPCONF_ASSIGN_OR_RETURN(
        QueryResult r,
        Run("UPDATE sync_jobs SET applied_seq = ?, applied_revision = ?, state = ?, attempts = ?, "
            "next_attempt_at = ?, lease_token = ?, lease_until = ?, claimed_seq = ?, "
            "claimed_revision = ?, last_error = ?, message = ?, progress = ?, resources = ?, "
            "updated_at = ? WHERE subscription_id = ? AND target = ?",
            {Int(j.applied_seq), Int(j.applied_revision), Text(ToString(j.state)), Int(j.attempts),
             Int(j.next_attempt_at), OptionalText(j.lease_token), OptionalInt(j.lease_until),
             Int(j.claimed_seq), Int(j.claimed_revision), Text(j.last_error), Text(j.message),
             Text(j.progress), Text(j.resources), Int(j.updated_at), Text(j.subscription_id),
             Text(j.target)}));
    return Affected(r, "sync job", j.subscription_id + "/" + j.target);
  }

  Result<std::vector<SyncJob>> ListSyncJobs(std::string_view subscription_id) override {
    static const std::string sql =
        Select(kSyncJobColumns, "sync_jobs", "WHERE subscription_id = ? ORDER BY target");
    return All(Run(sql, {Text(subscription_id)}), DecodeSyncJob);
  }

 private:
  Status CheckOpen() const {
    if (finished_) return FailedPreconditionError("the transaction has already ended");
    return Status::Ok();
  }

  // A statement of the batch's own, outside any caller's work (and its failure bookkeeping).
  Status Exec(std::string_view sql) {
    CAPCONF_RETURN_IF_ERROR(CheckOpen());
    return connection_->Query(sql, {}).status();
  }

  Status CheckNotShared() const {
    if (shared_) {
      return FailedPreconditionError(
          "a batched write does not end its transaction: the batch commits it");
    }
    return Status::Ok();
  }

  // A finished transaction gives its connection back at once, not when it is destroyed: a caller
  // may keep the object while it begins the next transaction (SQLite's writer pool has one
  // connection).
  void Release() { connection_.reset(); }

  // Records a hard failure: the transaction is unusable from now on (see store.h).
  Status Break(Status status) {
    if (broken_.ok()) broken_ = status;
    return status;
  }

  Result<QueryResult> Run(std::string_view sql, std::initializer_list<Param> params) {
    return Run(sql, std::span<const Param>(params.begin(), params.size()));
  }
  Result<QueryResult> Run(std::string_view sql, std::span<const Param> params) {
    CAPCONF_RETURN_IF_ERROR(CheckOpen());
    if (!broken_.ok()) {
      return Status(
          StatusCode::kAborted,
          "the transaction failed earlier and must be rolled back: " + broken_.ToString());
    }
    // PostgreSQL refuses NUL and invalid UTF-8 in text; SQLite would keep them. Refuse both
    // here so that the backends agree.
    for (const Param& param : params) {
      if (const auto* text = std::get_if<std::string_view>(&param)) {
        if (text->find('\0') != std::string_view::npos || !IsValidUtf8(*text)) {
          return Break(InvalidArgumentError("text must be UTF-8 without NUL characters"));
        }
      }
    }
    Result<QueryResult> result = connection_->Query(sql, params);
    if (!result.ok()) return Break(result.status());
    return result;
  }

  // Writes `a` over the row if its revision (and generation, when given) is as expected;
  // whether it did.
  Result<bool> UpdateAgentConfigWhere(const AgentConfig& a, std::int64_t revision,
                                      std::optional<std::int64_t> generation) {
    static const std::string by_revision =
        "UPDATE agent_configs SET enabled = ?, config = ?, revision = ?, is_configured = ?, "
        "updated_at = ?, updated_by = ?, generation = generation + 1 "
        "WHERE subscription_id = ? AND revision = ?";
    static const std::string by_stamp = by_revision + " AND generation = ?";
    std::vector<Param> params = {Text(a.enabled),         Text(a.config),    Int(a.revision),
                                 Bool(a.is_configured),   Int(a.updated_at), Text(a.updated_by),
                                 Text(a.subscription_id), Int(revision)};
    if (generation) params.push_back(Int(*generation));
    CAPCONF_ASSIGN_OR_RETURN(QueryResult r, Run(generation ? by_stamp : by_revision, params));
    return r.affected > 0;
  }

  // The stored revision, as text; kNotFound when the subscription has no configuration.
  Result<std::string> StoredRevision(const std::string& subscription_id) {
    CAPCONF_ASSIGN_OR_RETURN(QueryResult current,
                             Run("SELECT revision FROM agent_configs WHERE subscription_id = ?",
                                 {Text(subscription_id)}));
    if (current.rows.empty()) {
      return NotFoundError("agent configuration of subscription " + subscription_id + " not found");
    }
    return current.rows[0][0].value_or("?");
  }

  template <typename T>
  Result<T> One(Result<QueryResult> result, Result<T> (*decode)(const Row&), std::string_view what,
                std::string_view key) {
    if (!result.ok()) return result.status();
    if (result->rows.empty()) {
      std::string message(what);
      if (!key.empty()) {
        message += ' ';
        message += key;
      }
      return NotFoundError(message + " not found");
    }
    Result<T> value = decode(result->rows.front());
    if (!value.ok()) return Break(value.status());
    return value;
  }

  template <typename T>
  Result<std::vector<T>> All(Result<QueryResult> result, Result<T> (*decode)(const Row&)) {
    if (!result.ok()) return result.status();
    std::vector<T> out;
    out.reserve(result->rows.size());
    for (const Row& row : result->rows) {
      Result<T> value = decode(row);
      if (!value.ok()) return Break(value.status());
      out.push_back(std::move(value).value());
    }
    return out;
  }

  static Status Affected(const QueryResult& result, std::string_view what, std::string_view key) {
    if (result.affected > 0) return Status::Ok();
    std::string message(what);
    if (!key.empty()) {
      message += ' ';
      message += key;
    }
    return NotFoundError(message + " not found");
  }

  Status CheckPage(const Page& page) {
    if (page.limit < 0 || page.offset < 0) {
      return Break(InvalidArgumentError("page limit and offset must not be negative"));
    }
    return Status::Ok();
  }

  ConnectionPool::Lease connection_;
  bool finished_ = false;
  bool shared_ = false;
  Status broken_;
};

// --- the store ------------------------------------------------------------------------------

constexpr std::string_view kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL)";

// Rolls back a connection's transaction unless told it ended.
class RollbackGuard {
 public:
  explicit RollbackGuard(Connection& connection) : connection_(connection) {}
  ~RollbackGuard() {
    if (active_) (void)connection_.Rollback();
  }
  void Release() { active_ = false; }

 private:
  Connection& connection_;
  bool active_ = true;
};

Result<int> ReadVersion(Connection& connection) {
  CAPCONF_ASSIGN_OR_RETURN(bool exists, connection.TableExists("schema_migrations"));
  if (!exists) return 0;
  CAPCONF_ASSIGN_OR_RETURN(
      QueryResult result,
      connection.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {}));
  if (result.rows.size() != 1) return InternalError("schema_migrations: no MAX row");
  RowReader reader(result.rows[0]);
  const int version = reader.Int32();
  CAPCONF_RETURN_IF_ERROR(reader.Finish());
  return version;
}

class SqlStore final : public Store {
 public:
  SqlStore(std::string backend, std::shared_ptr<ConnectionPool> pool,
           std::shared_ptr<ConnectionPool> writers, bool group_commit,
           std::vector<Migration> migrations)
      : backend_(std::move(backend)),
        pool_(std::move(pool)),
        writers_(writers ? std::move(writers) : pool_),
        migrations_(std::move(migrations)) {
    if (group_commit) {
      group_commit_ = std::make_unique<GroupCommit>(
          [this](std::span<GroupCommit::Item* const> batch) { RunBatch(batch); }, kMaxBatch);
    }
  }

  // Bounds how long the last caller of a batch waits for the ones before it.
  static constexpr std::size_t kMaxBatch = 64;

  Status Migrate() override {
    for (;;) {
      CAPCONF_ASSIGN_OR_RETURN(ConnectionPool::Lease connection, writers_->Acquire());
      CAPCONF_RETURN_IF_ERROR(connection->Begin(TransactionMode::kReadWrite));
      RollbackGuard guard(*connection);
      CAPCONF_RETURN_IF_ERROR(connection->LockForMigration());
      CAPCONF_RETURN_IF_ERROR(connection->ExecScript(kCreateMigrationsTable));
      CAPCONF_ASSIGN_OR_RETURN(int current, ReadVersion(*connection));
      CAPCONF_RETURN_IF_ERROR(CheckNotNewer(current));
      if (current == LatestSchemaVersion()) {
        guard.Release();
        return connection->Commit();
      }
      const Migration& next = migrations_[current];
      Status applied = connection->ExecScript(next.sql);
      if (!applied.ok()) {
        return Status(applied.code(), "migration " + next.name + ": " + applied.message());
      }
      const Param params[] = {std::int64_t{next.version}, std::string_view(next.name)};
      CAPCONF_RETURN_IF_ERROR(
          connection->Query("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", params)
              .status());
      guard.Release();
      CAPCONF_RETURN_IF_ERROR(connection->Commit());
    }
  }

  Result<int> SchemaVersion() override {
    CAPCONF_ASSIGN_OR_RETURN(ConnectionPool::Lease connection, pool_->Acquire());
    CAPCONF_RETURN_IF_ERROR(connection->Begin(TransactionMode::kReadOnly));
    RollbackGuard guard(*connection);
    return ReadVersion(*connection);
  }

  int LatestSchemaVersion() const override { return static_cast<int>(migrations_.size()); }

  Result<std::unique_ptr<Transaction>> Begin(TransactionMode mode) override {
    ConnectionPool& pool = mode == TransactionMode::kReadWrite ? *writers_ : *pool_;
    CAPCONF_ASSIGN_OR_RETURN(ConnectionPool::Lease connection, pool.Acquire());
    CAPCONF_RETURN_IF_ERROR(connection->Begin(mode));
    return std::unique_ptr<Transaction>(std::make_unique<SqlTransaction>(std::move(connection)));
  }

  std::string_view Backend() const override { return backend_; }

  Status WriteBatched(const std::function<Status(Transaction&)>& work) override {
    if (!group_commit_) return Store::WriteBatched(work);
    return group_commit_->Run(&work);
  }

 private:
  using Work = std::function<Status(Transaction&)>;

  void RunBatch(std::span<GroupCommit::Item* const> batch) {
    Result<std::unique_ptr<Transaction>> begun = Begin(TransactionMode::kReadWrite);
    if (!begun.ok()) {
      for (GroupCommit::Item* item : batch) item->result = begun.status();
      return;
    }
    auto& tx = static_cast<SqlTransaction&>(**begun);
    tx.Share();
    Status unusable;  // the transaction's state is unknown: nothing of it may be committed
    for (GroupCommit::Item* item : batch) {
      if (!unusable.ok()) {
        item->result = unusable;
        continue;
      }
      if (Status began = tx.BeginItem(); !began.ok()) {
        unusable = began;
        item->result = began;
        continue;
      }
      Status status = RunWork(*static_cast<const Work*>(item->payload), tx);
      Status ended = status.ok() ? tx.KeepItem() : tx.UndoItem();
      if (!status.ok() && !ended.ok()) unusable = ended;
      item->result = status.ok() ? ended : status;
    }
    Status committed = unusable.ok() ? tx.CommitShared() : unusable;
    if (committed.ok()) return;
    for (GroupCommit::Item* item : batch) {
      if (item->result.ok()) {
        item->result = Status(committed.code(), "not committed: " + committed.message());
      }
    }
  }

  Status CheckNotNewer(int current) const {
    if (current > LatestSchemaVersion()) {
      return FailedPreconditionError("the database's schema version " + std::to_string(current) +
                                     " is newer than this binary's " +
                                     std::to_string(LatestSchemaVersion()) +
                                     "; run a newer capconf");
    }
    return Status::Ok();
  }

  const std::string backend_;
  const std::shared_ptr<ConnectionPool> pool_;
  const std::shared_ptr<ConnectionPool> writers_;  // pool_ itself unless writers have their own
  const std::vector<Migration> migrations_;
  // Only where writers take turns on one connection (SQLite): PostgreSQL's run side by side.
  std::unique_ptr<GroupCommit> group_commit_;
};

}  // namespace

Result<std::unique_ptr<Store>> MakeSqlStore(std::string backend,
                                            std::shared_ptr<ConnectionPool> pool,
                                            std::shared_ptr<ConnectionPool> writers,
                                            bool group_commit) {
  CAPCONF_ASSIGN_OR_RETURN(std::vector<Migration> migrations, MigrationsFor(backend));
  {
    // Open one connection now, so that a wrong path or an unreachable server shows at Open.
    CAPCONF_ASSIGN_OR_RETURN(ConnectionPool::Lease connection, pool->Acquire());
  }
  return std::unique_ptr<Store>(std::make_unique<SqlStore>(std::move(backend), std::move(pool),
                                                           std::move(writers), group_commit,
                                                           std::move(migrations)));
}

}  // namespace capconf::store::internal
