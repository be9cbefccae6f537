#include "agent/settings.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace shoal::agent {
namespace {

// Which RunSettings field each per-run setting fills, by its type.
template <class T>
struct Field {
  const char* key;
  T RunSettings::*member;
};

constexpr Field<int> kInts[] = {
    {"ideas", &RunSettings::ideas},
    {"generate", &RunSettings::generate},
    {"reflections", &RunSettings::reflections},
    {"idea_batch", &RunSettings::idea_batch},
    {"novelty_rounds", &RunSettings::novelty_rounds},
    {"parallel", &RunSettings::parallel},
    {"max_runs", &RunSettings::max_runs},
    {"max_attempts", &RunSettings::max_attempts},
    {"drafts", &RunSettings::drafts},
    {"max_nodes", &RunSettings::max_nodes},
    {"max_debug_depth", &RunSettings::max_debug_depth},
    {"parallel_nodes", &RunSettings::parallel_nodes},
    {"evolve_evaluations", &RunSettings::evolve_evaluations},
    {"evolve_population", &RunSettings::evolve_population},
    {"evolve_seed", &RunSettings::evolve_seed},
    {"evolve_generations", &RunSettings::evolve_generations},
    {"evolve_islands", &RunSettings::evolve_islands},
    {"evolve_cells", &RunSettings::evolve_cells},
    {"evolve_migration_every", &RunSettings::evolve_migration_every},
    {"seed_runs", &RunSettings::seed_runs},
    {"plot_review_images", &RunSettings::plot_review_images},
    {"plot_fix_rounds", &RunSettings::plot_fix_rounds},
    {"paper_citation_rounds", &RunSettings::citation_rounds},
    {"paper_compile_rounds", &RunSettings::compile_rounds},
    {"paper_page_limit", &RunSettings::page_limit},
    {"paper_revisions", &RunSettings::paper_revisions},
    {"review_ensemble", &RunSettings::review_ensemble},
    {"review_reflections", &RunSettings::review_reflections},
    {"review_page_images", &RunSettings::review_page_images},
};
constexpr Field<double> kNumbers[] = {
    {"budget_usd", &RunSettings::budget_usd},
    {"latex_timeout_s", &RunSettings::latex_timeout_s},
    {"evolve_crossover", &RunSettings::evolve_crossover},
    {"evolve_similarity", &RunSettings::evolve_similarity},
    {"evolve_budget_usd", &RunSettings::evolve_budget_usd},
    {"review_accept_threshold", &RunSettings::review_accept_threshold},
};
constexpr Field<bool> kBools[] = {
    {"novelty", &RunSettings::novelty},
    {"novelty_required", &RunSettings::novelty_required},
    {"smoke", &RunSettings::smoke},
    {"evolve_overlap", &RunSettings::evolve_overlap},
    {"plots", &RunSettings::plots},
    {"paper", &RunSettings::paper},
};
constexpr Field<std::string> kStrings[] = {
    {"model", &RunSettings::model},
    {"metric", &RunSettings::metric},
    {"search", &RunSettings::search},
    {"executor", &RunSettings::executor},
    {"evolve_descriptors", &RunSettings::evolve_descriptors},
    {"evolve_models", &RunSettings::evolve_models},
};

}  // namespace

RunSettings run_settings(const Config& c) {
  RunSettings s;
  for (const auto& f : kInts) s.*f.member = static_cast<int>(c.get_int(f.key));
  for (const auto& f : kNumbers) s.*f.member = c.get_double(f.key);
  for (const auto& f : kBools) s.*f.member = c.get_bool(f.key);
  for (const auto& f : kStrings) s.*f.member = c.get(f.key);
  s.seed_ideas = c.get("seed_ideas");
  return s;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  for (auto& item : split_items(text))
    if (std::find(out.begin(), out.end(), item) == out.end()) out.push_back(std::move(item));
  return out;
}

}  // namespace shoal::agent
