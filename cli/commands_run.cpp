// shoal run TEMPLATE, shoal resume RUN, shoal status [RUN], shoal list, shoal cancel RUN.
#include <signal.h>
#include <unistd.h>

#include <iomanip>
#include <iostream>
#include <sstream>

#include "agent/orchestrator.hpp"
#include "agent/settings.hpp"
#include "agent/stages/baseline.hpp"
#include "cli/command.hpp"
#include "cli/progress_display.hpp"
#include "cli/run_outcome.hpp"
#include "core/file.hpp"
#include "core/time.hpp"
#include "experiments/template_lookup.hpp"
#include "store/blobs.hpp"
#include "store/ideas.hpp"
#include "store/papers.hpp"
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
  std::string tpl, run_id;
  std::string paper_id, pdf_path;               // shoal open
  std::map<std::string, std::string> settings;  // `shoal run`'s flags, as settings (checked by the config table)
  double budget = -1;                           // resume --budget
  bool json = false;
  bool fresh = false;                           // new LLM calls bypass the response cache
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

int drive(Context& ctx, const std::string& run_id, std::optional<double> budget, bool fresh) {
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
  options.fresh = fresh;
  auto summary = agent::drive_run(ctx.config(), run_id, options).value();
  display.finish(summary);
  stop_token = nullptr;
  print_run_outcome(ctx, run_id, std::cout);
  if (summary.status == "done" || summary.status == "cancelled") return 0;
  if (summary.status == "paused") return exit_code(ErrorKind::cancelled);
  return 1;
}

int run_new(Context& ctx, const RunArgs& a) {
  Config config = ctx.config().with_cli(a.settings).value();
  auto run = agent::create_run(config, resolve_template(a.tpl)).value();
  std::cout << "run " << run.id << " (" << run.template_name << ", model " << run.model << ")\n";
  if (run.model == "offline")
    std::cout << "model offline: the no-LLM baseline agent (one-knob sweeps of template.json's knobs, or of the argparse flags experiment.py --help shows, run for real)\n";
  std::cout.flush();
  return drive(ctx, run.id, std::nullopt, a.fresh);
}

std::string when(const std::optional<int64_t>& ms) { return ms ? iso8601(*ms) : "-"; }

// Dollars with 4 decimal places ("$0.0183"), or for `short_cents` as few as 2 where the
// rest are zeros ("$10.00", "$0.7208").
std::string usd(double dollars, bool short_cents = false) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(4) << dollars;
  std::string text = out.str();
  while (short_cents && text.size() > 3 && text.back() == '0' && text[text.size() - 3] != '.') text.pop_back();
  return '$' + text;
}

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
    if (auto metric = agent::run_metric(store, id).value())
      j["metric"] = {{"name", metric->name}, {"higher_is_better", metric->higher_is_better},
                     {"source", metric->source}, {"direction_source", metric->direction_source}};
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << "run " << run.id << "  " << run.status << "  template " << run.template_name << "  model " << run.model
            << "\n  created " << when(run.created_ms) << "  started " << when(run.started_ms) << "  ended "
            << when(run.ended_ms) << "\n  LLM cost " << usd(run.cost_usd)
            << (run.budget_usd > 0 ? " of " + usd(run.budget_usd, true) : std::string()) << "\n";
  if (!run.error.empty()) std::cout << "  " << run.error << "\n";
  if (auto metric = agent::run_metric(store, id).value()) std::cout << "  metric: " << metric->describe() << "\n";
  std::cout << "\n  " << std::left << std::setw(5) << "rank" << std::setw(30) << "idea" << std::setw(10) << "status"
            << std::setw(13) << "stage" << std::setw(15) << "best metric" << "novelty\n";
  for (const auto& i : ideas)
    std::cout << "  " << std::setw(5) << (i.rank ? std::to_string(*i.rank) : "-") << std::setw(30)
              << i.name.substr(0, 29) << std::setw(10) << i.status << std::setw(13) << i.stage << std::setw(15)
              << (i.best_metric ? std::to_string(*i.best_metric) : "-") << store::novelty_verdict(i) << "\n";
  for (const auto& s : stages)
    if (s.status == "failed")
      std::cout << "  failed: " << (s.idea_id.empty() ? "run" : s.idea_id) << " " << s.stage << ": "
                << s.error.substr(0, 300) << "\n";
  print_run_outcome(ctx, id, std::cout);
  return 0;
}

