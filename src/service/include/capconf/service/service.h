#pragma once
// The configuration lifecycle on top of the store: the marketplace's catalog (built-in templates
// plus versions sellers publish), offerings, subscriptions and each subscription's agent
// configuration with its revisions, for a signed-in actor. HTTP-free, so every rule here is
// tested without a socket; the api module maps requests and Status codes onto it.
//
// Tenancy: every object belongs to an organisation. Reading or changing another tenant's object
// answers NotFound (never PermissionDenied, which would confirm it exists); a role without the
// right gets PermissionDenied. Status codes: NotFound, PermissionDenied, InvalidArgument (bad
// input), FailedPrecondition (a rule or state refuses: 409), Aborted (a stale revision: 412),
// Unavailable (the database is busy: retry).
//
// Thread-safe: one Service serves every request thread.

#include <atomic>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "capconf/catalog/bundle.h"
#include "capconf/catalog/catalog.h"
#include "capconf/catalog/rules.h"
#include "capconf/common/status.h"
#include "capconf/config/config.h"
#include "capconf/store/store.h"
#include "capconf/sync/target.h"

namespace capconf::service {
namespace internal {
class ViewCache;
}

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t NowMillis() const = 0;  // Unix milliseconds
};

class SystemClock final : public Clock {
 public:
  std::int64_t NowMillis() const override;
};

// Who is acting.
struct Actor {
  std::string user_id;
  std::string organization_id;
  store::Role role = store::Role::kBuyer;
};

// Encrypts write-only values for storage (access::Keyring implements it).
class SecretSealer {
 public:
  virtual ~SecretSealer() = default;
  // Fills ciphertext, nonce and last4 of a Secret for `plaintext` at (subscription, pointer).
  virtual Status Seal(std::string_view plaintext, store::Secret& secret) const = 0;
  // The plain text of a stored secret; only the sync pipeline asks, to hand it to a target.
  virtual Result<std::string> Unseal(const store::Secret& secret) const = 0;
};

struct ServiceOptions {
  // Where uploaded files live (<dir>/<sha256[0:2]>/<sha256>, as api::FileStorage writes them);
  // the sync pipeline hands their paths to Ragflow.
  std::string files_dir;
};

// The catalog in force: the built-in catalog files plus every template version in the store.
struct CatalogSnapshot {
  std::shared_ptr<const catalog::Catalog> catalog;
  std::unique_ptr<catalog::BundleCache> bundles;
};

// A subscription's configuration as the API shows it.
struct ConfigView {
  std::string subscription_id;
  std::string template_id;
  int template_version = 1;
  std::vector<std::string> enabled;  // offered capabilities that are on, template order
  boost::json::value config;         // without secrets; api.keys projected from the keys
  std::int64_t revision = 0;
  bool is_configured = false;
  std::vector<config::FieldError> errors;  // why the stored config is invalid (normally none)
  std::vector<catalog::MissingNeed> missing;
  std::vector<store::Secret> secrets;  // metadata only (no ciphertext is ever shown)
  std::int64_t updated_at = 0;
  std::string updated_by;
  boost::json::object ToJson() const&;
  // The same, taking `config` over instead of copying it (a saved configuration's answer).
  boost::json::object ToJson() &&;
};

// A subscription as lists show it: with its offering's name and template, its buyer's name and
// whether its agent is configured, so that a list needs no call per row.
struct SubscriptionSummary {
  store::Subscription subscription;
  std::string offering_name;
  std::string template_id;
  int template_version = 0;
  std::string organization_name;  // the buyer organisation's
  bool is_configured = false;
  std::int64_t revision = 0;
};

// A configuration as of one state of the store, with its JSON texts: immutable and shared, so
// that repeated reads of an unchanged configuration cost one small query and no JSON work.
struct ConfigSnapshot {
  ConfigView view;
  std::string view_json;     // view.ToJson() serialised
  std::string config_json;   // view.config serialised
  std::string enabled_json;  // view.enabled serialised as a JSON array
};

struct SaveResult {
  std::vector<config::FieldError> errors;  // non-empty: nothing was saved (422)
  ConfigView view;                         // the new state when saved
};

struct ToggleResult {
  std::vector<catalog::SetProblem> refused;  // non-empty: nothing changed (409)
  ConfigView view;
};

class Service {
 public:
  Service(store::Store& store, std::vector<catalog::CatalogFile> builtin_catalog,
          const Clock& clock, const SecretSealer& sealer, ServiceOptions options = {});
  ~Service();
  // Loads the published template versions into the catalog. Call once after migrating.
  Status Start();

