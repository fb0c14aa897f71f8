#pragma once
// A throwaway PostgreSQL cluster for a test binary, so that the store's PostgreSQL tests run
// where no server is provided (CI runs as root with no services).
//
// The cluster lives in a fresh temporary directory (in /dev/shm when there is one, else /tmp):
// its data directory, log and unix socket. It listens on 127.0.0.1 on a free port. Its data
// directory is a copy of a template cluster made once per user and server build (initdb, then
// createdb capconf_test) and kept for later test processes, since copying is much faster. As root,
// every PostgreSQL program runs as the `postgres` user (runuser), since the server refuses to run
// as root, and the directory is that user's. A watchdog process stops the server (pg_ctl stop -m
// immediate) and removes the directory when the cluster is destroyed or the test process dies,
// whichever comes first.

#include <sys/types.h>

#include <memory>
#include <string>

#include "capconf/common/status.h"

namespace capconf::testutil {

inline constexpr const char* kPostgresBinDir = "/usr/lib/postgresql/15/bin";

class PostgresCluster {
 public:
  // Copies the template (making it first if needed) and starts the server. kUnavailable with
  // the reason (and the log's tail) when any step fails.
  static Result<std::unique_ptr<PostgresCluster>> Start(
      const std::string& bin_dir = kPostgresBinDir);
  ~PostgresCluster();
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  // postgresql://postgres@127.0.0.1:PORT/capconf_test
  const std::string& url() const { return url_; }

 private:
  PostgresCluster() = default;

  std::string dir_;
  std::string url_;
  int watchdog_fd_ = -1;  // closing it tells the watchdog to stop the server and clean up
  pid_t watchdog_pid_ = -1;
};

// The PostgreSQL URL for this test process: CAPCONF_TEST_POSTGRES_URL when set; otherwise the
// URL of a cluster started on first call (when `bin_dir`/initdb exists) and stopped at exit.
// Empty, with the reason in `why`, when there is neither.
std::string TestPostgresUrl(std::string* why);

}  // namespace capconf::testutil
