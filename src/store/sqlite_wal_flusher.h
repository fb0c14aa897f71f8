#pragma once
// Private: keeps SQLite's WAL flushed to disk in the background, so that checkpoints are short.
//
// With `synchronous = NORMAL` a commit only appends to the WAL file; the disk flush waits for
// the next checkpoint, which SQLite runs inside the commit that takes the WAL past 1,000 pages.
// That checkpoint first fsyncs everything written since the previous one (about 4 MB under a
// stream of saves: several milliseconds here), while the single writer, and every save queued
// behind it, waits. That pause was most of the save latency's tail.
//
// A flusher fdatasyncs the WAL file a few milliseconds after commits, on its own thread, so the
// checkpoint finds almost nothing left to flush. It adds no flush to a commit and only makes
// committed data durable sooner (a power loss now loses at most the last interval of commits
// instead of everything since the last checkpoint). Idle, it sleeps.
//
// Connections are attached with Watch(); the WAL hook that tells the flusher about commits also
// runs SQLite's automatic checkpoint, which installing a hook would otherwise turn off.
// Thread-safe. Destroying it stops the thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace capconf::store::internal {

class WalFlusher {
 public:
  // `database_path` is the database file; its WAL is database_path + "-wal".
  WalFlusher(std::string database_path, std::chrono::milliseconds interval);
  ~WalFlusher();
  WalFlusher(const WalFlusher&) = delete;
  WalFlusher& operator=(const WalFlusher&) = delete;

  // Installs the commit hook on `db`; `db` must be closed before this object is destroyed.
  void Watch(sqlite3* db);

  // fdatasync calls made so far (for tests and curiosity).
  long flushes() const { return flushes_.load(); }

  // SQLite's default: a commit that takes the WAL to this many pages checkpoints it.
  static constexpr int kAutoCheckpointPages = 1000;

 private:
  static int OnCommit(void* self, sqlite3* db, const char* schema, int wal_pages);
  void Loop();
  void Flush();

  const std::string wal_path_;
  const std::chrono::milliseconds interval_;
  std::atomic<bool> dirty_{false};
  std::atomic<long> flushes_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  int fd_ = -1;  // the WAL file, opened on the first flush (only the thread touches it)
  std::thread thread_;
};

}  // namespace capconf::store::internal
