#include "capconf/service/service.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <optional>
#include <set>

#include "capconf/catalog/lint.h"
#include "capconf/common/time_format.h"
#include "capconf/json/parse.h"
#include "capconf/json/pointer.h"
#include "capconf/json/serialize.h"
#include "view_cache.h"

namespace capconf::service {
namespace bj = boost::json;

std::int64_t SystemClock::NowMillis() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

Result<bj::value> ParseStored(const std::string& text, std::string_view what) {
  auto parsed = capconf::json::Parse(text);
  if (!parsed.ok()) {
    return Status(StatusCode::kDataLoss,
                  "stored " + std::string(what) + " is unreadable: " + parsed.status().message());
  }
  return std::move(*parsed);
}

std::string EnabledJson(const catalog::Template& tmpl, catalog::CapabilitySet enabled) {
  bj::array ids;
  for (const catalog::Capability* c : tmpl.capabilities()) {
    if (enabled & c->bit()) ids.push_back(bj::string(c->id()));
  }
  return capconf::json::Serialize(ids);
}

bool IsBuyer(const Actor& a) { return a.role == store::Role::kBuyer; }
bool IsSeller(const Actor& a) { return a.role == store::Role::kSeller; }

// Whether `actor` may change subscription `s` (only its buyer does, only while it is active);
// `doing` completes "only the buyer ...".
Status MayChange(const Actor& actor, const store::Subscription& s, std::string_view doing) {
  if (!IsBuyer(actor))
    return Status(StatusCode::kPermissionDenied, "only the buyer " + std::string(doing));
  if (s.state != store::SubscriptionState::kActive)
    return FailedPreconditionError("the subscription is cancelled");
  return Status::Ok();
}

// Aborted (412) when the caller expects another revision than the current one.
Status IsCurrent(std::optional<std::int64_t> expected, std::int64_t current) {
  if (!expected || *expected == current) return Status::Ok();
  return Status(StatusCode::kAborted, "revision " + std::to_string(*expected) +
                                          " is not current; the current revision is " +
                                          std::to_string(current));
}

// The subscription `id` when it belongs to the actor's organisation; NotFound otherwise, so that
// another tenant cannot tell a foreign id from a missing one.
Result<store::Subscription> OwnSubscription(store::Transaction& tx, const Actor& actor,
                                            std::string_view id) {
  auto s = tx.GetSubscription(id);
  if (!s.ok() || s->organization_id != actor.organization_id) {
    if (s.ok() || s.status().code() == StatusCode::kNotFound) {
      return NotFoundError("there is no subscription '" + std::string(id) + "'");
    }
    return s.status();
  }
  return *s;
}

}  // namespace

bj::object ConfigView::ToJson() const& {
  ConfigView copy = *this;
  return std::move(copy).ToJson();
}

bj::object ConfigView::ToJson() && {
  bj::array enabled_list;
  for (const std::string& id : enabled) enabled_list.push_back(bj::string(id));
  bj::array missing_list;
  for (const catalog::MissingNeed& m : missing) {
    bj::object item{{"capability", m.capability}, {"need", m.need}, {"message", m.message}};
    if (!m.pointer.empty()) item["pointer"] = m.pointer;
    missing_list.push_back(std::move(item));
  }
  bj::array error_list;
  for (const config::FieldError& e : errors) error_list.push_back(e.ToJson());
  bj::array secret_list;
  for (const store::Secret& s : secrets) {
    secret_list.push_back(bj::object{{"pointer", s.pointer},
                                     {"set", true},
                                     {"last4", s.last4},
                                     {"updated_at", FormatUtcMillis(s.updated_at)}});
  }
  return bj::object{{"subscription_id", subscription_id},
                    {"template_id", template_id},
                    {"template_version", template_version},
                    {"enabled_capabilities", std::move(enabled_list)},
                    {"config", std::move(config)},
                    {"revision", revision},
                    {"is_configured", is_configured},
                    {"missing", std::move(missing_list)},
                    {"errors", std::move(error_list)},
                    {"secrets", std::move(secret_list)},
                    {"updated_at", FormatUtcMillis(updated_at)},
                    {"updated_by", updated_by}};
}

Service::Service(store::Store& store, std::vector<catalog::CatalogFile> builtin_catalog,
                 const Clock& clock, const SecretSealer& sealer, ServiceOptions options)
    : store_(store),
      builtin_(std::move(builtin_catalog)),
      clock_(clock),
      sealer_(sealer),
      options_(std::move(options)),
      views_(std::make_unique<internal::ViewCache>()) {}

Service::~Service() = default;

std::shared_ptr<const CatalogSnapshot> Service::Catalog() const { return catalog_.load(); }

Status Service::Start() {
  CAPCONF_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TransactionMode::kReadOnly));
  return Rebuild(*tx);
}

Status Service::Rebuild(store::Transaction& tx) {
  std::vector<catalog::CatalogFile> files = builtin_;
  CAPCONF_ASSIGN_OR_RETURN(std::vector<store::TemplateVersion> published,
                           tx.ListAllTemplateVersions());
  for (const store::TemplateVersion& tv : published) {
    files.push_back(
        {"templates/" + tv.template_id + "@" + std::to_string(tv.version) + ".json", tv.document});
  }
  CAPCONF_ASSIGN_OR_RETURN(std::shared_ptr<const catalog::Catalog> loaded,
                           catalog::Catalog::Load(files));
  auto snapshot = std::make_shared<CatalogSnapshot>();
  snapshot->catalog = std::move(loaded);
  snapshot->bundles = std::make_unique<catalog::BundleCache>();
  catalog_.store(std::move(snapshot));
  return Status::Ok();
}

