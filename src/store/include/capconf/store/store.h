#pragma once
// Persistence behind one interface: a `Store` hands out `Transaction`s, and every read and write
// happens inside one. Two implementations pass the same contract suite
// (tests/store/store_contract_test.cc): SQLite (embedded, the default) and PostgreSQL (libpq).
//
// Conventions for every record and operation below:
// - Ids are strings. Records with a generated id (organizations, users, API tokens, offerings,
//   subscriptions, API keys, files) get a fresh `NewId()` on insert when `id` is empty; a given
//   id is kept. Insert returns the id that was stored.
// - Timestamps are int64 Unix milliseconds given by the caller (a Clock lives above the store);
//   the store never reads the database's clock.
// - JSON fields are JSON text, stored and returned byte for byte (the store does not parse them;
//   the caller validates). Bytes fields round-trip exactly, NUL bytes included.
// - Errors are Status codes, never exceptions:
//     kNotFound          the addressed row does not exist;
//     kAlreadyExists     a unique key collided (id, email, token hash, key prefix, primary key);
//     kFailedPrecondition  a stale revision (UpdateAgentConfigIfRevision), a reference to a row
//                        that does not exist (foreign key), cancelling a cancelled subscription,
//                        a finished transaction, a database newer than this binary;
//     kUnavailable       the database is busy, locked or unreachable: retry the whole transaction;
//     kAborted           the database chose this transaction as a deadlock/serialization victim:
//                        retry the whole transaction;
//     kDataLoss          stored data cannot be read back (bad enum value, bad integer, corruption);
//     kInvalidArgument   a bad URL or option, or a value the schema rejects.
// - "Soft" failures leave the transaction usable: kNotFound, kAlreadyExists from Insert* and
//   UpdateUser, kFailedPrecondition from UpdateAgentConfigIfRevision and CancelSubscription.
//   After any other failure the transaction is broken: every later call returns kAborted and
//   Commit returns kAborted, so the caller drops it (rolling back) and may retry with a new one.
//   (PostgreSQL aborts a transaction on any SQL error; the store makes SQLite behave the same.)
// - Text fields must be valid UTF-8 without NUL characters (kInvalidArgument otherwise, a hard
//   failure); use Bytes for anything else.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capconf/common/status.h"

