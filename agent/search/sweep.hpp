// The offline agent's search (--model offline, the default with no LLM configured): no model
// at all. Its ideas are one-knob sweeps declared in the template's template.json, or, for a
// template without them, the argparse flags `experiment.py --help` shows (the ideas stage
// makes them); this search runs a sweep for real in the sandbox. It is the no-LLM
// baseline of the pipeline and a smoke run of the whole machine, and says so in what it stores.
#pragma once

#include "agent/search/outcome.hpp"
#include "agent/stage_context.hpp"
#include "store/ideas.hpp"

namespace shoal::agent {

// A knob's name without its dashes ("--lr" -> "lr").
std::string knob_name(const std::string& flag);
// A knob value as experiment.py gets it ("cosine", 0.1).
std::string value_text(const nlohmann::json& v);

// For a template that declares no knobs: sets tpl's knobs to those its `experiment.py --help`
// shows (numeric flags with defaults, flags with choices: experiments::discover_knobs), run in
// the sandbox by `executor` in `scratch`. Leaves them empty when there are none, or when
// --help fails (a warning says why), so the ideas stage's message about knobs stands.
void knobs_from_argparse(experiments::Template& tpl, experiments::Executor& executor, const std::filesystem::path& scratch);

// Runs the idea's knob at each of its values (run_1..run_K) from a copy of the template,
// one node per value (kind "sweep"); the baseline (run_0) is the template's stored baseline.
Expected<ExperimentOutcome> run_sweep(StageContext& ctx, const store::Idea& idea);

}  // namespace shoal::agent