Result<const catalog::Template*> Service::PublishTemplate(const Actor& actor,
                                                          const bj::value& document,
                                                          std::vector<catalog::Finding>* findings) {
  if (IsBuyer(actor))
    return Status(StatusCode::kPermissionDenied, "buyers cannot publish templates");
  const bj::object* o = document.if_object();
  const bj::value* id = o ? o->if_contains("template_id") : nullptr;
  const bj::value* version = o ? o->if_contains("version") : nullptr;
  if (id == nullptr || !id->is_string() || version == nullptr || !version->is_int64()) {
    return InvalidArgumentError("a template needs a 'template_id' and an integer 'version'");
  }
  std::string template_id(id->get_string());
  if (template_id.find('/') != std::string::npos || template_id.find('@') != std::string::npos) {
    return InvalidArgumentError("'template_id' must match [a-z0-9][a-z0-9-]*");
  }
  CAPCONF_ASSIGN_OR_RETURN(auto tx, store_.Begin());
  auto snapshot = Catalog();
  const catalog::Template* newest = snapshot->catalog->FindTemplate(template_id);
  std::int64_t next = newest ? newest->version() + 1 : 1;
  if (version->get_int64() != next) {
    if (newest &&
        snapshot->catalog->FindTemplate(template_id, static_cast<int>(version->get_int64()))) {
      return Status(StatusCode::kAlreadyExists,
                    "template '" + template_id + "' version " +
                        std::to_string(version->get_int64()) +
                        " exists; versions are immutable, publish version " + std::to_string(next));
    }
    return InvalidArgumentError("the next version of '" + template_id + "' is " +
                                std::to_string(next));
  }
  std::vector<catalog::CatalogFile> files = builtin_;
  CAPCONF_ASSIGN_OR_RETURN(std::vector<store::TemplateVersion> published,
                           tx->ListAllTemplateVersions());
  for (const store::TemplateVersion& tv : published) {
    files.push_back(
        {"templates/" + tv.template_id + "@" + std::to_string(tv.version) + ".json", tv.document});
  }
  std::string text = capconf::json::Serialize(document);
  std::string file = "templates/" + template_id + "@" + std::to_string(next) + ".json";
  files.push_back({file, text});
  std::vector<catalog::Finding> found = catalog::CheckCatalog(files);
  if (!found.empty()) {
    std::string first = found.front().ToString();
    if (findings) *findings = std::move(found);
    return InvalidArgumentError("the template does not pass the catalog check: " + first);
  }
  store::TemplateVersion tv{template_id, static_cast<int>(next), text, actor.organization_id,
                            clock_.NowMillis()};
  CAPCONF_RETURN_IF_ERROR(tx->InsertTemplateVersion(tv));
  CAPCONF_RETURN_IF_ERROR(tx->Commit());
  auto read = store_.Begin(store::TransactionMode::kReadOnly);
  if (!read.ok()) return read.status();
  CAPCONF_RETURN_IF_ERROR(Rebuild(**read));
  return Catalog()->catalog->FindTemplate(template_id, static_cast<int>(next));
}

// --- offerings -----------------------------------------------------------------------------

Result<store::Offering> Service::CreateOffering(const Actor& actor, const std::string& template_id,
                                                std::optional<int> template_version,
                                                const std::string& name,
                                                const std::string& description,
                                                const bj::object& credit_costs) {
  if (IsBuyer(actor))
    return Status(StatusCode::kPermissionDenied, "buyers cannot publish offerings");
  auto snapshot = Catalog();
  const catalog::Template* tmpl = snapshot->catalog->FindTemplate(template_id, template_version);
  if (tmpl == nullptr) {
    return InvalidArgumentError(
        "there is no template '" + template_id + "'" +
        (template_version ? " version " + std::to_string(*template_version) : ""));
  }
  if (name.empty() || name.size() > 200)
    return InvalidArgumentError("'name' must be 1 to 200 characters");
  if (description.size() > 5000)
    return InvalidArgumentError("'description' must be at most 5000 characters");
  bj::object costs;
  for (const auto& [action, cost] : tmpl->credit_costs()) costs[action] = cost;
  for (const auto& [action, cost] : credit_costs) {
    if (!cost.is_int64() || cost.get_int64() < 0 || cost.get_int64() > 1000000) {
      return InvalidArgumentError("credit cost of '" + std::string(action) +
                                  "' must be a whole number from 0 to 1000000");
    }
    bool known = false;
    for (const auto& c : snapshot->catalog->capabilities()) {
      if (!c->universal() && !(tmpl->offered() & c->bit())) continue;
      for (const catalog::CreditAction& a : c->credit_actions())
        known = known || a.action == action;
    }
    if (!known) {
      return InvalidArgumentError("no capability of template '" + template_id +
                                  "' brings the action '" + std::string(action) + "'");
    }
    costs[action] = cost;
  }
  store::Offering offering;
  offering.organization_id = actor.organization_id;
  offering.template_id = tmpl->id();
  offering.template_version = tmpl->version();
  offering.name = name;
  offering.description = description;
  offering.credit_costs = capconf::json::Serialize(costs);
  offering.state = store::OfferingState::kDraft;
  offering.created_at = offering.updated_at = clock_.NowMillis();
  CAPCONF_ASSIGN_OR_RETURN(auto tx, store_.Begin());
  CAPCONF_ASSIGN_OR_RETURN(offering.id, tx->InsertOffering(offering));
  CAPCONF_RETURN_IF_ERROR(tx->Commit());
  return offering;
}

Result<store::Offering> Service::GetOffering(const Actor& actor, std::string_view id) {
  CAPCONF_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TransactionMode::kReadOnly));
  CAPCONF_ASSIGN_OR_RETURN(store::Offering offering, tx->GetOffering(id));
  bool own = offering.organization_id == actor.organization_id;
  if (!own && offering.state != store::OfferingState::kActive) {
    return NotFoundError("there is no offering '" + std::string(id) + "'");
  }
  return offering;
}

Result<std::vector<store::Offering>> Service::ListOfferings(const Actor& actor) {
  CAPCONF_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TransactionMode::kReadOnly));
  if (IsSeller(actor)) return tx->ListOfferingsBySeller(actor.organization_id);
  return tx->ListActiveOfferings();
}

Result<store::Offering> Service::SetOfferingState(const Actor& actor, std::string_view id,
                                                  store::OfferingState state) {
  CAPCONF_ASSIGN_OR_RETURN(auto tx, store_.Begin());
  CAPCONF_ASSIGN_OR_RETURN(store::Offering offering, tx->GetOffering(id));
  if (offering.organization_id != actor.organization_id) {
    if (offering.state != store::OfferingState::kActive) {
      return NotFoundError("there is no offering '" + std::string(id) + "'");
    }
    return Status(StatusCode::kPermissionDenied, "only the seller of an offering may change it");
  }
  if (offering.state == store::OfferingState::kArchived &&
      state != store::OfferingState::kArchived) {
    return FailedPreconditionError("an archived offering stays archived; publish a new one");
  }
  offering.state = state;
  offering.updated_at = clock_.NowMillis();
  CAPCONF_RETURN_IF_ERROR(tx->UpdateOfferingState(id, state, offering.updated_at));
  CAPCONF_RETURN_IF_ERROR(tx->Commit());
  return offering;
}

Result<std::vector<SubscriptionSummary>> Service::ListOfferingSubscriptions(
    const Actor& actor, std::string_view offering_id) {
  CAPCONF_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TransactionMode::kReadOnly));
  CAPCONF_ASSIGN_OR_RETURN(store::Offering offering, tx->GetOffering(offering_id));
  if (offering.organization_id != actor.organization_id) {
    if (offering.state != store::OfferingState::kActive) {
      return NotFoundError("there is no offering '" + std::string(offering_id) + "'");
    }
    return Status(StatusCode::kPermissionDenied,
                  "only the seller of an offering sees its subscriptions");
  }
  CAPCONF_ASSIGN_OR_RETURN(std::vector<store::Subscription> subscriptions,
                           tx->ListSubscriptionsByOffering(offering_id));
  return Summarize(*tx, std::move(subscriptions));
}

