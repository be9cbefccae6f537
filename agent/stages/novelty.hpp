// The novelty check (AI-Scientist's check_idea_novelty): in up to options.novelty_rounds
// rounds the model proposes a literature query, tools::search_papers answers it (Semantic
// Scholar, OpenAlex, arXiv with fallback; answers cached in the store), and the model
// decides "novel" or "not novel" with its reasons and the papers it compared against.
#pragma once

#include "agent/stage_context.hpp"
#include "store/ideas.hpp"

namespace shoal::agent {

// Checks the idea and stores the verdict with set_idea_novelty.
// The stored JSON: {"novel", "decision" ("novel", "not novel" or "undecided"), "decided_by"
// ("model", or "no_decision" when the rounds ran out: the idea is then kept as novel),
// "reasons", "rounds", "queries": [{"query", "engine", "from_cache", "results", "skipped"} or
// {"query", "error"}], "papers": [{"ref", "engine", "id", "title", "authors", "year", "venue",
// "url", "doi", "arxiv_id", "cited"}], "compared": [refs the model named], "engine" (the last
// engine that answered, "" if none), "literature_unreachable", "literature_errors"}.
// An unreachable literature does not fail the stage: the model is told and decides from what
// it has, the JSON says so, and the verdict is "unchecked (literature unreachable)" (an
// event and the progress line say it too). With the `novelty_required` setting it fails the
// stage instead (ErrorKind::remote), and the run stops. Other errors are the model's
// (budget_exceeded, cancelled, remote) and the store's.
using NoveltyIn = IdeaIn;

struct NoveltyOut {
  store::Idea idea;  // as stored after the check (as the stage output is stored: novel only)
  bool novel = true;
  std::string verdict;  // store::novelty_verdict: "novel", "not novel", "unchecked (literature unreachable)"
};

Expected<NoveltyOut> run_novelty(StageContext& ctx, const NoveltyIn& in);

}  // namespace shoal::agent
