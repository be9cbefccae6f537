// Error kinds and the Error value that every expected failure carries.
#pragma once

#include <string>
#include <string_view>

namespace shoal {

// What went wrong, coarse enough to decide what to do about it (retry, stop, tell the user).
enum class ErrorKind {
  invalid_input,    // the user or a caller gave something wrong: fix the input
  not_found,        // a named thing does not exist
  io,               // reading or writing a file or folder failed
  corrupt,          // stored data is damaged or of an unknown format
  incompatible,     // stored data is from a newer version of Shoal
  timeout,          // an operation ran out of time
  rate_limited,     // a remote service asked us to slow down
  remote,           // a remote service failed or answered something unusable
  unauthorized,     // a remote service refused our credentials (a revoked or wrong API key)
  budget_exceeded,  // the dollar budget would be exceeded
  cancelled,        // the user asked to stop
  sandbox,          // the sandbox could not be set up or refused to run
  internal,         // a bug in Shoal
};

// Stable lower-case name of a kind ("invalid_input"), used in JSON and logs.
std::string_view to_string(ErrorKind kind);

// Process exit code for an error of this kind (documented in README.md).
int exit_code(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::internal;
  std::string message;  // says what failed and, where it can, what to do about it
  // The failure may pass by itself (a remote service overloaded, rate-limiting, down or slow):
  // trying later can succeed, so a caller may park the work instead of failing it.
  bool transient = false;

  // "invalid_input: message"
  std::string describe() const;
};

// Builds an Error; reads well at call sites: return fail(ErrorKind::io, "cannot open ...").
inline Error fail(ErrorKind kind, std::string message) { return Error{kind, std::move(message)}; }

}  // namespace shoal
