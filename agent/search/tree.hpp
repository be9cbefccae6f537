// The experiment stage, tree search (AIDE, AI-Scientist v2): a best-first search over code
// versions. options.drafts root versions are written from the template; then, until
// options.max_nodes versions were tried, each round expands options.parallel_nodes nodes at
// once: a failing leaf is debugged (while its chain of debug nodes is shorter than
// options.max_debug_depth), else the best working node (by the template's metric and
// direction) is improved, else a new draft is written. Finally the best node is re-run
// options.seed_runs times with SHOAL_SEED = 1..N.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/stage_context.hpp"
#include "agent/search/outcome.hpp"
#include "store/ideas.hpp"

namespace shoal::agent {

// One version in the search, as the selection sees it.
struct TreeNode {
  int index = 0;                   // order of expansion in this search (folder node_<index>)
  int parent = -1;                 // the parent's index, -1 for a draft
  std::string id;                  // the stored node
  std::string kind;                // draft, improve, debug
  std::string plan;
  std::vector<std::string> args;
  std::string code_hash;
  bool ok = false;                 // ran and reported its results
  std::optional<double> metric;
  std::string outcome;             // describe_outcome() against the baseline
  int debug_depth = 0;             // consecutive debug nodes ending at this one
  int children = 0;
};

// An expansion to make: "draft" (parent -1), "improve" or "debug" of the node with index `parent`.
struct TreeAction {
  std::string kind;
  int parent = -1;
};

// The best working node (metric by `higher_is_better`; a node without a metric ranks below
// one with; ties by the lower index), or nullptr.
const TreeNode* best_tree_node(const std::vector<TreeNode>& nodes, bool higher_is_better);

// The next `slots` expansions, chosen only from `nodes` (so the same stored results give the
// same choices): drafts until `drafts_started` reaches options.drafts, then failing leaves
// (oldest first, each once, while debug_depth < max_debug_depth), then improvements of the
// best working node, else new drafts.
std::vector<TreeAction> select_tree_actions(const std::vector<TreeNode>& nodes, int drafts_started,
                                            const RunSettings& options, bool higher_is_better, int slots);

// Runs the search for `idea`; every node is stored (parent, plan, code, outcome, metric),
// each in its own folder ctx.idea_dir(idea.id)/node_<k> (a template copy with its parent's
// code restored), the seed re-runs as kind "seed" children of the best node. Parallel
// expansions run on their own threads with their own store connections (ctx.db_path). A
// second call replays the same choices (LLM cache, run_node reuse) and adds nothing.
// The outcome plots the baseline, the path from the root to the best node, then the seeds.
// Errors: the model's (budget_exceeded, cancelled, ...), the sandbox's, the store's;
// invalid_input when no node succeeded.
Expected<ExperimentOutcome> run_tree_search(StageContext& ctx, const store::Idea& idea);

}  // namespace shoal::agent
