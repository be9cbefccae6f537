#include "agent/search/tree.hpp"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <future>
#include <set>

#include "agent/search/node_runner.hpp"
#include "agent/search/seeds.hpp"
#include "agent/prompts.hpp"
#include "agent/search/code_edit.hpp"
#include "agent/stage_llm.hpp"

namespace shoal::agent {
namespace fs = std::filesystem;
namespace {

constexpr size_t kPlanChars = 200;   // a plan in the list of versions tried
constexpr size_t kLabelChars = 60;   // plot labels
constexpr int kTriesPerExpansion = 2;  // the model's version, then one correction of an unusable reply

// What every expansion of one search reads (never written once the search starts).
struct SearchInputs {
  const store::Idea& idea;
  TemplatePrompt tp;
  std::string baseline;
  std::optional<double> baseline_metric;
  llm::Request base;
};

const TreeNode* find_node(const std::vector<TreeNode>& nodes, int index) {
  for (const auto& n : nodes)
    if (n.index == index) return &n;
  return nullptr;
}

// One line per version: what it tried and how it did (the model's memory of the search).
std::string memory_text(const std::vector<TreeNode>& nodes, const std::optional<double>& baseline_metric) {
  std::string out;
  for (const auto& n : nodes) {
    out += "- node " + std::to_string(n.index) + " (" + n.kind +
           (n.parent >= 0 ? " of node " + std::to_string(n.parent) : std::string()) + "): " + clip(n.plan, kPlanChars);
    if (!n.ok) out += " -> failed\n";
    else if (n.metric)
      out += " -> metric " + number_text(*n.metric) + (baseline_metric ? " (baseline " + number_text(*baseline_metric) + ")" : "") + "\n";
    else out += " -> ran, no metric\n";
  }
  return out.empty() ? "(none yet)\n" : out;
}

// One expansion: the model writes the version (one correction when its reply or edits are
// unusable), then it runs as a node. nullopt when no usable version came.
Expected<std::optional<TreeNode>> expand(StageContext& ctx, const SearchInputs& in, const std::vector<TreeNode>& nodes,
                                         const TreeAction& action, int index, int round, int draft,
                                         const std::string& memory) {
  const TreeNode* parent = find_node(nodes, action.parent);
  fs::path dir = ctx.idea_dir(in.idea.id) / ("node_" + std::to_string(index));
  SHOAL_CHECK(prepare_folder(ctx, dir, parent ? parent->code_hash : ""));
  SHOAL_TRY(code, code_listing(ctx.tpl, dir));
  const auto& m = ctx.tpl.manifest;
  std::map<std::string, std::string> vars = {
      {"memory", memory}, {"node", std::to_string(index)}, {"draft", std::to_string(draft)},
      {"code", code},     {"metric", m.metric.empty() ? "the metric" : m.metric}};
  if (parent) {
    vars["parent"] = std::to_string(parent->index);
    vars["parent_plan"] = parent->plan;
    vars["parent_outcome"] = parent->outcome;
  }
  llm::Request request = in.base;
  set_coder_messages(request, in.tp, in.idea, in.baseline, render("tree_" + action.kind, vars));
  for (int attempt = 1; attempt <= kTriesPerExpansion; ++attempt) {
    SHOAL_TRY(text, ask_text(ctx, request, "experiments", in.idea.id));
    CoderReply reply = parse_coder_reply(text);
    if (reply.all_done) reply.problem = "ALL_DONE does not apply here: write this version of the experiment";
    std::string feedback;
    if (!reply.problem.empty()) {
      feedback = render("experiments_bad_reply", {{"problem", reply.problem}});
    } else {
      SHOAL_TRY(failures, apply_reply(ctx, dir, reply));
      if (!failures.empty()) feedback = render("experiments_edits_failed", {{"failures", failures}});
    }
    if (!feedback.empty()) {
      request.messages.push_back(llm::Message::assistant(text));
      request.messages.push_back(llm::Message::user(feedback));
      continue;
    }
    NodeRequest nr{in.idea.id, parent ? parent->id : "", action.kind, reply.plan, round, std::nullopt, dir,
                   "run_" + std::to_string(index + 1), reply.args};
    SHOAL_TRY(ran, run_node(ctx, nr));
    TreeNode n;
    n.index = index;
    n.parent = action.parent;
    n.id = ran.node.id;
    n.kind = action.kind;
    n.plan = reply.plan;
    n.args = reply.args;
    n.code_hash = ran.node.code_hash;
    n.ok = ran.ok();
    n.metric = ran.node.metric;
    n.outcome = describe_outcome(ran.node, in.baseline_metric, ctx.tpl.manifest.higher_is_better);
    n.debug_depth = action.kind == "debug" && parent ? parent->debug_depth + 1 : 0;
    return std::optional<TreeNode>(std::move(n));
  }
  return std::optional<TreeNode>();
}

}  // namespace

const TreeNode* best_tree_node(const std::vector<TreeNode>& nodes, bool higher_is_better) {
  const TreeNode* best = nullptr;
  for (const auto& n : nodes) {
    if (!n.ok) continue;
    if (!best) best = &n;
    else if (n.metric && (!best->metric || experiments::metric_better(*n.metric, *best->metric, higher_is_better))) best = &n;
  }
  return best;
}

std::vector<TreeAction> select_tree_actions(const std::vector<TreeNode>& nodes, int drafts_started,
                                            const RunSettings& options, bool higher_is_better, int slots) {
  std::vector<TreeAction> actions;
  std::set<int> debugging;
  const TreeNode* best = best_tree_node(nodes, higher_is_better);
  for (int slot = 0; slot < slots; ++slot) {
    if (drafts_started < options.drafts) {
      actions.push_back({"draft", -1});
      ++drafts_started;
      continue;
    }
    auto leaf = std::find_if(nodes.begin(), nodes.end(), [&](const TreeNode& n) {
      return !n.ok && n.children == 0 && n.debug_depth < options.max_debug_depth && !debugging.count(n.index);
    });
    if (leaf != nodes.end()) {
      debugging.insert(leaf->index);
      actions.push_back({"debug", leaf->index});
    } else if (best) {
      actions.push_back({"improve", best->index});
    } else {
      actions.push_back({"draft", -1});
      ++drafts_started;
    }
  }
  return actions;
}

Expected<ExperimentOutcome> run_tree_search(StageContext& ctx, const store::Idea& idea) {
  SHOAL_TRY(tp, template_prompt(ctx.tpl));
  SHOAL_TRY(baseline, store::find_baseline(ctx.store, ctx.tpl.hash, ctx.settings.smoke ? "baseline_smoke" : "baseline"));
  const bool hib = ctx.tpl.manifest.higher_is_better;
  const auto& o = ctx.settings;
  SearchInputs in{idea, tp, baseline_text(baseline, hib), baseline_metric(ctx.tpl, baseline),
                  coder_request(ctx, tp)};

  std::vector<TreeNode> nodes;
  int next_index = 0, drafts_started = 0, round = 0;
  const int width = std::max(1, o.parallel_nodes);
  while (next_index < o.max_nodes) {
    if (ctx.cancel.cancelled()) return fail(ErrorKind::cancelled, "the run was cancelled");
    ++round;
    auto actions = select_tree_actions(nodes, drafts_started, o, hib, std::min(width, o.max_nodes - next_index));
    std::string memory = memory_text(nodes, in.baseline_metric);
    std::vector<std::function<Expected<std::optional<TreeNode>>(StageContext&)>> jobs;
    for (const auto& action : actions) {
      int index = next_index++;
      int draft = action.kind == "draft" ? ++drafts_started : 0;
      ctx.progress({idea.id, "experiments", "node " + std::to_string(index + 1) + "/" + std::to_string(o.max_nodes) +
                                                ": " + action.kind});
      jobs.push_back([&, action, index, draft](StageContext& c) {
        return expand(c, in, nodes, action, index, round, draft, memory);
      });
    }
    auto results = run_parallel(ctx, jobs);
    for (auto& r : results)
      if (!r.ok()) return r.error();
    for (size_t i = 0; i < results.size(); ++i) {
      if (actions[i].parent >= 0)
        for (auto& n : nodes)
          if (n.index == actions[i].parent) ++n.children;  // an expansion that gave no node counts too
      if (*results[i]) nodes.push_back(std::move(**results[i]));
    }
  }

  ExperimentOutcome out;
  if (baseline) out.plotted.push_back({baseline->id, "Baseline"});
  out.nodes = static_cast<int>(nodes.size());
  out.failed = static_cast<int>(std::count_if(nodes.begin(), nodes.end(), [](const TreeNode& n) { return !n.ok; }));
  const TreeNode* best_ptr = best_tree_node(nodes, hib);
  if (!best_ptr)
    return fail(ErrorKind::invalid_input, "no version of idea " + idea.name + " ran successfully in the tree search (" +
                                              std::to_string(out.nodes) + " node(s)); the node logs say why (shoal status " +
                                              ctx.run_id + ")");
  const TreeNode* chosen_node = best_ptr;
  out.best_node_id = best_ptr->id;
  out.best_metric = best_ptr->metric;

  // Seeds that count: the best and the runner-up re-run with seeds; the best seed mean is chosen.
  std::vector<SeedCandidate> candidates;
  std::vector<const TreeNode*> ranked;
  for (const auto& n : nodes)
    if (n.ok && n.metric) ranked.push_back(&n);
  std::stable_sort(ranked.begin(), ranked.end(), [&](const TreeNode* a, const TreeNode* b) {
    return experiments::metric_better(*a->metric, *b->metric, hib);
  });
  for (size_t i = 0; i < ranked.size() && i < 2; ++i) {
    SHOAL_TRY(stored, store::get_node(ctx.store, ranked[i]->id));
    candidates.push_back({stored, ranked[i]->args, "node " + std::to_string(ranked[i]->index)});
  }
  SHOAL_TRY(seeds, confirm_into_outcome(ctx, idea, candidates, round + 1, out));
  if (seeds.chosen)
    for (const auto& n : nodes)
      if (n.id == seeds.chosen->parent_id) chosen_node = &n;
  // The plots follow the chosen version's path from its draft, then its seed runs.
  std::vector<const TreeNode*> path;
  for (const TreeNode* n = chosen_node; n; n = find_node(nodes, n->parent)) path.insert(path.begin(), n);
  for (const TreeNode* n : path)
    if (n->ok) out.plotted.push_back({n->id, clip("Node " + std::to_string(n->index) + ": " + n->plan, kLabelChars)});
  out.plotted.insert(out.plotted.end(), seeds.plotted.begin(), seeds.plotted.end());
  SHOAL_CHECK(save_notes(ctx, idea.id, "# " + idea.title + "\n\n## Versions tried\n" + memory_text(nodes, in.baseline_metric) +
                                           "\nBest: node " + std::to_string(chosen_node->index) + "\n" +
                                           (seeds.notes.empty() ? "" : "\n## Seed re-runs\n" + seeds.notes)));
  return out;
}

}  // namespace shoal::agent
