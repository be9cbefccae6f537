// A run's settings, typed: every per-run row of the config table (core/config.cpp) as a field.
// The orchestrator reads them once from the run's config (its snapshot, Config::for_run), so a
// resumed run goes on with the settings it started with; stages read only these fields.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/config.hpp"

namespace shoal::agent {

struct RunSettings {
  std::filesystem::path template_dir;  // not a setting: the run's template, stored beside the snapshot
  std::string model = "offline";       // "offline" = the no-LLM baseline agent
  double budget_usd = 10;
  // ideas
  int ideas = 3;             // ideas that proceed to experiments (the top N novel ones)
  int generate = 0;          // ideas to generate before ranking (0 = 2 * ideas)
  int reflections = 2;       // reflection rounds per generated idea
  int idea_batch = 1;        // ideas drafted at once; each batch sees the earlier ones
  std::filesystem::path seed_ideas;  // a JSON list of ideas to start from ("" = the template's)
  bool novelty = true;       // run the literature novelty check
  bool novelty_required = false;  // stop when the literature cannot be reached (else: ideas marked unchecked)
  int novelty_rounds = 3;    // literature search rounds per idea
  int parallel = 2;          // ideas in their experiment/paper stages at once
  // experiments
  std::string metric;        // "NAME:max|min" or "NAME"; "" = template.json's, else inferred
  std::string search = "linear";  // the search strategy's name (agent/search/strategy.hpp)
  std::string executor = "local";
  int max_runs = 3;          // linear: experiment runs per idea
  int max_attempts = 3;      // linear: attempts (edit + run) per experiment run
  int drafts = 2;            // tree: initial drafts from the template
  int max_nodes = 8;         // tree: nodes per idea, drafts included
  int max_debug_depth = 2;   // tree: consecutive debug nodes below a failing node
  int parallel_nodes = 2;    // tree and evolve: nodes run at once
  int evolve_evaluations = 24;  // offline evolve: experiment runs per idea (the baseline not counted)
  int evolve_population = 4;   // offline evolve: the fittest combinations parents are drawn from
  int evolve_seed = 1;         // offline evolve: seed of its random choices
  int evolve_generations = 6;  // LLM evolve: generations per idea
  int evolve_islands = 2;      // LLM evolve: islands
  int evolve_cells = 4;        // LLM evolve: bins per descriptor of the MAP-Elites archive
  std::string evolve_descriptors = "duration_s";  // LLM evolve: descriptor names, comma-separated
  double evolve_crossover = 0.25;   // LLM evolve: probability of a crossover
  double evolve_similarity = 0.95;  // LLM evolve: candidates more similar than this are rejected
  int evolve_migration_every = 2;   // LLM evolve: generations between migrations (0: never)
  bool evolve_overlap = false;     // LLM evolve: propose generation g+1 while g runs
  std::string evolve_models;        // LLM evolve: the bandit's models, comma-separated ("" = model)
  double evolve_budget_usd = 0;     // LLM evolve: one idea's dollars for candidates (0: no own cap)
  int seed_runs = 3;         // re-runs of the best two versions (env SHOAL_SEED = 1..N); best seed mean chosen
  bool smoke = false;        // experiments run with the template's smoke_args
  // plots, paper, review
  bool plots = true;
  int plot_review_images = 4;
  int plot_fix_rounds = 1;
  bool paper = true;         // write-up and review stages
  int citation_rounds = 3;
  int compile_rounds = 3;
  int page_limit = 0;
  double latex_timeout_s = 120;
  int paper_revisions = 0;
  int review_ensemble = 3;
  int review_reflections = 1;
  int review_page_images = 3;
  double review_accept_threshold = 6;
};

// The typed view of `config`'s per-run settings (template_dir left empty).
RunSettings run_settings(const Config& config);

// The items of a comma-separated setting (evolve_models, evolve_descriptors), spaces trimmed,
// empty ones and repeats left out.
std::vector<std::string> split_list(const std::string& text);
inline std::vector<std::string> split_models(const std::string& text) { return split_list(text); }

}  // namespace shoal::agent