namespace capconf::store {

using Bytes = std::vector<std::uint8_t>;

// A fresh 26-character id: 130 random bits in lowercase Crockford base32
// ("0123456789abcdefghjkmnpqrstvwxyz"), from the operating system's random source.
std::string NewId();

// ---------------------------------------------------------------------------------------------
// Enumerations, stored as the strings ToString returns. Parse* returns kInvalidArgument for
// anything else (the store turns that into kDataLoss when it comes from the database).

enum class OrganizationKind { kOperator, kSeller, kBuyer };
enum class Role { kOperator, kSeller, kBuyer };
enum class OfferingState { kDraft, kActive, kArchived };
enum class SubscriptionState { kActive, kCancelled };
enum class FilePurpose { kDocument, kAvatar };
enum class SyncState { kPending, kSyncing, kInSync, kFailing, kDead };

std::string_view ToString(OrganizationKind kind);    // "operator" | "seller" | "buyer"
std::string_view ToString(Role role);                // "operator" | "seller" | "buyer"
std::string_view ToString(OfferingState state);      // "draft" | "active" | "archived"
std::string_view ToString(SubscriptionState state);  // "active" | "cancelled"
std::string_view ToString(FilePurpose purpose);      // "document" | "avatar"
// "pending" | "syncing" | "in_sync" | "failing" | "dead"
std::string_view ToString(SyncState state);
Result<OrganizationKind> ParseOrganizationKind(std::string_view text);
Result<Role> ParseRole(std::string_view text);
Result<OfferingState> ParseOfferingState(std::string_view text);
Result<SubscriptionState> ParseSubscriptionState(std::string_view text);
Result<FilePurpose> ParseFilePurpose(std::string_view text);
Result<SyncState> ParseSyncState(std::string_view text);

// ---------------------------------------------------------------------------------------------
// Records. Plain values; comparisons compare every field.

struct Organization {
  std::string id;
  std::string name;
  OrganizationKind kind = OrganizationKind::kBuyer;
  std::int64_t created_at = 0;
  bool operator==(const Organization&) const = default;
};

struct User {
  std::string id;
  std::string organization_id;
  // Unique ignoring ASCII case; stored as given, looked up ignoring ASCII case.
  std::string email;
  std::string display_name;
  Role role = Role::kBuyer;
  std::string password_hash;
  std::int64_t created_at = 0;
  bool disabled = false;
  bool operator==(const User&) const = default;
};

struct Session {
  std::string id_hash;  // primary key: SHA-256 hex of the session id (the cookie)
  std::string user_id;
  std::string csrf_token_hash;
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
  std::int64_t last_seen_at = 0;
  bool operator==(const Session&) const = default;
};

// A bearer token for programs acting as a user.
struct ApiToken {
  std::string id;
  std::string user_id;
  std::string name;
  std::string token_hash;  // unique
  std::string prefix;      // shown in lists so people can tell tokens apart
  std::int64_t created_at = 0;
  std::optional<std::int64_t> last_used_at;
  std::optional<std::int64_t> revoked_at;
  bool operator==(const ApiToken&) const = default;
};

// A published template document. Immutable: inserting an existing (template_id, version) fails.
struct TemplateVersion {
  std::string template_id;
  int version = 1;
  std::string document;         // JSON text
  std::string organization_id;  // the publisher
  std::int64_t created_at = 0;
  bool operator==(const TemplateVersion&) const = default;
};

struct Offering {
  std::string id;
  std::string organization_id;  // the seller
  std::string template_id;      // not a foreign key: templates may come from the built-in catalog
  int template_version = 1;
  std::string name;
  std::string description;
  std::string credit_costs;  // JSON text
  OfferingState state = OfferingState::kDraft;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  bool operator==(const Offering&) const = default;
};

struct Subscription {
  std::string id;
  std::string offering_id;
  std::string organization_id;  // the buyer
  std::string created_by;       // user id
  SubscriptionState state = SubscriptionState::kActive;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> cancelled_at;
  bool operator==(const Subscription&) const = default;
};

// The current configuration of a subscription (one row per subscription).
struct AgentConfig {
  std::string subscription_id;
  std::string enabled;  // JSON text: array of capability ids
  std::string config;   // JSON text
  std::int64_t revision = 1;
  bool is_configured = false;
  std::int64_t updated_at = 0;
  std::string updated_by;  // user id (not a foreign key, so system actors may be recorded)
  bool operator==(const AgentConfig&) const = default;
};

// What a configuration's view depends on, read in one query: whose it is, its revision, and its
// generation, which every change to the subscription's secrets or API keys increases (database
// triggers do it, so no write path can forget it). Equal stamps mean an equal view.
struct ConfigStamp {
  std::string organization_id;  // the subscription's buyer organisation
  std::int64_t revision = 0;
  std::int64_t generation = 0;
  bool operator==(const ConfigStamp&) const = default;
};

// The sync pipeline's outbox row for one subscription and one outside system (issue 6). It holds
// desired state, not events: every change of what the target should look like increases
// desired_seq, and the target is done when applied_seq catches up. See src/sync.
struct SyncJob {
  std::string subscription_id;
  std::string target;  // "langflow" | "ragflow"
  std::int64_t desired_seq = 0;
  std::int64_t desired_revision = 0;
  std::int64_t applied_seq = 0;
  std::int64_t applied_revision = 0;
  SyncState state = SyncState::kPending;
  int attempts = 0;  // failed attempts at the current desired state
  std::int64_t next_attempt_at = 0;
  std::optional<std::string> lease_token;  // set while a worker holds the job
  std::optional<std::int64_t> lease_until;
  std::int64_t claimed_seq = 0;
  std::int64_t claimed_revision = 0;
  std::string last_error;
  std::string message;
  std::string progress;
  std::string resources = "{}";  // JSON object: resource name -> id
  std::int64_t updated_at = 0;
  bool operator==(const SyncJob&) const = default;
};

// One saved state of an AgentConfig; revision 1 is written with the AgentConfig itself.
struct Revision {
  std::string subscription_id;
  std::int64_t revision = 1;
  std::string enabled;  // JSON text
  std::string config;   // JSON text
  bool is_configured = false;
  std::int64_t created_at = 0;
  std::string created_by;  // user id (not a foreign key)
  std::string note;        // "created", "saved", "capabilities", "restored from 3"
  bool operator==(const Revision&) const = default;
};

// A key a subscription's programs call the gateway with; only its hash is stored.
struct ApiKey {
  std::string id;
  std::string subscription_id;
  std::string name;
  std::string prefix;  // unique: how a presented key finds its row
  std::string key_hash;
  std::string permissions;  // JSON text: array of permission names
  std::int64_t created_at = 0;
  std::string created_by;  // user id (not a foreign key)
  std::optional<std::int64_t> last_used_at;
  std::optional<std::int64_t> revoked_at;
  bool operator==(const ApiKey&) const = default;
};

// A write-only value of a subscription's configuration, encrypted by the caller.
struct Secret {
  std::string subscription_id;
  std::string pointer;  // JSON Pointer into the configuration document
  Bytes ciphertext;
  Bytes nonce;
  std::string last4;
  std::int64_t updated_at = 0;
  std::string updated_by;  // user id (not a foreign key)
  bool operator==(const Secret&) const = default;
};

// Metadata of an uploaded file (the bytes live elsewhere, addressed by sha256).
struct StoredFile {
  std::string id;
  std::string organization_id;
  std::string sha256;  // hex
  std::int64_t size = 0;
  std::string content_type;
  std::string filename;
  FilePurpose purpose = FilePurpose::kDocument;
  std::int64_t created_at = 0;
  std::string created_by;  // user id (not a foreign key)
  bool operator==(const StoredFile&) const = default;
};

// A window of a list: at most `limit` rows after skipping `offset`.
struct Page {
  int limit = 100;
  int offset = 0;
};

// ---------------------------------------------------------------------------------------------

// A unit of work on one database connection. Not thread-safe: one thread uses it at a time.
// Destroying a Transaction that was not committed rolls it back. Lists are ordered by
// (created_at, id) ascending unless a function says otherwise; text compares by bytes.
// Inserts of rows that reference others (users, sessions, tokens, offerings, subscriptions,
// configurations, revisions, keys, secrets, files) fail with kFailedPrecondition when the
// referenced organization, user, offering or subscription does not exist.
//
// Isolation: PostgreSQL runs READ COMMITTED; SQLite runs read-write transactions one at a time
// (BEGIN IMMEDIATE). So a thread must not hold a read-write transaction while it begins another
// on the same SQLite store: the second waits for the first and ends kUnavailable.
class Transaction {
 public:
  virtual ~Transaction() = default;

