#include "agent/search/evolve_population.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "core/diff.hpp"
#include "core/text.hpp"

namespace shoal::agent::evolve {

EvolveRng EvolveRng::for_slot(uint64_t seed, int generation, int slot) {
  EvolveRng r(seed * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(generation) * 1000003ULL +
              static_cast<uint64_t>(slot) * 7919ULL + 1);
  r.next();
  return r;
}

uint64_t EvolveRng::next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

double EvolveRng::uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }

int EvolveRng::below(int n) { return n <= 0 ? 0 : static_cast<int>(next() % static_cast<uint64_t>(n)); }

bool fitter(double a, double b, bool higher_is_better) { return higher_is_better ? a > b : a < b; }

double improvement(const std::optional<double>& child, const std::optional<double>& parent, bool higher_is_better) {
  if (!child || !parent) return 0;
  double d = higher_is_better ? *child - *parent : *parent - *child;
  return d > 0 ? d : 0;
}

std::map<std::string, double> read_descriptors(const std::string& final_info_json, double duration_s,
                                               const std::vector<std::string>& names) {
  std::map<std::string, double> out;
  auto doc = nlohmann::json::parse(final_info_json, nullptr, false);
  for (const auto& name : names) {
    std::optional<double> v;
    if (doc.is_object()) {
      if (doc.contains(name) && doc[name].is_number()) v = doc[name].get<double>();
      for (auto it = doc.begin(); !v && it != doc.end(); ++it) {
        if (!it->is_object()) continue;
        const auto& cond = *it;
        if (cond.contains("means") && cond["means"].is_object() && cond["means"].contains(name) &&
            cond["means"][name].is_number())
          v = cond["means"][name].get<double>();
        else if (cond.contains(name) && cond[name].is_number())
          v = cond[name].get<double>();
      }
    }
    if (!v && name == "duration_s") v = duration_s;
    if (v && std::isfinite(*v)) out[name] = *v;
  }
  return out;
}

namespace {

bool has_all(const Program& p, const PopulationOptions& o) {
  for (const auto& d : o.descriptors)
    if (!p.descriptors.count(d)) return false;
  return true;
}

}  // namespace

std::optional<std::vector<int>> cell_of(const Archive& archive, const Program& program, const PopulationOptions& options) {
  if (archive.ranges.size() != options.descriptors.size() || !has_all(program, options)) return std::nullopt;
  std::vector<int> cell;
  for (size_t i = 0; i < options.descriptors.size(); ++i) {
    auto [lo, hi] = archive.ranges[i];
    double v = program.descriptors.at(options.descriptors[i]);
    int bin = 0;
    if (hi > lo) bin = static_cast<int>(std::floor((v - lo) / (hi - lo) * archive.bins));
    cell.push_back(std::clamp(bin, 0, archive.bins - 1));
  }
  return cell;
}

Archive build_archive(const std::vector<Program>& programs, const PopulationOptions& options) {
  Archive a;
  a.bins = std::max(1, options.bins);
  bool any = false;
  std::vector<std::pair<double, double>> ranges(options.descriptors.size(),
                                                {std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()});
  for (const auto& p : programs) {
    if (!p.fitness || !has_all(p, options)) continue;
    any = true;
    for (size_t i = 0; i < options.descriptors.size(); ++i) {
      double v = p.descriptors.at(options.descriptors[i]);
      ranges[i].first = std::min(ranges[i].first, v);
      ranges[i].second = std::max(ranges[i].second, v);
    }
  }
  if (!any) return a;
  a.ranges = ranges;
  for (int i = 0; i < static_cast<int>(programs.size()); ++i) {
    const Program& p = programs[i];
    if (!p.fitness || p.migrant) continue;
    auto cell = cell_of(a, p, options);
    if (!cell) continue;
    auto it = a.elites.find(*cell);
    if (it == a.elites.end() || fitter(*p.fitness, *programs[it->second].fitness, options.higher_is_better))
      a.elites[*cell] = i;
  }
  return a;
}

std::vector<int> pick_parents(const std::vector<Program>& programs, const Archive& archive, int island, bool crossover,
                              const PopulationOptions& options, EvolveRng& rng) {
  std::vector<int> pool;
  for (int i = 0; i < static_cast<int>(programs.size()); ++i)
    if (programs[i].fitness && programs[i].island == island) pool.push_back(i);
  for (const auto& [cell, i] : archive.elites)
    if (std::find(pool.begin(), pool.end(), i) == pool.end()) pool.push_back(i);
  if (pool.empty())  // an island without a working program yet: any program with a fitness
    for (int i = 0; i < static_cast<int>(programs.size()); ++i)
      if (programs[i].fitness) pool.push_back(i);
  if (pool.empty()) return {};
  auto tournament = [&](int excluded) {
    int best = -1;
    for (int t = 0; t < std::max(1, options.tournament); ++t) {
      int i = pool[rng.below(static_cast<int>(pool.size()))];
      if (i == excluded) continue;
      if (best < 0 || fitter(*programs[i].fitness, *programs[best].fitness, options.higher_is_better)) best = i;
    }
    if (best < 0)  // every draw hit the excluded one: the first other in the pool
      for (int i : pool)
        if (i != excluded) return i;
    return best;
  };
  std::vector<int> parents = {tournament(-1)};
  bool distinct_code = false;
  for (int i : pool)
    if (programs[i].code != programs[parents[0]].code) distinct_code = true;
  if (crossover && distinct_code) {
    int second = tournament(parents[0]);
    for (int tries = 0; tries < 8 && (second < 0 || programs[second].code == programs[parents[0]].code); ++tries)
      second = pool[rng.below(static_cast<int>(pool.size()))];
    if (second >= 0 && programs[second].code != programs[parents[0]].code) parents.push_back(second);
  }
  return parents;
}

