// The experiment searches, peers behind one interface: each takes an idea and returns what it
// found (ExperimentOutcome: the best node, the runs to plot). The experiments stage picks one
// by the `search` setting and whether the run has a model (the offline agent sweeps, or evolves the knobs with
// search=evolve; with a model, search=evolve evolves programs). Adding a search is adding its file pair under
// agent/search/ and a row in search_strategies().
#pragma once

#include <string_view>
#include <vector>

#include "agent/search/outcome.hpp"
#include "agent/stage_context.hpp"
#include "store/ideas.hpp"

namespace shoal::agent {

using SearchFn = Expected<ExperimentOutcome> (*)(StageContext& ctx, const store::Idea& idea);

// One row per `search` value; a search may have a form with a model, a form without (the offline
// agent), or both (evolve: the model's edits of programs, or a genetic algorithm over the knobs).
struct SearchStrategy {
  std::string_view name;         // the `search` setting's value; "sweep" is the offline agent's
  std::string_view description;  // one line, for `shoal config` and the README
  SearchFn with_model = nullptr;  // the search when the run has a model (null: none)
  SearchFn offline = nullptr;     // the search of the offline agent (null: none)
  std::string_view offline_description = {};  // the offline form, when it differs

  bool needs_model() const { return offline == nullptr; }
  SearchFn for_run(bool has_model) const { return has_model ? with_model : offline; }
};

// Every search, in display order.
const std::vector<SearchStrategy>& search_strategies();

// The search named `name`, or nullptr.
const SearchStrategy* find_search_strategy(std::string_view name);

}  // namespace shoal::agent