// shoal open PAPER [PATH]: the paper's PDF written to PATH (default ./<paper-id>.pdf; a
// folder gets <paper-id>.pdf inside it); prints the path.
int open_paper(Context& ctx, const RunArgs& a) {
  auto store = ctx.open_store(store::OpenMode::read_only);
  auto paper = store::get_paper(store, a.paper_id);
  if (!paper.ok())
    throw ShoalError(fail(ErrorKind::not_found, "no paper " + a.paper_id +
                                                    " in " + ctx.db_path().string() +
                                                    " (`shoal status RUN` lists a run's papers)"));
  if (paper->pdf_hash.empty())
    throw ShoalError(fail(ErrorKind::not_found,
                          "paper " + paper->id + " has no PDF: this attempt " + paper->status +
                              (paper->error.empty() ? "" : " (" + paper->error.substr(0, 300) + ")") +
                              "; `shoal status` names the compiled paper of each idea"));
  fs::path path = a.pdf_path.empty() ? fs::path(paper->id + ".pdf") : fs::path(a.pdf_path);
  if (fs::is_directory(path)) path /= paper->id + ".pdf";
  auto pdf = store::get_blob(store, paper->pdf_hash).value();
  write_file_atomic(path, pdf).value();
  std::cout << fs::absolute(path).lexically_normal().string() << "\n";
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
  // Each flag is a setting on the command line's layer (as --set key=value), so the config
  // table checks it and the run stores it.
  auto setting = [run](const std::string& flag, const std::string& key, const std::string& help) {
    run->add_option_function<std::string>(flag, [key](const std::string& v) { a.settings[key] = v; }, help);
  };
  auto switch_flag = [run](const std::string& flag, const std::string& key, const std::string& value,
                           const std::string& help) {
    run->add_flag_callback(flag, [key, value] { a.settings[key] = value; }, help);
  };
  setting("--ideas", "ideas", "Ideas carried through experiments and paper (setting ideas)");
  setting("--generate", "generate", "Ideas generated before ranking (setting generate; 0: twice --ideas)");
  // --model a,b,c: the run's model is a; the evolution's bandit picks among all three (evolve_models).
  run->add_option_function<std::string>(
      "--model",
      [](const std::string& v) {
        auto models = agent::split_models(v);
        a.settings["model"] = models.empty() ? v : models.front();
        if (models.size() > 1) a.settings["evolve_models"] = v;
      },
      "offline, openai:MODEL, anthropic:MODEL, ollama:MODEL, replay:... (setting model); several, comma-separated, "
      "for --search evolve: the first is the run's model and a bandit picks among them per candidate (setting evolve_models)");
  setting("--parallel", "parallel", "Ideas advanced at once (setting parallel)");
  setting("--idea-batch", "idea_batch", "Ideas drafted at once; each batch sees the earlier ones (setting idea_batch)");
  setting("--budget", "budget_usd", "Dollar budget of the run's LLM calls (setting budget_usd)");
  setting("--search", "search", "linear (AI-Scientist v1), tree (best-first over code versions) or evolve (islands and "
                                "a MAP-Elites archive of programs the model mutates and crosses); offline: evolve (a "
                                "genetic algorithm over the template's knobs) instead of the one-knob sweep (setting search)");
  setting("--generations", "evolve_generations", "Evolve with a model: generations per idea (setting evolve_generations)");
  setting("--metric", "metric", "Headline metric as NAME:max or NAME:min (setting metric; default: template.json's, else inferred from the baseline)");
  setting("--executor", "executor", "local or slurm (setting executor)");
  setting("--seed-ideas", "seed_ideas", "JSON list of ideas to start from (setting seed_ideas; default: the template's)");
  setting("--max-runs", "max_runs", "Linear search: experiment runs per idea (setting max_runs)");
  setting("--max-nodes", "max_nodes", "Tree search: nodes per idea (setting max_nodes)");
  setting("--evolve-evaluations", "evolve_evaluations", "Offline evolve: experiment runs per idea (setting evolve_evaluations)");
  switch_flag("--smoke", "smoke", "true", "Run experiments with the template's smoke_args (seconds each: tests, demos)");
  switch_flag("--no-paper", "paper", "false", "Stop after experiments and plots");
  switch_flag("--no-plots", "plots", "false", "Skip the plot stage (and so the paper's figures)");
  switch_flag("--no-novelty", "novelty", "false", "Skip the literature novelty check");
  run->add_flag("--fresh", a.fresh, "Ask the model anew: calls bypass the response cache (answers are still recorded)");
  commands.add(run, [](Context& ctx) { return run_new(ctx, a); });

  auto* resume = app.add_subcommand("resume", "Continue a run after any stop (Ctrl-C, crash, kill, reboot, budget)");
  resume->add_option("RUN", a.run_id, "Run id (shoal list)")->required();
  resume->add_option("--budget", a.budget, "A new dollar budget for the run");
  resume->add_flag("--fresh", a.fresh, "Ask the model anew: new calls bypass the response cache (finished stages stay)");
  commands.add(resume, [](Context& ctx) {
    return drive(ctx, a.run_id, a.budget >= 0 ? std::optional<double>(a.budget) : std::nullopt, a.fresh);
  });

  auto* status = app.add_subcommand("status", "Where a run stands (default: the newest run)");
  status->add_option("RUN", a.run_id, "Run id");
  status->add_flag("--json", a.json, "Print JSON");
  commands.add(status, [](Context& ctx) { return show_status(ctx, a); });

  auto* list = app.add_subcommand("list", "All runs, newest first");
  list->add_flag("--json", a.json, "Print JSON");
  commands.add(list, [](Context& ctx) { return list_runs(ctx, a); });

  auto* open = app.add_subcommand("open", "Write a paper's PDF to a file and print its path");
  open->add_option("PAPER", a.paper_id, "Paper id (the end of shoal run, shoal status)")->required();
  open->add_option("PATH", a.pdf_path, "Where to write it (default ./PAPER.pdf; a folder: PAPER.pdf inside it)");
  commands.add(open, [](Context& ctx) { return open_paper(ctx, a); });

  auto* cancel = app.add_subcommand("cancel", "Cancel a run; a running orchestrator stops within a second");
  cancel->add_option("RUN", a.run_id, "Run id")->required();
  commands.add(cancel, [](Context& ctx) {
    agent::cancel_run(ctx.config(), a.run_id).value();
    std::cout << "run " << a.run_id << " cancelled\n";
    return 0;
  });
}

}  // namespace shoal::cli
