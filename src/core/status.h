// Status and Result<T>: how every leadscore function that can fail reports it.
//
// A Status is a canonical code plus a message; an OK Status carries no message and costs one
// byte to copy. Result<T> is tl::expected<T, Status> (std::expected's API), so a move to C++23
// changes one alias. Values are thread-compatible: no shared state.
#pragma once

#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>

namespace leadscore {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // bad input from the user
  kNotFound,            //
  kAlreadyExists,       //
  kFailedPrecondition,  // e.g. no model is loaded
  kUnavailable,         // e.g. the database is down; retryable
  kDataLoss,            // corruption
  kInternal,            // a bug
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  // Lets LS_RETURN_IF_ERROR and LS_ASSIGN_OR_RETURN work in functions returning Status too.
  Status(tl::unexpected<Status> error) : Status(std::move(error.value())) {}  // NOLINT

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "INVALID_ARGUMENT: message", or "OK".
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

std::string_view StatusCodeName(StatusCode code);

inline Status InvalidArgument(std::string message) {
  return Status(StatusCode::kInvalidArgument, std::move(message));
}
inline Status NotFound(std::string message) {
  return Status(StatusCode::kNotFound, std::move(message));
}
inline Status FailedPrecondition(std::string message) {
  return Status(StatusCode::kFailedPrecondition, std::move(message));
}
inline Status Internal(std::string message) {
  return Status(StatusCode::kInternal, std::move(message));
}
inline Status DataLoss(std::string message) {
  return Status(StatusCode::kDataLoss, std::move(message));
}

template <class T>
using Result = tl::expected<T, Status>;

// Wraps a failed Status as the error side of a Result.
inline tl::unexpected<Status> Error(Status status) {
  return tl::unexpected<Status>(std::move(status));
}

// The Status of an operation: OK, or the error a Result holds (its value dropped).
inline Status StatusOf(Status status) { return status; }
template <class T>
Status StatusOf(const Result<T>& result) {
  return result ? Status::Ok() : result.error();
}

}  // namespace leadscore

#define LS_STATUS_CONCAT_INNER(a, b) a##b
#define LS_STATUS_CONCAT(a, b) LS_STATUS_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when `expr` (a Status, or a Result whose
// value is not needed) is not OK.
#define LS_RETURN_IF_ERROR(expr)                                            \
  do {                                                                      \
    ::leadscore::Status ls_status_ = ::leadscore::StatusOf(expr);           \
    if (!ls_status_.ok()) return ::leadscore::Error(std::move(ls_status_)); \
  } while (0)

// `LS_ASSIGN_OR_RETURN(auto x, F());` binds x to F()'s value or returns its error.
#define LS_ASSIGN_OR_RETURN(lhs, rexpr) \
  LS_ASSIGN_OR_RETURN_IMPL(LS_STATUS_CONCAT(ls_result_, __LINE__), lhs, rexpr)
// NOLINTBEGIN(bugprone-macro-parentheses): `lhs` is a declaration and `tmp` a name.
#define LS_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr)              \
  auto tmp = (rexpr);                                          \
  if (!tmp) return ::leadscore::Error(std::move(tmp).error()); \
  lhs = std::move(*tmp)
// NOLINTEND(bugprone-macro-parentheses)
