#pragma once
// One client connection: reads requests, hands each to the Dispatcher, writes the response,
// and keeps the connection alive between requests. Lives as long as an operation of it is
// pending (shared_from_this), as in Beast's advanced server; every member runs on the
// session's strand, except Shutdown and ForceClose, which post to it.
//
// States: idle (waiting for the first byte of a request, idle_timeout), reading (the request,
// read_timeout for all of it), handling (the handler runs on this worker thread), writing
// (write_timeout), closing. A stop closes idle sessions at once and lets the others finish
// their request, then close.

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "capconf/http/message.h"
#include "capconf/http/metrics.h"
#include "shared_state.h"
#include "wire.h"

namespace capconf::http {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<SharedState> state);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Registers with the shared state and starts reading.
  void Run();
  // The server is stopping: close now if idle, else after the current response.
  void Shutdown();
  // The stop deadline passed: close now, whatever the state.
  void ForceClose();

 private:
  enum class Phase { kIdle, kReading, kHandling, kWriting, kClosing };

  void DoIdle();
  void OnIdleRead(boost::beast::error_code ec, std::size_t bytes);
  void DoRead();
  void OnHeader(boost::beast::error_code ec, std::size_t bytes);
  void OnContinueWritten(boost::beast::error_code ec, std::size_t bytes);
  void ReadBody();
  void OnBody(boost::beast::error_code ec, std::size_t bytes);
  void OnReadError(boost::beast::error_code ec);
  void HandleRequest();
  // Writes the response of a request whose handler ran on the waiting pool (HandleRequest).
  void Respond(Request request, Response response, unsigned version, bool head_request,
               bool keep_alive);
  void RespondToBadInput(int status, std::string_view type_suffix, std::string_view title,
                         std::string_view detail);
  void Write(Response response, unsigned version, bool head_request, bool keep_alive, bool linger);
  void OnWrite(bool keep_alive, bool linger, boost::beast::error_code ec, std::size_t bytes);
  void DoClose();
  void DoLingeringClose();
  void DoDrain();
  void OnDrain(boost::beast::error_code ec, std::size_t bytes);

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::shared_ptr<SharedState> state_;
  std::string remote_address_;

  Phase phase_ = Phase::kIdle;
  bool shutdown_requested_ = false;
  std::chrono::steady_clock::time_point started_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::optional<boost::beast::http::response<boost::beast::http::empty_body>> continue_;
  // The request being answered, kept for the access log until its response is written.
  Request request_;
  WireResponse response_;
  int status_ = 0;
  std::uint64_t body_bytes_ = 0;
  std::optional<Metrics::InFlight> in_flight_;
  std::uint64_t drained_ = 0;
};

}  // namespace capconf::http
