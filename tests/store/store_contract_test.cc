// The store's contract, run on every backend: SQLite (a temporary file) and PostgreSQL (the
// server CAPCONF_TEST_POSTGRES_URL names, or a throwaway cluster; skipped when neither exists).
// Each PostgreSQL test works in a schema of its own, dropped afterwards.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <latch>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "capconf/store/store.h"
#include "migrations.h"  // src/store: the embedded migrations, to build an older database
#include "postgres_cluster.h"
#include "testing.h"  // src/store: raw connections to set up and damage databases

namespace capconf::store {
namespace {

const Status& StatusOf(const Status& status) { return status; }
template <typename T>
const Status& StatusOf(const Result<T>& result) {
  return result.status();
}

#define ASSERT_OK(expr)                                              \
  do {                                                               \
    const auto& store_test_result_ = (expr);                         \
    ASSERT_TRUE(StatusOf(store_test_result_).ok())                   \
        << #expr << ": " << StatusOf(store_test_result_).ToString(); \
  } while (false)

#define EXPECT_OK(expr)                                              \
  do {                                                               \
    const auto& store_test_result_ = (expr);                         \
    EXPECT_TRUE(StatusOf(store_test_result_).ok())                   \
        << #expr << ": " << StatusOf(store_test_result_).ToString(); \
  } while (false)

#define EXPECT_CODE(expr, expected_code)                                      \
  do {                                                                        \
    const auto& store_test_result_ = (expr);                                  \
    EXPECT_EQ(StatusOf(store_test_result_).code(), StatusCode::expected_code) \
        << #expr << ": " << StatusOf(store_test_result_).ToString();          \
  } while (false)

#define ASSERT_OK_AND_ASSIGN(lhs, expr)                                                     \
  auto CAPCONF_CONCAT_(store_test_value_, __LINE__) = (expr);                               \
  ASSERT_TRUE(CAPCONF_CONCAT_(store_test_value_, __LINE__).ok())                            \
      << #expr << ": " << CAPCONF_CONCAT_(store_test_value_, __LINE__).status().ToString(); \
  lhs = std::move(CAPCONF_CONCAT_(store_test_value_, __LINE__)).value()

// A value from a Result, or a test failure and T{}: for helpers that cannot ASSERT.
template <typename T>
T Must(Result<T> result, const char* what) {
  if (!result.ok()) {
    ADD_FAILURE() << what << ": " << result.status().ToString();
    return T{};
  }
  return std::move(result).value();
}
void Must(const Status& status, const char* what) {
  if (!status.ok()) ADD_FAILURE() << what << ": " << status.ToString();
}

Bytes ToBytes(std::string_view text) { return Bytes(text.begin(), text.end()); }

std::string AppendQuery(const std::string& url, const std::string& parameter) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + parameter;
}

// ---------------------------------------------------------------------------------------------

class StoreContractTest : public ::testing::TestWithParam<std::string> {
 protected:
  bool postgres() const { return GetParam() == "postgres"; }

  void SetUp() override {
    if (postgres()) {
      if (!PostgresCompiledIn()) GTEST_SKIP() << "built without PostgreSQL";
      std::string why;
      const std::string base = testutil::TestPostgresUrl(&why);
      if (base.empty()) GTEST_SKIP() << why;
      admin_url_ = base;
      schema_ = "capconf_test_" + NewId();
      ASSERT_OK_AND_ASSIGN(auto admin, internal::OpenConnectionForTesting(admin_url_));
      ASSERT_OK(admin->ExecScript("CREATE SCHEMA " + schema_));
      // The application name tells this test's connections apart from other tests' (which
      // may share the database when CAPCONF_TEST_POSTGRES_URL is given).
      url_ = AppendQuery(AppendQuery(base, "options=-csearch_path%3D" + schema_),
                         "application_name=" + schema_);
    } else {
      char pattern[] = "/tmp/capconf-store-test-XXXXXX";
      ASSERT_NE(mkdtemp(pattern), nullptr);
      dir_ = pattern;
      url_ = "sqlite:" + dir_ + "/store.db";
    }
    ASSERT_OK_AND_ASSIGN(store_, Store::Open(url_));
    ASSERT_OK(store_->Migrate());
  }