// --- subscriptions ---------------------------------------------------------------------------

struct Service::Loaded {
  store::Subscription subscription;
  store::Offering offering;
  std::shared_ptr<const CatalogSnapshot> snapshot;
  const catalog::Template* tmpl = nullptr;
  store::AgentConfig record;
  catalog::CapabilitySet enabled = 0;
  bj::value config;
  // What the sync targets made for it ("ragflow_collection"), for readiness.
  std::set<std::string, std::less<>> resources;
};

Result<store::Subscription> Service::Subscribe(const Actor& actor, std::string_view offering_id) {
  if (!IsBuyer(actor)) return Status(StatusCode::kPermissionDenied, "only buyers subscribe");
  auto snapshot = Catalog();
  CAPCONF_ASSIGN_OR_RETURN(auto tx, store_.Begin());
  CAPCONF_ASSIGN_OR_RETURN(store::Offering offering, tx->GetOffering(offering_id));
  if (offering.state != store::OfferingState::kActive) {
    return NotFoundError("there is no offering '" + std::string(offering_id) + "'");
  }
  const catalog::Template* tmpl =
      snapshot->catalog->FindTemplate(offering.template_id, offering.template_version);
  if (tmpl == nullptr) {
    return InternalError("offering '" + offering.id + "' names template " + offering.template_id +
                         "@" + std::to_string(offering.template_version) +
                         ", which the catalog lacks");
  }
  CAPCONF_ASSIGN_OR_RETURN(config::AgentConfig initial,
                           config::InitialConfig(*snapshot->bundles, *tmpl));
  const std::int64_t now = clock_.NowMillis();
  store::Subscription subscription;
  subscription.offering_id = offering.id;
  subscription.organization_id = actor.organization_id;
  subscription.created_by = actor.user_id;
  subscription.state = store::SubscriptionState::kActive;
  subscription.created_at = now;
  CAPCONF_ASSIGN_OR_RETURN(subscription.id, tx->InsertSubscription(subscription));
  CAPCONF_ASSIGN_OR_RETURN(const catalog::Bundle* bundle,
                           snapshot->bundles->Get(*tmpl, initial.enabled));
  // A new subscription has no resources yet: the sync pipeline provisions them.
  config::Readiness readiness = config::Evaluate(*bundle, initial.config, catalog::Facts{});
  store::AgentConfig record{subscription.id,
                            EnabledJson(*tmpl, initial.enabled),
                            capconf::json::Serialize(initial.config),
                            1,
                            readiness.is_configured,
                            now,
                            actor.user_id};
  CAPCONF_RETURN_IF_ERROR(tx->InsertAgentConfig(record));
  CAPCONF_RETURN_IF_ERROR(
      tx->InsertRevision({subscription.id, 1, record.enabled, record.config, record.is_configured,
                          now, actor.user_id, "created"}));
  CAPCONF_RETURN_IF_ERROR(EnqueueSync(*tx, *tmpl, subscription.id, 1));
  CAPCONF_RETURN_IF_ERROR(CommitAndWake(*tx));
  return subscription;
}

Result<store::Subscription> Service::GetSubscription(const Actor& actor, std::string_view id) {
  CAPCONF_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TransactionMode::kReadOnly));
  CAPCONF_ASSIGN_OR_RETURN(store::Subscription s, OwnSubscription(*tx, actor, id));
  return s;
}

Result<std::map<std::string, std::string>> Service::ColleagueNames(
    const Actor& actor, const std::set<std::string>& user_ids) {
  CAPCONF_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TransactionMode::kReadOnly));
  std::map<std::string, std::string> names;
  for (const std::string& id : user_ids) {
    Result<store::User> user = tx->GetUser(id);
    if (user.ok() && user->organization_id == actor.organization_id)
      names[id] = user->display_name.empty() ? user->email : user->display_name;
    else if (!user.ok() && user.status().code() != StatusCode::kNotFound)
      return user.status();
  }
  return names;
}

Result<std::vector<SubscriptionSummary>> Service::ListSubscriptions(const Actor& actor) {
  CAPCONF_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TransactionMode::kReadOnly));
  CAPCONF_ASSIGN_OR_RETURN(std::vector<store::Subscription> subscriptions,
                           tx->ListSubscriptionsByBuyer(actor.organization_id));
  return Summarize(*tx, std::move(subscriptions));
}

Result<std::vector<SubscriptionSummary>> Service::Summarize(
    store::Transaction& tx, std::vector<store::Subscription> subscriptions) {
  // Lists hold a handful of offerings and organisations: each is read once.
  std::map<std::string, store::Offering> offerings;
  std::map<std::string, std::string> organizations;
  std::vector<SubscriptionSummary> out;
  out.reserve(subscriptions.size());
  for (store::Subscription& s : subscriptions) {
    SubscriptionSummary summary;
    auto offering = offerings.find(s.offering_id);
    if (offering == offerings.end()) {
      CAPCONF_ASSIGN_OR_RETURN(store::Offering o, tx.GetOffering(s.offering_id));
      offering = offerings.emplace(s.offering_id, std::move(o)).first;
    }
    auto organization = organizations.find(s.organization_id);
    if (organization == organizations.end()) {
      CAPCONF_ASSIGN_OR_RETURN(store::Organization o, tx.GetOrganization(s.organization_id));
      organization = organizations.emplace(s.organization_id, std::move(o.name)).first;
    }
    CAPCONF_ASSIGN_OR_RETURN(store::AgentConfig config, tx.GetAgentConfig(s.id));
    summary.offering_name = offering->second.name;
    summary.template_id = offering->second.template_id;
    summary.template_version = offering->second.template_version;
    summary.organization_name = organization->second;
    summary.is_configured = config.is_configured;
    summary.revision = config.revision;
    summary.subscription = std::move(s);
    out.push_back(std::move(summary));
  }
  return out;
}

Result<store::Subscription> Service::CancelSubscription(const Actor& actor, std::string_view id) {
  CAPCONF_ASSIGN_OR_RETURN(auto tx, store_.Begin());
  CAPCONF_ASSIGN_OR_RETURN(store::Subscription s, OwnSubscription(*tx, actor, id));
  if (!IsBuyer(actor))
    return Status(StatusCode::kPermissionDenied, "only the buyer cancels a subscription");
  const std::int64_t now = clock_.NowMillis();
  Status cancelled = tx->CancelSubscription(id, now);
  if (cancelled.code() == StatusCode::kFailedPrecondition) {
    return FailedPreconditionError("the subscription is already cancelled");
  }
  CAPCONF_RETURN_IF_ERROR(cancelled);
  // The targets remove what they made for it.
  CAPCONF_ASSIGN_OR_RETURN(store::Offering offering, tx->GetOffering(s.offering_id));
  CAPCONF_ASSIGN_OR_RETURN(store::ConfigStamp stamp, tx->GetConfigStamp(id));
  auto snapshot = Catalog();
  if (const catalog::Template* tmpl =
          snapshot->catalog->FindTemplate(offering.template_id, offering.template_version)) {
    CAPCONF_RETURN_IF_ERROR(EnqueueSync(*tx, *tmpl, id, stamp.revision));
  }
  CAPCONF_RETURN_IF_ERROR(CommitAndWake(*tx));
  s.state = store::SubscriptionState::kCancelled;
  s.cancelled_at = now;
  return s;
}

