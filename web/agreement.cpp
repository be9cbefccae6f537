#include "web/agreement.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace shoal::web {
namespace {

// Average ranks (1-based) of `v`, ties sharing the mean of their positions.
std::vector<double> ranks(const std::vector<double>& v) {
  std::vector<size_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    double rank = (i + j) / 2.0 + 1;
    for (size_t k = i; k <= j; ++k) r[order[k]] = rank;
    i = j + 1;
  }
  return r;
}

}  // namespace

std::optional<double> pearson(const std::vector<double>& x, const std::vector<double>& y) {
  size_t n = std::min(x.size(), y.size());
  if (n < 2) return std::nullopt;
  double mx = std::accumulate(x.begin(), x.begin() + n, 0.0) / n;
  double my = std::accumulate(y.begin(), y.begin() + n, 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < n; ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (sxx == 0 || syy == 0) return std::nullopt;
  return sxy / std::sqrt(sxx * syy);
}

std::optional<double> spearman(const std::vector<double>& x, const std::vector<double>& y) {
  return pearson(ranks(x), ranks(y));
}

AgreementStats agreement_stats(const std::vector<store::AgreementRow>& rows) {
  AgreementStats s;
  s.papers = static_cast<int>(rows.size());
  std::vector<double> ai, human;
  double abs_sum = 0;
  int ai_accept = 0, human_accept = 0;
  for (const auto& r : rows) {
    if (r.ai_score && r.human_score) {
      ai.push_back(*r.ai_score);
      human.push_back(*r.human_score);
      abs_sum += std::fabs(*r.ai_score - *r.human_score);
    }
    if (!r.ai_decision.empty() && !r.human_decision.empty()) {
      ++s.decided;
      bool a = r.ai_decision == "accept", h = r.human_decision == "accept";
      s.agree += a == h;
      ai_accept += a;
      human_accept += h;
    }
  }
  s.scored = static_cast<int>(ai.size());
  s.pearson = pearson(ai, human);
  s.spearman = spearman(ai, human);
  if (s.scored > 0) s.mean_abs_diff = abs_sum / s.scored;
  if (s.decided > 0) {
    double n = s.decided;
    double observed = s.agree / n;
    double expected = (ai_accept / n) * (human_accept / n) + (1 - ai_accept / n) * (1 - human_accept / n);
    s.agreement = observed;
    if (expected < 1) s.kappa = (observed - expected) / (1 - expected);
  }
  return s;
}

}  // namespace shoal::web
