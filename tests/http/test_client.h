#pragma once
// A small blocking HTTP/1.1 client over Beast for tests that speak to a real Server on
// loopback. One connection, reused across requests (keep-alive) until either side closes it;
// every operation has a timeout, so a server that hangs fails the test instead of the run.
// Not thread-safe: one TestClient per thread.

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "capconf/common/status.h"

namespace capconf::http::testing {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct ClientResponse {
  int status = 0;
  HeaderList headers;
  std::string body;
  bool keep_alive = false;  // the server keeps the connection open after this response

  // The first value of header `name` (case-insensitive), "" when absent.
  std::string Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
  // The body parsed as JSON; null when it is not JSON.
  boost::json::value Json() const;
};

class TestClient {
 public:
  explicit TestClient(std::uint16_t port, std::string host = "127.0.0.1",
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  // Sends a request and reads its response, connecting first when no connection is open.
  // Adds Host, and Content-Length when there is a body (or for POST/PUT/PATCH), unless
  // `headers` has them. Closes the connection when the response says so.
  // Unavailable: connecting, writing or reading failed (or timed out).
  Result<ClientResponse> Request(std::string_view method, std::string_view target,
                                 const HeaderList& headers = {}, std::string_view body = {});

  Status Connect();
  void Close();
  bool is_open() const;
  // Connections this client has opened so far (keep-alive reuse shows as 1).
  int connections_opened() const { return connections_opened_; }

  // Raw access for malformed requests and pipelining.
  Status WriteRaw(std::string_view bytes);
  // Reads one response; `head_request` when it answers a HEAD (no body follows).
  Result<ClientResponse> ReadResponse(bool head_request = false);
  // Reads until the server closes the connection (or the timeout); what arrived.
  // Unavailable on a timeout.
  Result<std::string> ReadUntilClosed();

 private:
  template <typename Op>
  boost::beast::error_code Run(Op op);

  boost::asio::io_context ioc_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::uint16_t port_;
  std::string host_;
  std::chrono::milliseconds timeout_;
  int connections_opened_ = 0;
};

// Whether a TCP connection to 127.0.0.1:`port` is refused (the server does not listen).
bool ConnectionRefused(std::uint16_t port);

}  // namespace capconf::http::testing