// --- configuration -----------------------------------------------------------------------------

Result<Service::Loaded> Service::Load(store::Transaction& tx, const Actor& actor,
                                      std::string_view subscription_id, bool for_update) {
  Loaded l;
  CAPCONF_ASSIGN_OR_RETURN(l.subscription, tx.GetSubscription(subscription_id));
  if (l.subscription.organization_id != actor.organization_id) {
    return NotFoundError("there is no subscription '" + std::string(subscription_id) + "'");
  }
  CAPCONF_ASSIGN_OR_RETURN(l.offering, tx.GetOffering(l.subscription.offering_id));
  l.snapshot = Catalog();
  l.tmpl = l.snapshot->catalog->FindTemplate(l.offering.template_id, l.offering.template_version);
  if (l.tmpl == nullptr) {
    return InternalError("template " + l.offering.template_id + "@" +
                         std::to_string(l.offering.template_version) +
                         " is missing from the catalog");
  }
  if (for_update) {
    CAPCONF_ASSIGN_OR_RETURN(l.record, tx.GetAgentConfigForUpdate(subscription_id));
  } else {
    CAPCONF_ASSIGN_OR_RETURN(l.record, tx.GetAgentConfig(subscription_id));
  }
  CAPCONF_ASSIGN_OR_RETURN(bj::value enabled, ParseStored(l.record.enabled, "capability list"));
  std::vector<std::string> ids;
  if (enabled.is_array()) {
    for (const bj::value& id : enabled.get_array()) {
      if (id.is_string()) ids.emplace_back(id.get_string());
    }
  }
  CAPCONF_ASSIGN_OR_RETURN(l.enabled, l.snapshot->catalog->ParseSet(ids));
  CAPCONF_ASSIGN_OR_RETURN(l.config, ParseStored(l.record.config, "configuration"));
  CAPCONF_ASSIGN_OR_RETURN(std::vector<store::SyncJob> jobs, tx.ListSyncJobs(subscription_id));
  for (const store::SyncJob& job : jobs) {
    auto resources = capconf::json::Parse(job.resources);
    if (!resources.ok() || !resources->is_object()) continue;
    for (const auto& [name, id] : resources->get_object()) l.resources.emplace(name);
  }
  return l;
}

namespace {

// The read-only projection of the subscription's API keys (never a secret or a digest).
Result<bj::array> KeyProjection(store::Transaction& tx, std::string_view subscription_id) {
  CAPCONF_ASSIGN_OR_RETURN(std::vector<store::ApiKey> keys,
                           tx.ListApiKeysBySubscription(subscription_id));
  bj::array out;
  for (const store::ApiKey& k : keys) {
    if (k.revoked_at) continue;
    bj::value permissions = bj::array();
    if (auto p = capconf::json::Parse(k.permissions); p.ok()) permissions = std::move(*p);
    bj::object item{{"id", k.id},
                    {"name", k.name},
                    {"prefix", k.prefix},
                    {"permissions", std::move(permissions)},
                    {"created_at", FormatUtcMillis(k.created_at)}};
    if (k.last_used_at) item["last_used"] = FormatUtcMillis(*k.last_used_at);
    out.push_back(std::move(item));
  }
  return out;
}

bool ApiEnabled(const catalog::Template& tmpl, catalog::CapabilitySet enabled) {
  for (const catalog::Capability* c : tmpl.capabilities()) {
    if (c->id() == "api") return (enabled & c->bit()) != 0;
  }
  return false;
}

}  // namespace

Result<ConfigView> Service::View(store::Transaction& tx, const Loaded& l) {
  bj::array keys;
  if (ApiEnabled(*l.tmpl, l.enabled)) {
    CAPCONF_ASSIGN_OR_RETURN(keys, KeyProjection(tx, l.subscription.id));
  }
  CAPCONF_ASSIGN_OR_RETURN(std::vector<store::Secret> secrets,
                           tx.ListSecretsBySubscription(l.subscription.id));
  CAPCONF_ASSIGN_OR_RETURN(const catalog::Bundle* bundle,
                           l.snapshot->bundles->Get(*l.tmpl, l.enabled));
  return ViewOf(l, *bundle, std::move(keys), std::move(secrets));
}

ConfigView Service::ViewOf(const Loaded& l, const catalog::Bundle& bundle, bj::array keys,
                           std::vector<store::Secret> secrets) const {
  ConfigView v;
  v.subscription_id = l.subscription.id;
  v.template_id = l.tmpl->id();
  v.template_version = l.tmpl->version();
  for (const catalog::Capability* c : l.tmpl->capabilities()) {
    if (l.enabled & c->bit()) v.enabled.push_back(c->id());
  }
  v.config = l.config;
  if (ApiEnabled(*l.tmpl, l.enabled) && v.config.is_object()) {
    bj::value& api = v.config.get_object()["api"];
    if (!api.is_object()) api = bj::object();
    api.get_object()["keys"] = std::move(keys);
  }
  v.revision = l.record.revision;
  v.updated_at = l.record.updated_at;
  v.updated_by = l.record.updated_by;
  v.secrets = std::move(secrets);
  catalog::Facts facts;
  for (const store::Secret& s : v.secrets) facts.secrets.insert(s.pointer);
  facts.resources = l.resources;
  config::Readiness r = config::Evaluate(bundle, v.config, facts);
  v.is_configured = r.is_configured;
  v.errors = std::move(r.errors);
  v.missing = std::move(r.missing);
  return v;
}

Result<ConfigView> Service::GetConfig(const Actor& actor, std::string_view subscription_id) {
  CAPCONF_ASSIGN_OR_RETURN(auto snapshot, GetConfigSnapshot(actor, subscription_id));
  return snapshot->view;
}

