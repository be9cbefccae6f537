#include "agent/search/strategy.hpp"

#include "agent/search/evolve.hpp"
#include "agent/search/knob_evolve.hpp"
#include "agent/search/linear.hpp"
#include "agent/search/sweep.hpp"
#include "agent/search/tree.hpp"

namespace shoal::agent {

const std::vector<SearchStrategy>& search_strategies() {
  static const std::vector<SearchStrategy> all = {
      {"linear", "AI-Scientist v1: up to max_runs runs in one line, each edited from the last", run_linear_search, nullptr},
      {"tree", "AIDE / AI-Scientist v2: best-first tree of drafts, debugs and improvements", run_tree_search, nullptr},
      {"sweep", "the offline agent: one knob of template.json at each of its values", nullptr, run_sweep},
      {"evolve",
       "islands of programs and a MAP-Elites archive; the model mutates one parent or crosses two, near-duplicates are "
       "rejected before they run, a bandit picks among several models (--model a,b,c)",
       run_evolve, run_knob_evolve,
       "the offline agent with --search evolve: a genetic algorithm over combinations of the knobs' values"},
  };
  return all;
}

const SearchStrategy* find_search_strategy(std::string_view name) {
  for (const auto& s : search_strategies())
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace shoal::agent