  void TearDown() override {
    store_.reset();
    if (!schema_.empty()) {
      auto admin = internal::OpenConnectionForTesting(admin_url_);
      if (admin.ok()) EXPECT_OK((*admin)->ExecScript("DROP SCHEMA " + schema_ + " CASCADE"));
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // A raw connection to this test's database (in its schema on PostgreSQL).
  std::unique_ptr<internal::Connection> Raw() {
    return Must(internal::OpenConnectionForTesting(url_), "raw connection");
  }

  // Empties this test's database (its schema on PostgreSQL, its file on SQLite); the store is
  // closed and must be opened again.
  void StartOver() {
    auto raw = Raw();
    ASSERT_NE(raw, nullptr);
    if (postgres()) {
      ASSERT_OK(raw->ExecScript("DROP SCHEMA " + schema_ + " CASCADE; CREATE SCHEMA " + schema_));
      store_.reset();
    } else {
      store_.reset();
      raw.reset();
      std::filesystem::remove_all(dir_);
      std::filesystem::create_directories(dir_);
    }
  }

  std::unique_ptr<Transaction> Tx(TransactionMode mode = TransactionMode::kReadWrite) {
    return Must(store_->Begin(mode), "Begin");
  }

  // --- fixtures: each commits its own transaction

  std::string AddOrganization(OrganizationKind kind, std::int64_t at = 1000,
                              std::string name = "Org") {
    auto tx = Tx();
    std::string id = Must(tx->InsertOrganization({"", name, kind, at}), "InsertOrganization");
    Must(tx->Commit(), "Commit");
    return id;
  }

  std::string AddUser(const std::string& org, const std::string& email, std::int64_t at = 1000) {
    auto tx = Tx();
    User user{"", org, email, "Someone", Role::kBuyer, "hash", at, false};
    std::string id = Must(tx->InsertUser(user), "InsertUser");
    Must(tx->Commit(), "Commit");
    return id;
  }

  std::string AddOffering(const std::string& seller, std::int64_t at = 1000,
                          OfferingState state = OfferingState::kActive) {
    auto tx = Tx();
    Offering offering{"", seller, "customer-support-agent", 1, "Support", "Answers", "{}", state,
                      at, at};
    std::string id = Must(tx->InsertOffering(offering), "InsertOffering");
    Must(tx->Commit(), "Commit");
    return id;
  }

  std::string AddSubscription(const std::string& offering, const std::string& buyer,
                              const std::string& user, std::int64_t at = 1000) {
    auto tx = Tx();
    Subscription subscription{"", offering, buyer, user, SubscriptionState::kActive, at, {}};
    std::string id = Must(tx->InsertSubscription(subscription), "InsertSubscription");
    Must(tx->Commit(), "Commit");
    return id;
  }

  // A seller, an offering, a buyer with a user, and a subscription with its configuration at
  // revision 1.
  struct World {
    std::string seller, offering, buyer, user, subscription;
  };
  World AddWorld() {
    World w;
    w.seller = AddOrganization(OrganizationKind::kSeller);
    w.offering = AddOffering(w.seller);
    w.buyer = AddOrganization(OrganizationKind::kBuyer);
    w.user = AddUser(w.buyer, "buyer-" + NewId() + "@example.com");
    w.subscription = AddSubscription(w.offering, w.buyer, w.user);
    auto tx = Tx();
    Must(tx->InsertAgentConfig({w.subscription, "[\"branding\"]", "{}", 1, false, 1000, w.user}),
         "InsertAgentConfig");
    Must(tx->InsertRevision(
             {w.subscription, 1, "[\"branding\"]", "{}", false, 1000, w.user, "created"}),
         "InsertRevision");
    Must(tx->Commit(), "Commit");
    return w;
  }

  std::string url_;
  std::string admin_url_;
  std::string schema_;
  std::string dir_;
  std::unique_ptr<Store> store_;
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreContractTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& param_info) { return param_info.param; });

// --- opening and migrating -------------------------------------------------------------------

TEST_P(StoreContractTest, ReportsItsBackend) { EXPECT_EQ(store_->Backend(), GetParam()); }

TEST_P(StoreContractTest, MigrateIsIdempotent) {
  ASSERT_OK_AND_ASSIGN(int version, store_->SchemaVersion());
  EXPECT_EQ(version, store_->LatestSchemaVersion());
  EXPECT_GE(version, 1);
  ASSERT_OK(store_->Migrate());
  ASSERT_OK(store_->Migrate());
  ASSERT_OK_AND_ASSIGN(version, store_->SchemaVersion());
  EXPECT_EQ(version, store_->LatestSchemaVersion());
  // Reopening finds the same schema.
  store_.reset();
  ASSERT_OK_AND_ASSIGN(store_, Store::Open(url_));
  ASSERT_OK(store_->Migrate());
  ASSERT_OK_AND_ASSIGN(version, store_->SchemaVersion());
  EXPECT_EQ(version, store_->LatestSchemaVersion());
}

TEST_P(StoreContractTest, FreshDatabaseHasSchemaVersionZero) {
  // Start over in an empty database (schema) and look before migrating.
  ASSERT_NO_FATAL_FAILURE(StartOver());
  ASSERT_OK_AND_ASSIGN(store_, Store::Open(url_));
  ASSERT_OK_AND_ASSIGN(int version, store_->SchemaVersion());
  EXPECT_EQ(version, 0);
  ASSERT_OK(store_->Migrate());
  ASSERT_OK_AND_ASSIGN(version, store_->SchemaVersion());
  EXPECT_EQ(version, store_->LatestSchemaVersion());
}

TEST_P(StoreContractTest, ConcurrentMigratorsAgree) {
  auto raw = Raw();
  ASSERT_NE(raw, nullptr);
  if (postgres()) {
    ASSERT_OK(raw->ExecScript("DROP SCHEMA " + schema_ + " CASCADE; CREATE SCHEMA " + schema_));
  } else {
    store_.reset();
    raw.reset();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  constexpr int kMigrators = 4;
  std::vector<Status> results(kMigrators);
  std::latch start(kMigrators);
  std::vector<std::thread> threads;
  for (int i = 0; i < kMigrators; ++i) {
    threads.emplace_back([&, i] {
      auto store = Store::Open(url_);
      start.arrive_and_wait();
      results[i] = store.ok() ? (*store)->Migrate() : store.status();
    });
  }
  for (auto& thread : threads) thread.join();
  for (const Status& status : results) EXPECT_OK(status);
  ASSERT_OK_AND_ASSIGN(store_, Store::Open(url_));
  ASSERT_OK_AND_ASSIGN(int version, store_->SchemaVersion());
  EXPECT_EQ(version, store_->LatestSchemaVersion());
}

TEST_P(StoreContractTest, RefusesADatabaseNewerThanTheBinary) {
  auto raw = Raw();
  ASSERT_NE(raw, nullptr);
  ASSERT_OK(raw->ExecScript(
      "INSERT INTO schema_migrations (version, name) VALUES (999, '0999_from_the_future')"));
  EXPECT_CODE(store_->Migrate(), kFailedPrecondition);
  ASSERT_OK_AND_ASSIGN(int version, store_->SchemaVersion());
  EXPECT_EQ(version, 999);
}

TEST_P(StoreContractTest, UnreadableStoredValueIsDataLoss) {
  const std::string org = AddOrganization(OrganizationKind::kSeller);
  auto raw = Raw();
  ASSERT_NE(raw, nullptr);
  if (postgres()) {
    ASSERT_OK(
        raw->ExecScript("ALTER TABLE organizations DROP CONSTRAINT organizations_kind_check;"
                        "UPDATE organizations SET kind = 'alien'"));
  } else {
    ASSERT_OK(raw->ExecScript(
        "PRAGMA ignore_check_constraints = ON; UPDATE organizations SET kind = 'alien'"));
  }
  auto tx = Tx();
  EXPECT_CODE(tx->GetOrganization(org), kDataLoss);
  EXPECT_CODE(tx->Commit(), kAborted);  // a hard failure: the transaction is spent
}

// --- transactions ----------------------------------------------------------------------------

TEST_P(StoreContractTest, DestroyingAnUncommittedTransactionRollsBack) {
  std::string id;
  {
    auto tx = Tx();
    ASSERT_OK_AND_ASSIGN(id, tx->InsertOrganization({"", "Gone", OrganizationKind::kBuyer, 1}));
    ASSERT_OK(tx->GetOrganization(id));  // visible inside
  }
  auto tx = Tx();
  EXPECT_CODE(tx->GetOrganization(id), kNotFound);
}

TEST_P(StoreContractTest, RollbackDiscardsAndEndsTheTransaction) {
  auto tx = Tx();
  ASSERT_OK_AND_ASSIGN(std::string id,
                       tx->InsertOrganization({"", "Gone", OrganizationKind::kBuyer, 1}));
  ASSERT_OK(tx->Rollback());
  EXPECT_CODE(tx->GetOrganization(id), kFailedPrecondition);
  EXPECT_CODE(tx->Commit(), kFailedPrecondition);
  EXPECT_CODE(Tx()->GetOrganization(id), kNotFound);
}

TEST_P(StoreContractTest, CommitMakesChangesVisibleAndEndsTheTransaction) {
  auto tx = Tx();
  ASSERT_OK_AND_ASSIGN(std::string id,
                       tx->InsertOrganization({"", "Kept", OrganizationKind::kBuyer, 1}));
  ASSERT_OK(tx->Commit());
  EXPECT_CODE(tx->ListOrganizations(), kFailedPrecondition);
  EXPECT_CODE(tx->Commit(), kFailedPrecondition);
  EXPECT_OK(Tx()->GetOrganization(id));
}

TEST_P(StoreContractTest, SoftFailuresKeepTheTransactionUsable) {
  const std::string org = AddOrganization(OrganizationKind::kBuyer);
  AddUser(org, "taken@example.com");
  auto tx = Tx();
  EXPECT_CODE(tx->GetOrganization("missing"), kNotFound);
  EXPECT_CODE(tx->InsertUser({"", org, "TAKEN@example.com", "X", Role::kBuyer, "h", 2, false}),
              kAlreadyExists);
  EXPECT_CODE(tx->InsertOrganization({org, "Again", OrganizationKind::kBuyer, 1}), kAlreadyExists);
  ASSERT_OK_AND_ASSIGN(std::string other,
                       tx->InsertOrganization({"", "After", OrganizationKind::kSeller, 3}));
  ASSERT_OK(tx->Commit());
  EXPECT_OK(Tx()->GetOrganization(other));
}

TEST_P(StoreContractTest, HardFailureSpendsTheTransaction) {
  auto tx = Tx();
  ASSERT_OK_AND_ASSIGN(std::string org,
                       tx->InsertOrganization({"", "Lost", OrganizationKind::kBuyer, 1}));
  // A reference to an organization that does not exist.
  EXPECT_CODE(
      tx->InsertUser({"", "no-such-org", "a@example.com", "A", Role::kBuyer, "h", 1, false}),
      kFailedPrecondition);
  EXPECT_CODE(tx->ListOrganizations(), kAborted);
  EXPECT_CODE(tx->Commit(), kAborted);
  EXPECT_CODE(Tx()->GetOrganization(org), kNotFound);
}

TEST_P(StoreContractTest, TextMustBeUtf8WithoutNul) {
  EXPECT_CODE(Tx()->InsertOrganization({"", std::string("a\0b", 3), OrganizationKind::kBuyer, 1}),
              kInvalidArgument);
  EXPECT_CODE(Tx()->InsertOrganization({"", "\xff\xfe", OrganizationKind::kBuyer, 1}),
              kInvalidArgument);
  EXPECT_CODE(Tx()->GetUserByEmail(std::string("a\0@example.com", 15)), kInvalidArgument);
}

TEST_P(StoreContractTest, ReadOnlyTransactionReadsButRefusesWrites) {
  const std::string org = AddOrganization(OrganizationKind::kBuyer);
  {
    auto tx = Tx(TransactionMode::kReadOnly);
    EXPECT_OK(tx->GetOrganization(org));
    EXPECT_CODE(tx->InsertOrganization({"", "No", OrganizationKind::kBuyer, 1}),
                kFailedPrecondition);
  }
  // The connection is usable for writing again afterwards.
  for (int i = 0; i < 3; ++i) {
    auto tx = Tx();
    EXPECT_OK(tx->InsertOrganization({"", "Yes", OrganizationKind::kBuyer, 1}));
    EXPECT_OK(tx->Commit());
  }
}

TEST_P(StoreContractTest, ReadersRunBesideAWriter) {
  const std::string org = AddOrganization(OrganizationKind::kBuyer);
  auto writer = Tx();
  ASSERT_OK(writer->InsertOrganization({"", "Uncommitted", OrganizationKind::kBuyer, 2}));
  auto reader = Tx(TransactionMode::kReadOnly);
  ASSERT_OK_AND_ASSIGN(auto orgs, reader->ListOrganizations());
  EXPECT_EQ(orgs.size(), 1u);  // the writer's row is not visible yet
  ASSERT_OK(writer->Commit());
}

TEST_P(StoreContractTest, BeginIsUnavailableWhenThePoolStaysBusy) {
  StoreOptions options;
  options.pool_size = 1;
  options.acquire_timeout_ms = 100;
  ASSERT_OK_AND_ASSIGN(auto store, Store::Open(url_, options));
  ASSERT_OK_AND_ASSIGN(auto held, store->Begin());
  EXPECT_CODE(store->Begin(), kUnavailable);
  held.reset();
  EXPECT_OK(store->Begin());
}

TEST_P(StoreContractTest, WaitingForALockedDatabaseEndsUnavailable) {
  if (postgres()) GTEST_SKIP() << "PostgreSQL locks rows, not the database";
  // Another process's writer (a raw connection, not this store's) holds the write lock.
  auto raw = Raw();
  ASSERT_NE(raw, nullptr);
  ASSERT_OK(raw->Begin(TransactionMode::kReadWrite));
  StoreOptions options;
  options.busy_timeout_ms = 100;
  ASSERT_OK_AND_ASSIGN(auto store, Store::Open(url_, options));
  EXPECT_CODE(store->Begin(), kUnavailable);
  ASSERT_OK(raw->Rollback());
  EXPECT_OK(store->Begin());
}

TEST_P(StoreContractTest, ReconnectsAfterTheServerDropsConnections) {
  if (!postgres()) GTEST_SKIP() << "PostgreSQL only";
  const std::string org = AddOrganization(OrganizationKind::kBuyer);
  auto raw = Raw();
  ASSERT_NE(raw, nullptr);
  // Every other connection of this test: the store's pooled ones.
  ASSERT_OK(
      raw->ExecScript("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE application_name = '" +
                      schema_ + "' AND pid <> pg_backend_pid()"));
  for (int i = 0; i < 3; ++i) {
    auto tx = Tx();
    ASSERT_NE(tx, nullptr);
    EXPECT_OK(tx->GetOrganization(org));
  }
  // Lost in the middle of a transaction: that transaction is unavailable, the next one works.
  auto tx = Tx();
  ASSERT_NE(tx, nullptr);
  ASSERT_OK(tx->GetOrganization(org));
  ASSERT_OK(
      raw->ExecScript("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE application_name = '" +
                      schema_ + "' AND pid <> pg_backend_pid()"));
  EXPECT_CODE(tx->GetOrganization(org), kUnavailable);
  EXPECT_CODE(tx->Commit(), kAborted);
  tx.reset();
  EXPECT_OK(Tx()->GetOrganization(org));
}

TEST(StoreOpenTest, RejectsUnknownUrls) {
  EXPECT_CODE(Store::Open("mysql://localhost/db"), kInvalidArgument);
  EXPECT_CODE(Store::Open("sqlite:"), kInvalidArgument);
  EXPECT_CODE(Store::Open(""), kInvalidArgument);
  if (PostgresCompiledIn()) {
    EXPECT_CODE(Store::Open("postgres://host:notaport:x/db?=="), kInvalidArgument);
  } else {
    EXPECT_CODE(Store::Open("postgres://localhost/db"), kInvalidArgument);
  }
}

TEST(StoreOpenTest, UnreachableDatabaseIsUnavailable) {
  EXPECT_CODE(Store::Open("sqlite:/nonexistent-dir/for/sure/store.db"), kUnavailable);
  if (PostgresCompiledIn()) {
    StoreOptions options;
    options.connect_timeout_s = 2;
    // Port 1 on loopback: nothing listens there.
    EXPECT_CODE(Store::Open("postgresql://nobody@127.0.0.1:1/none", options), kUnavailable);
  }
}

TEST(StoreOpenTest, InMemorySqliteIsAPrivateDatabase) {
  ASSERT_OK_AND_ASSIGN(auto a, Store::Open("sqlite::memory:"));
  ASSERT_OK_AND_ASSIGN(auto b, Store::Open("sqlite::memory:"));
  ASSERT_OK(a->Migrate());
  ASSERT_OK(b->Migrate());
  {
    ASSERT_OK_AND_ASSIGN(auto tx, a->Begin());
    ASSERT_OK(tx->InsertOrganization({"only-in-a", "A", OrganizationKind::kBuyer, 1}));
    ASSERT_OK(tx->Commit());
  }
  ASSERT_OK_AND_ASSIGN(auto ta, a->Begin());
  EXPECT_OK(ta->GetOrganization("only-in-a"));
  ta.reset();
  ASSERT_OK_AND_ASSIGN(auto tb, b->Begin());
  EXPECT_CODE(tb->GetOrganization("only-in-a"), kNotFound);
  tb.reset();
  // One connection, so concurrent transactions take turns.
  std::atomic<int> committed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        auto tx = a->Begin();
        if (!tx.ok()) continue;
        if ((*tx)->InsertOrganization({"", "T", OrganizationKind::kSeller, i}).ok() &&
            (*tx)->Commit().ok()) {
          ++committed;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(committed.load(), 40);
}

TEST(StoreIdTest, NewIdIs26CharactersOfLowercaseCrockfordBase32) {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    const std::string id = NewId();
    ASSERT_EQ(id.size(), 26u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdefghjkmnpqrstvwxyz"), std::string::npos) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 2000u);
}

TEST(StoreEnumTest, StringsRoundTrip) {
  for (auto kind :
       {OrganizationKind::kOperator, OrganizationKind::kSeller, OrganizationKind::kBuyer}) {
    EXPECT_EQ(*ParseOrganizationKind(ToString(kind)), kind);
  }
  for (auto role : {Role::kOperator, Role::kSeller, Role::kBuyer}) {
    EXPECT_EQ(*ParseRole(ToString(role)), role);
  }
  for (auto state : {OfferingState::kDraft, OfferingState::kActive, OfferingState::kArchived}) {
    EXPECT_EQ(*ParseOfferingState(ToString(state)), state);
  }
  for (auto state : {SubscriptionState::kActive, SubscriptionState::kCancelled}) {
    EXPECT_EQ(*ParseSubscriptionState(ToString(state)), state);
  }
  for (auto purpose : {FilePurpose::kDocument, FilePurpose::kAvatar}) {
    EXPECT_EQ(*ParseFilePurpose(ToString(purpose)), purpose);
  }
  EXPECT_EQ(ToString(OrganizationKind::kSeller), "seller");
  EXPECT_EQ(ToString(SubscriptionState::kCancelled), "cancelled");
  EXPECT_CODE(ParseRole("Buyer"), kInvalidArgument);
  EXPECT_CODE(ParseOfferingState(""), kInvalidArgument);
}

// --- organizations and users -----------------------------------------------------------------

TEST_P(StoreContractTest, Organizations) {
  auto tx = Tx();
  ASSERT_OK_AND_ASSIGN(std::string b,
                       tx->InsertOrganization({"", "Buyer Inc", OrganizationKind::kBuyer, 20}));
  ASSERT_OK_AND_ASSIGN(
      std::string a, tx->InsertOrganization({"given-id", "Seller", OrganizationKind::kSeller, 10}));
  EXPECT_EQ(b.size(), 26u);
  EXPECT_EQ(a, "given-id");
  ASSERT_OK_AND_ASSIGN(Organization got, tx->GetOrganization(b));
  EXPECT_EQ(got, (Organization{b, "Buyer Inc", OrganizationKind::kBuyer, 20}));
  EXPECT_CODE(tx->InsertOrganization({"given-id", "Dup", OrganizationKind::kSeller, 1}),
              kAlreadyExists);
  EXPECT_CODE(tx->GetOrganization("nope"), kNotFound);
  ASSERT_OK(tx->InsertOrganization({"", "Operator", OrganizationKind::kOperator, 30}));
  ASSERT_OK_AND_ASSIGN(auto all, tx->ListOrganizations());
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, "given-id");  // by created_at
  EXPECT_EQ(all[1].id, b);
  EXPECT_EQ(all[2].kind, OrganizationKind::kOperator);
  ASSERT_OK(tx->Commit());
}

TEST_P(StoreContractTest, Users) {
  const std::string org = AddOrganization(OrganizationKind::kSeller);
  const std::string other = AddOrganization(OrganizationKind::kBuyer);
  auto tx = Tx();
  User alice{"", org, "Alice@Example.COM", "Alice", Role::kSeller, "$argon2id$x", 5, false};
  ASSERT_OK_AND_ASSIGN(alice.id, tx->InsertUser(alice));
  ASSERT_OK_AND_ASSIGN(User got, tx->GetUser(alice.id));
  EXPECT_EQ(got, alice);  // the email is kept as given
  ASSERT_OK_AND_ASSIGN(got, tx->GetUserByEmail("alice@example.com"));
  EXPECT_EQ(got.id, alice.id);
  ASSERT_OK_AND_ASSIGN(got, tx->GetUserByEmail("ALICE@EXAMPLE.COM"));
  EXPECT_EQ(got.id, alice.id);
  EXPECT_CODE(tx->GetUserByEmail("bob@example.com"), kNotFound);
  EXPECT_CODE(tx->GetUser("nope"), kNotFound);

  // Unique ignoring case, whatever organization.
  EXPECT_CODE(tx->InsertUser({"", other, "aLiCe@example.com", "A2", Role::kBuyer, "h", 6, false}),
              kAlreadyExists);
  User bob{"", org, "bob@example.com", "Bob", Role::kOperator, "h", 4, true};
  ASSERT_OK_AND_ASSIGN(bob.id, tx->InsertUser(bob));
  ASSERT_OK(tx->InsertUser({"", other, "carol@example.com", "Carol", Role::kBuyer, "h", 1, false}));
  ASSERT_OK_AND_ASSIGN(auto users, tx->ListUsersByOrganization(org));
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0], bob);
  EXPECT_EQ(users[1], alice);
  ASSERT_OK_AND_ASSIGN(users, tx->ListUsersByOrganization("none"));
  EXPECT_TRUE(users.empty());

  // Update: email (found by its new spelling, not its old), role, password, disabled.
  User changed = alice;
  changed.email = "alice.new@example.com";
  changed.display_name = "Alice N.";
  changed.role = Role::kOperator;
  changed.password_hash = "new";
  changed.disabled = true;
  changed.organization_id = other;  // fixed: ignored
  changed.created_at = 99;          // fixed: ignored
  ASSERT_OK(tx->UpdateUser(changed));
  ASSERT_OK_AND_ASSIGN(got, tx->GetUserByEmail("ALICE.NEW@example.com"));
  EXPECT_EQ(got.display_name, "Alice N.");
  EXPECT_EQ(got.role, Role::kOperator);
  EXPECT_EQ(got.password_hash, "new");
  EXPECT_TRUE(got.disabled);
  EXPECT_EQ(got.organization_id, org);
  EXPECT_EQ(got.created_at, 5);
  EXPECT_CODE(tx->GetUserByEmail("alice@example.com"), kNotFound);
  // Re-saving with the same email (other case) is fine; taking Bob's is not.
  changed.email = "Alice.New@Example.com";
  EXPECT_OK(tx->UpdateUser(changed));
  changed.email = "BOB@example.com";
  EXPECT_CODE(tx->UpdateUser(changed), kAlreadyExists);
  changed.id = "nope";
  changed.email = "nobody@example.com";
  EXPECT_CODE(tx->UpdateUser(changed), kNotFound);
  ASSERT_OK(tx->Commit());
}

TEST_P(StoreContractTest, UserOfAMissingOrganizationIsAFailedPrecondition) {
  auto tx = Tx();
  EXPECT_CODE(tx->InsertUser({"", "missing", "x@example.com", "X", Role::kBuyer, "h", 1, false}),
              kFailedPrecondition);
}

// --- sessions and API tokens -----------------------------------------------------------------

TEST_P(StoreContractTest, Sessions) {
  const std::string org = AddOrganization(OrganizationKind::kBuyer);
  const std::string user = AddUser(org, "s@example.com");
  const std::string other = AddUser(org, "t@example.com");
  auto tx = Tx();
  Session session{std::string(64, 'a'), user, "csrf-hash", 100, 1000, 100};
  ASSERT_OK(tx->InsertSession(session));
  EXPECT_CODE(tx->InsertSession(session), kAlreadyExists);
  ASSERT_OK_AND_ASSIGN(Session got, tx->GetSessionByIdHash(session.id_hash));
  EXPECT_EQ(got, session);
  EXPECT_CODE(tx->GetSessionByIdHash("nope"), kNotFound);

  ASSERT_OK(tx->TouchSession(session.id_hash, 500, 1500));
  ASSERT_OK_AND_ASSIGN(got, tx->GetSessionByIdHash(session.id_hash));
  EXPECT_EQ(got.last_seen_at, 500);
  EXPECT_EQ(got.expires_at, 1500);
  EXPECT_EQ(got.created_at, 100);
  EXPECT_CODE(tx->TouchSession("nope", 1, 2), kNotFound);

  ASSERT_OK(tx->InsertSession({"b", user, "c", 100, 200, 100}));
  ASSERT_OK(tx->InsertSession({"c", other, "c", 100, 300, 100}));
  ASSERT_OK(tx->InsertSession({"d", other, "c", 100, 301, 100}));
  ASSERT_OK_AND_ASSIGN(std::int64_t removed, tx->DeleteExpiredSessions(300));
  EXPECT_EQ(removed, 2);  // b and c: expires_at <= now
  EXPECT_CODE(tx->GetSessionByIdHash("c"), kNotFound);
  EXPECT_OK(tx->GetSessionByIdHash("d"));
  ASSERT_OK_AND_ASSIGN(removed, tx->DeleteExpiredSessions(300));
  EXPECT_EQ(removed, 0);

  ASSERT_OK_AND_ASSIGN(removed, tx->DeleteSessionsOfUser(other));
  EXPECT_EQ(removed, 1);
  ASSERT_OK(tx->DeleteSession(session.id_hash));
  EXPECT_CODE(tx->DeleteSession(session.id_hash), kNotFound);
  EXPECT_CODE(tx->InsertSession({"e", "no-user", "c", 1, 2, 1}), kFailedPrecondition);
}

TEST_P(StoreContractTest, ApiTokens) {
  const std::string org = AddOrganization(OrganizationKind::kSeller);
  const std::string user = AddUser(org, "t@example.com");
  auto tx = Tx();
  ApiToken token{"", user, "ci", "hash-1", "cc_ab12", 10, {}, {}};
  ASSERT_OK_AND_ASSIGN(token.id, tx->InsertApiToken(token));
  ASSERT_OK_AND_ASSIGN(ApiToken got, tx->GetApiTokenByHash("hash-1"));
  EXPECT_EQ(got, token);
  ASSERT_OK_AND_ASSIGN(got, tx->GetApiToken(token.id));
  EXPECT_EQ(got, token);
  EXPECT_CODE(tx->GetApiTokenByHash("nope"), kNotFound);
  EXPECT_CODE(tx->GetApiToken("nope"), kNotFound);
  EXPECT_CODE(tx->InsertApiToken({"", user, "dup", "hash-1", "cc_x", 11, {}, {}}), kAlreadyExists);

  ApiToken second{"", user, "deploy", "hash-2", "cc_cd34", 5, 7, {}};
  ASSERT_OK_AND_ASSIGN(second.id, tx->InsertApiToken(second));
  ASSERT_OK_AND_ASSIGN(auto tokens, tx->ListApiTokensByUser(user));
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0], second);
  EXPECT_EQ(tokens[1], token);

