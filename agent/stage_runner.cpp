#include "agent/stage_runner.hpp"

#include "agent/disk_guard.hpp"
#include "core/time.hpp"
#include "store/ideas.hpp"
#include "store/llm_calls.hpp"
#include "store/runs.hpp"
#include "store/stages.hpp"

namespace shoal::agent {
namespace {

// The run's budget, read fresh (shoal resume --budget may have raised it).
Status check_budget(StageContext& ctx) {
  if (ctx.offline()) return {};
  SHOAL_TRY(run, store::get_run(ctx.store, ctx.run_id));
  if (run.budget_usd <= 0) return {};
  SHOAL_TRY(spend, store::llm_spend_of_run(ctx.store, ctx.run_id));
  if (spend.cost_usd >= run.budget_usd)
    return fail(ErrorKind::budget_exceeded, "the run has spent $" + std::to_string(spend.cost_usd) + " of its $" +
                                                std::to_string(run.budget_usd) + " budget; raise it with shoal resume " +
                                                ctx.run_id + " --budget USD");
  return {};
}

void event(StageContext& ctx, const std::string& idea_id, const std::string& kind, const std::string& message,
           const nlohmann::json& data) {
  (void)store::add_event(ctx.store, {0, ctx.run_id, idea_id, kind, message, data.dump(), 0});
}

}  // namespace

Expected<nlohmann::json> run_stage_json(StageContext& ctx, const std::string& idea_id, const std::string& stage,
                                        const StageBody& body) {
  SHOAL_TRY(existing, store::find_stage(ctx.store, ctx.run_id, idea_id, stage));
  if (existing && (existing->status == "done" || existing->status == "skipped")) {
    auto out = nlohmann::json::parse(existing->output_json.empty() ? "null" : existing->output_json, nullptr, false);
    return out.is_discarded() ? nlohmann::json() : out;
  }
  if (ctx.cancel.cancelled()) return fail(ErrorKind::cancelled, "the run was stopped before " + stage);
  SHOAL_CHECK(check_budget(ctx));
  SHOAL_CHECK(check_free_disk(ctx));

  SHOAL_TRY(spend_before, store::llm_spend_of_stage(ctx.store, ctx.run_id, idea_id, stage));
  SHOAL_TRY(row, store::begin_stage(ctx.store, ctx.run_id, idea_id, stage));
  if (!idea_id.empty()) SHOAL_CHECK(store::set_idea_status(ctx.store, idea_id, "running", stage));
  event(ctx, idea_id, "stage_started", stage, {{"stage", stage}, {"attempt", row.attempts}});
  ctx.progress({idea_id, stage, row.attempts > 1 ? "started (attempt " + std::to_string(row.attempts) + ")" : "started"});

  Stopwatch clock;
  Expected<nlohmann::json> result = [&]() -> Expected<nlohmann::json> {
    try {
      return body();
    } catch (const std::exception& e) {  // a bug in a stage fails the stage, not the run
      return fail(ErrorKind::internal, std::string("stage ") + stage + " threw: " + e.what());
    }
  }();

  auto spend_after = store::llm_spend_of_stage(ctx.store, ctx.run_id, idea_id, stage);
  double cost = spend_after.ok() ? spend_after->cost_usd - spend_before.cost_usd : 0;
  nlohmann::json data = {{"stage", stage}, {"seconds", clock.seconds()}, {"cost_usd", cost}};
  if (result.ok()) {
    SHOAL_CHECK(store::finish_stage(ctx.store, row.id, "done", cost, "", "", result->dump()));
    event(ctx, idea_id, "stage_done", stage, data);
    ctx.progress({idea_id, stage, "done"});
    return result;
  }
  const Error& e = result.error();
  std::string status = e.kind == ErrorKind::cancelled ? "cancelled" : "failed";
  SHOAL_CHECK(store::finish_stage(ctx.store, row.id, status, cost, std::string(to_string(e.kind)), e.message));
  data["error_kind"] = to_string(e.kind);
  data["error"] = e.message;
  event(ctx, idea_id, status == "cancelled" ? "stage_cancelled" : "stage_failed", stage + ": " + e.message, data);
  ctx.progress({idea_id, stage, status + ": " + e.message.substr(0, 200)});
  return e;
}

Status skip_stage(StageContext& ctx, const std::string& idea_id, const std::string& stage, const std::string& reason) {
  SHOAL_TRY(existing, store::find_stage(ctx.store, ctx.run_id, idea_id, stage));
  if (existing && (existing->status == "done" || existing->status == "skipped")) return {};
  SHOAL_TRY(row, store::begin_stage(ctx.store, ctx.run_id, idea_id, stage));
  SHOAL_CHECK(store::finish_stage(ctx.store, row.id, "skipped", 0, "", reason, nlohmann::json({{"skipped", reason}}).dump()));
  event(ctx, idea_id, "stage_skipped", stage + ": " + reason, {{"stage", stage}, {"reason", reason}});
  return {};
}

}  // namespace shoal::agent
