#include "capconf/store/store.h"

#include <sys/random.h>

#include <algorithm>
#include <array>
#include <exception>
#include <random>

#include "sql_store.h"
#include "sqlite_connection.h"
#include "testing.h"
#if CAPCONF_WITH_POSTGRES
#include "postgres_connection.h"
#endif

namespace capconf::store {

std::string NewId() {
  static constexpr std::string_view kAlphabet = "0123456789abcdefghjkmnpqrstvwxyz";
  std::array<std::uint8_t, 26> random{};
  std::size_t filled = 0;
  while (filled < random.size()) {
    const ssize_t n = getrandom(random.data() + filled, random.size() - filled, 0);
    if (n <= 0) break;
    filled += static_cast<std::size_t>(n);
  }
  if (filled < random.size()) {  // no getrandom (old kernel, seccomp): the C++ library's source
    std::random_device device;
    for (std::uint8_t& b : random) b = static_cast<std::uint8_t>(device());
  }
  std::string id(random.size(), '0');
  for (std::size_t i = 0; i < random.size(); ++i) id[i] = kAlphabet[random[i] & 31];
  return id;
}

namespace {

template <typename E, std::size_t N>
Result<E> ParseEnum(std::string_view text, const std::array<E, N>& values, std::string_view what) {
  for (E value : values) {
    if (ToString(value) == text) return value;
  }
  return InvalidArgumentError("unknown " + std::string(what) + " \"" + std::string(text) + "\"");
}

}  // namespace

std::string_view ToString(OrganizationKind kind) {
  switch (kind) {
    case OrganizationKind::kOperator:
      return "operator";
    case OrganizationKind::kSeller:
      return "seller";
    case OrganizationKind::kBuyer:
      return "buyer";
  }
  return "?";
}

std::string_view ToString(Role role) {
  switch (role) {
    case Role::kOperator:
      return "operator";
    case Role::kSeller:
      return "seller";
    case Role::kBuyer:
      return "buyer";
  }
  return "?";
}

std::string_view ToString(OfferingState state) {
  switch (state) {
    case OfferingState::kDraft:
      return "draft";
    case OfferingState::kActive:
      return "active";
    case OfferingState::kArchived:
      return "archived";
  }
  return "?";
}

std::string_view ToString(SubscriptionState state) {
  switch (state) {
    case SubscriptionState::kActive:
      return "active";
    case SubscriptionState::kCancelled:
      return "cancelled";
  }
  return "?";
}

std::string_view ToString(FilePurpose purpose) {
  switch (purpose) {
    case FilePurpose::kDocument:
      return "document";
    case FilePurpose::kAvatar:
      return "avatar";
  }
  return "?";
}

std::string_view ToString(SyncState state) {
  switch (state) {
    case SyncState::kPending:
      return "pending";
    case SyncState::kSyncing:
      return "syncing";
    case SyncState::kInSync:
      return "in_sync";
    case SyncState::kFailing:
      return "failing";
    case SyncState::kDead:
      return "dead";
  }
  return "?";
}

Result<OrganizationKind> ParseOrganizationKind(std::string_view text) {
  return ParseEnum(
      text,
      std::array{OrganizationKind::kOperator, OrganizationKind::kSeller, OrganizationKind::kBuyer},
      "organization kind");
}

Result<Role> ParseRole(std::string_view text) {
  return ParseEnum(text, std::array{Role::kOperator, Role::kSeller, Role::kBuyer}, "role");
}

Result<OfferingState> ParseOfferingState(std::string_view text) {
  return ParseEnum(
      text, std::array{OfferingState::kDraft, OfferingState::kActive, OfferingState::kArchived},
      "offering state");
}

Result<SubscriptionState> ParseSubscriptionState(std::string_view text) {
  return ParseEnum(text, std::array{SubscriptionState::kActive, SubscriptionState::kCancelled},
                   "subscription state");
}

Result<FilePurpose> ParseFilePurpose(std::string_view text) {
  return ParseEnum(text, std::array{FilePurpose::kDocument, FilePurpose::kAvatar}, "file purpose");
}

Result<SyncState> ParseSyncState(std::string_view text) {
  return ParseEnum(text,
                   std::array{SyncState::kPending, SyncState::kSyncing, SyncState::kInSync,
                              SyncState::kFailing, SyncState::kDead},
                   "sync state");
}

Status Store::RunWork(const std::function<Status(Transaction&)>& work, Transaction& tx) {
  try {
    return work(tx);
  } catch (const std::exception& e) {
    return InternalError(std::string("a batched write threw: ") + e.what());
  } catch (...) {
    return InternalError("a batched write threw a non-exception");
  }
}

Status Store::WriteBatched(const std::function<Status(Transaction&)>& work) {
  CAPCONF_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> tx, Begin(TransactionMode::kReadWrite));
  Status status = RunWork(work, *tx);
  if (!status.ok()) {
    (void)tx->Rollback();
    return status;
  }
  return tx->Commit();
}

