#include "agent/search/linear.hpp"

#include "agent/search/node_runner.hpp"
#include "agent/search/seeds.hpp"
#include "agent/prompts.hpp"
#include "agent/search/code_edit.hpp"
#include "agent/stage_llm.hpp"

namespace shoal::agent {
namespace fs = std::filesystem;
namespace {

constexpr size_t kLabelChars = 60;  // plot labels: "Run 2: " and the plan cut to this

std::string join_args(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) out += (out.empty() ? "" : " ") + a;
  return out.empty() ? "(none)" : out;
}

// The search's state between attempts.
struct LinearState {
  fs::path code;
  std::optional<double> baseline_metric;
  std::string baseline;          // as the model sees it
  std::string notes;             // notes.md: plans, flags, the agent's own words, headline metrics
  std::string results;           // each run's results digest: shown to the coder, kept out of notes.md
  std::string parent;            // the previous node ("" before the first)
  bool parent_failed = false;
  ExperimentOutcome outcome;
  std::vector<SeedCandidate> succeeded;  // every successful run, with its flags
};

// The step of one attempt (the message after the idea's context).
Expected<std::string> attempt_prompt(StageContext& ctx, const LinearState& s, int run, int attempt,
                                     const std::string& feedback) {
  SHOAL_TRY(code, code_listing(ctx.tpl, s.code));
  return render("experiments_linear", {{"notes", s.notes + (s.results.empty() ? "" : "\n# Results so far\n" + s.results)},
                                       {"run", std::to_string(run)},
                                       {"runs", std::to_string(ctx.settings.max_runs)},
                                       {"attempt", std::to_string(attempt)},
                                       {"attempts", std::to_string(ctx.settings.max_attempts)},
                                       {"feedback", feedback},
                                       {"code", code}});
}

// Records a successful run: notes, best node, plot entry.
Status record_success(StageContext& ctx, const store::Idea& idea, LinearState& s, int run, const CoderReply& reply,
                      const store::Node& node) {
  s.notes += "\n## Run " + std::to_string(run) + ": " + reply.plan + "\nFlags: " + join_args(reply.args) + "\n";
  if (!reply.notes.empty()) s.notes += "Agent's notes: " + reply.notes + "\n";
  s.notes += headline_line(node, s.baseline_metric, ctx.tpl.manifest.higher_is_better);
  s.results += "## Run " + std::to_string(run) + "\n" + describe_outcome(node, s.baseline_metric, ctx.tpl.manifest.higher_is_better) + "\n";
  SHOAL_CHECK(save_notes(ctx, idea.id, s.notes));
  s.succeeded.push_back({node, reply.args, "run " + std::to_string(run)});
  auto& o = s.outcome;
  if (node.metric ? !o.best_metric || experiments::metric_better(*node.metric, *o.best_metric, ctx.tpl.manifest.higher_is_better)
                  : o.best_node_id.empty()) {
    o.best_node_id = node.id;
    o.best_metric = node.metric;
  }
  o.plotted.push_back({node.id, clip("Run " + std::to_string(run) + ": " + reply.plan, kLabelChars)});
  return {};
}

}  // namespace

