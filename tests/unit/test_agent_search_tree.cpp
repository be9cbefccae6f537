#include <doctest/doctest.h>

#include "agent/search/tree.hpp"

using namespace shoal;
using namespace shoal::agent;

namespace {
TreeNode node(int index, int parent, bool ok, std::optional<double> metric, int debug_depth = 0, int children = 0) {
  TreeNode n;
  n.index = index;
  n.parent = parent;
  n.ok = ok;
  n.metric = metric;
  n.debug_depth = debug_depth;
  n.children = children;
  return n;
}

std::vector<std::string> kinds(const std::vector<TreeAction>& actions) {
  std::vector<std::string> out;
  for (const auto& a : actions) out.push_back(a.kind + (a.parent >= 0 ? ":" + std::to_string(a.parent) : ""));
  return out;
}
}  // namespace

TEST_CASE("the best node follows the metric's direction; failed nodes never win; ties keep the older") {
  std::vector<TreeNode> nodes = {node(0, -1, true, 0.5), node(1, -1, false, 0.1), node(2, 0, true, 0.3),
                                 node(3, 0, true, 0.3), node(4, 0, true, std::nullopt)};
  CHECK(best_tree_node(nodes, false)->index == 2);
  CHECK(best_tree_node(nodes, true)->index == 0);
  CHECK(best_tree_node({node(0, -1, true, std::nullopt)}, true)->index == 0);
  CHECK(best_tree_node({node(0, -1, false, 1.0)}, true) == nullptr);
}

TEST_CASE("drafts come first, then failing leaves are debugged once each, then the best is improved") {
  RunSettings o;
  o.drafts = 2;
  o.max_debug_depth = 2;
  CHECK(kinds(select_tree_actions({}, 0, o, true, 3)) == std::vector<std::string>{"draft", "draft", "draft"});
  CHECK(kinds(select_tree_actions({node(0, -1, true, 1.0)}, 1, o, true, 2)) ==
        std::vector<std::string>{"draft", "improve:0"});

  std::vector<TreeNode> nodes = {node(0, -1, true, 1.0), node(1, -1, false, std::nullopt), node(2, 0, true, 2.0),
                                 node(3, 0, false, std::nullopt)};
  CHECK(kinds(select_tree_actions(nodes, 2, o, true, 3)) == std::vector<std::string>{"debug:1", "debug:3", "improve:2"});
  CHECK(kinds(select_tree_actions(nodes, 2, o, false, 3)) ==
        std::vector<std::string>{"debug:1", "debug:3", "improve:0"});
}

TEST_CASE("debugging stops at max_debug_depth and at nodes already expanded; with nothing working, a new draft") {
  RunSettings o;
  o.drafts = 1;
  o.max_debug_depth = 1;
  std::vector<TreeNode> nodes = {node(0, -1, false, std::nullopt, 0, 1), node(1, 0, false, std::nullopt, 1)};
  CHECK(kinds(select_tree_actions(nodes, 1, o, true, 1)) == std::vector<std::string>{"draft"});
  o.max_debug_depth = 2;
  CHECK(kinds(select_tree_actions(nodes, 1, o, true, 1)) == std::vector<std::string>{"debug:1"});
  // two slots: the failing leaf is debugged once, and with nothing working the other slot drafts
  CHECK(kinds(select_tree_actions(nodes, 1, o, true, 2)) == std::vector<std::string>{"debug:1", "draft"});
}
