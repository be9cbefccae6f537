#include "agent/pipeline.hpp"

#include <future>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "agent/stage_runner.hpp"
#include "core/log.hpp"
#include "store/runs.hpp"

namespace shoal::agent {
namespace asio = boost::asio;
namespace {

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

// The first error that stops the whole run, if any; one that waiting cannot cure (a stop, the
// budget, a revoked key, a full disk) before a transient one (a provider outage).
Status first_stopping(const std::vector<Status>& results) {
  const Status* transient = nullptr;
  for (const auto& r : results) {
    if (r.ok() || !parks(r.error())) continue;
    if (!r.error().transient) return r;
    if (!transient) transient = &r;
  }
  return transient ? *transient : Status{};
}

Status novelty_stages(StageContext& ctx) {
  SHOAL_TRY(ideas, store::list_ideas(ctx.store, ctx.run_id));
  if (ctx.offline() || !ctx.settings.novelty) {
    std::string why = ctx.offline() ? "the offline baseline agent checks no literature" : "--no-novelty";
    for (const auto& i : ideas) SHOAL_CHECK(skip_stage(ctx, i.id, "novelty", why));
    return {};
  }
  auto results = for_each_parallel(ideas, std::max(ctx.settings.parallel, 4), [&](const store::Idea& idea) -> Status {
    auto r = run_stage<NoveltyOut>(ctx, idea.id, "novelty", [&] { return run_novelty(ctx, {idea}); });
    return r.ok() ? Status{} : Status{r.error()};
  });
  SHOAL_CHECK(first_stopping(results));
  // novelty_required: an idea that could not be checked stops the run (resume checks it again).
  if (ctx.settings.novelty_required)
    for (const auto& r : results)
      if (!r.ok()) return r;
  return {};
}

}  // namespace

bool parks(const Error& e) {
  return e.kind == ErrorKind::cancelled || e.kind == ErrorKind::budget_exceeded || e.kind == ErrorKind::io ||
         e.kind == ErrorKind::unauthorized || e.transient;
}

Status run_idea(StageContext& ctx, const store::Idea& idea) {
  auto settle = [&](const Error& e) -> Status {
    bool park = parks(e);
    SHOAL_TRY(now, store::get_idea(ctx.store, idea.id));
    SHOAL_CHECK(store::set_idea_status(ctx.store, idea.id, park ? "parked" : "failed", now.stage));
    if (park) return e;
    return {};
  };
  auto experiments = run_stage<ExperimentsOut>(ctx, idea.id, "experiments", [&] { return run_experiments(ctx, {idea}); });
  if (!experiments.ok()) return settle(experiments.error());
  if (experiments->best_node_id.empty()) {
    SHOAL_CHECK(store::set_idea_status(ctx.store, idea.id, "failed", "experiments"));
    return {};
  }

  if (ctx.settings.plots) {
    auto plots = run_stage<PlotsOut>(ctx, idea.id, "plots", [&] { return run_plots(ctx, {idea, *experiments}); });
    if (!plots.ok()) return settle(plots.error());
  } else {
    SHOAL_CHECK(skip_stage(ctx, idea.id, "plots", "--no-plots"));
  }
  if (!ctx.settings.paper) {
    SHOAL_CHECK(skip_stage(ctx, idea.id, "paper", "--no-paper"));
    SHOAL_CHECK(skip_stage(ctx, idea.id, "review", "--no-paper"));
    SHOAL_CHECK(store::set_idea_status(ctx.store, idea.id, "done", "plots"));
    return {};
  }
  auto paper = run_stage<PaperOut>(ctx, idea.id, "paper", [&] { return run_paper(ctx, {idea}); });
  if (!paper.ok()) return settle(paper.error());
  std::string paper_id = paper->paper.id;
  auto review = run_stage<ReviewOut>(ctx, idea.id, "review", [&] { return run_review(ctx, {idea.id, paper_id}); });
  if (!review.ok()) return settle(review.error());
  int revisions = ctx.offline() ? 0 : ctx.settings.paper_revisions;
  for (int round = 1; round <= revisions; ++round) {
    std::string stage = "revision" + (round > 1 ? "_" + std::to_string(round) : std::string());
    auto revised = run_stage<RevisionOut>(ctx, idea.id, stage, [&] { return run_revision(ctx, {idea.id, paper_id, stage}); });
    if (!revised.ok()) {
      // A revision that fails leaves the reviewed paper as the idea's result.
      if (parks(revised.error())) return settle(revised.error());
      log::warn("run", "idea " + idea.id + ": " + stage + " failed: " + revised.error().message);
      break;
    }
    paper_id = revised->after_paper_id;
  }
  SHOAL_CHECK(store::set_idea_status(ctx.store, idea.id, "done", revisions > 0 ? "revision" : "review"));
  return {};
}

Status run_pipeline(StageContext& ctx) {
  auto baseline_stage = [&] { return run_stage<BaselineOut>(ctx, "", "baseline", [&] { return run_baseline(ctx, {}); }); };
  auto ideas_stage = [&] { return run_stage<IdeasOut>(ctx, "", "ideas", [&] { return run_ideas(ctx, {}); }); };
  // With a model, the baseline experiment and idea generation need nothing from each other:
  // they run at once. The offline agent's ideas name the headline metric the baseline
  // settles, and take no time: they come after it.
  Expected<BaselineOut> baseline_done = fail(ErrorKind::internal, "baseline not run");
  Expected<IdeasOut> ideas = fail(ErrorKind::internal, "ideas not run");
  if (ctx.offline()) {
    baseline_done = baseline_stage();
    if (!baseline_done.ok()) return baseline_done.error();
    if (!baseline_done->headline.name.empty()) apply_metric(ctx.tpl, baseline_done->headline);
    ideas = ideas_stage();
  } else {
    auto baseline = std::async(std::launch::async, baseline_stage);
    ideas = ideas_stage();
    baseline_done = baseline.get();
  }
  if (!baseline_done.ok()) return baseline_done.error();
  if (!ideas.ok()) return ideas.error();
  // Every later stage compares by the metric the baseline settled (a run older than that
  // keeps the template's).
  if (!baseline_done->headline.name.empty()) apply_metric(ctx.tpl, baseline_done->headline);
  SHOAL_CHECK(novelty_stages(ctx));
  SHOAL_TRY(all, store::list_ideas(ctx.store, ctx.run_id));
  auto ranked = run_stage<RankOut>(ctx, "", "rank", [&] { return run_rank(ctx, {all}); });
  if (!ranked.ok()) return ranked.error();

  std::vector<store::Idea> todo;
  for (const auto& id : ranked->selected) {
    SHOAL_TRY(idea, store::get_idea(ctx.store, id));
    if (!store::idea_is_final(idea.status)) todo.push_back(idea);
  }
  auto results = for_each_parallel(todo, ctx.settings.parallel, [&](const store::Idea& idea) -> Status {
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