  std::shared_ptr<const CatalogSnapshot> Catalog() const;

  // --- catalog
  // Publishes a new template version (operators and sellers). The document must be a template
  // file (docs/catalog.md) whose `version` is the next one for its id (1 for a new id); it is
  // linted with the whole catalog as `capconf catalog check` does. InvalidArgument with the
  // findings; AlreadyExists for an existing version; PermissionDenied for buyers.
  Result<const catalog::Template*> PublishTemplate(const Actor& actor,
                                                   const boost::json::value& document,
                                                   std::vector<catalog::Finding>* findings);

  // --- offerings
  Result<store::Offering> CreateOffering(const Actor& actor, const std::string& template_id,
                                         std::optional<int> template_version,
                                         const std::string& name, const std::string& description,
                                         const boost::json::object& credit_costs);
  Result<store::Offering> GetOffering(const Actor& actor, std::string_view id);
  Result<std::vector<store::Offering>> ListOfferings(const Actor& actor);
  Result<store::Offering> SetOfferingState(const Actor& actor, std::string_view id,
                                           store::OfferingState state);
  Result<std::vector<SubscriptionSummary>> ListOfferingSubscriptions(const Actor& actor,
                                                                     std::string_view offering_id);

  // --- subscriptions (buyers)
  Result<store::Subscription> Subscribe(const Actor& actor, std::string_view offering_id);
  Result<store::Subscription> GetSubscription(const Actor& actor, std::string_view id);
  Result<std::vector<SubscriptionSummary>> ListSubscriptions(const Actor& actor);
  Result<store::Subscription> CancelSubscription(const Actor& actor, std::string_view id);

  // --- configuration
  Result<ConfigView> GetConfig(const Actor& actor, std::string_view subscription_id);
  // The same, shared: built once per state of the configuration (see view_cache.h).
  Result<std::shared_ptr<const ConfigSnapshot>> GetConfigSnapshot(const Actor& actor,
                                                                  std::string_view subscription_id);
  // The bundled schema and UI schema for the current set, and the form data.
  struct Form {
    std::shared_ptr<const CatalogSnapshot> catalog;  // keeps `bundle` alive
    const catalog::Bundle* bundle = nullptr;
    std::shared_ptr<const ConfigSnapshot> config;
  };
  Result<Form> GetForm(const Actor& actor, std::string_view subscription_id);
  // Saves `config` as the next revision if `expected_revision` is current (Aborted if not;
  // nullopt saves over whatever is current, as If-Match: * asks).
  // Write-only values are taken out and sealed; read-only ones must equal what the server
  // shows (or be absent). Invalid: errors, nothing saved. Takes `config` by value: the saved
  // revision is built from it in place (move it in when the caller is done with it).
  Result<SaveResult> SaveConfig(const Actor& actor, std::string_view subscription_id,
                                std::optional<std::int64_t> expected_revision,
                                boost::json::value config);
  Result<ToggleResult> SetCapabilities(const Actor& actor, std::string_view subscription_id,
                                       const std::map<std::string, bool, std::less<>>& changes,
                                       std::optional<std::int64_t> expected_revision);
  Result<std::vector<store::Revision>> ListRevisions(const Actor& actor,
                                                     std::string_view subscription_id,
                                                     store::Page page);
  // The display names of those of `user_ids` who belong to the actor's organisation (others,
  // and ids of no user, are left out: a name is not shown across tenants).
  Result<std::map<std::string, std::string>> ColleagueNames(const Actor& actor,
                                                            const std::set<std::string>& user_ids);
  Result<store::Revision> GetRevision(const Actor& actor, std::string_view subscription_id,
                                      std::int64_t revision);
  // A new revision with the enabled set and configuration of `revision`.
  Result<ConfigView> RestoreRevision(const Actor& actor, std::string_view subscription_id,
                                     std::int64_t revision,
                                     std::optional<std::int64_t> expected_revision);
  // --- API keys of a subscription (its `api` capability must be on: FailedPrecondition)
  // Stores a key the caller minted; only its keyed hash and display prefix are kept.
  // AlreadyExists when the prefix collides (mint another and retry).
  Result<store::ApiKey> CreateApiKey(const Actor& actor, std::string_view subscription_id,
                                     const std::string& name,
                                     const std::vector<std::string>& permissions,
                                     const std::string& key_hash, const std::string& prefix);
  Result<std::vector<store::ApiKey>> ListApiKeys(const Actor& actor,
                                                 std::string_view subscription_id);
  Status RevokeApiKey(const Actor& actor, std::string_view subscription_id,
                      std::string_view key_id);

