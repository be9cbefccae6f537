// Shoal's errors as Python exceptions: shoal.Error and one subclass per ErrorKind
// (shoal.InvalidInput, shoal.BudgetExceeded, shoal.SandboxError, ...), raised with the
// error's message; and unwrap() that turns an Expected into its value or that exception.
#pragma once

#include <exception>
#include <string>

#include <pybind11/pybind11.h>

#include "core/expected.hpp"

namespace shoal::python {

// A Shoal error on its way to Python (translated by the handler register_errors installs).
struct Failure : std::exception {
  Error error;
  explicit Failure(Error e) : error(std::move(e)) {}
  const char* what() const noexcept override { return error.message.c_str(); }
};

// Creates the exception classes in `m` and installs the translator.
void register_errors(pybind11::module_& m);

// The Python class name of a kind ("BudgetExceeded").
std::string exception_name(ErrorKind kind);

template <class T>
T unwrap(Expected<T> e) {
  if (!e.ok()) throw Failure(e.error());
  return std::move(e).value();
}

inline void unwrap(Status s) {
  if (!s.ok()) throw Failure(s.error());
}

}  // namespace shoal::python
