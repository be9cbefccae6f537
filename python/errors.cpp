#include "python/errors.hpp"

#include <map>

namespace shoal::python {
namespace py = pybind11;

namespace {

const std::vector<ErrorKind>& all_kinds() {
  static const std::vector<ErrorKind> kinds = {
      ErrorKind::invalid_input, ErrorKind::not_found,       ErrorKind::io,        ErrorKind::corrupt,
      ErrorKind::incompatible,  ErrorKind::timeout,         ErrorKind::rate_limited, ErrorKind::remote,
      ErrorKind::unauthorized, ErrorKind::budget_exceeded, ErrorKind::cancelled,     ErrorKind::sandbox,   ErrorKind::internal};
  return kinds;
}

// kind -> the Python class (owned by the module once added to it).
std::map<ErrorKind, PyObject*>& classes() {
  static std::map<ErrorKind, PyObject*> c;
  return c;
}

}  // namespace

std::string exception_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid_input: return "InvalidInput";
    case ErrorKind::not_found: return "NotFound";
    case ErrorKind::io: return "IoError";
    case ErrorKind::corrupt: return "Corrupt";
    case ErrorKind::incompatible: return "Incompatible";
    case ErrorKind::timeout: return "Timeout";
    case ErrorKind::rate_limited: return "RateLimited";
    case ErrorKind::remote: return "RemoteError";
    case ErrorKind::unauthorized: return "Unauthorized";
    case ErrorKind::budget_exceeded: return "BudgetExceeded";
    case ErrorKind::cancelled: return "Cancelled";
    case ErrorKind::sandbox: return "SandboxError";
    case ErrorKind::internal: return "InternalError";
  }
  return "Error";
}

void register_errors(py::module_& m) {
  PyObject* base = PyErr_NewExceptionWithDoc("shoal.Error", "A Shoal error; .kind names its ErrorKind.", nullptr, nullptr);
  m.add_object("Error", py::handle(base));
  for (ErrorKind kind : all_kinds()) {
    std::string name = exception_name(kind);
    std::string doc = "Shoal error of kind '" + std::string(to_string(kind)) + "'.";
    PyObject* cls = PyErr_NewExceptionWithDoc(("shoal." + name).c_str(), doc.c_str(), base, nullptr);
    PyObject_SetAttrString(cls, "kind", py::str(std::string(to_string(kind))).ptr());
    m.add_object(name.c_str(), py::handle(cls));
    classes()[kind] = cls;
  }
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Failure& f) {
      auto cls = classes().find(f.error.kind);  // a kind missing from all_kinds() raises the base class
      PyErr_SetString(cls != classes().end() ? cls->second : classes().at(ErrorKind::internal), f.error.message.c_str());
    }
  });
}

}  // namespace shoal::python
