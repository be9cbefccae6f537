#include "agent/stages/review.hpp"

namespace shoal::agent {

Expected<ReviewOut> run_review(StageContext& ctx, const ReviewIn& in) {
  ReviewOptions options = review_options(ctx.settings);
  options.work_dir = ctx.idea_dir(in.idea_id) / in.work_name;
  options.cancel = &ctx.cancel;
  return review_paper(ctx.store, ctx.llm, ctx.executor, in.paper_id, options);
}

}  // namespace shoal::agent
