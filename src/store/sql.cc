#include "sql.h"

#include <charconv>

namespace capconf::store::internal {

const Cell* RowReader::Next() {
  if (next_ >= row_.size()) {
    Fail("fewer columns than expected");
    return nullptr;
  }
  return &row_[next_++];
}

void RowReader::Fail(const std::string& why) {
  if (status_.ok()) {
    status_ = Status(StatusCode::kDataLoss,
                     "unreadable stored value in column " + std::to_string(next_) + ": " + why);
  }
}

std::string RowReader::Text() {
  const Cell* cell = Next();
  if (cell == nullptr) return {};
  if (!cell->has_value()) {
    Fail("NULL where a value is required");
    return {};
  }
  return **cell;
}

std::optional<std::string> RowReader::OptionalText() {
  const Cell* cell = Next();
  if (cell == nullptr) return std::nullopt;
  return *cell;
}

std::optional<std::int64_t> RowReader::OptionalInt() {
  const Cell* cell = Next();
  if (cell == nullptr || !cell->has_value()) return std::nullopt;
  const std::string& text = **cell;
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) {
    Fail("not an integer: \"" + text + "\"");
    return std::nullopt;
  }
  return value;
}

std::int64_t RowReader::Int() {
  const std::size_t column = next_;
  std::optional<std::int64_t> value = OptionalInt();
  if (!value.has_value()) {
    if (status_.ok() && column < row_.size()) Fail("NULL where an integer is required");
    return 0;
  }
  return *value;
}

int RowReader::Int32() {
  const std::int64_t value = Int();
  if (value < INT32_MIN || value > INT32_MAX) {
    Fail("integer out of range: " + std::to_string(value));
    return 0;
  }
  return static_cast<int>(value);
}

bool RowReader::Bool() {
  const std::string text = Text();
  if (!status_.ok()) return false;
  // SQLite stores 0/1; PostgreSQL's text form of a boolean is t/f.
  if (text == "1" || text == "t") return true;
  if (text == "0" || text == "f") return false;
  Fail("not a boolean: \"" + text + "\"");
  return false;
}

Bytes RowReader::Blob() {
  const std::string text = Text();
  return Bytes(text.begin(), text.end());
}

Status RowReader::Finish() const {
  if (!status_.ok()) return status_;
  if (next_ != row_.size()) {
    return Status(StatusCode::kInternal, "row has " + std::to_string(row_.size()) +
                                             " columns, decoder read " + std::to_string(next_));
  }
  return Status::Ok();
}

std::shared_ptr<ConnectionPool> ConnectionPool::Create(Factory factory, int size,
                                                       std::chrono::milliseconds acquire_timeout) {
  return std::shared_ptr<ConnectionPool>(
      new ConnectionPool(std::move(factory), size < 1 ? 1 : size, acquire_timeout));
}

Result<ConnectionPool::Lease> ConnectionPool::Acquire() {
  std::unique_lock lock(mutex_);
  const auto deadline = std::chrono::steady_clock::now() + acquire_timeout_;
  for (;;) {
    while (!idle_.empty()) {
      std::unique_ptr<Connection> connection = std::move(idle_.back());
      idle_.pop_back();
      if (connection->healthy()) {
        return Lease(connection.release(), Returner{shared_from_this()});
      }
      --open_;  // dropped below, outside the lock
      lock.unlock();
      connection.reset();
      lock.lock();
    }
    if (open_ < size_) {
      ++open_;
      lock.unlock();
      Result<std::unique_ptr<Connection>> opened = factory_();
      if (!opened.ok()) {
        lock.lock();
        --open_;
        freed_.notify_one();
        return opened.status();
      }
      return Lease(opened->release(), Returner{shared_from_this()});
    }
    if (freed_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= size_) {
      return UnavailableError("no database connection became free within " +
                              std::to_string(acquire_timeout_.count()) + " ms");
    }
  }
}

void ConnectionPool::Returner::operator()(Connection* connection) const {
  pool->Return(connection);
}

void ConnectionPool::Return(Connection* raw) {
  std::unique_ptr<Connection> connection(raw);
  std::unique_lock lock(mutex_);
  if (connection->healthy()) {
    idle_.push_back(std::move(connection));
  } else {
    --open_;
    lock.unlock();
    connection.reset();
    lock.lock();
  }
  freed_.notify_one();
}

}  // namespace capconf::store::internal
