// How far AI and human reviewers agree on a run's papers: the correlation of their overall
// scores and how often their accept/reject decisions match.
#pragma once

#include <optional>
#include <vector>

#include "store/catalog.hpp"

namespace shoal::web {

// Pearson's r of paired values; nullopt with fewer than 2 pairs or a constant side.
std::optional<double> pearson(const std::vector<double>& x, const std::vector<double>& y);
// Spearman's rho: Pearson's r of the ranks (ties get their average rank).
std::optional<double> spearman(const std::vector<double>& x, const std::vector<double>& y);

struct AgreementStats {
  int papers = 0;                     // papers with a human review
  int scored = 0;                     // of those, with both an AI and a human overall score
  std::optional<double> pearson, spearman;
  std::optional<double> mean_abs_diff;  // mean |AI - human| over the scored papers
  int decided = 0;                    // papers with both an AI and a human decision
  int agree = 0;                      // of those, with the same decision
  std::optional<double> agreement;    // agree / decided
  std::optional<double> kappa;        // Cohen's kappa of the decisions (chance-corrected)
};

AgreementStats agreement_stats(const std::vector<store::AgreementRow>& rows);

}  // namespace shoal::web
