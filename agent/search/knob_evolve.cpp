#include "agent/search/knob_evolve.hpp"

#include <algorithm>
#include <cstdio>
#include <functional>

#include "agent/search/code_edit.hpp"
#include "agent/search/evolve.hpp"
#include "agent/search/evolve_population.hpp"
#include "agent/search/node_runner.hpp"
#include "agent/search/seeds.hpp"
#include "agent/search/sweep.hpp"
#include "core/text.hpp"
#include "store/nodes.hpp"

namespace shoal::agent {
namespace {

constexpr size_t kPlottedRuns = 5;  // the best runs shown in the plots (besides the baseline and seeds)

// One evaluated combination as the search keeps it.
struct Member {
  std::string name;  // "run_0" (the baseline), "run_3"
  std::string node_id;
  std::vector<std::string> args;
  std::string label;  // the knobs that differ from the baseline, "layout=hex, iters=1000"
  std::string plan;
  EvolveFacts facts;        // its search_json (cell filled in from the archive of every round)
  evolve::Program program;  // as the archive sees it
};

// Writes each member's search_json with its cell in the archive of all members so far.
Status write_search_facts(StageContext& ctx, std::vector<Member>& members, const evolve::PopulationOptions& options) {
  std::vector<evolve::Program> programs;
  for (const auto& m : members) programs.push_back(m.program);
  evolve::Archive archive = evolve::build_archive(programs, options);
  for (auto& m : members) {
    if (m.node_id.empty()) continue;  // the baseline: the template's node, not this idea's
    m.facts.cell = evolve::cell_of(archive, m.program, options);
    SHOAL_CHECK(store::set_node_search(ctx.store, m.node_id, evolve_search_json(m.facts).dump()));
  }
  return {};
}

std::vector<std::string> genome_args(const std::vector<experiments::Knob>& knobs, const Genome& g) {
  std::vector<std::string> args;
  for (size_t k = 0; k < knobs.size(); ++k) {
    args.push_back(knobs[k].flag);
    args.push_back(value_text(knobs[k].values[g[k]]));
  }
  return args;
}

std::string genome_label(const std::vector<experiments::Knob>& knobs, const Genome& g) {
  std::vector<std::string> parts;
  for (size_t k = 0; k < knobs.size(); ++k)
    if (knobs[k].values[g[k]] != knobs[k].baseline)
      parts.push_back(knob_name(knobs[k].flag) + "=" + value_text(knobs[k].values[g[k]]));
  return parts.empty() ? "baseline values" : join(parts, ", ");
}

// Where a proposal came from, in words: "crossover of run_3 and run_5, mutated --lr".
std::string origin_text(const Proposal& p, const std::vector<Member>& members, const std::vector<experiments::Knob>& knobs) {
  std::string text = p.origin == "crossover" ? "crossover of " + members[p.parent_a].name + " and " + members[p.parent_b].name
                     : p.origin == "random"  ? "random member of the first population"
                                             : "random combination not yet tried (no new child found)";
  if (!p.mutated.empty()) {
    std::vector<std::string> flags;
    for (int k : p.mutated) flags.push_back(knobs[k].flag);
    text += ", mutated " + join(flags, " ");
  }
  return text;
}

}  // namespace

Expected<ExperimentOutcome> run_knob_evolve(StageContext& ctx, const store::Idea& idea) {
  const auto& m = ctx.tpl.manifest;
  const auto& knobs = m.knobs;
  if (knobs.empty())
    return fail(ErrorKind::invalid_input, "template " + m.name + " declares no knobs in template.json, so the offline "
                                          "evolution has nothing to combine; add \"knobs\" (templates/README.md)");
  std::vector<int> sizes;
  Genome base;
  for (const auto& k : knobs) {
    if (k.values.empty())
      return fail(ErrorKind::invalid_input, "knob " + k.flag + " of template " + m.name +
                                                " declares no values; list them in template.json's \"values\"");
    sizes.push_back(static_cast<int>(k.values.size()));
    auto at = std::find(k.values.begin(), k.values.end(), k.baseline);
    base.push_back(at == k.values.end() ? -1 : static_cast<int>(at - k.values.begin()));
  }
  const bool hib = m.higher_is_better;
  KnobEvolution ga(sizes, {ctx.settings.evolve_population, static_cast<uint64_t>(ctx.settings.evolve_seed), hib});

  ExperimentOutcome outcome;
  std::vector<Member> members;  // parallel to ga.evaluated()
  SHOAL_TRY(baseline, store::find_baseline(ctx.store, ctx.tpl.hash, ctx.settings.smoke ? "baseline_smoke" : "baseline"));
  if (baseline) outcome.plotted.push_back({baseline->id, "Baseline"});
  if (std::find(base.begin(), base.end(), -1) == base.end()) {
    // The baseline is the first member: its result is stored, so it costs no run.
    ga.add_result(base, baseline && baseline->status == "done" ? baseline->metric : std::nullopt);
    members.push_back({"run_0", "", {}, "baseline", "the template's baseline", {}, {}});
    members.back().facts.op = "baseline";
    if (baseline) {
      members.back().program.id = baseline->id;
      members.back().program.fitness = baseline->status == "done" ? baseline->metric : std::nullopt;
      members.back().program.descriptors =
          evolve::read_descriptors(baseline->metrics_json, baseline->duration_s, split_list(ctx.settings.evolve_descriptors));
    }
  }
  evolve::PopulationOptions archive_options;
  archive_options.bins = std::max(1, ctx.settings.evolve_cells);
  archive_options.higher_is_better = hib;
  archive_options.descriptors = split_list(ctx.settings.evolve_descriptors);
  const std::string baseline_id = baseline ? baseline->id : "";

  const int budget = ctx.settings.evolve_evaluations, width = std::max(1, ctx.settings.parallel_nodes);
  int used = 0, round = 0;
  while (used < budget) {
    if (ctx.cancel.cancelled()) return fail(ErrorKind::cancelled, "the run was cancelled");
    auto batch = ga.propose(std::min(width, budget - used));
    if (batch.empty()) break;  // the whole grid ran
    ++round;
    std::vector<std::function<Expected<NodeOutcome>(StageContext&)>> jobs;
    std::vector<Member> fresh;
    for (const auto& p : batch) {
      int step = used + static_cast<int>(fresh.size()) + 1;
      Member mem{"run_" + std::to_string(step), "", genome_args(knobs, p.genome), genome_label(knobs, p.genome), "", {}, {}};
      mem.facts.generation = round;
      mem.facts.op = p.origin == "crossover" ? "crossover" : "random";
      for (int parent : {p.parent_a, p.parent_b})
        if (parent >= 0) {
          const std::string& id = members[parent].node_id.empty() ? baseline_id : members[parent].node_id;
          if (!id.empty()) mem.facts.parents.push_back(id);
        }
      mem.plan = "offline evolve " + mem.name + ": " + join(mem.args, " ") + " (" + origin_text(p, members, knobs) + ")";
      NodeRequest request;
      request.idea_id = idea.id;
      // The fitter parent among this idea's nodes ("" for a random one, and for the baseline: it is the template's).
      for (int parent : {p.parent_a, p.parent_b})
        if (parent >= 0 && request.parent_id.empty()) request.parent_id = members[parent].node_id;
      request.kind = "evolve";
      request.plan = mem.plan;
      request.step = round;
      request.out_dir = mem.name;
      request.args = mem.args;
      ctx.progress({idea.id, "experiments", mem.name + "/" + std::to_string(budget) + ": " + mem.label});
      // Each run in a template copy of its own: runs at once may not share a folder (the sandbox
      // gives each job's user its own).
      jobs.push_back([request, &idea](StageContext& c) mutable -> Expected<NodeOutcome> {
        request.workdir = c.idea_dir(idea.id) / request.out_dir;
        SHOAL_CHECK(prepare_folder(c, request.workdir, ""));
        return run_node(c, request);
      });
      fresh.push_back(std::move(mem));
    }
    auto results = run_parallel(ctx, jobs);
    for (auto& r : results)
      if (!r.ok()) return r.error();
    for (size_t i = 0; i < batch.size(); ++i) {
      const store::Node& node = results[i]->node;
      fresh[i].node_id = node.id;
      fresh[i].program.id = node.id;
      fresh[i].program.generation = round;
      if (results[i]->ok()) fresh[i].program.fitness = node.metric;
      fresh[i].program.descriptors = evolve::read_descriptors(node.metrics_json, node.duration_s, archive_options.descriptors);
      fresh[i].facts.descriptors = fresh[i].program.descriptors;
      ++outcome.nodes;
      if (!results[i]->ok()) ++outcome.failed;
      ga.add_result(batch[i].genome, results[i]->ok() ? node.metric : std::nullopt);
      members.push_back(std::move(fresh[i]));
      ++used;
    }
    SHOAL_CHECK(write_search_facts(ctx, members, archive_options));
  }
  if (outcome.nodes > 0 && outcome.failed == outcome.nodes)
    return fail(ErrorKind::invalid_input, "every run of the evolution failed; the node logs say why (shoal status " +
                                              ctx.run_id + ")");

  // The evaluated runs, fittest first (the baseline is not one of this idea's nodes).
  std::vector<int> ranked;
  for (int i = 0; i < static_cast<int>(members.size()); ++i)
    if (!members[i].node_id.empty() && ga.evaluated()[i].fitness) ranked.push_back(i);
  std::stable_sort(ranked.begin(), ranked.end(), [&](int a, int b) {
    return experiments::metric_better(*ga.evaluated()[a].fitness, *ga.evaluated()[b].fitness, hib);
  });
  std::string notes = "# " + idea.title + "\n\n## Combinations tried\n";
  for (size_t i = 0; i < members.size(); ++i) {
    const auto& f = ga.evaluated()[i].fitness;
    notes += "- " + members[i].plan + " -> " + (f ? "metric " + number_text(*f) : std::string("failed")) + "\n";
  }
  if (ranked.empty()) {
    SHOAL_CHECK(save_notes(ctx, idea.id, notes));
    return outcome;  // ran, but no run reported the metric
  }
  const Member& best = members[ranked.front()];
  outcome.best_node_id = best.node_id;
  outcome.best_metric = ga.evaluated()[ranked.front()].fitness;
  for (size_t i = 0; i < ranked.size() && i < kPlottedRuns; ++i)
    outcome.plotted.push_back({members[ranked[i]].node_id, members[ranked[i]].name + ": " + members[ranked[i]].label});
  notes += "\nBest: " + best.name + " (" + best.label + ")\n";

  // Seeds that count, as in tree search: the best two re-run with seeds; the best seed mean is chosen.
  std::vector<SeedCandidate> candidates;
  for (size_t i = 0; i < ranked.size() && i < 2; ++i) {
    SHOAL_TRY(stored, store::get_node(ctx.store, members[ranked[i]].node_id));
    candidates.push_back({stored, members[ranked[i]].args, members[ranked[i]].name});
  }
  SHOAL_TRY(seeds, confirm_into_outcome(ctx, idea, candidates, round + 1, outcome));
  if (!seeds.notes.empty()) notes += "\n## Seed re-runs\n" + seeds.notes;
  outcome.plotted.insert(outcome.plotted.end(), seeds.plotted.begin(), seeds.plotted.end());
  SHOAL_CHECK(save_notes(ctx, idea.id, notes));
  return outcome;
}

}  // namespace shoal::agent