  // Makes the changes durable and visible. kAborted (an earlier hard failure, or PostgreSQL
  // chose this transaction as a victim): nothing was written. kUnavailable: the database could
  // not be reached; if the connection broke during the commit itself the outcome is unknown.
  // After Commit or Rollback every call returns kFailedPrecondition.
  virtual Status Commit() = 0;
  // Discards the changes (the destructor does this too).
  virtual Status Rollback() = 0;

  // --- organizations
  virtual Result<std::string> InsertOrganization(const Organization& org) = 0;
  virtual Result<Organization> GetOrganization(std::string_view id) = 0;
  virtual Result<std::vector<Organization>> ListOrganizations() = 0;

  // --- users
  // kAlreadyExists if the id or the email (ignoring ASCII case) is taken; kFailedPrecondition
  // if the organization does not exist.
  virtual Result<std::string> InsertUser(const User& user) = 0;
  virtual Result<User> GetUser(std::string_view id) = 0;
  virtual Result<User> GetUserByEmail(std::string_view email) = 0;  // ignores ASCII case
  virtual Result<std::vector<User>> ListUsersByOrganization(std::string_view organization_id) = 0;
  // Writes email, display_name, role, password_hash and disabled of the user `user.id`
  // (organization_id and created_at are fixed). kNotFound; kAlreadyExists if the email is taken.
  virtual Status UpdateUser(const User& user) = 0;