Result<std::shared_ptr<const ConfigSnapshot>> Service::GetConfigSnapshot(
    const Actor& actor, std::string_view subscription_id) {
  CAPCONF_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TransactionMode::kReadOnly));
  Result<store::ConfigStamp> stamp = tx->GetConfigStamp(subscription_id);
  if (!stamp.ok() && stamp.status().code() != StatusCode::kNotFound) return stamp.status();
  if (!stamp.ok() || stamp->organization_id != actor.organization_id) {
    return NotFoundError("there is no subscription '" + std::string(subscription_id) + "'");
  }
  std::shared_ptr<const CatalogSnapshot> catalog = Catalog();
  const std::string id(subscription_id);
  // Resources need no place in the key: a change of them moves the generation (a trigger).
  internal::ViewKey key{stamp->revision, stamp->generation, catalog.get()};
  if (auto hit = views_->Find(id, key)) return hit;

  CAPCONF_ASSIGN_OR_RETURN(Loaded l, Load(*tx, actor, subscription_id, false));
  // Build from the catalog the key names: a template published meanwhile must not slip in.
  l.snapshot = catalog;
  CAPCONF_ASSIGN_OR_RETURN(ConfigView view, View(*tx, l));
  auto snapshot = std::make_shared<ConfigSnapshot>();
  bj::object json = view.ToJson();
  snapshot->view_json = capconf::json::Serialize(json);
  snapshot->config_json = capconf::json::Serialize(view.config);
  snapshot->enabled_json = capconf::json::Serialize(json.at("enabled_capabilities"));
  snapshot->view = std::move(view);
  // The stamp and the view were read in the same transaction, so they agree.
  views_->Remember(id, std::move(key), std::move(catalog), snapshot);
  return std::shared_ptr<const ConfigSnapshot>(std::move(snapshot));
}

Result<Service::Form> Service::GetForm(const Actor& actor, std::string_view subscription_id) {
  Form form;
  CAPCONF_ASSIGN_OR_RETURN(form.config, GetConfigSnapshot(actor, subscription_id));
  form.catalog = Catalog();
  const catalog::Catalog& c = *form.catalog->catalog;
  const catalog::Template* tmpl =
      c.FindTemplate(form.config->view.template_id, form.config->view.template_version);
  if (tmpl == nullptr) return InternalError("the subscription's template left the catalog");
  CAPCONF_ASSIGN_OR_RETURN(catalog::CapabilitySet enabled, c.ParseSet(form.config->view.enabled));
  CAPCONF_ASSIGN_OR_RETURN(form.bundle, form.catalog->bundles->Get(*tmpl, enabled));
  return form;
}

Result<std::int64_t> Service::WriteRevision(store::Transaction& tx, const Actor& actor, Loaded& l,
                                            catalog::CapabilitySet enabled, bj::value config,
                                            const catalog::Bundle& bundle,
                                            std::int64_t expected_revision, std::string note) {
  const std::int64_t now = clock_.NowMillis();
  catalog::Facts facts;
  CAPCONF_ASSIGN_OR_RETURN(std::vector<store::Secret> secrets,
                           tx.ListSecretsBySubscription(l.subscription.id));
  for (const store::Secret& s : secrets) facts.secrets.insert(s.pointer);
  facts.resources = l.resources;
  bj::value checked = config;
  if (ApiEnabled(*l.tmpl, enabled) && checked.is_object()) {
    CAPCONF_ASSIGN_OR_RETURN(bj::array keys, KeyProjection(tx, l.subscription.id));
    bj::value& api = checked.get_object()["api"];
    if (!api.is_object()) api = bj::object();
    api.get_object()["keys"] = std::move(keys);
  }
  config::Readiness readiness = config::Evaluate(bundle, checked, facts);
  store::AgentConfig next{
      l.subscription.id,     EnabledJson(*l.tmpl, enabled), capconf::json::Serialize(config),
      expected_revision + 1, readiness.is_configured,       now,
      actor.user_id};
  Status updated = tx.UpdateAgentConfigIfRevision(next, expected_revision);
  if (updated.code() == StatusCode::kFailedPrecondition) {
    return Status(StatusCode::kAborted, "the configuration changed meanwhile (revision " +
                                            std::to_string(expected_revision) +
                                            " is no longer current)");
  }
  CAPCONF_RETURN_IF_ERROR(updated);
  CAPCONF_RETURN_IF_ERROR(
      tx.InsertRevision({l.subscription.id, next.revision, next.enabled, next.config,
                         next.is_configured, now, actor.user_id, std::move(note)}));
  CAPCONF_RETURN_IF_ERROR(EnqueueSync(tx, *l.tmpl, l.subscription.id, next.revision));
  l.record = next;
  l.enabled = enabled;
  l.config = std::move(config);
  return next.revision;
}

// What a save will write, worked out in the write transaction from the locked configuration.
struct Service::SavePlan {
  std::vector<config::FieldError> errors;  // non-empty: nothing is to be written (422)
  store::ConfigStamp base;                 // the state the plan was made from
  store::AgentConfig next;
  std::vector<store::Secret> sealed;  // new write-only values
  ConfigView view;                    // the configuration as it will be
  const catalog::Template* tmpl = nullptr;
};

