#include "listener.h"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <sstream>

#include "session.h"

namespace capconf::http {
namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

Listener::Listener(net::io_context& control, net::io_context& workers,
                   std::shared_ptr<SharedState> state)
    : workers_(workers), acceptor_(control), retry_(control), state_(std::move(state)) {}

Status Listener::Open(const tcp::endpoint& endpoint) {
  beast::error_code ec;
  const auto fail = [&](std::string_view what) {
    std::ostringstream where;
    where << endpoint;
    return UnavailableError(std::string(what) + " " + where.str() + ": " + ec.message());
  };
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return fail("set SO_REUSEADDR on");
  acceptor_.bind(endpoint, ec);
  if (ec) return fail("bind");
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on");
  port_ = acceptor_.local_endpoint(ec).port();
  return Status::Ok();
}

void Listener::Run() {
  net::post(acceptor_.get_executor(),
            beast::bind_front_handler(&Listener::DoAccept, shared_from_this()));
}

void Listener::Close(std::function<void()> done) {
  net::post(acceptor_.get_executor(), [self = shared_from_this(), done = std::move(done)] {
    self->closed_ = true;
    beast::error_code ec;
    self->acceptor_.close(ec);
    self->retry_.cancel();
    if (done) done();
  });
}

void Listener::DoAccept() {
  if (closed_) return;
  acceptor_.async_accept(net::make_strand(workers_),
                         beast::bind_front_handler(&Listener::OnAccept, shared_from_this()));
}

void Listener::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (closed_ || ec == net::error::operation_aborted) return;
  if (ec) {
    // Out of descriptors or memory (EMFILE, ENFILE, ENOBUFS): retrying at once would spin.
    state_->LogError("accept failed: " + ec.message());
    retry_.expires_after(std::chrono::milliseconds(100));
    retry_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec) self->DoAccept();
    });
    return;
  }
  if (state_->stopping()) {
    beast::error_code ignored;
    socket.close(ignored);
  } else {
    std::make_shared<Session>(std::move(socket), state_)->Run();
  }
  DoAccept();
}

}  // namespace capconf::http
