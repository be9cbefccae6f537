// Expected<T>: the result of an operation that can fail in an expected way.
// Failures are values (an Error with a kind); exceptions only cross boundaries
// (CLI main, HTTP handlers, Python bindings), where ShoalError carries the Error.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

#include "core/error.hpp"

namespace shoal {

// Thrown only at boundaries, by Expected::value() on an error or by code that
// must turn an Error into an exception (a CLI main catches it).
class ShoalError : public std::runtime_error {
 public:
  explicit ShoalError(Error e) : std::runtime_error(e.describe()), error_(std::move(e)) {}
  const Error& error() const { return error_; }

 private:
  Error error_;
};

template <class T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : v_(std::move(value)) {}
  Expected(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // The value; throws ShoalError when this holds an error.
  T& value() & {
    if (!ok()) throw ShoalError(error());
    return std::get<0>(v_);
  }
  const T& value() const& {
    if (!ok()) throw ShoalError(error());
    return std::get<0>(v_);
  }
  T&& value() && {
    if (!ok()) throw ShoalError(error());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

  T value_or(T fallback) const& { return ok() ? std::get<0>(v_) : std::move(fallback); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Expected<void> {
 public:
  Expected() = default;
  Expected(Error error) : err_(std::move(error)), failed_(true) {}

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  void value() const {
    if (failed_) throw ShoalError(err_);
  }
  const Error& error() const { return err_; }

 private:
  Error err_{};
  bool failed_ = false;
};

using Status = Expected<void>;

// Early-return helper: SHOAL_TRY(x, expr) declares x = value of expr or returns its error.
#define SHOAL_TRY(var, expr)                             \
  auto var##_result_ = (expr);                           \
  if (!var##_result_.ok()) return var##_result_.error(); \
  auto var = std::move(var##_result_).value()

// SHOAL_CHECK(expr): returns the error of a Status-returning expression.
#define SHOAL_CHECK(expr)                           \
  do {                                              \
    auto shoal_status_ = (expr);                    \
    if (!shoal_status_.ok()) return shoal_status_.error(); \
  } while (0)

}  // namespace shoal
