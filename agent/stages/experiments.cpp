#include "agent/stages/experiments.hpp"

#include "agent/search/strategy.hpp"

namespace shoal::agent {

Expected<ExperimentsOut> run_experiments(StageContext& ctx, const ExperimentsIn& in) {
  // Offline: the evolution when asked for, else the one-knob sweep (whatever `search` says).
  std::string name = ctx.offline() ? (ctx.settings.search == "evolve" ? "evolve" : "sweep") : ctx.settings.search;
  const SearchStrategy* strategy = find_search_strategy(name);
  if (!strategy || (strategy->needs_model() && ctx.offline()))
    return fail(ErrorKind::invalid_input, "no experiment search named '" + name + "'");
  SearchFn search = strategy->for_run(!ctx.offline());
  if (!search)
    return fail(ErrorKind::invalid_input, "search '" + name + "' is the offline agent's; with a model use linear, tree or evolve");
  SHOAL_TRY(outcome, search(ctx, in.idea));
  SHOAL_CHECK(store::set_idea_best_metric(ctx.store, in.idea.id, outcome.best_metric));
  return outcome;
}

}  // namespace shoal::agent
