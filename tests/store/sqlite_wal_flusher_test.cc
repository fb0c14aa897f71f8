// WalFlusher (src/store/sqlite_wal_flusher.h) on a real SQLite file: it flushes after commits,
// sleeps when there are none, and the WAL is still checkpointed (its hook replaces SQLite's).

#include "sqlite_wal_flusher.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "sqlite_connection.h"

namespace capconf::store::internal {
namespace {

class WalFlusherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/capconf-wal-flusher-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/db.sqlite";
    flusher_ = std::make_shared<WalFlusher>(path_, std::chrono::milliseconds(5));
    SqliteOptions options;
    options.path = path_;
    options.wal_flusher = flusher_;
    auto opened = OpenSqliteConnection(options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    connection_ = std::move(opened).value();
    ASSERT_TRUE(connection_->ExecScript("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)").ok());
  }
  void TearDown() override {
    connection_.reset();
    flusher_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Insert(int bytes) {
    const std::string sql = "INSERT INTO t (v) VALUES (zeroblob(" + std::to_string(bytes) + "))";
    ASSERT_TRUE(connection_->ExecScript(sql).ok());
  }

  // Polls until `done` or 10 s have passed.
  template <typename F>
  static bool Eventually(F done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
  }

  std::string dir_, path_;
  std::shared_ptr<WalFlusher> flusher_;
  std::unique_ptr<Connection> connection_;
};

TEST_F(WalFlusherTest, FlushesAfterCommitsAndSleepsWithoutThem) {
  const long before = flusher_->flushes();  // the CREATE TABLE may have been flushed already
  Insert(100);
  ASSERT_TRUE(Eventually([&] { return flusher_->flushes() > before; }));
  // Whatever was pending has run after a few intervals; then, without commits, nothing runs.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const long settled = flusher_->flushes();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(flusher_->flushes(), settled);
  Insert(100);
  EXPECT_TRUE(Eventually([&] { return flusher_->flushes() > settled; }));
}

TEST_F(WalFlusherTest, TheWalIsStillCheckpointed) {
  // About 3,000 pages in single-page commits: without checkpoints the WAL would hold them all
  // (over 12 MB); with them it restarts after each thousand pages or so.
  for (int i = 0; i < 3000; ++i) Insert(3000);
  const auto wal_bytes = std::filesystem::file_size(path_ + "-wal");
  EXPECT_LT(wal_bytes, 6u * 1024 * 1024) << "the WAL was not checkpointed";
  EXPECT_GT(wal_bytes, 0u);
}

}  // namespace
}  // namespace capconf::store::internal