  ASSERT_OK(tx->TouchApiTokenLastUsed(token.id, 50));
  ASSERT_OK(tx->RevokeApiToken(token.id, 60));
  ASSERT_OK(tx->RevokeApiToken(token.id, 70));  // the first revocation time stays
  ASSERT_OK_AND_ASSIGN(got, tx->GetApiToken(token.id));
  EXPECT_EQ(got.last_used_at, std::optional<std::int64_t>(50));
  EXPECT_EQ(got.revoked_at, std::optional<std::int64_t>(60));
  EXPECT_CODE(tx->RevokeApiToken("nope", 1), kNotFound);
  EXPECT_CODE(tx->TouchApiTokenLastUsed("nope", 1), kNotFound);
  ASSERT_OK(tx->Commit());
}

// --- templates, offerings, subscriptions -----------------------------------------------------

TEST_P(StoreContractTest, TemplateVersionsAreImmutable) {
  const std::string op = AddOrganization(OrganizationKind::kOperator);
  auto tx = Tx();
  const TemplateVersion v2{"support", 2, R"({"version": 2})", op, 20};
  ASSERT_OK(tx->InsertTemplateVersion(v2));
  ASSERT_OK(tx->InsertTemplateVersion({"support", 1, R"({"version": 1})", op, 10}));
  ASSERT_OK(tx->InsertTemplateVersion({"code", 7, "{}", op, 30}));
  EXPECT_CODE(tx->InsertTemplateVersion({"support", 2, R"({"changed": true})", op, 40}),
              kAlreadyExists);
  ASSERT_OK_AND_ASSIGN(TemplateVersion got, tx->GetTemplateVersion("support", 2));
  EXPECT_EQ(got, v2);
  EXPECT_CODE(tx->GetTemplateVersion("support", 3), kNotFound);
  ASSERT_OK_AND_ASSIGN(auto versions, tx->ListTemplateVersions("support"));
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].version, 1);
  EXPECT_EQ(versions[1].version, 2);
  ASSERT_OK_AND_ASSIGN(auto all, tx->ListAllTemplateVersions());
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].template_id, "code");
  EXPECT_EQ(all[2].template_id, "support");
  EXPECT_EQ(all[2].version, 2);
  ASSERT_OK_AND_ASSIGN(versions, tx->ListTemplateVersions("none"));
  EXPECT_TRUE(versions.empty());
  ASSERT_OK(tx->Commit());
}

