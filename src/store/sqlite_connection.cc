#include "sqlite_connection.h"

#include <sqlite3.h>

#include <chrono>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_map>

namespace capconf::store::internal {
namespace {

// Maps an SQLite result code to the store's codes (store.h).
Status SqliteStatus(sqlite3* db, int rc, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      switch (rc) {
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY:
          return Status(StatusCode::kAlreadyExists, std::move(message));
        case SQLITE_CONSTRAINT_FOREIGNKEY:
          return FailedPreconditionError(std::move(message));
        default:
          return InvalidArgumentError(std::move(message));
      }
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_NOMEM:
    case SQLITE_PROTOCOL:
    case SQLITE_PERM:
      return UnavailableError(std::move(message));
    case SQLITE_READONLY:
      return FailedPreconditionError(std::move(message));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_MISMATCH:
      return Status(StatusCode::kDataLoss, std::move(message));
    case SQLITE_TOOBIG:
      return ResourceExhaustedError(std::move(message));
    default:
      return InternalError(std::move(message));
  }
}

bool Fatal(int rc) {
  switch (rc & 0xff) {
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_NOMEM:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return true;
    default:
      return false;
  }
}

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(sqlite3* db, const SqliteOptions& options)
      : db_(db),
        busy_timeout_(options.busy_timeout_ms),
        gate_(options.writer_gate),
        wal_flusher_(options.wal_flusher) {}

  ~SqliteConnection() override {
    ReleaseGate();
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  Status Begin(TransactionMode mode) override {
    if (mode == TransactionMode::kReadWrite) {
      if (gate_ != nullptr) {
        if (!gate_->TryAcquireFor(busy_timeout_)) {
          return UnavailableError("sqlite: another writer held the database for " +
                                  std::to_string(busy_timeout_.count()) + " ms");
        }
        holds_gate_ = true;
      }
      // IMMEDIATE takes the write lock now, so a transaction never fails to upgrade a read
      // lock halfway through (SQLITE_BUSY_SNAPSHOT); writers simply run one after another.
      Status status = Exec("BEGIN IMMEDIATE", "begin");
      if (!status.ok()) ReleaseGate();
      return status;
    }
    // Read-only is enforced per statement (sqlite3_stmt_readonly in Query), not with
    // `PRAGMA query_only`: toggling that pragma expires every prepared statement of the
    // connection, so each request would parse its SQL again (measured: ~3x the cost of a
    // read transaction).
    CAPCONF_RETURN_IF_ERROR(Exec("BEGIN", "begin"));
    query_only_ = true;
    return Status::Ok();
  }

  Status Commit() override {
    Status status = Exec("COMMIT", "commit");
    if (!status.ok() && !sqlite3_get_autocommit(db_)) {
      (void)Exec("ROLLBACK", "rollback");
    }
    EndTransaction();
    return status;
  }

  Status Rollback() override {
    Status status = Status::Ok();
    if (!sqlite3_get_autocommit(db_)) status = Exec("ROLLBACK", "rollback");
    if (!status.ok()) healthy_ = false;
    EndTransaction();
    return status;
  }

  Result<QueryResult> Query(std::string_view sql, std::span<const Param> params) override {
    Result<sqlite3_stmt*> prepared = Prepare(sql);
    if (!prepared.ok()) return prepared.status();
    sqlite3_stmt* stmt = *prepared;
    if (query_only_ && !sqlite3_stmt_readonly(stmt)) {
      return Fail(SQLITE_READONLY, "a write in a read-only transaction");
    }
    // Always leave the statement reset and unbound, whatever happens below.
    struct Resetter {
      sqlite3_stmt* stmt;
      ~Resetter() {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
      }
    } resetter{stmt};

    if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(stmt)) {
      return InternalError("statement has " + std::to_string(sqlite3_bind_parameter_count(stmt)) +
                           " parameters, given " + std::to_string(params.size()));
    }
    static const char kEmpty[1] = {0};
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      int rc = SQLITE_OK;
      const Param& param = params[i];
      if (std::holds_alternative<std::monostate>(param)) {
        rc = sqlite3_bind_null(stmt, index);
      } else if (const auto* number = std::get_if<std::int64_t>(&param)) {
        rc = sqlite3_bind_int64(stmt, index, *number);
      } else if (const auto* text = std::get_if<std::string_view>(&param)) {
        // A null data pointer would bind NULL, not an empty string.
        rc = sqlite3_bind_text64(stmt, index, text->empty() ? kEmpty : text->data(), text->size(),
                                 SQLITE_STATIC, SQLITE_UTF8);
      } else {
        const auto& bytes = std::get<BytesParam>(param).data;
        rc = sqlite3_bind_blob64(stmt, index, bytes.empty() ? kEmpty : (const void*)bytes.data(),
                                 bytes.size(), SQLITE_STATIC);
      }
      if (rc != SQLITE_OK) return Fail(rc, "bind");
    }

