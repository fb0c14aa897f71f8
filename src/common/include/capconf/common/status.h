#pragma once
// Status and Result<T>: how every module reports failure across its boundary.
// Nothing in capconf throws across a module boundary; library exceptions are caught in the
// adapter that calls the library and turned into a Status here. Codes map to HTTP statuses in
// exactly one place (the http module).

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace capconf {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller's input is malformed (bad JSON, bad schema, bad option)
  kNotFound,            // the named thing does not exist (or is not visible to the caller)
  kAlreadyExists,       // a create collided with an existing thing
  kFailedPrecondition,  // the state does not allow the operation (stale revision, rule broken)
  kResourceExhausted,   // a limit was hit (size, depth, regex match budget)
  kPermissionDenied,    // known caller, not allowed
  kUnauthenticated,     // unknown caller
  kUnavailable,         // a dependency is down; retrying may help
  kDeadlineExceeded,    // timed out
  kAborted,             // a concurrent change won; retry from scratch
  kDataLoss,            // stored data is unreadable
  kInternal,            // a bug: an invariant broke
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "INVALID_ARGUMENT: message", for logs and CLI diagnostics.
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgumentError(std::string m) {
  return Status(StatusCode::kInvalidArgument, std::move(m));
}
inline Status NotFoundError(std::string m) { return Status(StatusCode::kNotFound, std::move(m)); }
inline Status FailedPreconditionError(std::string m) {
  return Status(StatusCode::kFailedPrecondition, std::move(m));
}
inline Status ResourceExhaustedError(std::string m) {
  return Status(StatusCode::kResourceExhausted, std::move(m));
}
inline Status InternalError(std::string m) { return Status(StatusCode::kInternal, std::move(m)); }
inline Status UnavailableError(std::string m) {
  return Status(StatusCode::kUnavailable, std::move(m));
}

// A value or the Status that explains why there is none. Holding an ok Status is a bug.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(data_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(data_);
  }

  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> data_;
};

inline std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case StatusCode::kNotFound:
      return "NOT_FOUND";
    case StatusCode::kAlreadyExists:
      return "ALREADY_EXISTS";
    case StatusCode::kFailedPrecondition:
      return "FAILED_PRECONDITION";
    case StatusCode::kResourceExhausted:
      return "RESOURCE_EXHAUSTED";
    case StatusCode::kPermissionDenied:
      return "PERMISSION_DENIED";
    case StatusCode::kUnauthenticated:
      return "UNAUTHENTICATED";
    case StatusCode::kUnavailable:
      return "UNAVAILABLE";
    case StatusCode::kDeadlineExceeded:
      return "DEADLINE_EXCEEDED";
    case StatusCode::kAborted:
      return "ABORTED";
    case StatusCode::kDataLoss:
      return "DATA_LOSS";
    case StatusCode::kInternal:
      return "INTERNAL";
  }
  return "UNKNOWN";
}

inline std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(StatusCodeName(code_));
  out += ": ";
  out += message_;
  return out;
}

}  // namespace capconf

#define CAPCONF_CONCAT_INNER_(a, b) a##b
#define CAPCONF_CONCAT_(a, b) CAPCONF_CONCAT_INNER_(a, b)

#define CAPCONF_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::capconf::Status capconf_status_ = (expr);        \
    if (!capconf_status_.ok()) return capconf_status_; \
  } while (false)

#define CAPCONF_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return tmp.status();                  \
  lhs = std::move(tmp).value()

#define CAPCONF_ASSIGN_OR_RETURN(lhs, expr) \
  CAPCONF_ASSIGN_OR_RETURN_IMPL_(CAPCONF_CONCAT_(capconf_result_, __LINE__), lhs, expr)