TEST_P(StoreContractTest, Offerings) {
  const std::string seller = AddOrganization(OrganizationKind::kSeller);
  const std::string other = AddOrganization(OrganizationKind::kSeller);
  auto tx = Tx();
  Offering draft{"",
                 seller,
                 "support",
                 3,
                 "Support",
                 "Answers questions",
                 R"({"chat_message": 1})",
                 OfferingState::kDraft,
                 10,
                 10};
  ASSERT_OK_AND_ASSIGN(draft.id, tx->InsertOffering(draft));
  ASSERT_OK_AND_ASSIGN(Offering got, tx->GetOffering(draft.id));
  EXPECT_EQ(got, draft);
  EXPECT_CODE(tx->GetOffering("nope"), kNotFound);
  EXPECT_CODE(tx->InsertOffering(draft), kAlreadyExists);
  Offering active{"", seller, "code", 1, "Code", "", "{}", OfferingState::kActive, 20, 20};
  ASSERT_OK_AND_ASSIGN(active.id, tx->InsertOffering(active));
  Offering elsewhere{"", other, "code", 1, "Code 2", "", "{}", OfferingState::kActive, 5, 5};
  ASSERT_OK_AND_ASSIGN(elsewhere.id, tx->InsertOffering(elsewhere));

  ASSERT_OK_AND_ASSIGN(auto mine, tx->ListOfferingsBySeller(seller));
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0], draft);
  EXPECT_EQ(mine[1], active);
  ASSERT_OK_AND_ASSIGN(auto listed, tx->ListActiveOfferings());
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, elsewhere.id);
  EXPECT_EQ(listed[1].id, active.id);

  ASSERT_OK(tx->UpdateOfferingState(draft.id, OfferingState::kActive, 30));
  ASSERT_OK(tx->UpdateOfferingState(active.id, OfferingState::kArchived, 31));
  ASSERT_OK_AND_ASSIGN(listed, tx->ListActiveOfferings());
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[1].id, draft.id);
  EXPECT_EQ(listed[1].updated_at, 30);
  EXPECT_CODE(tx->UpdateOfferingState("nope", OfferingState::kActive, 1), kNotFound);

  Offering edited = draft;
  edited.name = "Support Pro";
  edited.description = "Better answers";
  edited.credit_costs = R"({"chat_message": 2})";
  edited.updated_at = 40;
  edited.state = OfferingState::kArchived;  // not written by UpdateOffering
  edited.template_version = 9;              // nor this
  ASSERT_OK(tx->UpdateOffering(edited));
  ASSERT_OK_AND_ASSIGN(got, tx->GetOffering(draft.id));
  EXPECT_EQ(got.name, "Support Pro");
  EXPECT_EQ(got.description, "Better answers");
  EXPECT_EQ(got.credit_costs, R"({"chat_message": 2})");
  EXPECT_EQ(got.updated_at, 40);
  EXPECT_EQ(got.state, OfferingState::kActive);
  EXPECT_EQ(got.template_version, 3);
  edited.id = "nope";
  EXPECT_CODE(tx->UpdateOffering(edited), kNotFound);
  ASSERT_OK(tx->Commit());
}

TEST_P(StoreContractTest, Subscriptions) {
  const std::string seller = AddOrganization(OrganizationKind::kSeller);
  const std::string offering = AddOffering(seller);
  const std::string offering2 = AddOffering(seller, 2000);
  const std::string buyer = AddOrganization(OrganizationKind::kBuyer);
  const std::string buyer2 = AddOrganization(OrganizationKind::kBuyer);
  const std::string user = AddUser(buyer, "u@example.com");
  auto tx = Tx();
  Subscription first{"", offering, buyer, user, SubscriptionState::kActive, 10, {}};
  ASSERT_OK_AND_ASSIGN(first.id, tx->InsertSubscription(first));
  Subscription second{"", offering2, buyer, user, SubscriptionState::kActive, 5, {}};
  ASSERT_OK_AND_ASSIGN(second.id, tx->InsertSubscription(second));
  Subscription third{"", offering, buyer2, user, SubscriptionState::kActive, 7, {}};
  ASSERT_OK_AND_ASSIGN(third.id, tx->InsertSubscription(third));
  EXPECT_CODE(tx->InsertSubscription(first), kAlreadyExists);

  ASSERT_OK_AND_ASSIGN(Subscription got, tx->GetSubscription(first.id));
  EXPECT_EQ(got, first);
  EXPECT_CODE(tx->GetSubscription("nope"), kNotFound);
  ASSERT_OK_AND_ASSIGN(auto mine, tx->ListSubscriptionsByBuyer(buyer));
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0], second);
  EXPECT_EQ(mine[1], first);
  ASSERT_OK_AND_ASSIGN(auto of, tx->ListSubscriptionsByOffering(offering));
  ASSERT_EQ(of.size(), 2u);
  EXPECT_EQ(of[0], third);
  EXPECT_EQ(of[1], first);

  ASSERT_OK(tx->CancelSubscription(first.id, 99));
  ASSERT_OK_AND_ASSIGN(got, tx->GetSubscription(first.id));
  EXPECT_EQ(got.state, SubscriptionState::kCancelled);
  EXPECT_EQ(got.cancelled_at, std::optional<std::int64_t>(99));
  EXPECT_CODE(tx->CancelSubscription(first.id, 100), kFailedPrecondition);
  EXPECT_CODE(tx->CancelSubscription("nope", 100), kNotFound);
  ASSERT_OK_AND_ASSIGN(got, tx->GetSubscription(first.id));
  EXPECT_EQ(got.cancelled_at, std::optional<std::int64_t>(99));
  EXPECT_CODE(
      tx->InsertSubscription({"", "no-offering", buyer, user, SubscriptionState::kActive, 1, {}}),
      kFailedPrecondition);
}

// --- configurations and revisions ------------------------------------------------------------

