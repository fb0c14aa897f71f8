#pragma once
// Conversion between Beast messages (the wire) and capconf::http Request / Response.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <string>

#include "capconf/common/status.h"
#include "capconf/http/message.h"

namespace capconf::http {

using WireRequest = boost::beast::http::request<boost::beast::http::string_body>;
using WireResponse = boost::beast::http::response<boost::beast::http::string_body>;

// Fills `out` from `message` (moving its body out). Fills what it can even on failure, so a
// 400 can still be logged with the method and, when it is printable, the path.
// InvalidArgument: the target is not an absolute path of printable ASCII, an escape in the
// path or query is malformed or decodes to something that is not UTF-8, or an HTTP/1.1
// request has no Host.
Status FillRequest(WireRequest& message, Request& out);

// The wire form of a finalised response to a request of `version`. For HEAD (and statuses
// without content) no body is sent; for HEAD, Content-Length still says what GET would send.
// Framing and hop-by-hop fields a handler set (Content-Length, Transfer-Encoding, Connection,
// Keep-Alive, Upgrade) are dropped: the server owns those. Adds Date.
WireResponse ToWireResponse(Response&& response, unsigned version, bool head_request,
                            bool keep_alive);

// Body bytes that ToWireResponse sends for `response`.
std::uint64_t BodyBytesSent(const Response& response, bool head_request);

}  // namespace capconf::http
