// The stage sequence of a run, as the orchestrator drives it:
//   run level:  baseline -> ideas -> novelty (each idea, concurrently) -> rank
//   per idea:   experiments -> plots -> paper -> review   (`parallel` ideas at once)
// Each step is a run_stage() call, so a resumed run skips what is done.
#pragma once

#include "agent/stage_context.hpp"
#include "store/ideas.hpp"

namespace shoal::agent {

// Errors that park an idea for a resume rather than fail it, and stop the run: a stop, the
// budget, the environment (a full disk, a read-only store), a provider that refused the key,
// and a transient failure (a provider or service down or overloaded past the call's patience).
bool parks(const Error& e);

// Runs every stage that is not done yet. An idea's failure is recorded on the idea and the
// others go on; the result is an error only for run-level failures, a stop (cancelled) or
// the budget (budget_exceeded).
Status run_pipeline(StageContext& ctx);

// The per-idea part: experiments, plots, paper, review. Sets the idea's final status
// (done, failed) or parks it (budget, stop); returns the error that parked it.
Status run_idea(StageContext& ctx, const store::Idea& idea);

}  // namespace shoal::agent
