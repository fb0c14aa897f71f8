#pragma once
// Accepts connections and starts a Session for each. The acceptor runs on its own io_context
// (one control thread that never runs handlers), so accepting and closing the listening
// socket stay prompt however busy the workers are; accepted sockets belong to a fresh strand
// of the workers' io_context.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <cstdint>
#include <functional>
#include <memory>

#include "capconf/common/status.h"
#include "shared_state.h"

namespace capconf::http {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(boost::asio::io_context& control, boost::asio::io_context& workers,
           std::shared_ptr<SharedState> state);

  // Opens, binds and listens. Unavailable when the endpoint cannot be bound.
  Status Open(const boost::asio::ip::tcp::endpoint& endpoint);
  std::uint16_t port() const { return port_; }

  void Run();
  // Closes the listening socket on the control thread, then calls `done` (may be null).
  void Close(std::function<void()> done);

 private:
  void DoAccept();
  void OnAccept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& workers_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_;
  std::shared_ptr<SharedState> state_;
  std::uint16_t port_ = 0;
  bool closed_ = false;
};

}  // namespace capconf::http