  // --- secrets (metadata only; values never leave the store)
  Result<std::vector<store::Secret>> ListSecrets(const Actor& actor,
                                                 std::string_view subscription_id);
  Status DeleteSecret(const Actor& actor, std::string_view subscription_id,
                      std::string_view pointer);

  // The credit cost of an action for a subscription's template and offering.
  Result<std::int64_t> CreditCost(const Actor& actor, std::string_view subscription_id,
                                  std::string_view action);

  // --- sync with the outside systems (issue 6)
  // The targets a subscription to `tmpl` is kept in sync with: "langflow" always (the agent's
  // workspace), "ragflow" when the template offers the knowledge base (so that turning it off
  // removes the dataset too).
  static std::vector<std::string> SyncTargetsOf(const catalog::Template& tmpl);
  // Each target's job of a subscription (the buyer organisation's members).
  Result<std::vector<store::SyncJob>> GetSyncStatus(const Actor& actor,
                                                    std::string_view subscription_id);
  // Runs a target's job again now with fresh attempts (a dead job, or to force a resync).
  // NotFound for a target the subscription has no job for; FailedPrecondition while a worker
  // holds the job.
  Result<store::SyncJob> ReplaySync(const Actor& actor, std::string_view subscription_id,
                                    std::string_view target);
  // What the subscription should look like outside, as of now: for the workers, not for
  // callers acting for someone (no tenant check). Secrets are decrypted.
  Result<sync::DesiredState> DesiredStateOf(std::string_view subscription_id);
  // `wake` runs after every commit that made sync jobs due, so in-process workers start at once.
  // Set before serving.
  void OnSyncDue(std::function<void()> wake) { on_sync_due_ = std::move(wake); }
  // Why a target's jobs wait, by target, when this deployment cannot serve it ("Langflow is not
  // configured on this server"): GetSyncStatus shows it as the last error of its waiting jobs.
  // Set before serving.
  void SetSyncNotes(std::map<std::string, std::string, std::less<>> notes) {
    sync_notes_ = std::move(notes);
  }

 private:
  struct Loaded;  // a subscription with its offering, template and configuration
  Result<Loaded> Load(store::Transaction& tx, const Actor& actor, std::string_view subscription_id,
                      bool for_update);
  Result<ConfigView> View(store::Transaction& tx, const Loaded& loaded);
  Result<std::vector<SubscriptionSummary>> Summarize(store::Transaction& tx,
                                                     std::vector<store::Subscription> list);
  ConfigView ViewOf(const Loaded& loaded, const catalog::Bundle& bundle, boost::json::array keys,
                    std::vector<store::Secret> secrets) const;
  struct SavePlan;
  Result<SavePlan> PlanSave(store::Transaction& tx, const Actor& actor,
                            std::string_view subscription_id, std::optional<std::int64_t> expected,
                            boost::json::value incoming);
  Status Rebuild(store::Transaction& tx);
  Result<std::int64_t> WriteRevision(store::Transaction& tx, const Actor& actor, Loaded& loaded,
                                     catalog::CapabilitySet enabled, boost::json::value config,
                                     const catalog::Bundle& bundle, std::int64_t expected_revision,
                                     std::string note);
  // Makes the subscription's targets due for `revision`, in the caller's transaction.
  Status EnqueueSync(store::Transaction& tx, const catalog::Template& tmpl,
                     std::string_view subscription_id, std::int64_t revision);
  // Commits a transaction that enqueued sync jobs, then wakes the workers.
  Status CommitAndWake(store::Transaction& tx);
  // After a commit that queued sync jobs: one idle worker of this process starts at once.
  void WakeSyncWorkers();

  store::Store& store_;
  std::vector<catalog::CatalogFile> builtin_;
  const Clock& clock_;
  const SecretSealer& sealer_;
  ServiceOptions options_;
  // Called after a transaction made sync jobs due (the in-process workers' Wake).
  std::function<void()> on_sync_due_;
  std::map<std::string, std::string, std::less<>> sync_notes_;
  // Read on every request, replaced when a template version is published.
  std::atomic<std::shared_ptr<const CatalogSnapshot>> catalog_;
  std::unique_ptr<internal::ViewCache> views_;
};

}  // namespace capconf::service
