#include "agent/run_context.hpp"

#include "agent/stages/outcome.hpp"

namespace shoal::agent {

void to_json(nlohmann::json& j, const RunOptions& o) {
  j = {{"template_dir", o.template_dir.string()}, {"model", o.model}, {"ideas", o.ideas}, {"generate", o.generate},
       {"reflections", o.reflections}, {"idea_batch", o.idea_batch}, {"parallel", o.parallel}, {"budget_usd", o.budget_usd},
       {"search", o.search == SearchMode::tree ? "tree" : "linear"}, {"executor", o.executor},
       {"seed_ideas", o.seed_ideas.string()}, {"novelty", o.novelty}, {"novelty_rounds", o.novelty_rounds},
       {"max_runs", o.max_runs}, {"max_attempts", o.max_attempts}, {"drafts", o.drafts}, {"max_nodes", o.max_nodes},
       {"max_debug_depth", o.max_debug_depth}, {"parallel_nodes", o.parallel_nodes}, {"seed_runs", o.seed_runs},
       {"smoke", o.smoke}, {"plots", o.plots}, {"paper", o.paper}, {"review_ensemble", o.review_ensemble}};
}

void from_json(const nlohmann::json& j, RunOptions& o) {
  RunOptions d;
  o.template_dir = j.value("template_dir", d.template_dir.string());
  o.model = j.value("model", d.model);
  o.ideas = j.value("ideas", d.ideas);
  o.generate = j.value("generate", d.generate);
  o.reflections = j.value("reflections", d.reflections);
  o.idea_batch = j.value("idea_batch", d.idea_batch);
  o.parallel = j.value("parallel", d.parallel);
  o.budget_usd = j.value("budget_usd", d.budget_usd);
  o.search = j.value("search", std::string("linear")) == "tree" ? SearchMode::tree : SearchMode::linear;
  o.executor = j.value("executor", d.executor);
  o.seed_ideas = j.value("seed_ideas", d.seed_ideas.string());
  o.novelty = j.value("novelty", d.novelty);
  o.novelty_rounds = j.value("novelty_rounds", d.novelty_rounds);
  o.max_runs = j.value("max_runs", d.max_runs);
  o.max_attempts = j.value("max_attempts", d.max_attempts);
  o.drafts = j.value("drafts", d.drafts);
  o.max_nodes = j.value("max_nodes", d.max_nodes);
  o.max_debug_depth = j.value("max_debug_depth", d.max_debug_depth);
  o.parallel_nodes = j.value("parallel_nodes", d.parallel_nodes);
  o.seed_runs = j.value("seed_runs", d.seed_runs);
  o.smoke = j.value("smoke", d.smoke);
  o.plots = j.value("plots", d.plots);
  o.paper = j.value("paper", d.paper);
  o.review_ensemble = j.value("review_ensemble", d.review_ensemble);
}

void to_json(nlohmann::json& j, const ExperimentOutcome& o) {
  nlohmann::json plotted = nlohmann::json::array();
  for (const auto& p : o.plotted) plotted.push_back({{"node_id", p.node_id}, {"label", p.label}});
  j = {{"best_node_id", o.best_node_id}, {"nodes", o.nodes}, {"failed", o.failed}, {"plotted", plotted}};
  j["best_metric"] = o.best_metric ? nlohmann::json(*o.best_metric) : nlohmann::json(nullptr);
}

void from_json(const nlohmann::json& j, ExperimentOutcome& o) {
  o.best_node_id = j.value("best_node_id", "");
  o.nodes = j.value("nodes", 0);
  o.failed = j.value("failed", 0);
  if (j.contains("best_metric") && j["best_metric"].is_number()) o.best_metric = j["best_metric"].get<double>();
  o.plotted.clear();
  for (const auto& p : j.value("plotted", nlohmann::json::array()))
    o.plotted.push_back({p.value("node_id", ""), p.value("label", "")});
}

}  // namespace shoal::agent
