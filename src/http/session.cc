#include "session.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace capconf::http {
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr std::size_t kReadChunk = 16 * 1024;
// After an error response the client may still be sending a body we will not read; reading
// and discarding it for a moment before closing lets the client see the response instead of
// a connection reset (a "lingering close").
constexpr std::chrono::milliseconds kMaxLinger{2000};
constexpr std::uint64_t kMaxDrainBytes = 64 * 1024 * 1024;

bool IsHttpParseError(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
}

}  // namespace

Session::Session(tcp::socket&& socket, std::shared_ptr<SharedState> state)
    : stream_(std::move(socket)), state_(std::move(state)) {
  beast::error_code ec;
  const tcp::endpoint remote = stream_.socket().remote_endpoint(ec);
  if (!ec) {
    net::ip::address address = remote.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
      address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
    }
    remote_address_ = address.to_string();
  }
}

Session::~Session() { state_->Unregister(this); }

void Session::Run() {
  state_->Register(shared_from_this());
  net::dispatch(stream_.get_executor(),
                beast::bind_front_handler(&Session::DoIdle, shared_from_this()));
}

void Session::Shutdown() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    self->shutdown_requested_ = true;
    if (self->phase_ != Phase::kIdle) return;  // finishes its request, then closes
    beast::error_code ec;
    // Bytes already waiting are a request on its way: let it be read and answered.
    if (self->stream_.socket().available(ec) > 0 && !ec) return;
    // Cancel rather than close: a read that has already taken bytes completes normally and
    // its request is answered; a read still waiting completes with operation_aborted.
    self->stream_.socket().cancel(ec);
  });
}

void Session::ForceClose() {
  net::post(stream_.get_executor(), [self = shared_from_this()] { self->stream_.close(); });
}

void Session::DoIdle() {
  phase_ = Phase::kIdle;
  if (buffer_.size() > 0) return DoRead();  // the next request arrived with the previous one
  if (shutdown_requested_ || state_->stopping()) {
    // As in Shutdown: bytes already waiting are a request the client sent before it could
    // know; answer it (with Connection: close). Otherwise there is nothing left to do.
    beast::error_code ec;
    if (stream_.socket().available(ec) == 0 || ec) return DoClose();
  }
  stream_.expires_after(state_->options().idle_timeout);
  stream_.async_read_some(buffer_.prepare(kReadChunk),
                          beast::bind_front_handler(&Session::OnIdleRead, shared_from_this()));
}

void Session::OnIdleRead(beast::error_code ec, std::size_t bytes) {
  // Errors here (EOF, idle timeout, closed by a stop, reset) end a connection between
  // requests: nothing to answer.
  if (ec) return DoClose();
  buffer_.commit(bytes);
  DoRead();
}

