#pragma once
// A real `capconf serve` process for API tests: started on a free loopback port with its own
// database and data directory, stopped with SIGTERM (and reaped) when the object goes.

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "capconf/common/status.h"

namespace capconf::testing {

// A database URL of its own for one test: "" (the server makes a fresh SQLite file) for
// "sqlite"; for "postgres" the test cluster's URL with a new schema as its search path. An empty
// result with `*skip` set when PostgreSQL is not available.
std::string FreshTestDatabase(const std::string& backend, std::string* skip);

class ServerProcess {
 public:
  // Runs `binary serve --listen 127.0.0.1:0 --database DATABASE --data-dir DIR --demo
  // --insecure-cookies` plus `extra`, and waits for its "serving on" line. An empty database
  // means a fresh SQLite file in the data directory.
  static Result<std::unique_ptr<ServerProcess>> Start(const std::string& binary,
                                                      std::string database,
                                                      std::vector<std::string> extra = {});
  ~ServerProcess();
  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& output() const { return output_; }    // what it printed before serving
  std::string data_dir() const { return dir_ + "/data"; }  // server keys live here
  // Sends SIGTERM and waits; the exit status.
  int Stop();
  // SIGKILL, as a crash or the OOM killer would: no shutdown code runs.
  void Kill();
  // Starts the server again with the same database, data directory and options (after Stop or
  // Kill); it listens on a new port.
  Status Restart();

 private:
  Status Launch();

  std::vector<std::string> args_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::string dir_;
  std::string output_;
};

}  // namespace capconf::testing
