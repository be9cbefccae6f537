// The genetic algorithm of the offline evolution (knob_evolve.hpp), without the runs: it
// proposes combinations of knob values and learns their results. Deterministic: the same seed
// and the same results give the same proposals, which is how a resumed run replays its search.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace shoal::agent {

// A combination: for each knob, the index of its value in the knob's declared values.
using Genome = std::vector<int>;

struct EvolveOptions {
  int population = 4;             // the fittest evaluated combinations that parents are drawn from
  uint64_t seed = 1;              // the random choices' seed: the same seed and results give the same proposals
  bool higher_is_better = true;
};

// A combination to evaluate and where it came from.
struct Proposal {
  Genome genome;
  int parent_a = -1, parent_b = -1;  // indices into KnobEvolution::evaluated(); -1: none
  std::vector<int> mutated;          // the knobs a mutation changed
  std::string origin;                // "random" (the first population), "crossover", "leftover" (no new child found)
};

struct Evaluated {
  Genome genome;
  std::optional<double> fitness;  // nullopt: the run failed (never chosen as a parent)
};

class KnobEvolution {
 public:
  // `sizes`: the number of values of each knob (each at least 1).
  KnobEvolution(std::vector<int> sizes, EvolveOptions options);

  // Records an evaluated combination (the baseline included) in evaluation order.
  void add_result(const Genome& genome, std::optional<double> fitness);

  // Up to `count` new combinations, distinct from each other and from everything evaluated or
  // proposed before; fewer (possibly none) once the grid is exhausted. Random combinations
  // until `population` combinations (the baseline one of them) have a fitness, then children
  // of two tournament winners; a random combination not yet tried when 64 children in a row
  // were repeats. (A first population of mutants of the baseline in one or two knobs stayed
  // near a poor baseline: bench/search_efficiency.py's circle_packing, BENCHMARKS.md.)
  std::vector<Proposal> propose(int count);

  const std::vector<Evaluated>& evaluated() const { return evaluated_; }
  // The index into evaluated() of the fittest combination, or -1 when none has a fitness.
  int best() const;

  // Building blocks (public for the unit tests).
  // Each knob's value from one parent or the other; when the parents differ in two or more
  // knobs the child takes at least one value from each.
  Genome crossover(const Genome& a, const Genome& b);
  // Changes one or two knobs (those with more than one value) to another of their values,
  // mostly a neighbour in the declared list; returns the knobs changed.
  std::vector<int> mutate(Genome& genome);

 private:
  bool better(int a, int b) const;  // evaluated()[a] fitter than evaluated()[b]
  std::vector<int> ranked() const;  // indices with a fitness, fittest first
  int tournament(const std::vector<int>& pool, int exclude);
  std::optional<Genome> unseen_random();
  int pick(int n) { return static_cast<int>(rng_() % static_cast<uint64_t>(n)); }

  std::vector<int> sizes_;
  EvolveOptions options_;
  std::mt19937_64 rng_;
  std::vector<Evaluated> evaluated_;
  std::vector<Genome> seen_;  // evaluated or proposed, sorted
};

}  // namespace shoal::agent
