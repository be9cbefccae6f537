// Research templates: a folder with experiment.py, plot.py, prompt.json, seed_ideas.json,
// latex/template.tex and an optional template.json manifest (templates/README.md has the
// contract). This file loads and checks them; running them goes through an Executor.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/expected.hpp"
#include "experiments/executor.hpp"
#include "experiments/final_info.hpp"

namespace shoal::experiments {

struct Knob {
  std::string flag;                    // "--weight_decay"
  std::vector<nlohmann::json> values;  // values worth sweeping
  nlohmann::json baseline;             // the value the baseline uses (null: the script's default)
  std::string description;
};

struct TemplateManifest {
  std::string name;  // defaults to the folder name
  std::string description;
  std::string interpreter = "/usr/bin/python3";
  double timeout_s = 7200;
  int cpus = 1;                          // CPU slots one experiment run takes (executor_slots has them)
  double expected_runtime_s = 0;
  std::string metric;                    // empty: the first metric of the first condition
  std::optional<std::string> condition;  // empty: the mean over conditions
  bool higher_is_better = true;
  std::optional<double> metric_bound;    // the metric's value when its target was never reached (censored)
  std::string metric_bound_flag;         // set: the bound is this flag's value in a run's command (metric_bound its default)
  int seeds = 1;
  std::vector<Knob> knobs;
  std::vector<std::string> smoke_args;   // extra flags for a run of seconds (tests)
  std::vector<std::string> editable = {"experiment.py", "plot.py"};
  // Files the agent may never change (evaluation code): left out of `editable`, and a run
  // whose copy of one differs from the template's after it ran counts as failed.
  std::vector<std::string> sealed;
  bool from_file = false;                // false: no template.json, all defaults
};

// The censoring bound of the metric in a run made by `command` (a node's stored command): the
// value of the manifest's metric_bound flag there ("--num_steps 30" or "--num_steps=30"), else
// its default; nullopt when the template declares no bound.
std::optional<double> metric_bound_of(const TemplateManifest& manifest, const std::string& command);

struct Template {
  std::filesystem::path dir;
  TemplateManifest manifest;
  std::string hash;  // content hash of the template's files (see template_hash)
};

// SHA-256 over the sorted relative paths and contents of the template's files, leaving
// out run_* folders, __pycache__ and *.pyc: a new hash means a new baseline.
Expected<std::string> template_hash(const std::filesystem::path& dir);

// Reads the manifest (or the defaults) and the hash. Errors name the file and, for bad
// JSON, the line and column.
Expected<Template> load_template(const std::filesystem::path& dir);

// One problem `shoal template check` found: the file (or step) and what is wrong.
struct TemplateProblem {
  std::string where;
  std::string message;
};

// Checks that need no running: required files exist, JSON files parse and have the
// expected shape (prompt.json keys, seed_ideas.json a list of ideas, the manifest).
std::vector<TemplateProblem> check_template_files(const std::filesystem::path& dir);

// Copies the template's files (not run_* folders) into `workdir`, which must be empty or
// missing; the copy is what a sandboxed run sees and may change.
Status copy_template(const Template& tpl, const std::filesystem::path& workdir);

// The job that runs `experiment.py --out_dir <out_dir> [args]` in `workdir` under the
// template's interpreter and timeout.
JobSpec experiment_job(const Template& tpl, const std::filesystem::path& workdir, const std::string& out_dir,
                       const std::vector<std::string>& args);

// Checks that run things in the sandbox: every knob flag appears in `experiment.py --help`,
// latex/template.tex compiles with pdflatex, and (when `run_smoke`) a run with the smoke
// arguments writes a final_info.json of the right shape that reports the manifest's metric.
// `smoke_final_info`, when given, receives the smoke run's final_info.json text ("" when none).
std::vector<TemplateProblem> check_template_runs(const Template& tpl, Executor& executor,
                                                 const std::filesystem::path& scratch, bool run_smoke,
                                                 std::string* smoke_final_info = nullptr);

// The sealed files of `workdir` (a run's copy of the template) whose content is not the
// template's (a missing file counts as changed).
std::vector<std::string> changed_sealed_files(const Template& tpl, const std::filesystem::path& workdir);

// The knobs an argparse experiment.py shows in its `--help` (for templates without
// template.json's "knobs"): each flag whose default is a number (swept at a quarter, half,
// twice and four times it; 0.001 to 0.1 from a default of 0.0, 1 to 4 from 0) and each flag
// with choices (every choice), the default as the baseline. Flags without a value (switches),
// with a text default, or naming outputs, seeds, paths or devices are left out. Defaults are
// read from "(default: X)", which argparse.ArgumentDefaultsHelpFormatter (or a help string
// with %(default)s) prints.
std::vector<Knob> knobs_from_help(std::string_view help);

// Runs `experiment.py --help` in the sandbox (in a copy of the template under `scratch`)
// and reads its knobs (knobs_from_help); an error when --help itself fails.
Expected<std::vector<Knob>> discover_knobs(const Template& tpl, Executor& executor, const std::filesystem::path& scratch);

// Whether metric value `a` beats `b` under the metric's direction (strictly: a tie does not).
// The one comparison every search, the evidence and the paper use.
inline bool metric_better(double a, double b, bool higher_is_better) { return higher_is_better ? a > b : a < b; }

}  // namespace shoal::experiments