  // --- sessions (browser logins)
  // kAlreadyExists; kFailedPrecondition if the user does not exist.
  virtual Status InsertSession(const Session& session) = 0;
  virtual Result<Session> GetSessionByIdHash(std::string_view id_hash) = 0;
  // Sets last_seen_at and expires_at (pass the old expires_at to keep it). kNotFound.
  virtual Status TouchSession(std::string_view id_hash, std::int64_t last_seen_at,
                              std::int64_t expires_at) = 0;
  virtual Status DeleteSession(std::string_view id_hash) = 0;  // kNotFound
  // Deletes every session of the user (logout everywhere); returns how many.
  virtual Result<std::int64_t> DeleteSessionsOfUser(std::string_view user_id) = 0;
  // Deletes the sessions with expires_at <= now; returns how many.
  virtual Result<std::int64_t> DeleteExpiredSessions(std::int64_t now) = 0;

  // --- API tokens (bearer tokens of users)
  // kAlreadyExists if the id or token_hash is taken; kFailedPrecondition if the user is missing.
  virtual Result<std::string> InsertApiToken(const ApiToken& token) = 0;
  virtual Result<ApiToken> GetApiToken(std::string_view id) = 0;
  virtual Result<ApiToken> GetApiTokenByHash(std::string_view token_hash) = 0;
  virtual Result<std::vector<ApiToken>> ListApiTokensByUser(std::string_view user_id) = 0;
  // Sets revoked_at unless already revoked (the first time is kept). kNotFound.
  virtual Status RevokeApiToken(std::string_view id, std::int64_t revoked_at) = 0;
  virtual Status TouchApiTokenLastUsed(std::string_view id,
                                       std::int64_t last_used_at) = 0;  // kNotFound

  // --- template versions (immutable)
  // kAlreadyExists if (template_id, version) exists.
  virtual Status InsertTemplateVersion(const TemplateVersion& tv) = 0;
  virtual Result<TemplateVersion> GetTemplateVersion(std::string_view template_id, int version) = 0;
  // The versions of one template, ascending.
  virtual Result<std::vector<TemplateVersion>> ListTemplateVersions(
      std::string_view template_id) = 0;
  // Every version of every template, by (template_id, version).
  virtual Result<std::vector<TemplateVersion>> ListAllTemplateVersions() = 0;

  // --- offerings
  virtual Result<std::string> InsertOffering(const Offering& offering) = 0;
  virtual Result<Offering> GetOffering(std::string_view id) = 0;
  virtual Result<std::vector<Offering>> ListOfferingsBySeller(std::string_view organization_id) = 0;
  virtual Result<std::vector<Offering>> ListActiveOfferings() = 0;
  virtual Status UpdateOfferingState(std::string_view id, OfferingState state,
                                     std::int64_t updated_at) = 0;  // kNotFound
  // Writes name, description, credit_costs and updated_at of `offering.id`. kNotFound.
  virtual Status UpdateOffering(const Offering& offering) = 0;

  // --- subscriptions
  virtual Result<std::string> InsertSubscription(const Subscription& subscription) = 0;
  virtual Result<Subscription> GetSubscription(std::string_view id) = 0;
  virtual Result<std::vector<Subscription>> ListSubscriptionsByBuyer(
      std::string_view organization_id) = 0;
  virtual Result<std::vector<Subscription>> ListSubscriptionsByOffering(
      std::string_view offering_id) = 0;
  // Sets state cancelled and cancelled_at. kNotFound; kFailedPrecondition if already cancelled.
  virtual Status CancelSubscription(std::string_view id, std::int64_t cancelled_at) = 0;

  // --- agent configurations
  // The caller inserts revision 1 (InsertRevision) in the same transaction. kAlreadyExists.
  virtual Status InsertAgentConfig(const AgentConfig& config) = 0;
  virtual Result<AgentConfig> GetAgentConfig(std::string_view subscription_id) = 0;
  // kNotFound when the subscription or its configuration does not exist.
  virtual Result<ConfigStamp> GetConfigStamp(std::string_view subscription_id) = 0;
  // Reads and locks the row until the transaction ends (PostgreSQL: SELECT ... FOR UPDATE;
  // SQLite: read-write transactions already hold the database's write lock).
  virtual Result<AgentConfig> GetAgentConfigForUpdate(std::string_view subscription_id) = 0;
  // Optimistic concurrency: writes every field of `next` (normally next.revision =
  // expected_revision + 1) only if the stored revision is `expected_revision`.
  // kFailedPrecondition when the stored revision differs (someone else saved first): of two
  // concurrent saves with the same expected revision exactly one succeeds, the other gets
  // kFailedPrecondition. kNotFound when there is no row.
  virtual Status UpdateAgentConfigIfRevision(const AgentConfig& next,
                                             std::int64_t expected_revision) = 0;
  // The same, only if neither the revision nor the generation moved from `expected` (that is,
  // nothing a view of the configuration depends on changed). kFailedPrecondition otherwise.
  virtual Status UpdateAgentConfigIfUnchanged(const AgentConfig& next,
                                              const ConfigStamp& expected) = 0;

