#include "agent/stages/baseline.hpp"

#include "experiments/baseline.hpp"

namespace shoal::agent {

Expected<BaselineOut> run_baseline(StageContext& ctx, const BaselineIn&) {
  experiments::BaselineOptions options;
  options.smoke = ctx.settings.smoke;
  ctx.progress({"", "baseline", "template baseline (run_0), reused when stored"});
  SHOAL_TRY(node, experiments::ensure_baseline(ctx.store, ctx.tpl, ctx.executor, ctx.work_root, options));
  return BaselineOut{node.id, node.metric};
}

}  // namespace shoal::agent