Result<Service::SavePlan> Service::PlanSave(store::Transaction& tx, const Actor& actor,
                                            std::string_view subscription_id,
                                            std::optional<std::int64_t> expected,
                                            bj::value incoming) {
  SavePlan plan;
  // The row is locked first; the stamp read after it is the one the write will replace.
  CAPCONF_ASSIGN_OR_RETURN(Loaded l, Load(tx, actor, subscription_id, true));
  CAPCONF_ASSIGN_OR_RETURN(plan.base, tx.GetConfigStamp(subscription_id));
  CAPCONF_RETURN_IF_ERROR(MayChange(actor, l.subscription, "configures an agent"));
  CAPCONF_RETURN_IF_ERROR(IsCurrent(expected, l.record.revision));
  if (!incoming.is_object()) return InvalidArgumentError("'config' must be a JSON object");
  CAPCONF_ASSIGN_OR_RETURN(const catalog::Bundle* bundle,
                           l.snapshot->bundles->Get(*l.tmpl, l.enabled));

  bj::value config = std::move(incoming);
  bj::object& root = config.get_object();
  // api.keys is a read-only projection of the key list: it may come back as it was shown.
  bool api_on = ApiEnabled(*l.tmpl, l.enabled);
  bj::array projection;
  if (api_on) {
    CAPCONF_ASSIGN_OR_RETURN(projection, KeyProjection(tx, l.subscription.id));
  }
  if (bj::value* api = root.if_contains("api"); api && api->is_object()) {
    if (const bj::value* keys = api->get_object().if_contains("keys")) {
      if (*keys != bj::value(projection) &&
          !(keys->is_array() && keys->get_array().empty() && projection.empty())) {
        plan.errors.push_back(
            {"/api/keys",
             "readOnly",
             "is read-only: API keys are created and revoked with the keys endpoints",
             "",
             {}});
      }
      api->get_object().erase("keys");
    }
  }
  // Sections of disabled capabilities the page did not send are kept as they were.
  if (l.config.is_object()) {
    for (const auto& [key, value] : l.config.get_object()) {
      const catalog::Section* section = l.tmpl->FindSection(key);
      bool present = section && (!section->capability || section->capability->universal() ||
                                 (l.enabled & section->capability->bit()));
      if (!present && !root.contains(key)) root[key] = value;
    }
  }
  // Validate what was sent, write-only values included (they have limits too), with the
  // projection in place of api.keys. The projection is put in for the validation and taken out
  // again: moves, where copying the configuration for it was 5% of a save's time.
  std::vector<config::FieldError> errors;
  bj::value* api = root.if_contains("api");
  if (api_on && (api == nullptr || api->is_object())) {
    const bool had_api = api != nullptr;
    if (!had_api) api = &root.emplace("api", bj::object()).first->value();
    api->get_object()["keys"] = std::move(projection);  // inserted last, so erased in place
    errors = config::Validate(*bundle, config);
    projection = std::move(api->get_object().at("keys").get_array());
    api->get_object().erase("keys");
    if (!had_api) root.erase("api");
  } else {
    errors = config::Validate(*bundle, config);  // an `api` that is no object is reported so
  }
  plan.errors.insert(plan.errors.end(), errors.begin(), errors.end());
  std::map<std::string, bj::value> secrets = config::ExtractSecrets(*bundle, config);
  for (const auto& [pointer, value] : secrets) {
    if (!value.is_string()) {
      // Validation has already said what is wrong with it, unless the schema allows other types.
      bool reported =
          std::any_of(plan.errors.begin(), plan.errors.end(),
                      [&](const config::FieldError& e) { return e.pointer == pointer; });
      if (!reported) plan.errors.push_back({pointer, "type", "a secret is a string", "", {}});
    }
  }
  if (!plan.errors.empty()) return plan;

  const std::int64_t now = clock_.NowMillis();
  CAPCONF_ASSIGN_OR_RETURN(std::vector<store::Secret> stored,
                           tx.ListSecretsBySubscription(l.subscription.id));
  std::map<std::string, store::Secret> by_pointer;
  for (store::Secret& secret : stored) by_pointer[secret.pointer] = std::move(secret);
  for (const auto& [pointer, value] : secrets) {
    if (value.get_string().empty()) continue;  // an empty box leaves the stored secret alone
    store::Secret secret;
    secret.subscription_id = l.subscription.id;
    secret.pointer = pointer;
    secret.updated_at = now;
    secret.updated_by = actor.user_id;
    CAPCONF_RETURN_IF_ERROR(sealer_.Seal(value.get_string(), secret));
    by_pointer[pointer] = secret;
    plan.sealed.push_back(std::move(secret));
  }
  std::vector<store::Secret> after;  // ordered by pointer, as the store lists them
  for (auto& [pointer, secret] : by_pointer) after.push_back(std::move(secret));

  plan.tmpl = l.tmpl;
  l.config = std::move(config);
  l.record.revision = plan.base.revision + 1;
  l.record.updated_at = now;
  l.record.updated_by = actor.user_id;
  plan.view = ViewOf(l, *bundle, std::move(projection), std::move(after));
  plan.next = store::AgentConfig{
      l.subscription.id, EnabledJson(*l.tmpl, l.enabled), capconf::json::Serialize(l.config),
      l.record.revision, plan.view.is_configured,         now,
      actor.user_id};
  return plan;
}

Result<SaveResult> Service::SaveConfig(const Actor& actor, std::string_view subscription_id,
                                       std::optional<std::int64_t> expected, bj::value incoming) {
  // Planned and written in one write transaction with the row locked. Planning first in a read
  // transaction and writing only if nothing moved was measured too: half as fast on SQLite (two
  // transactions instead of one, and every write drops the read connections' page caches),
  // whether the saves were to one configuration or to many. The transaction may be shared with
  // other saves (group commit, Store::WriteBatched): on SQLite most of a save's cost was its
  // own commit.
  SaveResult result;
  Status written = store_.WriteBatched([&](store::Transaction& tx) -> Status {
    CAPCONF_ASSIGN_OR_RETURN(SavePlan plan,
                             PlanSave(tx, actor, subscription_id, expected, std::move(incoming)));
    if (!plan.errors.empty()) {
      result.errors = std::move(plan.errors);
      return Status::Ok();
    }
    // The row is locked, so the stamp cannot have moved; the condition guards the rule anyway.
    CAPCONF_RETURN_IF_ERROR(tx.UpdateAgentConfigIfUnchanged(plan.next, plan.base));
    for (const store::Secret& secret : plan.sealed)
      CAPCONF_RETURN_IF_ERROR(tx.UpsertSecret(secret));
    CAPCONF_RETURN_IF_ERROR(tx.InsertRevision(
        {plan.next.subscription_id, plan.next.revision, plan.next.enabled, plan.next.config,
         plan.next.is_configured, plan.next.updated_at, actor.user_id, "saved"}));
    CAPCONF_RETURN_IF_ERROR(EnqueueSync(tx, *plan.tmpl, subscription_id, plan.next.revision));
    result.view = std::move(plan.view);
    return Status::Ok();
  });
  CAPCONF_RETURN_IF_ERROR(written);
  if (result.errors.empty()) WakeSyncWorkers();
  return result;
}

Result<ToggleResult> Service::SetCapabilities(
    const Actor& actor, std::string_view subscription_id,
    const std::map<std::string, bool, std::less<>>& changes,
    std::optional<std::int64_t> expected_revision) {
  CAPCONF_ASSIGN_OR_RETURN(auto tx, store_.Begin());
  CAPCONF_ASSIGN_OR_RETURN(Loaded l, Load(*tx, actor, subscription_id, true));
  CAPCONF_RETURN_IF_ERROR(MayChange(actor, l.subscription, "configures an agent"));
  CAPCONF_RETURN_IF_ERROR(IsCurrent(expected_revision, l.record.revision));
  config::AgentConfig current{l.enabled, l.config};
  CAPCONF_ASSIGN_OR_RETURN(
      config::ToggleOutcome outcome,
      config::Toggle(*l.snapshot->catalog, *l.snapshot->bundles, *l.tmpl, current, changes));
  ToggleResult result;
  if (!outcome.refused.empty()) {
    result.refused = std::move(outcome.refused);
    return result;
  }
  if (outcome.next.enabled == l.enabled) {  // nothing to change: no new revision
    CAPCONF_ASSIGN_OR_RETURN(result.view, View(*tx, l));
    return result;
  }
  CAPCONF_ASSIGN_OR_RETURN(const catalog::Bundle* bundle,
                           l.snapshot->bundles->Get(*l.tmpl, outcome.next.enabled));
  CAPCONF_ASSIGN_OR_RETURN(
      std::int64_t revision,
      WriteRevision(*tx, actor, l, outcome.next.enabled, std::move(outcome.next.config), *bundle,
                    l.record.revision, "capabilities"));
  (void)revision;
  CAPCONF_ASSIGN_OR_RETURN(result.view, View(*tx, l));
  CAPCONF_RETURN_IF_ERROR(CommitAndWake(*tx));
  return result;
}

Result<std::vector<store::Revision>> Service::ListRevisions(const Actor& actor,
                                                            std::string_view subscription_id,
                                                            store::Page page) {
  CAPCONF_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TransactionMode::kReadOnly));
  CAPCONF_ASSIGN_OR_RETURN(store::Subscription s, OwnSubscription(*tx, actor, subscription_id));
  return tx->ListRevisions(subscription_id, page);
}

