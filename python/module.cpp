// The native part of the Python module `shoal` (shoal._native). The package's __init__.py
// wraps it: frames, keyword arguments, docstrings. Records cross as JSON text (json.loads on
// the Python side), errors as shoal.Error subclasses (errors.hpp).
#include <filesystem>
#include <map>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "llm/client.hpp"
#include "agent/stages/ideas.hpp"
#include "agent/stages/review.hpp"
#include "core/file.hpp"
#include "core/scratch_dir.hpp"
#include "experiments/template_lookup.hpp"
#include "experiments/local_executor.hpp"
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
  explicit StoreHandle(const std::string& home) : db_(fs::path(home) / "shoal.db") {
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
  Config config = config_for(home, settings);
  {
    py::gil_scoped_release release;
    if (!fs::exists(fs::path(home) / "shoal.db"))
      unwrap(store::Store::open(fs::path(home) / "shoal.db", store::OpenMode::create));
  }
  json j = json::parse(options_json);
  // What the caller left out comes from the settings, as for `shoal run`.
  if (!j.contains("model")) j["model"] = model.is_none() ? config.get("model") : "function:python";
  if (!j.contains("ideas")) j["ideas"] = config.get_int("ideas");
  if (!j.contains("parallel")) j["parallel"] = config.get_int("parallel");
  if (!j.contains("budget_usd")) j["budget_usd"] = config.get_double("budget_usd");
  if (!j.contains("search")) j["search"] = config.get("search");
  agent::RunOptions options;
  agent::from_json(j, options);
  options.template_dir = resolve_template(j.value("template_dir", tpl));
  std::optional<llm::FunctionModel> fn;
  if (!model.is_none()) fn = python_model(model);
  return std::make_unique<RunHandle>(std::move(config), std::move(options), fn);
}

std::string review_pdf(const std::string& home, const std::string& pdf_path, const std::string& model,
                       const std::map<std::string, std::string>& settings, py::object fn, int ensemble,
                       int reflections, int page_images) {
  Config config = config_for(home, settings);
  llm::ClientOptions options = llm::client_options(config);
  options.model = fn.is_none() ? (model.empty() ? config.get("model") : model) : "function:python";
  if (options.model == "offline")
    throw Failure(Error{ErrorKind::invalid_input, "review needs an LLM: give model= (openai:MODEL, ...) or a "
                                                  "shoal.PythonModel; the offline agent writes no reviews"});
  if (!fs::exists(fs::path(home) / "shoal.db")) options.db_path.clear();
  if (!fn.is_none()) options.function = python_model(fn);
  py::gil_scoped_release release;
  auto pdf = unwrap(read_file(pdf_path));
  auto client = unwrap(llm::Client::create(options));
  experiments::LocalExecutor executor(static_cast<int>(config.get_int("executor_slots")));
  agent::ReviewOptions review = agent::review_options(config);
  if (ensemble > 0) review.ensemble = ensemble;
  if (reflections >= 0) review.reflections = reflections;
  if (page_images >= 0) review.page_images = page_images;
  auto scratch = unwrap(ScratchDir::create("shoal-review-"));
  review.work_dir = scratch->path() / "pdf";
  auto set = unwrap(agent::review_pdf(*client, executor, pdf, review));
  return set.to_json().dump();
}

// The idea stage alone: a run (status done, "ideas only") whose ideas the model generates
// with its reflection rounds, archive-aware like any run of the template.
std::string generate_ideas(const std::string& home, const std::string& tpl, int n, int reflections,
                           const std::string& model, const std::map<std::string, std::string>& settings, py::object fn) {
  Config config = config_for(home, settings);
  agent::RunOptions o;
  o.template_dir = resolve_template(tpl);
  o.model = fn.is_none() ? (model.empty() ? config.get("model") : model) : "function:python";
  if (o.model == "offline")
    throw Failure(Error{ErrorKind::invalid_input, "generate_ideas needs an LLM: give model= or a shoal.PythonModel "
                                                  "(the offline agent's ideas are the template's knobs)"});
  if (n < 1) throw Failure(Error{ErrorKind::invalid_input, "generate_ideas: n must be at least 1"});
  o.ideas = o.generate = n;
  o.reflections = std::max(0, reflections);
  o.novelty = o.paper = o.plots = false;
  o.budget_usd = config.get_double("budget_usd");
  std::optional<llm::FunctionModel> function;
  if (!fn.is_none()) function = python_model(fn);
  py::gil_scoped_release release;
  fs::path db = fs::path(home) / "shoal.db";
  if (!fs::exists(db)) unwrap(store::Store::open(db, store::OpenMode::create));
  auto run = unwrap(agent::create_run(config, o));
  auto store = unwrap(store::Store::open(db, store::OpenMode::existing));
  llm::ClientOptions co = llm::client_options(config);
  co.model = o.model;
  co.db_path = db;
  co.run_id = run.id;
  if (o.budget_usd > 0) co.budget_usd = o.budget_usd;
  if (function) co.function = *function;
  auto client = unwrap(llm::Client::create(co));
  experiments::LocalExecutor executor(static_cast<int>(config.get_int("executor_slots")));
  auto loaded = unwrap(experiments::load_template(o.template_dir));
  experiments::CancelToken never;
  agent::RunContext ctx{store, db, client.get(), executor, loaded, run.id, o, fs::path(home) / "work" / run.id, never,
                        [](const agent::ProgressNote&) {}, tools::literature_options(config)};
  ctx.config = &config;
  auto ideas = agent::generate_ideas(ctx);
  unwrap(store::set_run_status(store, run.id, ideas.ok() ? "done" : "failed",
                               ideas.ok() ? "ideas only (shoal.generate_ideas)" : ideas.error().message));
  return store::to_json(unwrap(std::move(ideas))).dump();
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
