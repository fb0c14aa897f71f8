#include "postgres_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <vector>

extern char** environ;

namespace capconf::testutil {
namespace {

constexpr const char* kDatabase = "capconf_test";

struct Owner {
  bool as_postgres = false;  // running as root: run PostgreSQL programs as `postgres`
  uid_t uid = 0;
  gid_t gid = 0;
};

Result<Owner> FindOwner() {
  Owner owner;
  if (geteuid() != 0) return owner;
  const passwd* pw = getpwnam("postgres");
  if (pw == nullptr) {
    return UnavailableError("running as root and there is no `postgres` user to run the server");
  }
  owner.as_postgres = true;
  owner.uid = pw->pw_uid;
  owner.gid = pw->pw_gid;
  return owner;
}

// Runs argv (as `postgres` if asked), output appended to `log`; returns the exit status.
Result<int> Run(std::vector<std::string> argv, const Owner& owner, const std::string& log,
                bool as_owner = true) {
  if (owner.as_postgres && as_owner) {
    argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
  }
  std::vector<char*> args;
  for (std::string& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return UnavailableError("cannot run " + argv[0] + ": " + std::strerror(rc));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

Status RunOk(std::vector<std::string> argv, const Owner& owner, const std::string& log,
             bool as_owner = true) {
  const std::string name = argv[0];
  CAPCONF_ASSIGN_OR_RETURN(int exit_code, Run(std::move(argv), owner, log, as_owner));
  if (exit_code != 0) {
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    std::string tail = text.str();
    if (tail.size() > 2000) tail = tail.substr(tail.size() - 2000);
    return UnavailableError(name + " exited with " + std::to_string(exit_code) + "; log:\n" + tail);
  }
  return Status::Ok();
}

Result<int> FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return UnavailableError("socket: " + std::string(std::strerror(errno)));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    return UnavailableError("cannot find a free port: " + std::string(std::strerror(errno)));
  }
  close(fd);
  return static_cast<int>(ntohs(address.sin_port));
}

bool Exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

// Where clusters live: memory (/dev/shm) when there is one, as copying and writing a cluster
// there is several times faster than on disk.
std::string TempRoot() {
  struct stat st {};
  if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0) {
    return "/dev/shm";
  }
  return "/tmp";
}

std::string ServerOptions(int port, const std::string& socket_dir) {
  return "-c listen_addresses=127.0.0.1 -p " + std::to_string(port) + " -k " + socket_dir +
         " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
}

// Starts the server of `data` on a free port (a port found free may be taken before the server
// binds it, so a few are tried). Returns the port.
Result<int> StartServer(const std::string& bin_dir, const std::string& data,
                        const std::string& socket_dir, const Owner& owner, const std::string& log) {
  Status started = UnavailableError("not started");
  for (int attempt = 0; attempt < 5; ++attempt) {
    CAPCONF_ASSIGN_OR_RETURN(int port, FreePort());
    started = RunOk({bin_dir + "/pg_ctl", "-D", data, "-l", socket_dir + "/server.log", "-w", "-t",
                     "60", "-o", ServerOptions(port, socket_dir), "start"},
                    owner, log);
    if (started.ok()) return port;
  }
  return started;
}

// A template cluster made once per machine and user (initdb, then the test database created
// in it), so that each test process copies it (fast) instead of running initdb and createdb
// (slow). Guarded by a lock file across processes.
Result<std::string> TemplateDataDir(const std::string& bin_dir, const Owner& owner) {
  // One template per user and server build (bin_dir), since a data directory is tied to both.
  const std::string root = TempRoot() + "/capconf-pg-template-" + std::to_string(geteuid()) + "-" +
                           std::to_string(std::hash<std::string>()(bin_dir) % 1000000);
  const std::string data = root + "/data";
  const std::string ready = root + "/ready";
  const std::string lock_path = root + ".lock";
  const int lock = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0) return UnavailableError("cannot open " + lock_path);
  flock(lock, LOCK_EX);
  struct Unlock {
    int fd;
    ~Unlock() {
      flock(fd, LOCK_UN);
      close(fd);
    }
  } unlock{lock};
  if (Exists(ready) && Exists(data + "/PG_VERSION")) return data;