  // --- revisions
  virtual Status InsertRevision(const Revision& revision) = 0;  // kAlreadyExists
  virtual Result<Revision> GetRevision(std::string_view subscription_id, std::int64_t revision) = 0;
  // Newest first.
  virtual Result<std::vector<Revision>> ListRevisions(std::string_view subscription_id,
                                                      Page page) = 0;

  // --- API keys (of subscriptions)
  virtual Result<std::string> InsertApiKey(const ApiKey& key) = 0;  // kAlreadyExists on prefix
  virtual Result<ApiKey> GetApiKey(std::string_view id) = 0;
  virtual Result<ApiKey> GetApiKeyByPrefix(std::string_view prefix) = 0;
  virtual Result<std::vector<ApiKey>> ListApiKeysBySubscription(
      std::string_view subscription_id) = 0;
  // Sets revoked_at unless already revoked (the first time is kept). kNotFound.
  virtual Status RevokeApiKey(std::string_view id, std::int64_t revoked_at) = 0;
  virtual Status TouchApiKeyLastUsed(std::string_view id,
                                     std::int64_t last_used_at) = 0;  // kNotFound

  // --- secrets
  // Inserts or replaces the secret at (subscription_id, pointer). kFailedPrecondition if the
  // subscription does not exist.
  virtual Status UpsertSecret(const Secret& secret) = 0;
  virtual Result<Secret> GetSecret(std::string_view subscription_id, std::string_view pointer) = 0;
  // By pointer.
  virtual Result<std::vector<Secret>> ListSecretsBySubscription(
      std::string_view subscription_id) = 0;
  virtual Status DeleteSecret(std::string_view subscription_id,
                              std::string_view pointer) = 0;  // kNotFound

  // --- files
  virtual Result<std::string> InsertFile(const StoredFile& file) = 0;
  virtual Result<StoredFile> GetFile(std::string_view id) = 0;
  virtual Result<std::vector<StoredFile>> ListFilesByOrganization(
      std::string_view organization_id) = 0;
  virtual Status DeleteFile(std::string_view id) = 0;  // kNotFound

  // --- the sync outbox (issue 6)
  // Makes (subscription, target) due now for `revision`: inserts the row, or increases its
  // desired_seq, resets its attempts and makes it due at `now` (a dead job comes back to life: a
  // new desired state deserves new attempts). A job held by a worker stays held; the worker
  // sees desired_seq moved when it finishes and leaves the job pending.
  virtual Status EnqueueSync(std::string_view subscription_id, std::string_view target,
                             std::int64_t revision, std::int64_t now) = 0;
  // Takes up to `limit` jobs of the named `targets` that are due (pending, failing, or syncing
  // between parse polls, with next_attempt_at <= now and no lease) or whose lease ran out before
  // `now`, oldest due first, and leases them to `lease_token` until `lease_until`: state syncing,
  // claimed_seq and claimed_revision set to the desired ones. Concurrent claimers never get the
  // same job (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: the single writer). Returns the claimed
  // rows.
  virtual Result<std::vector<SyncJob>> ClaimSyncJobs(const std::vector<std::string>& targets,
                                                     std::string_view lease_token, std::int64_t now,
                                                     std::int64_t lease_until, int limit) = 0;
  // Extends every lease held by `lease_token` to `lease_until`; how many.
  virtual Result<std::int64_t> RenewSyncLeases(std::string_view lease_token,
                                               std::int64_t lease_until) = 0;
  // The row, locked for the rest of the transaction where the backend supports it. kNotFound.
  virtual Result<SyncJob> GetSyncJobForUpdate(std::string_view subscription_id,
                                              std::string_view target) = 0;
  // Writes every field but the key and desired_seq/desired_revision (which only EnqueueSync
  // moves). kNotFound.
  virtual Status UpdateSyncJob(const SyncJob& job) = 0;
  // A subscription's jobs, by target.
  virtual Result<std::vector<SyncJob>> ListSyncJobs(std::string_view subscription_id) = 0;
};

enum class TransactionMode {
  // Writers are serialized where the backend needs it (SQLite: BEGIN IMMEDIATE).
  kReadWrite,
  // Reads only (SQLite: a deferred transaction that runs beside the writer; PostgreSQL:
  // BEGIN READ ONLY). A write in it fails and breaks the transaction.
  kReadOnly,
};

struct StoreOptions {
  // Connections kept open. PostgreSQL default 8; SQLite uses min(pool_size, 4) for files and
  // exactly 1 for "sqlite::memory:" (each in-memory connection would be its own database).
  int pool_size = 8;
  // How long Begin waits for a free connection before kUnavailable.
  int acquire_timeout_ms = 10000;
  // SQLite: how long a statement waits for the database lock before kUnavailable.
  int busy_timeout_ms = 5000;
  // PostgreSQL: connect_timeout for new connections.
  int connect_timeout_s = 5;
};

// A database. Thread-safe: share one Store among all threads; each Begin takes a connection
// from the Store's pool and the Transaction gives it back when it ends. A Store must outlive its
// Transactions.
class Store {
 public:
  virtual ~Store() = default;

