// The optional revision round (setting paper_revisions): the model revises a paper to answer
// its review; the revised paper is compiled as new attempts of the idea (with the usual fix
// rounds and claim check) and reviewed again. The earlier attempt and its reviews stay.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "llm/client.hpp"
#include "agent/papers/reviewer.hpp"
#include "agent/papers/writeup.hpp"
#include "experiments/executor.hpp"
#include "store/db.hpp"

namespace shoal::agent {

// The review of `paper_id` as the reviser reads it: every usable AI review's text and the
// meta-review's, with their overall scores. not_found when the paper has no usable review.
Expected<std::string> review_feedback(store::Store& store, const std::string& paper_id);

// Revises paper `paper_id` (its stored .tex and .bib) to answer `feedback`, then compiles it
// (new attempts of the same idea). Returns the write-up result of the revised version;
// invalid_input when the model's reply changes nothing.
Expected<WriteupResult> revise_paper(store::Store& store, llm::Client& client, experiments::Executor& executor,
                                     const experiments::Template& tpl, const std::string& paper_id,
                                     const std::string& feedback, const WriteupOptions& options);

struct RevisionOutcome {
  std::string before_paper_id, after_paper_id;
  std::optional<double> overall_before, overall_after;  // the meta-reviews' overall scores
  nlohmann::json to_json() const;
};

// revise_paper, then review_paper of the revised version.
Expected<RevisionOutcome> revise_and_review(store::Store& store, llm::Client& client, experiments::Executor& executor,
                                            const experiments::Template& tpl, const std::string& paper_id,
                                            const WriteupOptions& writeup, const ReviewOptions& review);

}  // namespace shoal::agent
