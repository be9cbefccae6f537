#include <algorithm>
#include <doctest/doctest.h>

#include <set>

#include "agent/search/evolve.hpp"
#include "agent/search/evolve_population.hpp"

using namespace shoal::agent;
using namespace shoal::agent::evolve;

namespace {

Program program(const std::string& id, int island, std::optional<double> fitness, double duration,
                const std::string& code = "") {
  Program p;
  p.id = id;
  p.island = island;
  p.fitness = fitness;
  p.descriptors = {{"duration_s", duration}};
  p.code = code.empty() ? "code of " + id + "\n" : code;
  return p;
}

}  // namespace

TEST_CASE("the generator is deterministic per seed, generation and slot") {
  auto a = EvolveRng::for_slot(1, 2, 3), b = EvolveRng::for_slot(1, 2, 3), c = EvolveRng::for_slot(1, 2, 4);
  CHECK(a.next() == b.next());
  CHECK(a.next() != c.next());
  EvolveRng r(7);
  for (int i = 0; i < 1000; ++i) {
    double u = r.uniform();
    CHECK((u >= 0 && u < 1));
    int k = r.below(5);
    CHECK((k >= 0 && k < 5));
  }
  CHECK(r.below(0) == 0);
}

TEST_CASE("descriptors come from final_info, duration_s from the run when final_info has none") {
  std::string info = R"({"fit": {"means": {"loss": 0.5, "w": 2.0}, "stderrs": {"loss": 0}}, "size": 3})";
  auto d = read_descriptors(info, 1.25, {"w", "size", "duration_s", "absent"});
  CHECK(d.at("w") == 2.0);
  CHECK(d.at("size") == 3.0);
  CHECK(d.at("duration_s") == 1.25);
  CHECK(!d.count("absent"));
  CHECK(read_descriptors("not json", 2, {"duration_s"}).at("duration_s") == 2);
}

TEST_CASE("improvement follows the direction and is never negative") {
  CHECK(improvement(0.9, 0.5, true) == doctest::Approx(0.4));
  CHECK(improvement(0.1, 0.5, false) == doctest::Approx(0.4));
  CHECK(improvement(0.1, 0.5, true) == 0);
  CHECK(improvement(std::nullopt, 0.5, true) == 0);
}

TEST_CASE("the archive keeps the fittest program per cell over the descriptors' range") {
  PopulationOptions o;
  o.bins = 4;
  o.higher_is_better = true;
  std::vector<Program> ps = {program("a", 0, 1.0, 0.0), program("b", 0, 2.0, 0.1), program("c", 1, 5.0, 1.0),
                             program("d", 1, std::nullopt, 0.5), program("e", 0, 3.0, 0.6)};
  Archive a = build_archive(ps, o);
  REQUIRE(a.ranges.size() == 1);
  CHECK(a.ranges[0].first == 0.0);
  CHECK(a.ranges[0].second == 1.0);
  CHECK(a.elites.size() == 3);  // cells 0 (a, b: b fitter), 2 (e), 3 (c); d has no fitness
  CHECK(a.elites.at({0}) == 1);
  CHECK(a.elites.at({2}) == 4);
  CHECK(a.elites.at({3}) == 2);
  CHECK(*cell_of(a, ps[2], o) == std::vector<int>{3});  // the top of the range falls in the last bin
  Program no_descriptor = ps[0];
  no_descriptor.descriptors.clear();
  CHECK(!cell_of(a, no_descriptor, o));
  // lower is better: the other one of cell 0 wins
  o.higher_is_better = false;
  CHECK(build_archive(ps, o).elites.at({0}) == 0);
  // two descriptors: cells are pairs
  o.descriptors = {"duration_s", "size"};
  for (auto& p : ps) p.descriptors["size"] = p.fitness.value_or(0);
  Archive two = build_archive(ps, o);
  CHECK(two.ranges.size() == 2);
  for (const auto& [cell, i] : two.elites) CHECK(cell.size() == 2);
  CHECK(build_archive({}, o).elites.empty());
}

