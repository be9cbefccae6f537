// shoal run TEMPLATE, shoal resume RUN, shoal status [RUN], shoal list, shoal cancel RUN.
#include <signal.h>
#include <unistd.h>

#include <iomanip>
#include <iostream>

#include "agent/orchestrator.hpp"
#include "cli/command.hpp"
#include "cli/progress_display.hpp"
#include "core/time.hpp"
#include "experiments/template_lookup.hpp"
#include "store/ideas.hpp"
#include "store/records.hpp"
#include "store/runs.hpp"
#include "store/stages.hpp"

#ifndef SHOAL_TEMPLATES_DIR
#define SHOAL_TEMPLATES_DIR ""
#endif

namespace shoal::cli {
namespace fs = std::filesystem;
namespace {

struct RunArgs {
  std::string tpl, run_id, model, search, executor, seed_ideas;
  int ideas = 0, parallel = 0, generate = 0, idea_batch = 1, max_runs = 3, max_nodes = 8;
  double budget = -1;
  bool smoke = false, no_paper = false, no_plots = false, no_novelty = false, json = false;
};

experiments::CancelToken* stop_token = nullptr;
extern "C" void on_stop(int) {
  if (stop_token) stop_token->cancel();
}

}  // namespace

// A template argument: a folder, or the name of one of Shoal's bundled templates (command.hpp).
fs::path resolve_template(const std::string& arg) {
  return experiments::find_template(arg, {fs::path("templates"), fs::path(SHOAL_TEMPLATES_DIR)}).value();
}

namespace {

int drive(Context& ctx, const std::string& run_id, std::optional<double> budget) {
  experiments::CancelToken stop;
  stop_token = &stop;
  struct sigaction sa {};
  sa.sa_handler = on_stop;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  ProgressDisplay display(ctx.db_path(), run_id, ::isatty(STDOUT_FILENO) == 1);
  agent::DriveOptions options;
  options.progress = [&](const agent::ProgressNote& n) { display.note(n); };
  options.stop = &stop;
  options.budget_usd = budget;
  auto summary = agent::drive_run(ctx.config(), run_id, options).value();
  display.finish(summary);
  stop_token = nullptr;
  if (summary.status == "done" || summary.status == "cancelled") return 0;
  if (summary.status == "paused") return exit_code(ErrorKind::cancelled);
  return 1;
}

int run_new(Context& ctx, const RunArgs& a) {
  const Config& c = ctx.config();
  agent::RunOptions o;
  o.template_dir = resolve_template(a.tpl);
  o.model = a.model.empty() ? c.get("model") : a.model;
  o.ideas = a.ideas > 0 ? a.ideas : static_cast<int>(c.get_int("ideas"));
  o.generate = a.generate;
  o.parallel = a.parallel > 0 ? a.parallel : static_cast<int>(c.get_int("parallel"));
  o.budget_usd = a.budget >= 0 ? a.budget : c.get_double("budget_usd");
  std::string search = a.search.empty() ? c.get("search") : a.search;
  if (search != "linear" && search != "tree")
    throw ShoalError(fail(ErrorKind::invalid_input, "--search must be linear or tree, not '" + search + "'"));
  o.search = search == "tree" ? agent::SearchMode::tree : agent::SearchMode::linear;
  o.executor = a.executor.empty() ? c.get("executor") : a.executor;
  if (o.executor != "local" && o.executor != "slurm")
    throw ShoalError(fail(ErrorKind::invalid_input, "--executor must be local or slurm, not '" + o.executor + "'"));
  if (!a.seed_ideas.empty()) {
    if (!fs::is_regular_file(a.seed_ideas))
      throw ShoalError(fail(ErrorKind::not_found, "--seed-ideas: no file " + a.seed_ideas));
    o.seed_ideas = fs::absolute(a.seed_ideas);
  }
  if (a.idea_batch < 1) throw ShoalError(fail(ErrorKind::invalid_input, "--idea-batch must be at least 1"));
  o.idea_batch = a.idea_batch;
  o.max_runs = a.max_runs;
  o.max_nodes = a.max_nodes;
  o.smoke = a.smoke;
  o.paper = !a.no_paper;
  o.plots = !a.no_plots;
  o.novelty = !a.no_novelty;
  auto run = agent::create_run(ctx.config(), o).value();
  std::cout << "run " << run.id << " (" << run.template_name << ", model " << run.model << ")\n";
  if (o.model == "offline")
    std::cout << "model offline: the no-LLM baseline agent (one-knob sweeps from template.json, run for real)\n";
  std::cout.flush();
  return drive(ctx, run.id, std::nullopt);
}

std::string when(const std::optional<int64_t>& ms) { return ms ? iso8601(*ms) : "-"; }

int show_status(Context& ctx, const RunArgs& a) {
  auto store = ctx.open_store(store::OpenMode::read_only);
  std::string id = a.run_id;
  if (id.empty()) {
    auto runs = store::list_runs(store).value();
    if (runs.empty()) {
      std::cout << "no runs yet (start one with shoal run TEMPLATE)\n";
      return 0;
    }
    id = runs.front().id;
  }
  auto run = store::get_run(store, id).value();
  auto ideas = store::list_ideas(store, id).value();
  auto stages = store::list_stages(store, id).value();
  if (a.json) {
    nlohmann::json j = store::to_json(run);
    j["ideas"] = store::to_json(ideas);
    j["stages"] = store::to_json(stages);
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << "run " << run.id << "  " << run.status << "  template " << run.template_name << "  model " << run.model
            << "\n  created " << when(run.created_ms) << "  started " << when(run.started_ms) << "  ended "
            << when(run.ended_ms) << "\n  LLM cost $" << std::fixed << std::setprecision(4) << run.cost_usd
            << (run.budget_usd > 0 ? " of $" + std::to_string(run.budget_usd) : std::string()) << "\n";
  if (!run.error.empty()) std::cout << "  " << run.error << "\n";
  std::cout << "\n  " << std::left << std::setw(5) << "rank" << std::setw(30) << "idea" << std::setw(10) << "status"
            << std::setw(13) << "stage" << "best metric\n";
  for (const auto& i : ideas)
    std::cout << "  " << std::setw(5) << (i.rank ? std::to_string(*i.rank) : "-") << std::setw(30)
              << i.name.substr(0, 29) << std::setw(10) << i.status << std::setw(13) << i.stage
              << (i.best_metric ? std::to_string(*i.best_metric) : "-") << "\n";
  for (const auto& s : stages)
    if (s.status == "failed")
      std::cout << "  failed: " << (s.idea_id.empty() ? "run" : s.idea_id) << " " << s.stage << ": "
                << s.error.substr(0, 300) << "\n";
  return 0;
}

int list_runs(Context& ctx, const RunArgs& a) {
  auto store = ctx.open_store(store::OpenMode::read_only);
  auto runs = store::list_runs(store).value();
  if (a.json) {
    std::cout << store::to_json(runs).dump(2) << "\n";
    return 0;
  }
  if (runs.empty()) std::cout << "no runs yet (start one with shoal run TEMPLATE)\n";
  for (const auto& r : runs) {
    auto ideas = store::list_ideas(store, r.id).value();
    int done = static_cast<int>(std::count_if(ideas.begin(), ideas.end(), [](auto& i) { return i.status == "done"; }));
    std::cout << std::left << std::setw(34) << r.id << std::setw(10) << r.status << std::setw(14) << r.template_name
              << std::setw(26) << r.model.substr(0, 25) << done << "/" << ideas.size() << " ideas done  $" << std::fixed
              << std::setprecision(4) << r.cost_usd << "  " << iso8601(r.created_ms) << "\n";
  }
  return 0;
}

}  // namespace

void add_run_commands(CLI::App& app, Commands& commands) {
  static RunArgs a;
  auto* run = app.add_subcommand("run", "Start a research run on a template and drive it to the end");
  run->add_option("TEMPLATE", a.tpl, "Template folder, or a bundled template name")->required();
  run->add_option("--ideas", a.ideas, "Ideas carried through experiments and paper (default: setting ideas)");
  run->add_option("--generate", a.generate, "Ideas generated before ranking (default: twice --ideas)");
  run->add_option("--model", a.model, "offline, openai:MODEL, anthropic:MODEL, ollama:MODEL, replay:... (default: setting model)");
  run->add_option("--parallel", a.parallel, "Ideas advanced at once (default: setting parallel)");
  run->add_option("--idea-batch", a.idea_batch,
                  "Ideas drafted at once; each batch sees the earlier ones (1: one by one, as AI-Scientist)")
      ->capture_default_str();
  run->add_option("--budget", a.budget, "Dollar budget of the run's LLM calls (default: setting budget_usd)");
  run->add_option("--search", a.search, "linear (AI-Scientist v1) or tree (best-first over code versions)");
  run->add_option("--executor", a.executor, "local or slurm (default: setting executor)");
  run->add_option("--seed-ideas", a.seed_ideas, "JSON list of ideas to start from (default: the template's)");
  run->add_option("--max-runs", a.max_runs, "Linear search: experiment runs per idea")->capture_default_str();
  run->add_option("--max-nodes", a.max_nodes, "Tree search: nodes per idea")->capture_default_str();
  run->add_flag("--smoke", a.smoke, "Run experiments with the template's smoke_args (seconds each: tests, demos)");
  run->add_flag("--no-paper", a.no_paper, "Stop after experiments and plots");
  run->add_flag("--no-plots", a.no_plots, "Skip the plot stage (and so the paper's figures)");
  run->add_flag("--no-novelty", a.no_novelty, "Skip the literature novelty check");
  commands.add(run, [](Context& ctx) { return run_new(ctx, a); });

  auto* resume = app.add_subcommand("resume", "Continue a run after any stop (Ctrl-C, crash, kill, reboot, budget)");
  resume->add_option("RUN", a.run_id, "Run id (shoal list)")->required();
  resume->add_option("--budget", a.budget, "A new dollar budget for the run");
  commands.add(resume, [](Context& ctx) {
    return drive(ctx, a.run_id, a.budget >= 0 ? std::optional<double>(a.budget) : std::nullopt);
  });

  auto* status = app.add_subcommand("status", "Where a run stands (default: the newest run)");
  status->add_option("RUN", a.run_id, "Run id");
  status->add_flag("--json", a.json, "Print JSON");
  commands.add(status, [](Context& ctx) { return show_status(ctx, a); });

  auto* list = app.add_subcommand("list", "All runs, newest first");
  list->add_flag("--json", a.json, "Print JSON");
  commands.add(list, [](Context& ctx) { return list_runs(ctx, a); });

  auto* cancel = app.add_subcommand("cancel", "Cancel a run; a running orchestrator stops within a second");
  cancel->add_option("RUN", a.run_id, "Run id")->required();
  commands.add(cancel, [](Context& ctx) {
    agent::cancel_run(ctx.config(), a.run_id).value();
    std::cout << "run " << a.run_id << " cancelled\n";
    return 0;
  });
}

}  // namespace shoal::cli