TEST_P(StoreContractTest, AgentConfigs) {
  const World w = AddWorld();
  auto tx = Tx();
  ASSERT_OK_AND_ASSIGN(AgentConfig config, tx->GetAgentConfig(w.subscription));
  EXPECT_EQ(config, (AgentConfig{w.subscription, "[\"branding\"]", "{}", 1, false, 1000, w.user}));
  ASSERT_OK_AND_ASSIGN(AgentConfig locked, tx->GetAgentConfigForUpdate(w.subscription));
  EXPECT_EQ(locked, config);
  EXPECT_CODE(tx->GetAgentConfig("nope"), kNotFound);
  EXPECT_CODE(tx->GetAgentConfigForUpdate("nope"), kNotFound);
  EXPECT_CODE(tx->InsertAgentConfig(config), kAlreadyExists);

  AgentConfig next{w.subscription, "[\"branding\",\"rag\"]", R"({"rag":{}})", 2, true, 2000,
                   "someone-else"};
  ASSERT_OK(tx->UpdateAgentConfigIfRevision(next, 1));
  ASSERT_OK_AND_ASSIGN(config, tx->GetAgentConfig(w.subscription));
  EXPECT_EQ(config, next);
  // Stale: the stored revision is 2 now.
  AgentConfig stale = next;
  stale.revision = 2;
  stale.config = R"({"lost":true})";
  EXPECT_CODE(tx->UpdateAgentConfigIfRevision(stale, 1), kFailedPrecondition);
  ASSERT_OK_AND_ASSIGN(config, tx->GetAgentConfig(w.subscription));
  EXPECT_EQ(config, next);
  stale.subscription_id = "nope";
  EXPECT_CODE(tx->UpdateAgentConfigIfRevision(stale, 1), kNotFound);
  // The stale save was a soft failure.
  ASSERT_OK(tx->Commit());
  EXPECT_EQ(Tx()->GetAgentConfig(w.subscription)->revision, 2);
}

TEST_P(StoreContractTest, ConfigStampMovesWithEveryChangeAViewDependsOn) {
  const World w = AddWorld();
  auto tx = Tx();
  ASSERT_OK_AND_ASSIGN(ConfigStamp stamp, tx->GetConfigStamp(w.subscription));
  ASSERT_OK_AND_ASSIGN(Subscription subscription, tx->GetSubscription(w.subscription));
  EXPECT_EQ(stamp.organization_id, subscription.organization_id);
  EXPECT_EQ(stamp.revision, 1);
  EXPECT_CODE(tx->GetConfigStamp("nope"), kNotFound);

  // Each kind of change moves the stamp; nothing else does.
  std::vector<ConfigStamp> seen{stamp};
  auto moved = [&](std::string_view what) {
    ASSERT_OK_AND_ASSIGN(ConfigStamp now, tx->GetConfigStamp(w.subscription));
    for (const ConfigStamp& before : seen) EXPECT_NE(now, before) << what;
    seen.push_back(now);
  };
  ASSERT_OK(tx->UpsertSecret(
      {w.subscription, "/search/api_key", ToBytes("c"), ToBytes("n"), "ab12", 10, w.user}));
  moved("a secret set");
  ASSERT_OK(tx->UpsertSecret(
      {w.subscription, "/search/api_key", ToBytes("c2"), ToBytes("n2"), "cd34", 11, w.user}));
  moved("a secret replaced");
  ASSERT_OK(tx->DeleteSecret(w.subscription, "/search/api_key"));
  moved("a secret deleted");
  ASSERT_OK_AND_ASSIGN(
      std::string key,
      tx->InsertApiKey({"", w.subscription, "k", "ck_live_st1", "h", "[]", 12, w.user, {}, {}}));
  moved("a key created");
  ASSERT_OK(tx->TouchApiKeyLastUsed(key, 13));
  moved("a key used");
  ASSERT_OK(tx->RevokeApiKey(key, 14));
  moved("a key revoked");
  ASSERT_OK(tx->InsertRevision({w.subscription, 2, "[]", "{}", false, 15, w.user, "saved"}));
  ASSERT_OK_AND_ASSIGN(ConfigStamp unchanged, tx->GetConfigStamp(w.subscription));
  EXPECT_EQ(unchanged, seen.back()) << "a revision row alone is not the current configuration";

  // The conditional update holds only against the current stamp.
  AgentConfig next{w.subscription, "[]", R"({"n":2})", 2, false, 16, w.user};
  EXPECT_CODE(tx->UpdateAgentConfigIfUnchanged(next, seen.front()), kFailedPrecondition);
  ASSERT_OK(tx->UpdateAgentConfigIfUnchanged(next, seen.back()));
  moved("a saved configuration");
  EXPECT_EQ(seen.back().revision, 2);
  EXPECT_CODE(tx->UpdateAgentConfigIfUnchanged(next, seen[seen.size() - 2]), kFailedPrecondition);
  next.subscription_id = "nope";
  EXPECT_CODE(tx->UpdateAgentConfigIfUnchanged(next, seen.back()), kNotFound);
  ASSERT_OK(tx->Commit());
  ASSERT_OK_AND_ASSIGN(AgentConfig stored, Tx()->GetAgentConfig(w.subscription));
  EXPECT_EQ(stored.config, R"({"n":2})");
}

TEST_P(StoreContractTest, Revisions) {
  const World w = AddWorld();
  auto tx = Tx();
  ASSERT_OK_AND_ASSIGN(Revision first, tx->GetRevision(w.subscription, 1));
  EXPECT_EQ(first.note, "created");
  for (int r = 2; r <= 5; ++r) {
    ASSERT_OK(
        tx->InsertRevision({w.subscription, r, "[]", "{\"n\":" + std::to_string(r) + "}",
                            r % 2 == 0, 1000 + r, w.user, r == 5 ? "restored from 3" : "saved"}));
  }
  EXPECT_CODE(tx->InsertRevision({w.subscription, 3, "[]", "{}", false, 1, w.user, "saved"}),
              kAlreadyExists);
  ASSERT_OK_AND_ASSIGN(Revision got, tx->GetRevision(w.subscription, 5));
  EXPECT_EQ(got, (Revision{w.subscription, 5, "[]", "{\"n\":5}", false, 1005, w.user,
                           "restored from 3"}));
  EXPECT_CODE(tx->GetRevision(w.subscription, 6), kNotFound);

  ASSERT_OK_AND_ASSIGN(auto page, tx->ListRevisions(w.subscription, {2, 0}));
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].revision, 5);
  EXPECT_EQ(page[1].revision, 4);
  ASSERT_OK_AND_ASSIGN(page, tx->ListRevisions(w.subscription, {2, 2}));
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].revision, 3);
  EXPECT_EQ(page[1].revision, 2);
  ASSERT_OK_AND_ASSIGN(page, tx->ListRevisions(w.subscription, {10, 4}));
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].revision, 1);
  ASSERT_OK_AND_ASSIGN(page, tx->ListRevisions(w.subscription, {}));
  EXPECT_EQ(page.size(), 5u);
  ASSERT_OK_AND_ASSIGN(page, tx->ListRevisions("nope", {}));
  EXPECT_TRUE(page.empty());
  ASSERT_OK(tx->Commit());
  EXPECT_CODE(Tx()->ListRevisions(w.subscription, {-1, 0}), kInvalidArgument);
  EXPECT_CODE(Tx()->InsertRevision({"nope", 1, "[]", "{}", false, 1, w.user, "created"}),
              kFailedPrecondition);
}

// Two savers start from the same revision; exactly one wins, on every try.
TEST_P(StoreContractTest, RacingSavesWithTheSameExpectedRevisionHaveOneWinner) {
  const World w = AddWorld();
  for (int round = 0; round < 50; ++round) {
    const std::int64_t expected = 1 + round;
    std::vector<Status> results(2);
    std::latch start(2);
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        results[t] = [&]() -> Status {
          CAPCONF_ASSIGN_OR_RETURN(auto tx, store_->Begin());
          CAPCONF_ASSIGN_OR_RETURN(AgentConfig current, tx->GetAgentConfig(w.subscription));
          AgentConfig next = current;
          next.revision = expected + 1;
          next.config = "{\"saver\":" + std::to_string(t) + "}";
          next.updated_at = 2000 + round;
          CAPCONF_RETURN_IF_ERROR(tx->UpdateAgentConfigIfRevision(next, expected));
          CAPCONF_RETURN_IF_ERROR(
              tx->InsertRevision({w.subscription, expected + 1, next.enabled, next.config, false,
                                  next.updated_at, w.user, "saved"}));
          return tx->Commit();
        }();
      });
    }
    for (auto& thread : threads) thread.join();
    const int wins = (results[0].ok() ? 1 : 0) + (results[1].ok() ? 1 : 0);
    ASSERT_EQ(wins, 1) << "round " << round << ": " << results[0].ToString() << " / "
                       << results[1].ToString();
    const Status& loser = results[0].ok() ? results[1] : results[0];
    EXPECT_EQ(loser.code(), StatusCode::kFailedPrecondition) << loser.ToString();
  }
  auto tx = Tx();
  EXPECT_EQ(tx->GetAgentConfig(w.subscription)->revision, 51);
  EXPECT_EQ(tx->ListRevisions(w.subscription, {1000, 0})->size(), 51u);
}

// Read-modify-write under GetAgentConfigForUpdate never loses an update.
TEST_P(StoreContractTest, GetForUpdateSerializesReadModifyWrite) {
  const World w = AddWorld();
  constexpr int kThreads = 4;
  constexpr int kSaves = 10;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kSaves; ++i) {
        Status status = [&]() -> Status {
          CAPCONF_ASSIGN_OR_RETURN(auto tx, store_->Begin());
          CAPCONF_ASSIGN_OR_RETURN(AgentConfig current,
                                   tx->GetAgentConfigForUpdate(w.subscription));
          AgentConfig next = current;
          next.revision = current.revision + 1;
          CAPCONF_RETURN_IF_ERROR(tx->UpdateAgentConfigIfRevision(next, current.revision));
          return tx->Commit();
        }();
        if (!status.ok()) {
          ++failures;
          ADD_FAILURE() << status.ToString();
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Tx()->GetAgentConfig(w.subscription)->revision, 1 + kThreads * kSaves);
}

