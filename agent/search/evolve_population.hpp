// The population logic of the LLM evolution (evolve.hpp), pure and deterministic: no store, no
// model, no clock. Given the programs evaluated so far it says which cells of the MAP-Elites
// archive they fill, which parents a new candidate starts from (a tournament over its island and
// the archive), which programs migrate between islands, whether a candidate's change is too close
// to one already evaluated, which model the UCB1 bandit asks next (improvement per dollar), and
// how many candidates a generation can afford. Every random choice comes from EvolveRng, seeded by
// the caller, so the same stored results give the same choices (a resumed run replays them).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace shoal::agent::evolve {

struct PopulationOptions {
  int islands = 2;
  int bins = 4;                      // bins per descriptor
  double crossover = 0.25;           // probability that a candidate combines two parents
  double similarity = 0.95;          // a candidate whose change is more similar than this is rejected
  int migration_every = 2;           // generations between two migrations
  int tournament = 3;                // programs drawn for one tournament
  bool higher_is_better = true;
  std::vector<std::string> descriptors = {"duration_s"};
};

// One evaluated program as the population sees it.
struct Program {
  std::string id;                               // its node
  int generation = 0;
  int island = 0;
  std::optional<double> fitness;                // the node's metric; none: failed or no metric
  std::map<std::string, double> descriptors;    // by descriptor name (missing ones absent)
  std::string code;                             // its editable files as one text (for similarity)
  std::vector<std::string> change;              // changed_lines(root, code), sorted, computed once
  bool migrant = false;                         // a copy of a program of another island
};

// A small deterministic generator (splitmix64).
class EvolveRng {
 public:
  explicit EvolveRng(uint64_t seed) : state_(seed) {}
  // The generator of one decision: the run's seed, the generation and the slot mixed.
  static EvolveRng for_slot(uint64_t seed, int generation, int slot);
  uint64_t next();
  double uniform();         // [0, 1)
  int below(int n);         // [0, n); 0 when n <= 0

 private:
  uint64_t state_;
};

// a better than b by the direction.
bool fitter(double a, double b, bool higher_is_better);

// How much `child` improves on `parent` in the template's direction (0 when it does not, or when
// either has no fitness).
double improvement(const std::optional<double>& child, const std::optional<double>& parent, bool higher_is_better);

// The descriptors of a run: each name looked up in final_info.json (a top-level number, else
// the first condition's "means" entry of that name, else a condition's number of that name),
// "duration_s" falling back to the node's run time. Names not found are absent.
std::map<std::string, double> read_descriptors(const std::string& final_info_json, double duration_s,
                                               const std::vector<std::string>& names);

// The MAP-Elites archive over the programs with a fitness and every descriptor: each descriptor's
// range is the span the programs cover, cut into `bins` equal bins; each cell keeps its fittest
// program (ties: the older one).
struct Archive {
  std::vector<std::pair<double, double>> ranges;  // per descriptor: min, max
  std::map<std::vector<int>, int> elites;         // cell -> program index
  int bins = 1;
};

Archive build_archive(const std::vector<Program>& programs, const PopulationOptions& options);

// The cell of a program (nullopt when it lacks a descriptor or the archive has no range yet).
std::optional<std::vector<int>> cell_of(const Archive& archive, const Program& program, const PopulationOptions& options);

// The parents of one candidate of `island`: one (mutation) or two distinct ones (crossover, when
// `crossover` and two candidates exist), each the winner of a tournament of options.tournament
// programs drawn from the island's programs with a fitness and the archive's elites. The first
// is the primary parent. Empty when there is no program with a fitness.
std::vector<int> pick_parents(const std::vector<Program>& programs, const Archive& archive, int island, bool crossover,
                              const PopulationOptions& options, EvolveRng& rng);

// The migrations due after `generation` (every options.migration_every generations): each island's
// fittest non-migrant program goes to the next island (the last to the first), unless a program
// with the same code is there already. Pairs of program index and destination island.
std::vector<std::pair<int, int>> migrations(const std::vector<Program>& programs, int generation,
                                            const PopulationOptions& options);

// The lines a program changes against the root (removed ones marked '-', added ones '+').
std::vector<std::string> changed_lines(const std::string& root, const std::string& code);

// How alike two changes are, 0..1: the share of changed lines the two have in common (twice the
// common multiset size over the sum of sizes); 1 when both change nothing.
double change_similarity(const std::vector<std::string>& a, const std::vector<std::string>& b);

struct SimilarityHit {
  int index = -1;  // in `others`
  double similarity = 0;
};

// The most similar of `others` to `candidate` (changes against `root`), or index -1 when none.
SimilarityHit most_similar(const std::string& root, const std::string& candidate, const std::vector<std::string>& others);
// The same over changes already computed (changed_lines against the root, each sorted):
// `mine` against each of `others`. A search that keeps each program's change compares a
// candidate in one pass instead of diffing every program against the root again.
SimilarityHit most_similar_change(const std::vector<std::string>& mine,
                                  const std::vector<const std::vector<std::string>*>& others);

// One use of a model by the bandit.
struct Pull {
  int model = 0;
  double improvement = 0;  // improvement() of the candidate on its primary parent
  double cost_usd = 0;     // what producing the candidate cost
  bool pending = false;    // asked this generation, not yet scored (counts as a use, not a reward)
};

// UCB1 over `models` models, a reward being improvement per dollar scaled by the largest seen:
// a model not used yet is picked first (in order), then the highest mean reward plus
// `exploration` * sqrt(2 ln N / n).
int pick_model(int models, const std::vector<Pull>& pulls, double exploration = 0.5);

// How many candidates a generation makes: `slots`, fewer when `remaining_usd` (none: no cap of
// the search's own) pays for fewer at `mean_cost_usd` each (a cost not known yet is not
// limiting); 0 when nothing remains.
int plan_slots(int slots, std::optional<double> remaining_usd, double mean_cost_usd);

}  // namespace shoal::agent::evolve
