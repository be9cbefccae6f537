#include "python/python_model.hpp"

#include <memory>

namespace shoal::python {
namespace py = pybind11;
using namespace pybind11::literals;

namespace {

py::list python_messages(const llm::Request& r) {
  py::list out;
  if (!r.system.empty()) out.append(py::dict("role"_a = "system", "content"_a = r.system, "images"_a = 0));
  for (const auto& m : r.messages) {
    std::string text;
    int images = 0;
    for (const auto& part : m.parts) {
      if (part.kind == llm::ContentPart::Kind::text) text += part.text;
      else ++images;
    }
    out.append(py::dict("role"_a = m.role, "content"_a = text, "images"_a = images));
  }
  return out;
}

// The reply of the Python function as a Response, or why it cannot be one.
Expected<llm::Response> response_of(const py::object& out) {
  llm::Response r;
  if (py::isinstance<py::str>(out)) {
    r.texts = {out.cast<std::string>()};
    return r;
  }
  if (!py::isinstance<py::dict>(out) || !out.contains("text") || !py::isinstance<py::str>(out["text"]))
    return fail(ErrorKind::invalid_input, "the Python model must return a str, or a dict with a str under 'text'");
  r.texts = {out["text"].cast<std::string>()};
  if (out.contains("usage") && py::isinstance<py::dict>(out["usage"])) {
    py::dict usage = out["usage"];
    if (usage.contains("input")) r.tokens_in = usage["input"].cast<int64_t>();
    if (usage.contains("output")) r.tokens_out = usage["output"].cast<int64_t>();
  }
  if (out.contains("cost_usd")) r.cost_usd = out["cost_usd"].cast<double>();
  return r;
}

}  // namespace

llm::FunctionModel python_model(py::object fn) {
  // The callable is released with the GIL held, whichever thread drops the last copy.
  auto held = std::shared_ptr<py::object>(new py::object(std::move(fn)), [](py::object* o) {
    py::gil_scoped_acquire gil;
    delete o;
  });
  return [held](const llm::Request& request) -> Expected<llm::Response> {
    py::gil_scoped_acquire gil;
    try {
      py::list stop;
      for (const auto& s : request.stop) stop.append(s);
      py::object out = (*held)(python_messages(request), "temperature"_a = request.temperature,
                               "max_tokens"_a = request.max_tokens, "stop"_a = stop);
      return response_of(out);
    } catch (py::error_already_set& e) {
      return fail(ErrorKind::remote, std::string("the Python model raised ") + e.what());
    } catch (const py::cast_error& e) {
      return fail(ErrorKind::invalid_input, std::string("the Python model's reply: ") + e.what());
    }
  };
}

}  // namespace shoal::python
