#include "test_http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>

namespace capconf::testing {
namespace {

constexpr std::size_t kMaxRequestBytes = 4 << 20;

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

// Waits until `fd` is readable or the server is stopping; false when stopping.
bool WaitReadable(int fd, int wake_fd) {
  pollfd fds[2] = {{fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
  while (true) {
    const int n = poll(fds, 2, -1);
    if (n < 0) continue;  // EINTR
    if (fds[1].revents != 0) return false;
    if (fds[0].revents != 0) return true;
  }
}

bool ParseRequest(std::string_view head, ReceivedRequest& request, std::size_t& content_length) {
  const std::size_t line_end = head.find("\r\n");
  const std::string_view line = head.substr(0, line_end);
  const std::size_t sp1 = line.find(' ');
  const std::size_t sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1) return false;
  request.method = std::string(line.substr(0, sp1));
  request.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  content_length = 0;
  std::size_t pos = line_end + 2;
  while (pos < head.size()) {
    std::size_t end = head.find("\r\n", pos);
    if (end == std::string_view::npos) end = head.size();
    const std::string_view header = head.substr(pos, end - pos);
    pos = end + 2;
    const std::size_t colon = header.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name = Lower(Trim(header.substr(0, colon)));
    std::string value(Trim(header.substr(colon + 1)));
    if (name == "content-length") content_length = std::strtoull(value.c_str(), nullptr, 10);
    request.headers.emplace_back(std::move(name), std::move(value));
  }
  return true;
}

void SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    // MSG_NOSIGNAL: a client that gave up (size cap, timeout) must not kill the test with SIGPIPE.
    const ssize_t n = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

std::string ReceivedRequest::Header(std::string_view name) const {
  const std::string lower = Lower(name);
  for (const auto& [key, value] : headers) {
    if (key == lower) return value;
  }
  return "";
}

Reply MakeReply(int status, std::string_view body,
                const std::vector<std::pair<std::string, std::string>>& headers, bool sized) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " Test\r\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
  if (sized) out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += "Connection: close\r\n\r\n";
  out += body;
  return Reply{std::move(out), false};
}

namespace {

// A TCP socket bound to 127.0.0.1:`port` (SO_REUSEADDR, so a port just let go can be bound
// again); -1 when the bind fails.
int BindLoopback(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket");
  const int reuse = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof(reuse));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

PortReservation::PortReservation(int port) : fd_(BindLoopback(port)) {
  if (fd_ < 0) {
    throw std::runtime_error("bind: port " + std::to_string(port) + " was taken meanwhile");
  }
}

PortReservation::~PortReservation() { close(fd_); }

TestHttpServer::TestHttpServer(Handler handler, int port) : handler_(std::move(handler)) {
  if (pipe2(wake_pipe_, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
  listen_fd_ = BindLoopback(port);
  if (listen_fd_ < 0 || listen(listen_fd_, 64) != 0) throw std::runtime_error("bind/listen");
  sockaddr_in address{};
  socklen_t length = sizeof(address);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

TestHttpServer::~TestHttpServer() {
  const char byte = 'x';
  static_cast<void>(write(wake_pipe_[1], &byte, 1));
  acceptor_.join();
  std::vector<Worker> workers;
  {
    std::lock_guard lock(mutex_);
    workers.swap(workers_);
  }
  for (Worker& worker : workers) worker.thread.join();
  close(listen_fd_);
  close(wake_pipe_[0]);
  close(wake_pipe_[1]);
}

std::string TestHttpServer::Url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

std::vector<ReceivedRequest> TestHttpServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

void TestHttpServer::AcceptLoop() {
  while (WaitReadable(listen_fd_, wake_pipe_[0])) {
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++connections_;
    std::lock_guard lock(mutex_);
    JoinFinishedWorkers();
    auto done = std::make_shared<std::atomic<bool>>(false);
    workers_.push_back({std::thread([this, fd, done] {
                          Serve(fd);
                          close(fd);
                          *done = true;
                        }),
                        done});
  }
}

void TestHttpServer::JoinFinishedWorkers() {
  std::erase_if(workers_, [](Worker& worker) {
    if (!*worker.done) return false;
    worker.thread.join();
    return true;
  });
}

void TestHttpServer::Serve(int fd) {
  std::string data;
  std::size_t head_end = std::string::npos;
  ReceivedRequest request;
  std::size_t content_length = 0;
  char buffer[4096];
  while (true) {
    if (head_end == std::string::npos) {
      head_end = data.find("\r\n\r\n");
      if (head_end != std::string::npos &&
          !ParseRequest(std::string_view(data).substr(0, head_end), request, content_length)) {
        return;
      }
    }
    if (head_end != std::string::npos && data.size() >= head_end + 4 + content_length) break;
    if (data.size() > kMaxRequestBytes || !WaitReadable(fd, wake_pipe_[0])) return;
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) return;
    data.append(buffer, static_cast<std::size_t>(n));
  }
  request.body = data.substr(head_end + 4, content_length);
  if (recording_) {
    std::lock_guard lock(mutex_);
    requests_.push_back(request);
  }
  const Reply reply = handler_(request);
  if (reply.no_answer) {
    // Hold the connection until the client hangs up (recv returns 0) or the server stops.
    while (WaitReadable(fd, wake_pipe_[0])) {
      if (recv(fd, buffer, sizeof(buffer), 0) <= 0) return;
    }
    return;
  }
  SendAll(fd, reply.bytes);
  shutdown(fd, SHUT_WR);
  // Drain until the client closes, so the close does not turn into a reset that loses the reply.
  while (WaitReadable(fd, wake_pipe_[0])) {
    if (recv(fd, buffer, sizeof(buffer), 0) <= 0) return;
  }
}

}  // namespace capconf::testing