  // Opens "sqlite:PATH" (a file, created if missing; WAL, foreign keys on, synchronous NORMAL),
  // "sqlite::memory:" (a private in-memory database, for tests), or
  // "postgres://..." / "postgresql://..." (a libpq connection URI).
  // kInvalidArgument for another scheme or when PostgreSQL support was not compiled in;
  // kUnavailable when the database cannot be reached. Does not migrate.
  static Result<std::unique_ptr<Store>> Open(std::string_view url,
                                             const StoreOptions& options = {});

  // Applies every migration newer than the database's schema version, each in its own
  // transaction, recording it in schema_migrations. Idempotent; safe against concurrent
  // migrators. kFailedPrecondition if the database is newer than this binary.
  virtual Status Migrate() = 0;
  // The newest migration applied to the database (0 when none).
  virtual Result<int> SchemaVersion() = 0;
  // The newest migration this binary carries.
  virtual int LatestSchemaVersion() const = 0;

  // Starts a transaction. kUnavailable if no connection frees up in time or the database is
  // unreachable (a broken PostgreSQL connection is replaced here).
  virtual Result<std::unique_ptr<Transaction>> Begin(
      TransactionMode mode = TransactionMode::kReadWrite) = 0;

  // Runs `work` in a read-write transaction and commits it, the way
  //   tx = Begin(); status = work(*tx); status.ok() ? tx->Commit() : tx->Rollback()
  // would, except that the transaction may be shared: concurrent callers' work may run in the
  // same transaction, one after another, and be committed together (group commit). Each
  // caller's work still stands or falls alone: work that returns an error (or throws: then
  // kInternal) has its writes undone and the error returned to its caller, while the others'
  // writes stay; so does work that goes on after a failed statement (kAborted). A
  // failed commit fails every caller of the batch with the commit's error. Returns when the
  // work is committed (or not). `work` must not call Commit or Rollback itself (a shared
  // transaction refuses with kFailedPrecondition; an unshared one would end early), nor start
  // another write (it would wait for this one).
  //
  // Why: on SQLite every transaction pays fixed costs (locks, a WAL append, waking the next
  // writer), and there is one writer at a time, so under concurrent saves one commit for
  // several saves is most of the throughput to be had. The default runs each work in its own
  // transaction (PostgreSQL, whose writers run concurrently).
  virtual Status WriteBatched(const std::function<Status(Transaction&)>& work);

  // "sqlite" or "postgres".
  virtual std::string_view Backend() const = 0;

 protected:
  // work(tx), with an exception turned into kInternal (for WriteBatched's implementations).
  static Status RunWork(const std::function<Status(Transaction&)>& work, Transaction& tx);
};

// True when this binary was built with PostgreSQL support (CAPCONF_WITH_POSTGRES).
bool PostgresCompiledIn();

}  // namespace capconf::store