TEST_P(StoreContractTest, ManyThreadsInsertConcurrently) {
  constexpr int kThreads = 8;
  constexpr int kEach = 25;
  const std::string org = AddOrganization(OrganizationKind::kBuyer);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        Status status = [&]() -> Status {
          CAPCONF_ASSIGN_OR_RETURN(auto tx, store_->Begin());
          const std::string email =
              "user-" + std::to_string(t) + "-" + std::to_string(i) + "@example.com";
          CAPCONF_ASSIGN_OR_RETURN(
              std::string id,
              tx->InsertUser({"", org, email, "U", Role::kBuyer, "h", t * 1000 + i, false}));
          CAPCONF_RETURN_IF_ERROR(tx->GetUser(id).status());
          return tx->Commit();
        }();
        if (!status.ok()) {
          ++failures;
          ADD_FAILURE() << status.ToString();
        }
        // Readers in between.
        auto reader = store_->Begin(TransactionMode::kReadOnly);
        if (reader.ok()) (void)(*reader)->ListUsersByOrganization(org);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_OK_AND_ASSIGN(auto users, Tx()->ListUsersByOrganization(org));
  EXPECT_EQ(users.size(), static_cast<std::size_t>(kThreads * kEach));
}

// --- WriteBatched (group commit on SQLite, a transaction each on PostgreSQL) -----------------

TEST_P(StoreContractTest, WriteBatchedCommitsTheWork) {
  std::string id;
  ASSERT_OK(store_->WriteBatched([&](Transaction& tx) -> Status {
    CAPCONF_ASSIGN_OR_RETURN(id, tx.InsertOrganization({"", "Kept", OrganizationKind::kBuyer, 1}));
    return Status::Ok();
  }));
  ASSERT_OK_AND_ASSIGN(Organization org, Tx()->GetOrganization(id));
  EXPECT_EQ(org.name, "Kept");
}

// Many callers at once, so that on SQLite their work shares transactions: each caller's work
// stands or falls alone, and each caller hears its own outcome.
TEST_P(StoreContractTest, WriteBatchedWorkStandsOrFallsAlone) {
  constexpr int kThreads = 8;
  constexpr int kEach = 30;
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::set<std::string> expected_names;
  std::atomic<int> wrong_outcomes{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string name = "org-" + std::to_string(t) + "-" + std::to_string(i);
        const int kind = (t + i) % 3;  // 0: kept, 1: refused by the work, 2: a failed statement
        Status status = store_->WriteBatched([&](Transaction& tx) -> Status {
          CAPCONF_RETURN_IF_ERROR(
              tx.InsertOrganization({"", name, OrganizationKind::kBuyer, 1}).status());
          if (kind == 1) return InvalidArgumentError("refused " + name);
          if (kind == 2) {
            // A user of an organization that does not exist spends the transaction; the work
            // ignores that and reports success, which must not let its writes through.
            (void)tx.InsertUser(
                {"", "no-such-org", name + "@example.com", "U", Role::kBuyer, "h", 1, false});
          }
          return Status::Ok();
        });
        const bool right = kind == 0   ? status.ok()
                           : kind == 1 ? status.code() == StatusCode::kInvalidArgument &&
                                             status.message() == "refused " + name
                                       : status.code() == StatusCode::kAborted;
        if (!right) {
          ++wrong_outcomes;
          ADD_FAILURE() << name << " (kind " << kind << "): " << status.ToString();
        }
        if (kind == 0) {
          std::lock_guard lock(mutex);
          expected_names.insert(name);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong_outcomes.load(), 0);
  ASSERT_OK_AND_ASSIGN(std::vector<Organization> orgs, Tx()->ListOrganizations());
  std::set<std::string> names;
  for (const Organization& org : orgs) names.insert(org.name);
  EXPECT_EQ(names, expected_names);
}

TEST_P(StoreContractTest, WriteBatchedWorkThatThrowsIsUndone) {
  Status status = store_->WriteBatched([&](Transaction& tx) -> Status {
    (void)tx.InsertOrganization({"", "Thrown", OrganizationKind::kBuyer, 1});
    throw std::runtime_error("boom");
  });
  EXPECT_CODE(status, kInternal);
  EXPECT_NE(status.message().find("boom"), std::string::npos) << status.ToString();
  ASSERT_OK_AND_ASSIGN(std::vector<Organization> orgs, Tx()->ListOrganizations());
  EXPECT_TRUE(orgs.empty());
  // The store is still usable.
  EXPECT_OK(store_->WriteBatched([](Transaction& tx) {
    return tx.InsertOrganization({"", "After", OrganizationKind::kBuyer, 1}).status();
  }));
}

TEST_P(StoreContractTest, BatchedWorkCannotEndASharedTransaction) {
  if (postgres()) GTEST_SKIP() << "PostgreSQL runs each work in a transaction of its own";
  Status commit_status, rollback_status;
  ASSERT_OK(store_->WriteBatched([&](Transaction& tx) -> Status {
    CAPCONF_RETURN_IF_ERROR(
        tx.InsertOrganization({"", "Shared", OrganizationKind::kBuyer, 1}).status());
    commit_status = tx.Commit();
    rollback_status = tx.Rollback();
    return Status::Ok();
  }));
  EXPECT_CODE(commit_status, kFailedPrecondition);
  EXPECT_CODE(rollback_status, kFailedPrecondition);
  ASSERT_OK_AND_ASSIGN(std::vector<Organization> orgs, Tx()->ListOrganizations());
  ASSERT_EQ(orgs.size(), 1u);  // the batch committed it, once
  EXPECT_EQ(orgs[0].name, "Shared");
}

// Both try to take the same email at once: one wins, the other sees AlreadyExists.
TEST_P(StoreContractTest, RacingInsertsOfOneEmailHaveOneWinner) {
  const std::string org = AddOrganization(OrganizationKind::kBuyer);
  for (int round = 0; round < 10; ++round) {
    std::vector<Status> results(2);
    std::latch start(2);
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        results[t] = [&]() -> Status {
          CAPCONF_ASSIGN_OR_RETURN(auto tx, store_->Begin());
          const std::string email = (t == 0 ? "Race" : "race") + std::to_string(round) + "@x.io";
          CAPCONF_RETURN_IF_ERROR(
              tx->InsertUser({"", org, email, "R", Role::kBuyer, "h", 1, false}).status());
          return tx->Commit();
        }();
      });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ((results[0].ok() ? 1 : 0) + (results[1].ok() ? 1 : 0), 1)
        << results[0].ToString() << " / " << results[1].ToString();
    const Status& loser = results[0].ok() ? results[1] : results[0];
    EXPECT_EQ(loser.code(), StatusCode::kAlreadyExists) << loser.ToString();
  }
}

// --- API keys, secrets, files ----------------------------------------------------------------

TEST_P(StoreContractTest, ApiKeys) {
  const World w = AddWorld();
  auto tx = Tx();
  ApiKey key{"",           w.subscription,
             "prod",       "ck_live_ab12",
             "keyed-hash", R"(["chat","upload"])",
             10,           w.user,
             {},           {}};
  ASSERT_OK_AND_ASSIGN(key.id, tx->InsertApiKey(key));
  ASSERT_OK_AND_ASSIGN(ApiKey got, tx->GetApiKeyByPrefix("ck_live_ab12"));
  EXPECT_EQ(got, key);
  ASSERT_OK_AND_ASSIGN(got, tx->GetApiKey(key.id));
  EXPECT_EQ(got, key);
  EXPECT_CODE(tx->GetApiKeyByPrefix("ck_live_zz"), kNotFound);
  EXPECT_CODE(tx->GetApiKey("nope"), kNotFound);
  EXPECT_CODE(
      tx->InsertApiKey({"", w.subscription, "dup", "ck_live_ab12", "h", "[]", 11, w.user, {}, {}}),
      kAlreadyExists);
  ApiKey older{"", w.subscription, "test", "ck_test_cd34", "h2", "[]", 5, w.user, 6, 7};
  ASSERT_OK_AND_ASSIGN(older.id, tx->InsertApiKey(older));
  ASSERT_OK_AND_ASSIGN(auto keys, tx->ListApiKeysBySubscription(w.subscription));
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0], older);
  EXPECT_EQ(keys[1], key);

  ASSERT_OK(tx->TouchApiKeyLastUsed(key.id, 20));
  ASSERT_OK(tx->RevokeApiKey(key.id, 30));
  ASSERT_OK(tx->RevokeApiKey(key.id, 40));
  ASSERT_OK_AND_ASSIGN(got, tx->GetApiKey(key.id));
  EXPECT_EQ(got.last_used_at, std::optional<std::int64_t>(20));
  EXPECT_EQ(got.revoked_at, std::optional<std::int64_t>(30));
  EXPECT_CODE(tx->RevokeApiKey("nope", 1), kNotFound);
  EXPECT_CODE(tx->TouchApiKeyLastUsed("nope", 1), kNotFound);
  ASSERT_OK(tx->Commit());
}

TEST_P(StoreContractTest, Secrets) {
  const World w = AddWorld();
  auto tx = Tx();
  Secret search{
      w.subscription, "/search/api_key", ToBytes("cipher-1"), ToBytes("nonce-1"), "ab12", 10,
      w.user};
  ASSERT_OK(tx->UpsertSecret(search));
  Secret voice{
      w.subscription, "/voice/api_key", ToBytes("cipher-2"), ToBytes("nonce-2"), "cd34", 11,
      w.user};
  ASSERT_OK(tx->UpsertSecret(voice));
  ASSERT_OK_AND_ASSIGN(Secret got, tx->GetSecret(w.subscription, "/search/api_key"));
  EXPECT_EQ(got, search);
  EXPECT_CODE(tx->GetSecret(w.subscription, "/nope"), kNotFound);
  EXPECT_CODE(tx->GetSecret("nope", "/search/api_key"), kNotFound);

  // Upsert replaces.
  Secret replaced{
      w.subscription, "/search/api_key", ToBytes("cipher-3"), ToBytes("nonce-3"), "ef56", 20,
      "admin"};
  ASSERT_OK(tx->UpsertSecret(replaced));
  ASSERT_OK_AND_ASSIGN(got, tx->GetSecret(w.subscription, "/search/api_key"));
  EXPECT_EQ(got, replaced);

  ASSERT_OK_AND_ASSIGN(auto secrets, tx->ListSecretsBySubscription(w.subscription));
  ASSERT_EQ(secrets.size(), 2u);
  EXPECT_EQ(secrets[0], replaced);  // by pointer
  EXPECT_EQ(secrets[1], voice);

  ASSERT_OK(tx->DeleteSecret(w.subscription, "/voice/api_key"));
  EXPECT_CODE(tx->DeleteSecret(w.subscription, "/voice/api_key"), kNotFound);
  ASSERT_OK_AND_ASSIGN(secrets, tx->ListSecretsBySubscription(w.subscription));
  EXPECT_EQ(secrets.size(), 1u);
  ASSERT_OK(tx->Commit());
  EXPECT_CODE(Tx()->UpsertSecret({"nope", "/a", {}, {}, "", 1, "u"}), kFailedPrecondition);
}

