#include <doctest/doctest.h>

#include <regex>
#include <set>

#include "agent/prompts.hpp"
#include "agent/stage_llm.hpp"

using namespace shoal;
using namespace shoal::agent;

namespace {
// The placeholders ({{name}}) of a prompt.
std::set<std::string> placeholders(std::string_view text) {
  std::set<std::string> out;
  std::regex re(R"(\{\{(\w+)\}\})");
  std::string s(text);
  for (auto it = std::sregex_iterator(s.begin(), s.end(), re); it != std::sregex_iterator(); ++it) out.insert((*it)[1]);
  return out;
}
}  // namespace

TEST_CASE("every prompt the research stages render exists and gets every placeholder it has") {
  // name -> the variables the stages pass (stages/ideas.cpp, stages/novelty.cpp, search/code_edit.cpp,
  // search/linear.cpp, search/tree.cpp, search/evolve.cpp); the JSON re-ask is the LLM layer's (llm/prompts).
  std::map<std::string, std::set<std::string>> used = {
      {"ideas_system", {"template_system"}},
      {"ideas_generate", {"task", "code", "seeds", "previous", "reflections"}},
      {"ideas_reflect", {"round", "rounds"}},
      {"novelty_system", {"template_system", "rounds"}},
      {"novelty_start", {"task", "idea", "earlier"}},
      {"baseline_metric_direction", {"metric", "task", "value"}},
      {"novelty_results", {"query", "engine", "count", "papers"}},
      {"novelty_search_failed", {"query", "error"}},
      {"novelty_decide_now", {}},
      {"novelty_no_query", {}},
      {"experiments_coder_system", {"template_system", "metric", "direction", "editable"}},
      {"experiments_context", {"task", "title", "idea", "baseline"}},
      {"experiments_context_ack", {}},
      {"experiments_linear", {"notes", "run", "runs", "attempt", "attempts", "feedback", "code"}},
      {"experiments_no_baseline", {}},
      {"experiments_edits_failed", {"failures"}},
      {"experiments_run_failed", {"plan", "outcome"}},
      {"experiments_bad_reply", {"problem"}},
      {"tree_draft", {"memory", "node", "draft", "code", "metric"}},
      {"tree_improve", {"memory", "node", "code", "metric", "parent", "parent_plan", "parent_outcome"}},
      {"tree_debug", {"memory", "node", "code", "metric", "parent", "parent_plan", "parent_outcome"}},
      {"evolve_mutate", {"population", "candidate", "generation", "island", "parent", "metric", "direction",
                         "parent_plan", "parent_outcome", "code"}},
      {"evolve_crossover", {"population", "candidate", "generation", "island", "parent", "other", "metric", "direction",
                            "parent_plan", "parent_outcome", "code", "other_plan", "other_outcome", "other_code"}},
  };
  for (const auto& [name, vars] : used) {
    INFO("prompt " << name);
    std::string_view text;
    REQUIRE_NOTHROW(text = prompt(name));
    CHECK(!text.empty());
    for (const auto& p : placeholders(text)) CHECK_MESSAGE(vars.count(p), "placeholder {{" << p << "}} is never filled");
    std::map<std::string, std::string> filled;
    for (const auto& v : vars) filled[v] = "<" + v + ">";
    CHECK(render(name, filled).find("{{") == std::string::npos);
  }
}

TEST_CASE("the tree search's prompt for each kind of expansion exists") {
  for (const char* kind : {"draft", "improve", "debug"}) CHECK_NOTHROW(prompt(std::string("tree_") + kind));
}

TEST_CASE("clip cuts long text with an ellipsis and never inside a UTF-8 character") {
  CHECK(clip("short", 10) == "short");
  CHECK(clip("abcdefghij", 4) == "abcd...");
  CHECK(clip("ab\xC3\xA9" "cd", 3) == "ab...");  // é is two bytes: cut before it
}
