#include "server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "browser.h"
#include "postgres_cluster.h"

namespace capconf::testing {

std::string FreshTestDatabase(const std::string& backend, std::string* skip) {
  if (backend != "postgres") return "";
  std::string why;
  std::string database = testutil::TestPostgresUrl(&why);
  if (database.empty()) {
    *skip = "no PostgreSQL: " + why;
    return "";
  }
  static int counter = 0;
  const std::string schema = "t_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  RunCli("/usr/lib/postgresql/15/bin/psql -q '" + database + "' -c 'CREATE SCHEMA " + schema +
         "' >/dev/null 2>&1 || runuser -u postgres -- /usr/lib/postgresql/15/bin/psql -q '" +
         database + "' -c 'CREATE SCHEMA " + schema + "' >/dev/null 2>&1");
  return database + (database.find('?') == std::string::npos ? "?" : "&") +
         "options=-csearch_path%3D" + schema;
}

Result<std::unique_ptr<ServerProcess>> ServerProcess::Start(const std::string& binary,
                                                            std::string database,
                                                            std::vector<std::string> extra) {
  auto p = std::unique_ptr<ServerProcess>(new ServerProcess());
  char pattern[] = "/tmp/capconf-api-XXXXXX";
  if (mkdtemp(pattern) == nullptr) return UnavailableError("mkdtemp failed");
  p->dir_ = pattern;
  if (database.empty()) database = "sqlite:" + p->dir_ + "/capconf.db";
  std::vector<std::string> args = {binary,       "serve",
                                   "--listen",   "127.0.0.1:0",
                                   "--database", database,
                                   "--data-dir", p->dir_ + "/data",
                                   "--demo",     "--insecure-cookies",
                                   "--web",      p->dir_ + "/no-web"};
  args.insert(args.end(), extra.begin(), extra.end());
  std::filesystem::create_directories(p->dir_ + "/no-web");
  {
    FILE* index = std::fopen((p->dir_ + "/no-web/index.html").c_str(), "w");
    if (index) {
      std::fputs("<!doctype html><title>capconf</title>", index);
      std::fclose(index);
    }
  }
  p->args_ = std::move(args);
  CAPCONF_RETURN_IF_ERROR(p->Launch());
  return p;
}

Status ServerProcess::Launch() {
  int out[2];
  if (pipe(out) != 0) return UnavailableError("pipe failed");
  pid_ = fork();
  if (pid_ < 0) return UnavailableError("fork failed");
  if (pid_ == 0) {
    dup2(out[1], STDOUT_FILENO);
    int devnull = open("/dev/null", O_WRONLY);
    if (std::getenv("CAPCONF_TEST_SERVER_LOG") == nullptr) dup2(devnull, STDERR_FILENO);
    close(out[0]);
    std::vector<char*> argv;
    for (std::string& a : args_) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(args_[0].c_str(), argv.data());
    _exit(127);
  }
  close(out[1]);
  port_ = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::string text;
  char buffer[512];
  fcntl(out[0], F_SETFL, O_NONBLOCK);
  while (std::chrono::steady_clock::now() < deadline) {
    ssize_t n = read(out[0], buffer, sizeof buffer);
    if (n > 0) {
      text.append(buffer, static_cast<std::size_t>(n));
      std::size_t at = text.find("(port ");
      if (at != std::string::npos && text.find(')', at) != std::string::npos) {
        port_ = static_cast<std::uint16_t>(std::atoi(text.c_str() + at + 6));
        output_ = text;
        break;
      }
    } else if (n == 0) {
      break;  // the server exited
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  close(out[0]);
  if (port_ == 0) return UnavailableError("capconf serve did not start: " + text);
  return Status::Ok();
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

Status ServerProcess::Restart() {
  if (pid_ > 0) return FailedPreconditionError("the server is still running");
  return Launch();
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

}  // namespace capconf::testing
