#include "agent/search/genetic.hpp"

#include <algorithm>

#include "experiments/template.hpp"

namespace shoal::agent {
namespace {

constexpr int kTriesPerProposal = 64;      // crossovers and mutations tried before a random leftover
constexpr int kTournament = 3;             // contestants per parent choice
constexpr int kNeighbourPercent = 80;      // mutations to a neighbouring value in the declared list (else any other)
constexpr int64_t kEnumerableGrid = 200000;  // grids up to this size are listed to find what is left

}  // namespace

KnobEvolution::KnobEvolution(std::vector<int> sizes, EvolveOptions options)
    : sizes_(std::move(sizes)), options_(options), rng_(options.seed) {}

void KnobEvolution::add_result(const Genome& genome, std::optional<double> fitness) {
  evaluated_.push_back({genome, fitness});
  auto it = std::lower_bound(seen_.begin(), seen_.end(), genome);
  if (it == seen_.end() || *it != genome) seen_.insert(it, genome);
}

bool KnobEvolution::better(int a, int b) const {
  double fa = *evaluated_[a].fitness, fb = *evaluated_[b].fitness;
  if (fa == fb) return a < b;
  return experiments::metric_better(fa, fb, options_.higher_is_better);
}

std::vector<int> KnobEvolution::ranked() const {
  std::vector<int> out;
  for (int i = 0; i < static_cast<int>(evaluated_.size()); ++i)
    if (evaluated_[i].fitness) out.push_back(i);
  std::sort(out.begin(), out.end(), [this](int a, int b) { return better(a, b); });
  return out;
}

int KnobEvolution::best() const {
  auto r = ranked();
  return r.empty() ? -1 : r.front();
}

int KnobEvolution::tournament(const std::vector<int>& pool, int exclude) {
  std::vector<int> open;
  for (int i : pool)
    if (i != exclude) open.push_back(i);
  int winner = open[pick(static_cast<int>(open.size()))];
  for (int round = 1; round < kTournament; ++round) {
    int rival = open[pick(static_cast<int>(open.size()))];
    if (better(rival, winner)) winner = rival;
  }
  return winner;
}

Genome KnobEvolution::crossover(const Genome& a, const Genome& b) {
  Genome child(a.size());
  std::vector<size_t> differ;
  for (size_t k = 0; k < a.size(); ++k) {
    child[k] = pick(2) ? a[k] : b[k];
    if (a[k] != b[k]) differ.push_back(k);
  }
  if (differ.size() >= 2 && (child == a || child == b)) {
    size_t k = differ[pick(static_cast<int>(differ.size()))];
    child[k] = child == a ? b[k] : a[k];
  }
  return child;
}

std::vector<int> KnobEvolution::mutate(Genome& genome) {
  std::vector<int> open;
  for (int k = 0; k < static_cast<int>(sizes_.size()); ++k)
    if (sizes_[k] > 1) open.push_back(k);
  std::vector<int> changed;
  int n = std::min(1 + pick(2), static_cast<int>(open.size()));
  for (int i = 0; i < n; ++i) {
    int slot = pick(static_cast<int>(open.size()));
    int k = open[slot];
    open.erase(open.begin() + slot);
    if (pick(100) < kNeighbourPercent) {
      // Declared values are usually ordered, so a neighbour is a small step.
      int step = genome[k] == 0 ? 1 : genome[k] == sizes_[k] - 1 ? -1 : (pick(2) ? 1 : -1);
      genome[k] += step;
    } else {
      int value = pick(sizes_[k] - 1);
      genome[k] = value >= genome[k] ? value + 1 : value;  // any value but the current one
    }
    changed.push_back(k);
  }
  std::sort(changed.begin(), changed.end());
  return changed;
}

std::optional<Genome> KnobEvolution::unseen_random() {
  auto seen = [this](const Genome& g) { return std::binary_search(seen_.begin(), seen_.end(), g); };
  int64_t grid = 1;
  for (int s : sizes_) grid = std::min<int64_t>(grid * s, kEnumerableGrid + 1);
  if (grid <= kEnumerableGrid) {
    std::vector<Genome> left;
    Genome g(sizes_.size(), 0);
    for (int64_t i = 0; i < grid; ++i) {
      if (!seen(g)) left.push_back(g);
      for (size_t k = 0; k < g.size() && ++g[k] == sizes_[k]; ++k) g[k] = 0;  // the next combination
    }
    if (left.empty()) return std::nullopt;
    return left[pick(static_cast<int>(left.size()))];
  }
  for (int attempt = 0; attempt < 1000; ++attempt) {
    Genome g(sizes_.size());
    for (size_t k = 0; k < g.size(); ++k) g[k] = pick(sizes_[k]);
    if (!seen(g)) return g;
  }
  return std::nullopt;
}

std::vector<Proposal> KnobEvolution::propose(int count) {
  std::vector<Proposal> out;
  const std::vector<int> order = ranked();
  const bool breeding = static_cast<int>(order.size()) >= std::max(2, options_.population);
  const std::vector<int> pool(order.begin(), order.begin() + std::min<size_t>(order.size(), options_.population));
  for (int slot = 0; slot < count; ++slot) {
    std::optional<Proposal> found;
    for (int attempt = 0; attempt < kTriesPerProposal && !found && breeding; ++attempt) {
      Proposal p;
      int a = tournament(pool, -1), b = tournament(pool, a);
      if (better(b, a)) std::swap(a, b);
      p.parent_a = a;
      p.parent_b = b;
      p.genome = crossover(evaluated_[a].genome, evaluated_[b].genome);
      if (attempt > 0 || pick(2) == 0) p.mutated = mutate(p.genome);  // always once a child was a repeat
      p.origin = "crossover";
      if (!std::binary_search(seen_.begin(), seen_.end(), p.genome)) found = std::move(p);
    }
    if (!found) {
      auto g = unseen_random();
      if (!g) break;  // every combination was tried
      found = Proposal{*g, -1, -1, {}, breeding ? "leftover" : "random"};
    }
    seen_.insert(std::lower_bound(seen_.begin(), seen_.end(), found->genome), found->genome);
    out.push_back(std::move(*found));
  }
  return out;
}

}  // namespace shoal::agent
