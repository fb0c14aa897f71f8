#pragma once
// Private: the SQLite driver behind the generic SQL store.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "sql.h"
#include "sqlite_wal_flusher.h"

namespace capconf::store::internal {

// Read-write transactions of one store pass this gate first, so that the process's own writers
// queue here instead of polling SQLite's lock (other processes still meet busy_timeout).
// Thread-safe; it may be released by another thread than the one that took it.
class WriterGate {
 public:
  bool TryAcquireFor(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (!released_.wait_for(lock, timeout, [this] { return !taken_; })) return false;
    taken_ = true;
    return true;
  }
  void Release() {
    {
      std::lock_guard lock(mutex_);
      taken_ = false;
    }
    released_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable released_;
  bool taken_ = false;
};

struct SqliteOptions {
  std::string path;  // a file name, or ":memory:"
  int busy_timeout_ms = 5000;
  std::shared_ptr<WriterGate> writer_gate;
  // Flushes the WAL in the background (files only; see sqlite_wal_flusher.h). Null: SQLite's
  // defaults.
  std::shared_ptr<WalFlusher> wal_flusher;
};

// Opens a connection: WAL (for files), busy_timeout, foreign keys on, synchronous NORMAL.
Result<std::unique_ptr<Connection>> OpenSqliteConnection(const SqliteOptions& options);

}  // namespace capconf::store::internal
