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