Result<store::Revision> Service::GetRevision(const Actor& actor, std::string_view subscription_id,
                                             std::int64_t revision) {
  CAPCONF_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TransactionMode::kReadOnly));
  CAPCONF_ASSIGN_OR_RETURN(store::Subscription s, OwnSubscription(*tx, actor, subscription_id));
  return tx->GetRevision(subscription_id, revision);
}

Result<ConfigView> Service::RestoreRevision(const Actor& actor, std::string_view subscription_id,
                                            std::int64_t revision,
                                            std::optional<std::int64_t> expected_revision) {
  CAPCONF_ASSIGN_OR_RETURN(auto tx, store_.Begin());
  CAPCONF_ASSIGN_OR_RETURN(Loaded l, Load(*tx, actor, subscription_id, true));
  CAPCONF_RETURN_IF_ERROR(MayChange(actor, l.subscription, "configures an agent"));
  CAPCONF_RETURN_IF_ERROR(IsCurrent(expected_revision, l.record.revision));
  CAPCONF_ASSIGN_OR_RETURN(store::Revision old, tx->GetRevision(subscription_id, revision));
  CAPCONF_ASSIGN_OR_RETURN(bj::value enabled_json, ParseStored(old.enabled, "capability list"));
  std::vector<std::string> ids;
  for (const bj::value& id : enabled_json.as_array()) ids.emplace_back(id.as_string());
  CAPCONF_ASSIGN_OR_RETURN(catalog::CapabilitySet enabled, l.snapshot->catalog->ParseSet(ids));
  std::vector<catalog::SetProblem> problems =
      catalog::CheckCapabilitySet(*l.snapshot->catalog, *l.tmpl, enabled);
  if (!problems.empty()) return FailedPreconditionError(problems.front().message);
  CAPCONF_ASSIGN_OR_RETURN(bj::value config, ParseStored(old.config, "configuration"));
  CAPCONF_ASSIGN_OR_RETURN(const catalog::Bundle* bundle,
                           l.snapshot->bundles->Get(*l.tmpl, enabled));
  CAPCONF_ASSIGN_OR_RETURN(
      std::int64_t written,
      WriteRevision(*tx, actor, l, enabled, std::move(config), *bundle, l.record.revision,
                    "restored from " + std::to_string(revision)));
  (void)written;
  CAPCONF_ASSIGN_OR_RETURN(ConfigView view, View(*tx, l));
  CAPCONF_RETURN_IF_ERROR(CommitAndWake(*tx));
  return view;
}

Result<std::int64_t> Service::CreditCost(const Actor& actor, std::string_view subscription_id,
                                         std::string_view action) {
  CAPCONF_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TransactionMode::kReadOnly));
  CAPCONF_ASSIGN_OR_RETURN(Loaded l, Load(*tx, actor, subscription_id, false));
  CAPCONF_ASSIGN_OR_RETURN(bj::value costs, ParseStored(l.offering.credit_costs, "credit costs"));
  if (const bj::value* c = costs.is_object() ? costs.get_object().if_contains(action) : nullptr;
      c && c->is_int64()) {
    return c->get_int64();
  }
  return l.tmpl->CreditCost(action);
}

Result<store::ApiKey> Service::CreateApiKey(const Actor& actor, std::string_view subscription_id,
                                            const std::string& name,
                                            const std::vector<std::string>& permissions,
                                            const std::string& key_hash,
                                            const std::string& prefix) {
  if (name.empty() || name.size() > 100)
    return InvalidArgumentError("'name' must be 1 to 100 characters");
  if (permissions.empty()) return InvalidArgumentError("give the key at least one permission");
  static const std::set<std::string> kPermissions = {"chat", "upload", "config"};
  bj::array list;
  std::set<std::string> seen;
  for (const std::string& p : permissions) {
    if (!kPermissions.contains(p))
      return InvalidArgumentError("unknown permission '" + p + "' (chat, upload, config)");
    if (seen.insert(p).second) list.push_back(bj::string(p));
  }
  CAPCONF_ASSIGN_OR_RETURN(auto tx, store_.Begin());
  CAPCONF_ASSIGN_OR_RETURN(Loaded l, Load(*tx, actor, subscription_id, false));
  CAPCONF_RETURN_IF_ERROR(MayChange(actor, l.subscription, "manages API keys"));
  if (!ApiEnabled(*l.tmpl, l.enabled))
    return FailedPreconditionError("API Access is not enabled for this agent");
  store::ApiKey key;
  key.subscription_id = l.subscription.id;
  key.name = name;
  key.prefix = prefix;
  key.key_hash = key_hash;
  key.permissions = capconf::json::Serialize(list);
  key.created_at = clock_.NowMillis();
  key.created_by = actor.user_id;
  CAPCONF_ASSIGN_OR_RETURN(key.id, tx->InsertApiKey(key));
  CAPCONF_RETURN_IF_ERROR(tx->Commit());
  return key;
}

Result<std::vector<store::ApiKey>> Service::ListApiKeys(const Actor& actor,
                                                        std::string_view subscription_id) {
  CAPCONF_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TransactionMode::kReadOnly));
  CAPCONF_ASSIGN_OR_RETURN(store::Subscription s, OwnSubscription(*tx, actor, subscription_id));
  return tx->ListApiKeysBySubscription(subscription_id);
}

Status Service::RevokeApiKey(const Actor& actor, std::string_view subscription_id,
                             std::string_view key_id) {
  CAPCONF_ASSIGN_OR_RETURN(auto tx, store_.Begin());
  CAPCONF_ASSIGN_OR_RETURN(store::Subscription s, OwnSubscription(*tx, actor, subscription_id));
  if (!IsBuyer(actor))
    return Status(StatusCode::kPermissionDenied, "only the buyer manages API keys");
  CAPCONF_ASSIGN_OR_RETURN(store::ApiKey key, tx->GetApiKey(key_id));
  if (key.subscription_id != s.id)
    return NotFoundError("there is no API key '" + std::string(key_id) + "'");
  CAPCONF_RETURN_IF_ERROR(tx->RevokeApiKey(key_id, clock_.NowMillis()));
  return tx->Commit();
}

Result<std::vector<store::Secret>> Service::ListSecrets(const Actor& actor,
                                                        std::string_view subscription_id) {
  CAPCONF_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TransactionMode::kReadOnly));
  CAPCONF_ASSIGN_OR_RETURN(store::Subscription s, OwnSubscription(*tx, actor, subscription_id));
  return tx->ListSecretsBySubscription(subscription_id);
}

