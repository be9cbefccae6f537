// The native part of the Python module `shoal` (shoal._native). The package's __init__.py
// wraps it: frames, keyword arguments, docstrings. Records cross as JSON text (json.loads on
// the Python side), errors as shoal.Error subclasses (errors.hpp).
#include <filesystem>
#include <map>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "llm/client.hpp"
#include "agent/stages/ideas.hpp"
#include "agent/papers/reviewer.hpp"
#include "core/file.hpp"
#include "core/scratch_dir.hpp"
#include "experiments/template_lookup.hpp"
#include "agent/session.hpp"
#include "paper/claims.hpp"
#include "python/errors.hpp"
#include "python/python_model.hpp"
#include "store/records.hpp"
#include "python/run_handle.hpp"
#include "store/db.hpp"
#include "store/runs.hpp"
#include "tools/literature.hpp"

namespace py = pybind11;
using nlohmann::json;
using namespace shoal;
using namespace shoal::python;
namespace fs = std::filesystem;

namespace {

// The settings for `home`, with `settings` (key -> value) given as on the command line.
Config config_for(const std::string& home, const std::map<std::string, std::string>& settings) {
  Config::Inputs in;
  in.cli = settings;
  in.cli["home"] = home;
  return unwrap(Config::resolve(in));
}

// A template folder, or the name of a bundled template, as an absolute path.
fs::path resolve_template(const std::string& arg) {
  return fs::absolute(unwrap(experiments::find_template(arg, {fs::path(SHOAL_TEMPLATES_DIR)})));
}

// One store connection for queries; every call reads the current state.
class StoreHandle {
 public:
  explicit StoreHandle(const std::string& home) : db_(store::db_path(home)) {
    py::gil_scoped_release release;
    store_ = std::make_unique<store::Store>(unwrap(store::Store::open(db_, store::OpenMode::existing)));
  }
  std::string path() const { return db_.string(); }
  std::string runs() { return query([&] { return store::to_json(unwrap(store::list_runs(*store_))); }); }
  std::string ideas(const std::string& run) {
    return query([&] { return store::to_json(unwrap(store::list_ideas(*store_, run))); });
  }
  std::string nodes(const std::string& idea) {
    return query([&] { return store::to_json(unwrap(store::list_nodes(*store_, idea))); });
  }
  std::string papers(const std::string& run) {
    return query([&] {
      json out = json::array();
      for (const auto& idea : unwrap(store::list_ideas(*store_, run)))
        for (const auto& p : unwrap(store::list_papers(*store_, idea.id))) out.push_back(store::to_json(p));
      return out;
    });
  }
  std::string reviews(const std::string& paper) {
    return query([&] { return store::to_json(unwrap(store::list_reviews(*store_, paper))); });
  }
  std::string llm_calls(const std::string& run) {
    return query([&] { return store::to_json(unwrap(store::list_llm_calls(*store_, run))); });
  }
  std::string artifacts(const std::string& owner_kind, const std::string& owner_id) {
    return query([&] { return store::to_json(unwrap(store::list_artifacts(*store_, owner_kind, owner_id))); });
  }
  py::bytes artifact(int64_t id) {
    std::string data = query_raw([&] {
      auto a = unwrap(store::get_artifact(*store_, id));
      return unwrap(store::get_blob(*store_, a.hash));
    });
    return py::bytes(data);
  }
  py::bytes paper_pdf(const std::string& paper_id) {
    std::string data = query_raw([&] {
      auto p = unwrap(store::get_paper(*store_, paper_id));
      if (p.pdf_hash.empty())
        throw Failure(Error{ErrorKind::not_found, "paper " + paper_id + " has no PDF (status " + p.status + ")"});
      return unwrap(store::get_blob(*store_, p.pdf_hash));
    });
    return py::bytes(data);
  }