    QueryResult result;
    const int columns = sqlite3_column_count(stmt);
    for (;;) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return Fail(rc, "query");
      Row& row = result.rows.emplace_back();
      row.reserve(columns);
      for (int c = 0; c < columns; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_NULL:
            row.emplace_back(std::nullopt);
            break;
          case SQLITE_INTEGER:
            row.emplace_back(std::to_string(sqlite3_column_int64(stmt, c)));
            break;
          case SQLITE_BLOB: {
            const void* data = sqlite3_column_blob(stmt, c);
            const int size = sqlite3_column_bytes(stmt, c);
            row.emplace_back(data == nullptr ? std::string()
                                             : std::string(static_cast<const char*>(data), size));
            break;
          }
          default: {  // TEXT (and REAL, which no column holds) as text
            const unsigned char* data = sqlite3_column_text(stmt, c);
            const int size = sqlite3_column_bytes(stmt, c);
            row.emplace_back(data == nullptr
                                 ? std::string()
                                 : std::string(reinterpret_cast<const char*>(data), size));
            break;
          }
        }
      }
    }
    if (!sqlite3_stmt_readonly(stmt)) result.affected = sqlite3_changes64(db_);
    return result;
  }

  Status ExecScript(std::string_view sql) override {
    const std::string script(sql);
    char* error = nullptr;
    const int rc = sqlite3_exec(db_, script.c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
      std::string message = error != nullptr ? error : sqlite3_errstr(rc);
      sqlite3_free(error);
      Status status = SqliteStatus(nullptr, rc, "script");
      if (Fatal(rc)) healthy_ = false;
      return Status(status.code(), "script: " + message);
    }
    return Status::Ok();
  }

  Result<bool> TableExists(std::string_view name) override {
    const Param params[] = {name};
    Result<QueryResult> result =
        Query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", params);
    if (!result.ok()) return result.status();
    return !result->rows.empty();
  }

  Status LockForMigration() override { return Status::Ok(); }

  bool healthy() const override { return healthy_; }
  std::string_view for_update() const override { return ""; }

  // Runs a fixed statement without parameters.
  Status Exec(std::string_view sql, std::string_view what) {
    Result<sqlite3_stmt*> prepared = Prepare(sql);
    if (!prepared.ok()) return prepared.status();
    const int rc = sqlite3_step(*prepared);
    sqlite3_reset(*prepared);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return Fail(rc, what);
    return Status::Ok();
  }

 private:
  Result<sqlite3_stmt*> Prepare(std::string_view sql) {
    auto it = statements_.find(std::string(sql));
    if (it != statements_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return Fail(rc, "prepare");
    statements_.emplace(std::string(sql), stmt);
    return stmt;
  }

  Status Fail(int rc, std::string_view what) {
    if (Fatal(rc)) healthy_ = false;
    return SqliteStatus(db_, rc, what);
  }

  void EndTransaction() {
    query_only_ = false;
    ReleaseGate();
  }

  void ReleaseGate() {
    if (holds_gate_) {
      holds_gate_ = false;
      gate_->Release();
    }
  }

  sqlite3* db_;
  const std::chrono::milliseconds busy_timeout_;
  std::shared_ptr<WriterGate> gate_;
  std::shared_ptr<WalFlusher> wal_flusher_;  // outlives db_, whose commit hook points to it
  bool holds_gate_ = false;
  bool query_only_ = false;
  bool healthy_ = true;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace

Result<std::unique_ptr<Connection>> OpenSqliteConnection(const SqliteOptions& options) {
  // SQLite's memory statistics take one process-wide mutex around every allocation, which the
  // worker threads then queue on; nothing here reads those statistics. sqlite3_config only
  // works before SQLite initialises, hence once, before the first open.
  static std::once_flag configure_once;
  std::call_once(configure_once, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(options.path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status status = SqliteStatus(db, rc, "sqlite: cannot open " + options.path);
    sqlite3_close_v2(db);
    return status;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  auto connection = std::make_unique<SqliteConnection>(db, options);
  // journal_mode is persistent in the file; an in-memory database answers "memory".
  for (const char* pragma :
       {"PRAGMA journal_mode = WAL", "PRAGMA foreign_keys = ON", "PRAGMA synchronous = NORMAL",
        // Pages of the database file are read through a mapping instead of one pread(2) each;
        // on virtual machines, where every system call is dear, that is most of a read's cost.
        "PRAGMA mmap_size = 268435456"}) {
    // Switching a new file to WAL needs the file to itself, and SQLite answers "locked" at once
    // rather than calling the busy handler when several processes open it together: try again
    // for as long as the busy timeout allows.
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(options.busy_timeout_ms);
    Status status = connection->Exec(pragma, pragma);
    auto busy = [db] {
      const int code = sqlite3_errcode(db) & 0xff;
      return code == SQLITE_BUSY || code == SQLITE_LOCKED;
    };
    while (!status.ok() && busy() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      status = connection->Exec(pragma, pragma);
    }
    if (!status.ok()) {
      return Status(status.code(),
                    "sqlite: cannot configure " + options.path + ": " + status.message());
    }
  }
  if (options.wal_flusher) options.wal_flusher->Watch(db);
  return std::unique_ptr<Connection>(std::move(connection));
}

}  // namespace capconf::store::internal
