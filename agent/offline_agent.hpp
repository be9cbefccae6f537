// The offline baseline agent (--model offline, the default with no LLM configured): no
// model at all. Its ideas are one-knob sweeps declared in the template's template.json;
// its experiments run those sweeps for real in the sandbox. It is the no-LLM baseline of
// the pipeline and a smoke run of the whole machine, and says so in what it stores.
#pragma once

#include <vector>

#include "agent/run_context.hpp"
#include "agent/stages/outcome.hpp"
#include "store/ideas.hpp"

namespace shoal::agent {

// One idea per knob of the manifest ("sweep_weight_decay"), ranked in manifest order;
// stored once (a rerun keeps the ideas already stored). invalid_input when the template
// declares no knobs (the offline agent has nothing to study then).
Expected<std::vector<store::Idea>> offline_ideas(RunContext& ctx);

// Runs the idea's knob at each of its values (run_1..run_K) from a copy of the template,
// one node per value (kind "sweep"); the baseline (run_0) is the template's stored baseline.
Expected<ExperimentOutcome> run_sweep(RunContext& ctx, const store::Idea& idea);

}  // namespace shoal::agent
