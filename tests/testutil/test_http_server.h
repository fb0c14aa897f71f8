#pragma once
// A tiny HTTP/1.1 server for the guard tests: POSIX sockets on 127.0.0.1, port 0, one thread per
// connection, one request per connection ("Connection: close"). It records every connection and
// request, so a test can show that a refused URL never reached it.
//
// Thread-safe: the accessors may be called while connections are being served.

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace capconf::testing {

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  std::string Header(std::string_view name) const;  // "" when absent
};

// The bytes to send back. `no_answer` keeps the connection open, unanswered, until the client
// hangs up or the server stops: a server that is slow for as long as anyone cares to wait.
struct Reply {
  std::string bytes;
  bool no_answer = false;
};

// "HTTP/1.1 <status> <reason>" with `headers`, Content-Length (unless `sized` is false: then the
// body ends when the connection closes) and Connection: close.
Reply MakeReply(int status, std::string_view body = "",
                const std::vector<std::pair<std::string, std::string>>& headers = {},
                bool sized = true);

// Holds 127.0.0.1:`port` bound but not listening, so connecting to it is refused and no other
// process (tests run in parallel) can take the port while a fake is down: a fake that came back
// on a port someone else took would answer another test's requests.
class PortReservation {
 public:
  explicit PortReservation(int port);
  ~PortReservation();
  PortReservation(const PortReservation&) = delete;
  PortReservation& operator=(const PortReservation&) = delete;

 private:
  int fd_ = -1;
};

class TestHttpServer {
 public:
  using Handler = std::function<Reply(const ReceivedRequest&)>;

  // Listens on `port` of 127.0.0.1 (0: any free port). A server destroyed and made again on the
  // same port is how a test makes a service go away (connection refused) and come back.
  explicit TestHttpServer(Handler handler, int port = 0);
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:<port>" + path
  std::string Url(std::string_view path) const;
  int connections() const { return connections_.load(); }
  std::vector<ReceivedRequest> requests() const;
  // Whether requests() keeps what arrives (on by default; off for long benchmarks).
  void set_recording(bool on) { recording_ = on; }

 private:
  void AcceptLoop();
  void Serve(int fd);
  void JoinFinishedWorkers();  // with mutex_ held

  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };

  Handler handler_;
  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};  // written on stop; every poll watches the read end
  int port_ = 0;
  std::atomic<int> connections_{0};
  mutable std::mutex mutex_;
  std::vector<ReceivedRequest> requests_;
  std::atomic<bool> recording_{true};
  std::vector<Worker> workers_;
  std::thread acceptor_;
};

}  // namespace capconf::testing
