#include "test_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>
#include <cctype>

#include "capconf/json/parse.h"

namespace capconf::http::testing {
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

Status Failed(std::string_view what, const beast::error_code& ec) {
  return UnavailableError(std::string(what) + ": " + ec.message());
}

}  // namespace

std::string ClientResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (SameName(key, name)) return value;
  }
  return "";
}

bool ClientResponse::HasHeader(std::string_view name) const {
  for (const auto& field : headers) {
    if (SameName(field.first, name)) return true;
  }
  return false;
}

boost::json::value ClientResponse::Json() const {
  Result<boost::json::value> parsed = json::Parse(body);
  return parsed.ok() ? std::move(parsed).value() : boost::json::value();
}

TestClient::TestClient(std::uint16_t port, std::string host, std::chrono::milliseconds timeout)
    : stream_(ioc_), port_(port), host_(std::move(host)), timeout_(timeout) {}

TestClient::~TestClient() { Close(); }

// Runs one asynchronous operation to completion on the private io_context, so tcp_stream's
// timeout applies (it does not to synchronous operations).
template <typename Op>
beast::error_code TestClient::Run(Op op) {
  beast::error_code result = net::error::would_block;
  stream_.expires_after(timeout_);
  op([&result](beast::error_code ec, auto&&...) { result = ec; });
  ioc_.restart();
  ioc_.run();
  return result;
}

Status TestClient::Connect() {
  Close();
  const tcp::endpoint endpoint(net::ip::make_address(host_), port_);
  const beast::error_code ec =
      Run([&](auto handler) { stream_.async_connect(endpoint, std::move(handler)); });
  if (ec) return Failed("connect", ec);
  buffer_.clear();
  ++connections_opened_;
  return Status::Ok();
}

void TestClient::Close() {
  beast::error_code ignored;
  if (stream_.socket().is_open()) {
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }
}

bool TestClient::is_open() const { return stream_.socket().is_open(); }

Status TestClient::WriteRaw(std::string_view bytes) {
  if (!is_open()) CAPCONF_RETURN_IF_ERROR(Connect());
  const beast::error_code ec = Run([&](auto handler) {
    net::async_write(stream_, net::buffer(bytes.data(), bytes.size()), std::move(handler));
  });
  return ec ? Failed("write", ec) : Status::Ok();
}

Result<ClientResponse> TestClient::ReadResponse(bool head_request) {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(256 * 1024 * 1024);
  parser.header_limit(1024 * 1024);
  parser.skip(head_request);
  const beast::error_code ec =
      Run([&](auto handler) { bhttp::async_read(stream_, buffer_, parser, std::move(handler)); });
  if (ec) {
    Close();
    return Failed("read", ec);
  }
  bhttp::response<bhttp::string_body> message = parser.release();
  ClientResponse response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  response.body = std::move(message.body());
  response.keep_alive = message.keep_alive();
  if (!response.keep_alive) Close();
  return response;
}

Result<ClientResponse> TestClient::Request(std::string_view method, std::string_view target,
                                           const HeaderList& headers, std::string_view body) {
  if (!is_open()) CAPCONF_RETURN_IF_ERROR(Connect());
  bhttp::request<bhttp::string_body> request;
  request.method_string(method);
  request.target(target);
  request.version(11);
  bool has_host = false;
  bool has_length = false;
  for (const auto& [name, value] : headers) {
    request.insert(name, value);
    has_host = has_host || SameName(name, "Host");
    has_length =
        has_length || SameName(name, "Content-Length") || SameName(name, "Transfer-Encoding");
  }
  if (!has_host) {
    const bool v6 = host_.find(':') != std::string::npos;
    request.set(bhttp::field::host, (v6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_));
  }
  request.body() = std::string(body);
  if (!has_length && (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH")) {
    request.content_length(body.size());
  }
  const beast::error_code ec =
      Run([&](auto handler) { bhttp::async_write(stream_, request, std::move(handler)); });
  if (ec) {
    Close();
    return Failed("write", ec);
  }
  return ReadResponse(method == "HEAD");
}

Result<std::string> TestClient::ReadUntilClosed() {
  std::string out;
  out.append(static_cast<const char*>(buffer_.data().data()), buffer_.size());
  buffer_.clear();
  while (true) {
    char chunk[4096];
    std::size_t got = 0;
    const beast::error_code ec = Run([&](auto handler) {
      stream_.async_read_some(net::buffer(chunk), [&got, handler = std::move(handler)](
                                                      beast::error_code e, std::size_t n) mutable {
        got = n;
        handler(e);
      });
    });
    out.append(chunk, got);
    if (ec == net::error::eof || ec == net::error::connection_reset) {
      Close();
      return out;
    }
    if (ec) {
      Close();
      return Failed("read until closed", ec);
    }
  }
}

bool ConnectionRefused(std::uint16_t port) {
  net::io_context ioc;
  tcp::socket socket(ioc);
  beast::error_code ec;
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  return ec == net::error::connection_refused;
}

}  // namespace capconf::http::testing