  const std::string log = root + ".log";
  CAPCONF_RETURN_IF_ERROR(RunOk({"rm", "-rf", root}, owner, log, /*as_owner=*/false));
  if (mkdir(root.c_str(), 0700) != 0) return UnavailableError("cannot create " + root);
  if (owner.as_postgres && chown(root.c_str(), owner.uid, owner.gid) != 0) {
    return UnavailableError("cannot chown " + root);
  }
  // Small WAL segments: less to copy per cluster.
  CAPCONF_RETURN_IF_ERROR(RunOk({bin_dir + "/initdb", "-D", data, "-A", "trust", "-U", "postgres",
                                 "-E", "UTF8", "--locale=C", "--no-sync", "--wal-segsize=1"},
                                owner, log));
  CAPCONF_ASSIGN_OR_RETURN(int port, StartServer(bin_dir, data, root, owner, log));
  Status created = RunOk(
      {bin_dir + "/createdb", "-h", root, "-p", std::to_string(port), "-U", "postgres", kDatabase},
      owner, log);
  // A clean shutdown, so that copies start without recovery.
  CAPCONF_RETURN_IF_ERROR(
      RunOk({bin_dir + "/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"}, owner, log));
  CAPCONF_RETURN_IF_ERROR(created);
  std::ofstream(ready) << "ok\n";
  return data;
}

}  // namespace

Result<std::unique_ptr<PostgresCluster>> PostgresCluster::Start(const std::string& bin_dir) {
  if (!Exists(bin_dir + "/initdb")) return UnavailableError(bin_dir + "/initdb does not exist");
  CAPCONF_ASSIGN_OR_RETURN(Owner owner, FindOwner());
  CAPCONF_ASSIGN_OR_RETURN(std::string template_data, TemplateDataDir(bin_dir, owner));

  std::string pattern = TempRoot() + "/capconf-pg-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return UnavailableError("mkdtemp failed");
  std::unique_ptr<PostgresCluster> cluster(new PostgresCluster());
  cluster->dir_ = pattern;
  const std::string& dir = cluster->dir_;
  const std::string data = dir + "/data";
  const std::string log = dir + "/log";
  if (owner.as_postgres && chown(dir.c_str(), owner.uid, owner.gid) != 0) {
    (void)RunOk({"rm", "-rf", dir}, owner, "/dev/null", false);
    return UnavailableError("cannot chown " + dir);
  }

  // The watchdog: waits for EOF on its stdin (our pipe's write end is close-on-exec, so only
  // this process holds it), then stops the server and removes the directory.
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return UnavailableError("pipe failed");
  {
    const std::string runas = owner.as_postgres ? "runuser -u postgres -- " : "";
    const std::string script = "read _ignored; " + runas + "'" + bin_dir + "/pg_ctl' -D '" + data +
                               "' -m immediate stop >/dev/null 2>&1; rm -rf '" + dir + "'";
    std::string sh = "/bin/sh", dash_c = "-c";
    char* args[] = {sh.data(), dash_c.data(), const_cast<char*>(script.c_str()), nullptr};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[0], 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    // Its own process group, so that a Ctrl-C aimed at the tests does not kill the cleanup.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    const int rc = posix_spawn(&cluster->watchdog_pid_, args[0], &actions, &attr, args, environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_fds[0]);
    if (rc != 0) {
      close(pipe_fds[1]);
      (void)RunOk({"rm", "-rf", dir}, owner, "/dev/null", false);
      return UnavailableError("cannot start the cleanup watchdog");
    }
    cluster->watchdog_fd_ = pipe_fds[1];
  }

  CAPCONF_RETURN_IF_ERROR(RunOk({"cp", "-a", template_data, data}, owner, log, /*as_owner=*/false));
  CAPCONF_ASSIGN_OR_RETURN(int port, StartServer(bin_dir, data, dir, owner, log));
  cluster->url_ = "postgresql://postgres@127.0.0.1:" + std::to_string(port) + "/" + kDatabase;
  return cluster;
}

PostgresCluster::~PostgresCluster() {
  if (watchdog_fd_ >= 0) close(watchdog_fd_);
  if (watchdog_pid_ > 0) {
    int status = 0;
    while (waitpid(watchdog_pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

std::string TestPostgresUrl(std::string* why) {
  if (const char* url = std::getenv("CAPCONF_TEST_POSTGRES_URL"); url != nullptr && *url) {
    return url;
  }
  static std::once_flag once;
  static std::string url;
  static std::string reason;
  std::call_once(once, [] {
    Result<std::unique_ptr<PostgresCluster>> cluster = PostgresCluster::Start();
    if (!cluster.ok()) {
      reason =
          "no CAPCONF_TEST_POSTGRES_URL and no throwaway cluster: " + cluster.status().ToString();
      return;
    }
    url = (*cluster)->url();
    // Stopped at exit; if the process dies first, the watchdog sees its pipe close.
    static std::unique_ptr<PostgresCluster> keep = std::move(cluster).value();
  });
  if (url.empty() && why != nullptr) *why = reason;
  return url;
}

}  // namespace capconf::testutil