TEST_CASE("parents come from the island and the archive; a crossover has two parents of different code") {
  PopulationOptions o;
  o.islands = 2;
  o.tournament = 3;
  std::vector<Program> ps = {program("root", 0, 1.0, 0.1), program("i0", 0, 2.0, 0.2), program("i1", 1, 3.0, 0.9),
                             program("bad", 0, std::nullopt, 0.5)};
  Archive a = build_archive(ps, o);
  std::set<int> seen;
  for (int seed = 0; seed < 200; ++seed) {
    EvolveRng rng(seed);
    auto parents = pick_parents(ps, a, 0, false, o, rng);
    REQUIRE(parents.size() == 1);
    CHECK(parents[0] != 3);  // never a program without a fitness
    seen.insert(parents[0]);
    EvolveRng rng2(seed);
    auto two = pick_parents(ps, a, 1, true, o, rng2);
    REQUIRE(two.size() == 2);
    CHECK(two[0] != two[1]);
    CHECK(ps[two[0]].code != ps[two[1]].code);
  }
  CHECK(seen.count(1));  // the island's best wins most tournaments
  // the same generator gives the same parents
  EvolveRng x(5), y(5);
  CHECK(pick_parents(ps, a, 0, true, o, x) == pick_parents(ps, a, 0, true, o, y));
  // no program with a fitness: no parent
  EvolveRng z(1);
  CHECK(pick_parents({program("f", 0, std::nullopt, 1)}, Archive{}, 0, false, o, z).empty());
  // one program only: a crossover falls back to a mutation
  EvolveRng w(1);
  CHECK(pick_parents({ps[0]}, build_archive({ps[0]}, o), 0, true, o, w).size() == 1);
}

TEST_CASE("each island's best migrates to the next island every few generations") {
  PopulationOptions o;
  o.islands = 3;
  o.migration_every = 2;
  o.higher_is_better = false;
  std::vector<Program> ps = {program("a", 0, 5.0, 0), program("b", 0, 1.0, 0), program("c", 1, 2.0, 0),
                             program("d", 2, std::nullopt, 0)};
  CHECK(migrations(ps, 1, o).empty());
  auto m = migrations(ps, 2, o);
  REQUIRE(m.size() == 2);  // island 2 has no program with a fitness
  CHECK(m[0] == std::pair<int, int>{1, 1});
  CHECK(m[1] == std::pair<int, int>{2, 2});
  // a program whose code is on the destination already does not migrate again
  Program copy = ps[1];
  copy.island = 1;
  copy.migrant = true;
  ps.push_back(copy);
  auto again = migrations(ps, 4, o);
  CHECK(again.size() == 1);
  o.migration_every = 0;
  CHECK(migrations(ps, 2, o).empty());
}

TEST_CASE("similarity compares the changes against the root, not the whole files") {
  std::string root = "a = 1\nb = 2\nc = 3\nd = 4\ne = 5\nf = 6\n";
  std::string x = "a = 1\nb = 20\nc = 3\nd = 4\ne = 5\nf = 6\n";
  std::string y = "a = 1\nb = 2\nc = 3\nd = 40\ne = 5\nf = 6\n";
  std::string xy = "a = 1\nb = 20\nc = 3\nd = 40\ne = 5\nf = 6\n";
  CHECK(changed_lines(root, x) == std::vector<std::string>{"-b = 2", "+b = 20"});
  CHECK(change_similarity(changed_lines(root, x), changed_lines(root, x)) == 1.0);
  CHECK(change_similarity(changed_lines(root, x), changed_lines(root, y)) == 0.0);
  CHECK(change_similarity(changed_lines(root, x), changed_lines(root, xy)) == doctest::Approx(2.0 * 2 / 6));
  CHECK(change_similarity({}, {}) == 1.0);
  auto hit = most_similar(root, x, {root, y, x});
  CHECK(hit.index == 2);
  CHECK(hit.similarity == 1.0);
  auto none = most_similar(root, x, {});
  CHECK(none.index == -1);
  // the root itself: a candidate that changes nothing is a duplicate of it
  CHECK(most_similar(root, root, {root}).similarity == 1.0);

  // Over changes computed once and sorted (what the search keeps per program): the same answers.
  auto sorted_change = [&](const std::string& code) {
    auto c = changed_lines(root, code);
    std::sort(c.begin(), c.end());
    return c;
  };
  auto cr = sorted_change(root), cx = sorted_change(x), cy = sorted_change(y), cxy = sorted_change(xy);
  auto kept = most_similar_change(cx, {&cr, &cy, &cx});
  CHECK(kept.index == 2);
  CHECK(kept.similarity == 1.0);
  CHECK(most_similar_change(cx, {&cy}).similarity == 0.0);
  CHECK(most_similar_change(cx, {&cy, &cxy}).index == 1);
  CHECK(most_similar_change(cx, {&cxy}).similarity == doctest::Approx(change_similarity(cx, cxy)));
  CHECK(most_similar_change(cr, {&cr}).similarity == 1.0);
  CHECK(most_similar_change(cx, {}).index == -1);
}

