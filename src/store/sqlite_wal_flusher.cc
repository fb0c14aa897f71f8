#include "sqlite_wal_flusher.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

namespace capconf::store::internal {

WalFlusher::WalFlusher(std::string database_path, std::chrono::milliseconds interval)
    : wal_path_(std::move(database_path) + "-wal"), interval_(interval) {
  thread_ = std::thread([this] { Loop(); });
}

WalFlusher::~WalFlusher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  if (fd_ >= 0) ::close(fd_);
}

void WalFlusher::Watch(sqlite3* db) { sqlite3_wal_hook(db, &WalFlusher::OnCommit, this); }

int WalFlusher::OnCommit(void* self, sqlite3* db, const char* schema, int wal_pages) {
  auto* flusher = static_cast<WalFlusher*>(self);
  // Only the commit that finds the flusher idle pays for the wake-up.
  if (!flusher->dirty_.exchange(true)) {
    { std::lock_guard lock(flusher->mutex_); }  // the thread is now waiting, or will see the flag
    flusher->wake_.notify_one();
  }
  if (wal_pages >= kAutoCheckpointPages) {
    // What SQLite's own hook does: a failure (a reader in the way) is retried by later commits.
    (void)sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }
  return SQLITE_OK;
}

void WalFlusher::Loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || dirty_.load(); });
    // Let the commits of the next few milliseconds share this flush.
    if (wake_.wait_for(lock, interval_, [this] { return stopping_; })) return;
    dirty_.store(false);
    lock.unlock();
    Flush();
    lock.lock();
  }
}

void WalFlusher::Flush() {
  if (fd_ >= 0) {
    // SQLite deletes the WAL when the last connection closes; a new one is another file.
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || st.st_nlink == 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  if (fd_ < 0) fd_ = ::open(wal_path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) return;  // no WAL yet: nothing to flush
  // A failure is not ours to report: the checkpoint's own fsync still comes, and fails loudly.
  if (::fdatasync(fd_) == 0) flushes_.fetch_add(1);
}

}  // namespace capconf::store::internal
