#include "agent/pipeline.hpp"

#include <future>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "agent/offline_agent.hpp"
#include "agent/stage_runner.hpp"
#include "agent/stages/experiments.hpp"
#include "agent/stages/ideas.hpp"
#include "agent/stages/novelty.hpp"
#include "agent/stages/plots.hpp"
#include "agent/stages/rank.hpp"
#include "agent/stages/review.hpp"
#include "agent/stages/revision.hpp"
#include "agent/stages/tree_search.hpp"
#include "agent/stages/writeup.hpp"
#include "core/log.hpp"
#include "experiments/baseline.hpp"
#include "store/runs.hpp"
#include "store/nodes.hpp"

namespace shoal::agent {
namespace asio = boost::asio;
namespace {

bool is_final(const std::string& status) {
  return status == "done" || status == "failed" || status == "skipped" || status == "cancelled";
}

// Runs fn(item) for every item on `threads` pool threads; returns each result in order.
template <class T, class Fn>
std::vector<Status> for_each_parallel(const std::vector<T>& items, int threads, Fn fn) {
  asio::thread_pool pool(static_cast<size_t>(std::max(1, std::min<int>(threads, static_cast<int>(items.size())))));
  std::vector<std::future<Status>> futures;
  for (const auto& item : items) {
    auto task = std::make_shared<std::packaged_task<Status()>>([&fn, &item] { return fn(item); });
    futures.push_back(task->get_future());
    asio::post(pool, [task] { (*task)(); });
  }
  std::vector<Status> out;
  for (auto& f : futures) out.push_back(f.get());
  pool.join();
  return out;
}

// Errors that stop the whole run and park its ideas for a resume rather than fail them: a
// stop, the budget, and the environment (a full disk, a read-only store).
bool parks(const Error& e) {
  return e.kind == ErrorKind::cancelled || e.kind == ErrorKind::budget_exceeded || e.kind == ErrorKind::io;
}

// The first error that stops the whole run, if any.
Status first_stopping(const std::vector<Status>& results) {
  for (const auto& r : results)
    if (!r.ok() && parks(r.error())) return r;
  return {};
}

Expected<nlohmann::json> baseline_stage(RunContext& ctx) {
  experiments::BaselineOptions options;
  options.smoke = ctx.options.smoke;
  ctx.progress({"", "baseline", "template baseline (run_0), reused when stored"});
  SHOAL_TRY(node, experiments::ensure_baseline(ctx.store, ctx.tpl, ctx.executor, ctx.work_root, options));
  nlohmann::json out = {{"node_id", node.id}};
  out["metric"] = node.metric ? nlohmann::json(*node.metric) : nlohmann::json(nullptr);
  return out;
}

Expected<nlohmann::json> ideas_stage(RunContext& ctx) {
  SHOAL_TRY(ideas, ctx.offline() ? offline_ideas(ctx) : generate_ideas(ctx));
  nlohmann::json ids = nlohmann::json::array();
  for (const auto& i : ideas) ids.push_back(i.id);
  return nlohmann::json{{"ideas", ids}, {"offline_baseline_agent", ctx.offline()}};
}

Status novelty_stages(RunContext& ctx) {
  SHOAL_TRY(ideas, store::list_ideas(ctx.store, ctx.run_id));
  if (ctx.offline() || !ctx.options.novelty) {
    std::string why = ctx.offline() ? "the offline baseline agent checks no literature" : "--no-novelty";
    for (const auto& i : ideas) SHOAL_CHECK(skip_stage(ctx, i.id, "novelty", why));
    return {};
  }
  auto results = for_each_parallel(ideas, std::max(ctx.options.parallel, 4), [&](const store::Idea& idea) -> Status {
    auto r = run_stage(ctx, idea.id, "novelty", [&]() -> Expected<nlohmann::json> {
      SHOAL_TRY(checked, check_novelty(ctx, idea));
      return nlohmann::json{{"novel", checked.novel.value_or(true)}};
    });
    return r.ok() ? Status{} : Status{r.error()};
  });
  return first_stopping(results);
}

Expected<nlohmann::json> rank_stage(RunContext& ctx) {
  SHOAL_TRY(ideas, store::list_ideas(ctx.store, ctx.run_id));
  std::vector<store::Idea> ranked;
  if (ctx.offline()) {
    ranked = ideas;  // manifest order: the knobs as the template's author listed them
    auto knob_index = [&](const store::Idea& i) {
      auto spec = nlohmann::json::parse(i.idea_json, nullptr, false);
      std::string flag = spec.is_object() ? spec.value("knob", "") : "";
      const auto& knobs = ctx.tpl.manifest.knobs;
      for (size_t k = 0; k < knobs.size(); ++k)
        if (knobs[k].flag == flag) return k;
      return knobs.size();
    };
    std::stable_sort(ranked.begin(), ranked.end(),
                     [&](const store::Idea& a, const store::Idea& b) { return knob_index(a) < knob_index(b); });
    if (static_cast<int>(ranked.size()) > ctx.options.ideas) ranked.resize(ctx.options.ideas);
  } else {
    ranked = rank_ideas(ideas, ctx.options.ideas);
  }
  nlohmann::json selected = nlohmann::json::array();
  int rank = 0;
  for (const auto& i : ranked) {
    SHOAL_CHECK(store::set_idea_rank(ctx.store, i.id, ++rank));
    selected.push_back(i.id);
  }
  for (const auto& i : ideas) {
    bool chosen = std::any_of(ranked.begin(), ranked.end(), [&](const store::Idea& r) { return r.id == i.id; });
    if (!chosen && !is_final(i.status))
      SHOAL_CHECK(store::set_idea_status(ctx.store, i.id, "skipped", i.novel == false ? "novelty" : "rank"));
  }
  return nlohmann::json{{"selected", selected}};
}

}  // namespace

Status run_idea(RunContext& ctx, const store::Idea& idea) {
  auto settle = [&](const Error& e) -> Status {
    bool park = parks(e);
    SHOAL_TRY(now, store::get_idea(ctx.store, idea.id));
    SHOAL_CHECK(store::set_idea_status(ctx.store, idea.id, park ? "parked" : "failed", now.stage));
    if (park) return e;
    return {};
  };
  auto experiments = run_stage(ctx, idea.id, "experiments", [&]() -> Expected<nlohmann::json> {
    Expected<ExperimentOutcome> outcome = ctx.offline()                          ? run_sweep(ctx, idea)
                                          : ctx.options.search == SearchMode::tree ? run_tree_search(ctx, idea)
                                                                                   : run_linear_search(ctx, idea);
    if (!outcome.ok()) return outcome.error();
    SHOAL_CHECK(store::set_idea_best_metric(ctx.store, idea.id, outcome->best_metric));
    return nlohmann::json(*outcome);
  });
  if (!experiments.ok()) return settle(experiments.error());
  ExperimentOutcome outcome = experiments->get<ExperimentOutcome>();
  if (outcome.best_node_id.empty()) {
    SHOAL_CHECK(store::set_idea_status(ctx.store, idea.id, "failed", "experiments"));
    return {};
  }

  if (ctx.options.plots) {
    auto plots = run_stage(ctx, idea.id, "plots", [&] { return make_plots(ctx, idea, outcome); });
    if (!plots.ok()) return settle(plots.error());
  } else {
    SHOAL_CHECK(skip_stage(ctx, idea.id, "plots", "--no-plots"));
  }
  if (!ctx.options.paper) {
    SHOAL_CHECK(skip_stage(ctx, idea.id, "paper", "--no-paper"));
    SHOAL_CHECK(skip_stage(ctx, idea.id, "review", "--no-paper"));
    SHOAL_CHECK(store::set_idea_status(ctx.store, idea.id, "done", "plots"));
    return {};
  }
  auto paper = run_stage(ctx, idea.id, "paper", [&]() -> Expected<nlohmann::json> {
    WriteupOptions options = ctx.config ? writeup_options(*ctx.config) : WriteupOptions{};
    options.work_dir = ctx.idea_dir(idea.id) / "paper";
    options.literature = ctx.literature;
    options.cancel = &ctx.cancel;
    SHOAL_TRY(result, write_paper(ctx.store, ctx.llm, ctx.executor, ctx.tpl.dir, idea.id, options));
    return result.to_json();
  });
  if (!paper.ok()) return settle(paper.error());
  auto review = run_stage(ctx, idea.id, "review", [&]() -> Expected<nlohmann::json> {
    ReviewOptions options = ctx.config ? review_options(*ctx.config) : ReviewOptions{};
    options.work_dir = ctx.idea_dir(idea.id) / "review";
    options.cancel = &ctx.cancel;
    if (ctx.options.review_ensemble > 0) options.ensemble = ctx.options.review_ensemble;
    SHOAL_TRY(result, review_paper(ctx.store, ctx.llm, ctx.executor, (*paper)["paper_id"].get<std::string>(), options));
    return result.to_json();
  });
  if (!review.ok()) return settle(review.error());
  int revisions = ctx.config && !ctx.offline() ? static_cast<int>(ctx.config->get_int("paper_revisions")) : 0;
  std::string paper_id = (*paper)["paper_id"].get<std::string>();
  for (int round = 1; round <= revisions; ++round) {
    std::string stage = "revision" + (round > 1 ? "_" + std::to_string(round) : std::string());
    auto revised = run_stage(ctx, idea.id, stage, [&]() -> Expected<nlohmann::json> {
      WriteupOptions writeup = writeup_options(*ctx.config);
      writeup.work_dir = ctx.idea_dir(idea.id) / stage;
      writeup.literature = ctx.literature;
      writeup.cancel = &ctx.cancel;
      ReviewOptions options = review_options(*ctx.config);
      options.work_dir = ctx.idea_dir(idea.id) / (stage + "-review");
      options.cancel = &ctx.cancel;
      if (ctx.options.review_ensemble > 0) options.ensemble = ctx.options.review_ensemble;
      SHOAL_TRY(outcome, revise_and_review(ctx.store, *ctx.llm, ctx.executor, ctx.tpl.dir, paper_id, writeup, options));
      return outcome.to_json();
    });
    if (!revised.ok()) {
      // A revision that fails leaves the reviewed paper as the idea's result.
      if (parks(revised.error())) return settle(revised.error());
      log::warn("run", "idea " + idea.id + ": " + stage + " failed: " + revised.error().message);
      break;
    }
    paper_id = (*revised)["paper_id"].get<std::string>();
  }
  SHOAL_CHECK(store::set_idea_status(ctx.store, idea.id, "done", revisions > 0 ? "revision" : "review"));
  return {};
}

Status run_pipeline(RunContext& ctx) {
  // The baseline experiment and idea generation need nothing from each other: run them at once.
  auto baseline = std::async(std::launch::async,
                             [&] { return run_stage(ctx, "", "baseline", [&] { return baseline_stage(ctx); }); });
  auto ideas = run_stage(ctx, "", "ideas", [&] { return ideas_stage(ctx); });
  auto baseline_done = baseline.get();
  if (!baseline_done.ok()) return baseline_done.error();
  if (!ideas.ok()) return ideas.error();
  SHOAL_CHECK(novelty_stages(ctx));
  auto ranked = run_stage(ctx, "", "rank", [&] { return rank_stage(ctx); });
  if (!ranked.ok()) return ranked.error();

  std::vector<store::Idea> todo;
  for (const auto& id : (*ranked)["selected"]) {
    SHOAL_TRY(idea, store::get_idea(ctx.store, id.get<std::string>()));
    if (!is_final(idea.status)) todo.push_back(idea);
  }
  auto results = for_each_parallel(todo, ctx.options.parallel, [&](const store::Idea& idea) -> Status {
    if (ctx.cancel.cancelled()) {
      (void)store::set_idea_status(ctx.store, idea.id, "parked", idea.stage);
      return fail(ErrorKind::cancelled, "stopped");
    }
    Status st = run_idea(ctx, idea);
    if (!st.ok() && !parks(st.error())) {
      // Not a stage failure (those are recorded by run_stage): the store or a bug. Say so.
      log::error("run", "idea " + idea.name + ": " + st.error().message);
      (void)store::set_idea_status(ctx.store, idea.id, "failed", idea.stage);
      (void)store::add_event(ctx.store, {0, ctx.run_id, idea.id, "idea_failed", st.error().message, "{}", 0});
    }
    return st;
  });
  return first_stopping(results);
}

}  // namespace shoal::agent
