#include "python/run_handle.hpp"

#include <chrono>

#include "python/errors.hpp"
#include "store/records.hpp"
#include "store/db.hpp"
#include "store/ideas.hpp"

namespace shoal::python {
namespace py = pybind11;
using nlohmann::json;

namespace {

std::filesystem::path db_of(const Config& c) { return store::db_path(c.get("home")); }

// A JSON value as a Python object (through the json module: exact and short to write).
py::object to_python(const json& j) { return py::module_::import("json").attr("loads")(j.dump()); }

}  // namespace

RunHandle::RunHandle(Config config, const std::filesystem::path& template_dir, std::optional<llm::FunctionModel> model)
    : config_(std::move(config)) {
  {
    py::gil_scoped_release release;
    run_id_ = unwrap(agent::create_run(config_, template_dir)).id;
  }
  thread_ = std::thread([this, model] {
    agent::DriveOptions drive;
    drive.stop = &stop_;
    if (model) drive.function_model = *model;
    auto outcome = agent::drive_run(config_, run_id_, drive);
    std::lock_guard lock(mu_);
    outcome_ = std::move(outcome);
    finished_ = true;
    cv_.notify_all();
  });
}

RunHandle::~RunHandle() {
  if (!thread_.joinable()) return;
  stop_.cancel();
  if (PyGILState_Check()) {
    py::gil_scoped_release release;  // the run's thread may need the GIL (a Python model) to finish
    thread_.join();
  } else {
    thread_.join();
  }
}

bool RunHandle::done() const {
  std::lock_guard lock(mu_);
  return finished_;
}

void RunHandle::deliver(const py::object& on_event) {
  std::vector<store::Event> events;
  {
    py::gil_scoped_release release;
    auto store = store::Store::open(db_of(config_), store::OpenMode::existing);
    if (!store.ok()) return;
    auto listed = store::list_events(*store, run_id_, last_event_);
    if (listed.ok()) events = std::move(*listed);
  }
  for (const auto& e : events) {
    last_event_ = std::max(last_event_, e.id);
    if (on_event.is_none()) continue;
    json data = json::parse(e.data_json.empty() ? "{}" : e.data_json, nullptr, false);
    on_event(to_python({{"id", e.id}, {"kind", e.kind}, {"idea_id", e.idea_id}, {"message", e.message},
                        {"data", data.is_discarded() ? json::object() : data}, {"created_ms", e.created_ms}}));
  }
}

bool RunHandle::wait(double timeout_s, const py::object& on_event) {
  auto start = std::chrono::steady_clock::now();
  for (;;) {
    bool ended;
    {
      py::gil_scoped_release release;
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(200), [&] { return finished_; });
      ended = finished_;
    }
    deliver(on_event);
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();  // Ctrl-C in a notebook
    if (ended) {
      if (thread_.joinable()) {
        py::gil_scoped_release release;
        thread_.join();
      }
      return true;
    }
    double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (timeout_s >= 0 && waited >= timeout_s) return false;
  }
}

void RunHandle::cancel() {
  py::gil_scoped_release release;
  unwrap(agent::cancel_run(config_, run_id_));
}

void RunHandle::stop() { stop_.cancel(); }

json RunHandle::status() const {
  py::gil_scoped_release release;
  auto store = unwrap(store::Store::open(db_of(config_), store::OpenMode::existing));
  json j = store::to_json(unwrap(store::get_run(store, run_id_)));
  json ideas = json::object();
  for (const auto& i : unwrap(store::list_ideas(store, run_id_))) ideas[i.status] = ideas.value(i.status, 0) + 1;
  j["ideas"] = ideas;
  j["finished"] = done();
  return j;
}

json RunHandle::result() const {
  std::lock_guard lock(mu_);
  if (!finished_) throw Failure(Error{ErrorKind::invalid_input, "run " + run_id_ + " is still going: wait() first"});
  if (!outcome_->ok()) throw Failure(outcome_->error());
  const auto& s = outcome_->value();
  return {{"run_id", s.run_id}, {"status", s.status}, {"ideas", s.ideas}, {"done", s.done}, {"failed", s.failed},
          {"skipped", s.skipped}, {"parked", s.parked}, {"papers_finished", s.papers_finished},
          {"papers_unverified", s.papers_unverified}, {"cost_usd", s.cost_usd}, {"seconds", s.seconds},
          {"message", s.message}};
}

}  // namespace shoal::python