Expected<ExperimentOutcome> run_linear_search(StageContext& ctx, const store::Idea& idea) {
  SHOAL_TRY(tp, template_prompt(ctx.tpl));
  SHOAL_TRY(baseline, store::find_baseline(ctx.store, ctx.tpl.hash, ctx.settings.smoke ? "baseline_smoke" : "baseline"));
  const bool hib = ctx.tpl.manifest.higher_is_better;
  LinearState s;
  s.code = ctx.idea_dir(idea.id) / "code";
  std::error_code ec;
  fs::remove_all(s.code, ec);  // scratch: the search replays from the template
  SHOAL_CHECK(experiments::copy_template(ctx.tpl, s.code));
  s.baseline = baseline_text(baseline, hib);
  if (baseline) {
    s.baseline_metric = baseline_metric(ctx.tpl, baseline);
    s.outcome.plotted.push_back({baseline->id, "Baseline"});
  }
  s.notes = "# " + idea.title + "\n\n" + idea_text(idea) + "\n\n## Baseline (run_0)\n" + s.baseline + "\n";
  SHOAL_CHECK(save_notes(ctx, idea.id, s.notes));

  llm::Request base = coder_request(ctx, tp);
  bool all_done = false;
  for (int run = 1; run <= ctx.settings.max_runs && !all_done; ++run) {
    std::string feedback;
    bool run_ok = false;
    for (int attempt = 1; attempt <= ctx.settings.max_attempts && !run_ok; ++attempt) {
      ctx.progress({idea.id, "experiments", "run " + std::to_string(run) + "/" + std::to_string(ctx.settings.max_runs) +
                                                ", attempt " + std::to_string(attempt)});
      SHOAL_TRY(question, attempt_prompt(ctx, s, run, attempt, feedback));
      llm::Request request = base;
      set_coder_messages(request, tp, idea, s.baseline, question);
      SHOAL_TRY(text, ask_text(ctx, request, "experiments", idea.id));
      CoderReply reply = parse_coder_reply(text);
      if (reply.all_done) {
        all_done = true;
        break;
      }
      if (!reply.problem.empty()) {
        feedback = render("experiments_bad_reply", {{"problem", reply.problem}});
        continue;
      }
      SHOAL_TRY(failures, apply_reply(ctx, s.code, reply));
      if (!failures.empty()) {
        feedback = render("experiments_edits_failed", {{"failures", failures}});
        continue;
      }
      NodeRequest nr{idea.id, s.parent, s.parent.empty() ? "draft" : s.parent_failed ? "debug" : "improve",
                     reply.plan, run, std::nullopt, s.code, "run_" + std::to_string(run), reply.args};
      SHOAL_TRY(ran, run_node(ctx, nr));
      ++s.outcome.nodes;
      s.parent = ran.node.id;
      s.parent_failed = !ran.ok();
      if (!ran.ok()) {
        ++s.outcome.failed;
        feedback = render("experiments_run_failed",
                          {{"plan", reply.plan}, {"outcome", describe_outcome(ran.node, s.baseline_metric, hib)}});
        continue;
      }
      run_ok = true;
      SHOAL_CHECK(record_success(ctx, idea, s, run, reply, ran.node));
    }
    if (!run_ok && !all_done) {
      s.notes += "\n## Run " + std::to_string(run) + ": no attempt succeeded; the search stopped here.\n";
      SHOAL_CHECK(save_notes(ctx, idea.id, s.notes));
      break;
    }
  }
  if (s.outcome.best_node_id.empty())
    return fail(ErrorKind::invalid_input,
                "no experiment run of idea " + idea.name + " succeeded (" + std::to_string(s.outcome.nodes) +
                    " run(s), " + std::to_string(s.outcome.failed) + " failed); the node logs say why (shoal status " +
                    ctx.run_id + ")");
  // Seeds that count: the best two runs re-run with seeds; the best seed mean is chosen.
  std::vector<SeedCandidate> candidates;
  std::vector<store::Node> ran;
  for (const auto& c : s.succeeded) ran.push_back(c.node);
  for (const auto& best : seed_candidates(ran, hib))
    for (const auto& c : s.succeeded)
      if (c.node.id == best.id) candidates.push_back(c);
  SHOAL_TRY(seeds, confirm_with_seeds(ctx, idea, candidates, ctx.settings.max_runs + 1));
  s.outcome.nodes += seeds.runs;
  s.outcome.failed += seeds.failed;
  if (seeds.chosen) {
    s.outcome.best_node_id = seeds.chosen->id;
    s.outcome.best_metric = seeds.chosen->metric;
    s.outcome.plotted.insert(s.outcome.plotted.end(), seeds.plotted.begin(), seeds.plotted.end());
    s.notes += "\n## Seed re-runs\n" + seeds.notes;
    SHOAL_CHECK(save_notes(ctx, idea.id, s.notes));
  }
  return s.outcome;
}

}  // namespace shoal::agent