TEST_P(StoreContractTest, BytesRoundTripExactly) {
  const World w = AddWorld();
  Bytes every_byte;
  for (int i = 0; i < 256; ++i) every_byte.push_back(static_cast<std::uint8_t>(i));
  const Bytes with_nuls = {0, 0, 'a', 0, 0xff, 0x80, '\\', 'x', 0};
  const Bytes utf8_like = ToBytes("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \\x00");
  {
    auto tx = Tx();
    ASSERT_OK(tx->UpsertSecret({w.subscription, "/a", every_byte, with_nuls, "ff00", 1, "u"}));
    ASSERT_OK(tx->UpsertSecret({w.subscription, "/b", {}, Bytes(24, 0), "", 1, "u"}));
    ASSERT_OK(
        tx->UpsertSecret({w.subscription, "/c", utf8_like, Bytes{0}, "\xe2\x82\xac", 1, "u"}));
    ASSERT_OK(tx->Commit());
  }
  auto tx = Tx(TransactionMode::kReadOnly);
  ASSERT_OK_AND_ASSIGN(Secret a, tx->GetSecret(w.subscription, "/a"));
  EXPECT_EQ(a.ciphertext, every_byte);
  EXPECT_EQ(a.nonce, with_nuls);
  ASSERT_OK_AND_ASSIGN(Secret b, tx->GetSecret(w.subscription, "/b"));
  EXPECT_TRUE(b.ciphertext.empty());
  EXPECT_EQ(b.nonce, Bytes(24, 0));
  ASSERT_OK_AND_ASSIGN(Secret c, tx->GetSecret(w.subscription, "/c"));
  EXPECT_EQ(c.ciphertext, utf8_like);
  EXPECT_EQ(c.nonce, Bytes{0});
  EXPECT_EQ(c.last4, "\xe2\x82\xac");
}

TEST_P(StoreContractTest, JsonTextRoundTripsExactly) {
  const World w = AddWorld();
  // Key order, whitespace, escapes, non-ASCII and big numbers all come back byte for byte.
  const std::string config =
      "{ \"z\": 1,\n  \"a\" :[1.0, 1e400, 12345678901234567890],\t\"name\": \"Caf\xc3\xa9 "
      "\xe2\x98\x95 "
      "\xf0\x9f\x98\x80\", \"esc\": \"\\u0000\\n\\\"\\\\\", \"empty\": {}, \"dup\": 1, \"dup\": 2 "
      "}";
  const std::string enabled = "[ \"branding\" , \"rag\" ]";
  {
    auto tx = Tx();
    AgentConfig next{w.subscription, enabled, config, 2, true, 5, w.user};
    ASSERT_OK(tx->UpdateAgentConfigIfRevision(next, 1));
    ASSERT_OK(tx->InsertRevision(
        {w.subscription, 2, enabled, config, true, 5, w.user, "saved \xe2\x9c\x93"}));
    ASSERT_OK(tx->InsertTemplateVersion({"t", 1, config, w.seller, 1}));
    ASSERT_OK(tx->Commit());
  }
  auto tx = Tx();
  ASSERT_OK_AND_ASSIGN(AgentConfig got, tx->GetAgentConfig(w.subscription));
  EXPECT_EQ(got.config, config);
  EXPECT_EQ(got.enabled, enabled);
  ASSERT_OK_AND_ASSIGN(Revision revision, tx->GetRevision(w.subscription, 2));
  EXPECT_EQ(revision.config, config);
  EXPECT_EQ(revision.note, "saved \xe2\x9c\x93");
  ASSERT_OK_AND_ASSIGN(TemplateVersion tv, tx->GetTemplateVersion("t", 1));
  EXPECT_EQ(tv.document, config);
}

TEST_P(StoreContractTest, Files) {
  const std::string org = AddOrganization(OrganizationKind::kBuyer);
  const std::string other = AddOrganization(OrganizationKind::kBuyer);
  auto tx = Tx();
  StoredFile doc{"",
                 org,
                 std::string(64, 'e'),
                 123456789012,
                 "application/pdf",
                 "Handbuch \xc3\xbc.pdf",
                 FilePurpose::kDocument,
                 20,
                 "u1"};
  ASSERT_OK_AND_ASSIGN(doc.id, tx->InsertFile(doc));
  ASSERT_OK_AND_ASSIGN(StoredFile got, tx->GetFile(doc.id));
  EXPECT_EQ(got, doc);
  EXPECT_CODE(tx->GetFile("nope"), kNotFound);
  EXPECT_CODE(tx->InsertFile(doc), kAlreadyExists);
  StoredFile avatar{"", org, std::string(64, 'a'), 10, "image/png", "me.png", FilePurpose::kAvatar,
                    10, "u1"};
  ASSERT_OK_AND_ASSIGN(avatar.id, tx->InsertFile(avatar));
  ASSERT_OK(
      tx->InsertFile({"", other, "00", 1, "text/plain", "x", FilePurpose::kDocument, 1, "u"}));
  ASSERT_OK_AND_ASSIGN(auto files, tx->ListFilesByOrganization(org));
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0], avatar);
  EXPECT_EQ(files[1], doc);
  ASSERT_OK(tx->DeleteFile(doc.id));
  EXPECT_CODE(tx->DeleteFile(doc.id), kNotFound);
  EXPECT_CODE(tx->GetFile(doc.id), kNotFound);
  ASSERT_OK(tx->Commit());
  EXPECT_CODE(
      Tx()->InsertFile({"", "nope", "00", 1, "text/plain", "x", FilePurpose::kDocument, 1, "u"}),
      kFailedPrecondition);
}

const std::vector<std::string> kLangflow = {"langflow"};

// --- the sync outbox ---------------------------------------------------------------------------

TEST_P(StoreContractTest, EnqueueKeepsOneRowPerTargetWithTheNewestDesiredState) {
  const World w = AddWorld();
  auto tx = Tx();
  ASSERT_OK(tx->EnqueueSync(w.subscription, "langflow", 1, 100));
  ASSERT_OK(tx->EnqueueSync(w.subscription, "ragflow", 1, 100));
  for (int revision = 2; revision <= 5; ++revision) {
    ASSERT_OK(tx->EnqueueSync(w.subscription, "langflow", revision, 100 + revision));
  }
  ASSERT_OK(tx->Commit());
  ASSERT_OK_AND_ASSIGN(std::vector<SyncJob> jobs, Tx()->ListSyncJobs(w.subscription));
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].target, "langflow");
  EXPECT_EQ(jobs[0].desired_seq, 5);
  EXPECT_EQ(jobs[0].desired_revision, 5);
  EXPECT_EQ(jobs[0].applied_seq, 0);
  EXPECT_EQ(jobs[0].state, SyncState::kPending);
  EXPECT_EQ(jobs[0].next_attempt_at, 100) << "a due job keeps its place in the queue";
  EXPECT_EQ(jobs[0].resources, "{}");
  EXPECT_FALSE(jobs[0].lease_token.has_value());
  EXPECT_EQ(jobs[1].target, "ragflow");
  EXPECT_EQ(jobs[1].desired_seq, 1);
}

TEST_P(StoreContractTest, ClaimLeasesDueJobsOnceAndTakesLapsedLeasesBack) {
  const World a = AddWorld();
  const World b = AddWorld();
  {
    auto tx = Tx();
    ASSERT_OK(tx->EnqueueSync(a.subscription, "langflow", 1, 100));
    ASSERT_OK(tx->EnqueueSync(b.subscription, "langflow", 1, 500));  // due later
    ASSERT_OK(tx->Commit());
  }
  auto tx = Tx();
  ASSERT_OK_AND_ASSIGN(std::vector<SyncJob> none, tx->ClaimSyncJobs(kLangflow, "w1", 99, 1099, 10));
  ASSERT_OK_AND_ASSIGN(none, tx->ClaimSyncJobs({"ragflow"}, "w1", 200, 1200, 10));
  EXPECT_TRUE(none.empty()) << "only the targets the worker serves";
  ASSERT_OK_AND_ASSIGN(none, tx->ClaimSyncJobs({}, "w1", 200, 1200, 10));
  EXPECT_TRUE(none.empty());
  EXPECT_TRUE(none.empty()) << "nothing is due before its time";
  ASSERT_OK_AND_ASSIGN(std::vector<SyncJob> first,
                       tx->ClaimSyncJobs(kLangflow, "w1", 200, 1200, 10));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].subscription_id, a.subscription);
  EXPECT_EQ(first[0].state, SyncState::kSyncing);
  EXPECT_EQ(first[0].lease_token, "w1");
  EXPECT_EQ(first[0].lease_until, 1200);
  EXPECT_EQ(first[0].claimed_seq, 1);
  ASSERT_OK_AND_ASSIGN(std::vector<SyncJob> again,
                       tx->ClaimSyncJobs(kLangflow, "w2", 300, 1300, 10));
  EXPECT_TRUE(again.empty()) << "a held job is not claimed twice";
  ASSERT_OK_AND_ASSIGN(std::int64_t renewed, tx->RenewSyncLeases("w1", 2000));
  EXPECT_EQ(renewed, 1);
  ASSERT_OK_AND_ASSIGN(again, tx->ClaimSyncJobs(kLangflow, "w2", 1500, 2500, 10));
  ASSERT_EQ(again.size(), 1u) << "only b is due; a's renewed lease still holds";
  EXPECT_EQ(again[0].subscription_id, b.subscription);
  ASSERT_OK_AND_ASSIGN(std::vector<SyncJob> lapsed,
                       tx->ClaimSyncJobs(kLangflow, "w3", 2001, 3001, 10));
  ASSERT_EQ(lapsed.size(), 1u) << "a's lease ran out (its worker died)";
  EXPECT_EQ(lapsed[0].subscription_id, a.subscription);
  EXPECT_EQ(lapsed[0].lease_token, "w3");
  ASSERT_OK(tx->Commit());
}