Status Service::DeleteSecret(const Actor& actor, std::string_view subscription_id,
                             std::string_view pointer) {
  CAPCONF_ASSIGN_OR_RETURN(auto tx, store_.Begin());
  CAPCONF_ASSIGN_OR_RETURN(store::Subscription s, OwnSubscription(*tx, actor, subscription_id));
  if (!IsBuyer(actor))
    return Status(StatusCode::kPermissionDenied, "only the buyer manages secrets");
  CAPCONF_RETURN_IF_ERROR(tx->DeleteSecret(subscription_id, pointer));
  // The credential must leave the targets too.
  CAPCONF_ASSIGN_OR_RETURN(Loaded l, Load(*tx, actor, subscription_id, false));
  CAPCONF_RETURN_IF_ERROR(EnqueueSync(*tx, *l.tmpl, subscription_id, l.record.revision));
  return CommitAndWake(*tx);
}

// --- sync --------------------------------------------------------------------------------------

std::vector<std::string> Service::SyncTargetsOf(const catalog::Template& tmpl) {
  std::vector<std::string> targets = {"langflow"};
  for (const catalog::Capability* c : tmpl.capabilities()) {
    if (c->id() == "rag") targets.emplace_back("ragflow");
  }
  return targets;
}

Status Service::EnqueueSync(store::Transaction& tx, const catalog::Template& tmpl,
                            std::string_view subscription_id, std::int64_t revision) {
  const std::int64_t now = clock_.NowMillis();
  for (const std::string& target : SyncTargetsOf(tmpl)) {
    CAPCONF_RETURN_IF_ERROR(tx.EnqueueSync(subscription_id, target, revision, now));
  }
  return Status::Ok();
}

Status Service::CommitAndWake(store::Transaction& tx) {
  CAPCONF_RETURN_IF_ERROR(tx.Commit());
  WakeSyncWorkers();
  return Status::Ok();
}

void Service::WakeSyncWorkers() {
  if (on_sync_due_) on_sync_due_();
}

Result<std::vector<store::SyncJob>> Service::GetSyncStatus(const Actor& actor,
                                                           std::string_view subscription_id) {
  CAPCONF_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TransactionMode::kReadOnly));
  CAPCONF_ASSIGN_OR_RETURN(store::Subscription s, OwnSubscription(*tx, actor, subscription_id));
  CAPCONF_ASSIGN_OR_RETURN(std::vector<store::SyncJob> jobs, tx->ListSyncJobs(subscription_id));
  for (store::SyncJob& job : jobs) {
    auto note = sync_notes_.find(job.target);
    if (note != sync_notes_.end() && job.state != store::SyncState::kInSync &&
        job.last_error.empty()) {
      job.last_error = note->second;
    }
  }
  return jobs;
}

Result<store::SyncJob> Service::ReplaySync(const Actor& actor, std::string_view subscription_id,
                                           std::string_view target) {
  CAPCONF_ASSIGN_OR_RETURN(auto tx, store_.Begin());
  CAPCONF_ASSIGN_OR_RETURN(store::Subscription s, OwnSubscription(*tx, actor, subscription_id));
  // Cancelled subscriptions too: their clean-up is a sync job like any other.
  if (!IsBuyer(actor))
    return Status(StatusCode::kPermissionDenied, "only the buyer replays a sync");
  Result<store::SyncJob> job = tx->GetSyncJobForUpdate(subscription_id, target);
  if (!job.ok() && job.status().code() == StatusCode::kNotFound) {
    return NotFoundError("the subscription has no sync job for '" + std::string(target) + "'");
  }
  CAPCONF_RETURN_IF_ERROR(job.status());
  const std::int64_t now = clock_.NowMillis();
  if (job->lease_token && job->lease_until && *job->lease_until >= now) {
    return FailedPreconditionError("the " + std::string(target) +
                                   " sync is running now; replay it once it has finished");
  }
  job->lease_token.reset();
  job->lease_until.reset();
  job->state = store::SyncState::kPending;
  job->attempts = 0;
  job->next_attempt_at = now;
  job->updated_at = now;
  CAPCONF_RETURN_IF_ERROR(tx->UpdateSyncJob(*job));
  CAPCONF_RETURN_IF_ERROR(CommitAndWake(*tx));
  return *std::move(job);
}

namespace {

// Where api::FileStorage keeps a file's bytes.
std::string ContentPath(const std::string& root, const std::string& sha256) {
  return root + "/" + sha256.substr(0, 2) + "/" + sha256;
}

}  // namespace

Result<sync::DesiredState> Service::DesiredStateOf(std::string_view subscription_id) {
  CAPCONF_ASSIGN_OR_RETURN(auto tx, store_.Begin(store::TransactionMode::kReadOnly));
  CAPCONF_ASSIGN_OR_RETURN(store::Subscription s, tx->GetSubscription(subscription_id));
  // The workers act for the platform, as the subscription's own organisation.
  const Actor owner{s.created_by, s.organization_id, store::Role::kBuyer};
  CAPCONF_ASSIGN_OR_RETURN(Loaded l, Load(*tx, owner, subscription_id, false));
  sync::DesiredState d;
  d.subscription_id = l.subscription.id;
  d.buyer_organization_id = l.subscription.organization_id;
  d.template_id = l.tmpl->id();
  d.template_version = l.tmpl->version();
  d.langflow_flow_id = l.tmpl->langflow_flow_id();
  d.revision = l.record.revision;
  d.active = l.subscription.state == store::SubscriptionState::kActive;
  for (const catalog::Capability* c : l.tmpl->capabilities()) {
    if (l.enabled & c->bit()) d.enabled.push_back(c->id());
  }
  std::sort(d.enabled.begin(), d.enabled.end());
  if (l.config.is_object()) d.config = l.config.get_object();
  CAPCONF_ASSIGN_OR_RETURN(std::vector<store::Secret> secrets,
                           tx->ListSecretsBySubscription(subscription_id));
  for (const store::Secret& secret : secrets) {
    CAPCONF_ASSIGN_OR_RETURN(d.secrets[secret.pointer], sealer_.Unseal(secret));
  }
  // The files the knowledge base's sources name, if they are this organisation's.
  const bj::value* sources = nullptr;
  if (const bj::value* rag = d.config.if_contains("rag"); rag && rag->is_object()) {
    sources = rag->get_object().if_contains("sources");
  }
  if (sources && sources->is_array()) {
    for (const bj::value& source : sources->get_array()) {
      const bj::object* o = source.if_object();
      const bj::value* type = o ? o->if_contains("type") : nullptr;
      const bj::value* id = o ? o->if_contains("file_id") : nullptr;
      if (!type || *type != "file" || !id || !id->is_string()) continue;
      Result<store::StoredFile> file = tx->GetFile(id->get_string());
      if (!file.ok()) {
        if (file.status().code() == StatusCode::kNotFound) continue;  // reported by the target
        return file.status();
      }
      if (file->organization_id != d.buyer_organization_id) continue;
      d.files[file->id] = sync::SourceFile{
          file->id,     file->filename, file->content_type,
          file->sha256, file->size,     ContentPath(options_.files_dir, file->sha256)};
    }
  }
  return d;
}

}  // namespace capconf::service