std::vector<std::pair<int, int>> migrations(const std::vector<Program>& programs, int generation,
                                            const PopulationOptions& options) {
  std::vector<std::pair<int, int>> out;
  if (options.islands < 2 || options.migration_every <= 0 || generation <= 0 || generation % options.migration_every != 0)
    return out;
  for (int island = 0; island < options.islands; ++island) {
    int best = -1;
    for (int i = 0; i < static_cast<int>(programs.size()); ++i) {
      const Program& p = programs[i];
      if (p.island != island || p.migrant || !p.fitness) continue;
      if (best < 0 || fitter(*p.fitness, *programs[best].fitness, options.higher_is_better)) best = i;
    }
    if (best < 0) continue;
    int to = (island + 1) % options.islands;
    bool there = std::any_of(programs.begin(), programs.end(),
                             [&](const Program& p) { return p.island == to && p.code == programs[best].code; });
    if (!there) out.push_back({best, to});
  }
  return out;
}

std::vector<std::string> changed_lines(const std::string& root, const std::string& code) {
  std::vector<std::string> out;
  for (const auto& d : diff_lines(split_lines(root), split_lines(code)))
    if (d.op != ' ') out.push_back(std::string(1, d.op) + d.text);
  return out;
}

double change_similarity(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.empty() && b.empty()) return 1;
  std::map<std::string, int> count;
  for (const auto& l : a) ++count[l];
  size_t common = 0;
  for (const auto& l : b)
    if (auto it = count.find(l); it != count.end() && it->second > 0) {
      --it->second;
      ++common;
    }
  return 2.0 * static_cast<double>(common) / static_cast<double>(a.size() + b.size());
}

SimilarityHit most_similar(const std::string& root, const std::string& candidate, const std::vector<std::string>& others) {
  SimilarityHit hit;
  auto mine = changed_lines(root, candidate);
  for (int i = 0; i < static_cast<int>(others.size()); ++i) {
    double s = others[i] == candidate ? 1.0 : change_similarity(mine, changed_lines(root, others[i]));
    if (hit.index < 0 || s > hit.similarity) hit = {i, s};
  }
  return hit;
}

SimilarityHit most_similar_change(const std::vector<std::string>& mine,
                                  const std::vector<const std::vector<std::string>*>& others) {
  SimilarityHit hit;
  for (int i = 0; i < static_cast<int>(others.size()); ++i) {
    // change_similarity's multiset intersection, as a merge of the two sorted lists.
    const auto& b = *others[i];
    size_t common = 0;
    for (size_t x = 0, y = 0; x < mine.size() && y < b.size();) {
      int c = mine[x].compare(b[y]);
      if (c == 0) ++common, ++x, ++y;
      else if (c < 0) ++x;
      else ++y;
    }
    double s = mine.empty() && b.empty() ? 1.0 : 2.0 * static_cast<double>(common) / static_cast<double>(mine.size() + b.size());
    if (hit.index < 0 || s > hit.similarity) hit = {i, s};
  }
  return hit;
}

int pick_model(int models, const std::vector<Pull>& pulls, double exploration) {
  if (models <= 1) return 0;
  std::vector<int> uses(models, 0), scored(models, 0);
  std::vector<double> reward(models, 0);
  double top = 0;
  auto per_dollar = [](const Pull& p) { return p.improvement / std::max(p.cost_usd, 1e-6); };
  for (const auto& p : pulls)
    if (!p.pending) top = std::max(top, per_dollar(p));
  for (const auto& p : pulls) {
    if (p.model < 0 || p.model >= models) continue;
    ++uses[p.model];
    if (p.pending) continue;
    ++scored[p.model];
    if (top > 0) reward[p.model] += per_dollar(p) / top;
  }
  for (int m = 0; m < models; ++m)
    if (uses[m] == 0) return m;
  int total = 0;
  for (int u : uses) total += u;
  int best = 0;
  double best_score = -1;
  for (int m = 0; m < models; ++m) {
    double mean = scored[m] > 0 ? reward[m] / scored[m] : 0;
    double score = mean + exploration * std::sqrt(2.0 * std::log(static_cast<double>(total)) / uses[m]);
    if (score > best_score + 1e-12) {
      best = m;
      best_score = score;
    }
  }
  return best;
}

int plan_slots(int slots, std::optional<double> remaining_usd, double mean_cost_usd) {
  slots = std::max(0, slots);
  if (!remaining_usd) return slots;
  if (*remaining_usd <= 0) return 0;
  if (mean_cost_usd <= 0) return slots;
  double affordable = std::floor(*remaining_usd / mean_cost_usd);
  return static_cast<int>(std::min<double>(slots, std::max(1.0, affordable)));
}

}  // namespace shoal::agent::evolve