TEST_P(StoreContractTest, ClaimHonoursTheLimitAndTheDueOrder) {
  std::vector<std::string> subscriptions;
  for (int i = 0; i < 5; ++i) subscriptions.push_back(AddWorld().subscription);
  {
    auto tx = Tx();
    for (int i = 0; i < 5; ++i) ASSERT_OK(tx->EnqueueSync(subscriptions[i], "langflow", 1, 50 - i));
    ASSERT_OK(tx->Commit());
  }
  auto tx = Tx();
  ASSERT_OK_AND_ASSIGN(std::vector<SyncJob> jobs, tx->ClaimSyncJobs(kLangflow, "w", 100, 1000, 2));
  ASSERT_EQ(jobs.size(), 2u);
  std::set<std::string> got = {jobs[0].subscription_id, jobs[1].subscription_id};
  EXPECT_EQ(got, (std::set<std::string>{subscriptions[4], subscriptions[3]})) << "oldest due first";
  ASSERT_OK_AND_ASSIGN(jobs, tx->ClaimSyncJobs(kLangflow, "w", 100, 1000, 10));
  EXPECT_EQ(jobs.size(), 3u);
  ASSERT_OK(tx->Commit());
}

TEST_P(StoreContractTest, EnqueueWhileHeldKeepsTheLeaseAndRevivesADeadJob) {
  const World w = AddWorld();
  {
    auto tx = Tx();
    ASSERT_OK(tx->EnqueueSync(w.subscription, "langflow", 1, 100));
    ASSERT_OK(tx->ClaimSyncJobs(kLangflow, "w", 100, 1000, 1).status());
    ASSERT_OK(tx->EnqueueSync(w.subscription, "langflow", 2, 150));
    ASSERT_OK(tx->Commit());
  }
  auto tx = Tx();
  ASSERT_OK_AND_ASSIGN(SyncJob job, tx->GetSyncJobForUpdate(w.subscription, "langflow"));
  EXPECT_EQ(job.lease_token, "w");
  EXPECT_EQ(job.state, SyncState::kSyncing);
  EXPECT_EQ(job.claimed_seq, 1);
  EXPECT_EQ(job.desired_seq, 2);
  // The worker records a permanent failure: dead.
  job.lease_token.reset();
  job.lease_until.reset();
  job.state = SyncState::kDead;
  job.attempts = 3;
  job.last_error = "Langflow refused the API key";
  job.resources = R"({"ragflow_collection":"d1"})";
  job.updated_at = 200;
  ASSERT_OK(tx->UpdateSyncJob(job));
  ASSERT_OK_AND_ASSIGN(SyncJob stored, tx->GetSyncJobForUpdate(w.subscription, "langflow"));
  EXPECT_EQ(stored, job);
  ASSERT_OK(tx->EnqueueSync(w.subscription, "langflow", 3, 300));
  ASSERT_OK_AND_ASSIGN(stored, tx->GetSyncJobForUpdate(w.subscription, "langflow"));
  EXPECT_EQ(stored.state, SyncState::kPending) << "a new desired state revives a dead job";
  EXPECT_EQ(stored.attempts, 0);
  EXPECT_EQ(stored.last_error, "");
  EXPECT_EQ(stored.desired_seq, 3);
  EXPECT_EQ(stored.next_attempt_at, 300);
  // A failing job waiting out its backoff is due at once for the new desired state.
  stored.state = SyncState::kFailing;
  stored.attempts = 4;
  stored.next_attempt_at = 90000;
  ASSERT_OK(tx->UpdateSyncJob(stored));
  ASSERT_OK(tx->EnqueueSync(w.subscription, "langflow", 4, 400));
  ASSERT_OK_AND_ASSIGN(stored, tx->GetSyncJobForUpdate(w.subscription, "langflow"));
  EXPECT_EQ(stored.state, SyncState::kPending);
  EXPECT_EQ(stored.next_attempt_at, 400);
  EXPECT_EQ(stored.attempts, 0);
  EXPECT_EQ(stored.desired_revision, 4);
  EXPECT_CODE(tx->GetSyncJobForUpdate(w.subscription, "nope"), kNotFound);
  SyncJob missing = job;
  missing.target = "nope";
  EXPECT_CODE(tx->UpdateSyncJob(missing), kNotFound);
  ASSERT_OK(tx->Commit());
}

TEST_P(StoreContractTest, ResourcesOfASyncJobMoveTheConfigStamp) {
  const World w = AddWorld();
  auto tx = Tx();
  ASSERT_OK(tx->EnqueueSync(w.subscription, "ragflow", 1, 100));
  ASSERT_OK_AND_ASSIGN(ConfigStamp before, tx->GetConfigStamp(w.subscription));
  ASSERT_OK_AND_ASSIGN(SyncJob job, tx->GetSyncJobForUpdate(w.subscription, "ragflow"));
  job.message = "3 documents";
  ASSERT_OK(tx->UpdateSyncJob(job));
  ASSERT_OK_AND_ASSIGN(ConfigStamp same, tx->GetConfigStamp(w.subscription));
  EXPECT_EQ(same, before) << "only resources matter to the view";
  job.resources = R"({"ragflow_collection":"d1"})";
  ASSERT_OK(tx->UpdateSyncJob(job));
  ASSERT_OK_AND_ASSIGN(ConfigStamp after, tx->GetConfigStamp(w.subscription));
  EXPECT_NE(after, before);
  ASSERT_OK(tx->Commit());
}

// Claimers racing over many jobs: every job is claimed by exactly one of them.
TEST_P(StoreContractTest, RacingClaimersNeverShareAJob) {
  constexpr int kJobs = 60;
  constexpr int kClaimers = 6;
  const World w = AddWorld();
  std::vector<std::string> subscriptions;
  {
    auto tx = Tx();
    for (int i = 0; i < kJobs; ++i) {
      Subscription s{"", w.offering, w.buyer, w.user, SubscriptionState::kActive, 1000, {}};
      std::string id = Must(tx->InsertSubscription(s), "InsertSubscription");
      ASSERT_OK(tx->EnqueueSync(id, "langflow", 1, 100));
      subscriptions.push_back(id);
    }
    ASSERT_OK(tx->Commit());
  }
  std::mutex mutex;
  std::map<std::string, int> claims;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kClaimers; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 40; ++round) {
        auto tx = store_->Begin();
        if (!tx.ok()) {
          ++failures;
          continue;
        }
        auto jobs = (*tx)->ClaimSyncJobs(kLangflow, "w" + std::to_string(t), 200, 100000, 3);
        if (!jobs.ok() || !(*tx)->Commit().ok()) {
          ++failures;
          continue;
        }
        std::lock_guard lock(mutex);
        for (const SyncJob& job : *jobs) ++claims[job.subscription_id];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(claims.size(), static_cast<std::size_t>(kJobs));
  for (const auto& [id, count] : claims) EXPECT_EQ(count, 1) << id;
}

// A database from before the sync pipeline: migrating it queues every active subscription, so
// agents made before the upgrade are provisioned too.
TEST_P(StoreContractTest, SyncMigrationQueuesTheSubscriptionsThatExistAlready) {
  ASSERT_NO_FATAL_FAILURE(StartOver());
  auto raw = Raw();
  ASSERT_NE(raw, nullptr);
  ASSERT_OK_AND_ASSIGN(std::vector<internal::Migration> migrations,
                       internal::MigrationsFor(GetParam()));
  ASSERT_OK(raw->ExecScript(
      "CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL)"));
  for (const internal::Migration& m : migrations) {
    if (m.version >= 3) break;
    ASSERT_OK(raw->ExecScript(m.sql));
    ASSERT_OK(raw->ExecScript("INSERT INTO schema_migrations (version, name) VALUES (" +
                              std::to_string(m.version) + ", '" + m.name + "')"));
  }
  raw.reset();
  ASSERT_OK_AND_ASSIGN(store_, Store::Open(url_));
  ASSERT_OK_AND_ASSIGN(int version, store_->SchemaVersion());
  ASSERT_EQ(version, 2);

  const World with_rag = AddWorld();
  const World without_rag = AddWorld();
  const World cancelled = AddWorld();
  {
    auto tx = Tx();
    ASSERT_OK(tx->UpdateAgentConfigIfRevision(
        {with_rag.subscription, R"(["rag","widget"])", "{}", 2, false, 1500, with_rag.user}, 1));
    ASSERT_OK(tx->CancelSubscription(cancelled.subscription, 2000));
    ASSERT_OK(tx->Commit());
  }
  ASSERT_OK(store_->Migrate());

  auto tx = Tx();
  ASSERT_OK_AND_ASSIGN(std::vector<SyncJob> jobs, tx->ListSyncJobs(with_rag.subscription));
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].target, "langflow");
  EXPECT_EQ(jobs[1].target, "ragflow");
  for (const SyncJob& job : jobs) {
    EXPECT_EQ(job.state, SyncState::kPending);
    EXPECT_EQ(job.desired_revision, 2);
    EXPECT_EQ(job.desired_seq, 1);
    EXPECT_EQ(job.applied_seq, 0);
    EXPECT_GT(job.updated_at, 1700000000000) << "now, in milliseconds";
  }
  ASSERT_OK_AND_ASSIGN(jobs, tx->ListSyncJobs(without_rag.subscription));
  ASSERT_EQ(jobs.size(), 1u) << "no knowledge base, no Ragflow job";
  EXPECT_EQ(jobs[0].target, "langflow");
  ASSERT_OK_AND_ASSIGN(jobs, tx->ListSyncJobs(cancelled.subscription));
  EXPECT_TRUE(jobs.empty()) << "nothing was made for a cancelled one";
  // Due now: a worker claims them at once.
  ASSERT_OK_AND_ASSIGN(std::vector<SyncJob> claimed,
                       tx->ClaimSyncJobs({"langflow", "ragflow"}, "w", 1, 1000, 10));
  EXPECT_EQ(claimed.size(), 3u);
  ASSERT_OK(tx->Commit());
}

}  // namespace
}  // namespace capconf::store