 private:
  template <class F>
  std::string query(F f) {
    py::gil_scoped_release release;
    return f().dump();
  }
  template <class F>
  std::string query_raw(F f) {
    py::gil_scoped_release release;
    return f();
  }
  fs::path db_;
  std::unique_ptr<store::Store> store_;
};

std::unique_ptr<RunHandle> start_run(const std::string& home, const std::string& tpl, const std::string& options_json,
                                     const std::map<std::string, std::string>& settings, py::object model) {
  // The keyword arguments are settings on the command line's layer, like `shoal run`'s flags;
  // what the caller left out comes from the settings.
  std::map<std::string, std::string> values = settings;
  json options = json::parse(options_json);
  for (const auto& [key, value] : options.items())
    values[key] = value.is_string() ? value.get<std::string>() : value.dump();
  if (!model.is_none()) values["model"] = "function:python";
  Config config = config_for(home, values);
  agent::Session session(config);
  {
    py::gil_scoped_release release;
    if (!fs::exists(session.db_path())) unwrap(session.open_store(store::OpenMode::create));
  }
  std::optional<llm::FunctionModel> fn;
  if (!model.is_none()) fn = python_model(model);
  return std::make_unique<RunHandle>(std::move(config), resolve_template(tpl), fn);
}

std::string review_pdf(const std::string& home, const std::string& pdf_path, const std::string& model,
                       const std::map<std::string, std::string>& settings, py::object fn, int ensemble,
                       int reflections, int page_images) {
  agent::Session session(config_for(home, settings));
  agent::ClientSpec spec;
  spec.model = fn.is_none() ? (model.empty() ? session.config().get("model") : model) : "function:python";
  if (spec.model == "offline")
    throw Failure(Error{ErrorKind::invalid_input, "review needs an LLM: give model= (openai:MODEL, ...) or a "
                                                  "shoal.PythonModel; the offline agent writes no reviews"});
  if (!fn.is_none()) spec.function = python_model(fn);
  py::gil_scoped_release release;
  auto pdf = unwrap(read_file(pdf_path));
  auto client = unwrap(session.client(spec));  // no home: nothing recorded, no response cache
  auto executor = unwrap(session.executor("local"));
  agent::ReviewOptions review = agent::review_options(agent::run_settings(session.config()));
  if (ensemble > 0) review.ensemble = ensemble;
  if (reflections >= 0) review.reflections = reflections;
  if (page_images >= 0) review.page_images = page_images;
  auto scratch = unwrap(ScratchDir::create("shoal-review-"));
  review.work_dir = scratch->path() / "pdf";
  auto set = unwrap(agent::review_pdf(*client, *executor, pdf, review));
  return set.to_json().dump();
}

// The idea stage alone: a run (status done, "ideas only") whose ideas the model generates
// with its reflection rounds, archive-aware like any run of the template.
std::string generate_ideas(const std::string& home, const std::string& tpl, int n, int reflections,
                           const std::string& model, const std::map<std::string, std::string>& settings, py::object fn) {
  if (n < 1) throw Failure(Error{ErrorKind::invalid_input, "generate_ideas: n must be at least 1"});
  std::map<std::string, std::string> values = settings;
  values["ideas"] = values["generate"] = std::to_string(n);
  values["reflections"] = std::to_string(std::max(0, reflections));
  values["novelty"] = values["paper"] = values["plots"] = "false";
  if (!fn.is_none()) values["model"] = "function:python";
  else if (!model.empty()) values["model"] = model;
  agent::Session session(config_for(home, values));
  agent::RunSettings settings_in_force = agent::run_settings(session.config());
  if (settings_in_force.model == "offline")
    throw Failure(Error{ErrorKind::invalid_input, "generate_ideas needs an LLM: give model= or a shoal.PythonModel "
                                                  "(the offline agent's ideas are the template's knobs)"});
  fs::path template_dir = resolve_template(tpl);
  llm::FunctionModel function;
  if (!fn.is_none()) function = python_model(fn);
  py::gil_scoped_release release;
  if (!fs::exists(session.db_path())) unwrap(session.open_store(store::OpenMode::create));
  auto run = unwrap(agent::create_run(session.config(), template_dir));
  auto store = unwrap(session.open_store(store::OpenMode::existing));
  auto client = unwrap(session.client({.model = run.model, .run_id = run.id, .budget_usd = run.budget_usd,
                                       .function = function}));
  auto executor = unwrap(session.executor("local"));
  auto loaded = unwrap(experiments::load_template(template_dir));
  experiments::CancelToken never;
  agent::StageContext ctx{store, session.db_path(), client.get(), *executor, loaded, run.id, settings_in_force,
                          session.work_root(run.id), never, [](const agent::ProgressNote&) {},
                          tools::literature_options(session.config())};
  auto ideas = agent::run_ideas(ctx, {});
  unwrap(store::set_run_status(store, run.id, ideas.ok() ? "done" : "failed",
                               ideas.ok() ? "ideas only (shoal.generate_ideas)" : ideas.error().message));
  return store::to_json(unwrap(std::move(ideas)).ideas).dump();
}

std::string check_claims(const std::string& tex, const std::vector<double>& known) {
  auto report = paper::check_claims(tex, known);
  auto claims = [](const std::vector<paper::Claim>& list) {
    json out = json::array();
    for (const auto& c : list)
      out.push_back({{"text", c.text}, {"value", c.value}, {"percent", c.percent}, {"section", c.section},
                     {"context", c.context}});
    return out;
  };
  return json{{"checked", claims(report.checked)}, {"unmatched", claims(report.unmatched)}}.dump();
}

}  // namespace

PYBIND11_MODULE(_native, m) {
  m.doc() = "Shoal's native core (use the `shoal` package)";
  register_errors(m);
  m.attr("templates_dir") = std::string(SHOAL_TEMPLATES_DIR);

  py::class_<StoreHandle>(m, "Store")
      .def(py::init<const std::string&>())
      .def_property_readonly("path", &StoreHandle::path)
      .def("runs", &StoreHandle::runs)
      .def("ideas", &StoreHandle::ideas)
      .def("nodes", &StoreHandle::nodes)
      .def("papers", &StoreHandle::papers)
      .def("reviews", &StoreHandle::reviews)
      .def("llm_calls", &StoreHandle::llm_calls)
      .def("artifacts", &StoreHandle::artifacts)
      .def("artifact", &StoreHandle::artifact)
      .def("paper_pdf", &StoreHandle::paper_pdf);

  py::class_<RunHandle>(m, "RunHandle")
      .def_property_readonly("run_id", &RunHandle::run_id)
      .def("wait", &RunHandle::wait)
      .def("done", &RunHandle::done)
      .def("cancel", &RunHandle::cancel)
      .def("stop", &RunHandle::stop)
      .def("status", [](const RunHandle& h) { return h.status().dump(); })
      .def("result", [](const RunHandle& h) { return h.result().dump(); });

  m.def("start_run", &start_run);
  m.def("review_pdf", &review_pdf);
  m.def("check_claims", &check_claims);
  m.def("generate_ideas", &generate_ideas);
}