void Session::DoRead() {
  phase_ = Phase::kReading;
  started_ = std::chrono::steady_clock::now();
  parser_.emplace();
  const ServerOptions& options = state_->options();
  parser_->header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(options.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
  parser_->body_limit(options.max_body_bytes);
  stream_.expires_after(options.read_timeout);
  bhttp::async_read_header(stream_, buffer_, *parser_,
                           beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
}

void Session::OnHeader(beast::error_code ec, std::size_t) {
  if (ec) return OnReadError(ec);
  const WireRequest& request = parser_->get();
  if (request.version() >= 11 && !parser_->is_done() &&
      beast::iequals(request[bhttp::field::expect], "100-continue")) {
    // Clients that ask wait (or hesitate) before sending the body; the body limit has already
    // been checked against Content-Length.
    continue_.emplace(bhttp::status::continue_, 11);
    return bhttp::async_write(
        stream_, *continue_,
        beast::bind_front_handler(&Session::OnContinueWritten, shared_from_this()));
  }
  ReadBody();
}

void Session::OnContinueWritten(beast::error_code ec, std::size_t) {
  if (ec) return DoClose();
  ReadBody();
}

void Session::ReadBody() {
  if (parser_->is_done()) return HandleRequest();
  bhttp::async_read(stream_, buffer_, *parser_,
                    beast::bind_front_handler(&Session::OnBody, shared_from_this()));
}

void Session::OnBody(beast::error_code ec, std::size_t) {
  if (ec) return OnReadError(ec);
  HandleRequest();
}

void Session::OnReadError(beast::error_code ec) {
  if (ec == bhttp::error::body_limit) {
    return RespondToBadInput(413, "content-too-large", "Content too large",
                             "The request body is larger than " +
                                 std::to_string(state_->options().max_body_bytes) + " bytes.");
  }
  if (ec == bhttp::error::header_limit) {
    return RespondToBadInput(431, "request-header-fields-too-large",
                             "Request header fields too large",
                             "The request line and header fields are larger than " +
                                 std::to_string(state_->options().max_header_bytes) + " bytes.");
  }
  // A request cut short (EOF, timeout, reset, closed by a stop) has no one to answer.
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
      !IsHttpParseError(ec)) {
    return DoClose();
  }
  RespondToBadInput(400, "bad-request", "Bad request",
                    "The request is not well-formed HTTP/1.1 (" + ec.message() + ").");
}

void Session::RespondToBadInput(int status, std::string_view type_suffix, std::string_view title,
                                std::string_view detail) {
  in_flight_.emplace(state_->metrics());
  Request request;
  request.remote_address = remote_address_;
  unsigned version = 11;
  if (parser_ && parser_->is_header_done()) {
    WireRequest& message = parser_->get();
    version = message.version();
    (void)FillRequest(message, request);  // best effort: for the log
  }
  AssignRequestId(request);
  Response response = Problem(status, type_suffix, title, detail);
  state_->dispatcher().Finalize(response, request);
  request_ = std::move(request);
  Write(std::move(response), version, request_.method == "HEAD", /*keep_alive=*/false,
        /*linger=*/true);
}

void Session::HandleRequest() {
  phase_ = Phase::kHandling;
  in_flight_.emplace(state_->metrics());
  WireRequest message = parser_->release();
  parser_.reset();
  const unsigned version = message.version();
  const bool head_request = message.method() == bhttp::verb::head;
  bool keep_alive = message.keep_alive();

  Request request;
  request.remote_address = remote_address_;
  Response response;
  if (Status filled = FillRequest(message, request); filled.ok()) {
    if (state_->router().Waits(request.method, request.path)) {
      // The handler waits for other requests (a group commit): on the waiting pool, so that
      // this thread goes on serving other connections meanwhile. The session stays in
      // kHandling (a stop lets it finish) and is kept alive by the handler it posted.
      net::post(state_->waiting_pool(), [self = shared_from_this(), request = std::move(request),
                                         version, head_request, keep_alive]() mutable {
        Response answer = self->state_->dispatcher().Dispatch(request);
        net::post(self->stream_.get_executor(), [self, request = std::move(request),
                                                 response = std::move(answer), version,
                                                 head_request, keep_alive]() mutable {
          self->Respond(std::move(request), std::move(response), version, head_request, keep_alive);
        });
      });
      return;
    }
    response = state_->dispatcher().Dispatch(request);
  } else {
    AssignRequestId(request);
    response = Problem(400, "bad-request", "Bad request", filled.message());
    state_->dispatcher().Finalize(response, request);
    keep_alive = false;
  }
  Respond(std::move(request), std::move(response), version, head_request, keep_alive);
}

void Session::Respond(Request request, Response response, unsigned version, bool head_request,
                      bool keep_alive) {
  request_ = std::move(request);
  keep_alive = keep_alive && !shutdown_requested_ && !state_->stopping();
  Write(std::move(response), version, head_request, keep_alive, /*linger=*/false);
}

void Session::Write(Response response, unsigned version, bool head_request, bool keep_alive,
                    bool linger) {
  phase_ = Phase::kWriting;
  status_ = response.status;
  body_bytes_ = BodyBytesSent(response, head_request);
  response_ = ToWireResponse(std::move(response), version, head_request, keep_alive);
  stream_.expires_after(state_->options().write_timeout);
  bhttp::async_write(
      stream_, response_,
      beast::bind_front_handler(&Session::OnWrite, shared_from_this(), keep_alive, linger));
}

void Session::OnWrite(bool keep_alive, bool linger, beast::error_code ec, std::size_t) {
  state_->RecordCompletion(request_, status_, body_bytes_,
                           std::chrono::steady_clock::now() - started_);
  in_flight_.reset();
  request_ = Request();
  response_ = WireResponse();
  if (ec) return DoClose();
  if (linger) return DoLingeringClose();
  if (!keep_alive) {
    // Pipelined bytes we will not answer: linger so the client reads this response.
    beast::error_code available_ec;
    if (buffer_.size() > 0 || stream_.socket().available(available_ec) > 0) {
      return DoLingeringClose();
    }
    return DoClose();
  }
  DoIdle();
}

void Session::DoClose() {
  phase_ = Phase::kClosing;
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream_.close();
}

void Session::DoLingeringClose() {
  phase_ = Phase::kClosing;
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return stream_.close();
  stream_.expires_after(
      std::min<std::chrono::milliseconds>(kMaxLinger, state_->options().read_timeout));
  drained_ = 0;
  DoDrain();
}

void Session::DoDrain() {
  buffer_.clear();
  stream_.async_read_some(buffer_.prepare(kReadChunk),
                          beast::bind_front_handler(&Session::OnDrain, shared_from_this()));
}

void Session::OnDrain(beast::error_code ec, std::size_t bytes) {
  drained_ += bytes;
  if (ec || drained_ > kMaxDrainBytes) return stream_.close();
  DoDrain();
}

}  // namespace capconf::http