TEST_CASE("the bandit tries every model, then favours improvement per dollar") {
  CHECK(pick_model(1, {}) == 0);
  CHECK(pick_model(3, {}) == 0);
  CHECK(pick_model(3, {{0, 0, 1, false}}) == 1);
  CHECK(pick_model(3, {{0, 0, 1, false}, {1, 0, 1, true}}) == 2);  // a pending use counts as tried
  std::vector<Pull> pulls = {{0, 0.0, 0.01, false}, {1, 0.5, 0.02, false}};
  int picks1 = 0;
  for (int i = 0; i < 20; ++i) {
    int m = pick_model(2, pulls);
    if (m == 1) ++picks1;
    pulls.push_back({m, m == 1 ? 0.5 : 0.0, m == 1 ? 0.02 : 0.01, false});
  }
  CHECK(picks1 >= 15);
  // a cheaper model that improves as much wins
  std::vector<Pull> cheap = {{0, 0.5, 0.10, false}, {1, 0.5, 0.01, false}, {0, 0.5, 0.10, false}, {1, 0.5, 0.01, false}};
  CHECK(pick_model(2, cheap) == 1);
}

TEST_CASE("slot planning fills the slots the remaining budget pays for") {
  CHECK(plan_slots(4, std::nullopt, 0.5) == 4);
  CHECK(plan_slots(4, 10.0, 0) == 4);    // no cost known yet
  CHECK(plan_slots(4, 1.0, 0.4) == 2);
  CHECK(plan_slots(4, 0.1, 0.4) == 1);   // something left: one more
  CHECK(plan_slots(4, 0.0, 0.4) == 0);
  CHECK(plan_slots(4, -1.0, 0.4) == 0);
}

TEST_CASE("an evolve node's search_json has the documented shape") {
  EvolveFacts f;
  f.generation = 3;
  f.island = 1;
  f.op = "crossover";
  f.parents = {"n1", "n2"};
  f.model = "openai:gpt-4o";
  f.cost_usd = 0.25;
  f.descriptors = {{"duration_s", 1.5}};
  auto j = evolve_search_json(f);
  CHECK(j["strategy"] == "evolve");
  CHECK(j["generation"] == 3);
  CHECK(j["island"] == 1);
  CHECK(j["operator"] == "crossover");
  CHECK(j["parents"] == nlohmann::json::array({"n1", "n2"}));
  CHECK(j["model"] == "openai:gpt-4o");
  CHECK(j["cost_usd"] == 0.25);
  CHECK(j["descriptors"]["duration_s"] == 1.5);
  CHECK(j["cell"].is_null());
  CHECK(!j.contains("rejected"));
  f.cell = std::vector<int>{2};
  f.rejected = std::make_pair(std::string("n7"), 0.97);
  j = evolve_search_json(f);
  CHECK(j["cell"] == nlohmann::json::array({2}));
  CHECK(j["rejected"]["similar_to"] == "n7");
  CHECK(j["rejected"]["similarity"] == 0.97);
}
