#pragma once
// Private: what the generic SQL transaction needs from a database driver (SQLite or libpq), and
// the pool that hands connections to transactions.
//
// Statements are written once, with `?` placeholders; a driver rewrites them if its database
// wants another spelling ($1, $2, ... for PostgreSQL). Values are always bound, never spliced.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "capconf/common/status.h"
#include "capconf/store/store.h"

namespace capconf::store::internal {

struct BytesParam {
  std::span<const std::uint8_t> data;
};
// A bound value: NULL, an integer, text (valid UTF-8, no NUL) or bytes. Views: the caller keeps
// the data alive for the duration of the call.
using Param = std::variant<std::monostate, std::int64_t, std::string_view, BytesParam>;

// A result cell as raw bytes (text as UTF-8, integers in decimal, bytes as they are); nullopt is
// SQL NULL.
using Cell = std::optional<std::string>;
using Row = std::vector<Cell>;

struct QueryResult {
  std::vector<Row> rows;
  std::int64_t affected = 0;  // rows written by an INSERT, UPDATE or DELETE
};

// One database connection. Used by one thread at a time. Every failure is a Status with the
// codes of store.h (the driver maps its own error codes).
class Connection {
 public:
  virtual ~Connection() = default;

  virtual Status Begin(TransactionMode mode) = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;

  // Runs one statement, binding `params` to its `?` placeholders in order.
  virtual Result<QueryResult> Query(std::string_view sql, std::span<const Param> params) = 0;
  // Runs a script of several statements without parameters (migrations).
  virtual Status ExecScript(std::string_view sql) = 0;

  virtual Result<bool> TableExists(std::string_view name) = 0;
  // Inside a transaction: serializes migrators across processes (PostgreSQL: an advisory lock
  // held until the transaction ends; SQLite: the write lock of BEGIN IMMEDIATE already does).
  virtual Status LockForMigration() = 0;

  // False once the connection is known to be unusable; the pool then drops it.
  virtual bool healthy() const = 0;
  // " FOR UPDATE" where row locks exist, "" otherwise.
  virtual std::string_view for_update() const = 0;
};

// Reads one row's cells in order. A cell that cannot be read (NULL where a value is required,
// a malformed integer, a bad enum value) records kDataLoss; Finish returns the first such error.
class RowReader {
 public:
  explicit RowReader(const Row& row) : row_(row) {}

  std::string Text();
  std::int64_t Int();
  int Int32();
  std::optional<std::int64_t> OptionalInt();
  std::optional<std::string> OptionalText();
  bool Bool();
  Bytes Blob();
  template <typename E>
  E Enum(Result<E> (*parse)(std::string_view)) {
    std::string text = Text();
    if (!status_.ok()) return E{};
    Result<E> value = parse(text);
    if (!value.ok()) {
      Fail("unknown value \"" + text + "\"");
      return E{};
    }
    return *value;
  }

  Status Finish() const;

 private:
  const Cell* Next();
  void Fail(const std::string& why);

  const Row& row_;
  std::size_t next_ = 0;
  Status status_;
};

// A fixed-size pool of connections, created lazily. Thread-safe. Connections go back to the
// pool when their Lease ends; unhealthy ones are dropped, and a new one is made on demand.
class ConnectionPool : public std::enable_shared_from_this<ConnectionPool> {
 public:
  using Factory = std::function<Result<std::unique_ptr<Connection>>()>;

  struct Returner {
    std::shared_ptr<ConnectionPool> pool;
    void operator()(Connection* connection) const;
  };
  using Lease = std::unique_ptr<Connection, Returner>;

  static std::shared_ptr<ConnectionPool> Create(Factory factory, int size,
                                                std::chrono::milliseconds acquire_timeout);

  // A connection for the caller's exclusive use. kUnavailable if none frees up within the
  // acquire timeout or a new one cannot be opened.
  Result<Lease> Acquire();

 private:
  ConnectionPool(Factory factory, int size, std::chrono::milliseconds acquire_timeout)
      : factory_(std::move(factory)), size_(size), acquire_timeout_(acquire_timeout) {}
  void Return(Connection* connection);

  const Factory factory_;
  const int size_;
  const std::chrono::milliseconds acquire_timeout_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;  // idle + leased + being opened
};

}  // namespace capconf::store::internal
