#include "postgres_connection.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <cstring>
#include <string_view>
#include <unordered_map>

namespace capconf::store::internal {
namespace {

constexpr Oid kByteaOid = 17;
// pg_advisory_xact_lock key of migrations: "capconf" in ASCII.
constexpr std::int64_t kMigrationLockKey = 0x63617063'6f6e66;

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

std::string Trimmed(const char* message) {
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// Maps an SQLSTATE to the store's codes (store.h).
StatusCode CodeForSqlState(std::string_view state) {
  if (state == "23505") return StatusCode::kAlreadyExists;
  if (state == "23503") return StatusCode::kFailedPrecondition;           // foreign key
  if (state == "25006") return StatusCode::kFailedPrecondition;           // write in read-only tx
  if (state == "40001" || state == "40P01") return StatusCode::kAborted;  // serialization, deadlock
  if (state == "25P02") return StatusCode::kAborted;  // transaction already failed
  if (state == "55P03" || state == "57014") return StatusCode::kUnavailable;  // lock, cancel
  if (state == "XX001" || state == "XX002") return StatusCode::kDataLoss;
  if (state.starts_with("23") || state.starts_with("22")) return StatusCode::kInvalidArgument;
  if (state.starts_with("08") || state.starts_with("53") || state.starts_with("57P")) {
    return StatusCode::kUnavailable;  // connection, resources, shutdown
  }
  return StatusCode::kInternal;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// bytea in text output is "\x" and two hex digits per byte (bytea_output = hex, the default,
// which the connection sets explicitly).
std::optional<std::string> DecodeByteaHex(std::string_view text) {
  if (!text.starts_with("\\x") || text.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve((text.size() - 2) / 2);
  for (std::size_t i = 2; i < text.size(); i += 2) {
    const int hi = HexValue(text[i]);
    const int lo = HexValue(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

// Rewrites the `?` placeholders to $1, $2, ... (outside quoted literals and identifiers).
std::string Numbered(std::string_view sql, int* count) {
  std::string out;
  out.reserve(sql.size() + 16);
  char quote = 0;
  int n = 0;
  for (char c : sql) {
    if (quote != 0) {
      if (c == quote) quote = 0;
      out.push_back(c);
    } else if (c == '\'' || c == '"') {
      quote = c;
      out.push_back(c);
    } else if (c == '?') {
      out += "$" + std::to_string(++n);
    } else {
      out.push_back(c);
    }
  }
  *count = n;
  return out;
}

void IgnoreNotice(void*, const char*) {}

class PostgresConnection final : public Connection {
 public:
  explicit PostgresConnection(PGconn* conn) : conn_(conn) {}
  ~PostgresConnection() override { PQfinish(conn_); }

  Status Begin(TransactionMode mode) override {
    const char* sql = mode == TransactionMode::kReadOnly ? "BEGIN READ ONLY" : "BEGIN";
    Status status = Simple(sql, "begin");
    if (!status.ok() && PQstatus(conn_) == CONNECTION_BAD) {
      // The server dropped an idle connection (restart, failover, idle timeout): reconnect
      // once, since nothing of this transaction has happened yet.
      PQreset(conn_);
      statements_.clear();
      if (PQstatus(conn_) != CONNECTION_OK) {
        return UnavailableError("postgres: reconnect failed: " + Trimmed(PQerrorMessage(conn_)));
      }
      CAPCONF_RETURN_IF_ERROR(Configure());
      status = Simple(sql, "begin");
    }
    return status;
  }

  Status Commit() override {
    PgResult result(PQexec(conn_, "COMMIT"));
    CAPCONF_RETURN_IF_ERROR(Check(result.get(), "commit"));
    // COMMIT of a transaction that had failed answers ROLLBACK instead of an error.
    if (std::strcmp(PQcmdStatus(result.get()), "ROLLBACK") == 0) {
      return Status(StatusCode::kAborted, "postgres: the transaction had failed and rolled back");
    }
    return Status::Ok();
  }

  Status Rollback() override {
    if (PQtransactionStatus(conn_) == PQTRANS_IDLE) return Status::Ok();
    Status status = Simple("ROLLBACK", "rollback");
    if (!status.ok()) broken_ = true;
    return status;
  }

  Result<QueryResult> Query(std::string_view sql, std::span<const Param> params) override {
    auto it = statements_.find(std::string(sql));
    if (it == statements_.end()) {
      int count = 0;
      const std::string numbered = Numbered(sql, &count);
      if (count != static_cast<int>(params.size())) {
        return InternalError("statement has " + std::to_string(count) + " parameters, given " +
                             std::to_string(params.size()));
      }
      std::string name = "capconf_" + std::to_string(statements_.size() + 1);
      PgResult prepared(PQprepare(conn_, name.c_str(), numbered.c_str(), count, nullptr));
      CAPCONF_RETURN_IF_ERROR(Check(prepared.get(), "prepare"));
      it = statements_.emplace(std::string(sql), std::move(name)).first;
    }

    // Text format for everything but bytes: libpq wants NUL-terminated text values, so integers
    // and text are copied; bytes go in binary format with their length.
    const int n = static_cast<int>(params.size());
    std::vector<std::string> texts(n);
    std::vector<const char*> values(n, nullptr);
    std::vector<int> lengths(n, 0);
    std::vector<int> formats(n, 0);
    static const char kEmpty[1] = {0};
    for (int i = 0; i < n; ++i) {
      const Param& param = params[i];
      if (const auto* number = std::get_if<std::int64_t>(&param)) {
        texts[i] = std::to_string(*number);
        values[i] = texts[i].c_str();
      } else if (const auto* text = std::get_if<std::string_view>(&param)) {
        texts[i] = std::string(*text);
        values[i] = texts[i].c_str();
      } else if (const auto* bytes = std::get_if<BytesParam>(&param)) {
        values[i] =
            bytes->data.empty() ? kEmpty : reinterpret_cast<const char*>(bytes->data.data());
        lengths[i] = static_cast<int>(bytes->data.size());
        formats[i] = 1;
      }
    }
    PgResult result(PQexecPrepared(conn_, it->second.c_str(), n, values.data(), lengths.data(),
                                   formats.data(), 0));
    CAPCONF_RETURN_IF_ERROR(Check(result.get(), "query"));

    QueryResult out;
    const int rows = PQntuples(result.get());
    const int columns = PQnfields(result.get());
    out.rows.reserve(rows);
    for (int r = 0; r < rows; ++r) {
      Row& row = out.rows.emplace_back();
      row.reserve(columns);
      for (int c = 0; c < columns; ++c) {
        if (PQgetisnull(result.get(), r, c)) {
          row.emplace_back(std::nullopt);
          continue;
        }
        std::string_view text(PQgetvalue(result.get(), r, c), PQgetlength(result.get(), r, c));
        if (PQftype(result.get(), c) == kByteaOid) {
          std::optional<std::string> bytes = DecodeByteaHex(text);
          if (!bytes.has_value()) {
            return Status(StatusCode::kDataLoss, "postgres: unreadable bytea value");
          }
          row.emplace_back(std::move(bytes));
        } else {
          row.emplace_back(std::string(text));
        }
      }
    }
    const char* affected = PQcmdTuples(result.get());
    if (affected != nullptr && *affected != '\0') out.affected = std::atoll(affected);
    return out;
  }

  Status ExecScript(std::string_view sql) override {
    return Simple(std::string(sql).c_str(), "script");
  }

  Result<bool> TableExists(std::string_view name) override {
    const Param params[] = {name};
    Result<QueryResult> result = Query("SELECT to_regclass(?) IS NOT NULL", params);
    if (!result.ok()) return result.status();
    return result->rows.size() == 1 && result->rows[0][0] == std::optional<std::string>("t");
  }

  Status LockForMigration() override {
    const Param params[] = {kMigrationLockKey};
    return Query("SELECT pg_advisory_xact_lock(?)", params).status();
  }

  bool healthy() const override { return !broken_ && PQstatus(conn_) == CONNECTION_OK; }
  std::string_view for_update() const override { return " FOR UPDATE"; }

  // Session settings this code relies on; run after every (re)connect.
  Status Configure() {
    PQsetNoticeProcessor(conn_, IgnoreNotice, nullptr);
    return Simple("SET bytea_output = 'hex'", "configure");
  }

 private:
  Status Simple(const char* sql, std::string_view what) {
    PgResult result(PQexec(conn_, sql));
    return Check(result.get(), what);
  }

  Status Check(PGresult* result, std::string_view what) {
    const ExecStatusType status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Status::Ok();
    std::string message = "postgres " + std::string(what) + ": ";
    const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    if (result != nullptr && PQresultErrorMessage(result)[0] != '\0') {
      message += Trimmed(PQresultErrorMessage(result));
    } else {
      message += Trimmed(PQerrorMessage(conn_));
    }
    if (PQstatus(conn_) == CONNECTION_BAD || state == nullptr) {
      // No SQLSTATE: the connection itself failed.
      if (PQstatus(conn_) == CONNECTION_BAD) broken_ = true;
      if (state == nullptr) return UnavailableError(std::move(message));
    }
    return Status(CodeForSqlState(state), std::move(message));
  }

  PGconn* conn_;
  bool broken_ = false;
  std::unordered_map<std::string, std::string> statements_;  // SQL -> prepared statement name
};

}  // namespace

Status CheckPostgresUrl(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (options == nullptr) {
    std::string message = error != nullptr ? Trimmed(error) : "cannot parse";
    PQfreemem(error);
    return InvalidArgumentError("postgres: bad URL: " + message);
  }
  PQconninfoFree(options);
  return Status::Ok();
}

Result<std::unique_ptr<Connection>> OpenPostgresConnection(const PostgresOptions& options) {
  const std::string timeout = std::to_string(options.connect_timeout_s);
  // With expand_dbname, keywords before "dbname" are defaults the URL may override, and those
  // after it override the URL: the text this code exchanges is always UTF-8.
  const char* keywords[] = {"connect_timeout", "application_name", "dbname", "client_encoding",
                            nullptr};
  const char* values[] = {timeout.c_str(), "capconf", options.url.c_str(), "UTF8", nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) return UnavailableError("postgres: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = Trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    return UnavailableError("postgres: cannot connect: " + message);
  }
  auto connection = std::make_unique<PostgresConnection>(conn);
  CAPCONF_RETURN_IF_ERROR(connection->Configure());
  return std::unique_ptr<Connection>(std::move(connection));
}

}  // namespace capconf::store::internal
