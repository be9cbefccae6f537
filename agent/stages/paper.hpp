// The paper stage: an idea's stored evidence becomes a compiled LaTeX paper. With a model,
// the write-up (agent/papers/writeup.hpp: citation rounds, drafted and refined sections, a
// final pass, compile-and-fix rounds, the claim check); offline, the no-LLM paper written
// from the measured numbers (agent/papers/offline_paper.hpp). Every compile is stored as an
// attempt; the newest compiled one is the idea's paper.
#pragma once

#include "agent/papers/writeup.hpp"
#include "agent/stage_context.hpp"
#include "store/ideas.hpp"

namespace shoal::agent {

using PaperIn = IdeaIn;
// The newest compiled attempt and what the write-up did (as stored: ids, pages and counts).
using PaperOut = WriteupResult;

// Writes the paper in ctx.idea_dir(idea)/paper with the run's paper settings. Errors as
// write_paper's: invalid_input when no attempt compiled, the model's errors as they come.
Expected<PaperOut> run_paper(StageContext& ctx, const PaperIn& in);

}  // namespace shoal::agent