bool PostgresCompiledIn() { return CAPCONF_WITH_POSTGRES != 0; }

Result<std::unique_ptr<Store>> Store::Open(std::string_view url, const StoreOptions& options) {
  const auto acquire_timeout = std::chrono::milliseconds(std::max(0, options.acquire_timeout_ms));
  if (url.starts_with("sqlite:")) {
    std::string path(url.substr(7));
    if (path.starts_with("//")) path.erase(0, 2);  // sqlite:///abs/path.db
    if (path.empty()) return InvalidArgumentError("sqlite URL without a path: " + std::string(url));
    internal::SqliteOptions sqlite;
    sqlite.path = path;
    sqlite.busy_timeout_ms = std::max(0, options.busy_timeout_ms);
    int size = std::clamp(options.pool_size, 1, 4);
    if (path == ":memory:") {
      size = 1;  // every in-memory connection is a database of its own
    } else {
      sqlite.writer_gate = std::make_shared<internal::WriterGate>();
      sqlite.wal_flusher =
          std::make_shared<internal::WalFlusher>(path, std::chrono::milliseconds(10));
    }
    auto pool = internal::ConnectionPool::Create(
        [sqlite] { return internal::OpenSqliteConnection(sqlite); }, size, acquire_timeout);
    if (path == ":memory:") return internal::MakeSqlStore("sqlite", std::move(pool));
    // SQLite has one writer at a time anyway; giving writes a connection of their own keeps its
    // page cache valid from one write to the next (a connection's cache is dropped whenever
    // another connection has written), so a save does not re-read the pages it is about to
    // change. Waiting for it is bounded by the busy timeout, as waiting for the lock would be.
    auto writers = internal::ConnectionPool::Create(
        [sqlite] { return internal::OpenSqliteConnection(sqlite); }, 1,
        std::chrono::milliseconds(sqlite.busy_timeout_ms));
    return internal::MakeSqlStore("sqlite", std::move(pool), std::move(writers),
                                  /*group_commit=*/true);
  }
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) {
#if CAPCONF_WITH_POSTGRES
    internal::PostgresOptions postgres;
    postgres.url = std::string(url);
    postgres.connect_timeout_s = std::max(1, options.connect_timeout_s);
    CAPCONF_RETURN_IF_ERROR(internal::CheckPostgresUrl(postgres.url));
    auto pool = internal::ConnectionPool::Create(
        [postgres] { return internal::OpenPostgresConnection(postgres); },
        std::max(1, options.pool_size), acquire_timeout);
    return internal::MakeSqlStore("postgres", std::move(pool));
#else
    return InvalidArgumentError("this capconf was built without PostgreSQL support");
#endif
  }
  return InvalidArgumentError("unknown database URL \"" + std::string(url) +
                              "\": expected sqlite:PATH, sqlite::memory: or postgres://...");
}

namespace internal {

Result<std::unique_ptr<Connection>> OpenConnectionForTesting(std::string_view url) {
  if (url.starts_with("sqlite:")) {
    SqliteOptions sqlite;
    sqlite.path = std::string(url.substr(7));
    return OpenSqliteConnection(sqlite);
  }
#if CAPCONF_WITH_POSTGRES
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) {
    PostgresOptions postgres;
    postgres.url = std::string(url);
    return OpenPostgresConnection(postgres);
  }
#endif
  return InvalidArgumentError("unsupported URL for testing: " + std::string(url));
}

}  // namespace internal
}  // namespace capconf::store
