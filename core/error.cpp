#include "core/error.hpp"

namespace shoal {

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid_input: return "invalid_input";
    case ErrorKind::not_found: return "not_found";
    case ErrorKind::io: return "io";
    case ErrorKind::corrupt: return "corrupt";
    case ErrorKind::incompatible: return "incompatible";
    case ErrorKind::timeout: return "timeout";
    case ErrorKind::rate_limited: return "rate_limited";
    case ErrorKind::remote: return "remote";
    case ErrorKind::unauthorized: return "unauthorized";
    case ErrorKind::budget_exceeded: return "budget_exceeded";
    case ErrorKind::cancelled: return "cancelled";
    case ErrorKind::sandbox: return "sandbox";
    case ErrorKind::internal: return "internal";
  }
  return "internal";
}

int exit_code(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid_input: return 3;
    case ErrorKind::not_found: return 4;
    case ErrorKind::io: return 5;
    case ErrorKind::corrupt: return 6;
    case ErrorKind::incompatible: return 6;
    case ErrorKind::budget_exceeded: return 7;
    case ErrorKind::cancelled: return 8;
    case ErrorKind::sandbox: return 9;
    case ErrorKind::timeout:
    case ErrorKind::rate_limited:
    case ErrorKind::remote: return 10;
    case ErrorKind::unauthorized: return 11;
    case ErrorKind::internal: return 1;
  }
  return 1;
}

std::string Error::describe() const { return std::string(to_string(kind)) + ": " + message; }

}  // namespace shoal
