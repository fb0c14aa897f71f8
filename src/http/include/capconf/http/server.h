#pragma once
// The HTTP/1.1 server: Boost.Beast on a pool of worker threads, in front of a Router.
//
//   Router router;  ... router.Add(...) ...
//   Server server(ServerOptions{.listen = "0.0.0.0:8080"}, std::move(router));
//   CAPCONF_RETURN_IF_ERROR(server.Start());
//   server.StopOnSignals();
//   server.Wait();  // until SIGTERM/SIGINT, then a graceful stop
//
// What every request gets, before and after the Router:
//   - Built-in routes, outside the Router and its middleware (probes must not need a token):
//     GET /healthz   200 {"status":"ok"}
//     GET /readyz    200 {"status":"ready"} while options.readiness() is true, else a 503
//                    problem "not-ready"; a 503 problem "shutting-down" once a stop began
//     GET /metrics   Prometheus text (see metrics.h)
//   - A request id (see Request::request_id), echoed as X-Request-Id.
//   - X-Content-Type-Options: nosniff on every response; Cache-Control: no-store on JSON
//     responses (application/json, application/*+json) unless the handler set one.
//   - A Date header; Connection: close when the server is stopping or the request asked.
//   - An exception escaping a handler becomes a 500 problem and an error line in the log.
//   - Malformed HTTP: a 400 problem, then the connection closes. Bodies over max_body_bytes:
//     413; a request line and header fields over max_header_bytes: 431; both close the
//     connection. A request-target that is not an absolute path of printable ASCII with
//     well-formed %-escapes decoding to UTF-8, or an HTTP/1.1 request without Host: 400.
//   - One access log line (see access_log.h) and the metrics, once the response is written.
//
// Handlers run on the worker threads and may block briefly (a database call); while one
// blocks, its thread serves nobody else, so size `threads` for the blocking expected. Handlers
// of routes marked waiting (Router::MarkWaiting: they wait for other requests, as saves wait
// for their group commit) run on a separate pool of `waiting_threads` instead, and their
// responses are written by the worker threads again.
// HTTP/1.1 keep-alive is supported; pipelined requests are answered in order, one at a time.
//
// Thread-safety: Start, BeginStop, Stop and Wait may be called from any thread but are not
// meant to race each other, except BeginStop (safe at any time). Stop must not be called from
// a handler (it waits for handlers to finish).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "capconf/common/status.h"
#include "capconf/http/access_log.h"
#include "capconf/http/metrics.h"
#include "capconf/http/router.h"

namespace capconf::http {

struct ServerOptions {
  // "host:port" with an IP address ("0.0.0.0:8080", "[::1]:8080") or "localhost"; port 0
  // picks a free port (see Server::port()).
  std::string listen = "127.0.0.1:8080";
  // Worker threads; 0 means std::thread::hardware_concurrency() (at least 1).
  unsigned threads = 0;
  // Threads for the handlers of waiting routes (see above); 0 means 32. As many requests as
  // this can wait at once: for saves, the most that one group commit can gather.
  unsigned waiting_threads = 0;
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  // The whole request (line, fields, body) must arrive within this; else the connection closes.
  std::chrono::milliseconds read_timeout = std::chrono::seconds(30);
  // Writing a response must finish within this.
  std::chrono::milliseconds write_timeout = std::chrono::seconds(30);
  // A keep-alive connection with no request for this long is closed.
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(60);
  // Stop waits this long for requests in flight before it closes their connections.
  std::chrono::milliseconds shutdown_timeout = std::chrono::seconds(10);
  // Whether the service can take traffic (database reachable, migrations done): /readyz.
  // Called on worker threads. Null: always ready.
  std::function<bool()> readiness;
  // The access log sink; null: stderr.
  std::shared_ptr<Logger> access_log;
};

class Server {
 public:
  // The Router is configured; the server owns it from now on.
  Server(ServerOptions options, Router router);
  // Stops (gracefully, as Stop) if still running.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the worker threads; returns once connections are accepted.
  // InvalidArgument: a malformed listen address or options. Unavailable: the address cannot
  // be bound (in use, not local). FailedPrecondition: already started.
  Status Start();

  // The bound port, once started (useful with port 0); 0 before.
  std::uint16_t port() const;

  // Begins a graceful stop and returns: /readyz answers 503, the listening socket is closed
  // (new connections are refused), idle keep-alive connections are closed, and connections
  // with a request in progress are closed after their response. Idempotent, thread-safe,
  // callable from handlers and signal handlers. From outside the worker threads it returns
  // only once the listening socket is closed.
  void BeginStop();

  // BeginStop, then waits up to shutdown_timeout for requests in flight, closes the remaining
  // connections and joins the workers. Blocks until a running handler returns (handlers are
  // never interrupted). Idempotent; a no-op before Start.
  void Stop();

  // Installs SIGTERM and SIGINT handlers that BeginStop (and so wake Wait). Call after Start.
  void StopOnSignals();

  // Blocks until a stop has begun (a signal, BeginStop, Stop), then completes it as Stop does.
  // Returns at once when the server was never started.
  void Wait();

  bool stopping() const;

  Metrics& metrics();
  const Router& router() const;

  // The built-in routes (/healthz, /readyz, /metrics, all GET), for documentation checks.
  static std::vector<RouteInfo> BuiltinRoutes();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace capconf::http
