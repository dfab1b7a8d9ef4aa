// Errors the merge operators report. The executor turns a MergeError into an ERR packet, so
// each carries a real MySQL error code and a message that tells the user what to do.
#pragma once
#include <string>
#include <utility>
#include <variant>

#include "protocol/error_codes.h"

namespace tessera::exec {

struct MergeError {
  protocol::ErrorCode code = protocol::errc::kUnknownError;
  std::string message;
};

// Outcome of an operation that yields nothing on success.
class Status {
 public:
  Status() = default;
  Status(MergeError error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit on purpose

  static Status ok_status() { return Status(); }
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const MergeError& error() const { return error_; }

 private:
  MergeError error_;
  bool ok_ = true;
};

// A value or the error that prevented it.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}           // NOLINT: implicit on purpose
  Result(MergeError error) : v_(std::move(error)) {}  // NOLINT: implicit on purpose

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }
  const MergeError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, MergeError> v_;
};

// Shorthands used by the operators.
inline MergeError internal_error(std::string message) {
  return MergeError{protocol::errc::kUnknownError, std::move(message)};
}

}  // namespace tessera::exec
